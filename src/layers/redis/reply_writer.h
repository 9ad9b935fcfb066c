#pragma once

// Replies in Redis's protocol, RESP2 or RESP3 (the connection's choice, HELLO 2|3), appended
// to one buffer so that the replies of pipelined commands go out in one write. Each call
// writes one value; an aggregate's header (array, map, set, push) is followed by its
// elements (a map's as key, value, key, value ...).
//
// Where RESP2 has no type of its own, Redis's fallbacks: null is "$-1" (a null array
// "*-1"), a map is an array of twice its size, a set an array, a double a bulk string, a
// boolean the integer 1 or 0, a push an array.

#include <cstdint>
#include <string>
#include <string_view>

namespace strata::redis {

class ReplyWriter {
 public:
  explicit ReplyWriter(int protocol = 2) { set_protocol(protocol); }

  // 2 or 3.
  void set_protocol(int protocol);
  int protocol() const { return protocol_; }

  // Line breaks in `text` become spaces: the protocol cannot carry them in a line, and a
  // client's bytes may end up in one.
  void simple_string(std::string_view text);
  // `message` starts with its code ("ERR ...", "WRONGTYPE ..."); line breaks become spaces.
  void error(std::string_view message);
  void integer(int64_t value);
  void bulk_string(std::string_view bytes);
  void null();
  void null_array();
  void array(size_t elements);
  void map(size_t pairs);
  void set(size_t elements);
  void push(size_t elements);
  // Formatted as Redis formats scores: %.17g, and "inf", "-inf", "nan".
  void double_value(double value);
  void boolean(bool value);

  // Replies already encoded (by another writer of the same protocol).
  void append_raw(std::string_view bytes) {
    if (!muted_) buffer_ += bytes;
  }

  // While muted, writes are dropped (CLIENT REPLY OFF and SKIP); Unmuted lets what must
  // reach the client anyway through (pub/sub's subscription notices, as in Redis).
  void set_muted(bool muted) { muted_ = muted; }
  class Unmuted {
   public:
    explicit Unmuted(ReplyWriter& writer) : writer_(writer), was_(writer.muted_) {
      writer_.muted_ = false;
    }
    ~Unmuted() { writer_.muted_ = was_; }
    Unmuted(const Unmuted&) = delete;
    Unmuted& operator=(const Unmuted&) = delete;

   private:
    ReplyWriter& writer_;
    bool was_;
  };

  const std::string& buffer() const { return buffer_; }
  // The bytes written so far, leaving the writer empty.
  std::string take();

 private:
  void header(char type, int64_t count);
  // A one-line reply (simple string, error) of `type`.
  void line(char type, std::string_view text);

  int protocol_ = 2;
  bool muted_ = false;
  std::string buffer_;
};

// Redis's text for a double (%.17g; inf, -inf, nan).
std::string format_redis_double(double value);

}  // namespace strata::redis
