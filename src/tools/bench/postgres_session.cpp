// PostgreSQL through libpq: a table kv(k bytea primary key, v bytea), prepared statements
// with binary parameters, a transaction per plan (a plan of one statement runs on its own,
// in autocommit). Serialization failures and deadlocks are conflicts, run again.

#include <string>
#include <utility>

#include <libpq-fe.h>

#include "runtime/real/threads.h"
#include "tools/bench/peer_session.h"

namespace strata::bench {

namespace {

using real::monotonic_seconds;

class Result {
 public:
  explicit Result(PGresult* result) : result_(result) {}
  Result(Result&& other) noexcept : result_(std::exchange(other.result_, nullptr)) {}
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;
  ~Result() {
    if (result_) PQclear(result_);
  }
  PGresult* get() const { return result_; }
  bool ok() const {
    ExecStatusType status = PQresultStatus(result_);
    return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
  }
  // A serialization failure or a deadlock: the transaction may succeed if run again.
  bool conflicted() const {
    const char* state = PQresultErrorField(result_, PG_DIAG_SQLSTATE);
    return state != nullptr && (std::string(state) == "40001" || std::string(state) == "40P01");
  }

 private:
  PGresult* result_;
};

class PostgresSession final : public PeerSession {
 public:
  explicit PostgresSession(const std::string& conninfo)
      : connection_(PQconnectdb(conninfo.c_str())) {
    if (PQstatus(connection_) != CONNECTION_OK) {
      std::string message = PQerrorMessage(connection_);
      PQfinish(connection_);
      throw PeerError("cannot connect to PostgreSQL (" + conninfo + "): " + message);
    }
  }
  ~PostgresSession() override { PQfinish(connection_); }

  void prepare() override {
    check(exec("CREATE TABLE IF NOT EXISTS kv (k bytea PRIMARY KEY, v bytea NOT NULL)"),
          "creating table kv");
  }

  void load(const std::vector<KeyValue>& rows) override {
    prepare_statements();
    check(exec("BEGIN"), "BEGIN");
    for (const KeyValue& row : rows)
      check(put(row.key, row.value), "loading");
    check(exec("COMMIT"), "COMMIT");
  }

  bool run(const TransactionPlan& plan, bool measured, Timings& timings) override {
    prepare_statements();
    if (plan.ops.size() == 1 && plan.ops.front().kind != OpKind::read_modify_write) {
      // One statement: autocommit, as an application would send it.
      double started = monotonic_seconds();
      Result result = statement(plan.ops.front(), timings, measured);
      if (result.conflicted()) return false;
      check(result, "a statement");
      if (measured && plan.writes()) timings.commit.add(monotonic_seconds() - started);
      return true;
    }
    check(exec("BEGIN"), "BEGIN");
    for (const Op& op : plan.ops) {
      Result result = statement(op, timings, measured);
      if (result.conflicted()) {
        check(exec("ROLLBACK"), "ROLLBACK");
        return false;
      }
      check(result, "a statement");
    }
    double started = monotonic_seconds();
    Result commit = exec("COMMIT");
    if (commit.conflicted()) return false;
    check(commit, "COMMIT");
    if (measured && plan.writes()) timings.commit.add(monotonic_seconds() - started);
    return true;
  }

 private:
  Result exec(const char* sql) { return Result(PQexec(connection_, sql)); }

  void check(const Result& result, const std::string& what) {
    if (!result.ok())
      throw PeerError("PostgreSQL failed " + what + ": " + PQresultErrorMessage(result.get()));
  }

  void prepare_statements() {
    if (prepared_) return;
    const char* statements[][2] = {
        {"get", "SELECT v FROM kv WHERE k = $1"},
        {"get_for_update", "SELECT v FROM kv WHERE k = $1 FOR UPDATE"},
        {"put",
         "INSERT INTO kv (k, v) VALUES ($1, $2) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v"},
        {"scan", "SELECT k, v FROM kv WHERE k >= $1 AND k < $2 ORDER BY k LIMIT $3"},
    };
    for (const auto& [name, sql] : statements)
      check(Result(PQprepare(connection_, name, sql, 0, nullptr)),
            std::string("preparing ") + name);
    prepared_ = true;
  }

  Result prepared(const char* name, std::initializer_list<std::string> binary,
                  const std::string* text = nullptr) {
    std::vector<const char*> values;
    std::vector<int> lengths;
    std::vector<int> formats;
    for (const std::string& value : binary) {
      values.push_back(value.data());
      lengths.push_back(static_cast<int>(value.size()));
      formats.push_back(1);
    }
    if (text != nullptr) {
      values.push_back(text->c_str());
      lengths.push_back(0);
      formats.push_back(0);
    }
    return Result(PQexecPrepared(connection_, name, static_cast<int>(values.size()), values.data(),
                                 lengths.data(), formats.data(), 1));
  }

  Result put(const std::string& key, const std::string& value) {
    return prepared("put", {key, value});
  }

  Result statement(const Op& op, Timings& timings, bool measured) {
    double started = monotonic_seconds();
    switch (op.kind) {
      case OpKind::read:
      case OpKind::read_modify_write: {
        Result result = prepared(op.kind == OpKind::read ? "get" : "get_for_update", {op.key});
        if (measured) timings.read.add(monotonic_seconds() - started);
        if (op.kind == OpKind::read || !result.ok()) return result;
        return put(op.key, op.value);
      }
      case OpKind::scan: {
        std::string limit = std::to_string(op.rows);
        Result result = prepared("scan", {op.key, op.end}, &limit);
        if (measured) {
          timings.read.add(monotonic_seconds() - started);
          if (result.ok()) timings.rows_read += static_cast<uint64_t>(PQntuples(result.get()));
        }
        return result;
      }
      case OpKind::write:
      case OpKind::insert:
        return put(op.key, op.value);
    }
    return put(op.key, op.value);
  }

  PGconn* connection_;
  bool prepared_ = false;
};

}  // namespace

std::unique_ptr<PeerSession> connect_postgres(const BenchOptions& options) {
  return std::make_unique<PostgresSession>(options.postgres);
}

}  // namespace strata::bench
