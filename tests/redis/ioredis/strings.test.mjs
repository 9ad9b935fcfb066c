// Strings through ioredis: SET's options, counters, MSET/MGET, APPEND, ranges and bits.
// Expected replies are Redis 7.0's documented ones.
import assert from 'node:assert/strict';
import { redisTest, eventually, errorOf } from './common.mjs';

redisTest('set and get with EX PX NX XX', async ({ open, key }) => {
  const r = open();
  const k = key('k');
  assert.equal(await r.get(k), null);
  assert.equal(await r.set(k, 'v1'), 'OK');
  assert.equal(await r.get(k), 'v1');
  assert.equal(await r.set(k, 'v2', 'NX'), null);
  assert.equal(await r.get(k), 'v1');
  assert.equal(await r.set(key('absent'), 'x', 'XX'), null);
  assert.equal(await r.exists(key('absent')), 0);
  assert.equal(await r.set(k, 'v3', 'XX'), 'OK');
  assert.equal(await r.get(k), 'v3');
  assert.equal(await r.ttl(k), -1);

  assert.equal(await r.set(k, 'v4', 'EX', 100), 'OK');
  const ttl = await r.ttl(k);
  assert.ok(ttl > 0 && ttl <= 100, `ttl ${ttl}`);
  assert.equal(await r.set(k, 'v5', 'PX', 50000), 'OK');
  const pttl = await r.pttl(k);
  assert.ok(pttl > 0 && pttl <= 50000, `pttl ${pttl}`);
  assert.equal(await r.set(k, 'v6', 'KEEPTTL'), 'OK');
  assert.ok((await r.pttl(k)) > 0);
  assert.equal(await r.set(k, 'v7'), 'OK'); // a plain SET drops the expiry
  assert.equal(await r.ttl(k), -1);
  assert.equal(await r.set(k, 'v8', 'EX', 100, 'NX'), null);
  assert.equal(await r.set(k, 'v9', 'GET'), 'v7');
  assert.equal(await r.get(k), 'v9');
  assert.equal(await errorOf(r.set(k, 'x', 'EX', 0)), "ERR invalid expire time in 'set' command");

  // A key set to expire in a millisecond is gone for every command soon after.
  const short = key('short');
  assert.equal(await r.set(short, 'brief', 'PX', 1), 'OK');
  await eventually('the key expires', async () => (await r.get(short)) === null);
  assert.equal(await r.exists(short), 0);
  assert.equal(await r.ttl(short), -2);

  assert.equal(await r.setnx(k, 'other'), 0);
  assert.equal(await r.setex(key('setex'), 100, 'x'), 'OK');
  assert.equal(await r.getdel(key('setex')), 'x');
  assert.equal(await r.get(key('setex')), null);
});

redisTest('incr and incrbyfloat', async ({ open, key }) => {
  const r = open();
  const n = key('n');
  assert.equal(await r.incr(n), 1);
  assert.equal(await r.incrby(n, 10), 11);
  assert.equal(await r.decr(n), 10);
  assert.equal(await r.decrby(n, 13), -3);
  assert.equal(await r.get(n), '-3');

  const f = key('f');
  assert.equal(await r.set(f, '10.50'), 'OK');
  assert.equal(await r.incrbyfloat(f, 0.1), '10.6');
  assert.equal(await r.incrbyfloat(f, -5), '5.6');
  assert.equal(await r.set(f, '5.0e3'), 'OK');
  assert.equal(await r.incrbyfloat(f, '2.0e2'), '5200');
  assert.equal(await r.incrbyfloat(key('new-float'), 1.5), '1.5');

  const word = key('word');
  await r.set(word, 'abc');
  assert.equal(await errorOf(r.incr(word)), 'ERR value is not an integer or out of range');
  assert.equal(await errorOf(r.incrbyfloat(word, 1)), 'ERR value is not a valid float');
  const max = key('max');
  await r.set(max, '9223372036854775807');
  assert.equal(await errorOf(r.incr(max)), 'ERR increment or decrement would overflow');
  assert.equal(await r.get(max), '9223372036854775807');
});

