#ifndef FDB_C_H
#define FDB_C_H
#pragma once

/* FoundationDB's C API, served by Strata's libfdb_c.so.
 *
 * A program defines FDB_API_VERSION (the API version its code was written for, at most
 * 730) before including this header, calls fdb_select_api_version(FDB_API_VERSION) once,
 * sets network options, calls fdb_setup_network(), runs fdb_run_network() on a thread of
 * its own, and then opens a database with fdb_create_database(). Every call but
 * fdb_run_network() returns at once; operations that wait return an FDBFuture.
 *
 * Threads: every function may be called from any thread. A future's callback runs at most
 * once, on the calling thread when fdb_future_set_callback() finds the future ready, and
 * otherwise on the network thread; a callback must not block (fdb_future_block_until_ready
 * on the network thread fails with blocked_from_network_thread, 2026). */

#ifndef FDB_API_VERSION
#error Define FDB_API_VERSION before including fdb_c.h (the newest version is 730)
#elif FDB_API_VERSION < 13
#error FDB_API_VERSION below 13 is not supported
#elif FDB_API_VERSION > 730
#error FDB_API_VERSION above 730 needs a newer fdb_c.h
#endif

#define FDB_LATEST_API_VERSION 730

#if defined(__GNUC__)
#define DLLEXPORT __attribute__((visibility("default")))
#else
#define DLLEXPORT
#endif

#include <stdint.h>

#include "fdb_c_options.g.h"
#include "fdb_c_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Errors. */
DLLEXPORT const char* fdb_get_error(fdb_error_t code);
DLLEXPORT fdb_bool_t fdb_error_predicate(int predicate_test, fdb_error_t code);

#define fdb_select_api_version(v) fdb_select_api_version_impl(v, FDB_API_VERSION)

/* The API-version handshake: `runtime_version` is the version the program asks for,
 * `header_version` the FDB_API_VERSION it was compiled with. */
DLLEXPORT fdb_error_t fdb_select_api_version_impl(int runtime_version, int header_version);
DLLEXPORT int fdb_get_max_api_version(void);
DLLEXPORT const char* fdb_get_client_version(void);

/* The network. */
DLLEXPORT fdb_error_t fdb_network_set_option(FDBNetworkOption option, uint8_t const* value,
                                             int value_length);
DLLEXPORT fdb_error_t fdb_setup_network(void);
DLLEXPORT fdb_error_t fdb_run_network(void);
DLLEXPORT fdb_error_t fdb_stop_network(void);
DLLEXPORT fdb_error_t fdb_add_network_thread_completion_hook(void (*hook)(void*),
                                                             void* hook_parameter);

/* Futures. */
typedef void (*FDBCallback)(FDBFuture* future, void* callback_parameter);

DLLEXPORT void fdb_future_cancel(FDBFuture* f);
DLLEXPORT void fdb_future_release_memory(FDBFuture* f);
DLLEXPORT void fdb_future_destroy(FDBFuture* f);
DLLEXPORT fdb_error_t fdb_future_block_until_ready(FDBFuture* f);
DLLEXPORT fdb_bool_t fdb_future_is_ready(FDBFuture* f);
DLLEXPORT fdb_error_t fdb_future_set_callback(FDBFuture* f, FDBCallback callback,
                                              void* callback_parameter);
DLLEXPORT fdb_error_t fdb_future_get_error(FDBFuture* f);
DLLEXPORT fdb_error_t fdb_future_get_int64(FDBFuture* f, int64_t* out);
DLLEXPORT fdb_error_t fdb_future_get_uint64(FDBFuture* f, uint64_t* out);
DLLEXPORT fdb_error_t fdb_future_get_bool(FDBFuture* f, fdb_bool_t* out);
DLLEXPORT fdb_error_t fdb_future_get_key(FDBFuture* f, uint8_t const** out_key,
                                         int* out_key_length);
DLLEXPORT fdb_error_t fdb_future_get_value(FDBFuture* f, fdb_bool_t* out_present,
                                           uint8_t const** out_value, int* out_value_length);
DLLEXPORT fdb_error_t fdb_future_get_keyvalue_array(FDBFuture* f, FDBKeyValue const** out_kv,
                                                    int* out_count, fdb_bool_t* out_more);
DLLEXPORT fdb_error_t fdb_future_get_key_array(FDBFuture* f, FDBKey const** out_key_array,
                                               int* out_count);
DLLEXPORT fdb_error_t fdb_future_get_string_array(FDBFuture* f, const char*** out_strings,
                                                  int* out_count);

/* Databases. `cluster_file_path` NULL or empty: $FDB_CLUSTER_FILE, then ./fdb.cluster,
 * then /etc/foundationdb/fdb.cluster. */
DLLEXPORT fdb_error_t fdb_create_database(const char* cluster_file_path,
                                          FDBDatabase** out_database);
DLLEXPORT void fdb_database_destroy(FDBDatabase* d);
DLLEXPORT fdb_error_t fdb_database_set_option(FDBDatabase* d, FDBDatabaseOption option,
                                              uint8_t const* value, int value_length);
DLLEXPORT fdb_error_t fdb_database_create_transaction(FDBDatabase* d,
                                                      FDBTransaction** out_transaction);
