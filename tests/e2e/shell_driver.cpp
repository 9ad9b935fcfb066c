#include "shell_driver.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <thread>

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

extern char** environ;

namespace strata::testing {

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// This process's environment with `changes` made, as "NAME=value" strings.
std::vector<std::string> environment_with(const EnvironmentChanges& changes) {
  std::vector<std::string> variables;
  for (char** variable = environ; *variable; ++variable) {
    std::string text = *variable;
    std::string name = text.substr(0, text.find('='));
    bool changed = std::any_of(changes.begin(), changes.end(),
                               [&](const auto& change) { return change.first == name; });
    if (!changed) variables.push_back(text);
  }
  for (const auto& [name, value] : changes) {
    if (value) variables.push_back(name + "=" + *value);
  }
  return variables;
}

std::vector<char*> pointers_to(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (std::string& text : strings)
    pointers.push_back(text.data());
  pointers.push_back(nullptr);
  return pointers;
}

int exit_status(int raw) {
  return WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
}

// Reads what is there on `fd` into `out`; false at end of file.
bool read_available(int fd, std::string& out) {
  char chunk[4096];
  ssize_t got = ::read(fd, chunk, sizeof(chunk));
  if (got <= 0) return false;
  out.append(chunk, static_cast<size_t>(got));
  return true;
}

}  // namespace

ProgramRun run_program(const std::string& program, const std::vector<std::string>& arguments,
                       const std::string& directory, const std::string& input,
                       const EnvironmentChanges& environment, double hang_guard_s) {
  int in[2], out[2], err[2];
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0)
    throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
  posix_spawn_file_actions_addchdir_np(&actions, directory.c_str());
  std::vector<std::string> argv_strings{program};
  argv_strings.insert(argv_strings.end(), arguments.begin(), arguments.end());
  std::vector<char*> argv = pointers_to(argv_strings);
  std::vector<std::string> variables = environment_with(environment);
  std::vector<char*> envp = pointers_to(variables);
  pid_t pid = -1;
  int spawned = posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  if (spawned != 0) throw std::runtime_error("cannot start " + program);
  // The scripts are small: they fit in the pipe, so writing them all first cannot block.
  if (!input.empty() && ::write(in[1], input.data(), input.size()) < 0)
    throw std::runtime_error("cannot write the script");
  ::close(in[1]);

  ProgramRun run;
  auto start = std::chrono::steady_clock::now();
  bool out_open = true, err_open = true;
  while ((out_open || err_open) && seconds_since(start) < hang_guard_s) {
    pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
    if (::poll(fds, 2, 100) <= 0) continue;
    if (out_open && (fds[0].revents & (POLLIN | POLLHUP)))
      out_open = read_available(out[0], run.output);
    if (err_open && (fds[1].revents & (POLLIN | POLLHUP)))
      err_open = read_available(err[0], run.errors);
  }
  ::close(out[0]);
  ::close(err[0]);
  int raw = 0;
  if (out_open || err_open) ::kill(pid, SIGKILL);
  ::waitpid(pid, &raw, 0);
  run.status = (out_open || err_open) ? -1 : exit_status(raw);
  return run;
}

TerminalProgram::TerminalProgram(const std::string& program,
                                 const std::vector<std::string>& arguments,
                                 const std::string& directory,
                                 const EnvironmentChanges& environment) {
  std::vector<std::string> argv_strings{program};
  argv_strings.insert(argv_strings.end(), arguments.begin(), arguments.end());
  std::vector<char*> argv = pointers_to(argv_strings);
  std::vector<std::string> variables = environment_with(environment);
  std::vector<char*> envp = pointers_to(variables);
  winsize size{};
  size.ws_row = 50;
  size.ws_col = 200;
  pid_ = forkpty(&terminal_fd_, nullptr, nullptr, &size);
  if (pid_ < 0) throw std::runtime_error("forkpty failed");
  if (pid_ == 0) {
    // The child: only async-signal-safe calls until exec.
    if (::chdir(directory.c_str()) != 0) _exit(126);
    ::execve(program.c_str(), argv.data(), envp.data());
    _exit(127);
  }
  program_side_fd_ = ::open(ptsname(terminal_fd_), O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (program_side_fd_ < 0) throw std::runtime_error("cannot open the terminal's other end");
}

TerminalProgram::~TerminalProgram() {
  if (!status_) {
    ::kill(pid_, SIGKILL);
    int raw = 0;
    ::waitpid(pid_, &raw, 0);
  }
  ::close(program_side_fd_);
  ::close(terminal_fd_);
}

void TerminalProgram::type(const std::string& keys, double hang_guard_s) {
  auto start = std::chrono::steady_clock::now();
  termios modes{};
  while (::tcgetattr(program_side_fd_, &modes) != 0 || (modes.c_lflag & ICANON) != 0) {
    if (seconds_since(start) >= hang_guard_s)
      throw std::runtime_error("the program never read the terminal key by key");
    // Keep reading its output meanwhile, so that it never blocks writing.
    pollfd fd{terminal_fd_, POLLIN, 0};
    if (::poll(&fd, 1, 1) > 0) {
      std::string chunk;
      if (read_available(terminal_fd_, chunk)) {
        chunk.erase(std::remove(chunk.begin(), chunk.end(), '\0'), chunk.end());
        unread_ += chunk;
        transcript_ += chunk;
      }
    }
  }
  if (::write(terminal_fd_, keys.data(), keys.size()) != static_cast<ssize_t>(keys.size()))
    throw std::runtime_error("cannot type into the terminal");
}

std::optional<std::string> TerminalProgram::read_until(const std::string& text,
                                                       double hang_guard_s) {
  auto start = std::chrono::steady_clock::now();
  while (true) {
    size_t found = unread_.find(text);
    if (found != std::string::npos) {
      std::string seen = unread_.substr(0, found + text.size());
      unread_.erase(0, found + text.size());
      return seen;
    }
    if (seconds_since(start) >= hang_guard_s) return std::nullopt;
    pollfd fd{terminal_fd_, POLLIN, 0};
    if (::poll(&fd, 1, 100) <= 0) continue;
    std::string chunk;
    // A terminal whose program ended reads as an error (EIO), not as end of file.
    if (!read_available(terminal_fd_, chunk)) return std::nullopt;
    chunk.erase(std::remove(chunk.begin(), chunk.end(), '\0'), chunk.end());
    unread_ += chunk;
    transcript_ += chunk;
  }
}

std::optional<int> TerminalProgram::wait(double hang_guard_s) {
  if (status_) return status_;
  auto start = std::chrono::steady_clock::now();
  do {
    // Drain the output, so that the program never blocks writing it.
    pollfd fd{terminal_fd_, POLLIN, 0};
    if (::poll(&fd, 1, 10) > 0) {
      std::string chunk;
      if (read_available(terminal_fd_, chunk)) transcript_ += chunk;
    }
    int raw = 0;
    if (::waitpid(pid_, &raw, WNOHANG) == pid_) {
      status_ = exit_status(raw);
      return status_;
    }
  } while (seconds_since(start) < hang_guard_s);
  return std::nullopt;
}

}  // namespace strata::testing
