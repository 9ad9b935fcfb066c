#include "resp_client.h"

#include <stdexcept>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace strata::testing {

namespace {

// Only against hangs: nothing here is timed.
constexpr int hang_guard_ms = 120'000;

}  // namespace

std::string encode_command(const std::vector<std::string>& arguments) {
  std::string bytes = "*" + std::to_string(arguments.size()) + "\r\n";
  for (const std::string& argument : arguments)
    bytes += "$" + std::to_string(argument.size()) + "\r\n" + argument + "\r\n";
  return bytes;
}

RespClient::RespClient(int port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd_);
    throw std::runtime_error("cannot connect to port " + std::to_string(port));
  }
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

RespClient::~RespClient() {
  if (fd_ >= 0) ::close(fd_);
}

void RespClient::send_raw(const std::string& bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) throw std::runtime_error("send failed");
    sent += static_cast<size_t>(n);
  }
}

std::string RespClient::call(const std::vector<std::string>& arguments) {
  send_raw(encode_command(arguments));
  return read_reply().value_or("<closed>");
}

std::vector<std::string> RespClient::pipeline(
    const std::vector<std::vector<std::string>>& commands) {
  std::string bytes;
  for (const auto& command : commands)
    bytes += encode_command(command);
  send_raw(bytes);
  std::vector<std::string> replies;
  for (size_t i = 0; i < commands.size(); ++i)
    replies.push_back(read_reply().value_or("<closed>"));
  return replies;
}

bool RespClient::fill() {
  pollfd waiting{fd_, POLLIN, 0};
  if (::poll(&waiting, 1, hang_guard_ms) <= 0) return false;
  char chunk[65536];
  const ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
  if (n <= 0) return false;
  if (position_ > 0 && position_ == buffer_.size()) {
    buffer_.clear();
    position_ = 0;
  }
  buffer_.append(chunk, static_cast<size_t>(n));
  return true;
}

std::optional<std::string> RespClient::line() {
  while (true) {
    const size_t end = buffer_.find("\r\n", position_);
    if (end != std::string::npos) {
      std::string text = buffer_.substr(position_, end - position_);
      position_ = end + 2;
      return text;
    }
    if (!fill()) return std::nullopt;
  }
}

std::optional<std::string> RespClient::read_reply() {
  return parse();
}

std::optional<std::string> RespClient::parse() {
  std::optional<std::string> header = line();
  if (!header || header->empty()) return std::nullopt;
  const char type = (*header)[0];
  const std::string rest = header->substr(1);
  switch (type) {
    case '+':
      return "+" + rest;
    case '-':
      return "-" + rest;
    case ':':
      return ":" + rest;
    case ',':
      return "," + rest;
    case '#':
      return "#" + rest;
    case '_':
      return "nil";
    case '$':
    case '=': {
      const long length = std::stol(rest);
      if (length < 0) return "nil";
      while (buffer_.size() - position_ < static_cast<size_t>(length) + 2) {
        if (!fill()) return std::nullopt;
      }
      std::string bytes = buffer_.substr(position_, static_cast<size_t>(length));
      position_ += static_cast<size_t>(length) + 2;
      return "$" + bytes;
    }
    case '*':
    case '~':
    case '>':
    case '%': {
      const long count = std::stol(rest);
      if (count < 0) return "nil";
      const bool map = type == '%';
      // A RESP3 push shows as ">[...]", apart from an array.
      std::string text = map ? "{" : (type == '>' ? ">[" : "[");
      for (long i = 0; i < count; ++i) {
        if (i > 0) text += ", ";
        std::optional<std::string> element = parse();
        if (!element) return std::nullopt;
        text += *element;
        if (map) {
          std::optional<std::string> value = parse();
          if (!value) return std::nullopt;
          text += ": " + *value;
        }
      }
      return text + (map ? "}" : "]");
    }
    default:
      return "?" + *header;
  }
}

bool RespClient::closed_by_server() {
  while (true) {
    pollfd waiting{fd_, POLLIN, 0};
    if (::poll(&waiting, 1, hang_guard_ms) <= 0) return false;
    char chunk[4096];
    const ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
    if (n <= 0) return true;
  }
}

}  // namespace strata::testing
