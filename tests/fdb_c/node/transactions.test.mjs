// Real conflicts between concurrent transactions, retried by doTransaction.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { fdb, openFresh, errorCode } from './common.mjs';

const { root, db } = await openFresh('transactions/');
after(() => root.close());

test('doTransaction retries a transaction that conflicted', async () => {
  await db.set('balance', '100');
  let attempts = 0;
  let interfered = false;
  await db.doTransaction(async (tn) => {
    attempts++;
    const balance = Number((await tn.get('balance')).toString());
    if (!interfered) {
      // Another client changes what this transaction read, before it commits.
      interfered = true;
      await db.set('balance', String(balance + 50));
    }
    tn.set('balance', String(balance - 30));
  });
  assert.equal(attempts, 2);
  assert.equal((await db.get('balance')).toString(), '120');
});

test('concurrent increments through read-modify-write all land', async () => {
  await db.set('n', '0');
  await Promise.all(Array.from({ length: 10 }, () => db.doTransaction(async (tn) => {
    const n = Number((await tn.get('n')).toString());
    tn.set('n', String(n + 1));
  })));
  assert.equal((await db.get('n')).toString(), '10');
});

test('explicit conflict ranges decide conflicts', async () => {
  const first = db.rawCreateTransaction();
  const second = db.rawCreateTransaction();
  await first.getReadVersion();
  await second.getReadVersion();
  first.addReadConflictKey('guard');
  first.set('x', '1');
  second.addWriteConflictKey('guard');
  second.set('y', '1');
  await second.rawCommit();
  assert.equal(await errorCode(() => first.rawCommit()), 1020);
});

test('retry limits stop the retries with the last error', async () => {
  let attempts = 0;
  const code = await errorCode(() => db.doTransaction(async (tn) => {
    attempts++;
    await tn.get('contended');
    await db.set('contended', String(attempts));
    tn.set('contended', 'mine');
  }, { retry_limit: 2 }));
  assert.equal(code, 1020);
  assert.equal(attempts, 3);
});

test('error predicates follow FoundationDB', () => {
  const native = fdb.ErrorPredicate;
  assert.equal(native.Retryable, 50000);
});

test('a read version of 0 is an error the retry loop does not retry', async () => {
  let attempts = 0;
  const code = await errorCode(() => db.doTransaction(async (tn) => {
    attempts++;
    tn.setReadVersion(Buffer.alloc(8));
    await tn.get('anything');
  }));
  assert.equal(code, 2011);
  assert.equal(attempts, 1);
});
