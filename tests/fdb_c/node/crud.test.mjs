// Reads, writes, clears, key selectors, snapshot reads and options through the package.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { fdb, openFresh, errorCode } from './common.mjs';

const { root, db } = await openFresh('crud/');
after(() => root.close());

test('set, get, clear and clearRange, with binary keys and values', async () => {
  await db.set('a', 'alpha');
  await db.set(Buffer.from([0, 1, 255]), Buffer.from([9, 0, 9]));
  assert.equal((await db.get('a')).toString(), 'alpha');
  assert.deepEqual(await db.get(Buffer.from([0, 1, 255])), Buffer.from([9, 0, 9]));
  assert.equal(await db.get('missing'), undefined);
  await db.clear('a');
  assert.equal(await db.get('a'), undefined);
  await db.doTransaction(async (tn) => {
    for (let i = 0; i < 10; i++) tn.set(`r${i}`, `${i}`);
  });
  await db.clearRange('r3', 'r7');
  const keys = (await db.getRangeAll('r', 's')).map(([k]) => k.toString());
  assert.deepEqual(keys, ['r0', 'r1', 'r2', 'r7', 'r8', 'r9']);
});

test('a transaction reads its own writes; another does not before the commit', async () => {
  const tn = db.rawCreateTransaction();
  tn.set('own', 'mine');
  assert.equal((await tn.get('own')).toString(), 'mine');
  assert.equal(await db.get('own'), undefined);
  await tn.rawCommit();
  assert.equal((await db.get('own')).toString(), 'mine');
  assert.ok(tn.getCommittedVersion().length === 8);
});

test('key selectors', async () => {
  await db.doTransaction(async (tn) => {
    tn.clearRangeStartsWith('k');
    for (const k of ['k1', 'k3', 'k5']) tn.set(k, k);
  });
  const ks = fdb.keySelector;
  const key = async (selector) => (await db.getKey(selector))?.toString();
  assert.equal(await key(ks.firstGreaterOrEqual('k2')), 'k3');
  assert.equal(await key(ks.firstGreaterThan('k3')), 'k5');
  assert.equal(await key(ks.lastLessThan('k3')), 'k1');
  assert.equal(await key(ks.lastLessOrEqual('k3')), 'k3');
  assert.equal(await key(ks.add(ks.firstGreaterOrEqual('k1'), 2)), 'k5');
});

test('snapshot reads add no read conflict', async () => {
  await db.set('snap', '0');
  const reader = db.rawCreateTransaction();
  await reader.snapshot().get('snap');
  reader.set('other', 'x');
  await db.set('snap', '1');
  await reader.rawCommit(); // no conflict: the read was a snapshot read
  const conflicted = db.rawCreateTransaction();
  await conflicted.get('snap');
  conflicted.set('other', 'y');
  await db.set('snap', '2');
  assert.equal(await errorCode(() => conflicted.rawCommit()), 1020);
});

test('limits and option errors come back with FoundationDB codes', async () => {
  assert.equal(await errorCode(() => db.set('x'.repeat(10001), 'v')), 2102);
  assert.equal(await errorCode(() => db.set('v', Buffer.alloc(100001))), 2103);
  assert.equal(await errorCode(() => root.get(Buffer.from([0xff, 0x01]))), 2004);
  const tn = db.rawCreateTransaction();
  assert.throws(() => tn.setOption(4242), (error) => error.code === 2007);
  assert.throws(() => tn.setOption(fdb.TransactionOptionCode.Timeout, -5),
                (error) => error.code === 2006);
});

test('read versions, set read version, system keys and the status document', async () => {
  const tn = db.rawCreateTransaction();
  const version = await tn.getReadVersion();
  assert.ok(version.length === 8);
  const other = db.rawCreateTransaction();
  other.setReadVersion(version);
  assert.deepEqual(await other.getReadVersion(), version);
  const status = await root.doTransaction(async (t) => {
    t.setOption(fdb.TransactionOptionCode.ReadSystemKeys);
    return t.get(Buffer.from('\xff\xff/status/json', 'latin1'));
  });
  const document = JSON.parse(status.toString());
  assert.ok(document.cluster);
});

test('timeouts fail with transaction_timed_out and are not retried', async () => {
  const code = await errorCode(() => db.doTransaction(async (tn) => {
    tn.setOption(fdb.TransactionOptionCode.Timeout, 1);
    // A watch on a key nobody changes waits until the timeout cancels it.
    tn.watch('never-changes').promise.catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 50));
    await tn.get('anything');
  }));
  assert.equal(code, 1031);
});

test('size estimates, split points and addresses', async () => {
  await db.doTransaction(async (tn) => {
    for (let i = 0; i < 100; i++) tn.set(`size/${String(i).padStart(3, '0')}`, Buffer.alloc(1000, 1));
  });
  const size = await db.getEstimatedRangeSizeBytes('size/', 'size0');
  assert.ok(size >= 100 * 1000, `estimated ${size}`);
  const points = await db.getRangeSplitPoints('size/', 'size0', 10000);
  assert.ok(points.length >= 5, `${points.length} split points`);
  const addresses = await db.doTransaction((tn) => tn.getAddressesForKey('size/001'));
  assert.ok(addresses.length >= 1 && /:\d+$/.test(addresses[0].toString()));
  const approximate = await db.doTransaction(async (tn) => {
    tn.set('a', Buffer.alloc(500));
    return tn.getApproximateSize();
  });
  assert.ok(approximate >= 500);
});
