// Pipelines (explicit and automatic), MULTI/EXEC, WATCH across the two instances, and
// BLPOP woken through the other instance.
import assert from 'node:assert/strict';
import { redisTest, eventually, errorOf, portA, portB, Redis } from './common.mjs';

redisTest('pipeline replies in order', async ({ open, key }) => {
  const r = open();
  const pipeline = r.pipeline();
  const expected = [];
  for (let i = 0; i < 200; i++) {
    pipeline.incr(key('counter'));
    expected.push([null, i + 1]);
    pipeline.set(key(`k${i}`), `v${i}`);
    expected.push([null, 'OK']);
  }
  for (let i = 0; i < 200; i += 50) {
    pipeline.get(key(`k${i}`));
    expected.push([null, `v${i}`]);
  }
  pipeline.rpush(key('list'), 'a', 'b');
  expected.push([null, 2]);
  pipeline.lrange(key('list'), 0, -1);
  expected.push([null, ['a', 'b']]);
  pipeline.hset(key('hash'), { f: '1' });
  expected.push([null, 1]);
  pipeline.hgetall(key('hash')); // ioredis turns the reply into an object in a pipeline too
  expected.push([null, { f: '1' }]);
  assert.equal(pipeline.length, expected.length);
  assert.deepEqual(await pipeline.exec(), expected);

  // An error takes its own place; the commands around it run.
  const results = await r.pipeline()
    .set(key('word'), 'abc')
    .incr(key('word'))
    .get(key('word'))
    .exec();
  assert.deepEqual(results[0], [null, 'OK']);
  assert.ok(results[1][0] instanceof Redis.ReplyError);
  assert.equal(results[1][0].message, 'ERR value is not an integer or out of range');
  assert.deepEqual(results[2], [null, 'abc']);
});

redisTest('auto pipelining', async ({ open, key }) => {
  const r = open(portA, { enableAutoPipelining: true });
  await r.ping(); // connected, so the commands below go out in batches
  const counts = await Promise.all(Array.from({ length: 500 }, () => r.incr(key('counter'))));
  assert.deepEqual(counts, Array.from({ length: 500 }, (_, i) => i + 1));
  const sets = await Promise.all(
    Array.from({ length: 300 }, (_, i) => r.set(key(`k${i}`), `value ${i}`)));
  assert.ok(sets.every((reply) => reply === 'OK'));
  const gets = await Promise.all(Array.from({ length: 300 }, (_, i) => r.get(key(`k${i}`))));
  assert.deepEqual(gets, Array.from({ length: 300 }, (_, i) => `value ${i}`));
  assert.equal(await open(portB).get(key('counter')), '500');
});

redisTest('multi exec', async ({ open, key }) => {
  const r = open();
  const k = key('k');
  assert.deepEqual(await r.multi().set(k, '1').incr(k).incrby(k, 5).get(k).exec(),
    [[null, 'OK'], [null, 2], [null, 7], [null, '7']]);

  // A command failing when it runs fails alone: the others keep their effects.
  const word = key('word');
  const results = await r.multi().set(word, 'abc').incr(word).append(word, 'd').exec();
  assert.deepEqual(results[0], [null, 'OK']);
  assert.equal(results[1][0].message, 'ERR value is not an integer or out of range');
  assert.deepEqual(results[2], [null, 4]);
  assert.equal(await r.get(word), 'abcd');

  // A command refused while queueing discards the transaction.
  const aborted = key('aborted');
  const message = await errorOf(r.multi().set(aborted, 'x').call('NOSUCHCOMMAND').exec());
  assert.match(message, /^EXECABORT Transaction discarded because of previous errors/);
  assert.equal(await r.exists(aborted), 0);
  assert.equal(await r.ping(), 'PONG');
});

