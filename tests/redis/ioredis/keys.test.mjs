// Commands on keys through ioredis: DEL, EXISTS, TYPE, RENAME, expiry, and SCAN through
// ioredis's scanStream.
import assert from 'node:assert/strict';
import { redisTest, eventually, errorOf } from './common.mjs';

async function collect(stream) {
  const items = [];
  for await (const batch of stream) items.push(...batch);
  return items;
}

redisTest('del exists type', async ({ open, key }) => {
  const r = open();
  await r.set(key('s'), 'v');
  await r.hset(key('h'), 'f', 'v');
  await r.sadd(key('set'), 'm');
  await r.rpush(key('l'), 'i');
  await r.zadd(key('z'), 1, 'm');
  assert.equal(await r.type(key('s')), 'string');
  assert.equal(await r.type(key('h')), 'hash');
  assert.equal(await r.type(key('set')), 'set');
  assert.equal(await r.type(key('l')), 'list');
  assert.equal(await r.type(key('z')), 'zset');
  assert.equal(await r.type(key('missing')), 'none');
  // EXISTS counts a key named twice twice.
  assert.equal(await r.exists(key('s'), key('h'), key('missing'), key('s')), 3);
  assert.equal(await r.del(key('s'), key('h'), key('missing')), 2);
  assert.equal(await r.exists(key('s'), key('h')), 0);
  assert.equal(await r.unlink(key('set'), key('l'), key('z')), 3);
  assert.equal(await r.exists(key('set'), key('l'), key('z')), 0);
  assert.equal(await r.del(key('missing')), 0);
});

redisTest('rename', async ({ open, key }) => {
  const r = open();
  await r.set(key('a'), 'v');
  await r.expire(key('a'), 100);
  assert.equal(await r.rename(key('a'), key('b')), 'OK');
  assert.equal(await r.exists(key('a')), 0);
  assert.equal(await r.get(key('b')), 'v');
  const ttl = await r.ttl(key('b')); // RENAME keeps the expiry
  assert.ok(ttl > 0 && ttl <= 100, `ttl ${ttl}`);
  assert.equal(await errorOf(r.rename(key('missing'), key('c'))), 'ERR no such key');
  await r.rpush(key('list'), 'x', 'y');
  assert.equal(await r.rename(key('list'), key('b')), 'OK'); // replaces the string
  assert.equal(await r.type(key('b')), 'list');
  assert.deepEqual(await r.lrange(key('b'), 0, -1), ['x', 'y']);
  await r.set(key('c'), 'c');
  assert.equal(await r.renamenx(key('b'), key('c')), 0);
  assert.equal(await r.renamenx(key('b'), key('d')), 1);
  assert.deepEqual(await r.lrange(key('d'), 0, -1), ['x', 'y']);
});

redisTest('expire ttl persist', async ({ open, key }) => {
  const r = open();
  const k = key('k');
  await r.set(k, 'v');
  assert.equal(await r.ttl(k), -1);
  assert.equal(await r.ttl(key('missing')), -2);
  assert.equal(await r.pttl(key('missing')), -2);
  assert.equal(await r.expire(k, 100), 1);
  const ttl = await r.ttl(k);
  assert.ok(ttl > 0 && ttl <= 100, `ttl ${ttl}`);
  assert.equal(await r.expire(k, 200, 'NX'), 0); // it has an expiry already
  assert.equal(await r.expire(k, 50, 'GT'), 0); // 50 s is sooner
  assert.equal(await r.expire(k, 1000, 'GT'), 1);
  assert.ok((await r.ttl(k)) > 100);
  assert.equal(await r.persist(k), 1);
  assert.equal(await r.ttl(k), -1);
  assert.equal(await r.persist(k), 0);
  assert.equal(await r.expire(key('missing'), 100), 0);
  assert.equal(await r.pexpire(k, 100000), 1);
  const pttl = await r.pttl(k);
  assert.ok(pttl > 0 && pttl <= 100000, `pttl ${pttl}`);
  const at = Math.floor(Date.now() / 1000) + 3600;
  assert.equal(await r.expireat(k, at), 1);
  assert.equal(await r.expiretime(k), at);

  // An expiry in the past deletes the key; a short one, soon.
  assert.equal(await r.expire(k, -1), 1);
  assert.equal(await r.exists(k), 0);
  const short = key('short');
  await r.rpush(short, 'a');
  assert.equal(await r.pexpire(short, 1), 1);
  await eventually('the list expires', async () => (await r.exists(short)) === 0);
  assert.equal(await r.llen(short), 0);
});

redisTest('scan through scanStream', async ({ open, key, prefix }) => {
  const r = open();
  const names = [];
  const pipeline = r.pipeline();
  for (let i = 0; i < 250; i++) {
    const name = key(`item:${i}`);
    names.push(name);
    if (i % 10 === 0) pipeline.hset(name, 'f', String(i));
    else pipeline.set(name, String(i));
  }
  pipeline.set(`${prefix.slice(0, -1)}-elsewhere`, 'not matched');
  await pipeline.exec();

  const all = await collect(r.scanStream({ match: `${prefix}*`, count: 20 }));
  assert.equal(all.length, 250, 'each key once');
  assert.deepEqual([...all].sort(), [...names].sort());

  const hashes = await collect(r.scanStream({ match: `${prefix}*`, type: 'hash', count: 7 }));
  assert.deepEqual(hashes.sort(), names.filter((_, i) => i % 10 === 0).sort());

  const none = await collect(r.scanStream({ match: `${prefix}nothing:*` }));
  assert.deepEqual(none, []);
});
