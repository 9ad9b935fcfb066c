// Hashes, sets, lists and sorted sets through ioredis, with its object forms (HSET of an
// object, HGETALL as an object) and hscanStream.
import assert from 'node:assert/strict';
import { redisTest, errorOf } from './common.mjs';

redisTest('hashes', async ({ open, key }) => {
  const r = open();
  const h = key('user');
  assert.equal(await r.hset(h, { name: 'ada', visits: '1', lang: 'en' }), 3);
  assert.equal(await r.hset(h, { lang: 'fr', city: 'paris' }), 1); // one new field
  assert.deepEqual(await r.hgetall(h), { name: 'ada', visits: '1', lang: 'fr', city: 'paris' });
  assert.equal(await r.hget(h, 'name'), 'ada');
  assert.equal(await r.hget(h, 'missing'), null);
  assert.deepEqual(await r.hmget(h, 'lang', 'missing', 'city'), ['fr', null, 'paris']);
  assert.equal(await r.hlen(h), 4);
  assert.equal(await r.hexists(h, 'city'), 1);
  assert.equal(await r.hincrby(h, 'visits', 5), 6);
  assert.equal(await r.hincrby(h, 'visits', -10), -4);
  assert.equal(await r.hincrby(h, 'new', 3), 3);
  assert.equal(await r.hincrbyfloat(h, 'new', '0.5'), '3.5');
  assert.equal(await errorOf(r.hincrby(h, 'name', 1)), 'ERR hash value is not an integer');
  assert.equal(await r.hsetnx(h, 'name', 'grace'), 0);
  assert.equal(await r.hdel(h, 'city', 'missing', 'new'), 2);
  assert.deepEqual((await r.hkeys(h)).sort(), ['lang', 'name', 'visits']);
  assert.equal(await r.hstrlen(h, 'name'), 3);
  assert.deepEqual(await r.hgetall(key('missing')), {});
});

redisTest('hscanStream', async ({ open, key }) => {
  const r = open();
  const h = key('big');
  const fields = {};
  for (let i = 0; i < 300; i++) fields[`field:${i}`] = `value:${i}`;
  assert.equal(await r.hset(h, fields), 300);
  const seen = {};
  for await (const batch of r.hscanStream(h, { count: 40 })) {
    for (let i = 0; i < batch.length; i += 2) {
      assert.equal(seen[batch[i]], undefined, `field ${batch[i]} returned twice`);
      seen[batch[i]] = batch[i + 1];
    }
  }
  assert.deepEqual(seen, fields);

  const matched = {};
  for await (const batch of r.hscanStream(h, { match: 'field:1?', count: 25 })) {
    for (let i = 0; i < batch.length; i += 2) matched[batch[i]] = batch[i + 1];
  }
  const expected = {};
  for (let i = 10; i < 20; i++) expected[`field:${i}`] = `value:${i}`;
  assert.deepEqual(matched, expected);
});

redisTest('sets', async ({ open, key }) => {
  const r = open();
  const s1 = key('s1');
  const s2 = key('s2');
  assert.equal(await r.sadd(s1, 'a', 'b', 'c'), 3);
  assert.equal(await r.sadd(s1, 'a', 'd'), 1);
  assert.deepEqual((await r.smembers(s1)).sort(), ['a', 'b', 'c', 'd']);
  assert.equal(await r.scard(s1), 4);
  assert.equal(await r.sismember(s1, 'b'), 1);
  assert.equal(await r.sismember(s1, 'z'), 0);
  assert.deepEqual(await r.smismember(s1, 'a', 'z'), [1, 0]);
  assert.equal(await r.sadd(s2, ['c', 'd', 'e']), 3);
  assert.deepEqual((await r.sinter(s1, s2)).sort(), ['c', 'd']);
  assert.deepEqual(await r.sinter(s1, key('missing')), []);
  assert.deepEqual((await r.sdiff(s1, s2)).sort(), ['a', 'b']);
  const union = key('union');
  assert.equal(await r.sunionstore(union, s1, s2), 5);
  assert.deepEqual((await r.smembers(union)).sort(), ['a', 'b', 'c', 'd', 'e']);
  assert.equal(await r.srem(union, 'a', 'z'), 1);

  // SRANDMEMBER: a positive count, distinct members (all of them if it exceeds the
  // size); a negative one, that many, repeats allowed; none, one member or nil.
  const two = await r.srandmember(s1, 2);
  assert.equal(two.length, 2);
  assert.equal(new Set(two).size, 2);
  for (const m of two) assert.ok(['a', 'b', 'c', 'd'].includes(m), m);
  assert.deepEqual((await r.srandmember(s1, 10)).sort(), ['a', 'b', 'c', 'd']);
  const repeated = await r.srandmember(s1, -7);
  assert.equal(repeated.length, 7);
  for (const m of repeated) assert.ok(['a', 'b', 'c', 'd'].includes(m), m);
  assert.ok(['a', 'b', 'c', 'd'].includes(await r.srandmember(s1)));
  assert.equal(await r.srandmember(key('missing')), null);
  assert.deepEqual(await r.srandmember(key('missing'), 3), []);
  assert.equal(await r.scard(s1), 4); // nothing removed
});

