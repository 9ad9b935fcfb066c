#include "child_process.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <utility>

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace strata::testing {

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

ChildProcess::ChildProcess(const std::string& program, const std::vector<std::string>& arguments,
                           const std::string& directory) {
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDERR_FILENO);
  posix_spawn_file_actions_addchdir_np(&actions, directory.c_str());
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(program.c_str()));
  for (const std::string& argument : arguments)
    argv.push_back(const_cast<char*>(argument.c_str()));
  argv.push_back(nullptr);
  int result = posix_spawn(&pid_, program.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  output_fd_ = pipe_fds[0];
  if (result != 0) throw std::runtime_error("cannot start " + program);
}

ChildProcess::~ChildProcess() {
  if (!status_) {
    ::kill(pid_, SIGKILL);
    wait(10);
  }
  ::close(output_fd_);
}

std::optional<std::string> ChildProcess::read_line(double timeout_s) {
  auto start = std::chrono::steady_clock::now();
  while (true) {
    size_t newline = buffer_.find('\n');
    if (newline != std::string::npos) {
      std::string line = buffer_.substr(0, newline);
      buffer_.erase(0, newline + 1);
      return line;
    }
    double left = timeout_s - seconds_since(start);
    if (left <= 0) return std::nullopt;
    pollfd poll_fd{output_fd_, POLLIN, 0};
    if (::poll(&poll_fd, 1, static_cast<int>(left * 1000) + 1) <= 0) continue;
    char chunk[4096];
    ssize_t got = ::read(output_fd_, chunk, sizeof(chunk));
    if (got <= 0) {
      if (buffer_.empty()) return std::nullopt;
      return std::exchange(buffer_, std::string());
    }
    buffer_.append(chunk, static_cast<size_t>(got));
    transcript_.append(chunk, static_cast<size_t>(got));
  }
}

std::optional<std::string> ChildProcess::wait_for_line(const std::string& text, double timeout_s) {
  auto start = std::chrono::steady_clock::now();
  while (seconds_since(start) < timeout_s) {
    std::optional<std::string> line = read_line(timeout_s - seconds_since(start));
    if (!line) return std::nullopt;
    if (line->find(text) != std::string::npos) return line;
  }
  return std::nullopt;
}

void ChildProcess::send_signal(int signal_number) {
  ::kill(pid_, signal_number);
}

std::optional<int> ChildProcess::wait(double timeout_s) {
  if (status_) return status_;
  auto start = std::chrono::steady_clock::now();
  do {
    int raw = 0;
    pid_t done = ::waitpid(pid_, &raw, WNOHANG);
    if (done == pid_) {
      status_ = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
      // Keep whatever it printed last in the transcript.
      while (read_line(1.0)) {
      }
      return status_;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  } while (seconds_since(start) < timeout_s);
  return std::nullopt;
}

TemporaryDirectory::TemporaryDirectory() {
  std::string pattern = (std::filesystem::temp_directory_path() / "strata-test-XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TemporaryDirectory::~TemporaryDirectory() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

int free_loopback_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t length = sizeof(address);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  int port = ntohs(address.sin_port);
  ::close(fd);
  return port;
}

ClusterConnectionString cluster_file_at(const std::string& path) {
  std::ifstream file(path);
  if (!file) throw std::runtime_error("no cluster file at " + path);
  std::stringstream contents;
  contents << file.rdbuf();
  return parse_cluster_file(contents.str(), path);
}

std::unique_ptr<ChildProcess> start_single_server(const std::string& folder, double hang_guard_s) {
  const std::string listen = "127.0.0.1:" + std::to_string(free_loopback_port());
  auto server = std::make_unique<ChildProcess>(
      STRATA_SERVER_PATH, std::vector<std::string>{"--listen", listen}, folder);
  if (!server->wait_for_line("listening on", hang_guard_s)) {
    throw std::runtime_error("strata-server did not start: " + server->transcript());
  }
  return server;
}

}  // namespace strata::testing
