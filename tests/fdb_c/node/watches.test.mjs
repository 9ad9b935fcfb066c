// Watches fire on a change, not without one; they can be cancelled.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { openFresh } from './common.mjs';

const { root, db } = await openFresh('watches/');
after(() => root.close());

test('a watch fires when another transaction changes the key', async () => {
  await db.set('w', 'one');
  const watch = await db.getAndWatch('w');
  assert.equal(watch.value.toString(), 'one');
  let fired = false;
  const done = watch.promise.then((changed) => { fired = changed; });
  await db.set('w', 'two');
  await done;
  assert.equal(fired, true);
});

test('writing the same value does not fire it; a later change does', async () => {
  await db.set('same', 'v');
  const watch = await db.getAndWatch('same');
  let fired = false;
  watch.promise.then(() => { fired = true; });
  await db.set('same', 'v');
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(fired, false);
  await db.clear('same');
  assert.equal(await watch.promise, true);
});

test("a transaction's own write of the value the watch saw does not fire it", async () => {
  await db.set('w0', '0');
  const watch = await db.doTn(async (tn) => {
    const w = tn.watch('w0');
    tn.set('w0', '0');
    return w;
  });
  let fired = false;
  watch.promise.then(() => { fired = true; });
  await new Promise((resolve) => setTimeout(resolve, 1000));
  assert.equal(fired, false);
  await db.set('w0', '1');
  assert.equal(await watch.promise, true);
});

test('clearing a key that is already absent is no change; an atomic op that changes one is', async () => {
  const cleared = await db.clearAndWatch('w1');
  let fired = false;
  cleared.promise.then(() => { fired = true; });
  await db.clear('w1');
  await new Promise((resolve) => setTimeout(resolve, 1000));
  assert.equal(fired, false);
  await db.set('w1', 'b');
  assert.equal(await cleared.promise, true);
  await db.set('w3', '3');
  const xored = await db.getAndWatch('w3');
  await db.bitXorBuf('w3', Buffer.from([0xff, 0xff]));
  assert.equal(await xored.promise, true);
});

test('setAndWatch and clearAndWatch', async () => {
  const watch = await db.setAndWatch('sw', 'a');
  await db.set('sw', 'b');
  assert.equal(await watch.promise, true);
  const cleared = await db.clearAndWatch('sw');
  await db.set('sw', 'c');
  assert.equal(await cleared.promise, true);
});

test('a cancelled watch resolves false', async () => {
  const watch = await db.getAndWatch('cancel-me');
  watch.cancel();
  assert.equal(await watch.promise, false);
});