redisTest('lists push pop lrange', async ({ open, key }) => {
  const r = open();
  const l = key('l');
  assert.equal(await r.rpush(l, 'a', 'b', 'c'), 3);
  assert.equal(await r.lpush(l, 'y', 'z'), 5);
  assert.deepEqual(await r.lrange(l, 0, -1), ['z', 'y', 'a', 'b', 'c']);
  assert.deepEqual(await r.lrange(l, 1, 2), ['y', 'a']);
  assert.deepEqual(await r.lrange(l, -2, 100), ['b', 'c']);
  assert.equal(await r.lindex(l, -1), 'c');
  assert.equal(await r.lpop(l), 'z');
  assert.equal(await r.rpop(l), 'c');
  assert.deepEqual(await r.lpop(l, 2), ['y', 'a']);
  assert.equal(await r.llen(l), 1);
  assert.equal(await r.rpop(l), 'b');
  assert.equal(await r.exists(l), 0); // an emptied list is gone
  assert.equal(await r.lpop(l), null);
  assert.equal(await r.lpushx(l, 'x'), 0);
  assert.deepEqual(await r.lrange(key('missing'), 0, -1), []);
});

redisTest('lmove linsert lpos', async ({ open, key }) => {
  const r = open();
  const src = key('src');
  const dst = key('dst');
  await r.rpush(src, '1', '2', '3');
  assert.equal(await r.lmove(src, dst, 'RIGHT', 'LEFT'), '3');
  assert.equal(await r.lmove(src, dst, 'LEFT', 'RIGHT'), '1');
  assert.deepEqual(await r.lrange(src, 0, -1), ['2']);
  assert.deepEqual(await r.lrange(dst, 0, -1), ['3', '1']);
  assert.equal(await r.lmove(key('missing'), dst, 'LEFT', 'LEFT'), null);
  assert.equal(await r.lmove(dst, dst, 'LEFT', 'RIGHT'), '3'); // rotate
  assert.deepEqual(await r.lrange(dst, 0, -1), ['1', '3']);

  const words = key('words');
  await r.rpush(words, 'Hello', 'World');
  assert.equal(await r.linsert(words, 'BEFORE', 'World', 'There'), 3);
  assert.equal(await r.linsert(words, 'AFTER', 'World', '!'), 4);
  assert.deepEqual(await r.lrange(words, 0, -1), ['Hello', 'There', 'World', '!']);
  assert.equal(await r.linsert(words, 'BEFORE', 'nowhere', 'x'), -1);
  assert.equal(await r.linsert(key('missing'), 'BEFORE', 'a', 'x'), 0);

  const p = key('pos');
  await r.rpush(p, 'a', 'b', 'c', '1', '2', '3', 'c', 'c');
  assert.equal(await r.lpos(p, 'c'), 2);
  assert.equal(await r.lpos(p, 'c', 'RANK', 2), 6);
  assert.equal(await r.lpos(p, 'c', 'RANK', -1), 7);
  assert.deepEqual(await r.lpos(p, 'c', 'COUNT', 2), [2, 6]);
  assert.deepEqual(await r.lpos(p, 'c', 'RANK', -1, 'COUNT', 2), [7, 6]);
  assert.deepEqual(await r.lpos(p, 'c', 'COUNT', 0), [2, 6, 7]);
  assert.deepEqual(await r.lpos(p, 'c', 'COUNT', 0, 'MAXLEN', 3), [2]);
  assert.equal(await r.lpos(p, 'x'), null);
  assert.deepEqual(await r.lpos(p, 'x', 'COUNT', 0), []);
});

