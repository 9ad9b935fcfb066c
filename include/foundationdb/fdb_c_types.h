#ifndef FDB_C_TYPES_H
#define FDB_C_TYPES_H
#pragma once

/* The types of FoundationDB's C API, as Strata's libfdb_c.so implements it. The layouts
 * of FDBKey and FDBKeyValue are FoundationDB's (packed to 4 bytes), so that programs and
 * bindings compiled against FoundationDB's headers read them correctly. */

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Opaque handles. */
typedef struct FDB_future FDBFuture;
typedef struct FDB_result FDBResult;
typedef struct FDB_database FDBDatabase;
typedef struct FDB_tenant FDBTenant;
typedef struct FDB_transaction FDBTransaction;

/* An error code: 0 is success; see fdb_get_error() and fdb_error_predicate(). */
typedef int fdb_error_t;
typedef int fdb_bool_t;

#pragma pack(push, 4)
/* A key, in the array fdb_future_get_key_array() returns. */
typedef struct key {
  const uint8_t* key;
  int key_length;
} FDBKey;

/* A row, in the array fdb_future_get_keyvalue_array() returns. */
typedef struct keyvalue {
  const uint8_t* key;
  int key_length;
  const uint8_t* value;
  int value_length;
} FDBKeyValue;
#pragma pack(pop)

#ifdef __cplusplus
}
#endif

#endif /* FDB_C_TYPES_H */