redisTest('multi queues until exec', async ({ open, key }) => {
  const r = open();
  const other = open(portB);
  const k = key('k');
  assert.equal(await r.multi({ pipeline: false }), 'OK');
  assert.equal(await r.set(k, 'queued'), 'QUEUED');
  assert.equal(await r.incr(key('n')), 'QUEUED');
  assert.equal(await other.get(k), null); // nothing is visible before EXEC
  assert.deepEqual(await r.exec(), [[null, 'OK'], [null, 1]]);
  assert.equal(await other.get(k), 'queued');

  assert.equal(await r.multi({ pipeline: false }), 'OK');
  assert.equal(await r.set(k, 'discarded'), 'QUEUED');
  assert.equal(await r.discard(), 'OK');
  assert.equal(await other.get(k), 'queued');
});

redisTest('watch on one instance, change through the other', async ({ open, key }) => {
  const a = open(portA);
  const b = open(portB);
  const balance = key('balance');
  await a.set(balance, '10');

  // Unchanged: EXEC runs.
  assert.equal(await a.watch(balance), 'OK');
  const value = Number(await a.get(balance));
  assert.deepEqual(await a.multi().set(balance, String(value + 5)).get(balance).exec(),
    [[null, 'OK'], [null, '15']]);

  // Changed through instance B between WATCH and EXEC: EXEC answers nil, nothing runs.
  assert.equal(await a.watch(balance), 'OK');
  await a.get(balance);
  assert.equal(await b.set(balance, '99'), 'OK');
  assert.equal(await a.multi().set(balance, '0').exec(), null);
  assert.equal(await a.get(balance), '99');

  // A watched key that did not exist and is created meanwhile counts as changed.
  const fresh = key('fresh');
  assert.equal(await a.watch(fresh), 'OK');
  assert.equal(await b.rpush(fresh, 'x'), 1);
  assert.equal(await a.multi().set(fresh, 'mine').exec(), null);
  assert.equal(await a.type(fresh), 'list');

  // UNWATCH forgets the keys.
  assert.equal(await a.watch(balance), 'OK');
  assert.equal(await a.unwatch(), 'OK');
  await b.set(balance, '100');
  assert.deepEqual(await a.multi().incr(balance).exec(), [[null, 101]]);
});

// Whether the connection with CLIENT ID `id` is blocked, by CLIENT LIST on `admin`.
async function isBlocked(admin, id) {
  const list = await admin.client('LIST');
  const line = list.split('\n').find((l) => l.startsWith(`id=${id} `));
  const flags = line && / flags=(\S*)/.exec(line);
  return Boolean(flags && flags[1].includes('b'));
}

redisTest('blpop on one instance woken through the other', async ({ open, key }) => {
  const blocker = open(portA);
  const admin = open(portA);
  const pusher = open(portB);
  const queue = key('queue');
  const id = await blocker.client('ID');
  // The timeout only bounds a failure: the push comes long before it.
  const popped = blocker.blpop(queue, 60);
  await eventually('the BLPOP client is blocked', () => isBlocked(admin, id));
  assert.equal(await pusher.lpush(queue, 'hello'), 1);
  assert.deepEqual(await popped, [queue, 'hello']);
  assert.equal(await pusher.exists(queue), 0);

  // Several keys: the first of them that has an item, in the order named.
  const second = key('second');
  await pusher.rpush(second, 'x', 'y');
  assert.deepEqual(await blocker.brpop(key('empty'), second, 60), [second, 'y']);

  // BLMOVE waits the same way.
  const moved = blocker.blmove(key('source'), key('target'), 'LEFT', 'RIGHT', 60);
  await eventually('the BLMOVE client is blocked', () => isBlocked(admin, id));
  assert.equal(await pusher.rpush(key('source'), 'job'), 1);
  assert.equal(await moved, 'job');
  assert.deepEqual(await pusher.lrange(key('target'), 0, -1), ['job']);
});

redisTest('blpop timeout answers nil', async ({ open, key }) => {
  const r = open();
  assert.equal(await r.blpop(key('empty'), 0.1), null);
  assert.equal(await r.blpop(key('empty'), key('also-empty'), 0.2), null);
  assert.equal(await r.ping(), 'PONG'); // the connection goes on
  // Inside MULTI, a blocking command does not wait.
  assert.deepEqual(await r.multi().blpop(key('empty'), 0).exec(), [[null, null]]);
});