DLLEXPORT fdb_error_t fdb_database_open_tenant(FDBDatabase* d, uint8_t const* tenant_name,
                                               int tenant_name_length, FDBTenant** out_tenant);
DLLEXPORT FDBFuture* fdb_database_get_client_status(FDBDatabase* d);

/* Tenants: Strata has none; every tenant operation fails with tenants_disabled (2136). */
DLLEXPORT fdb_error_t fdb_tenant_create_transaction(FDBTenant* tenant,
                                                    FDBTransaction** out_transaction);
DLLEXPORT void fdb_tenant_destroy(FDBTenant* tenant);
DLLEXPORT FDBFuture* fdb_tenant_get_id(FDBTenant* tenant);

/* Transactions. */
DLLEXPORT void fdb_transaction_destroy(FDBTransaction* tr);
DLLEXPORT void fdb_transaction_cancel(FDBTransaction* tr);
DLLEXPORT fdb_error_t fdb_transaction_set_option(FDBTransaction* tr, FDBTransactionOption option,
                                                 uint8_t const* value, int value_length);
DLLEXPORT void fdb_transaction_set_read_version(FDBTransaction* tr, int64_t version);
DLLEXPORT FDBFuture* fdb_transaction_get_read_version(FDBTransaction* tr);
DLLEXPORT FDBFuture* fdb_transaction_get(FDBTransaction* tr, uint8_t const* key_name,
                                         int key_name_length, fdb_bool_t snapshot);
DLLEXPORT FDBFuture* fdb_transaction_get_key(FDBTransaction* tr, uint8_t const* key_name,
                                             int key_name_length, fdb_bool_t or_equal, int offset,
                                             fdb_bool_t snapshot);
DLLEXPORT FDBFuture* fdb_transaction_get_addresses_for_key(FDBTransaction* tr,
                                                           uint8_t const* key_name,
                                                           int key_name_length);
DLLEXPORT FDBFuture* fdb_transaction_get_range(FDBTransaction* tr, uint8_t const* begin_key_name,
                                               int begin_key_name_length, fdb_bool_t begin_or_equal,
                                               int begin_offset, uint8_t const* end_key_name,
                                               int end_key_name_length, fdb_bool_t end_or_equal,
                                               int end_offset, int limit, int target_bytes,
                                               FDBStreamingMode mode, int iteration,
                                               fdb_bool_t snapshot, fdb_bool_t reverse);
DLLEXPORT void fdb_transaction_set(FDBTransaction* tr, uint8_t const* key_name, int key_name_length,
                                   uint8_t const* value, int value_length);
DLLEXPORT void fdb_transaction_atomic_op(FDBTransaction* tr, uint8_t const* key_name,
                                         int key_name_length, uint8_t const* param,
                                         int param_length, FDBMutationType operation_type);
DLLEXPORT void fdb_transaction_clear(FDBTransaction* tr, uint8_t const* key_name,
                                     int key_name_length);
DLLEXPORT void fdb_transaction_clear_range(FDBTransaction* tr, uint8_t const* begin_key_name,
                                           int begin_key_name_length, uint8_t const* end_key_name,
                                           int end_key_name_length);
DLLEXPORT FDBFuture* fdb_transaction_watch(FDBTransaction* tr, uint8_t const* key_name,
                                           int key_name_length);
DLLEXPORT FDBFuture* fdb_transaction_commit(FDBTransaction* tr);
DLLEXPORT fdb_error_t fdb_transaction_get_committed_version(FDBTransaction* tr,
                                                            int64_t* out_version);
DLLEXPORT FDBFuture* fdb_transaction_get_approximate_size(FDBTransaction* tr);
DLLEXPORT FDBFuture* fdb_transaction_get_versionstamp(FDBTransaction* tr);
DLLEXPORT FDBFuture* fdb_transaction_on_error(FDBTransaction* tr, fdb_error_t error);
DLLEXPORT void fdb_transaction_reset(FDBTransaction* tr);
DLLEXPORT fdb_error_t fdb_transaction_add_conflict_range(
    FDBTransaction* tr, uint8_t const* begin_key_name, int begin_key_name_length,
    uint8_t const* end_key_name, int end_key_name_length, FDBConflictRangeType type);
DLLEXPORT FDBFuture* fdb_transaction_get_estimated_range_size_bytes(FDBTransaction* tr,
                                                                    uint8_t const* begin_key_name,
                                                                    int begin_key_name_length,
                                                                    uint8_t const* end_key_name,
                                                                    int end_key_name_length);
DLLEXPORT FDBFuture* fdb_transaction_get_range_split_points(
    FDBTransaction* tr, uint8_t const* begin_key_name, int begin_key_name_length,
    uint8_t const* end_key_name, int end_key_name_length, int64_t chunk_size);

/* Key selector shorthands, as FoundationDB's header defines them. */
#define FDB_KEYSEL_LAST_LESS_THAN(k, l) k, l, 0, 0
#define FDB_KEYSEL_LAST_LESS_OR_EQUAL(k, l) k, l, 1, 0
#define FDB_KEYSEL_FIRST_GREATER_THAN(k, l) k, l, 1, 1
#define FDB_KEYSEL_FIRST_GREATER_OR_EQUAL(k, l) k, l, 0, 1

#ifdef __cplusplus
}
#endif

#endif /* FDB_C_H */