redisTest('mset and mget', async ({ open, key }) => {
  const r = open();
  assert.equal(await r.mset({ [key('a')]: '1', [key('b')]: '2' }), 'OK');
  assert.equal(await r.mset(key('c'), '3', key('d'), '4'), 'OK');
  assert.deepEqual(await r.mget(key('a'), key('b'), key('missing'), key('c'), key('d')),
    ['1', '2', null, '3', '4']);
  assert.deepEqual(await r.mget([key('d'), key('a')]), ['4', '1']);
  assert.equal(await r.msetnx(key('e'), '5', key('a'), 'changed'), 0);
  assert.deepEqual(await r.mget(key('e'), key('a')), [null, '1']);
  assert.equal(await r.msetnx(key('e'), '5', key('f'), '6'), 1);
  assert.deepEqual(await r.mget(key('e'), key('f')), ['5', '6']);
});

redisTest('append and strlen', async ({ open, key }) => {
  const r = open();
  const k = key('k');
  assert.equal(await r.append(k, 'Hello'), 5);
  assert.equal(await r.append(k, ' World'), 11);
  assert.equal(await r.get(k), 'Hello World');
  assert.equal(await r.strlen(k), 11);
  assert.equal(await r.strlen(key('missing')), 0);
});

redisTest('getrange and setrange', async ({ open, key }) => {
  const r = open();
  const k = key('k');
  await r.set(k, 'This is a string');
  assert.equal(await r.getrange(k, 0, 3), 'This');
  assert.equal(await r.getrange(k, -3, -1), 'ing');
  assert.equal(await r.getrange(k, 0, -1), 'This is a string');
  assert.equal(await r.getrange(k, 10, 100), 'string');
  assert.equal(await r.getrange(k, 5, 2), '');
  assert.equal(await r.getrange(key('missing'), 0, -1), '');

  const h = key('hello');
  await r.set(h, 'Hello World');
  assert.equal(await r.setrange(h, 6, 'Redis'), 11);
  assert.equal(await r.get(h), 'Hello Redis');
  // SETRANGE past the end pads with zero bytes.
  const padded = key('padded');
  assert.equal(await r.setrange(padded, 6, 'Redis'), 11);
  assert.deepEqual(await r.getBuffer(padded),
    Buffer.concat([Buffer.alloc(6), Buffer.from('Redis')]));
});

redisTest('setbit getbit bitcount', async ({ open, key }) => {
  const r = open();
  const k = key('bits');
  assert.equal(await r.setbit(k, 7, 1), 0);
  assert.equal(await r.getbit(k, 7), 1);
  assert.deepEqual(await r.getBuffer(k), Buffer.from([0x01]));
  assert.equal(await r.setbit(k, 0, 1), 0);
  assert.deepEqual(await r.getBuffer(k), Buffer.from([0x81]));
  assert.equal(await r.setbit(k, 7, 0), 1);
  assert.equal(await r.getbit(k, 7), 0);
  assert.equal(await r.getbit(k, 100), 0);
  assert.equal(await r.setbit(k, 17, 1), 0); // grows to three bytes
  assert.deepEqual(await r.getBuffer(k), Buffer.from([0x80, 0x00, 0x40]));
  assert.equal(await r.bitcount(k), 2);

  const f = key('foobar');
  await r.set(f, 'foobar');
  assert.equal(await r.bitcount(f), 26);
  assert.equal(await r.bitcount(f, 0, 0), 4);
  assert.equal(await r.bitcount(f, 1, 1), 6);
  assert.equal(await r.bitcount(f, 1, 1, 'BYTE'), 6);
  assert.equal(await r.bitcount(f, 5, 30, 'BIT'), 17);
  assert.equal(await r.bitcount(key('missing')), 0);
  assert.equal(await errorOf(r.setbit(f, 0, 2)), 'ERR bit is not an integer or out of range');
});
