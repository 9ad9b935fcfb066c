#include "layers/redis/client_connection.h"

#include <limits>
#include <optional>

#include "layers/redis/arguments.h"
#include "layers/redis/client_subscriptions.h"
#include "layers/redis/command_executor.h"
#include "layers/redis/command_lanes.h"
#include "layers/redis/command_table.h"
#include "layers/redis/redis_integer.h"
#include "layers/redis/redis_knobs.h"
#include "layers/redis/reply_writer.h"
#include "layers/redis/request_parser.h"
#include "runtime/combinators.h"
#include "runtime/trace.h"

namespace strata::redis {

namespace {

constexpr std::string_view no_auth_message = "NOAUTH Authentication required.";
constexpr std::string_view wrong_password_message =
    "WRONGPASS invalid username-password pair or user is disabled.";

// How long a connection that is closing waits for its last replies to go out.
constexpr double close_linger_s = 5.0;
// How long a blocked command pauses after a watch failed, before it runs again.
constexpr double blocked_retry_delay_s = 0.1;

RequestLimits request_limits() {
  const RedisKnobs& knobs = redis_knobs();
  RequestLimits limits;
  limits.arguments_max = knobs.arguments_max;
  limits.argument_bytes_max = knobs.argument_bytes_max;
  limits.inline_bytes_max = knobs.inline_bytes_max;
  return limits;
}

// RESP2's subscribed context: the commands a client subscribed to anything may run.
bool allowed_when_subscribed(std::string_view name) {
  return name == "subscribe" || name == "psubscribe" || name == "ssubscribe" ||
         name == "unsubscribe" || name == "punsubscribe" || name == "sunsubscribe" ||
         name == "ping" || name == "quit" || name == "reset";
}

// The name Redis's errors give a command: "config|get" for a subcommand it knows.
std::string full_name(const CommandSpec& spec, const std::vector<std::string>& arguments) {
  if (arguments.size() < 2 || spec.subcommands.empty()) return spec.name;
  const std::string sub = spec.name + "|" + lower_case(arguments[1]);
  for (const CommandSpec& known : spec.subcommands) {
    if (known.name == sub) return sub;
  }
  return spec.name;
}

// CLIENT REPLY: handled by the connection, whose replies it turns on and off.
bool is_client_reply(const std::vector<std::string>& arguments) {
  return arguments.size() >= 2 && lower_case(arguments[0]) == "client" &&
         lower_case(arguments[1]) == "reply";
}

// The state of one connection, and what it does with each request.
class ClientConnection {
 public:
  ClientConnection(Instance& instance, std::shared_ptr<Connection> connection)
      : instance_(instance),
        connection_(std::move(connection)),
        parser_(request_limits()),
        session_(new_session(instance_)),
        subscriptions_(instance_, session_.id, connection_, out_, session_) {
    session_.authenticated = !instance_.password().has_value();
    ClientInfo& info = instance_.clients()[session_.id];
    info.session = session_;
    info.address = connection_->peer_address().to_string();
    info.local_address = instance_.config()["bind"];
    info.connected_at = env().now();
    info.last_command_at = info.connected_at;
    ++instance_.stats().connections_received;
  }
  ~ClientConnection() { instance_.clients().erase(session_.id); }

  Future<Void> run();

