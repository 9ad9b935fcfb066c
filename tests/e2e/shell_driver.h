#pragma once

// Driving the `strata` shell from end-to-end tests: a run with a script on standard input
// and its output and errors captured apart, and an interactive run on a
// pseudo-terminal.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <sys/types.h>

namespace strata::testing {

// Variables to set (a value) or remove (nullopt) in a child's environment, on top of this
// process's.
using EnvironmentChanges = std::vector<std::pair<std::string, std::optional<std::string>>>;

struct ProgramRun {
  // The exit status (128 + signal when killed), or -1 if it did not end within the guard.
  int status = -1;
  std::string output;
  std::string errors;
};

// Runs `program` with `arguments` in `directory`, `input` on its standard input (then
// closed), until it exits or `hang_guard_s` passes (a guard against hangs, not a bound on
// how long it takes; it is killed then).
ProgramRun run_program(const std::string& program, const std::vector<std::string>& arguments,
                       const std::string& directory, const std::string& input,
                       const EnvironmentChanges& environment, double hang_guard_s);

// A program on a pseudo-terminal, 200 columns wide.
class TerminalProgram {
 public:
  TerminalProgram(const std::string& program, const std::vector<std::string>& arguments,
                  const std::string& directory, const EnvironmentChanges& environment);
  TerminalProgram(const TerminalProgram&) = delete;
  TerminalProgram& operator=(const TerminalProgram&) = delete;
  // Kills the program if it still runs.
  ~TerminalProgram();

  // Types `keys` (a line ends with "\r", as the Enter key sends) once the program reads the
  // terminal key by key, as a line editor does while it waits for a line. Before that the
  // terminal's own line discipline would take keys such as Ctrl-D, which a program that
  // just printed its prompt may not have taken over yet. Throws if that does not happen
  // within `hang_guard_s`.
  void type(const std::string& keys, double hang_guard_s = 120);
  // Reads until the output read since the last call contains `text`, and returns that
  // output (NUL padding removed); nullopt if it did not appear within `hang_guard_s`.
  std::optional<std::string> read_until(const std::string& text, double hang_guard_s);
  // The exit status once the program ends (within `hang_guard_s`), nullopt otherwise.
  std::optional<int> wait(double hang_guard_s);
  // Everything read so far, for failure messages.
  const std::string& transcript() const { return transcript_; }

 private:
  pid_t pid_ = -1;
  int terminal_fd_ = -1;
  // The terminal's other end, to read its modes.
  int program_side_fd_ = -1;
  std::string unread_;
  std::string transcript_;
  std::optional<int> status_;
};

}  // namespace strata::testing
