#pragma once

// Every command strata-redis knows: its name, arity and flags as Redis's COMMAND reports
// them, and the function that runs it. A command runs inside a transaction (command_context.h);
// the commands that change a connection's flow (MULTI, EXEC, AUTH, QUIT, ...) have no
// function here: the connection handles them, and they are listed for COMMAND.

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/future.h"

namespace strata::redis {

struct CommandContext;
using CommandHandler = Future<Void> (*)(CommandContext&);

namespace command_flags {
constexpr uint32_t write = 1u << 0;
constexpr uint32_t readonly = 1u << 1;
constexpr uint32_t fast = 1u << 2;
constexpr uint32_t admin = 1u << 3;
// May run before AUTH.
constexpr uint32_t no_auth = 1u << 4;
// Not queued by MULTI: the connection runs it at once.
constexpr uint32_t connection = 1u << 5;
// Blocks the connection (BLPOP and the like).
constexpr uint32_t blocking = 1u << 6;
constexpr uint32_t pubsub = 1u << 7;
// Never inside MULTI (WATCH, SUBSCRIBE, ...).
constexpr uint32_t no_multi = 1u << 8;
}  // namespace command_flags

struct CommandSpec {
  // Lower case.
  std::string name;
  // Redis's arity: n exactly n arguments (the name included), -n at least n.
  int arity = 0;
  uint32_t flags = 0;
  // Positions of the keys among the arguments (COMMAND's first key, last key, step; 0
  // when there are none, a negative last counts from the end).
  int first_key = 0;
  int last_key = 0;
  int key_step = 0;
  // COMMAND DOCS: the group ("string", "generic", ...), a summary, the Redis version
  // that introduced it.
  std::string group;
  std::string summary;
  std::string since;
  CommandHandler handler = nullptr;
  // Subcommands (CLIENT ID, CONFIG GET, ...), named "parent|sub" as Redis names them.
  std::vector<CommandSpec> subcommands;

  bool arity_accepts(size_t arguments) const {
    const auto count = static_cast<int64_t>(arguments);
    return arity >= 0 ? count == arity : count >= -arity;
  }
  bool has(uint32_t flag) const { return (flags & flag) != 0; }
};

class CommandTable {
 public:
  // The table of every command.
  static const CommandTable& instance();

  void add(CommandSpec spec);
  // By name, any case; nullptr when unknown.
  const CommandSpec* find(std::string_view name) const;
  const std::map<std::string, CommandSpec>& all() const { return commands_; }

 private:
  std::map<std::string, CommandSpec> commands_;
};

// Where a command's keys are among its arguments (COMMAND's first key, last key, step).
struct KeyPositions {
  int first = 0;
  int last = 0;
  int step = 0;
};

CommandSpec make_command(std::string name, int arity, uint32_t flags, KeyPositions keys,
                         std::string group, std::string summary, std::string since,
                         CommandHandler handler);

// A HELP subcommand's reply: "<COMMAND> <subcommand> ..." then the lines.
class ReplyWriter;
void reply_help(ReplyWriter& reply, std::string_view command,
                std::initializer_list<std::string_view> lines);

// Each family adds its commands.
void add_connection_commands(CommandTable& table);
void add_server_commands(CommandTable& table);
void add_string_commands(CommandTable& table);
void add_key_commands(CommandTable& table);
void add_hash_commands(CommandTable& table);
void add_set_commands(CommandTable& table);
void add_list_commands(CommandTable& table);
void add_zset_commands(CommandTable& table);
void add_stream_commands(CommandTable& table);
void add_sort_commands(CommandTable& table);
void add_pubsub_commands(CommandTable& table);

// Redis's answer to a wrong argument count.
std::string wrong_arguments_message(std::string_view command);
// Redis's answer to a subcommand it does not know, or whose arguments are wrong, found by
// the subcommand itself: "ERR unknown subcommand or wrong number of arguments for 'x'.
// Try OBJECT HELP."
std::string subcommand_syntax_message(const std::vector<std::string>& arguments);

// A container command's subcommand (XGROUP CREATE, XINFO STREAM, ...), in lower case, after
// checking it as Redis checks subcommands before running them: "ERR unknown subcommand 'x'.
// Try XGROUP HELP.", "ERR wrong number of arguments for 'xgroup|create' command". `known`:
// each subcommand's name (lower case) and arity (as CommandSpec's, the command's name
// counted).
struct SubcommandArity {
  std::string_view name;
  int arity = 0;
};
std::string subcommand_of(const std::vector<std::string>& arguments,
                          std::initializer_list<SubcommandArity> known);

// The arguments at a command's key positions (COMMAND's first key, last key, step);
// nullopt when it has no positions or the arguments do not reach them.
std::optional<std::vector<std::string>> keys_at_positions(
    const CommandSpec& spec, const std::vector<std::string>& arguments);

// Whether a command touches keys that its key positions do not name: keys counted by an
// argument (ZUNIONSTORE, LMPOP), named by patterns or options (SORT), in another database
// (MOVE, COPY, SWAPDB), or the database itself (SELECT).
bool touches_beyond_key_positions(std::string_view name);

// Redis's answer to an unknown command: its name and the start of its arguments.
std::string unknown_command_message(const std::vector<std::string>& arguments);

std::string lower_case(std::string_view text);

}  // namespace strata::redis
