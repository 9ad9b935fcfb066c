// Opens the database named by FDB_CLUSTER_FILE through the unmodified npm package, which
// loads libfdb_c.so (Strata's, found through LD_LIBRARY_PATH). Each test file works under
// its own key prefix and clears it first, so files do not see each other's keys.
import * as fdb from 'foundationdb';

fdb.setAPIVersion(720);

export { fdb };

export async function openFresh(prefix) {
  const root = fdb.open();
  await root.clearRangeStartsWith(prefix);
  return { root, db: root.at(prefix) };
}

// The error code of what `action` throws (undefined if it does not throw).
export async function errorCode(action) {
  try {
    await action();
  } catch (error) {
    return error.code;
  }
  return undefined;
}
