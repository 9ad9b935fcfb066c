// The `strata` shell against a real strata-server: every command through --exec, scripts on
// standard input and an interactive shell on a pseudo-terminal (completion, history, a
// conflicting transaction), the unreachable cluster, and the shell's parsing, completion and
// status rendering on their own.

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <signal.h>

#include "child_process.h"
#include "shell_driver.h"
#include "tools/shell/completion.h"
#include "tools/shell/escaping.h"
#include "tools/shell/status_render.h"
#include "tools/shell/transaction_options.h"

namespace strata {
namespace {

using testing::ChildProcess;
using testing::EnvironmentChanges;
using testing::ProgramRun;
using testing::TemporaryDirectory;
using testing::TerminalProgram;

// Only against hangs: nothing here is timed. The shell's own --timeout is set as long, so
// that a slow machine never turns into a failure.
constexpr double hang_guard_s = 120;
const std::string shell_timeout = "120";

std::string read_file(const std::string& path) {
  std::ifstream input(path);
  std::stringstream contents;
  contents << input.rdbuf();
  return contents.str();
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string describe(const ProgramRun& run) {
  return "exit status " + std::to_string(run.status) + "\n--- output:\n" + run.output +
         "--- errors:\n" + run.errors;
}

// Types `line` and Enter at the shell's prompt, and returns what the shell printed up to its
// next prompt `prompt` (the echo of the line first).
std::string enter(TerminalProgram& term, const std::string& line,
                  const std::string& prompt = "strata> ") {
  term.type(line + "\r");
  std::optional<std::string> seen = term.read_until(prompt, hang_guard_s);
  EXPECT_TRUE(seen) << "no prompt after `" << line << "':\n" << term.transcript();
  return seen.value_or("");
}

// Readers of the status document (`status json'): the value at `path', null when a member
// is missing.
nlohmann::json member(const nlohmann::json& document, std::initializer_list<std::string> path) {
  const nlohmann::json* node = &document;
  for (const std::string& name : path) {
    if (!node->is_object() || !node->contains(name)) return nullptr;
    node = &node->at(name);
  }
  return *node;
}

bool available(const nlohmann::json& document) {
  return member(document, {"cluster", "database_available"}) == true &&
         member(document, {"cluster", "recovery_state", "name"}) == "fully_recovered";
}

// The log servers of the current generation, 0 when the document has none.
size_t current_log_servers(const nlohmann::json& document) {
  nlohmann::json generations = member(document, {"cluster", "logs"});
  if (!generations.is_array()) return 0;
  for (const nlohmann::json& generation : generations) {
    if (member(generation, {"current"}) == true) return member(generation, {"log_servers"}).size();
  }
  return 0;
}

std::optional<double> uptime_s(const nlohmann::json& document, const std::string& address) {
  nlohmann::json uptime =
      member(document, {"cluster", "processes", address, "status", "process", "uptime_s"});
  if (!uptime.is_number()) return std::nullopt;
  return uptime.get<double>();
}

class ShellTest : public ::testing::Test {
 protected:
  void SetUp() override {
    listen_ = "127.0.0.1:" + std::to_string(testing::free_loopback_port());
    server_ = std::make_unique<ChildProcess>(
        STRATA_SERVER_PATH, std::vector<std::string>{"--listen", listen_}, directory_.path());
    ASSERT_TRUE(server_->wait_for_line("listening on", hang_guard_s)) << server_->transcript();
    std::filesystem::create_directory(home());
    // Recovery takes a moment after the server listens: until its first commit is durable.
    ProgramRun status;
    for (int attempt = 0; attempt < 400; ++attempt) {
      status = exec("status");
      if (contains(status.output, "Recovery state         - fully_recovered")) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    FAIL() << "the database never recovered: " << describe(status);
  }

  std::string cluster_file() const { return directory_.path() + "/strata.cluster"; }
  std::string home() const { return directory_.path() + "/home"; }
  // Every shell runs with a home of its own and without $STRATA_CLUSTER_FILE, unless a test
  // says otherwise.
  EnvironmentChanges environment(EnvironmentChanges changes = {}) const {
    EnvironmentChanges all = {{"HOME", home()}, {"STRATA_CLUSTER_FILE", std::nullopt}};
    for (auto& change : changes) {
      std::erase_if(all, [&](const auto& existing) { return existing.first == change.first; });
      all.push_back(change);
    }
    return all;
  }

  ProgramRun shell(const std::vector<std::string>& arguments, const std::string& input = "",
                   const EnvironmentChanges& changes = {}, std::string directory = "") const {
    if (directory.empty()) directory = directory_.path();
    return testing::run_program(STRATA_SHELL_PATH, arguments, directory, input,
                                environment(changes), hang_guard_s);
  }
  ProgramRun exec(const std::string& commands) const {
    return shell({"-C", cluster_file(), "--timeout", shell_timeout, "--exec", commands});
  }
  // Polls `status json' until `ready' holds for the document and returns it; fails the
  // test if it never does (the count of attempts is a hang guard).
  nlohmann::json wait_for_status(const std::function<bool(const nlohmann::json&)>& ready,
                                 const std::string& what) const {
    ProgramRun run;
    for (int attempt = 0; attempt < 1200; ++attempt) {
      run = exec("status json");
      nlohmann::json document = nlohmann::json::parse(run.output, nullptr, false);
      if (run.status == 0 && !document.is_discarded() && ready(document)) return document;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "never " << what << ": " << describe(run);
    return {};
  }
  ProgramRun script(const std::string& lines) const {
    return shell({"-C", cluster_file(), "--timeout", shell_timeout}, lines);
  }
  std::unique_ptr<TerminalProgram> terminal(EnvironmentChanges changes = {},
                                            std::vector<std::string> arguments = {},
                                            std::string directory = "") const {
    if (arguments.empty()) arguments = {"-C", cluster_file(), "--timeout", shell_timeout};
    if (directory.empty()) directory = directory_.path();
    changes.emplace_back("TERM", "vt100");
    return std::make_unique<TerminalProgram>(STRATA_SHELL_PATH, arguments, directory,
                                             environment(changes));
  }

  TemporaryDirectory directory_;
  std::string listen_;
  std::unique_ptr<ChildProcess> server_;
};

// ---- keys and values ----

TEST_F(ShellTest, SetGetClearRoundTrip) {
  ProgramRun run = exec("writemode on; set hello world; get hello; clear hello; get hello");
  EXPECT_EQ(run.status, 0) << describe(run);
  EXPECT_TRUE(contains(run.output, "Writes are allowed (writemode on)")) << describe(run);
  EXPECT_TRUE(contains(run.output, "`hello' is `world'")) << describe(run);
  EXPECT_TRUE(contains(run.output, "`hello': not found")) << describe(run);
  EXPECT_NE(run.output.find("Committed ("), run.output.rfind("Committed (")) << describe(run);
  EXPECT_EQ(run.errors, "");
}

TEST_F(ShellTest, TenantsAreCreatedUsedListedAndDeleted) {
  ProgramRun disabled = exec("tenant create t1");
  EXPECT_NE(disabled.status, 0) << describe(disabled);
  EXPECT_TRUE(contains(disabled.errors, "tenants_disabled (2136)")) << describe(disabled);

  ProgramRun run = exec(
      "configure tenant_mode=optional_experimental; tenant create t1; tenant create t2; "
      "tenant list; tenant get t1; usetenant t1; usetenant; writemode on; set k inside; "
      "get k; defaulttenant; get k; set k outside; usetenant t1; get k");
  EXPECT_EQ(run.status, 0) << describe(run);
  for (const std::string& line :
       {"The tenant `t1' has been created", "  1. `t1'", "  2. `t2'", "  id: 1",
        "  prefix: \\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x01", "  lock state: unlocked",
        "Using tenant `t1'", "Using no tenant", "`k': not found"}) {
    EXPECT_TRUE(contains(run.output, line)) << line << "\n" << describe(run);
  }
  // Inside the tenant, outside it, then inside again: each sees its own `k'.
  const size_t inside = run.output.find("`k' is `inside'");
  const size_t again = run.output.rfind("`k' is `inside'");
  EXPECT_NE(inside, std::string::npos) << describe(run);
  EXPECT_NE(inside, again) << describe(run);

  ProgramRun exists = exec("tenant create t1");
  EXPECT_TRUE(contains(exists.errors, "tenant_already_exists (2132)")) << describe(exists);
  ProgramRun full = exec("tenant delete t1");
  EXPECT_TRUE(contains(full.errors, "tenant_not_empty (2133)")) << describe(full);
  ProgramRun emptied =
      exec("usetenant t1; writemode on; clear k; defaulttenant; tenant delete t1; tenant list");
  EXPECT_EQ(emptied.status, 0) << describe(emptied);
  EXPECT_TRUE(contains(emptied.output, "The tenant `t1' has been deleted")) << describe(emptied);
  EXPECT_TRUE(contains(emptied.output, "  1. `t2'")) << describe(emptied);
  ProgramRun gone = exec("usetenant t1; get k");
  EXPECT_TRUE(contains(gone.errors, "tenant_not_found (2131)")) << describe(gone);
}

TEST_F(ShellTest, BinaryKeysAndValuesRoundTripThroughEscapes) {
  ProgramRun written = exec(R"(writemode on; set "bin/a b\x00\xff\\" "v\x01;\"q\"")");
  ASSERT_EQ(written.status, 0) << describe(written);
  ProgramRun keys = exec(R"(getrangekeys bin/ bin0)");
  ASSERT_EQ(keys.status, 0) << describe(keys);
  const std::string shown = R"(bin/a b\x00\xff\\)";
  EXPECT_TRUE(contains(keys.output, "`" + shown + "'")) << describe(keys);
  // What is printed reads back as the same bytes.
  ProgramRun read = exec("get \"" + shown + "\"");
  EXPECT_EQ(read.status, 0) << describe(read);
  EXPECT_TRUE(contains(read.output, "`" + shown + R"(' is `v\x01;"q"')")) << describe(read);
  ProgramRun range = exec(R"(getrange bin/ bin0)");
  EXPECT_TRUE(contains(range.output, "`" + shown + R"(' is `v\x01;"q"')")) << describe(range);
  // Upper-case hex and the other escapes name the same key.
  ProgramRun upper = exec(R"(get bin/a\ b\x00\xFF\\)");
  EXPECT_TRUE(contains(upper.output, R"(' is `v\x01)")) << describe(upper);
}

TEST_F(ShellTest, GetRangeDefaultsLimitAndEnd) {
  std::string commands = "writemode on";
  for (int i = 0; i < 30; ++i) {
    char key[16];
    std::snprintf(key, sizeof(key), "r/%02d", i);
    commands += std::string("; set ") + key + " v" + std::to_string(i);
  }
  ASSERT_EQ(exec(commands).status, 0);
  ProgramRun all = exec("getrange r/");
  EXPECT_EQ(all.status, 0) << describe(all);
  EXPECT_TRUE(contains(all.output, "Range limited to 25 keys")) << describe(all);
  EXPECT_TRUE(contains(all.output, "`r/24' is `v24'")) << describe(all);
  EXPECT_FALSE(contains(all.output, "`r/25'")) << describe(all);
  EXPECT_TRUE(contains(all.output, "more keys follow")) << describe(all);
  // With two arguments a number is the limit.
  ProgramRun limited = exec("getrange r/ 3");
  EXPECT_TRUE(contains(limited.output, "Range limited to 3 keys")) << describe(limited);
  EXPECT_TRUE(contains(limited.output, "`r/02' is `v2'")) << describe(limited);
  EXPECT_FALSE(contains(limited.output, "`r/03'")) << describe(limited);
  ProgramRun bounded = exec("getrange r/10 r/12");
  EXPECT_TRUE(contains(bounded.output, "`r/10' is `v10'\n`r/11' is `v11'\n")) << describe(bounded);
  EXPECT_FALSE(contains(bounded.output, "`r/12'")) << describe(bounded);
  ProgramRun keys = exec("getrangekeys r/28 r/99 10");
  EXPECT_TRUE(contains(keys.output, "Range limited to 10 keys\n`r/28'\n`r/29'\n"))
      << describe(keys);
  EXPECT_FALSE(contains(keys.output, " is ")) << describe(keys);
  ProgramRun bad = exec("getrange r/ r0 0");
  EXPECT_EQ(bad.status, 1);
  EXPECT_TRUE(contains(bad.errors, "LIMIT must be a whole number")) << describe(bad);
}

TEST_F(ShellTest, ClearRangeRemovesTheRangeOnly) {
  ASSERT_EQ(exec("writemode on; set c/1 a; set c/2 b; set c/3 c; clearrange c/1 c/3").status, 0);
  ProgramRun rows = exec("getrange c/ c0");
  EXPECT_TRUE(contains(rows.output, "Range limited to 25 keys\n`c/3' is `c'\n")) << describe(rows);
  EXPECT_FALSE(contains(rows.output, "`c/1'")) << describe(rows);
}

TEST_F(ShellTest, WriteModeGuardsEveryWrite) {
  for (const std::string& command : {"set w/key v", "clear w/key", "clearrange w/ w0"}) {
    ProgramRun run = exec(command);
    EXPECT_EQ(run.status, 1) << describe(run);
    EXPECT_TRUE(contains(run.errors, "writemode is off")) << describe(run);
    EXPECT_TRUE(contains(run.errors, "run `writemode on' first")) << describe(run);
    EXPECT_TRUE(contains(run.errors, "ERROR: client_invalid_operation (2000)")) << describe(run);
  }
  ProgramRun off = exec("writemode on; writemode off; set w/key v");
  EXPECT_EQ(off.status, 1) << describe(off);
  EXPECT_TRUE(contains(off.output, "Writes are refused (writemode off)")) << describe(off);
  // Inside a transaction too.
  ProgramRun in_transaction = exec("begin; set w/key v");
  EXPECT_EQ(in_transaction.status, 1) << describe(in_transaction);
  EXPECT_TRUE(contains(in_transaction.errors, "writemode is off")) << describe(in_transaction);
  EXPECT_TRUE(contains(exec("get w/key").output, "`w/key': not found"));
}

// ---- scripts and --exec ----

TEST_F(ShellTest, ExecStopsAtTheFirstFailingCommand) {
  ProgramRun run = exec("writemode on; set e/1 a; frobnicate; set e/2 b");
  EXPECT_EQ(run.status, 1) << describe(run);
  EXPECT_TRUE(contains(run.errors, "unknown command `frobnicate'")) << describe(run);
  ProgramRun check = exec("get e/1; get e/2");
  EXPECT_TRUE(contains(check.output, "`e/1' is `a'")) << describe(check);
  EXPECT_TRUE(contains(check.output, "`e/2': not found")) << describe(check);
}

TEST_F(ShellTest, ScriptOnStandardInput) {
  ProgramRun run = script(
      "# a comment\n"
      "writemode on\n"
      "\n"
      "set s/1 one; set s/2 two\n"
      "get s/1\n"
      "getrangekeys s/ s0\n");
  EXPECT_EQ(run.status, 0) << describe(run);
  EXPECT_TRUE(contains(run.output, "`s/1' is `one'")) << describe(run);
  EXPECT_TRUE(contains(run.output, "`s/1'\n`s/2'\n")) << describe(run);
  // No prompt, no banner: the output is only the commands'.
  EXPECT_FALSE(contains(run.output, "strata>")) << describe(run);
  EXPECT_FALSE(contains(run.output, "Welcome")) << describe(run);
}

TEST_F(ShellTest, ScriptStopsAtTheFirstFailureAndAtExit) {
  ProgramRun failing = script("writemode on\nset f/1 a\nget f/1 extra\nset f/2 b\n");
  EXPECT_EQ(failing.status, 1) << describe(failing);
  EXPECT_TRUE(contains(failing.errors, "`get' takes 1 argument, not 2; usage: get KEY"))
      << describe(failing);
  EXPECT_TRUE(contains(exec("get f/2").output, "`f/2': not found"));
  ProgramRun exiting = script("get f/1\nexit\nfrobnicate\n");
  EXPECT_EQ(exiting.status, 0) << describe(exiting);
  EXPECT_TRUE(contains(exiting.output, "`f/1' is `a'")) << describe(exiting);
  EXPECT_EQ(exiting.errors, "");
}

// ---- transactions ----

TEST_F(ShellTest, BeginCommitAndRollback) {
  ProgramRun run = script(
      "writemode on\n"
      "begin\n"
      "set t/1 kept\n"
      "get t/1\n"
      "commit\n"
      "begin\n"
      "set t/2 dropped\n"
      "rollback\n"
      "get t/1\n"
      "get t/2\n"
      "begin\n"
      "get t/1\n"
      "commit\n");
  EXPECT_EQ(run.status, 0) << describe(run);
  EXPECT_TRUE(contains(run.output, "Transaction started")) << describe(run);
  // The transaction sees its own write before the commit.
  EXPECT_TRUE(contains(run.output, "Transaction started\n`t/1' is `kept'\nCommitted ("))
      << describe(run);
  EXPECT_TRUE(contains(run.output, "Transaction rolled back\n`t/1' is `kept'\n`t/2': not found"))
      << describe(run);
  EXPECT_TRUE(contains(run.output, "Committed (the transaction wrote nothing")) << describe(run);
  // A version, not a placeholder: a whole positive number.
  size_t at = run.output.find("Committed (") + std::string("Committed (").size();
  EXPECT_GT(std::stoll(run.output.substr(at)), 0) << describe(run);
}

TEST_F(ShellTest, TransactionCommandsOutOfPlace) {
  ProgramRun commit = exec("commit");
  EXPECT_EQ(commit.status, 1);
  EXPECT_TRUE(contains(commit.errors, "commit: there is no transaction; `begin' starts one"))
      << describe(commit);
  ProgramRun rollback = exec("rollback");
  EXPECT_EQ(rollback.status, 1);
  EXPECT_TRUE(contains(rollback.errors, "rollback: there is no transaction")) << describe(rollback);
  ProgramRun twice = exec("begin; begin");
  EXPECT_EQ(twice.status, 1);
  EXPECT_TRUE(contains(twice.errors, "a transaction is already open")) << describe(twice);
  // A transaction left open is dropped, with a warning.
  ProgramRun open = exec("writemode on; begin; set t/open v");
  EXPECT_EQ(open.status, 0) << describe(open);
  EXPECT_TRUE(contains(open.errors, "neither committed nor rolled back")) << describe(open);
  EXPECT_TRUE(contains(exec("get t/open").output, "`t/open': not found"));
}

TEST_F(ShellTest, ConflictWithAnotherShellIsNotCommitted) {
  const std::string in_transaction = "strata [transaction]> ";
  auto term = terminal();
  ASSERT_TRUE(term->read_until("strata> ", hang_guard_s)) << term->transcript();
  EXPECT_TRUE(contains(enter(*term, "writemode on"), "Writes are allowed"));
  EXPECT_TRUE(contains(enter(*term, "begin", in_transaction), "Transaction started"));
  EXPECT_TRUE(
      contains(enter(*term, "get conflict/key", in_transaction), "`conflict/key': not found"));
  enter(*term, "set conflict/other mine", in_transaction);
  // Another shell writes what this transaction read.
  ProgramRun other = exec("writemode on; set conflict/key theirs");
  ASSERT_EQ(other.status, 0) << describe(other);
  std::string answer = enter(*term, "commit");
  EXPECT_TRUE(contains(answer,
                       "ERROR: not_committed (1020): the transaction conflicted with "
                       "another one"))
      << answer;
  EXPECT_TRUE(contains(answer, "run it again")) << answer;
  // Nothing of it was written, and the transaction is over (the prompt says so too).
  EXPECT_TRUE(contains(enter(*term, "get conflict/other"), "`conflict/other': not found"))
      << term->transcript();
  EXPECT_TRUE(contains(enter(*term, "get conflict/key"), "`conflict/key' is `theirs'"))
      << term->transcript();
  term->type("exit\r");
  EXPECT_EQ(term->wait(hang_guard_s), 0) << term->transcript();
}

TEST_F(ShellTest, CommitWithoutAnAnswerMayHaveHappened) {
  // A timeout below the client's connection_idle_timeout_s (4 s), so that the command
  // normally runs out of time before the client gives the connection up.
  auto term = terminal({}, {"-C", cluster_file(), "--timeout", "3"});
  ASSERT_TRUE(term->read_until("strata> ", hang_guard_s)) << term->transcript();
  enter(*term, "writemode on");
  enter(*term, "begin", "strata [transaction]> ");
  // The read takes the read version, so that the commit goes straight out.
  EXPECT_TRUE(contains(enter(*term, "get unanswered/key", "strata [transaction]> "), "not found"));
  enter(*term, "set unanswered/key x", "strata [transaction]> ");
  server_->send_signal(SIGSTOP);
  std::string answer = enter(*term, "commit");
  server_->send_signal(SIGCONT);
  // Whether the command ran out of time (timed_out) or the client gave up on the connection
  // first (commit_unknown_result), the shell cannot know whether the commit happened, and
  // says so. The transaction is over either way.
  EXPECT_TRUE(contains(answer, "may or may not have happened")) << answer;
  EXPECT_TRUE(contains(answer, "ERROR: timed_out (1004)") ||
              contains(answer, "ERROR: commit_unknown_result (1021)"))
      << answer;
  EXPECT_TRUE(contains(enter(*term, "rollback"), "rollback: there is no transaction"))
      << term->transcript();
  term->type("exit\r");
  EXPECT_EQ(term->wait(hang_guard_s), 0) << term->transcript();
}

// ---- options and versions ----

TEST_F(ShellTest, OptionsAreListedReplacedAndTurnedOff) {
  EXPECT_TRUE(contains(exec("option").output, "No options are on."));
  ProgramRun run = exec(
      "option on timeout 60000; option on priority_batch; option on PRIORITY_SYSTEM_IMMEDIATE; "
      "option");
  EXPECT_EQ(run.status, 0) << describe(run);
  EXPECT_TRUE(contains(run.output, "Option timeout on for every transaction")) << describe(run);
  EXPECT_TRUE(contains(run.output,
                       "Options on for every new transaction:\n  timeout 60000\n"
                       "  priority_system_immediate\n"))
      << describe(run);
  EXPECT_FALSE(contains(run.output, "  priority_batch")) << describe(run);
  ProgramRun off = exec("option on timeout 60000; option off timeout; option");
  EXPECT_TRUE(contains(off.output, "Option timeout off for every transaction\nNo options are on."))
      << describe(off);

  struct BadOption {
    std::string command;
    std::string error;
  };
  for (const BadOption& bad : std::vector<BadOption>{
           {"option on timeout", "invalid_option_value (2006): option timeout needs an argument"},
           {"option on timeout soon", "takes MILLISECONDS as a whole number, not 'soon'"},
           {"option on timeout -5", "invalid_option_value (2006): timeout takes 0 to"},
           {"option on size_limit 5", "size_limit takes 32 to 10000000, not 5"},
           {"option on lock_aware yes", "option lock_aware takes no argument"},
           {"option on frobnicate", "invalid_option (2007): there is no transaction option"},
           {"option maybe timeout", "expected on or off, not `maybe'"},
       }) {
    ProgramRun failed = exec(bad.command);
    EXPECT_EQ(failed.status, 1) << bad.command << ": " << describe(failed);
    EXPECT_TRUE(contains(failed.errors, bad.error)) << bad.command << ": " << describe(failed);
  }
}

TEST_F(ShellTest, OptionsApplyToEveryAutocommitTransaction) {
  ProgramRun refused = exec(R"(get \xff/shell)");
  EXPECT_EQ(refused.status, 1) << describe(refused);
  EXPECT_TRUE(contains(refused.errors, "ERROR: key_outside_legal_range (2004)"))
      << describe(refused);
  EXPECT_TRUE(contains(refused.errors, "`option on read_system_keys'")) << describe(refused);
  ProgramRun allowed =
      exec(R"(option on access_system_keys; writemode on; set \xff/shell sys; get \xff/shell)");
  EXPECT_EQ(allowed.status, 0) << describe(allowed);
  EXPECT_TRUE(contains(allowed.output, R"(`\xff/shell' is `sys')")) << describe(allowed);
  ProgramRun read_only = exec(R"(option on read_system_keys; get \xff/shell)");
  EXPECT_TRUE(contains(read_only.output, R"(`\xff/shell' is `sys')")) << describe(read_only);
}

TEST_F(ShellTest, OptionsInsideATransactionApplyToItOnly) {
  ProgramRun run = script(
      "writemode on\n"
      "begin\n"
      "option on read_your_writes_disable\n"
      "option\n"
      "set ryw/key mine\n"
      "get ryw/key\n"
      "commit\n"
      "get ryw/key\n"
      "option\n");
  EXPECT_EQ(run.status, 0) << describe(run);
  EXPECT_TRUE(
      contains(run.output, "Option read_your_writes_disable on for the current transaction"))
      << describe(run);
  EXPECT_TRUE(contains(run.output,
                       "Options on for the current transaction:\n"
                       "  read_your_writes_disable\n"))
      << describe(run);
  // Without read-your-writes the transaction does not see its own write; after the commit
  // everyone does.
  EXPECT_TRUE(contains(run.output, "`ryw/key': not found\nCommitted (")) << describe(run);
  EXPECT_TRUE(contains(run.output, "`ryw/key' is `mine'\nNo options are on.")) << describe(run);

  ProgramRun undo = script("begin\noption on causal_read_risky\noption off causal_read_risky\n");
  EXPECT_EQ(undo.status, 1) << describe(undo);
  EXPECT_TRUE(contains(undo.errors,
                       "causal_read_risky cannot be turned off in a running "
                       "transaction"))
      << describe(undo);
}

TEST_F(ShellTest, GetVersionFollowsCommits) {
  ProgramRun first = exec("getversion");
  ASSERT_EQ(first.status, 0) << describe(first);
  // 0 for a database nothing was committed to yet.
  int64_t before = std::stoll(first.output);
  EXPECT_GE(before, 0);
  ProgramRun write = exec("writemode on; set v/key x");
  size_t at = write.output.find("Committed (");
  ASSERT_NE(at, std::string::npos) << describe(write);
  int64_t committed = std::stoll(write.output.substr(at + std::string("Committed (").size()));
  EXPECT_GT(committed, before);
  ProgramRun after = exec("getversion");
  EXPECT_GE(std::stoll(after.output), committed) << describe(after);
  // Inside a transaction: its read version, the same each time.
  ProgramRun twice = exec("begin; getversion; getversion; rollback");
  std::istringstream lines(twice.output);
  std::string started, one, two;
  std::getline(lines, started);
  std::getline(lines, one);
  std::getline(lines, two);
  EXPECT_EQ(one, two) << describe(twice);
}

// ---- the cluster ----

TEST_F(ShellTest, StatusDescribesTheCluster) {
  ProgramRun run = exec("status");
  ASSERT_EQ(run.status, 0) << describe(run);
  for (const std::string& line :
       {"Using cluster file `" + cluster_file() + "'.",
        std::string("Storage engine         - memory"), std::string("Database available     - yes"),
        std::string("Healthy                - yes"),
        std::string("Recovery state         - fully_recovered"),
        std::string("Coordinators           - 1 (") + listen_ + ")",
        std::string("Coordinators reachable - 1 of 1"), std::string("Log servers            - 1"),
        std::string("Commit proxies         - 1"), std::string("GRV proxies            - 1"),
        std::string("Resolvers              - 1"), std::string("Last recovery          - "),
        std::string("Log generations        - 1 current (epoch "),
        // The class and the zone (its machine, its IP address, unless --zone says otherwise).
        "  " + listen_ + "  unset 127.0.0.1  reachable", std::string("No problems reported.")}) {
    EXPECT_TRUE(contains(run.output, line)) << line << "\n" << describe(run);
  }
  EXPECT_TRUE(contains(run.output,
                       "roles: cluster_controller, coordinator, sequencer, resolver, log, storage"))
      << describe(run);
  EXPECT_FALSE(contains(run.output, "Workers expected")) << describe(run);
  // The roles' figures: rates over the last seconds and the latencies of recent requests,
  // here of the commits just made.
  ASSERT_EQ(exec("writemode on; set a 1; set b 2; get a").status, 0);
  ProgramRun busy = exec("status");
  for (const std::string& line :
       {"Workload:", "Transactions committed - ", "Read rate              - ",
        "Latencies (recent requests):", "Commit                 - "}) {
    EXPECT_TRUE(contains(busy.output, line)) << line << "\n" << describe(busy);
  }

  EXPECT_EQ(exec("status minimal").output, "The database is available.\n");
  ProgramRun details = exec("status details");
  EXPECT_TRUE(contains(details.output, "      worker ")) << describe(details);
  EXPECT_TRUE(contains(details.output, "      machine 127.0.0.1\n")) << describe(details);
  EXPECT_TRUE(contains(details.output, "      network ")) << describe(details);
  EXPECT_TRUE(contains(details.output, " connections_opened=")) << describe(details);
  ProgramRun bad = exec("status everything");
  EXPECT_EQ(bad.status, 1);
  EXPECT_TRUE(contains(bad.errors, "usage: status [minimal|details|json]")) << describe(bad);
}

TEST_F(ShellTest, StatusJsonIsTheSpecialKeysDocument) {
  ProgramRun run = exec("status json");
  ASSERT_EQ(run.status, 0) << describe(run);
  ASSERT_EQ(run.output.back(), '\n');
  nlohmann::json document = nlohmann::json::parse(run.output, nullptr, false);
  ASSERT_FALSE(document.is_discarded()) << run.output;
  EXPECT_EQ(document["cluster"]["recovery_state"]["name"], "fully_recovered");
  EXPECT_EQ(document["cluster"]["database_available"], true);
  EXPECT_EQ(document["cluster"]["coordinators"][0], listen_);
  EXPECT_TRUE(document["cluster"]["processes"].contains(listen_)) << run.output;
  // The process's own figures, from its operating system.
  const nlohmann::json& process = document["cluster"]["processes"][listen_];
  EXPECT_GT(process["memory"]["rss_bytes"].get<double>(), 1'000'000) << run.output;
  EXPECT_GE(process["cpu"]["usage_cores"].get<double>(), 0) << run.output;
  EXPECT_EQ(document["client"]["database_status"]["healthy"], true);
  EXPECT_TRUE(document["cluster"]["workload"]["transactions"]["started"]["hz"].is_number())
      << run.output;
  EXPECT_TRUE(document["cluster"]["latency_statistics"]["commit"]["p99_seconds"].is_number())
      << run.output;
  // The same document as a get of \xff\xff/status/json, printed in escaped form.
  ProgramRun special = exec(R"(get \xff\xff/status/json)");
  ASSERT_EQ(special.status, 0) << describe(special);
  EXPECT_TRUE(contains(special.output, R"(`\xff\xff/status/json' is `{"client":)"))
      << describe(special);
  EXPECT_EQ(run.output.substr(0, 10), "{\"client\":");
}

TEST_F(ShellTest, ClusterCommandsShowTheClusterAndRefuseWhatTheyCannotDo) {
  ProgramRun configuration = exec("configure");
  EXPECT_EQ(configuration.status, 0) << describe(configuration);
  for (const std::string& line :
       {"Redundancy mode        - single", "Storage engine         - memory",
        "Log servers            - 1", "Commit proxies         - 1", "GRV proxies            - 1",
        "Resolvers              - 1", "Storage servers        - 1",
        "Tenant mode            - disabled"}) {
    EXPECT_TRUE(contains(configuration.output, line)) << line << "\n" << describe(configuration);
  }
  ProgramRun tenants = exec("configure tenant_mode=optional_experimental");
  EXPECT_EQ(tenants.status, 0) << describe(tenants);
  EXPECT_TRUE(contains(tenants.output, "Configuration changed: tenant_mode=optional_experimental"))
      << describe(tenants);
  ProgramRun required = exec("configure tenant_mode=required_experimental");
  EXPECT_NE(required.status, 0) << describe(required);
  EXPECT_TRUE(contains(required.errors, "required_experimental is not provided"))
      << describe(required);
  ProgramRun coordinators = exec("coordinators");
  EXPECT_EQ(coordinators.status, 0) << describe(coordinators);
  EXPECT_TRUE(contains(coordinators.output, "Cluster coordinators (1): " + listen_))
      << describe(coordinators);
  EXPECT_TRUE(contains(coordinators.output, "  " + listen_ + "  reachable"))
      << describe(coordinators);
  ProgramRun processes = exec("kill");
  EXPECT_EQ(processes.status, 0) << describe(processes);
  EXPECT_TRUE(contains(processes.output, "  " + listen_ + "  unset 127.0.0.1  reachable"))
      << describe(processes);
  EXPECT_TRUE(contains(processes.output, "roles: cluster_controller, coordinator"))
      << describe(processes);
  ProgramRun excluded = exec("exclude");
  EXPECT_EQ(excluded.status, 0) << describe(excluded);
  EXPECT_TRUE(contains(excluded.output, "There are currently no servers or localities excluded"))
      << describe(excluded);
  // The only process: excluding it would leave nothing to hold the data. Refused, saying
  // why, and nothing is excluded.
  ProgramRun unsafe = exec("exclude " + listen_);
  EXPECT_EQ(unsafe.status, 1) << describe(unsafe);
  EXPECT_TRUE(contains(unsafe.errors, "ERROR: client_invalid_operation (2000): "))
      << describe(unsafe);
  EXPECT_TRUE(contains(unsafe.errors, "excluding " + listen_ +
                                          " is unsafe: the redundancy mode keeps 1 copy, but "
                                          "the live processes left would span 0 zones "
                                          "(nothing was changed)"))
      << describe(unsafe);
  EXPECT_TRUE(contains(exec("exclude").output, "no servers or localities excluded"));
  ProgramRun not_an_address = exec("exclude 127.0.0.1:port");
  EXPECT_EQ(not_an_address.status, 1) << describe(not_an_address);
  EXPECT_TRUE(contains(not_an_address.errors,
                       "exclude: `127.0.0.1:port' is not a process "
                       "(IP:PORT) or machine (IP) address"))
      << describe(not_an_address);
  // Forced: listed (a machine-wide exclusion as well), then included again.
  ProgramRun forced = exec("exclude FORCE no_wait " + listen_ + " 10.9.8.7");
  EXPECT_EQ(forced.status, 0) << describe(forced);
  ProgramRun listed = exec("exclude");
  EXPECT_TRUE(contains(listed.output,
                       "There are currently 2 servers or localities being "
                       "excluded from the database:\n  10.9.8.7\n  " +
                           listen_ + "\n"))
      << describe(listed);
  ProgramRun included = exec("include all");
  EXPECT_EQ(included.status, 0) << describe(included);
  EXPECT_TRUE(contains(exec("exclude").output, "no servers or localities excluded"));

  struct Unavailable {
    std::string command;
    std::string sentence;
  };
  for (const Unavailable& unavailable : std::vector<Unavailable>{
           {"configure three_datacenter logs=2", "not over data halls or data centres"},
       }) {
    ProgramRun run = exec(unavailable.command);
    EXPECT_EQ(run.status, 1) << unavailable.command << ": " << describe(run);
    EXPECT_TRUE(contains(run.errors, "ERROR: unsupported_operation (2108): ")) << describe(run);
    EXPECT_TRUE(contains(run.errors, unavailable.sentence)) << describe(run);
  }
  // Refused before anything was sent: the configuration is as it was, and nothing after
  // the refused command runs.
  // More copies than the cluster has zones: refused, saying why.
  ProgramRun stopped = exec("writemode on; configure triple logs=2; set k/after x");
  EXPECT_TRUE(contains(stopped.errors,
                       "triple keeps 3 copies in distinct zones, but the "
                       "database's storage servers span 1 zone"))
      << describe(stopped);
  EXPECT_EQ(stopped.status, 1);
  EXPECT_TRUE(contains(exec("get k/after").output, "`k/after': not found"));
  EXPECT_TRUE(contains(exec("configure").output, "Log servers            - 1"));
}

TEST_F(ShellTest, ConsistencyCheckComparesEveryCopy) {
  ASSERT_EQ(exec("writemode on; set cc/a 1; set cc/b 2").status, 0);
  ProgramRun checked = exec("consistencycheck");
  EXPECT_EQ(checked.status, 0) << describe(checked);
  // One process, one copy of each shard: every shard compared, nothing unreachable.
  EXPECT_TRUE(contains(checked.output, "0 difference(s), 0 copy(ies) unreachable"))
      << describe(checked);
  EXPECT_TRUE(contains(checked.output, "Compared ")) << describe(checked);
  ProgramRun extra = exec("consistencycheck now");
  EXPECT_EQ(extra.status, 1) << describe(extra);
}

TEST_F(ShellTest, ConfigureChangesTheConfigurationAndKeepsTheData) {
  ASSERT_EQ(exec("writemode on; set cfg/kept before").status, 0);
  ProgramRun changed = exec("configure logs=2");
  ASSERT_EQ(changed.status, 0) << describe(changed);
  EXPECT_EQ(changed.output,
            "Configuration changed: single logs=2 commit_proxies=1 grv_proxies=1 resolvers=1 "
            "storage_engine=memory\n");
  ProgramRun shown = exec("configure");
  EXPECT_TRUE(contains(shown.output, "Log servers            - 2")) << describe(shown);
  // One process hosts both logs of the generation the change recovers to.
  wait_for_status(
      [](const nlohmann::json& document) {
        return available(document) && current_log_servers(document) == 2;
      },
      "recovered with two logs");
  ProgramRun read = exec("get cfg/kept; writemode on; set cfg/after yes; get cfg/after");
  EXPECT_EQ(read.status, 0) << describe(read);
  EXPECT_TRUE(contains(read.output, "`cfg/kept' is `before'")) << describe(read);
  EXPECT_TRUE(contains(read.output, "`cfg/after' is `yes'")) << describe(read);

  // `single' names the redundancy mode the database has; `new' is noted and ignored.
  ProgramRun single = exec("configure single");
  EXPECT_EQ(single.status, 0) << describe(single);
  EXPECT_TRUE(contains(single.output, "Configuration changed: single logs=2 ")) << describe(single);
  ProgramRun nothing = exec("configure new");
  EXPECT_EQ(nothing.status, 0) << describe(nothing);
  EXPECT_TRUE(contains(nothing.output, "Configuration unchanged")) << describe(nothing);
  ProgramRun fresh = exec("configure new single memory logs=2");
  EXPECT_EQ(fresh.status, 0) << describe(fresh);
  EXPECT_TRUE(contains(fresh.output, "`new' is ignored")) << describe(fresh);
  EXPECT_TRUE(contains(fresh.output, "Configuration changed: single logs=2 ")) << describe(fresh);

  // A bad word is named, and nothing of the request is applied.
  for (const std::string& word : {"frobnicate", "logs=0", "resolvers=many"}) {
    ProgramRun bad = exec("configure resolvers=3 " + word);
    EXPECT_EQ(bad.status, 1) << word << ": " << describe(bad);
    EXPECT_TRUE(
        contains(bad.errors, "ERROR: client_invalid_operation (2000): configure: `" + word + "'"))
        << word << ": " << describe(bad);
  }
  ProgramRun after = exec("configure");
  EXPECT_TRUE(contains(after.output, "Resolvers              - 1")) << describe(after);
  EXPECT_TRUE(contains(after.output, "Log servers            - 2")) << describe(after);
}

TEST_F(ShellTest, CoordinatorsAtTheirOwnAddressChangeNothing) {
  const std::string file_before = read_file(cluster_file());
  std::string connection = file_before.substr(0, file_before.find('\n'));
  for (const std::string& command : {"coordinators " + listen_, std::string("coordinators auto")}) {
    ProgramRun run = exec(command);
    EXPECT_EQ(run.status, 0) << command << ": " << describe(run);
    EXPECT_TRUE(contains(run.output, "No change (existing configuration satisfies request)"))
        << command << ": " << describe(run);
    EXPECT_TRUE(contains(run.output, "Cluster connection string: " + connection))
        << command << ": " << describe(run);
  }
  EXPECT_EQ(read_file(cluster_file()), file_before);

  struct Refused {
    std::string command;
    std::string error;
  };
  for (const Refused& refused : std::vector<Refused>{
           {"coordinators 127.0.0.1:1", "127.0.0.1:1 is not a live server process"},
           {"coordinators " + listen_ + " 127.0.0.1:1", "2 is an even number"},
           {"coordinators " + listen_ + " " + listen_ + " " + listen_,
            "name each coordinator once"},
           {"coordinators somewhere", "`somewhere' is not a process address like 127.0.0.1:4500"},
           {"coordinators auto " + listen_, "`auto' stands alone"},
       }) {
    ProgramRun run = exec(refused.command);
    EXPECT_EQ(run.status, 1) << refused.command << ": " << describe(run);
    EXPECT_TRUE(contains(run.errors, "ERROR: client_invalid_operation (2000): coordinators: "))
        << refused.command << ": " << describe(run);
    EXPECT_TRUE(contains(run.errors, refused.error)) << refused.command << ": " << describe(run);
  }
  EXPECT_EQ(read_file(cluster_file()), file_before);
  EXPECT_TRUE(contains(exec("status").output, "Database available     - yes"));
}

TEST_F(ShellTest, KillRestartsTheProcessInPlace) {
  ASSERT_EQ(exec("writemode on; set kill/kept yes").status, 0);
  for (const std::string& command : {"kill " + listen_, std::string("kill all")}) {
    // The uptime it reports, and a lower bound of how long it has run since: without a
    // restart its uptime can only be at least their sum.
    ProgramRun before = exec("status json");
    const auto measured_at = std::chrono::steady_clock::now();
    std::optional<double> uptime_before =
        uptime_s(nlohmann::json::parse(before.output, nullptr, false), listen_);
    ASSERT_TRUE(uptime_before) << describe(before);
    ProgramRun killed = exec(command);
    ASSERT_EQ(killed.status, 0) << command << ": " << describe(killed);
    EXPECT_EQ(killed.output, "Attempted to kill 1 process\n") << describe(killed);
    // Restarted: its uptime is below what it would be had it run on.
    bool restarted = false;
    ProgramRun last;
    for (int attempt = 0; attempt < 1200 && !restarted; ++attempt) {
      const auto asked_at = std::chrono::steady_clock::now();
      last = exec("status json");
      const double since_s = std::chrono::duration<double>(asked_at - measured_at).count();
      nlohmann::json document = nlohmann::json::parse(last.output, nullptr, false);
      std::optional<double> uptime =
          document.is_discarded() ? std::nullopt : uptime_s(document, listen_);
      restarted = uptime && *uptime < *uptime_before + since_s;
      if (!restarted) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_TRUE(restarted) << "its uptime never dropped after `" << command
                           << "': " << describe(last);
    // The same process: it answers at its address and serves its data again.
    wait_for_status(available, "available again");
    ProgramRun read = exec("get kill/kept");
    EXPECT_EQ(read.status, 0) << describe(read);
    EXPECT_TRUE(contains(read.output, "`kill/kept' is `yes'")) << describe(read);
  }
  ProgramRun alive = exec("writemode on; set kill/after yes; get kill/after");
  EXPECT_TRUE(contains(alive.output, "`kill/after' is `yes'")) << describe(alive);

  struct Refused {
    std::string command;
    std::string error;
  };
  for (const Refused& refused : std::vector<Refused>{
           {"kill 127.0.0.1:1", "kill: no process of the cluster is at 127.0.0.1:1"},
           {"kill " + listen_ + " 127.0.0.1:1", "nothing was killed"},
           {"kill somewhere", "kill: `somewhere' is not a process address like 127.0.0.1:4500"},
           {"kill all " + listen_, "kill: `all' stands alone"},
       }) {
    ProgramRun run = exec(refused.command);
    EXPECT_EQ(run.status, 1) << refused.command << ": " << describe(run);
    EXPECT_TRUE(contains(run.errors, "ERROR: client_invalid_operation (2000): "))
        << refused.command << ": " << describe(run);
    EXPECT_TRUE(contains(run.errors, refused.error)) << refused.command << ": " << describe(run);
  }
}

// ---- help, errors, the command line ----

TEST_F(ShellTest, HelpListsAndExplainsEveryCommand) {
  ProgramRun help = exec("help");
  ASSERT_EQ(help.status, 0) << describe(help);
  for (const std::string& command : {"begin",
                                     "clear KEY",
                                     "clearrange BEGIN END",
                                     "commit",
                                     "configure",
                                     "coordinators",
                                     "exclude",
                                     "exit",
                                     "get KEY",
                                     "getrange BEGIN [END] [LIMIT]",
                                     "getrangekeys BEGIN [END] [LIMIT]",
                                     "getversion",
                                     "help",
                                     "include",
                                     "kill",
                                     "option [on|off NAME [ARG]]",
                                     "quit",
                                     "rollback",
                                     "set KEY VALUE",
                                     "status",
                                     "writemode on|off"}) {
    EXPECT_TRUE(contains(help.output, "  " + command)) << command << "\n" << help.output;
  }
  ProgramRun one = exec("help getrange");
  EXPECT_TRUE(contains(one.output, "usage: getrange BEGIN [END] [LIMIT]\n\n")) << describe(one);
  EXPECT_TRUE(contains(one.output, "default 25")) << describe(one);
  ProgramRun escaping = exec("help escaping");
  EXPECT_TRUE(contains(escaping.output, R"(\xNN is the byte)")) << describe(escaping);
  ProgramRun options = exec("help options");
  for (const shell::OptionSpec& option : shell::option_specs())
    EXPECT_TRUE(contains(options.output, "  " + std::string(option.name))) << option.name;
  ProgramRun unknown = exec("help frobnicate");
  EXPECT_EQ(unknown.status, 1);
  EXPECT_TRUE(contains(unknown.errors, "help: there is no command or topic `frobnicate'"))
      << describe(unknown);
}

TEST_F(ShellTest, BadCommandsAreErrorsThatSayWhatWasWrong) {
  struct Bad {
    std::string command;
    std::string error;
  };
  for (const Bad& bad : std::vector<Bad>{
           {"frobnicate",
            "ERROR: client_invalid_operation (2000): unknown command `frobnicate'; "
            "type `help'"},
           {"get", "`get' takes 1 argument, not 0; usage: get KEY"},
           {"set a", "`set' takes 2 arguments, not 1; usage: set KEY VALUE"},
           {"getrange", "`getrange' takes 1 to 3 arguments, not 0"},
           {"writemode", "`writemode' takes 1 argument, not 0"},
           {R"(get a\qb)", R"(unknown escape '\q' at column 6)"},
           {R"(get a\x4)", R"(bad escape '\x4' at column 6: \x takes two hex digits)"},
           {R"(get a\xzz)", R"(bad escape '\xzz')"},
           {R"(get "open)", "the quote opened at column 5 is not closed"},
           {R"(get a\)", "the line ends with a lone backslash"},
           {"getrange b a", "ERROR: inverted_range (2005)"},
       }) {
    ProgramRun run = exec(bad.command);
    EXPECT_EQ(run.status, 1) << bad.command << ": " << describe(run);
    EXPECT_TRUE(contains(run.errors, bad.error)) << bad.command << ": " << describe(run);
    EXPECT_TRUE(contains(run.errors, "ERROR: ")) << describe(run);
  }
}

TEST_F(ShellTest, CommandLineHelpVersionAndBadArguments) {
  ProgramRun help = shell({"--help"});
  EXPECT_EQ(help.status, 0);
  EXPECT_TRUE(contains(help.output, "usage: strata [-C FILE]")) << describe(help);
  ProgramRun version = shell({"--version"});
  EXPECT_EQ(version.status, 0);
  EXPECT_TRUE(contains(version.output, "strata 0.1.0 (protocol 0x")) << describe(version);
  ProgramRun unknown = shell({"--frobnicate"});
  EXPECT_EQ(unknown.status, 2);
  EXPECT_TRUE(contains(unknown.errors, "unknown argument '--frobnicate'")) << describe(unknown);
  ProgramRun timeout = shell({"--timeout", "soon", "--exec", "help"});
  EXPECT_EQ(timeout.status, 2);
  EXPECT_TRUE(contains(timeout.errors, "--timeout takes a number of seconds")) << describe(timeout);
  ProgramRun missing = shell({"--exec"});
  EXPECT_EQ(missing.status, 2);
  EXPECT_TRUE(contains(missing.errors, "--exec needs a value")) << describe(missing);
}

TEST_F(ShellTest, ClusterFileIsFoundWhereItShouldBe) {
  // ./strata.cluster: the server wrote it in its own folder.
  ProgramRun local = shell({"--exec", "get lookup"});
  EXPECT_EQ(local.status, 0) << describe(local);
  EXPECT_TRUE(contains(local.output, "`lookup': not found")) << describe(local);
  // $STRATA_CLUSTER_FILE, from a folder without one.
  TemporaryDirectory elsewhere;
  ProgramRun named = shell({"--exec", "get lookup"}, "", {{"STRATA_CLUSTER_FILE", cluster_file()}},
                           elsewhere.path());
  EXPECT_EQ(named.status, 0) << describe(named);
  // The interactive shell says which one it uses and why.
  auto in_elsewhere = terminal({{"STRATA_CLUSTER_FILE", cluster_file()}},
                               {"--timeout", shell_timeout}, elsewhere.path());
  EXPECT_TRUE(in_elsewhere->read_until(
      "Using cluster file `" + cluster_file() + "' (named by $STRATA_CLUSTER_FILE).", hang_guard_s))
      << in_elsewhere->transcript();
  EXPECT_TRUE(in_elsewhere->read_until("strata> ", hang_guard_s)) << in_elsewhere->transcript();
  in_elsewhere->type("exit\r");
  EXPECT_EQ(in_elsewhere->wait(hang_guard_s), 0);
  auto in_server_folder =
      terminal({{"STRATA_CLUSTER_FILE", "/nonexistent"}}, {"--timeout", shell_timeout});
  EXPECT_TRUE(in_server_folder->read_until(
      "Using cluster file `strata.cluster' (found in the current directory).", hang_guard_s))
      << in_server_folder->transcript();
  EXPECT_TRUE(in_server_folder->read_until("strata> ", hang_guard_s))
      << in_server_folder->transcript();
  in_server_folder->type("exit\r");
  EXPECT_EQ(in_server_folder->wait(hang_guard_s), 0);
  // -C naming a file that is not there.
  ProgramRun absent = shell({"-C", elsewhere.path() + "/none.cluster", "--exec", "get a"});
  EXPECT_EQ(absent.status, 1);
  EXPECT_TRUE(contains(absent.errors, "ERROR: file_not_found (1511): the cluster file `" +
                                          elsewhere.path() +
                                          "/none.cluster' given with -C "
                                          "does not exist"))
      << describe(absent);
  // None anywhere (unless this machine has a system-wide one).
  if (!std::filesystem::exists("/etc/strata/strata.cluster")) {
    ProgramRun none = shell({"--exec", "get a"}, "", {}, elsewhere.path());
    EXPECT_EQ(none.status, 1);
    EXPECT_TRUE(contains(none.errors, "ERROR: no_cluster_file_found (1515)")) << describe(none);
    EXPECT_TRUE(contains(none.errors, "/etc/strata/strata.cluster")) << describe(none);
    // Commands that need no cluster work without one.
    ProgramRun help = shell({"--exec", "help; writemode on; option"}, "", {}, elsewhere.path());
    EXPECT_EQ(help.status, 0) << describe(help);
  }
}

// ---- the interactive shell ----

TEST_F(ShellTest, InteractiveShellCompletesCommandsAndKeepsHistory) {
  auto term = terminal();
  ASSERT_TRUE(term->read_until("Using cluster file `" + cluster_file() + "' (given with -C).",
                               hang_guard_s))
      << term->transcript();
  ASSERT_TRUE(term->read_until("The database is available.", hang_guard_s)) << term->transcript();
  ASSERT_TRUE(term->read_until("strata> ", hang_guard_s)) << term->transcript();
  // TAB completes a command name, and the completed command runs.
  term->type("sta\t");
  ASSERT_TRUE(term->read_until("tus ", hang_guard_s)) << term->transcript();
  EXPECT_TRUE(contains(enter(*term, ""), "Database available     - yes")) << term->transcript();
  // Two choices with a common start: the start first, then the list (and the line again).
  term->type("help o\t");
  ASSERT_TRUE(term->read_until("ption", hang_guard_s)) << term->transcript();
  term->type("\t");
  ASSERT_TRUE(term->read_until("option  options", hang_guard_s)) << term->transcript();
  ASSERT_TRUE(term->read_until("strata> help option", hang_guard_s)) << term->transcript();
  EXPECT_TRUE(contains(enter(*term, "s"), "Transaction options (")) << term->transcript();
  // An error does not end the term.
  EXPECT_TRUE(contains(enter(*term, "frobnicate"), "unknown command `frobnicate'"))
      << term->transcript();
  EXPECT_TRUE(contains(enter(*term, "get history/key"), "`history/key': not found"))
      << term->transcript();
  // Ctrl-D ends the shell like exit.
  term->type("\x04");
  ASSERT_EQ(term->wait(hang_guard_s), 0) << term->transcript();

  std::string history = read_file(home() + "/.strata_history");
  EXPECT_TRUE(contains(history, "status\n")) << history;
  EXPECT_TRUE(contains(history, "get\\040history/key\n")) << history;

  // The next run recalls the last command with the up arrow.
  ASSERT_EQ(exec("writemode on; set history/key recalled").status, 0);
  auto again = terminal();
  ASSERT_TRUE(again->read_until("strata> ", hang_guard_s)) << again->transcript();
  EXPECT_TRUE(contains(enter(*again, "\x1b[A"), "`history/key' is `recalled'"))
      << again->transcript();
  again->type("exit\r");
  EXPECT_EQ(again->wait(hang_guard_s), 0) << again->transcript();
  EXPECT_TRUE(contains(read_file(home() + "/.strata_history"), "exit\n"));
}

// ---- an unreachable cluster ----

TEST(ShellUnreachableTest, CommandsFailWithTheUnreachableMessage) {
  TemporaryDirectory directory;
  const int port = testing::free_loopback_port();
  const std::string address = "127.0.0.1:" + std::to_string(port);
  const std::string file = directory.path() + "/dead.cluster";
  std::ofstream(file) << "dead:nobody@" << address << "\n";
  EnvironmentChanges environment = {{"HOME", directory.path()},
                                    {"STRATA_CLUSTER_FILE", std::nullopt}};
  for (const std::string& command :
       {"get a", "status", "getversion", "begin; get a", "writemode on; set a b", "kill",
        "kill all", "configure logs=2", "coordinators auto"}) {
    ProgramRun run =
        testing::run_program(STRATA_SHELL_PATH, {"-C", file, "--timeout", "1", "--exec", command},
                             directory.path(), "", environment, hang_guard_s);
    EXPECT_EQ(run.status, 1) << command << ": " << describe(run);
    EXPECT_TRUE(contains(run.errors, "the cluster is unreachable")) << command << describe(run);
    EXPECT_TRUE(contains(run.errors, "cluster file `" + file + "'")) << command << describe(run);
    EXPECT_TRUE(contains(run.errors, "coordinators " + address)) << command << describe(run);
    EXPECT_TRUE(contains(run.errors, "Check that strata-server is running there"))
        << command << describe(run);
  }
  // An interactive shell says so at once and goes on.
  TerminalProgram term(STRATA_SHELL_PATH, {"-C", file, "--timeout", "1"}, directory.path(),
                       {{"HOME", directory.path()}, {"TERM", "vt100"}});
  ASSERT_TRUE(term.read_until("the cluster is unreachable", hang_guard_s)) << term.transcript();
  ASSERT_TRUE(term.read_until("strata> ", hang_guard_s)) << term.transcript();
  EXPECT_TRUE(contains(enter(term, "help get"), "usage: get KEY")) << term.transcript();
  term.type("quit\r");
  EXPECT_EQ(term.wait(hang_guard_s), 0) << term.transcript();
}

// ---- the parts on their own ----

TEST(ShellParsingTest, WordsQuotesEscapesAndCommands) {
  using shell::parse_command_line;
  using shell::Words;
  using Commands = std::vector<Words>;
  const std::string escaped(
      "a\0\xff"
      "z\\\"; x",
      9);
  EXPECT_EQ(parse_command_line("  set  a   b "), (Commands{{"set", "a", "b"}}));
  EXPECT_EQ(parse_command_line(R"(set "a b" "")"), (Commands{{"set", "a b", ""}}));
  EXPECT_EQ(parse_command_line(R"(get a\x00\xFFz\\\"\;\ x)"), (Commands{{"get", escaped}}));
  EXPECT_EQ(parse_command_line("a;; b c ;d"), (Commands{{"a"}, {"b", "c"}, {"d"}}));
  EXPECT_EQ(parse_command_line(R"(set "x;y" v)"), (Commands{{"set", "x;y", "v"}}));
  EXPECT_EQ(parse_command_line(R"(set ab"c d"e)"), (Commands{{"set", "abc de"}}));
  EXPECT_TRUE(parse_command_line("   ").empty());
  for (const std::string& bad : {R"(get \q)", R"(get \x1)", R"(get \xg0)", R"(get ")", "get \\"}) {
    try {
      parse_command_line(bad);
      ADD_FAILURE() << bad << " parsed";
    } catch (Error& error) {
      EXPECT_EQ(error.code(), ErrorCode::client_invalid_operation) << bad;
    }
  }
}

TEST(ShellParsingTest, PrintableBytesReadBackAsTheSameBytes) {
  const std::string bytes("a b\0\x01\x7f\xff\\'\"`;", 12);
  std::string shown = shell::printable_bytes(bytes);
  EXPECT_EQ(shown, R"(a b\x00\x01\x7f\xff\\'"`;)");
  // Quoted, what is shown parses back to the bytes (a quote inside needs its escape).
  std::string typed = "get \"";
  for (char c : shown)
    typed += c == '"' ? std::string("\\\"") : std::string(1, c);
  typed += "\"";
  EXPECT_EQ(shell::parse_command_line(typed), (std::vector<shell::Words>{{"get", bytes}}));
  int64_t value = 0;
  EXPECT_TRUE(shell::parse_integer("-12", value));
  EXPECT_EQ(value, -12);
  EXPECT_FALSE(shell::parse_integer("12x", value));
  EXPECT_FALSE(shell::parse_integer("", value));
  EXPECT_FALSE(shell::parse_integer("99999999999999999999", value));
}

TEST(ShellCompletionTest, CommandsAndTheirWords) {
  EXPECT_EQ(shell::complete("sta").candidates, std::vector<std::string>{"status"});
  EXPECT_EQ(shell::complete("get").candidates,
            (std::vector<std::string>{"get", "getrange", "getrangekeys", "getversion"}));
  EXPECT_EQ(shell::common_prefix(shell::complete("getr").candidates), "getrange");
  EXPECT_EQ(shell::complete("writemode o").candidates, (std::vector<std::string>{"off", "on"}));
  EXPECT_EQ(shell::complete("status j").candidates, std::vector<std::string>{"json"});
  EXPECT_EQ(shell::complete("option on ti").candidates, std::vector<std::string>{"timeout"});
  EXPECT_EQ(shell::complete("help esc").candidates, std::vector<std::string>{"escaping"});
  EXPECT_EQ(shell::complete("writemode on; beg").candidates, std::vector<std::string>{"begin"});
  EXPECT_EQ(shell::complete("coordinators a").candidates, std::vector<std::string>{"auto"});
  EXPECT_EQ(shell::complete("kill a").candidates, std::vector<std::string>{"all"});
  EXPECT_EQ(shell::complete("configure logs=2 s").candidates,
            (std::vector<std::string>{"single", "ssd"}));
  EXPECT_TRUE(shell::complete("kill all a").candidates.empty());
  EXPECT_TRUE(shell::complete("get some").candidates.empty());
  EXPECT_TRUE(shell::complete("frob").candidates.empty());
  EXPECT_EQ(shell::complete("cons").candidates, std::vector<std::string>{"consistencycheck"});
  EXPECT_EQ(shell::complete("configure tr").candidates, std::vector<std::string>{"triple"});
  EXPECT_EQ(shell::complete("configure tenant_mode=o").candidates,
            std::vector<std::string>{"tenant_mode=optional_experimental"});
  EXPECT_EQ(shell::complete("").candidates.size(), 25u);
}

TEST(ShellOptionsTest, GroupsReplaceEachOther) {
  shell::OptionSet options;
  options.turn_on(shell::find_option("priority_batch"), 0);
  options.turn_on(shell::find_option("timeout"), 5);
  options.turn_on(shell::find_option("priority_system_immediate"), 0);
  options.turn_on(shell::find_option("timeout"), 7);
  EXPECT_EQ(options.describe(),
            (std::vector<std::string>{"priority_system_immediate", "timeout 7"}));
  EXPECT_TRUE(options.turn_off(shell::find_option("timeout")));
  EXPECT_FALSE(options.turn_off(shell::find_option("timeout")));
  EXPECT_EQ(shell::checked_option_argument(shell::find_option("retry_limit"), "-1"), -1);
}

TEST(ShellStatusRenderTest, ShowsFiguresOnlyWhenTheDocumentHasThem) {
  const std::string bare = R"({"cluster": {"database_available": false,
      "recovery_state": {"name": "waiting_for_workers", "description": "Waiting."},
      "processes": {"10.0.0.1:4500": {"address": "10.0.0.1:4500", "reachable": false,
                                      "roles": [{"role": "log", "id": "ab"}],
                                      "message": "did not answer status within 2 s"}},
      "messages": [{"name": "recovery_in_progress", "description": "Recovering."}]}})";
  std::string text = shell::render_status(bare, shell::StatusDetail::normal);
  EXPECT_TRUE(contains(text, "Database available     - no")) << text;
  EXPECT_TRUE(contains(text, "Recovery state         - waiting_for_workers (Waiting.)")) << text;
  EXPECT_TRUE(contains(text,
                       "  10.0.0.1:4500  UNREACHABLE  roles: log\n"
                       "      did not answer status within 2 s"))
      << text;
  EXPECT_TRUE(contains(text, "What is wrong:\n  recovery_in_progress: Recovering.")) << text;
  for (const std::string& absent : {"Storage engine", "Workload:", "Data:", "Latencies", "Healthy"})
    EXPECT_FALSE(contains(text, absent)) << absent << "\n" << text;
  EXPECT_EQ(shell::render_status_minimal(bare),
            "The database is unavailable; type `status' for more information.");

  const std::string full = R"({"cluster": {"database_available": true,
      "data": {"total_kv_size_bytes": 2500000, "state": {"description": "Healthy"},
               "partitions_count": 12, "moving_partitions": 1},
      "workload": {"operations": {"reads": {"hz": 120.4}, "writes": {"hz": 7}},
                   "transactions": {"committed": {"hz": 5}, "conflicted": {"hz": 1}}},
      "qos": {"performance_limited_by": {"name": "storage_server_write_queue_size",
                  "description": "Storage server performance (storage queue)."},
              "transactions_per_second_limit": 1234.4},
      "latency_statistics": {"commit": {"p50_seconds": 0.0042, "p99_seconds": 0.011}}}})";
  text = shell::render_status(full, shell::StatusDetail::normal);
  EXPECT_TRUE(contains(text, "Sum of key-value sizes - 2.500 MB")) << text;
  EXPECT_TRUE(contains(text, "Replication health     - Healthy")) << text;
  EXPECT_TRUE(contains(text, "Read rate              - 120 Hz")) << text;
  EXPECT_TRUE(contains(text, "Transactions committed - 5 Hz")) << text;
  EXPECT_TRUE(contains(text, "Shards                 - 12")) << text;
  EXPECT_TRUE(contains(text, "Shards moving          - 1")) << text;
  EXPECT_TRUE(
      contains(text, "Performance limited by - Storage server performance (storage queue)."))
      << text;
  EXPECT_TRUE(contains(text, "Transactions limit     - 1234 per second")) << text;
  EXPECT_TRUE(contains(text, "Commit                 - 4.200 ms median, 11.000 ms p99")) << text;
  EXPECT_FALSE(contains(text, "Read version")) << text;
  EXPECT_FALSE(contains(text, "Transactions started")) << text;
  EXPECT_FALSE(contains(text, "Disk space used")) << text;

  // The configuration's counts, the last recovery, the log generations, the processes'
  // class, zone and machine.
  const std::string recovered = R"({"cluster": {
      "configuration": {"redundancy_mode": "single", "storage_engine": "memory", "logs": 2,
                        "commit_proxies": 3, "grv_proxies": 1, "resolvers": 2},
      "recovery_state": {"name": "fully_recovered", "description": "Done.",
                         "reason": "log 1f of generation 4 failed",
                         "seconds_since_last_recovered": 3.2,
                         "last_recovery_duration_seconds": 0.517, "recoveries": 2},
      "logs": [{"epoch": 4, "current": false, "log_servers": [{"id": "a"}]},
               {"epoch": 5, "current": true, "log_servers": [{"id": "b"}, {"id": "c"}]}],
      "processes": {"10.0.0.2:4500": {"class_type": "stateless",
                                      "locality": {"zoneid": "zone-a", "machineid": "m-1"},
                                      "reachable": true,
                                      "status": {"process": {"uptime_s": 12.4}},
                                      "roles": [{"role": "coordinator"}]},
                    "10.0.0.3:4500": {"class_type": "storage", "reachable": true,
                                      "cpu": {"usage_cores": 0.456},
                                      "memory": {"rss_bytes": 157286400},
                                      "roles": []}}}})";
  text = shell::render_status(recovered, shell::StatusDetail::normal);
  for (const std::string& line :
       {"  Log servers            - 2\n  Commit proxies         - 3\n"
        "  GRV proxies            - 1\n  Resolvers              - 2\n",
        "  Last recovery          - 3 s ago, took 0.52 s: log 1f of generation 4 failed\n",
        "  Log generations        - 1 current (epoch 5, 2 logs) and 1 old still needed\n",
        "  10.0.0.2:4500  stateless zone-a  reachable  up 12 s  roles: coordinator",
        "  10.0.0.3:4500  storage  reachable  cpu 46%  mem 150 MiB  roles: none"}) {
    EXPECT_TRUE(contains(text, line)) << line << "\n" << text;
  }
  for (const std::string& absent : {"Storage servers", "Recovering because", "machine m-1"})
    EXPECT_FALSE(contains(text, absent)) << absent << "\n" << text;
  EXPECT_TRUE(contains(shell::render_status(recovered, shell::StatusDetail::details),
                       "      machine m-1\n"));
  EXPECT_EQ(shell::process_addresses(recovered),
            (std::vector<std::string>{"10.0.0.2:4500", "10.0.0.3:4500"}));
  // While a recovery runs its reason is the current one's, not the last recovery's.
  const std::string recovering = R"({"cluster": {
      "recovery_state": {"name": "locking_old_transaction_servers", "reason": "why",
                         "last_recovery_duration_seconds": 1.5},
      "logs": [{"epoch": 5, "current": false, "log_servers": []}]}})";
  text = shell::render_status(recovering, shell::StatusDetail::normal);
  EXPECT_TRUE(contains(text, "  Recovering because     - why\n")) << text;
  EXPECT_TRUE(contains(text, "  Last recovery          - took 1.50 s\n")) << text;
  EXPECT_TRUE(contains(text, "  Log generations        - no current one and 1 old still needed"))
      << text;

  // Fields of another type than expected are absent, not a crash.
  text = shell::render_status(R"({"cluster": {"processes": [1, 2], "generation": "x",
                                  "logs": {"a": 1}, "recovery_state": [1]}})",
                              shell::StatusDetail::details);
  EXPECT_FALSE(contains(text, "Generation")) << text;
  EXPECT_FALSE(contains(text, "Log generations")) << text;
  EXPECT_FALSE(contains(text, "Last recovery")) << text;
  text = shell::render_status(R"({"cluster": {"logs": [1, {"current": true, "epoch": "x"}],
      "processes": {"a": {"class_type": 3, "locality": {"zoneid": "z"}}}}})",
                              shell::StatusDetail::details);
  EXPECT_TRUE(contains(text, "Log generations        - 1 current, no old one needed")) << text;
  EXPECT_TRUE(contains(text, "  a  z  roles: none")) << text;
  for (const std::string& broken : {"", "[1, 2]", "{\"cluster\":", "null"}) {
    try {
      shell::render_status(broken, shell::StatusDetail::normal);
      ADD_FAILURE() << broken << " rendered";
    } catch (Error& error) {
      EXPECT_EQ(error.code(), ErrorCode::serialization_failed) << broken;
    }
  }
}

}  // namespace
}  // namespace strata
