// Streams through ioredis: XADD and the ranges, trimming, and consumer groups read on one
// instance and fed through the other, each entry delivered to one consumer until it is
// acknowledged or claimed.
import assert from 'node:assert/strict';
import { redisTest, eventually, errorOf, portA, portB } from './common.mjs';

redisTest('xadd, ranges and trimming', async ({ open, key }) => {
  const r = open();
  const s = key('stream');
  assert.equal(await r.xadd(s, '1-1', 'name', 'ada', 'lang', 'en'), '1-1');
  assert.equal(await r.xadd(s, '1-*', 'name', 'bob'), '1-2');
  assert.equal(await r.xadd(s, '5', 'name', 'cy'), '5-0');
  assert.match(
    await errorOf(r.xadd(s, '2-0', 'name', 'late')),
    /equal or smaller than the target stream top item/);
  assert.equal(await r.xlen(s), 3);
  assert.deepEqual(await r.xrange(s, '-', '+'), [
    ['1-1', ['name', 'ada', 'lang', 'en']],
    ['1-2', ['name', 'bob']],
    ['5-0', ['name', 'cy']],
  ]);
  assert.deepEqual(await r.xrevrange(s, '+', '(1-2', 'COUNT', 5), [['5-0', ['name', 'cy']]]);
  assert.equal(await r.xdel(s, '1-2', '7-7'), 1);
  assert.equal(await r.xtrim(s, 'MAXLEN', 1), 1);
  assert.deepEqual(await r.xrange(s, '-', '+'), [['5-0', ['name', 'cy']]]);
  const id = await r.xadd(s, 'MAXLEN', '=', 1, '*', 'name', 'dee');
  assert.match(id, /^\d+-\d+$/);
  assert.equal(await r.xlen(s), 1);
  assert.equal(await r.xadd(key('absent'), 'NOMKSTREAM', '*', 'f', 'v'), null);
});

redisTest('xread blocks on one instance until an xadd through the other', async ({ open, key }) => {
  const reader = open(portA);
  const writer = open(portB);
  const s = key('events');
  await writer.xadd(s, '1-0', 'n', 'old');
  const id = await reader.client('ID');
  // "$": only what comes after the read started.
  const read = reader.xread('BLOCK', 60000, 'STREAMS', s, '$');
  const admin = open(portA);
  await eventually('the XREAD client is blocked', async () => {
    const line = (await admin.client('LIST')).split('\n').find((l) => l.startsWith(`id=${id} `));
    return Boolean(line && / flags=\S*b/.test(line));
  });
  await writer.xadd(s, '2-0', 'n', 'new');
  assert.deepEqual(await read, [[s, [['2-0', ['n', 'new']]]]]);
  assert.equal(await reader.xread('BLOCK', 10, 'STREAMS', s, '$'), null);
});

redisTest('consumer groups across instances', async ({ open, key }) => {
  const a = open(portA);
  const b = open(portB);
  const s = key('jobs');
  assert.equal(await a.xgroup('CREATE', s, 'workers', '$', 'MKSTREAM'), 'OK');
  const ids = [];
  for (let i = 0; i < 10; i++) ids.push(await b.xadd(s, '*', 'job', String(i)));
  // Two consumers on two instances share the entries: each goes to one of them.
  const first = await a.xreadgroup('GROUP', 'workers', 'alice', 'COUNT', 4, 'STREAMS', s, '>');
  const second = await b.xreadgroup('GROUP', 'workers', 'bob', 'STREAMS', s, '>');
  const seen = [...first[0][1], ...second[0][1]].map(([id]) => id);
  assert.deepEqual(seen, ids);
  assert.equal(first[0][1].length, 4);
  const [count, lowest, highest, owners] = await b.xpending(s, 'workers');
  assert.deepEqual([count, lowest, highest], [10, ids[0], ids[9]]);
  assert.deepEqual(owners, [['alice', '4'], ['bob', '6']]);
  // Alice acknowledges two; Bob takes the rest of hers.
  assert.equal(await a.xack(s, 'workers', ids[0], ids[1]), 2);
  const claimed = await b.xclaim(s, 'workers', 'bob', 0, ids[2], ids[3], 'JUSTID');
  assert.deepEqual(claimed, [ids[2], ids[3]]);
  assert.deepEqual(
    await b.xpending(s, 'workers', '-', '+', 10, 'alice'), []);
  // Bob's history: what he holds, delivered again.
  const history = await b.xreadgroup('GROUP', 'workers', 'bob', 'STREAMS', s, '0');
  assert.deepEqual(history[0][1].map(([id]) => id), ids.slice(2));
  assert.equal(await b.xack(s, 'workers', ...ids.slice(2)), 8);
  const groups = await a.xinfo('GROUPS', s);
  assert.deepEqual(groups[0].slice(0, 8),
    ['name', 'workers', 'consumers', 2, 'pending', 0, 'last-delivered-id', ids[9]]);
  assert.match(
    await errorOf(a.xreadgroup('GROUP', 'nobody', 'c', 'STREAMS', s, '>')),
    /^NOGROUP/);
});