 private:
  static Session new_session(Instance& instance) {
    Session session;
    session.id = instance.next_client_id();
    return session;
  }
  // SUBSCRIBE, UNSUBSCRIBE and the like (client_subscriptions.h).
  Future<Void> run_subscription(const std::string& name, std::vector<std::string> arguments);
  // Runs one request that does not go in a pipeline, answered as CLIENT REPLY says; false
  // when the connection is to close after the replies so far.
  Future<bool> handle(std::vector<std::string> arguments);
  Future<bool> handle_command(std::vector<std::string> arguments);
  // CLIENT REPLY ON|OFF|SKIP; whether `arguments` is that command.
  bool client_reply(const std::vector<std::string>& arguments);
  Future<Void> run_one(std::vector<std::string> arguments);
  // Plain commands (no MULTI, not blocking): those that write share transactions with
  // other clients' (command_lanes.h).
  Future<ExecutionResult> run_plain(Execution execution);
  // A blocking command: runs it, and while it finds nothing, waits for a change of the
  // keys it names (Strata watches) or its timeout, and runs it again.
  Future<Void> run_blocking(std::vector<std::string> arguments);
  // Commands a client sent together (pipelined) that run as any command does, inside no
  // MULTI, no subscribed context, and not blocking: they run as one transaction, which
  // answers each in order (command_executor.h), saving a transaction per command. Their
  // replies wait for the transaction's commit, as they would wait for each other.
  bool pipelinable(const std::vector<std::string>& arguments) const;
  Future<Void> run_pipeline(std::vector<std::vector<std::string>> commands);
  // Waits for the first of `waits` or a CLIENT UNBLOCK (index waits.size()), counted
  // meanwhile as a blocked client (INFO, CLIENT LIST).
  Future<size_t> wait_blocked(std::vector<Future<Void>> waits) {
    struct Blocked {
      Instance& instance;
      uint64_t id;
      Blocked(Instance& instance, uint64_t id, const Promise<Void>& unblock)
          : instance(instance), id(id) {
        if (ClientInfo* client = find()) {
          client->blocked = true;
          client->unblock = unblock;
          client->unblock_error = false;
        }
      }
      ~Blocked() {
        if (ClientInfo* client = find()) {
          client->blocked = false;
          client->unblock.reset();
        }
      }
      ClientInfo* find() {
        auto client = instance.clients().find(id);
        return client == instance.clients().end() ? nullptr : &client->second;
      }
    };
    Promise<Void> unblock;
    waits.push_back(unblock.get_future());
    Blocked blocked(instance_, session_.id, unblock);
    // The connection is read meanwhile, as Redis does: a client that goes away stops
    // waiting at once (its watches and its place among the blocked with it), and what it
    // sends meanwhile runs after this command.
    while (true) {
      if (!pending_read_) pending_read_ = connection_->read();
      std::vector<Future<Void>> all = waits;
      all.push_back(when_read(*pending_read_));
      const size_t ready = co_await first_ready(all);
      if (ready < waits.size()) co_return ready;
      Future<std::string> read = std::move(*pending_read_);
      pending_read_.reset();
      if (read.is_error()) co_return disconnected;
      parser_.append(read.get());
      if (query_buffer_over_limit()) {
        connection_->close();
        co_return disconnected;
      }
    }
  }
  // Whether the client sent more than a connection may hold unparsed (it is then closed);
  // traced.
  bool query_buffer_over_limit() const {
    if (static_cast<int64_t>(parser_.buffered_bytes()) <= redis_knobs().query_buffer_bytes_max)
      return false;
    TraceEvent(Severity::warn, "RedisQueryBufferLimit")
        .detail("Client", connection_->peer_address().to_string())
        .detail("Bytes", parser_.buffered_bytes());
    return true;
  }
  // What wait_blocked answers when the client went away.
  static constexpr size_t disconnected = std::numeric_limits<size_t>::max();
  // Ready when `read` is, whether it brought bytes or failed (it is looked at after).
  static Future<Void> when_read(Future<std::string> read) {
    try {
      co_await read;
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
    }
  }
  bool unblocked_with_error() {
    auto client = instance_.clients().find(session_.id);
    return client != instance_.clients().end() && client->second.unblock_error;
  }
  Future<Void> exec();
  bool auth(const std::vector<std::string>& arguments);
  void hello(const std::vector<std::string>& arguments);
  void reset();
  void discard_multi() {
    queued_.reset();
    queue_failed_ = false;
  }
  // Replies go out in the protocol the session speaks now.
  // Every error reply of the connection is counted (INFO errorstats).
  void error(std::string_view message) {
    instance_.stats().count_error(message);
    out_.error(message);
  }
  // A command refused before it ran (INFO commandstats' rejected_calls).
  void reject(std::string_view name, std::string_view message) {
    ++instance_.stats().commands[std::string(name)].rejected_calls;
    error(message);
  }
  void flush() {
    if (!out_.buffer().empty()) connection_->write(out_.take());
  }
  // Sends the replies so far, then closes (close() alone would drop what is unsent: the
  // error that explains why the connection ends, say).
  Future<Void> close_after_replies() {
    flush();
    const double give_up_at = env().now() + close_linger_s;
    while (connection_->unsent_bytes() > 0 && env().now() < give_up_at)
      co_await delay(0.01);
    connection_->close();
  }
  void remember(const std::string& command) {
    auto found = instance_.clients().find(session_.id);
    if (found == instance_.clients().end()) return;
    found->second.session = session_;
    found->second.last_command = lower_case(command);
    found->second.last_command_at = env().now();
    found->second.in_multi = queued_.has_value();
  }

