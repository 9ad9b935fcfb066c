// The package's tuple encoding and directory layer, on Strata.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { fdb, openFresh } from './common.mjs';

const { root } = await openFresh('\xfe');  // the directory layer's node subspace
after(() => root.close());
const directory = fdb.directory;

test('tuples round-trip through the database in order', async () => {
  const db = root.at('tuples/').withKeyEncoding(fdb.encoders.tuple).withValueEncoding(fdb.encoders.json);
  await db.clearRangeStartsWith([]);
  await db.doTransaction(async (tn) => {
    tn.set(['user', 2, 'name'], { name: 'b' });
    tn.set(['user', 10, 'name'], { name: 'c' });
    tn.set(['user', -1, 'name'], { name: 'a' });
    tn.set(['user', 'x', true], { name: 'd' });
  });
  const rows = await db.getRangeAllStartsWith(['user']);
  // Tuple order: strings (type code 0x02) before integers (0x0c-0x1c), integers by value.
  assert.deepEqual(rows.map(([k]) => k[1]), ['x', -1, 2, 10]);
  assert.deepEqual(rows.map(([, v]) => v.name), ['d', 'a', 'b', 'c']);
  await db.clearRangeStartsWith([]);
});

test('create, open, list, move and remove directories', async () => {
  const app = await directory.createOrOpen(root, ['app']);
  const users = await directory.create(root, ['app', 'users']);
  await directory.create(root, ['app', 'orders'], 'table');
  const usersDb = root.at(users);
  await usersDb.set('alice', '1');
  const opened = await directory.open(root, ['app', 'users']);
  assert.deepEqual(opened.getSubspace().prefix, users.getSubspace().prefix);
  assert.equal((await root.at(opened).get('alice')).toString(), '1');
  const names = (await directory.listAll(root, ['app'])).map((n) => n.toString()).sort();
  assert.deepEqual(names, ['orders', 'users']);
  const orders = await directory.open(root, ['app', 'orders']);
  assert.equal(orders.getLayer(), 'table');

  const moved = await directory.move(root, ['app', 'users'], ['app', 'people']);
  assert.deepEqual(moved.getPath(), ['app', 'people']);
  assert.equal((await root.at(moved).get('alice')).toString(), '1');
  assert.equal(await directory.exists(root, ['app', 'users']), false);

  assert.equal(await directory.remove(root, ['app', 'people']), true);
  assert.equal(await directory.exists(root, ['app', 'people']), false);
  assert.equal(await root.at(moved).get('alice'), undefined);  // its contents went with it
  await assert.rejects(directory.open(root, ['app', 'people']));
  assert.equal(await directory.removeIfExists(root, ['app']), true);
  assert.equal(app.getPath()[0], 'app');
});

test('directories get distinct prefixes from the high-contention allocator', async () => {
  const created = await Promise.all(Array.from({ length: 10 }, (_, i) =>
    directory.create(root, ['many', String(i)])));
  const prefixes = new Set(created.map((d) => d.getSubspace().prefix.toString('hex')));
  assert.equal(prefixes.size, 10);
  await directory.remove(root, ['many']);
});