redisTest('sorted sets', async ({ open, key }) => {
  const r = open();
  const z = key('z');
  assert.equal(await r.zadd(z, 1, 'one', 2, 'two', 3, 'three'), 3);
  assert.deepEqual(await r.zrange(z, 0, -1), ['one', 'two', 'three']);
  assert.deepEqual(await r.zrange(z, 0, -1, 'WITHSCORES'),
    ['one', '1', 'two', '2', 'three', '3']);
  assert.deepEqual(await r.zrange(z, '(1', '+inf', 'BYSCORE'), ['two', 'three']);
  assert.deepEqual(await r.zrange(z, 2, 3, 'BYSCORE', 'WITHSCORES'), ['two', '2', 'three', '3']);
  assert.deepEqual(await r.zrange(z, 0, 1, 'REV'), ['three', 'two']);
  assert.deepEqual(await r.zrange(z, '+inf', '-inf', 'BYSCORE', 'REV', 'LIMIT', 0, 2),
    ['three', 'two']);
  assert.deepEqual(await r.zrange(z, '-inf', '+inf', 'BYSCORE', 'LIMIT', 1, 1, 'WITHSCORES'),
    ['two', '2']);
  assert.equal(await r.zcard(z), 3);
  assert.equal(await r.zscore(z, 'two'), '2');

  assert.equal(await r.zincrby(z, 2, 'one'), '3');
  assert.equal(await r.zscore(z, 'one'), '3');
  // Equal scores order by member: 'one' < 'three'.
  assert.deepEqual(await r.zrange(z, 0, -1, 'WITHSCORES'),
    ['two', '2', 'one', '3', 'three', '3']);
  assert.equal(await r.zrank(z, 'two'), 0);
  assert.equal(await r.zrank(z, 'three'), 2);
  assert.equal(await r.zrevrank(z, 'three'), 0);
  assert.equal(await r.zrank(z, 'missing'), null);
  assert.equal(await r.zadd(z, 'GT', 'CH', 1, 'three'), 0); // not greater: unchanged
  assert.equal(await r.zadd(z, 'GT', 'CH', 10, 'three'), 1);
  assert.equal(await r.zadd(z, 'INCR', 0.5, 'two'), '2.5');

  assert.deepEqual(await r.zpopmin(z), ['two', '2.5']);
  assert.deepEqual(await r.zpopmin(z, 5), ['one', '3', 'three', '10']);
  assert.equal(await r.exists(z), 0);
  assert.deepEqual(await r.zpopmin(z), []);

  const z1 = key('z1');
  const z2 = key('z2');
  const out = key('out');
  await r.zadd(z1, 1, 'one', 2, 'two');
  await r.zadd(z2, 1, 'one', 2, 'two', 3, 'three');
  assert.equal(await r.zunionstore(out, 2, z1, z2, 'WEIGHTS', 2, 3), 3);
  assert.deepEqual(await r.zrange(out, 0, -1, 'WITHSCORES'),
    ['one', '5', 'three', '9', 'two', '10']);
  assert.equal(await r.zunionstore(out, 2, z1, z2, 'AGGREGATE', 'MAX'), 3);
  assert.deepEqual(await r.zrange(out, 0, -1, 'WITHSCORES'),
    ['one', '1', 'two', '2', 'three', '3']);
  assert.equal(await r.zinterstore(out, 2, z1, z2), 2);
  assert.deepEqual(await r.zrange(out, 0, -1, 'WITHSCORES'), ['one', '2', 'two', '4']);
});