  Instance& instance_;
  std::shared_ptr<Connection> connection_;
  RequestParser parser_;
  Session session_;
  ReplyWriter out_;
  // A read of the connection started while a blocking command waited, not yet taken.
  std::optional<Future<std::string>> pending_read_;
  // CLIENT REPLY: on; off (no replies until ON); skip_next (none for the next command).
  enum class ReplyMode { on, off, skip_next };
  ReplyMode reply_mode_ = ReplyMode::on;
  // MULTI: the commands queued since (nullopt outside MULTI), and whether one of them was
  // refused (EXEC then aborts).
  std::optional<std::vector<std::vector<std::string>>> queued_;
  bool queue_failed_ = false;
  WatchedKeys watched_;
  // After session_ and out_, which it refers to.
  ClientSubscriptions subscriptions_;
};

Future<Void> ClientConnection::run() {
  while (true) {
    std::string bytes;
    try {
      // A read a blocking command started while it waited, if any, comes first.
      Future<std::string> read = pending_read_ ? std::move(*pending_read_) : connection_->read();
      pending_read_.reset();
      bytes = co_await read;
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
      co_return;  // the client went away
    }
    parser_.append(bytes);
    if (query_buffer_over_limit()) {
      co_await close_after_replies();
      co_return;
    }
    // Plain commands that arrived together run as one transaction (run_pipeline).
    std::vector<std::vector<std::string>> pipeline;
    while (true) {
      RequestParser::Result request = parser_.next(session_.authenticated);
      if (request.status == RequestParser::Status::need_more) break;
      if (request.status == RequestParser::Status::protocol_error) {
        co_await run_pipeline(std::move(pipeline));
        error("ERR " + request.error);
        co_await close_after_replies();
        co_return;
      }
      if (pipelinable(request.arguments) &&
          static_cast<int64_t>(pipeline.size()) < redis_knobs().pipeline_commands_max) {
        ++instance_.stats().commands_processed;
        remember(request.arguments[0]);
        pipeline.push_back(std::move(request.arguments));
        continue;
      }
      co_await run_pipeline(std::move(pipeline));
      pipeline.clear();
      if (!co_await handle(std::move(request.arguments))) {
        co_await close_after_replies();
        co_return;
      }
    }
    co_await run_pipeline(std::move(pipeline));
    flush();
  }
}

bool ClientConnection::pipelinable(const std::vector<std::string>& arguments) const {
  const CommandSpec* spec = CommandTable::instance().find(arguments[0]);
  using namespace command_flags;
  // Under CLIENT REPLY OFF or SKIP each command is answered (or not) on its own.
  if (reply_mode_ != ReplyMode::on || is_client_reply(arguments)) return false;
  return spec && spec->handler && spec->arity_accepts(arguments.size()) &&
         (session_.authenticated || spec->has(no_auth)) && !spec->has(blocking) &&
         !spec->has(connection) && !spec->has(no_multi) && !spec->has(pubsub) && !queued_ &&
         !subscriptions_.active();
}

Future<Void> ClientConnection::run_pipeline(std::vector<std::vector<std::string>> commands) {
  if (commands.empty()) co_return;
  if (commands.size() == 1) {
    co_await run_one(std::move(commands.front()));
    co_return;
  }
  Execution execution;
  execution.commands = commands;
  ExecutionResult result = co_await run_plain(std::move(execution));
  if (result.failed) {
    // Over one of Strata's limits together: each on its own, so that each gets its answer.
    for (std::vector<std::string>& command : commands)
      co_await run_one(std::move(command));
    co_return;
  }
  session_ = std::move(result.session);
  out_.set_protocol(session_.protocol);
  out_.append_raw(result.reply);
}

Future<bool> ClientConnection::handle(std::vector<std::string> arguments) {
  if (!queued_ && client_reply(arguments)) co_return true;
  const bool silent = reply_mode_ != ReplyMode::on;
  if (reply_mode_ == ReplyMode::skip_next) reply_mode_ = ReplyMode::on;
  out_.set_muted(silent);
  const bool keep_open = co_await handle_command(std::move(arguments));
  out_.set_muted(false);
  co_return keep_open;
}

bool ClientConnection::client_reply(const std::vector<std::string>& arguments) {
  if (!is_client_reply(arguments)) return false;
  ++instance_.stats().commands_processed;
  remember(arguments[0]);
  const std::string mode = arguments.size() == 3 ? lower_case(arguments[2]) : "";
  if (mode == "on") {
    reply_mode_ = ReplyMode::on;
    out_.simple_string("OK");
  } else if (mode == "off") {
    reply_mode_ = ReplyMode::off;
  } else if (mode == "skip") {
    // Its own reply is skipped too; the next command's is, unless OFF came before.
    if (reply_mode_ == ReplyMode::on) reply_mode_ = ReplyMode::skip_next;
  } else {
    error("ERR syntax error");
  }
  return true;
}

Future<bool> ClientConnection::handle_command(std::vector<std::string> arguments) {
  ++instance_.stats().commands_processed;
  remember(arguments[0]);
  const std::string name = lower_case(arguments[0]);
  const CommandSpec* spec = CommandTable::instance().find(name);
  if (!spec) {
    if (queued_) queue_failed_ = true;
    error(unknown_command_message(arguments));
    co_return true;
  }
  if (!session_.authenticated && !spec->has(command_flags::no_auth)) {
    if (queued_) queue_failed_ = true;
    reject(name, no_auth_message);
    co_return true;
  }
  if (!spec->arity_accepts(arguments.size())) {
    if (queued_) queue_failed_ = true;
    reject(name, wrong_arguments_message(name));
    co_return true;
  }
  if (subscriptions_.active() && session_.protocol == 2) {
    if (!allowed_when_subscribed(name)) {
      reject(name,
             "ERR Can't execute '" + full_name(*spec, arguments) +
                 "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in "
                 "this context");
      co_return true;
    }
    if (name == "ping") {
      // Redis's PING answer in the subscribed context, where a reply must be an array.
      if (arguments.size() > 2) {
        error(wrong_arguments_message("ping"));
      } else {
        out_.array(2);
        out_.bulk_string("pong");
        out_.bulk_string(arguments.size() == 2 ? arguments[1] : "");
      }
      co_return true;
    }
  }
  if (name == "quit") {
    out_.simple_string("OK");
    co_return false;
  }
  if (name == "reset") {
    co_await subscriptions_.leave_all();
    reset();
    out_.simple_string("RESET");
    co_return true;
  }
  if (queued_) {
    if (name == "exec") {
      co_await exec();
    } else if (name == "discard") {
      discard_multi();
      watched_ = WatchedKeys{};
      out_.simple_string("OK");
    } else if (name == "multi") {
      error("ERR MULTI calls can not be nested");
    } else if (name == "watch") {
      error("ERR WATCH inside MULTI is not allowed");
    } else if (name == "unwatch") {
      // Queued in Redis, where it changes nothing once MULTI started; answered at EXEC.
      queued_->push_back(std::move(arguments));
      out_.simple_string("QUEUED");
    } else if (spec->has(command_flags::connection) || spec->has(command_flags::no_multi)) {
      queue_failed_ = true;
      error("ERR Command not allowed inside a transaction");
    } else {
      queued_->push_back(std::move(arguments));
      out_.simple_string("QUEUED");
    }
    co_return true;
  }
  if (name == "multi") {
    queued_.emplace();
    queue_failed_ = false;
    out_.simple_string("OK");
  } else if (name == "exec") {
    error("ERR EXEC without MULTI");
  } else if (name == "discard") {
    error("ERR DISCARD without MULTI");
  } else if (name == "watch") {
    std::vector<std::string> keys(arguments.begin() + 1, arguments.end());
    co_await watch_keys(instance_, session_.db, std::move(keys), watched_);
    out_.simple_string("OK");
  } else if (name == "unwatch") {
    watched_ = WatchedKeys{};
    out_.simple_string("OK");
  } else if (name == "auth") {
    if (auth(arguments)) out_.simple_string("OK");
  } else if (name == "hello") {
    hello(arguments);
  } else if (spec->has(command_flags::pubsub) && spec->has(command_flags::connection)) {
    co_await run_subscription(name, std::move(arguments));
  } else if (spec->has(command_flags::blocking)) {
    co_await run_blocking(std::move(arguments));
  } else {
    co_await run_one(std::move(arguments));
  }
  co_return true;
}

Future<Void> ClientConnection::run_subscription(const std::string& name,
                                                std::vector<std::string> arguments) {
  std::vector<std::string> names(std::make_move_iterator(arguments.begin() + 1),
                                 std::make_move_iterator(arguments.end()));
  const bool leaving = name.ends_with("unsubscribe");
  // P: patterns; S: shard channels (SSUBSCRIBE, SUNSUBSCRIBE).
  const ChannelKind kind = name.starts_with("p")                            ? ChannelKind::pattern
                           : name == "ssubscribe" || name == "sunsubscribe" ? ChannelKind::shard
                                                                            : ChannelKind::channel;
  if (leaving) {
    co_await subscriptions_.unsubscribe(kind, std::move(names));
  } else {
    co_await subscriptions_.subscribe(kind, std::move(names));
  }
}

Future<ExecutionResult> ClientConnection::run_plain(Execution execution) {
  // Reads alone neither conflict nor commit: nothing to share.
  if (!any_writes(execution)) return execute(instance_, session_, std::move(execution));
  const std::string key(lane_key(execution.commands.front()));
  return instance_.lanes().submit(session_, std::move(execution), key);
}

Future<Void> ClientConnection::run_one(std::vector<std::string> arguments) {
  Execution execution;
  execution.commands.push_back(std::move(arguments));
  ExecutionResult result = co_await run_plain(std::move(execution));
  session_ = std::move(result.session);
  out_.set_protocol(session_.protocol);
  out_.append_raw(result.reply);
}

Future<Void> ClientConnection::run_blocking(std::vector<std::string> arguments) {
  // The command checks its timeout itself; one it refuses is answered at the first run.
  const std::string name = lower_case(arguments[0]);
  double timeout_s = 0;
  if (name == "xread" || name == "xreadgroup") {
    // They block only with BLOCK.
    std::optional<double> block_s = stream_block_timeout_s(arguments);
    if (!block_s) {
      co_await run_one(std::move(arguments));
      co_return;
    }
    timeout_s = *block_s;
  } else {
    // BLMPOP and BZMPOP name their timeout first, the others last.
    const bool timeout_first = name == "blmpop" || name == "bzmpop";
    try {
      timeout_s = timeout_argument(timeout_first ? arguments[1] : arguments.back());
    } catch (Error& error) {
      if (!error.is(ErrorCode::layer_command_failed)) throw;
    }
  }
  const double deadline = timeout_s > 0 ? env().now() + timeout_s : 0;
  // What the client sent before this command is answered before it waits.
  flush();
  for (bool woken = false;; woken = true) {
    Execution execution;
    execution.commands.push_back(arguments);
    execution.may_block = true;
    execution.woken = woken;
    ExecutionResult result = co_await execute(instance_, session_, std::move(execution));
    session_ = std::move(result.session);
    if (result.wakeups.empty()) {
      out_.append_raw(result.reply);
      co_return;
    }
    if (!result.rerun_arguments.empty()) arguments = std::move(result.rerun_arguments);
    std::vector<Future<Void>> waits = std::move(result.wakeups);
    if (deadline > 0) {
      const double left = deadline - env().now();
      if (left <= 0) break;
      waits.push_back(delay(left));
    }
    const size_t ready = co_await wait_blocked(waits);
    if (ready == disconnected) co_return;  // nobody to answer
    if (ready == waits.size()) {
      // CLIENT UNBLOCK: an error, or the answer of a timeout.
      if (unblocked_with_error()) {
        error("UNBLOCKED client unblocked via CLIENT UNBLOCK");
        co_return;
      }
      break;
    }
    if (deadline > 0 && ready == waits.size() - 1) break;
    // A watch that failed (the database's watch limit, say) wakes too: a pause so that a
    // failure that repeats does not spin.
    if (waits[ready].is_error()) co_await delay(blocked_retry_delay_s);
  }
  // On a timeout: BLMOVE and BRPOPLPUSH answer a null string, the others a null array.
  const bool string_reply = name == "blmove" || name == "brpoplpush";
  string_reply ? out_.null() : out_.null_array();
}

Future<Void> ClientConnection::exec() {
  if (queue_failed_) {
    discard_multi();
    watched_ = WatchedKeys{};
    error("EXECABORT Transaction discarded because of previous errors.");
    co_return;
  }
  Execution execution;
  execution.commands = std::move(*queued_);
  execution.multi = true;
  execution.watched = &watched_;
  discard_multi();
  ExecutionResult result = co_await execute(instance_, session_, std::move(execution));
  watched_ = WatchedKeys{};
  session_ = std::move(result.session);
  out_.append_raw(result.reply);
  out_.set_protocol(session_.protocol);
}

bool ClientConnection::auth(const std::vector<std::string>& arguments) {
  if (arguments.size() > 3) {
    error("ERR syntax error");
    return false;
  }
  const std::string& password = arguments.back();
  if (!instance_.password()) {
    if (arguments.size() == 2) {
      error(
          "ERR AUTH <password> called without any password configured for the default user. "
          "Are you sure your configuration is correct?");
      return false;
    }
    // Without a password the default user takes any.
    if (arguments[1] == "default") return true;
    error(wrong_password_message);
    return false;
  }
  if ((arguments.size() == 3 && arguments[1] != "default") || password != *instance_.password()) {
    error(wrong_password_message);
    return false;
  }
  session_.authenticated = true;
  return true;
}

void ClientConnection::hello(const std::vector<std::string>& arguments) {
  int protocol = session_.protocol;
  std::optional<std::string> name;
  bool authenticated_here = false;
  if (arguments.size() >= 2) {
    const std::optional<int64_t> version = parse_redis_integer(arguments[1]);
    if (!version) {
      error("ERR Protocol version is not an integer or out of range");
      return;
    }
    if (*version != 2 && *version != 3) {
      error("NOPROTO unsupported protocol version");
      return;
    }
    protocol = static_cast<int>(*version);
  }
  for (size_t i = 2; i < arguments.size(); ++i) {
    const size_t left = arguments.size() - i - 1;
    if (is_word(arguments[i], "AUTH") && left >= 2) {
      if (!auth({"auth", arguments[i + 1], arguments[i + 2]})) return;
      authenticated_here = true;
      i += 2;
    } else if (is_word(arguments[i], "SETNAME") && left >= 1) {
      name = arguments[++i];
      for (char ch : *name) {
        if (ch < '!' || ch > '~') {
          error("ERR Client names cannot contain spaces, newlines or special characters.");
          return;
        }
      }
    } else {
      error("ERR Syntax error in HELLO option '" + arguments[i] + "'");
      return;
    }
  }
  if (!session_.authenticated && !authenticated_here) {
    error(
        "NOAUTH HELLO must be called with the client already authenticated, otherwise the "
        "HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and "
        "select the RESP protocol version at the same time");
    return;
  }
  if (name) session_.name = *name;
  session_.protocol = protocol;
  out_.set_protocol(protocol);
  out_.map(7);
  out_.bulk_string("server");
  out_.bulk_string("redis");
  out_.bulk_string("version");
  out_.bulk_string("7.0.15");
  out_.bulk_string("proto");
  out_.integer(protocol);
  out_.bulk_string("id");
  out_.integer(static_cast<int64_t>(session_.id));
  out_.bulk_string("mode");
  out_.bulk_string("standalone");
  out_.bulk_string("role");
  out_.bulk_string("master");
  out_.bulk_string("modules");
  out_.array(0);
}

void ClientConnection::reset() {
  reply_mode_ = ReplyMode::on;
  discard_multi();
  watched_ = WatchedKeys{};
  session_.db = 0;
  session_.protocol = 2;
  session_.name.clear();
  session_.authenticated = !instance_.password().has_value();
  out_.set_protocol(2);
}

}  // namespace

Future<Void> serve_client(Instance& instance, std::shared_ptr<Connection> connection) {
  ClientConnection client(instance, std::move(connection));
  co_await client.run();
}

}  // namespace strata::redis
