#pragma once

// Framing of messages on a connection, after the handshake:
//
//   u32 length of (token + payload) | u32 length check | u32 checksum of (token + payload)
//   | token | payload
//
// little-endian. The checksum (the low half of XXH3-64) catches bytes corrupted on the way
// that TCP's own checksum missed, before anything acts on them. The length check catches
// a corrupted length at once: without it, a length corrupted upwards would make the
// reader wait for bytes that are really later frames, and the connection would hang
// instead of failing.

#include <cstdint>
#include <string>
#include <string_view>

#include "runtime/uid.h"

namespace strata {

constexpr size_t frame_header_bytes = 12;
constexpr size_t frame_token_bytes = 16;

struct Frame {
  UID token;
  std::string_view payload;
};

// Starts a frame for `token` at the end of `out`; the caller appends the payload, then
// calls finish_frame with the offset this returned.
size_t begin_frame(std::string& out, const UID& token);
void finish_frame(std::string& out, size_t frame_start);

// Splits a byte stream into frames. Feed it what the connection read; take frames until
// next() says there is no complete one.
class FrameParser {
 public:
  enum class Status { frame, need_more, corrupt };

  explicit FrameParser(uint32_t frame_bytes_max) : frame_bytes_max_(frame_bytes_max) {}

  void append(std::string_view bytes);
  // frame: `frame` points into the parser's buffer and is valid until the next call to
  // next() or append(). corrupt: `problem` says why; the stream cannot be trusted any more.
  Status next(Frame& frame);
  const std::string& problem() const { return problem_; }
  size_t buffered_bytes() const { return buffer_.size() - consumed_; }

 private:
  uint32_t frame_bytes_max_;
  std::string buffer_;
  size_t consumed_ = 0;
  std::string problem_;
};

uint32_t frame_checksum(std::string_view bytes);
// The check word written after a frame's length.
constexpr uint32_t frame_length_check(uint32_t length) {
  return (length * 2654435761u) ^ 0x4b525453u;
}

}  // namespace strata
