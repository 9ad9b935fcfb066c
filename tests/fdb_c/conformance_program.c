/* A C program written against fdb_c.h the way FoundationDB applications are, run against
 * a real Strata server: `conformance_program CLUSTER_FILE`. It exits 0 when every check
 * passed and prints each failure (with the line) otherwise. */

#define _POSIX_C_SOURCE 200809L
#define FDB_API_VERSION 730
#include <foundationdb/fdb_c.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int failures = 0;

#define CHECK(condition)                                                            \
  do {                                                                              \
    if (!(condition)) {                                                             \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #condition); \
      ++failures;                                                                   \
    }                                                                               \
  } while (0)

#define CHECK_ERROR(expression, expected)                                              \
  do {                                                                                 \
    fdb_error_t actual_ = (expression);                                                \
    if (actual_ != (expected)) {                                                       \
      fprintf(stderr, "%s:%d: %s returned %d (%s), expected %d\n", __FILE__, __LINE__, \
              #expression, actual_, fdb_get_error(actual_), (expected));               \
      ++failures;                                                                      \
    }                                                                                  \
  } while (0)

#define KEY(text) (const uint8_t*)(text), (int)strlen(text)
/* fdb_c.h's selector macros take a key and its length. */
#define FIRST_GREATER_OR_EQUAL(text) \
  FDB_KEYSEL_FIRST_GREATER_OR_EQUAL((const uint8_t*)(text), (int)strlen(text))
#define FIRST_GREATER_THAN(text) \
  FDB_KEYSEL_FIRST_GREATER_THAN((const uint8_t*)(text), (int)strlen(text))
#define LAST_LESS_THAN(text) FDB_KEYSEL_LAST_LESS_THAN((const uint8_t*)(text), (int)strlen(text))

static void* run_network(void* unused) {
  (void)unused;
  fdb_error_t error = fdb_run_network();
  if (error) fprintf(stderr, "fdb_run_network: %s\n", fdb_get_error(error));
  return NULL;
}

/* Waits for the future and returns its error. */
static fdb_error_t wait_for(FDBFuture* future) {
  fdb_error_t error = fdb_future_block_until_ready(future);
  return error ? error : fdb_future_get_error(future);
}

/* Commits, retrying through fdb_transaction_on_error, like the bindings' run loops. */
static fdb_error_t commit_with_retries(FDBTransaction* tr) {
  for (;;) {
    FDBFuture* commit = fdb_transaction_commit(tr);
    fdb_error_t error = wait_for(commit);
    fdb_future_destroy(commit);
    if (error == 0) return 0;
    FDBFuture* retry = fdb_transaction_on_error(tr, error);
    fdb_error_t retry_error = wait_for(retry);
    fdb_future_destroy(retry);
    if (retry_error) return retry_error;
  }
}

static void set_int_option(FDBTransaction* tr, FDBTransactionOption option, int64_t value,
                           fdb_error_t expected) {
  uint8_t bytes[8];
  for (int i = 0; i < 8; ++i)
    bytes[i] = (uint8_t)((uint64_t)value >> (8 * i));
  CHECK_ERROR(fdb_transaction_set_option(tr, option, bytes, 8), expected);
}

static void check_value(FDBTransaction* tr, const char* key, const char* expected) {
  FDBFuture* get = fdb_transaction_get(tr, KEY(key), 0);
  CHECK_ERROR(wait_for(get), 0);
  fdb_bool_t present = 0;
  const uint8_t* value = NULL;
  int length = 0;
  CHECK_ERROR(fdb_future_get_value(get, &present, &value, &length), 0);
  if (expected == NULL) {
    CHECK(!present);
  } else {
    CHECK(present);
    CHECK(present && length == (int)strlen(expected) && memcmp(value, expected, length) == 0);
  }
  fdb_future_destroy(get);
}

static atomic_int callbacks_fired;
static void count_callback(FDBFuture* future, void* parameter) {
  (void)future;
  atomic_fetch_add((atomic_int*)parameter, 1);
}

static void test_handshake_and_errors(void) {
  CHECK(fdb_get_max_api_version() == 730);
  CHECK_ERROR(fdb_setup_network(), 2200); /* api_version_unset */
  CHECK_ERROR(fdb_select_api_version_impl(731, 731), 2203);
  CHECK_ERROR(fdb_select_api_version_impl(12, 730), 2203);
  CHECK_ERROR(fdb_select_api_version_impl(720, 710), 2202);
  CHECK_ERROR(fdb_select_api_version(FDB_API_VERSION), 0);
  CHECK_ERROR(fdb_select_api_version(FDB_API_VERSION), 2201);
  CHECK(strstr(fdb_get_error(1020), "conflict") != NULL);
  CHECK(strcmp(fdb_get_error(99999), "Unknown error") == 0);
  CHECK(fdb_error_predicate(FDB_ERROR_PREDICATE_RETRYABLE, 1020));
  CHECK(fdb_error_predicate(FDB_ERROR_PREDICATE_MAYBE_COMMITTED, 1021));
  CHECK(!fdb_error_predicate(FDB_ERROR_PREDICATE_RETRYABLE_NOT_COMMITTED, 1021));
  CHECK(!fdb_error_predicate(FDB_ERROR_PREDICATE_RETRYABLE, 2004));
  CHECK_ERROR(fdb_network_set_option((FDBNetworkOption)12345, NULL, 0), 2007);
  CHECK_ERROR(fdb_network_set_option(FDB_NET_OPTION_TLS_CERT_PATH, KEY("/tmp/cert")), 2007);
  CHECK_ERROR(fdb_network_set_option(FDB_NET_OPTION_DISABLE_MULTI_VERSION_CLIENT_API, NULL, 0), 0);
  CHECK_ERROR(fdb_network_set_option(FDB_NET_OPTION_KNOB, KEY("no_such_knob=1")), 2006);
}

static void test_reads_and_writes(FDBDatabase* db) {
  FDBTransaction* tr;
  CHECK_ERROR(fdb_database_create_transaction(db, &tr), 0);
  fdb_transaction_clear_range(tr, KEY("c/"), KEY("c0"));
  fdb_transaction_set(tr, KEY("c/a"), KEY("1"));
  fdb_transaction_set(tr, KEY("c/b"), (const uint8_t*)"x\0y", 3);
  fdb_transaction_set(tr, KEY("c/c"), KEY("3"));
  check_value(tr, "c/a", "1"); /* read-your-writes */
  CHECK_ERROR(commit_with_retries(tr), 0);
  int64_t version = 0;
  CHECK_ERROR(fdb_transaction_get_committed_version(tr, &version), 0);
  CHECK(version > 0);
  fdb_transaction_reset(tr);

  /* Range reads: every streaming mode, forwards and backwards, the packed layout. */
  for (int mode = FDB_STREAMING_MODE_WANT_ALL; mode <= FDB_STREAMING_MODE_SERIAL; ++mode) {
    for (int reverse = 0; reverse < 2; ++reverse) {
      FDBFuture* range = fdb_transaction_get_range(
          tr, FIRST_GREATER_OR_EQUAL(("c/")), FIRST_GREATER_OR_EQUAL(("c0")), mode == 0 ? 10 : 0, 0,
          (FDBStreamingMode)mode, 1, 0, reverse);
      CHECK_ERROR(wait_for(range), 0);
      const FDBKeyValue* rows = NULL;
      int count = 0;
      fdb_bool_t more = 1;
      CHECK_ERROR(fdb_future_get_keyvalue_array(range, &rows, &count, &more), 0);
      CHECK(count == 3);
      CHECK(!more);
      if (count == 3) {
        const FDBKeyValue* first = &rows[reverse ? 2 : 0];
        const FDBKeyValue* middle = &rows[1];
        CHECK(first->key_length == 3 && memcmp(first->key, "c/a", 3) == 0);
        CHECK(middle->value_length == 3 && memcmp(middle->value, "x\0y", 3) == 0);
      }
      fdb_future_destroy(range);
    }
  }
  CHECK(sizeof(FDBKeyValue) == 24 && sizeof(FDBKey) == 12);

  /* A limit leaves `more` set. */
  FDBFuture* limited =
      fdb_transaction_get_range(tr, FIRST_GREATER_OR_EQUAL(("c/")), FIRST_GREATER_OR_EQUAL(("c0")),
                                2, 0, FDB_STREAMING_MODE_EXACT, 1, 0, 0);
  const FDBKeyValue* rows;
  int count;
  fdb_bool_t more;
  CHECK_ERROR(wait_for(limited), 0);
  CHECK_ERROR(fdb_future_get_keyvalue_array(limited, &rows, &count, &more), 0);
  CHECK(count == 2 && more);
  /* After release_memory the results are gone. */
  fdb_future_release_memory(limited);
  CHECK_ERROR(fdb_future_get_keyvalue_array(limited, &rows, &count, &more), 1102);
  fdb_future_destroy(limited);

  /* exact mode without a limit, and a mismatched getter. */
  FDBFuture* exact =
      fdb_transaction_get_range(tr, FIRST_GREATER_OR_EQUAL(("c/")), FIRST_GREATER_OR_EQUAL(("c0")),
                                0, 0, FDB_STREAMING_MODE_EXACT, 1, 0, 0);
  CHECK_ERROR(wait_for(exact), 2210);
  fdb_future_destroy(exact);

  /* Key selectors. */
  FDBFuture* key = fdb_transaction_get_key(tr, FIRST_GREATER_THAN(("c/a")), 0);
  const uint8_t* key_bytes;
  int key_length;
  CHECK_ERROR(wait_for(key), 0);
  CHECK_ERROR(fdb_future_get_key(key, &key_bytes, &key_length), 0);
  CHECK(key_length == 3 && memcmp(key_bytes, "c/b", 3) == 0);
  int64_t number;
  CHECK_ERROR(fdb_future_get_int64(key, &number), 2000);
  fdb_future_destroy(key);
  key = fdb_transaction_get_key(tr, LAST_LESS_THAN(("c/c")), 0);
  CHECK_ERROR(wait_for(key), 0);
  CHECK_ERROR(fdb_future_get_key(key, &key_bytes, &key_length), 0);
  CHECK(key_length == 3 && memcmp(key_bytes, "c/b", 3) == 0);
  fdb_future_destroy(key);

  /* Errors of calls that return nothing come back from the next operation. */
  char big_key[10001];
  memset(big_key, 'k', sizeof big_key);
  fdb_transaction_set(tr, (const uint8_t*)big_key, (int)sizeof big_key, KEY("v"));
  FDBFuture* after = fdb_transaction_get(tr, KEY("c/a"), 0);
  CHECK_ERROR(wait_for(after), 2102);
  fdb_future_destroy(after);
  FDBFuture* commit = fdb_transaction_commit(tr);
  CHECK_ERROR(wait_for(commit), 2102);
  fdb_future_destroy(commit);
  fdb_transaction_reset(tr);
  check_value(tr, "c/a", "1");

  /* Clears. */
  fdb_transaction_clear(tr, KEY("c/a"));
  fdb_transaction_clear_range(tr, KEY("c/b"), KEY("c/c"));
  CHECK_ERROR(commit_with_retries(tr), 0);
  fdb_transaction_reset(tr);
  check_value(tr, "c/a", NULL);
  check_value(tr, "c/b", NULL);
  check_value(tr, "c/c", "3");
  fdb_transaction_destroy(tr);
}

static void test_atomics_and_versionstamps(FDBDatabase* db) {
  FDBTransaction* tr;
  CHECK_ERROR(fdb_database_create_transaction(db, &tr), 0);
  fdb_transaction_clear(tr, KEY("counter"));
  CHECK_ERROR(commit_with_retries(tr), 0);
  for (int i = 0; i < 3; ++i) {
    fdb_transaction_reset(tr);
    uint8_t one[8] = {1, 0, 0, 0, 0, 0, 0, 0};
    fdb_transaction_atomic_op(tr, KEY("counter"), one, 8, FDB_MUTATION_TYPE_ADD);
    CHECK_ERROR(commit_with_retries(tr), 0);
  }
  fdb_transaction_reset(tr);
  FDBFuture* get = fdb_transaction_get(tr, KEY("counter"), 0);
  fdb_bool_t present;
  const uint8_t* value;
  int length;
  CHECK_ERROR(wait_for(get), 0);
  CHECK_ERROR(fdb_future_get_value(get, &present, &value, &length), 0);
  CHECK(present && length == 8 && value[0] == 3);
  fdb_future_destroy(get);

  /* A versionstamped key: "vs/" + 10 placeholder bytes, then the offset (3, LE). */
  fdb_transaction_reset(tr);
  uint8_t stamped_key[3 + 10 + 4] = {'v', 's', '/'};
  stamped_key[13] = 3;
  fdb_transaction_atomic_op(tr, stamped_key, (int)sizeof stamped_key, KEY("stamped"),
                            FDB_MUTATION_TYPE_SET_VERSIONSTAMPED_KEY);
  FDBFuture* stamp = fdb_transaction_get_versionstamp(tr);
  FDBFuture* commit = fdb_transaction_commit(tr);
  CHECK_ERROR(wait_for(commit), 0);
  CHECK_ERROR(wait_for(stamp), 0);
  const uint8_t* stamp_bytes;
  int stamp_length;
  CHECK_ERROR(fdb_future_get_key(stamp, &stamp_bytes, &stamp_length), 0);
  CHECK(stamp_length == 10);
  uint8_t expected_key[13] = {'v', 's', '/'};
  if (stamp_length == 10) memcpy(expected_key + 3, stamp_bytes, 10);
  fdb_future_destroy(commit);
  fdb_future_destroy(stamp);
  fdb_transaction_reset(tr);
  get = fdb_transaction_get(tr, expected_key, 13, 0);
  CHECK_ERROR(wait_for(get), 0);
  CHECK_ERROR(fdb_future_get_value(get, &present, &value, &length), 0);
  CHECK(present && length == 7 && memcmp(value, "stamped", 7) == 0);
  fdb_future_destroy(get);

  /* Not an atomic operation. */
  fdb_transaction_reset(tr);
  fdb_transaction_atomic_op(tr, KEY("counter"), KEY("x"), (FDBMutationType)99);
  commit = fdb_transaction_commit(tr);
  CHECK_ERROR(wait_for(commit), 2018);
  fdb_future_destroy(commit);
  fdb_transaction_destroy(tr);
}

static void test_conflict_and_retry(FDBDatabase* db) {
  FDBTransaction *first, *second;
  CHECK_ERROR(fdb_database_create_transaction(db, &first), 0);
  CHECK_ERROR(fdb_database_create_transaction(db, &second), 0);
  fdb_transaction_clear(first, KEY("conflict"));
  CHECK_ERROR(commit_with_retries(first), 0);
  fdb_transaction_reset(first);
  /* Both read the key, both write it: the second to commit conflicts. */
  FDBFuture* read_first = fdb_transaction_get(first, KEY("conflict"), 0);
  FDBFuture* read_second = fdb_transaction_get(second, KEY("conflict"), 0);
  CHECK_ERROR(wait_for(read_first), 0);
  CHECK_ERROR(wait_for(read_second), 0);
  fdb_future_destroy(read_first);
  fdb_future_destroy(read_second);
  fdb_transaction_set(first, KEY("conflict"), KEY("first"));
  fdb_transaction_set(second, KEY("conflict"), KEY("second"));
  FDBFuture* commit_first = fdb_transaction_commit(first);
  CHECK_ERROR(wait_for(commit_first), 0);
  fdb_future_destroy(commit_first);
  FDBFuture* commit_second = fdb_transaction_commit(second);
  fdb_error_t error = wait_for(commit_second);
  CHECK_ERROR(error, 1020);
  fdb_future_destroy(commit_second);
  /* on_error resets the transaction for its retry. */
  FDBFuture* retry = fdb_transaction_on_error(second, error);
  CHECK_ERROR(wait_for(retry), 0);
  fdb_future_destroy(retry);
  check_value(second, "conflict", "first");
  /* A non-retryable error comes back from on_error. */
  retry = fdb_transaction_on_error(second, 2004);
  CHECK_ERROR(wait_for(retry), 2004);
  fdb_future_destroy(retry);
  fdb_transaction_destroy(first);
  fdb_transaction_destroy(second);
}

/* Read versions set by hand: positive, once; anything else fails every later operation
   with an error the retry loop does not retry. */
static void test_set_read_version(FDBDatabase* db) {
  FDBTransaction* tr;
  CHECK_ERROR(fdb_database_create_transaction(db, &tr), 0);
  CHECK(!fdb_error_predicate(FDB_ERROR_PREDICATE_RETRYABLE, 2011));
  const int64_t invalid[] = {0, -1, -1000000};
  for (int i = 0; i < 3; ++i) {
    fdb_transaction_reset(tr);
    fdb_transaction_set_read_version(tr, invalid[i]);
    FDBFuture* get = fdb_transaction_get(tr, KEY("read-version"), 0);
    fdb_error_t error = wait_for(get);
    CHECK_ERROR(error, 2011); /* version_invalid */
    fdb_future_destroy(get);
    FDBFuture* retry = fdb_transaction_on_error(tr, error);
    CHECK_ERROR(wait_for(retry), 2011);
    fdb_future_destroy(retry);
  }
  /* A version the database has: reads run at it; setting another one fails. */
  fdb_transaction_reset(tr);
  FDBFuture* version_future = fdb_transaction_get_read_version(tr);
  CHECK_ERROR(wait_for(version_future), 0);
  int64_t version = 0;
  CHECK_ERROR(fdb_future_get_int64(version_future, &version), 0);
  fdb_future_destroy(version_future);
  fdb_transaction_reset(tr);
  fdb_transaction_set_read_version(tr, version);
  version_future = fdb_transaction_get_read_version(tr);
  CHECK_ERROR(wait_for(version_future), 0);
  int64_t read_back = 0;
  CHECK_ERROR(fdb_future_get_int64(version_future, &read_back), 0);
  CHECK(read_back == version);
  fdb_future_destroy(version_future);
  fdb_transaction_set_read_version(tr, version);
  FDBFuture* get = fdb_transaction_get(tr, KEY("read-version"), 0);
  CHECK_ERROR(wait_for(get), 2010); /* read_version_already_set */
  fdb_future_destroy(get);
  fdb_transaction_destroy(tr);
}

static void check_on_error(FDBTransaction* tr, fdb_error_t error, fdb_error_t expected) {
  FDBFuture* retry = fdb_transaction_on_error(tr, error);
  CHECK_ERROR(wait_for(retry), expected);
  fdb_future_destroy(retry);
}

/* on_error on a cancelled transaction, and an error on_error gives back, which cancels the
   transaction until reset (FoundationDB's rules from API version 610). */
static void test_on_error_rules(FDBDatabase* db) {
  FDBTransaction* tr;
  CHECK_ERROR(fdb_database_create_transaction(db, &tr), 0);
  fdb_transaction_cancel(tr);
  check_on_error(tr, 1007, 1025); /* transaction_cancelled */
  FDBFuture* commit = fdb_transaction_commit(tr);
  CHECK_ERROR(wait_for(commit), 1025);
  fdb_future_destroy(commit);
  fdb_transaction_reset(tr);
  fdb_transaction_set(tr, KEY("on-error"), KEY("usable again"));
  CHECK_ERROR(commit_with_retries(tr), 0);
  /* retry_limit 1: one retry, then the error itself, then the transaction is cancelled. */
  fdb_transaction_reset(tr);
  set_int_option(tr, FDB_TR_OPTION_RETRY_LIMIT, 1, 0);
  check_on_error(tr, 1020, 0);
  check_on_error(tr, 1020, 1020);
  check_on_error(tr, 1020, 1025);
  /* reset() forgets the limit, the count and the cancellation. */
  fdb_transaction_reset(tr);
  check_on_error(tr, 1020, 0);
  check_on_error(tr, 1020, 0);
  /* A non-retryable error comes back and cancels the transaction too. */
  check_on_error(tr, 2004, 2004);
  check_on_error(tr, 1020, 1025);
  fdb_transaction_destroy(tr);
}

static void commit_expecting(FDBTransaction* tr, fdb_error_t expected) {
  FDBFuture* commit = fdb_transaction_commit(tr);
  CHECK_ERROR(wait_for(commit), expected);
  fdb_future_destroy(commit);
}

static void pause_ms(long milliseconds) {
  struct timespec pause = {milliseconds / 1000, (milliseconds % 1000) * 1000000};
  nanosleep(&pause, NULL);
}

/* A timeout counts from the transaction's start and outlives on_error; once it fired, even
   an empty commit and on_error fail with transaction_timed_out; reset() clears it. The
   database's transaction_timeout and transaction_retry_limit are the defaults that a
   transaction's own options override either way. */
static void test_timeouts_and_default_limits(FDBDatabase* db) {
  FDBTransaction* tr;
  CHECK_ERROR(fdb_database_create_transaction(db, &tr), 0);
  set_int_option(tr, FDB_TR_OPTION_TIMEOUT, 10, 0);
  pause_ms(1000);
  commit_expecting(tr, 1031);
  check_on_error(tr, 1031, 1031);
  check_on_error(tr, 1020, 1031);
  fdb_transaction_reset(tr);
  commit_expecting(tr, 0);
  /* Commit waits for the reads still in flight and fails with their error: here a read
     at a version the database will not reach for a long time (future_version). */
  fdb_transaction_reset(tr);
  fdb_transaction_set_read_version(tr, 0x7ffffffffffffff0LL);
  FDBFuture* pending = fdb_transaction_get(tr, KEY("timeouts"), 0);
  commit_expecting(tr, 1009);
  fdb_future_destroy(pending);
  /* A timeout that ran out is not taken back by a new value, even 0. */
  fdb_transaction_reset(tr);
  set_int_option(tr, FDB_TR_OPTION_TIMEOUT, 100, 0);
  pause_ms(1000);
  set_int_option(tr, FDB_TR_OPTION_TIMEOUT, 0, 0);
  commit_expecting(tr, 1031);
  fdb_transaction_reset(tr);
  set_int_option(tr, FDB_TR_OPTION_TIMEOUT, 100, 0);
  pause_ms(1000);
  set_int_option(tr, FDB_TR_OPTION_TIMEOUT, 5000, 0);
  commit_expecting(tr, 1031);

  fdb_transaction_reset(tr);
  set_int_option(tr, FDB_TR_OPTION_TIMEOUT, 500, 0);
  check_on_error(tr, 1020, 0);
  pause_ms(1000);
  FDBFuture* get = fdb_transaction_get(tr, KEY("timeouts"), 0);
  CHECK_ERROR(wait_for(get), 1031);
  fdb_future_destroy(get);
  fdb_transaction_destroy(tr);

  uint8_t bytes[8];
  int64_t ten_ms = 10;
  for (int i = 0; i < 8; ++i)
    bytes[i] = (uint8_t)((uint64_t)ten_ms >> (8 * i));
  CHECK_ERROR(fdb_database_set_option(db, FDB_DB_OPTION_TRANSACTION_TIMEOUT, bytes, 8), 0);
  CHECK_ERROR(fdb_database_create_transaction(db, &tr), 0);
  pause_ms(500);
  commit_expecting(tr, 1031);
  fdb_transaction_reset(tr); /* the database's default applies again after reset */
  pause_ms(500);
  commit_expecting(tr, 1031);
  fdb_transaction_reset(tr);
  set_int_option(tr, FDB_TR_OPTION_TIMEOUT, 0, 0); /* no timeout for this one */
  pause_ms(500);
  commit_expecting(tr, 0);
  fdb_transaction_destroy(tr);
  memset(bytes, 0, sizeof(bytes));
  CHECK_ERROR(fdb_database_set_option(db, FDB_DB_OPTION_TRANSACTION_TIMEOUT, bytes, 8), 0);

  /* transaction_retry_limit 0: on_error gives the error back at once, unless the
     transaction's own retry_limit says otherwise. */
  CHECK_ERROR(fdb_database_set_option(db, FDB_DB_OPTION_TRANSACTION_RETRY_LIMIT, bytes, 8), 0);
  CHECK_ERROR(fdb_database_create_transaction(db, &tr), 0);
  check_on_error(tr, 1020, 1020);
  fdb_transaction_reset(tr);
  set_int_option(tr, FDB_TR_OPTION_RETRY_LIMIT, 1, 0);
  check_on_error(tr, 1020, 0);
  check_on_error(tr, 1020, 1020);
  fdb_transaction_destroy(tr);
  int64_t unlimited = -1;
  for (int i = 0; i < 8; ++i)
    bytes[i] = (uint8_t)((uint64_t)unlimited >> (8 * i));
  CHECK_ERROR(fdb_database_set_option(db, FDB_DB_OPTION_TRANSACTION_RETRY_LIMIT, bytes, 8), 0);
  CHECK_ERROR(fdb_database_create_transaction(db, &tr), 0);
  set_int_option(tr, FDB_TR_OPTION_RETRY_LIMIT, 0, 0);
  check_on_error(tr, 1020, 1020);
  fdb_transaction_destroy(tr);
}

/* The special key space's writable module as FoundationDB's tools use it: writes need
   special_key_space_enable_writes; clearing the (empty, tenant-less) tenant map succeeds,
   creating a tenant fails with tenants_disabled, and keys of no module are refused. */
static void test_special_key_writes(FDBDatabase* db) {
  static const char tenant_map[] = "\xff\xff/management/tenant/map/";
  static const char tenant_map_end[] = "\xff\xff/management/tenant/map0";
  FDBTransaction* tr;
  CHECK_ERROR(fdb_database_create_transaction(db, &tr), 0);
  fdb_transaction_clear_range(tr, KEY(tenant_map), KEY(tenant_map_end));
  commit_expecting(tr, 2114); /* special_keys_write_disabled */
  fdb_transaction_reset(tr);
  CHECK_ERROR(
      fdb_transaction_set_option(tr, FDB_TR_OPTION_SPECIAL_KEY_SPACE_ENABLE_WRITES, NULL, 0), 0);
  fdb_transaction_clear_range(tr, KEY(tenant_map), KEY(tenant_map_end));
  fdb_transaction_set(tr, KEY("special-keys"), KEY("written with them"));
  FDBFuture* range = fdb_transaction_get_range(tr, FIRST_GREATER_OR_EQUAL(tenant_map),
                                               FIRST_GREATER_OR_EQUAL(tenant_map_end), 0, 0,
                                               FDB_STREAMING_MODE_WANT_ALL, 1, 0, 0);
  CHECK_ERROR(wait_for(range), 0);
  const FDBKeyValue* rows = NULL;
  int count = -1;
  fdb_bool_t more = 1;
  CHECK_ERROR(fdb_future_get_keyvalue_array(range, &rows, &count, &more), 0);
  CHECK(count == 0 && !more);
  fdb_future_destroy(range);
  commit_expecting(tr, 0);
  fdb_transaction_reset(tr);
  check_value(tr, "special-keys", "written with them");

  fdb_transaction_reset(tr);
  CHECK_ERROR(
      fdb_transaction_set_option(tr, FDB_TR_OPTION_SPECIAL_KEY_SPACE_ENABLE_WRITES, NULL, 0), 0);
  fdb_transaction_set(tr, KEY("\xff\xff/management/tenant/map/a-tenant"), KEY(""));
  commit_expecting(tr, 2136); /* tenants_disabled */
  fdb_transaction_reset(tr);
  CHECK_ERROR(
      fdb_transaction_set_option(tr, FDB_TR_OPTION_SPECIAL_KEY_SPACE_ENABLE_WRITES, NULL, 0), 0);
  fdb_transaction_set(tr, KEY("\xff\xff/no-module-here"), KEY("x"));
  commit_expecting(tr, 2115); /* special_keys_no_write_module_found */
  fdb_transaction_reset(tr);
  CHECK_ERROR(
      fdb_transaction_set_option(tr, FDB_TR_OPTION_SPECIAL_KEY_SPACE_ENABLE_WRITES, NULL, 0), 0);
  fdb_transaction_clear_range(tr, KEY("\xff\xff/management/"), KEY("\xff\xff/z"));
  commit_expecting(tr, 2116); /* special_keys_cross_module_clear */
  fdb_transaction_destroy(tr);
}

/* The rows of [begin, end) as "key=value;" text, keys with their bytes below 0x20 or from
   0x7f as \xNN. */
static void range_text(FDBTransaction* tr, const char* begin, const char* end, char* out,
                       size_t size) {
  FDBFuture* range =
      fdb_transaction_get_range(tr, FIRST_GREATER_OR_EQUAL(begin), FIRST_GREATER_OR_EQUAL(end), 0,
                                0, FDB_STREAMING_MODE_WANT_ALL, 1, 0, 0);
  out[0] = '\0';
  CHECK_ERROR(wait_for(range), 0);
  const FDBKeyValue* rows = NULL;
  int count = 0;
  fdb_bool_t more = 0;
  CHECK_ERROR(fdb_future_get_keyvalue_array(range, &rows, &count, &more), 0);
  size_t used = 0;
  for (int i = 0; i < count && used + 64 < size; ++i) {
    const uint8_t* key = (const uint8_t*)rows[i].key;
    for (int k = 0; k < rows[i].key_length && used + 8 < size; ++k) {
      if (key[k] < 0x20 || key[k] >= 0x7f) {
        used += (size_t)snprintf(out + used, size - used, "\\x%02x", key[k]);
      } else {
        out[used++] = (char)key[k];
      }
    }
    used += (size_t)snprintf(out + used, size - used, "=%.*s;", rows[i].value_length,
                             (const char*)rows[i].value);
  }
  out[used] = '\0';
  fdb_future_destroy(range);
}

/* report_conflicting_keys: a commit that conflicted leaves the read ranges that were written
   since its read version in \xff\xff/transaction/conflicting_keys/ (FoundationDB's rows),
   until on_error or reset. */
static void test_conflicting_keys(FDBDatabase* db) {
  static const char module[] = "\xff\xff/transaction/conflicting_keys/";
  static const char module_end[] = "\xff\xff/transaction/conflicting_keys0";
  char text[1024];
  FDBTransaction* reader;
  FDBTransaction* writer;
  CHECK_ERROR(fdb_database_create_transaction(db, &reader), 0);
  CHECK_ERROR(fdb_database_create_transaction(db, &writer), 0);
  CHECK_ERROR(fdb_transaction_set_option(reader, FDB_TR_OPTION_REPORT_CONFLICTING_KEYS, NULL, 0),
              0);
  check_value(reader, "ck/a", NULL);
  range_text(reader, "ck/r", "ck/s", text, sizeof text);
  check_value(reader, "ck/untouched", NULL);
  fdb_transaction_set(writer, KEY("ck/a"), KEY("w"));
  fdb_transaction_set(writer, KEY("ck/r5"), KEY("w"));
  CHECK_ERROR(commit_with_retries(writer), 0);
  fdb_transaction_set(reader, KEY("ck/out"), KEY("r"));
  commit_expecting(reader, 1020);
  range_text(reader, module, module_end, text, sizeof text);
  CHECK(strcmp(text,
               "\\xff\\xff/transaction/conflicting_keys/ck/a=1;"
               "\\xff\\xff/transaction/conflicting_keys/ck/a\\x00=0;"
               "\\xff\\xff/transaction/conflicting_keys/ck/r=1;"
               "\\xff\\xff/transaction/conflicting_keys/ck/s=0;") == 0);
  if (strstr(text, "ck/a") == NULL) fprintf(stderr, "conflicting keys read: %s\n", text);
  check_on_error(reader, 1020, 0);
  range_text(reader, module, module_end, text, sizeof text);
  CHECK(text[0] == '\0');
  /* Without the option, nothing is reported. */
  fdb_transaction_reset(reader);
  check_value(reader, "ck/a", "w");
  fdb_transaction_reset(writer);
  fdb_transaction_set(writer, KEY("ck/a"), KEY("w2"));
  CHECK_ERROR(commit_with_retries(writer), 0);
  fdb_transaction_set(reader, KEY("ck/out"), KEY("r"));
  commit_expecting(reader, 1020);
  range_text(reader, module, module_end, text, sizeof text);
  CHECK(text[0] == '\0');
  fdb_transaction_destroy(reader);
  fdb_transaction_destroy(writer);
}

static void set_db_int_option(FDBDatabase* db, FDBDatabaseOption option, int64_t value) {
  uint8_t bytes[8];
  for (int i = 0; i < 8; ++i)
    bytes[i] = (uint8_t)((uint64_t)value >> (8 * i));
  CHECK_ERROR(fdb_database_set_option(db, option, bytes, 8), 0);
}

/* Every option FoundationDB's Python binding tests set is accepted, and a transaction with
   all of its transaction options set still reads (the system keys included). On a database
   handle of its own: database options cannot all be taken back. */
static void test_options_the_bindings_set(const char* cluster_file) {
  FDBDatabase* db = NULL;
  CHECK_ERROR(fdb_create_database(cluster_file, &db), 0);
  if (db == NULL) return;
  set_db_int_option(db, FDB_DB_OPTION_LOCATION_CACHE_SIZE, 100001);
  set_db_int_option(db, FDB_DB_OPTION_MAX_WATCHES, 100001);
  CHECK_ERROR(fdb_database_set_option(db, FDB_DB_OPTION_DATACENTER_ID, KEY("dc_id")), 0);
  CHECK_ERROR(fdb_database_set_option(db, FDB_DB_OPTION_MACHINE_ID, KEY("machine_id")), 0);
  CHECK_ERROR(fdb_database_set_option(db, FDB_DB_OPTION_SNAPSHOT_RYW_ENABLE, NULL, 0), 0);
  CHECK_ERROR(fdb_database_set_option(db, FDB_DB_OPTION_SNAPSHOT_RYW_DISABLE, NULL, 0), 0);
  set_db_int_option(db, FDB_DB_OPTION_TRANSACTION_LOGGING_MAX_FIELD_LENGTH, 1000);
  set_db_int_option(db, FDB_DB_OPTION_TRANSACTION_TIMEOUT, 100000);
  set_db_int_option(db, FDB_DB_OPTION_TRANSACTION_TIMEOUT, 0);
  set_db_int_option(db, FDB_DB_OPTION_TRANSACTION_MAX_RETRY_DELAY, 100);
  set_db_int_option(db, FDB_DB_OPTION_TRANSACTION_SIZE_LIMIT, 100000);
  set_db_int_option(db, FDB_DB_OPTION_TRANSACTION_RETRY_LIMIT, 10);
  set_db_int_option(db, FDB_DB_OPTION_TRANSACTION_RETRY_LIMIT, -1);
  CHECK_ERROR(fdb_database_set_option(db, FDB_DB_OPTION_TRANSACTION_CAUSAL_READ_RISKY, NULL, 0), 0);
  CHECK_ERROR(
      fdb_database_set_option(db, FDB_DB_OPTION_TRANSACTION_INCLUDE_PORT_IN_ADDRESS, NULL, 0), 0);

  FDBTransaction* tr;
  CHECK_ERROR(fdb_database_create_transaction(db, &tr), 0);
  const FDBTransactionOption flags[] = {
      FDB_TR_OPTION_PRIORITY_SYSTEM_IMMEDIATE,
      FDB_TR_OPTION_PRIORITY_BATCH,
      FDB_TR_OPTION_CAUSAL_READ_RISKY,
      FDB_TR_OPTION_CAUSAL_WRITE_RISKY,
      FDB_TR_OPTION_READ_YOUR_WRITES_DISABLE,
      FDB_TR_OPTION_READ_SYSTEM_KEYS,
      FDB_TR_OPTION_ACCESS_SYSTEM_KEYS,
      FDB_TR_OPTION_USED_DURING_COMMIT_PROTECTION_DISABLE,
      FDB_TR_OPTION_LOG_TRANSACTION,
      FDB_TR_OPTION_READ_LOCK_AWARE,
      FDB_TR_OPTION_LOCK_AWARE,
      FDB_TR_OPTION_INCLUDE_PORT_IN_ADDRESS,
  };
  for (size_t i = 0; i < sizeof flags / sizeof flags[0]; ++i)
    CHECK_ERROR(fdb_transaction_set_option(tr, flags[i], NULL, 0), 0);
  set_int_option(tr, FDB_TR_OPTION_TRANSACTION_LOGGING_MAX_FIELD_LENGTH, 1000, 0);
  set_int_option(tr, FDB_TR_OPTION_TIMEOUT, 60 * 1000, 0);
  set_int_option(tr, FDB_TR_OPTION_RETRY_LIMIT, 50, 0);
  set_int_option(tr, FDB_TR_OPTION_MAX_RETRY_DELAY, 100, 0);
  CHECK_ERROR(fdb_transaction_set_option(tr, FDB_TR_OPTION_DEBUG_TRANSACTION_IDENTIFIER,
                                         KEY("my_transaction")),
              0);
  FDBFuture* get = fdb_transaction_get(tr, KEY("\xff"), 0);
  CHECK_ERROR(wait_for(get), 0);
  fdb_future_destroy(get);
  fdb_transaction_destroy(tr);
  fdb_database_destroy(db);
}

static void test_watch_and_callbacks(FDBDatabase* db) {
  FDBTransaction* tr;
  CHECK_ERROR(fdb_database_create_transaction(db, &tr), 0);
  fdb_transaction_set(tr, KEY("watched"), KEY("before"));
  CHECK_ERROR(commit_with_retries(tr), 0);
  fdb_transaction_reset(tr);
  FDBFuture* watch = fdb_transaction_watch(tr, KEY("watched"));
  FDBFuture* commit = fdb_transaction_commit(tr);
  CHECK_ERROR(wait_for(commit), 0);
  fdb_future_destroy(commit);
  atomic_init(&callbacks_fired, 0);
  CHECK_ERROR(fdb_future_set_callback(watch, count_callback, &callbacks_fired), 0);
  CHECK_ERROR(fdb_future_set_callback(watch, count_callback, &callbacks_fired), 2000);
  CHECK(!fdb_future_is_ready(watch));
  CHECK_ERROR(fdb_future_get_error(watch), 2015);

  FDBTransaction* writer;
  CHECK_ERROR(fdb_database_create_transaction(db, &writer), 0);
  fdb_transaction_set(writer, KEY("watched"), KEY("after"));
  CHECK_ERROR(commit_with_retries(writer), 0);
  CHECK_ERROR(wait_for(watch), 0);
  /* The callback ran on the network thread; wait for it to be counted. */
  for (int waits = 0; atomic_load(&callbacks_fired) == 0 && waits < 10000; ++waits) {
    struct timespec pause = {0, 1000000};
    nanosleep(&pause, NULL);
  }
  CHECK(atomic_load(&callbacks_fired) == 1);
  fdb_future_destroy(watch);

  /* A callback set on a ready future runs at once, on this thread. */
  FDBFuture* version = fdb_transaction_get_read_version(writer);
  CHECK_ERROR(wait_for(version), 0);
  atomic_init(&callbacks_fired, 0);
  CHECK_ERROR(fdb_future_set_callback(version, count_callback, &callbacks_fired), 0);
  CHECK(atomic_load(&callbacks_fired) == 1);
  int64_t read_version = 0;
  CHECK_ERROR(fdb_future_get_int64(version, &read_version), 0);
  CHECK(read_version > 0);
  fdb_future_destroy(version);

  /* Cancelling a pending watch fails it with operation_cancelled and runs its callback. */
  fdb_transaction_reset(tr);
  watch = fdb_transaction_watch(tr, KEY("watched"));
  commit = fdb_transaction_commit(tr);
  CHECK_ERROR(wait_for(commit), 0);
  fdb_future_destroy(commit);
  atomic_init(&callbacks_fired, 0);
  CHECK_ERROR(fdb_future_set_callback(watch, count_callback, &callbacks_fired), 0);
  fdb_future_cancel(watch);
  CHECK(fdb_future_is_ready(watch));
  CHECK_ERROR(fdb_future_get_error(watch), 1101);
  CHECK(atomic_load(&callbacks_fired) == 1);
  fdb_future_destroy(watch);
  fdb_transaction_destroy(tr);
  fdb_transaction_destroy(writer);
}

static void test_options_and_metadata(FDBDatabase* db) {
  FDBTransaction* tr;
  CHECK_ERROR(fdb_database_create_transaction(db, &tr), 0);
  set_int_option(tr, FDB_TR_OPTION_TIMEOUT, -1, 2006);
  set_int_option(tr, FDB_TR_OPTION_SIZE_LIMIT, 31, 2006);
  set_int_option(tr, FDB_TR_OPTION_RETRY_LIMIT, 3, 0);
  CHECK_ERROR(fdb_transaction_set_option(tr, FDB_TR_OPTION_TIMEOUT, KEY("x")), 2006);
  CHECK_ERROR(fdb_transaction_set_option(tr, (FDBTransactionOption)4242, NULL, 0), 2007);
  CHECK_ERROR(fdb_transaction_set_option(tr, FDB_TR_OPTION_BYPASS_UNREADABLE, NULL, 0), 2007);
  CHECK_ERROR(fdb_transaction_set_option(tr, FDB_TR_OPTION_DURABILITY_RISKY, NULL, 0), 0);
  CHECK_ERROR(fdb_transaction_set_option(tr, FDB_TR_OPTION_TAG, KEY("a-tag-that-is-too-long")),
              2006);

  /* System keys need an option. */
  FDBFuture* system = fdb_transaction_get(tr, KEY("\xff/x"), 0);
  CHECK_ERROR(wait_for(system), 2004);
  fdb_future_destroy(system);
  CHECK_ERROR(fdb_transaction_set_option(tr, FDB_TR_OPTION_READ_SYSTEM_KEYS, NULL, 0), 0);
  system = fdb_transaction_get(tr, KEY("\xff/x"), 0);
  CHECK_ERROR(wait_for(system), 0);
  fdb_future_destroy(system);

  /* The status document through the special key space. */
  FDBFuture* status = fdb_transaction_get(tr, KEY("\xff\xff/status/json"), 0);
  CHECK_ERROR(wait_for(status), 0);
  fdb_bool_t present;
  const uint8_t* value;
  int length;
  CHECK_ERROR(fdb_future_get_value(status, &present, &value, &length), 0);
  CHECK(present && length > 2 && value[0] == '{');
  fdb_future_destroy(status);

  /* Shard boundaries where the bindings' locality.get_boundary_keys looks for them: the
     keys of \xff/keyServers/ (a snapshot read, lock aware, as the bindings do it) begin
     with the start of the key space and end with its end, in order. */
  CHECK_ERROR(fdb_transaction_set_option(tr, FDB_TR_OPTION_LOCK_AWARE, NULL, 0), 0);
  FDBFuture* boundaries = fdb_transaction_get_range(
      tr, FIRST_GREATER_OR_EQUAL("\xff/keyServers/"),
      FIRST_GREATER_OR_EQUAL("\xff/keyServers/\xff\xff\xff"), 0, 0, FDB_STREAMING_MODE_WANT_ALL, 0,
      1, 0);
  CHECK_ERROR(wait_for(boundaries), 0);
  const FDBKeyValue* shard_rows = NULL;
  int shard_count = 0;
  fdb_bool_t shard_more = 0;
  CHECK_ERROR(fdb_future_get_keyvalue_array(boundaries, &shard_rows, &shard_count, &shard_more), 0);
  const int prefix_length = (int)strlen("\xff/keyServers/");
  CHECK(shard_count >= 2 && !shard_more);
  if (shard_count >= 2) {
    CHECK(shard_rows[0].key_length == prefix_length);
    const FDBKeyValue* last = &shard_rows[shard_count - 1];
    CHECK(last->key_length == prefix_length + 2 &&
          memcmp(last->key + prefix_length, "\xff\xff", 2) == 0);
    for (int i = 1; i < shard_count; ++i) {
      const FDBKeyValue* a = &shard_rows[i - 1];
      const FDBKeyValue* b = &shard_rows[i];
      const int common = a->key_length < b->key_length ? a->key_length : b->key_length;
      const int order = memcmp(a->key, b->key, (size_t)common);
      CHECK(order < 0 || (order == 0 && a->key_length < b->key_length));
    }
  }
  fdb_future_destroy(boundaries);

  /* Sizes, split points, addresses. */
  fdb_transaction_reset(tr);
  char value_bytes[1000];
  memset(value_bytes, 'v', sizeof value_bytes);
  for (int i = 0; i < 50; ++i) {
    char key_text[16];
    snprintf(key_text, sizeof key_text, "size/%03d", i);
    fdb_transaction_set(tr, KEY(key_text), (const uint8_t*)value_bytes, (int)sizeof value_bytes);
  }
  FDBFuture* size = fdb_transaction_get_approximate_size(tr);
  int64_t approximate = 0;
  CHECK_ERROR(wait_for(size), 0);
  CHECK_ERROR(fdb_future_get_int64(size, &approximate), 0);
  CHECK(approximate >= 50 * 1000);
  fdb_future_destroy(size);
  CHECK_ERROR(commit_with_retries(tr), 0);
  fdb_transaction_reset(tr);
  FDBFuture* estimate =
      fdb_transaction_get_estimated_range_size_bytes(tr, KEY("size/"), KEY("size0"));
  CHECK_ERROR(wait_for(estimate), 0);
  int64_t estimated = 0;
  CHECK_ERROR(fdb_future_get_int64(estimate, &estimated), 0);
  CHECK(estimated >= 50 * 1000);
  fdb_future_destroy(estimate);
  FDBFuture* splits = fdb_transaction_get_range_split_points(tr, KEY("size/"), KEY("size0"), 10000);
  const FDBKey* keys;
  int count;
  CHECK_ERROR(wait_for(splits), 0);
  CHECK_ERROR(fdb_future_get_key_array(splits, &keys, &count), 0);
  CHECK(count >= 3);
  CHECK(count >= 1 && keys[0].key_length == 5 && memcmp(keys[0].key, "size/", 5) == 0);
  fdb_future_destroy(splits);
  FDBFuture* addresses = fdb_transaction_get_addresses_for_key(tr, KEY("size/001"));
  const char** strings;
  CHECK_ERROR(wait_for(addresses), 0);
  CHECK_ERROR(fdb_future_get_string_array(addresses, &strings, &count), 0);
  CHECK(count >= 1 && strchr(strings[0], ':') != NULL);
  fdb_future_destroy(addresses);

  /* Database defaults: a timeout of 1 ms on every transaction times a watch out. */
  uint8_t one_ms[8] = {1, 0, 0, 0, 0, 0, 0, 0};
  CHECK_ERROR(fdb_database_set_option(db, FDB_DB_OPTION_TRANSACTION_TIMEOUT, one_ms, 8), 0);
  CHECK_ERROR(fdb_database_set_option(db, (FDBDatabaseOption)4242, NULL, 0), 2007);
  FDBTransaction* timed;
  CHECK_ERROR(fdb_database_create_transaction(db, &timed), 0);
  FDBFuture* watch = fdb_transaction_watch(timed, KEY("never-changes"));
  FDBFuture* commit = fdb_transaction_commit(timed);
  fdb_error_t commit_error = wait_for(commit);
  fdb_error_t watch_error = wait_for(watch);
  CHECK(commit_error == 1031 || watch_error == 1031);
  fdb_future_destroy(commit);
  fdb_future_destroy(watch);
  fdb_transaction_destroy(timed);
  uint8_t zero[8] = {0};
  CHECK_ERROR(fdb_database_set_option(db, FDB_DB_OPTION_TRANSACTION_TIMEOUT, zero, 8), 0);

  /* A tenant opens whatever the cluster allows; while its tenant_mode is disabled (as
     here) its transactions and its id fail with tenants_disabled. A name beginning with
     \xff is refused at once, and so are the raw-access options in a tenant's
     transaction. The tenant test (python/tenant_test.py) checks tenants that exist. */
  FDBTenant* tenant = NULL;
  CHECK_ERROR(fdb_database_open_tenant(db, KEY("\xff" "bad"), &tenant), 2134);
  CHECK_ERROR(fdb_database_open_tenant(db, KEY("tenant"), &tenant), 0);
  FDBTransaction* in_tenant;
  CHECK_ERROR(fdb_tenant_create_transaction(tenant, &in_tenant), 0);
  CHECK_ERROR(fdb_transaction_set_option(in_tenant, FDB_TR_OPTION_RAW_ACCESS, NULL, 0), 2007);
  CHECK_ERROR(fdb_transaction_set_option(in_tenant, FDB_TR_OPTION_ACCESS_SYSTEM_KEYS, NULL, 0),
              2007);
  FDBFuture* tenant_read = fdb_transaction_get(in_tenant, KEY("k"), 0);
  CHECK_ERROR(wait_for(tenant_read), 2136);
  fdb_future_destroy(tenant_read);
  FDBFuture* tenant_id = fdb_tenant_get_id(tenant);
  CHECK_ERROR(wait_for(tenant_id), 2136);
  fdb_future_destroy(tenant_id);
  fdb_transaction_destroy(in_tenant);
  fdb_tenant_destroy(tenant);

  /* The client status says it is healthy. */
  FDBFuture* client_status = fdb_database_get_client_status(db);
  CHECK_ERROR(wait_for(client_status), 0);
  const uint8_t* json;
  int json_length;
  CHECK_ERROR(fdb_future_get_key(client_status, &json, &json_length), 0);
  CHECK(json_length > 0 && strstr((const char*)json, "\"Healthy\":true") != NULL);
  fdb_future_destroy(client_status);
  fdb_transaction_destroy(tr);
}

/* Many application threads at once, as a server using the library would: each runs
 * read-modify-write increments of one counter through the retry loop, and callbacks on
 * futures it destroys itself. Every increment must land exactly once. */
enum { increment_threads = 8, increments_per_thread = 100 };

static void* increment_counter(void* database) {
  FDBDatabase* db = database;
  for (int i = 0; i < increments_per_thread; ++i) {
    FDBTransaction* tr;
    if (fdb_database_create_transaction(db, &tr) != 0) return (void*)1;
    for (;;) {
      FDBFuture* get = fdb_transaction_get(tr, KEY("threads/counter"), 0);
      fdb_error_t error = wait_for(get);
      int64_t count = 0;
      if (error == 0) {
        fdb_bool_t present;
        const uint8_t* value;
        int length;
        error = fdb_future_get_value(get, &present, &value, &length);
        if (error == 0 && present && length == 8) memcpy(&count, value, 8);
      }
      fdb_future_destroy(get);
      if (error == 0) {
        ++count;
        fdb_transaction_set(tr, KEY("threads/counter"), (const uint8_t*)&count, 8);
        FDBFuture* commit = fdb_transaction_commit(tr);
        atomic_int fired;
        atomic_init(&fired, 0);
        fdb_future_set_callback(commit, count_callback, &fired);
        error = wait_for(commit);
        /* Waiters may wake before the callback has run: it runs right after, on the
         * network thread. */
        while (atomic_load(&fired) == 0) {
          struct timespec pause = {0, 100000};
          nanosleep(&pause, NULL);
        }
        fdb_future_destroy(commit);
        if (error == 0) break;
      }
      FDBFuture* retry = fdb_transaction_on_error(tr, error);
      fdb_error_t retry_error = wait_for(retry);
      fdb_future_destroy(retry);
      if (retry_error != 0) {
        fdb_transaction_destroy(tr);
        return (void*)2;
      }
    }
    fdb_transaction_destroy(tr);
  }
  return NULL;
}

static void test_many_threads(FDBDatabase* db) {
  FDBTransaction* tr;
  CHECK_ERROR(fdb_database_create_transaction(db, &tr), 0);
  fdb_transaction_clear(tr, KEY("threads/counter"));
  CHECK_ERROR(commit_with_retries(tr), 0);
  pthread_t threads[increment_threads];
  for (int i = 0; i < increment_threads; ++i)
    CHECK(pthread_create(&threads[i], NULL, increment_counter, db) == 0);
  for (int i = 0; i < increment_threads; ++i) {
    void* result = NULL;
    pthread_join(threads[i], &result);
    CHECK(result == NULL);
  }
  fdb_transaction_reset(tr);
  FDBFuture* get = fdb_transaction_get(tr, KEY("threads/counter"), 0);
  CHECK_ERROR(wait_for(get), 0);
  fdb_bool_t present = 0;
  const uint8_t* value = NULL;
  int length = 0;
  CHECK_ERROR(fdb_future_get_value(get, &present, &value, &length), 0);
  int64_t count = 0;
  if (present && length == 8) memcpy(&count, value, 8);
  CHECK(count == increment_threads * increments_per_thread);
  fdb_future_destroy(get);
  fdb_transaction_destroy(tr);
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s CLUSTER_FILE\n", argv[0]);
    return 2;
  }
  test_handshake_and_errors();
  FDBDatabase* db = NULL;
  CHECK_ERROR(fdb_create_database("/nonexistent/fdb.cluster", &db), 1515);
  CHECK_ERROR(fdb_setup_network(), 0);
  CHECK_ERROR(fdb_setup_network(), 2009);
  pthread_t network;
  if (pthread_create(&network, NULL, run_network, NULL) != 0) return 1;
  CHECK_ERROR(fdb_create_database(argv[1], &db), 0);
  if (db != NULL) {
    test_reads_and_writes(db);
    test_atomics_and_versionstamps(db);
    test_conflict_and_retry(db);
    test_set_read_version(db);
    test_on_error_rules(db);
    test_timeouts_and_default_limits(db);
    test_special_key_writes(db);
    test_conflicting_keys(db);
    test_options_the_bindings_set(argv[1]);
    test_watch_and_callbacks(db);
    test_options_and_metadata(db);
    test_many_threads(db);
    fdb_database_destroy(db);
  }
  CHECK_ERROR(fdb_stop_network(), 0);
  pthread_join(network, NULL);
  CHECK_ERROR(fdb_run_network(), 2025);
  if (failures) {
    fprintf(stderr, "%d checks failed\n", failures);
    return 1;
  }
  printf("all checks passed\n");
  return 0;
}
