// The fdb_transaction_* functions: each hands its work to the transaction on the network
// thread; the ones that return nothing defer their errors to the transaction's next
// operation, as FoundationDB's do.

#define FDB_API_VERSION 730
#include <string>
#include <string_view>

#include "fdb_c/future_cell.h"
#include "fdb_c/handles.h"
#include "fdb_c/network.h"
#include "foundationdb/fdb_c.h"

using strata::Error;
using strata::ErrorCode;
using strata::Future;
using strata::Transaction;
using strata::Void;
using strata::fdb_c::TransactionCore;

namespace strata::fdb_c {

void apply_default_options(TransactionCore& core) {
  for (const TransactionOption& option : core.defaults->options()) {
    try {
      apply_transaction_option(*core.transaction, option);
    } catch (Error& error) {
      if (!core.deferred_error) core.deferred_error = error;
    }
  }
}

}  // namespace strata::fdb_c

namespace {

using Core = std::shared_ptr<TransactionCore>;

constexpr fdb_error_t code(ErrorCode error) {
  return static_cast<fdb_error_t>(error);
}

std::string bytes(const uint8_t* data, int length) {
  if (data == nullptr || length <= 0) return std::string();
  return std::string(reinterpret_cast<const char*>(data), static_cast<size_t>(length));
}

// Runs `change` on the transaction; what it throws is deferred.
void change_transaction(FDBTransaction* tr, std::function<void(Transaction&)> change) {
  strata::fdb_c::Network::instance().post([core = tr->core, change = std::move(change)] {
    try {
      change(*core->transaction);
    } catch (Error& error) {
      if (!core->deferred_error) core->deferred_error = error;
    }
  });
}

// Starts `operation` on the transaction; a deferred error fails it instead.
template <class T>
FDBFuture* start_on_transaction(FDBTransaction* tr, std::function<Future<T>(const Core&)> operation,
                                std::function<void(FDBFuture&, const T&)> fill) {
  return strata::fdb_c::start_operation<T>(
      [core = tr->core, operation = std::move(operation)]() -> Future<T> {
        if (core->deferred_error) throw *core->deferred_error;
        return operation(core);
      },
      std::move(fill));
}

void fill_nothing(FDBFuture&, const Void&) {}

void fill_version(FDBFuture& future, const int64_t& number) {
  strata::fdb_c::fill_number(future, number);
}

Future<Void> commit_and_record(Core core) {
  co_await core->transaction->commit();
  core->committed_version = core->transaction->committed_version();
}

Future<Void> retry_after(Core core, Error error) {
  co_await core->transaction->on_error(error);
  core->deferred_error.reset();
  core->committed_version = -1;
}

}  // namespace

