#pragma once

// A blocking Redis client for tests: sends commands in RESP (one by one, or many in one
// write), reads replies and shows each as a short text:
//   +OK   simple string        -ERR ...  error         :12   integer
//   $bar  bulk string          nil       null (RESP2 "$-1" or "*-1", RESP3 "_")
//   [a, b]  array or set  >[a, b]  push  {k: v, ...}  map  ,1.5  double  #t / #f  boolean
// A test compares that text, so a wrong type shows as a wrong answer. Written apart from
// the layer's own encoder, from Redis's protocol description.

#include <optional>
#include <string>
#include <vector>

namespace strata::testing {

class RespClient {
 public:
  // Connects to 127.0.0.1:`port`; throws std::runtime_error if it cannot.
  explicit RespClient(int port);
  ~RespClient();
  RespClient(const RespClient&) = delete;
  RespClient& operator=(const RespClient&) = delete;

  // Sends the command and returns its reply.
  std::string call(const std::vector<std::string>& arguments);
  // Sends every command in one write, then reads as many replies.
  std::vector<std::string> pipeline(const std::vector<std::vector<std::string>>& commands);
  // Raw bytes, for inline commands and malformed requests.
  void send_raw(const std::string& bytes);
  // The next reply; nullopt if the connection closed (or timed out) first.
  std::optional<std::string> read_reply();
  // Whether the server closed the connection (reads nothing more within the guard).
  bool closed_by_server();

 private:
  bool fill();
  std::optional<std::string> line();
  std::optional<std::string> parse();

  int fd_ = -1;
  std::string buffer_;
  size_t position_ = 0;
};

std::string encode_command(const std::vector<std::string>& arguments);

}  // namespace strata::testing
