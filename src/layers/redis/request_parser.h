#pragma once

// Requests as a Redis server reads them from a connection: bytes go in as they arrive,
// commands (their arguments) come out in order, so any number of pipelined commands may
// share a read and one command may span many.
//
// Two forms, chosen by each request's first byte, as Redis chooses:
// - multibulk (RESP), '*': "*<count>\r\n" then <count> times "$<length>\r\n<bytes>\r\n".
//   A count <= 0 is an empty request, skipped;
// - inline, anything else: one line (ended by "\n", a "\r" before it dropped) split as
//   inline_args.h says; an empty line is skipped.
//
// Malformed input is a protocol error with Redis's own message; after one the parser stays
// failed (Redis answers the error and closes the connection). A count, length or inline
// line past its limit fails as soon as it is read, before the bytes it announces arrive;
// the bytes buffered in all are for the connection to bound (buffered_bytes(), Redis's
// client-query-buffer-limit).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace strata::redis {

struct RequestLimits {
  // Arguments of one request (Redis: 1024 * 1024).
  int64_t arguments_max = 1024 * 1024;
  // Bytes of one argument (Redis's proto-max-bulk-len: 512 MiB).
  int64_t argument_bytes_max = 512LL * 1024 * 1024;
  // Bytes of an inline request, or of a multibulk header line (Redis: 64 KiB).
  int64_t inline_bytes_max = 64 * 1024;
  // Before the client authenticated (when a password is required): Redis's limits against
  // strangers who would make it allocate (10 arguments of 16 KiB).
  int64_t unauthenticated_arguments_max = 10;
  int64_t unauthenticated_argument_bytes_max = 16 * 1024;
};

class RequestParser {
 public:
  explicit RequestParser(RequestLimits limits = {});

  enum class Status { command, need_more, protocol_error };
  struct Result {
    Status status = Status::need_more;
    // With `command`: its arguments (at least one).
    std::vector<std::string> arguments;
    // With `protocol_error`: Redis's message, e.g. "Protocol error: invalid bulk length".
    std::string error;
  };

  // Bytes read from the connection.
  void append(std::string_view bytes);

  // The next complete request, or need_more, or the protocol error (again on every later
  // call). `authenticated`: false while a password is required and not yet given.
  Result next(bool authenticated = true);

  // Bytes received and not yet consumed as requests.
  size_t buffered_bytes() const { return buffer_.size() - position_; }

 private:
  Result fail(std::string message);
  Result next_inline();
  Result next_multibulk(bool authenticated);
  // Drops consumed bytes from the buffer once they are most of it.
  void compact();

  const RequestLimits limits_;
  std::string buffer_;
  size_t position_ = 0;
  std::string error_;
  // The multibulk request being read: arguments still to come (0: none started), the
  // length of the next one's bytes once its header was read (-1: not yet), and those
  // read so far.
  int64_t arguments_left_ = 0;
  int64_t argument_length_ = -1;
  std::vector<std::string> arguments_;
};

}  // namespace strata::redis
