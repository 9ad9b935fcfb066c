// Range reads in every streaming mode, forwards and in reverse, with limits.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { fdb, openFresh } from './common.mjs';

const { root, db } = await openFresh('ranges/');
after(() => root.close());

const count = 500;
const keyOf = (i) => `row/${String(i).padStart(4, '0')}`;
await db.doTransaction(async (tn) => {
  for (let i = 0; i < count; i++) tn.set(keyOf(i), Buffer.alloc(100, i % 256));
});

const modes = ['WantAll', 'Iterator', 'Small', 'Medium', 'Large', 'Serial'];

for (const mode of modes) {
  for (const reverse of [false, true]) {
    test(`getRangeAll in mode ${mode}${reverse ? ', reverse' : ''}`, async () => {
      const rows = await db.getRangeAll('row/', 'row0', {
        streamingMode: fdb.StreamingMode[mode], reverse,
      });
      assert.equal(rows.length, count);
      const expected = Array.from({ length: count }, (_, i) => keyOf(reverse ? count - 1 - i : i));
      assert.deepEqual(rows.map(([k]) => k.toString()), expected);
      assert.equal(rows[7][1].length, 100);
    });
  }
}

test('batches follow the streaming mode; Exact needs a limit', async () => {
  const batches = [];
  await db.doTransaction(async (tn) => {
    for await (const batch of tn.getRangeBatch('row/', 'row0', { streamingMode: fdb.StreamingMode.Small })) {
      batches.push(batch.length);
    }
  });
  assert.equal(batches.reduce((a, b) => a + b, 0), count);
  assert.ok(batches.length > 1, 'Small mode returns the range in several batches');
  const exact = await db.getRangeAll('row/', 'row0', { streamingMode: fdb.StreamingMode.Exact, limit: 42 });
  assert.equal(exact.length, 42);
});

test('limits, reverse limits and `more`', async () => {
  const first = await db.getRangeAll('row/', 'row0', { limit: 10 });
  assert.deepEqual(first.map(([k]) => k.toString()), Array.from({ length: 10 }, (_, i) => keyOf(i)));
  const last = await db.getRangeAll('row/', 'row0', { limit: 3, reverse: true });
  assert.deepEqual(last.map(([k]) => k.toString()), [keyOf(499), keyOf(498), keyOf(497)]);
  const raw = await db.doTransaction((tn) => tn.getRangeRaw(
    fdb.keySelector.firstGreaterOrEqual('row/'), fdb.keySelector.firstGreaterOrEqual('row0'),
    5, 0, fdb.StreamingMode.Exact, 1, false));
  assert.equal(raw.results.length, 5);
  assert.equal(raw.more, true);
});

test('ranges by key selectors and prefixes', async () => {
  const ks = fdb.keySelector;
  const rows = await db.getRangeAll(ks.firstGreaterThan(keyOf(10)), ks.firstGreaterOrEqual(keyOf(15)));
  assert.deepEqual(rows.map(([k]) => k.toString()), [11, 12, 13, 14].map(keyOf));
  const prefixed = await db.getRangeAllStartsWith('row/001');
  assert.equal(prefixed.length, 10);
});

test('range reads see the transaction\'s own writes, merged in order', async () => {
  const tn = db.rawCreateTransaction();
  tn.set(`${keyOf(2)}a`, 'new');
  tn.clear(keyOf(3));
  const keys = (await tn.getRangeAll(keyOf(1), keyOf(5))).map(([k]) => k.toString());
  assert.deepEqual(keys, [keyOf(1), keyOf(2), `${keyOf(2)}a`, keyOf(4)]);
});
