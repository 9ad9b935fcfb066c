// The fdb_future_* functions.

#define FDB_API_VERSION 730
#include "fdb_c/future_cell.h"
#include "fdb_c/network.h"
#include "foundationdb/fdb_c.h"

using strata::ErrorCode;
using strata::fdb_c::FutureReference;

namespace {

constexpr fdb_error_t code(ErrorCode error) {
  return static_cast<fdb_error_t>(error);
}

// Locks `future` and checks that it holds a result of `kind`: future_not_set (2015) before
// it is ready, its error if it failed, future_released (1102) after release_memory, and
// client_invalid_operation (2000) for a getter that does not match the operation.
template <class Read>
fdb_error_t read_result(FDBFuture* future, FDBFuture::Kind kind, Read read) {
  std::lock_guard lock(future->mutex);
  if (!future->ready) return code(ErrorCode::future_not_set);
  if (future->error != 0) return future->error;
  if (future->released) return code(ErrorCode::future_released);
  if (future->kind != kind) return code(ErrorCode::client_invalid_operation);
  read(*future);
  return 0;
}

}  // namespace

extern "C" {

void fdb_future_cancel(FDBFuture* f) {
  FutureReference keep(f);  // the callback, run below, may destroy the future
  strata::fdb_c::fail_future(f, code(ErrorCode::operation_cancelled));
  strata::fdb_c::post_to_network([keep] { keep->operation.cancel(); });
}

void fdb_future_release_memory(FDBFuture* f) {
  std::lock_guard lock(f->mutex);
  if (!f->ready || f->error != 0) return;
  f->released = true;
  f->bytes.reset();
  std::vector<strata::KeyValue>().swap(f->rows);
  std::vector<FDBKeyValue>().swap(f->row_views);
  std::vector<std::string>().swap(f->items);
  std::vector<FDBKey>().swap(f->key_views);
  std::vector<const char*>().swap(f->string_views);
}

void fdb_future_destroy(FDBFuture* f) {
  bool pending;
  {
    std::lock_guard lock(f->mutex);
    pending = !f->ready;
  }
  if (pending) fdb_future_cancel(f);
  strata::fdb_c::release_future(f);
}

fdb_error_t fdb_future_block_until_ready(FDBFuture* f) {
  std::unique_lock lock(f->mutex);
  if (f->ready) return 0;
  // The network thread would wait for itself.
  if (strata::fdb_c::Network::instance().on_network_thread())
    return code(ErrorCode::blocked_from_network_thread);
  f->became_ready.wait(lock, [f] { return f->ready; });
  return 0;
}

fdb_bool_t fdb_future_is_ready(FDBFuture* f) {
  std::lock_guard lock(f->mutex);
  return f->ready;
}

fdb_error_t fdb_future_set_callback(FDBFuture* f, FDBCallback callback, void* callback_parameter) {
  {
    std::lock_guard lock(f->mutex);
    if (f->callback_registered) return code(ErrorCode::client_invalid_operation);
    f->callback_registered = true;
    if (!f->ready) {
      f->callback = callback;
      f->callback_parameter = callback_parameter;
      return 0;
    }
  }
  callback(f, callback_parameter);
  return 0;
}

fdb_error_t fdb_future_get_error(FDBFuture* f) {
  std::lock_guard lock(f->mutex);
  if (!f->ready) return code(ErrorCode::future_not_set);
  return f->error;
}

fdb_error_t fdb_future_get_int64(FDBFuture* f, int64_t* out) {
  return read_result(f, FDBFuture::Kind::number, [out](FDBFuture& r) { *out = r.number; });
}

fdb_error_t fdb_future_get_uint64(FDBFuture* f, uint64_t* out) {
  return read_result(f, FDBFuture::Kind::number,
                     [out](FDBFuture& r) { *out = static_cast<uint64_t>(r.number); });
}

fdb_error_t fdb_future_get_bool(FDBFuture* f, fdb_bool_t* out) {
  return read_result(f, FDBFuture::Kind::number, [out](FDBFuture& r) { *out = r.number != 0; });
}

fdb_error_t fdb_future_get_key(FDBFuture* f, uint8_t const** out_key, int* out_key_length) {
  return read_result(f, FDBFuture::Kind::key, [&](FDBFuture& r) {
    *out_key = reinterpret_cast<const uint8_t*>(r.bytes->data());
    *out_key_length = static_cast<int>(r.bytes->size());
  });
}

fdb_error_t fdb_future_get_value(FDBFuture* f, fdb_bool_t* out_present, uint8_t const** out_value,
                                 int* out_value_length) {
  return read_result(f, FDBFuture::Kind::value, [&](FDBFuture& r) {
    *out_present = r.bytes.has_value();
    *out_value = r.bytes ? reinterpret_cast<const uint8_t*>(r.bytes->data()) : nullptr;
    *out_value_length = r.bytes ? static_cast<int>(r.bytes->size()) : 0;
  });
}

fdb_error_t fdb_future_get_keyvalue_array(FDBFuture* f, FDBKeyValue const** out_kv, int* out_count,
                                          fdb_bool_t* out_more) {
  return read_result(f, FDBFuture::Kind::key_values, [&](FDBFuture& r) {
    *out_kv = r.row_views.data();
    *out_count = static_cast<int>(r.row_views.size());
    *out_more = r.more;
  });
}

fdb_error_t fdb_future_get_key_array(FDBFuture* f, FDBKey const** out_key_array, int* out_count) {
  return read_result(f, FDBFuture::Kind::keys, [&](FDBFuture& r) {
    *out_key_array = r.key_views.data();
    *out_count = static_cast<int>(r.key_views.size());
  });
}

fdb_error_t fdb_future_get_string_array(FDBFuture* f, const char*** out_strings, int* out_count) {
  return read_result(f, FDBFuture::Kind::strings, [&](FDBFuture& r) {
    *out_strings = r.string_views.data();
    *out_count = static_cast<int>(r.string_views.size());
  });
}

}  // extern "C"