extern "C" {

void fdb_transaction_destroy(FDBTransaction* tr) {
  // Operations in flight keep the transaction's core; an uncommitted transaction's writes
  // are dropped with it.
  strata::fdb_c::Network::instance().post([tr] { delete tr; });
}

void fdb_transaction_cancel(FDBTransaction* tr) {
  change_transaction(tr, [](Transaction& t) { t.cancel(); });
}

fdb_error_t fdb_transaction_set_option(FDBTransaction* tr, FDBTransactionOption option,
                                       uint8_t const* value, int value_length) {
  strata::fdb_c::TransactionOption parsed;
  if (fdb_error_t error =
          strata::fdb_c::parse_transaction_option(option, value, value_length, &parsed)) {
    return error;
  }
  // access_system_keys, read_system_keys, raw_access.
  if (tr->core->in_tenant && (parsed.code == 301 || parsed.code == 302 || parsed.code == 303)) {
    return code(ErrorCode::invalid_option);
  }
  if (parsed.code != 0) {
    change_transaction(
        tr, [parsed](Transaction& t) { strata::fdb_c::apply_transaction_option(t, parsed); });
  }
  return 0;
}

void fdb_transaction_set_read_version(FDBTransaction* tr, int64_t version) {
  change_transaction(tr, [version](Transaction& t) { t.set_read_version(version); });
}

FDBFuture* fdb_transaction_get_read_version(FDBTransaction* tr) {
  return start_on_transaction<int64_t>(
      tr, [](const Core& core) { return core->transaction->get_read_version(); }, fill_version);
}

FDBFuture* fdb_transaction_get(FDBTransaction* tr, uint8_t const* key_name, int key_name_length,
                               fdb_bool_t snapshot) {
  return start_on_transaction<std::optional<std::string>>(
      tr,
      [key = bytes(key_name, key_name_length), snapshot](const Core& core) {
        return core->transaction->get(key, snapshot != 0);
      },
      strata::fdb_c::fill_value);
}

FDBFuture* fdb_transaction_get_key(FDBTransaction* tr, uint8_t const* key_name, int key_name_length,
                                   fdb_bool_t or_equal, int offset, fdb_bool_t snapshot) {
  strata::KeySelector selector{bytes(key_name, key_name_length), or_equal != 0, offset};
  return start_on_transaction<std::string>(
      tr,
      [selector, snapshot](const Core& core) {
        return core->transaction->get_key(selector, snapshot != 0);
      },
      [](FDBFuture& future, const std::string& key) { strata::fdb_c::fill_key(future, key); });
}

FDBFuture* fdb_transaction_get_addresses_for_key(FDBTransaction* tr, uint8_t const* key_name,
                                                 int key_name_length) {
  return start_on_transaction<std::vector<std::string>>(
      tr,
      [key = bytes(key_name, key_name_length)](const Core& core) {
        return core->transaction->get_addresses_for_key(key);
      },
      [](FDBFuture& future, const std::vector<std::string>& addresses) {
        strata::fdb_c::fill_strings(future, addresses);
      });
}

FDBFuture* fdb_transaction_get_range(FDBTransaction* tr, uint8_t const* begin_key_name,
                                     int begin_key_name_length, fdb_bool_t begin_or_equal,
                                     int begin_offset, uint8_t const* end_key_name,
                                     int end_key_name_length, fdb_bool_t end_or_equal,
                                     int end_offset, int limit, int target_bytes,
                                     FDBStreamingMode mode, int iteration, fdb_bool_t snapshot,
                                     fdb_bool_t reverse) {
  strata::KeySelector begin{bytes(begin_key_name, begin_key_name_length), begin_or_equal != 0,
                            begin_offset};
  strata::KeySelector end{bytes(end_key_name, end_key_name_length), end_or_equal != 0, end_offset};
  return start_on_transaction<strata::RangeResult>(
      tr,
      [=](const Core& core) {
        strata::RangeLimits limits = strata::range_limits(
            limit, target_bytes, static_cast<strata::StreamingMode>(mode), iteration);
        return core->transaction->get_range(begin, end, limits, reverse != 0, snapshot != 0);
      },
      [](FDBFuture& future, const strata::RangeResult& result) {
        strata::fdb_c::fill_rows(future, result.rows, result.more);
      });
}

void fdb_transaction_set(FDBTransaction* tr, uint8_t const* key_name, int key_name_length,
                         uint8_t const* value, int value_length) {
  change_transaction(tr,
                     [key = bytes(key_name, key_name_length),
                      value = bytes(value, value_length)](Transaction& t) { t.set(key, value); });
}

void fdb_transaction_atomic_op(FDBTransaction* tr, uint8_t const* key_name, int key_name_length,
                               uint8_t const* param, int param_length,
                               FDBMutationType operation_type) {
  int type = static_cast<int>(operation_type);
  if (type < 2 || type > 255 || !strata::is_known_mutation_type(static_cast<uint8_t>(type))) {
    // Not an atomic operation (set and clear have their own functions).
    change_transaction(tr, [](Transaction&) {
      throw Error(ErrorCode::invalid_mutation_type, "not an atomic operation");
    });
    return;
  }
  change_transaction(tr, [key = bytes(key_name, key_name_length),
                          operand = bytes(param, param_length), type](Transaction& t) {
    t.atomic_op(key, operand, static_cast<strata::MutationType>(type));
  });
}

void fdb_transaction_clear(FDBTransaction* tr, uint8_t const* key_name, int key_name_length) {
  change_transaction(tr,
                     [key = bytes(key_name, key_name_length)](Transaction& t) { t.clear(key); });
}

void fdb_transaction_clear_range(FDBTransaction* tr, uint8_t const* begin_key_name,
                                 int begin_key_name_length, uint8_t const* end_key_name,
                                 int end_key_name_length) {
  change_transaction(tr, [begin = bytes(begin_key_name, begin_key_name_length),
                          end = bytes(end_key_name, end_key_name_length)](Transaction& t) {
    t.clear_range(begin, end);
  });
}

FDBFuture* fdb_transaction_watch(FDBTransaction* tr, uint8_t const* key_name, int key_name_length) {
  return start_on_transaction<Void>(
      tr,
      [key = bytes(key_name, key_name_length)](const Core& core) {
        return core->transaction->watch(key);
      },
      fill_nothing);
}

FDBFuture* fdb_transaction_commit(FDBTransaction* tr) {
  return start_on_transaction<Void>(
      tr, [](const Core& core) { return commit_and_record(core); }, fill_nothing);
}

fdb_error_t fdb_transaction_get_committed_version(FDBTransaction* tr, int64_t* out_version) {
  *out_version = tr->core->committed_version.load();
  return 0;
}

FDBFuture* fdb_transaction_get_approximate_size(FDBTransaction* tr) {
  return start_on_transaction<int64_t>(
      tr,
      [](const Core& core) {
        return Future<int64_t>(static_cast<int64_t>(core->transaction->approximate_size()));
      },
      fill_version);
}

FDBFuture* fdb_transaction_get_versionstamp(FDBTransaction* tr) {
  return start_on_transaction<std::string>(
      tr, [](const Core& core) { return core->transaction->get_versionstamp(); },
      [](FDBFuture& future, const std::string& stamp) { strata::fdb_c::fill_key(future, stamp); });
}

FDBFuture* fdb_transaction_on_error(FDBTransaction* tr, fdb_error_t error) {
  // An unknown code is not retryable: on_error hands it back.
  if (!strata::is_known_error_number(error) || error == 0)
    return strata::fdb_c::failed_future(error == 0 ? code(ErrorCode::client_invalid_operation)
                                                   : error);
  return strata::fdb_c::start_operation<Void>(
      [core = tr->core, error] { return retry_after(core, Error(static_cast<ErrorCode>(error))); },
      fill_nothing);
}

void fdb_transaction_reset(FDBTransaction* tr) {
  strata::fdb_c::Network::instance().post([core = tr->core] {
    core->transaction->reset();
    core->deferred_error.reset();
    core->committed_version = -1;
    strata::fdb_c::apply_default_options(*core);
  });
}

fdb_error_t fdb_transaction_add_conflict_range(FDBTransaction* tr, uint8_t const* begin_key_name,
                                               int begin_key_name_length,
                                               uint8_t const* end_key_name, int end_key_name_length,
                                               FDBConflictRangeType type) {
  if (type != FDB_CONFLICT_RANGE_TYPE_READ && type != FDB_CONFLICT_RANGE_TYPE_WRITE)
    return code(ErrorCode::invalid_option_value);
  std::string begin = bytes(begin_key_name, begin_key_name_length);
  std::string end = bytes(end_key_name, end_key_name_length);
  if (begin > end) return code(ErrorCode::inverted_range);
  change_transaction(tr, [begin = std::move(begin), end = std::move(end), type](Transaction& t) {
    if (type == FDB_CONFLICT_RANGE_TYPE_READ) {
      t.add_read_conflict_range(begin, end);
    } else {
      t.add_write_conflict_range(begin, end);
    }
  });
  return 0;
}

FDBFuture* fdb_transaction_get_estimated_range_size_bytes(FDBTransaction* tr,
                                                          uint8_t const* begin_key_name,
                                                          int begin_key_name_length,
                                                          uint8_t const* end_key_name,
                                                          int end_key_name_length) {
  return start_on_transaction<int64_t>(
      tr,
      [begin = bytes(begin_key_name, begin_key_name_length),
       end = bytes(end_key_name, end_key_name_length)](const Core& core) {
        return core->transaction->get_estimated_range_size_bytes(begin, end);
      },
      fill_version);
}

FDBFuture* fdb_transaction_get_range_split_points(FDBTransaction* tr, uint8_t const* begin_key_name,
                                                  int begin_key_name_length,
                                                  uint8_t const* end_key_name,
                                                  int end_key_name_length, int64_t chunk_size) {
  return start_on_transaction<std::vector<std::string>>(
      tr,
      [begin = bytes(begin_key_name, begin_key_name_length),
       end = bytes(end_key_name, end_key_name_length), chunk_size](const Core& core) {
        return core->transaction->get_range_split_points(begin, end, chunk_size);
      },
      [](FDBFuture& future, const std::vector<std::string>& keys) {
        strata::fdb_c::fill_keys(future, keys);
      });
}

}  // extern "C"
