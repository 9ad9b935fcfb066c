// Connections to the two strata-redis instances the runner started (run_ioredis.sh), which
// share one Strata cluster, and a wrapper for node:test's `test` that gives each test its
// own key prefix and closes the connections it opened however it ends. No test flushes or
// counts a whole database, so tests never depend on each other's keys.
import { test } from 'node:test';
import Redis from 'ioredis';

export { Redis };

export const portA = Number(process.env.STRATA_REDIS_PORT_A);
export const portB = Number(process.env.STRATA_REDIS_PORT_B);
if (!portA || !portB) {
  throw new Error('STRATA_REDIS_PORT_A and STRATA_REDIS_PORT_B name the strata-redis ports');
}

export function connect(port = portA, options = {}) {
  return new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 3, ...options });
}

// redisTest(name, [options], async ({ open, key }) => ...): `open(port, options)` opens a
// client closed after the test; `key(name)` is `name` under the test's own prefix.
export function redisTest(name, options, body) {
  if (typeof options === 'function') {
    body = options;
    options = {};
  }
  const prefix = `ioredis:${name.replace(/[^A-Za-z0-9]+/g, '-')}:`;
  test(name, options, async () => {
    const opened = [];
    const open = (port = portA, clientOptions = {}) => {
      const client = connect(port, clientOptions);
      opened.push(client);
      return client;
    };
    try {
      await body({ open, key: (suffix) => prefix + suffix, prefix });
    } finally {
      for (const client of opened) client.disconnect();
    }
  });
}

// Polls `condition` until it holds: for what happens some time after a command (an expiry,
// a client blocking), with a generous bound against hangs only.
export async function eventually(what, condition, boundMs = 30000) {
  const deadline = Date.now() + boundMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// The message of the error `promise` rejects with (fails if it does not reject).
export async function errorOf(promise) {
  try {
    await promise;
  } catch (error) {
    return error.message;
  }
  throw new Error('expected an error reply');
}
