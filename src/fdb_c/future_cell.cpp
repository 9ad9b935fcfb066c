#include "fdb_c/future_cell.h"

#include "fdb_c/network.h"

namespace strata::fdb_c {

FutureReference::~FutureReference() {
  release_future(future_);
}

bool post_to_network(std::function<void()> task) {
  return Network::instance().post(std::move(task));
}

void release_future(FDBFuture* future) {
  if (--future->references > 0) return;
  // Deleting drops `operation`, which only the network thread may do. Once the network
  // has stopped there is no such thread, and the future is left as it is.
  post_to_network([future] { delete future; });
}

namespace {

void set_result(FDBFuture* future, const std::function<void(FDBFuture&)>& fill) {
  FDBCallbackFunction callback = nullptr;
  void* parameter = nullptr;
  {
    std::lock_guard lock(future->mutex);
    if (future->ready) return;
    fill(*future);
    future->ready = true;
    callback = std::exchange(future->callback, nullptr);
    parameter = future->callback_parameter;
  }
  future->became_ready.notify_all();
  // The callback may destroy the future: nothing of it is touched afterwards.
  if (callback) callback(future, parameter);
}

}  // namespace

void complete_future(FDBFuture* future, const std::function<void(FDBFuture&)>& fill) {
  set_result(future, fill);
}

void fail_future(FDBFuture* future, fdb_error_t error) {
  set_result(future, [error](FDBFuture& f) { f.error = error; });
}

FDBFuture* failed_future(fdb_error_t error) {
  FDBFuture* future = new FDBFuture();
  future->ready = true;
  future->error = error;
  return future;
}

FDBFuture* ready_future(const std::function<void(FDBFuture&)>& fill) {
  FDBFuture* future = new FDBFuture();
  fill(*future);
  future->ready = true;
  return future;
}

void fill_number(FDBFuture& future, int64_t number) {
  future.kind = FDBFuture::Kind::number;
  future.number = number;
}

void fill_key(FDBFuture& future, std::string key) {
  future.kind = FDBFuture::Kind::key;
  future.bytes = std::move(key);
}

void fill_value(FDBFuture& future, const std::optional<std::string>& value) {
  future.kind = FDBFuture::Kind::value;
  future.bytes = value;
}

void fill_rows(FDBFuture& future, std::vector<KeyValue> rows, bool more) {
  future.kind = FDBFuture::Kind::key_values;
  future.rows = std::move(rows);
  future.more = more;
  future.row_views.reserve(future.rows.size());
  for (const KeyValue& row : future.rows) {
    future.row_views.push_back(FDBKeyValue{
        reinterpret_cast<const uint8_t*>(row.key.data()), static_cast<int>(row.key.size()),
        reinterpret_cast<const uint8_t*>(row.value.data()), static_cast<int>(row.value.size())});
  }
}

void fill_keys(FDBFuture& future, std::vector<std::string> keys) {
  future.kind = FDBFuture::Kind::keys;
  future.items = std::move(keys);
  future.key_views.reserve(future.items.size());
  for (const std::string& key : future.items) {
    future.key_views.push_back(
        FDBKey{reinterpret_cast<const uint8_t*>(key.data()), static_cast<int>(key.size())});
  }
}

void fill_strings(FDBFuture& future, std::vector<std::string> strings) {
  future.kind = FDBFuture::Kind::strings;
  future.items = std::move(strings);
  future.string_views.reserve(future.items.size());
  for (const std::string& text : future.items)
    future.string_views.push_back(text.c_str());
}

}  // namespace strata::fdb_c
