#pragma once

// FDBFuture: the result of one asynchronous C API call, shared between the application
// (which waits for it, reads it and destroys it, from any thread) and the network thread
// (which runs the operation and sets the result).
//
// Invariants:
// - The result is set once: by the operation, or by a cancellation (operation_cancelled,
//   1101), whichever comes first; the other is ignored.
// - The callback runs at most once, never under the lock.
// - References: the application holds one until fdb_future_destroy(); the operation holds
//   one until it finishes. The last release deletes the future on the network thread,
//   since `operation` (a runtime future) may only be touched there.

#include <atomic>
#include <condition_variable>  // lint: allows thread because applications wait on futures
#include <cstdint>
#include <functional>
#include <mutex>  // lint: allows thread because applications call in from their threads
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fdb_c/network.h"
#include "foundationdb/fdb_c_types.h"
#include "interfaces/types.h"
#include "runtime/error.h"
#include "runtime/future.h"

extern "C" typedef void (*FDBCallbackFunction)(FDBFuture* future, void* parameter);

struct FDB_future {
  enum class Kind { none, number, key, value, key_values, keys, strings };

  FDB_future() = default;
  FDB_future(const FDB_future&) = delete;
  FDB_future& operator=(const FDB_future&) = delete;

  strata::fdb_c::CountedHandle counted;
  std::atomic<int> references{1};

  std::mutex mutex;  // lint: allows thread because applications call in from their threads
  std::condition_variable became_ready;  // lint: allows thread because applications wait
  bool ready = false;
  bool released = false;  // fdb_future_release_memory() was called
  fdb_error_t error = 0;
  bool callback_registered = false;  // fdb_future_set_callback() may be called once
  FDBCallbackFunction callback = nullptr;
  void* callback_parameter = nullptr;

  // The result, by kind. The *_views arrays point into the owning vectors.
  Kind kind = Kind::none;
  int64_t number = 0;
  std::optional<std::string> bytes;  // key / value (nullopt: a value that is not present)
  std::vector<strata::KeyValue> rows;
  bool more = false;
  std::vector<FDBKeyValue> row_views;
  std::vector<std::string> items;  // keys or strings
  std::vector<FDBKey> key_views;
  std::vector<const char*> string_views;

  // The operation behind the future (network thread only): dropping it cancels it.
  strata::Future<strata::Void> operation;
};

namespace strata::fdb_c {

// A counted reference to a future, for the operation's side.
class FutureReference {
 public:
  explicit FutureReference(FDBFuture* future) : future_(future) { ++future->references; }
  FutureReference(const FutureReference& other) : FutureReference(other.future_) {}
  FutureReference& operator=(const FutureReference&) = delete;
  ~FutureReference();
  FDBFuture* operator->() const { return future_; }
  FDBFuture* get() const { return future_; }

 private:
  FDBFuture* future_;
};

// Drops one reference; the last one deletes the future on the network thread.
void release_future(FDBFuture* future);

// Sets the result (once): `fill` writes it, under the lock; then fires the callback.
void complete_future(FDBFuture* future, const std::function<void(FDBFuture&)>& fill);
void fail_future(FDBFuture* future, fdb_error_t error);

// A future already failed with `error` (for calls refused before they start).
FDBFuture* failed_future(fdb_error_t error);
// A future already holding `fill`'s result.
FDBFuture* ready_future(const std::function<void(FDBFuture&)>& fill);

// Starts `start()` on the network thread and returns the future that will hold its
// result, written by `fill(future, value)`. `start` runs on the network thread; errors it
// throws fail the future. After the network stopped, the future fails at once.
template <class T>
FDBFuture* start_operation(std::function<Future<T>()> start,
                           std::function<void(FDBFuture&, const T&)> fill);

// The fill functions of the common result kinds.
void fill_number(FDBFuture& future, int64_t number);
void fill_key(FDBFuture& future, std::string key);
void fill_value(FDBFuture& future, const std::optional<std::string>& value);
void fill_rows(FDBFuture& future, std::vector<KeyValue> rows, bool more);
void fill_keys(FDBFuture& future, std::vector<std::string> keys);
void fill_strings(FDBFuture& future, std::vector<std::string> strings);

// Runs on the network thread: the operation, awaited, its result set on the future.
template <class T>
Future<Void> bridge_operation(Future<T> operation, FutureReference future,
                              std::function<void(FDBFuture&, const T&)> fill) {
  try {
    T value = co_await operation;
    complete_future(future.get(), [&](FDBFuture& f) { fill(f, value); });
  } catch (Error& error) {
    fail_future(future.get(), error.is_cancellation()
                                  ? static_cast<fdb_error_t>(ErrorCode::operation_cancelled)
                                  : error.number());
    if (error.is_cancellation()) throw;
  }
}

bool post_to_network(std::function<void()> task);

template <class T>
FDBFuture* start_operation(std::function<Future<T>()> start,
                           std::function<void(FDBFuture&, const T&)> fill) {
  FDBFuture* future = new FDBFuture();
  FutureReference reference(future);
  bool posted = post_to_network([reference, start = std::move(start), fill = std::move(fill)] {
    Future<T> operation;
    try {
      operation = start();
    } catch (Error& error) {
      fail_future(reference.get(), error.number());
      return;
    }
    reference->operation = bridge_operation<T>(std::move(operation), reference, fill);
  });
  if (!posted) fail_future(future, static_cast<fdb_error_t>(ErrorCode::network_not_setup));
  return future;
}

}  // namespace strata::fdb_c
