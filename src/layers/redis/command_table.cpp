#include "layers/redis/command_table.h"

#include <cctype>
#include <set>

#include "layers/redis/command_error.h"
#include "layers/redis/reply_writer.h"
#include "runtime/assert.h"

namespace strata::redis {

std::string lower_case(std::string_view text) {
  std::string lower(text);
  for (char& c : lower)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

std::optional<std::vector<std::string>> keys_at_positions(
    const CommandSpec& spec, const std::vector<std::string>& arguments) {
  const auto count = static_cast<int64_t>(arguments.size());
  const int64_t last = spec.last_key < 0 ? count + spec.last_key : spec.last_key;
  if (spec.first_key <= 0 || spec.first_key >= count || last >= count || spec.key_step <= 0)
    return std::nullopt;
  std::vector<std::string> keys;
  for (int64_t at = spec.first_key; at <= last; at += spec.key_step)
    keys.push_back(arguments[static_cast<size_t>(at)]);
  return keys;
}

bool touches_beyond_key_positions(std::string_view name) {
  static const std::set<std::string, std::less<>> commands = {
      "move",       "copy",       "select",     "swapdb",  "zunionstore", "zinterstore",
      "zdiffstore", "sintercard", "zintercard", "lmpop",   "zmpop",       "zunion",
      "zinter",     "zdiff",      "sort",       "sort_ro", "eval",        "evalsha"};
  return commands.contains(lower_case(name));
}

const CommandTable& CommandTable::instance() {
  static const CommandTable table = [] {
    CommandTable built;
    add_connection_commands(built);
    add_server_commands(built);
    add_string_commands(built);
    add_key_commands(built);
    add_hash_commands(built);
    add_set_commands(built);
    add_list_commands(built);
    add_zset_commands(built);
    add_stream_commands(built);
    add_sort_commands(built);
    add_pubsub_commands(built);
    return built;
  }();
  return table;
}

void CommandTable::add(CommandSpec spec) {
  STRATA_ASSERT_MSG(spec.name == lower_case(spec.name), "command names are lower case");
  STRATA_ASSERT_MSG(spec.arity != 0, "every command has an arity");
  const std::string name = spec.name;
  const bool added = commands_.emplace(name, std::move(spec)).second;
  STRATA_ASSERT_MSG(added, "a command is added once");
}

const CommandSpec* CommandTable::find(std::string_view name) const {
  auto found = commands_.find(lower_case(name));
  return found == commands_.end() ? nullptr : &found->second;
}

CommandSpec make_command(std::string name, int arity, uint32_t flags, KeyPositions keys,
                         std::string group, std::string summary, std::string since,
                         CommandHandler handler) {
  return CommandSpec{std::move(name),
                     arity,
                     flags,
                     keys.first,
                     keys.last,
                     keys.step,
                     std::move(group),
                     std::move(summary),
                     std::move(since),
                     handler,
                     {}};
}

void reply_help(ReplyWriter& reply, std::string_view command,
                std::initializer_list<std::string_view> lines) {
  reply.array(lines.size() + 1);
  reply.simple_string(std::string(command) +
                      " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  for (std::string_view line : lines)
    reply.simple_string(line);
}

std::string wrong_arguments_message(std::string_view command) {
  return "ERR wrong number of arguments for '" + lower_case(command) + "' command";
}

std::string subcommand_syntax_message(const std::vector<std::string>& arguments) {
  std::string command = arguments[0];
  for (char& c : command)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return "ERR unknown subcommand or wrong number of arguments for '" + arguments[1].substr(0, 128) +
         "'. Try " + command + " HELP.";
}

std::string subcommand_of(const std::vector<std::string>& arguments,
                          std::initializer_list<SubcommandArity> known) {
  STRATA_ASSERT_MSG(arguments.size() >= 2, "a container command's arity asks for a subcommand");
  const std::string sub = lower_case(arguments[1]);
  for (const SubcommandArity& candidate : known) {
    if (candidate.name != sub) continue;
    const auto count = static_cast<int64_t>(arguments.size());
    const bool fits = candidate.arity >= 0 ? count == candidate.arity : count >= -candidate.arity;
    if (!fits) fail(wrong_arguments_message(lower_case(arguments[0]) + "|" + sub));
    return sub;
  }
  std::string command = arguments[0];
  for (char& c : command)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  fail("ERR unknown subcommand '" + arguments[1].substr(0, 128) + "'. Try " + command + " HELP.");
}

std::string unknown_command_message(const std::vector<std::string>& arguments) {
  // Redis: the name (up to 128 bytes), then each argument quoted and followed by a space,
  // while the list is under 128 bytes, each cut to what is left of them.
  std::string listed;
  for (size_t i = 1; i < arguments.size() && listed.size() < 128; ++i)
    listed += "'" + arguments[i].substr(0, 128 - listed.size()) + "' ";
  std::string message = "ERR unknown command '" + arguments[0].substr(0, 128) +
                        "', with args beginning with: " + listed;
  return message;
}

}  // namespace strata::redis
