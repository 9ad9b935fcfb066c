// Versionstamped keys and values, getVersionstamp, and the package's tuple versionstamps.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { fdb, openFresh } from './common.mjs';

const { root, db } = await openFresh('stamps/');
after(() => root.close());

// The raw operations take whole keys: they run on `root`, under the same prefix.
test('a versionstamped key holds the commit\'s versionstamp', async () => {
  const key = Buffer.concat([Buffer.from('stamps/k/'), Buffer.alloc(10), Buffer.from([9, 0, 0, 0])]);
  const stamp = await root.doTransaction(async (tn) => {
    tn.atomicOpNative(fdb.MutationType.SetVersionstampedKey, key, Buffer.from('v'));
    return tn.getVersionstamp();
  });
  const stampBytes = await stamp.promise;
  assert.equal(stampBytes.length, 10);
  const rows = await db.getRangeAllStartsWith('k/');
  assert.equal(rows.length, 1);
  assert.deepEqual(rows[0][0], Buffer.concat([Buffer.from('k/'), stampBytes]));
});

test('versionstamps grow with each commit; values can hold them too', async () => {
  const stamps = [];
  for (let i = 0; i < 3; i++) {
    const { promise } = await root.doTransaction(async (tn) => {
      tn.atomicOpNative(fdb.MutationType.SetVersionstampedValue, Buffer.from(`stamps/v${i}`),
                        Buffer.concat([Buffer.from('x'), Buffer.alloc(10), Buffer.from([1, 0, 0, 0])]));
      return tn.getVersionstamp();
    });
    stamps.push(await promise);
  }
  assert.ok(Buffer.compare(stamps[0], stamps[1]) < 0 && Buffer.compare(stamps[1], stamps[2]) < 0);
  for (let i = 0; i < 3; i++) {
    assert.deepEqual(await db.get(`v${i}`), Buffer.concat([Buffer.from('x'), stamps[i]]));
  }
});

test('the tuple layer\'s unbound versionstamps are baked after the commit', async () => {
  const tupleDb = db.at('t/').withKeyEncoding(fdb.encoders.tuple);
  const key = ['events', fdb.tuple.unboundVersionstamp(7)];
  await tupleDb.setVersionstampedKey(key, Buffer.from('payload'));
  const rows = await tupleDb.getRangeAllStartsWith(['events']);
  assert.equal(rows.length, 1);
  const [[decoded, value]] = rows;
  assert.equal(decoded[0], 'events');
  assert.equal(decoded[1].type, 'versionstamp');
  assert.equal(decoded[1].value.length, 12);
  assert.equal(value.toString(), 'payload');
});

test('a read-only transaction has no versionstamp', async () => {
  const code = await db.doTransaction(async (tn) => {
    await tn.get('nothing');
    return tn.getVersionstamp();
  }).then(({ promise }) => promise.then(() => 0, (error) => error.code));
  assert.equal(code, 2021);
});
