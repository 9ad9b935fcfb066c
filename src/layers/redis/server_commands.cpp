// Commands about the connection and the server: PING, ECHO, SELECT, CLIENT, CONFIG, INFO,
// TIME, COMMAND; and, listed for COMMAND only, the commands the connection itself runs
// (MULTI, EXEC, DISCARD, WATCH, UNWATCH, AUTH, HELLO, QUIT, RESET).

#include <algorithm>
#include <cstdio>
#include <optional>

#include "layers/redis/arguments.h"
#include "layers/redis/command_context.h"
#include "layers/redis/command_error.h"
#include "layers/redis/command_table.h"
#include "layers/redis/glob.h"
#include "layers/redis/redis_integer.h"
#include "runtime/environment.h"

namespace strata::redis {

namespace {

using namespace command_flags;

// The Redis version whose behaviour strata-redis follows.
constexpr std::string_view redis_compatible_version = "7.0.15";

Future<Void> ping_command(CommandContext& c) {
  if (c.args.size() > 2) fail(wrong_arguments_message("ping"));
  c.args.size() == 2 ? c.reply.bulk_string(c.args[1]) : c.reply.simple_string("PONG");
  co_return;
}

Future<Void> echo_command(CommandContext& c) {
  c.reply.bulk_string(c.args[1]);
  co_return;
}

Future<Void> select_command(CommandContext& c) {
  const std::optional<int64_t> db = parse_redis_integer(c.args[1]);
  if (!db) fail(std::string(not_integer_message));
  if (*db < 0 || *db >= database_count) fail("ERR DB index is out of range");
  c.session.db = *db;
  c.reply.simple_string("OK");
  co_return;
}

Future<Void> time_command(CommandContext& c) {
  const auto micros = static_cast<int64_t>(env().wall_time() * 1e6);
  c.reply.array(2);
  c.reply.bulk_string(std::to_string(micros / 1000000));
  c.reply.bulk_string(std::to_string(micros % 1000000));
  co_return;
}

// CLIENT LIST's flags: x in MULTI, b blocked, P subscribed, N none.
std::string client_flags(const ClientInfo& client) {
  std::string flags;
  if (client.in_multi) flags += 'x';
  if (client.blocked) flags += 'b';
  if (client.channels + client.patterns + client.shard_channels > 0) flags += 'P';
  return flags.empty() ? "N" : flags;
}

std::string client_line(const ClientInfo& client, double now) {
  const Session& s = client.session;
  char line[1024];
  std::snprintf(
      line, sizeof(line),
      "id=%llu addr=%s laddr=%s fd=0 name=%s age=%lld idle=%lld flags=%s db=%lld "
      "sub=%lld psub=%lld ssub=%lld multi=%d qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 "
      "rbp=0 obl=0 oll=0 omem=0 tot-mem=0 events=r cmd=%s user=default redir=-1 "
      "resp=%d\n",
      static_cast<unsigned long long>(s.id), client.address.c_str(), client.local_address.c_str(),
      s.name.c_str(), static_cast<long long>(now - client.connected_at),
      static_cast<long long>(now - client.last_command_at), client_flags(client).c_str(),
      static_cast<long long>(s.db), static_cast<long long>(client.channels),
      static_cast<long long>(client.patterns), static_cast<long long>(client.shard_channels),
      client.in_multi ? 0 : -1, client.last_command.empty() ? "NULL" : client.last_command.c_str(),
      s.protocol);
  return line;
}

bool valid_client_name(std::string_view name) {
  for (char ch : name) {
    if (ch < '!' || ch > '~') return false;
  }
  return true;
}

Future<Void> client_command(CommandContext& c) {
  const std::string sub = lower_case(c.args[1]);
  const double now = env().now();
  if (sub == "id" && c.args.size() == 2) {
    c.reply.integer(static_cast<int64_t>(c.session.id));
  } else if (sub == "setname" && c.args.size() == 3) {
    if (!valid_client_name(c.args[2]))
      fail("ERR Client names cannot contain spaces, newlines or special characters.");
    c.session.name = c.args[2];
    c.reply.simple_string("OK");
  } else if (sub == "getname" && c.args.size() == 2) {
    c.session.name.empty() ? c.reply.null() : c.reply.bulk_string(c.session.name);
  } else if (sub == "list") {
    std::vector<uint64_t> ids;
    for (size_t i = 2; i < c.args.size(); ++i) {
      if (is_word(c.args[i], "TYPE") && i + 1 < c.args.size()) {
        ++i;
      } else if (is_word(c.args[i], "ID")) {
        for (++i; i < c.args.size(); ++i) {
          const std::optional<int64_t> id = parse_redis_integer(c.args[i]);
          if (!id || *id <= 0) fail("ERR Invalid client ID");
          ids.push_back(static_cast<uint64_t>(*id));
        }
      } else {
        fail_syntax();
      }
    }
    std::string text;
    for (const auto& [id, client] : c.instance.clients()) {
      if (!ids.empty() && std::find(ids.begin(), ids.end(), id) == ids.end()) continue;
      ClientInfo shown = client;
      if (id == c.session.id) shown.session = c.session;
      text += client_line(shown, now);
    }
    c.reply.bulk_string(text);
  } else if (sub == "info" && c.args.size() == 2) {
    auto found = c.instance.clients().find(c.session.id);
    ClientInfo shown = found != c.instance.clients().end() ? found->second : ClientInfo{};
    shown.session = c.session;
    c.reply.bulk_string(client_line(shown, now));
  } else if ((sub == "setinfo" && c.args.size() == 4) ||
             (sub == "no-evict" && c.args.size() == 3) ||
             (sub == "no-touch" && c.args.size() == 3)) {
    c.reply.simple_string("OK");
  } else if (sub == "unblock" && (c.args.size() == 3 || c.args.size() == 4)) {
    const int64_t id = integer_argument(c.args[2]);
    bool error = false;
    if (c.args.size() == 4) {
      if (is_word(c.args[3], "ERROR")) {
        error = true;
      } else if (!is_word(c.args[3], "TIMEOUT")) {
        fail("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
      }
    }
    auto client = c.instance.clients().find(static_cast<uint64_t>(id));
    const bool waiting = client != c.instance.clients().end() && client->second.blocked &&
                         client->second.unblock && !client->second.unblock->is_set();
    if (waiting) {
      client->second.unblock_error = error;
      client->second.unblock->send(Void{});
    }
    c.reply.integer(waiting ? 1 : 0);
  } else if (sub == "help") {
    reply_help(c.reply, "CLIENT",
               {"ID, SETNAME <name>, GETNAME, LIST [ID <id> ...], INFO, REPLY (ON|OFF|SKIP), "
                "UNBLOCK <id> [TIMEOUT|ERROR]"});
  } else {
    fail(subcommand_syntax_message(c.args));
  }
  co_return;
}

Future<Void> config_command(CommandContext& c) {
  const std::string sub = lower_case(c.args[1]);
  auto& config = c.instance.config();
  if (sub == "get" && c.args.size() >= 3) {
    std::vector<std::pair<std::string, std::string>> matched;
    for (const auto& [name, value] : config) {
      for (size_t i = 2; i < c.args.size(); ++i) {
        if (glob_match(lower_case(c.args[i]), name, true)) {
          matched.emplace_back(name, value);
          break;
        }
      }
    }
    c.reply.map(matched.size());
    for (const auto& [name, value] : matched) {
      c.reply.bulk_string(name);
      c.reply.bulk_string(value);
    }
  } else if (sub == "set" && c.args.size() >= 4 && c.args.size() % 2 == 0) {
    for (size_t i = 2; i < c.args.size(); i += 2) {
      if (!config.contains(lower_case(c.args[i]))) {
        fail("ERR Unknown option or number of arguments for CONFIG SET - '" + c.args[i] + "'");
      }
    }
    for (size_t i = 2; i < c.args.size(); i += 2)
      config[lower_case(c.args[i])] = c.args[i + 1];
    c.reply.simple_string("OK");
  } else if (sub == "resetstat" && c.args.size() == 2) {
    c.instance.stats() = InstanceStats{};
    c.reply.simple_string("OK");
  } else if (sub == "rewrite" && c.args.size() == 2) {
    fail("ERR The server is running without a config file");
  } else if (sub == "help") {
    reply_help(c.reply, "CONFIG", {"GET <pattern>, SET <name> <value>, RESETSTAT"});
  } else {
    fail(subcommand_syntax_message(c.args));
  }
  co_return;
}

// Redis's human-readable sizes: 1023B, 1.50K, 2.00M, 3.25G.
std::string human_bytes(int64_t bytes) {
  const char* units[] = {"B", "K", "M", "G", "T"};
  double value = static_cast<double>(bytes);
  size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(units)) {
    value /= 1024;
    ++unit;
  }
  char text[32];
  if (unit == 0) {
    std::snprintf(text, sizeof text, "%lldB", static_cast<long long>(bytes));
  } else {
    std::snprintf(text, sizeof text, "%.2f%s", value, units[unit]);
  }
  return text;
}

Future<Void> info_command(CommandContext& c) {
  std::vector<std::string> sections;
  for (size_t i = 1; i < c.args.size(); ++i)
    sections.push_back(lower_case(c.args[i]));
  const bool everything =
      sections.empty() || std::any_of(sections.begin(), sections.end(), [](const std::string& s) {
        return s == "all" || s == "everything" || s == "default";
      });
  auto wanted = [&](std::string_view name) {
    return everything || std::find(sections.begin(), sections.end(), name) != sections.end();
  };
  auto wanted_explicitly = [&](std::string_view name) {
    return std::any_of(sections.begin(), sections.end(), [&](const std::string& section) {
      return section == name || section == "all" || section == "everything";
    });
  };
  std::string text;
  const double now = env().now();
  if (wanted("server")) {
    text += "# Server\r\n";
    text += "redis_version:" + std::string(redis_compatible_version) + "\r\n";
    text += "strata_redis_version:" STRATA_VERSION_TEXT "\r\n";
    text += "redis_mode:standalone\r\n";
    text += "run_id:" + c.instance.id().to_string() + "\r\n";
    text += "tcp_port:" + c.instance.config()["port"] + "\r\n";
    text +=
        "uptime_in_seconds:" + std::to_string(static_cast<int64_t>(now - c.instance.started_at())) +
        "\r\n";
    text += "uptime_in_days:" +
            std::to_string(static_cast<int64_t>((now - c.instance.started_at()) / 86400)) + "\r\n";
    text += "\r\n";
  }
  if (wanted("clients")) {
    text += "# Clients\r\n";
    text += "connected_clients:" + std::to_string(c.instance.clients().size()) + "\r\n";
    const auto blocked = std::count_if(c.instance.clients().begin(), c.instance.clients().end(),
                                       [](const auto& client) { return client.second.blocked; });
    text += "blocked_clients:" + std::to_string(blocked) + "\r\n";
    text += "\r\n";
  }
  const ProcessUsage usage = env().process_usage();
  if (wanted("memory")) {
    // Resident memory stands for both: strata-redis holds no data set of its own to count
    // apart (the data is in the cluster), and has no memory budget to evict within.
    const std::string resident = std::to_string(usage.resident_bytes);
    const std::string human = human_bytes(usage.resident_bytes);
    text += "# Memory\r\n";
    text += "used_memory:" + resident + "\r\nused_memory_human:" + human + "\r\n";
    text += "used_memory_rss:" + resident + "\r\nused_memory_rss_human:" + human + "\r\n";
    text += "maxmemory:0\r\nmaxmemory_human:0B\r\nmaxmemory_policy:noeviction\r\n\r\n";
  }
  if (wanted("persistence")) {
    text += "# Persistence\r\nloading:0\r\naof_enabled:1\r\nrdb_changes_since_last_save:0\r\n\r\n";
  }
  if (wanted("stats")) {
    const InstanceStats& stats = c.instance.stats();
    text += "# Stats\r\n";
    text += "total_connections_received:" + std::to_string(stats.connections_received) + "\r\n";
    text += "total_commands_processed:" + std::to_string(stats.commands_processed) + "\r\n";
    text += "rejected_connections:" + std::to_string(stats.rejected_connections) + "\r\n";
    text += "expired_keys:" + std::to_string(stats.expired_keys) + "\r\n";
    text += "strata_transaction_retries:" + std::to_string(stats.transaction_retries) + "\r\n";
    text += "strata_unknown_results_resolved:" + std::to_string(stats.unknown_results_resolved) +
            "\r\n";
    text += "total_error_replies:" + std::to_string(stats.error_replies) + "\r\n";
    text += "\r\n";
  }
  // Not in INFO's default sections, as in Redis: only asked for, or with "all".
  if (wanted_explicitly("commandstats")) {
    text += "# Commandstats\r\n";
    for (const auto& [name, command] : c.instance.stats().commands) {
      const double per_call =
          command.calls > 0 ? static_cast<double>(command.usec) / static_cast<double>(command.calls)
                            : 0;
      char usec_per_call[32];
      std::snprintf(usec_per_call, sizeof usec_per_call, "%.2f", per_call);
      text += "cmdstat_" + name + ":calls=" + std::to_string(command.calls) +
              ",usec=" + std::to_string(command.usec) + ",usec_per_call=" + usec_per_call +
              ",rejected_calls=" + std::to_string(command.rejected_calls) +
              ",failed_calls=" + std::to_string(command.failed_calls) + "\r\n";
    }
    text += "\r\n";
  }
  if (wanted("errorstats")) {
    text += "# Errorstats\r\n";
    for (const auto& [code, count] : c.instance.stats().errors)
      text += "errorstat_" + code + ":count=" + std::to_string(count) + "\r\n";
    text += "\r\n";
  }
  if (wanted("replication")) {
    // Strata replicates below the layer: to Redis's tools every instance is a master
    // without replicas.
    text +=
        "# Replication\r\nrole:master\r\nconnected_slaves:0\r\n"
        "master_failover_state:no-failover\r\nmaster_repl_offset:0\r\n"
        "second_repl_offset:-1\r\nrepl_backlog_active:0\r\n\r\n";
  }
  if (wanted("cpu")) {
    char cpu[160];
    std::snprintf(cpu, sizeof cpu,
                  "# CPU\r\nused_cpu_sys:%.6f\r\nused_cpu_user:%.6f\r\n"
                  "used_cpu_sys_children:0.000000\r\nused_cpu_user_children:0.000000\r\n\r\n",
                  usage.cpu_system_s, usage.cpu_user_s);
    text += cpu;
  }
  if (wanted("keyspace")) {
    text += "# Keyspace\r\n";
    for (int64_t db = 0; db < database_count; ++db) {
      KeyStore store = c.store.in_database(db);
      const int64_t keys = co_await store.key_count();
      if (keys <= 0) continue;
      const int64_t expires = co_await store.expiring_count();
      text += "db" + std::to_string(db) + ":keys=" + std::to_string(keys) +
              ",expires=" + std::to_string(expires) + ",avg_ttl=0\r\n";
    }
    text += "\r\n";
  }
  if (text.size() >= 2) text.resize(text.size() - 2);
  c.reply.bulk_string(text);
}

void reply_flags(ReplyWriter& reply, const CommandSpec& spec) {
  std::vector<std::string_view> flags;
  if (spec.has(write)) flags.push_back("write");
  if (spec.has(readonly)) flags.push_back("readonly");
  if (spec.has(admin)) flags.push_back("admin");
  if (spec.has(blocking)) flags.push_back("blocking");
  if (spec.has(pubsub)) flags.push_back("pubsub");
  if (spec.has(no_auth)) flags.push_back("no_auth");
  if (spec.has(no_multi)) flags.push_back("no_multi");
  if (spec.has(fast)) flags.push_back("fast");
  reply.set(flags.size());
  for (std::string_view flag : flags)
    reply.simple_string(flag);
}

void reply_command_info(ReplyWriter& reply, const CommandSpec& spec) {
  reply.array(10);
  reply.bulk_string(spec.name);
  reply.integer(spec.arity);
  reply_flags(reply, spec);
  reply.integer(spec.first_key);
  reply.integer(spec.last_key);
  reply.integer(spec.key_step);
  reply.set(0);    // ACL categories
  reply.set(0);    // tips
  reply.array(0);  // key specifications
  reply.array(0);  // subcommands
}

void reply_command_docs(ReplyWriter& reply, const CommandSpec& spec) {
  reply.bulk_string(spec.name);
  reply.map(3);
  reply.bulk_string("summary");
  reply.bulk_string(spec.summary);
  reply.bulk_string("since");
  reply.bulk_string(spec.since);
  reply.bulk_string("group");
  reply.bulk_string(spec.group);
}

// COMMAND GETKEYS: the keys among a command's arguments, by its key positions, and SORT's
// STORE destination (the last one given, as Redis takes it). Commands whose keys the
// positions do not name (numkeys, other databases) are refused rather than answered
// wrongly.
void reply_command_keys(ReplyWriter& reply, const std::vector<std::string>& args) {
  const CommandSpec* spec = CommandTable::instance().find(args[2]);
  if (!spec) fail("ERR Invalid command specified");
  const std::vector<std::string> command(args.begin() + 2, args.end());
  if (!spec->arity_accepts(command.size()))
    fail("ERR Invalid number of arguments specified for command");
  const std::string name = lower_case(command[0]);
  std::vector<std::string> keys;
  if (name == "sort" || name == "sort_ro") {
    keys.push_back(command[1]);
    std::optional<std::string> store;
    for (size_t at = 2; at < command.size(); ++at) {
      if (is_word(command[at], "limit")) {
        at += 2;
      } else if (is_word(command[at], "get") || is_word(command[at], "by")) {
        ++at;
      } else if (name == "sort" && is_word(command[at], "store") && at + 1 < command.size()) {
        store = command[++at];
      }
    }
    if (store) keys.push_back(*store);
  } else if (touches_beyond_key_positions(name)) {
    fail("ERR COMMAND GETKEYS does not know the keys of '" + name + "' in strata-redis");
  } else if (std::optional<std::vector<std::string>> positioned =
                 keys_at_positions(*spec, command)) {
    keys = std::move(*positioned);
  }
  if (keys.empty()) fail("ERR The command has no key arguments");
  reply.array(keys.size());
  for (const std::string& key : keys)
    reply.bulk_string(key);
}

Future<Void> command_command(CommandContext& c) {
  const auto& all = CommandTable::instance().all();
  const std::string sub = c.args.size() > 1 ? lower_case(c.args[1]) : "";
  if (c.args.size() == 1) {
    c.reply.array(all.size());
    for (const auto& [name, spec] : all)
      reply_command_info(c.reply, spec);
  } else if (sub == "count" && c.args.size() == 2) {
    c.reply.integer(static_cast<int64_t>(all.size()));
  } else if (sub == "info") {
    if (c.args.size() == 2) {
      c.reply.array(all.size());
      for (const auto& [name, spec] : all)
        reply_command_info(c.reply, spec);
    } else {
      c.reply.array(c.args.size() - 2);
      for (size_t i = 2; i < c.args.size(); ++i) {
        const CommandSpec* spec = CommandTable::instance().find(c.args[i]);
        spec ? reply_command_info(c.reply, *spec) : c.reply.null_array();
      }
    }
  } else if (sub == "docs") {
    std::vector<const CommandSpec*> specs;
    if (c.args.size() == 2) {
      for (const auto& [name, spec] : all)
        specs.push_back(&spec);
    } else {
      for (size_t i = 2; i < c.args.size(); ++i) {
        if (const CommandSpec* spec = CommandTable::instance().find(c.args[i]))
          specs.push_back(spec);
      }
    }
    c.reply.map(specs.size());
    for (const CommandSpec* spec : specs)
      reply_command_docs(c.reply, *spec);
  } else if (sub == "getkeys" && c.args.size() >= 3) {
    reply_command_keys(c.reply, c.args);
  } else if (sub == "list" && c.args.size() == 2) {
    c.reply.array(all.size());
    for (const auto& [name, spec] : all)
      c.reply.bulk_string(name);
  } else if (sub == "help") {
    reply_help(c.reply, "COMMAND",
               {"(no subcommand), COUNT, INFO [<name> ...], DOCS [<name> ...], GETKEYS <command> "
                "[<arg> ...], LIST"});
  } else {
    fail(subcommand_syntax_message(c.args));
  }
  co_return;
}

// FUNCTION and SCRIPT: strata-redis runs no scripts, so there are none to list or flush;
// the answers let tools that clean up before they start (Redis's own test suite) go on.
Future<Void> function_command(CommandContext& c) {
  const std::string sub = lower_case(c.args[1]);
  if (sub == "flush") {
    c.reply.simple_string("OK");
  } else if (sub == "list") {
    c.reply.array(0);
  } else {
    fail("ERR " + lower_case(c.args[0]) + " " + c.args[1] +
         " is not supported: strata-redis runs no scripts");
  }
  co_return;
}

// SAVE, BGSAVE, LASTSAVE: every write is on the cluster's disks when it is acknowledged,
// so there is nothing to save; the answers say so in Redis's words.
Future<Void> save_command(CommandContext& c) {
  const std::string name = lower_case(c.args[0]);
  if (name == "lastsave") {
    c.reply.integer(static_cast<int64_t>(env().wall_time()));
  } else if (name == "bgsave") {
    c.reply.simple_string("Background saving started");
  } else {
    c.reply.simple_string("OK");
  }
  co_return;
}

Future<Void> shutdown_command(CommandContext& c) {
  fail(
      "ERR SHUTDOWN is not served: stop strata-redis with SIGTERM (the data stays in the "
      "cluster)");
  co_return;
}

}  // namespace

void add_server_commands(CommandTable& table) {
  table.add(
      make_command("ping", -1, fast, {}, "connection", "Ping the server", "1.0.0", ping_command));
  table.add(
      make_command("echo", 2, fast, {}, "connection", "Echo a message", "1.0.0", echo_command));
  table.add(make_command("select", 2, fast, {}, "connection", "Change the connection's database",
                         "1.0.0", select_command));
  table.add(make_command("client", -2, admin, {}, "connection", "Manage the connection", "2.4.0",
                         client_command));
  table.add(make_command("config", -2, admin, {}, "server", "Get or set settings", "2.0.0",
                         config_command));
  table.add(make_command("info", -1, 0, {}, "server", "Information about the server", "1.0.0",
                         info_command));
  table.add(
      make_command("time", 1, fast, {}, "server", "The server's time", "2.6.0", time_command));
  table.add(make_command("save", 1, admin | no_multi, {}, "server",
                         "Nothing to do: every write is durable when acknowledged", "1.0.0",
                         save_command));
  table.add(make_command("bgsave", -1, admin | no_multi, {}, "server",
                         "Nothing to do: every write is durable when acknowledged", "1.0.0",
                         save_command));
  table.add(make_command("lastsave", 1, fast, {}, "server", "Now: every write is saved", "1.0.0",
                         save_command));
  table.add(make_command("shutdown", -1, admin | no_multi, {}, "server",
                         "Refused: strata-redis stops on SIGTERM", "1.0.0", shutdown_command));
  table.add(make_command("function", -2, 0, {}, "scripting",
                         "Functions (none: strata-redis runs no scripts)", "7.0.0",
                         function_command));
  table.add(make_command("script", -2, 0, {}, "scripting",
                         "Scripts (none: strata-redis runs no scripts)", "2.6.0",
                         function_command));
  table.add(make_command("command", -1, 0, {}, "server", "Information about commands", "2.8.13",
                         command_command));
}

void add_connection_commands(CommandTable& table) {
  auto flow = [&](std::string name, int arity, uint32_t flags, std::string group,
                  std::string summary, std::string since) {
    table.add(make_command(std::move(name), arity, flags | connection, {}, std::move(group),
                           std::move(summary), std::move(since), nullptr));
  };
  flow("multi", 1, fast | no_multi, "transactions", "Start a transaction", "1.2.0");
  flow("exec", 1, no_multi, "transactions", "Run the queued commands as one transaction", "1.2.0");
  flow("discard", 1, fast | no_multi, "transactions", "Drop the queued commands", "2.0.0");
  flow("watch", -2, fast | no_multi, "transactions",
       "Make EXEC fail if these keys change before it", "2.2.0");
  // Inside MULTI, UNWATCH is queued and, by EXEC, has nothing left to do but answer.
  table.add(make_command("unwatch", 1, fast | connection, {}, "transactions",
                         "Forget the watched keys", "2.2.0", [](CommandContext& c) -> Future<Void> {
                           c.reply.simple_string("OK");
                           co_return;
                         }));
  flow("auth", -2, fast | no_auth | no_multi, "connection", "Authenticate the connection", "1.0.0");
  flow("hello", -1, fast | no_auth | no_multi, "connection",
       "Choose the protocol, authenticate, name the connection", "6.0.0");
  flow("quit", -1, fast | no_auth | no_multi, "connection", "Close the connection", "1.0.0");
  flow("reset", 1, fast | no_auth | no_multi, "connection", "Reset the connection", "6.2.0");
}

}  // namespace strata::redis
