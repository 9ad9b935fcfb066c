#include "tools/shell/command_table.h"

#include <algorithm>

#include "tools/shell/commands.h"
#include "tools/shell/transaction_options.h"

namespace strata::shell {

namespace {

constexpr int unlimited = -1;

const std::vector<CommandSpec>& all_commands() {
  static const std::vector<CommandSpec> commands = {
      {"begin", "begin", "start a transaction: later reads and writes go to it",
       "Starts a transaction. Until `commit' or `rollback', get, getrange, getrangekeys,\n"
       "getversion, set, clear and clearrange use it: reads see its writes, and nothing is\n"
       "written to the database before `commit'. The prompt shows that one is open.\n"
       "Options on for every transaction (`option') apply to it; `option' changes its own.",
       0, 0, begin_command, false},
      {"clear", "clear KEY", "remove a key (writemode on)",
       "Removes KEY. Outside a transaction the removal is committed at once and the commit\n"
       "version printed. Needs `writemode on'.",
       1, 1, clear_command, false},
      {"clearrange", "clearrange BEGIN END", "remove every key in [BEGIN, END) (writemode on)",
       "Removes every key from BEGIN (included) to END (excluded). Outside a transaction the\n"
       "removal is committed at once and the commit version printed. Needs `writemode on'.",
       2, 2, clearrange_command, false},
      {"commit", "commit", "commit the transaction `begin' started",
       "Commits the current transaction and prints its commit version (a transaction that\n"
       "wrote nothing has none). If it fails (not_committed: something it read was written\n"
       "by another transaction since it started), nothing of it was written; either way the\n"
       "transaction is over.",
       0, 0, commit_command, false},
      {"configure", "configure [WORDS...]", "show or change the database configuration",
       "With no arguments, shows the configuration from the cluster's status: redundancy\n"
       "mode, storage engine, and how many logs, commit proxies, GRV proxies, resolvers and\n"
       "storage servers there are. With words, changes it as FoundationDB's configure does:\n"
       "logs=N, commit_proxies=N, grv_proxies=N, resolvers=N, proxies=N (both kinds) set\n"
       "how many of each role every generation recruits (1 to 64); memory, rocksdb (ssd)\n"
       "or storage_engine=NAME choose the engine of storage servers created from now on.\n"
       "The change takes effect through a recovery; the shell prints the configuration\n"
       "recorded. single, double or triple changes the redundancy mode (copies in\n"
       "distinct zones), if the storage servers and live processes span enough zones: the\n"
       "data distributor then moves every shard to a team of the new size.\n"
       "tenant_mode=optional_experimental allows tenants (FoundationDB's: named key\n"
       "spaces, beside the keys outside any tenant), tenant_mode=disabled (the default)\n"
       "does not; this takes effect at once. `new' is ignored, since Strata creates the\n"
       "database itself.\n"
       "Example: configure logs=2 resolvers=2",
       0, unlimited, configure_command, false},
      {"consistencycheck", "consistencycheck", "compare every copy of every shard",
       "Reads every shard from every storage server of its team at one version, straight\n"
       "from that server, and compares them key by key. Prints how many shards, copies and\n"
       "rows it compared; each difference (the shard, the two servers, the first key that\n"
       "differs) and each copy that did not answer. Fails when copies differ or a shard\n"
       "has no copy that answers. Give it a --timeout long enough for the data.",
       0, 0, consistencycheck_command, false},
      {"coordinators", "coordinators [auto|ADDRESS...]", "show or change the coordinators",
       "With no arguments, shows the coordinators named in the cluster file and, when the\n"
       "cluster answers, whether each is reachable. With addresses (an odd number of server\n"
       "processes of the cluster, each once), moves the cluster's coordination state to\n"
       "them; `auto' lets the cluster controller choose one process per zone (5, 3 or 1).\n"
       "Prints the new connection string. Every process and client follows the move, and\n"
       "the shell's own cluster file is rewritten with it; other cluster files are\n"
       "rewritten by the processes and clients that use them.",
       0, unlimited, coordinators_command, false},
      {"defaulttenant", "defaulttenant", "work outside any tenant again",
       "Later commands work in the whole key space, not in the tenant `usetenant' chose.", 0, 0,
       defaulttenant_command, false},
      {"exclude", "exclude [FORCE] [failed] [no_wait] [ADDRESS...]",
       "move data and roles off processes; alone: list them",
       "With no arguments, lists the excluded processes. `exclude ADDRESS...' (IP:PORT\n"
       "for a process, IP for every process of a machine) moves every shard and every role\n"
       "off those processes and waits until none is left, printing what remains; once it\n"
       "returns they can be shut down for good. Interrupting the wait does not stop the\n"
       "moves; `exclude' again waits for them. `no_wait' (or --no-wait) returns at once.\n"
       "`failed' gives the processes up as lost: their storage servers are dropped without\n"
       "waiting for them and their data copied from the other copies. An exclusion that\n"
       "would leave too few zones for the redundancy mode, or (failed) lose every copy of\n"
       "some keys, is refused unless FORCE is given. Coordinators stay where they are:\n"
       "change them with `coordinators'.",
       0, unlimited, exclude_command, true},
      {"exit", "exit", "leave the shell",
       "Leaves the shell. A transaction still open is dropped, its writes with it.", 0, 0,
       exit_command, false},
      {"get", "get KEY", "print the value of a key",
       "Prints `KEY' is `VALUE', or `KEY': not found.", 1, 1, get_command, false},
      {"getrange", "getrange BEGIN [END] [LIMIT]", "print the keys and values in a range",
       "Prints the keys from BEGIN (included) to END (excluded, default \\xff: every\n"
       "ordinary key) with their values, at most LIMIT of them (default 25), in key order.\n"
       "With two arguments, a whole number is taken as LIMIT; give END and LIMIT to end\n"
       "the range at a key made of digits.",
       1, 3, getrange_command, false},
      {"getrangekeys", "getrangekeys BEGIN [END] [LIMIT]", "print the keys in a range",
       "Like getrange, without the values.", 1, 3, getrangekeys_command, false},
      {"getversion", "getversion", "print a read version",
       "Prints the read version of the current transaction, or else of a new one: the\n"
       "latest committed version the cluster knows.",
       0, 0, getversion_command, false},
      {"help", "help [COMMAND|escaping|options]", "list the commands, or explain one",
       "With no arguments, lists the commands. `help COMMAND' explains one; `help escaping'\n"
       "how to write keys and values; `help options' the transaction options.",
       0, 1, help_command, false},
      {"include", "include [failed] all|ADDRESS...", "make excluded processes usable again",
       "Takes the addresses (or, with `all', every address) out of the excluded and the\n"
       "failed lists: the cluster may put data and roles on those processes again.",
       1, unlimited, include_command, false},
      {"kill", "kill [all|ADDRESS...]", "restart processes; alone: list them",
       "With no arguments, lists the cluster's processes with their class, zone and roles,\n"
       "from its status. `kill ADDRESS...' asks each of those processes to restart in\n"
       "place: it drops every role and starts again from its data folder, as after a crash\n"
       "(the cluster recovers around it). `kill all' restarts every process the status\n"
       "lists. An address the status does not list is refused before anything is killed.",
       0, unlimited, kill_command, false},
      {"option", "option [on|off NAME [ARG]]", "set a transaction option; alone: list them",
       "`option on NAME [ARG]' turns a transaction option on: for the current transaction\n"
       "inside `begin', for every transaction after it otherwise. `option off NAME' turns\n"
       "it off again (some options cannot be undone inside a transaction). `option' alone\n"
       "lists the options that are on. `help options' lists the options.",
       0, 3, option_command, false},
      {"quit", "quit", "leave the shell", "The same as exit.", 0, 0, exit_command, false},
      {"rollback", "rollback", "drop the transaction `begin' started",
       "Drops the current transaction and its writes; nothing of it reaches the database.", 0, 0,
       rollback_command, false},
      {"set", "set KEY VALUE", "set a key to a value (writemode on)",
       "Sets KEY to VALUE. Outside a transaction it is committed at once and the commit\n"
       "version printed. Needs `writemode on'.",
       2, 2, set_command, false},
      {"status", "status [minimal|details|json]", "describe the cluster",
       "Describes the cluster: whether the database is available and healthy, where\n"
       "recovery is, the configuration, the processes with their roles, and what is wrong.\n"
       "`status minimal' says only whether the database is available; `status details'\n"
       "adds each process's figures; `status json' prints the status document as the\n"
       "special key \\xff\\xff/status/json holds it (docs/status-json.md).",
       0, 1, status_command, false},
      {"tenant", "tenant create|delete|list|get ...", "create, delete, list or describe tenants",
       "FoundationDB's tenants: named key spaces, each under its own prefix, allowed once\n"
       "`configure tenant_mode=optional_experimental' was run.\n"
       "tenant create NAME: creates the tenant (an error if it exists).\n"
       "tenant delete NAME: deletes it (an error if it does not exist, or still holds keys).\n"
       "tenant list [BEGIN [END [LIMIT]]]: the tenants named from BEGIN to END (at most\n"
       "LIMIT, 100 by default).\n"
       "tenant get NAME [JSON]: its id, prefix and lock state, or its JSON entry.\n"
       "Each runs in a transaction of its own, outside any tenant.",
       1, 4, tenant_command, false},
      {"usetenant", "usetenant [NAME]", "work in a tenant; alone: show which",
       "Later get, getrange, getrangekeys, set, clear, clearrange and begin work in tenant\n"
       "NAME: their keys are the tenant's, without its prefix. `defaulttenant' goes back to\n"
       "the whole key space. Not in the middle of a transaction.",
       0, 1, usetenant_command, false},
      {"writemode", "writemode on|off", "allow or forbid set, clear and clearrange",
       "Writes are refused until `writemode on', so that a mistyped command does not\n"
       "change the database. `writemode off' forbids them again.",
       1, 1, writemode_command, false},
  };
  return commands;
}

}  // namespace

const std::vector<CommandSpec>& command_specs() {
  return all_commands();
}

const CommandSpec* find_command(std::string_view name) {
  for (const CommandSpec& command : all_commands()) {
    if (command.name == name) return &command;
  }
  return nullptr;
}

std::string general_help() {
  std::string text =
      "Commands (`help COMMAND' explains one; `help escaping' how to write keys and values):\n\n";
  for (const CommandSpec& command : all_commands()) {
    std::string usage(command.usage);
    usage.resize(std::max<size_t>(usage.size(), 34), ' ');
    text += "  " + usage + " " + std::string(command.summary) + "\n";
  }
  text +=
      "\nKeys and values are bytes: write \\xNN for any byte, quote words with spaces\n"
      "(\"a b\"), separate commands with ';'. Output shows them the same way, as `bytes'.";
  return text;
}

std::string command_help(const CommandSpec& command) {
  return "usage: " + std::string(command.usage) + "\n\n" + std::string(command.details);
}

const std::vector<std::string_view>& help_topics() {
  static const std::vector<std::string_view> topics = {"escaping", "options"};
  return topics;
}

std::string escaping_help() {
  return "Keys and values are arbitrary bytes. On a command line:\n"
         "  - words are separated by spaces; \"double quotes\" make one word of what they\n"
         "    enclose, spaces and semicolons included (\"\" is the empty word);\n"
         "  - \\xNN is the byte with hex value NN (\\x00 to \\xff), \\\\ a backslash, \\\" a\n"
         "    quote, \\; a semicolon and \"\\ \" a space; any other backslash is an error;\n"
         "  - ';' separates commands: `writemode on; set a 1; get a'.\n"
         "Output shows bytes the same way between a backquote and a quote, as fdbcli does:\n"
         "printable ASCII as it is, a backslash as \\\\, any other byte as \\xNN. So\n"
         "`a\\x00b' is the three bytes a, 0, b, and what is printed can be typed back.";
}

std::string options_help() {
  std::string text =
      "Transaction options (`option on NAME [ARG]', `option off NAME', `option'):\n\n";
  for (const OptionSpec& option : option_specs()) {
    std::string name(option.name);
    if (!option.argument.empty()) name += " " + std::string(option.argument);
    name.resize(std::max<size_t>(name.size(), 34), ' ');
    text += "  " + name + " " + std::string(option.description) + "\n";
  }
  text +=
      "\nOutside a transaction they apply to every transaction from then on; inside one\n"
      "(after `begin'), to that transaction only.";
  return text;
}

}  // namespace strata::shell
