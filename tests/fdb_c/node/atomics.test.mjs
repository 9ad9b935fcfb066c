// Every atomic operation, with FoundationDB's rules for missing and shorter values.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { fdb, openFresh } from './common.mjs';

const { root, db } = await openFresh('atomics/');
after(() => root.close());

const le = (n, bytes = 8) => {
  const buffer = Buffer.alloc(bytes);
  buffer.writeBigInt64LE(BigInt(n), 0);
  return buffer;
};
const M = fdb.MutationType;

async function apply(key, initial, op, operand) {
  await db.doTransaction(async (tn) => {
    if (initial === undefined) tn.clear(key); else tn.set(key, initial);
  });
  await db.atomicOp(op, key, operand);
  return db.get(key);
}

test('add: little-endian, missing is zero, wraps', async () => {
  assert.deepEqual(await apply('add', le(5), M.Add, le(7)), le(12));
  assert.deepEqual(await apply('add', undefined, M.Add, le(7)), le(7));
  assert.deepEqual(await apply('add', le(-1), M.Add, le(1)), le(0));
  // A shorter existing value is zero-extended; a longer one is cut to the operand.
  assert.deepEqual(await apply('add', Buffer.from([1]), M.Add, le(1)), le(2));
  assert.deepEqual(await apply('add', le(0x1ff), M.Add, Buffer.from([1])), Buffer.from([0]));
  // Concurrent adds all count: no read conflict.
  await db.set('counter', le(0));
  await Promise.all(Array.from({ length: 20 }, () => db.add('counter', le(1))));
  assert.deepEqual(await db.get('counter'), le(20));
});

test('bit_and, bit_or, bit_xor', async () => {
  const bytes = (...b) => Buffer.from(b);
  assert.deepEqual(await apply('b', bytes(0b1100), M.BitAnd, bytes(0b1010)), bytes(0b1000));
  assert.deepEqual(await apply('b', undefined, M.BitAnd, bytes(0b1010)), bytes(0b1010));
  assert.deepEqual(await apply('b', bytes(0b1100), M.BitOr, bytes(0b1010)), bytes(0b1110));
  assert.deepEqual(await apply('b', undefined, M.BitOr, bytes(3)), bytes(3));
  assert.deepEqual(await apply('b', bytes(0b1100), M.BitXor, bytes(0b1010)), bytes(0b0110));
});

test('max and min compare little-endian integers; byte_max and byte_min compare bytes', async () => {
  assert.deepEqual(await apply('m', le(5), M.Max, le(9)), le(9));
  assert.deepEqual(await apply('m', le(5), M.Max, le(2)), le(5));
  assert.deepEqual(await apply('m', undefined, M.Max, le(2)), le(2));
  assert.deepEqual(await apply('m', le(5), M.Min, le(2)), le(2));
  assert.deepEqual(await apply('m', undefined, M.Min, le(2)), le(2));
  assert.equal((await apply('m', Buffer.from('b'), M.ByteMax, Buffer.from('ab'))).toString(), 'b');
  assert.equal((await apply('m', Buffer.from('b'), M.ByteMin, Buffer.from('ab'))).toString(), 'ab');
  assert.equal((await apply('m', undefined, M.ByteMin, Buffer.from('z'))).toString(), 'z');
});

test('append_if_fits and compare_and_clear', async () => {
  assert.equal((await apply('s', Buffer.from('ab'), M.AppendIfFits, Buffer.from('cd'))).toString(), 'abcd');
  const big = Buffer.alloc(99999, 1);
  assert.equal((await apply('s', big, M.AppendIfFits, Buffer.from('toolong'))).length, 99999);
  assert.equal(await apply('s', Buffer.from('same'), M.CompareAndClear, Buffer.from('same')), undefined);
  assert.equal((await apply('s', Buffer.from('keep'), M.CompareAndClear, Buffer.from('other'))).toString(), 'keep');
});

test('an unknown mutation type is refused', async () => {
  await assert.rejects(db.atomicOpNative(99, Buffer.from('x'), Buffer.from('y')),
                       (error) => error.code === 2018);
});
