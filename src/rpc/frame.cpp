#include "rpc/frame.h"

#include <cstring>

#include <xxhash.h>

namespace strata {

namespace {

void put_u32(char* at, uint32_t value) {
  for (int i = 0; i < 4; ++i)
    at[i] = static_cast<char>((value >> (8 * i)) & 0xff);
}

void put_u64(char* at, uint64_t value) {
  for (int i = 0; i < 8; ++i)
    at[i] = static_cast<char>((value >> (8 * i)) & 0xff);
}

uint32_t get_u32(const char* at) {
  uint32_t value = 0;
  for (int i = 3; i >= 0; --i)
    value = (value << 8) | static_cast<unsigned char>(at[i]);
  return value;
}

uint64_t get_u64(const char* at) {
  uint64_t value = 0;
  for (int i = 7; i >= 0; --i)
    value = (value << 8) | static_cast<unsigned char>(at[i]);
  return value;
}

}  // namespace

uint32_t frame_checksum(std::string_view bytes) {
  return static_cast<uint32_t>(XXH3_64bits(bytes.data(), bytes.size()));
}

size_t begin_frame(std::string& out, const UID& token) {
  size_t start = out.size();
  out.resize(start + frame_header_bytes + frame_token_bytes);
  put_u64(out.data() + start + frame_header_bytes, token.first());
  put_u64(out.data() + start + frame_header_bytes + 8, token.second());
  return start;
}

void finish_frame(std::string& out, size_t frame_start) {
  std::string_view body(out.data() + frame_start + frame_header_bytes,
                        out.size() - frame_start - frame_header_bytes);
  auto length = static_cast<uint32_t>(body.size());
  put_u32(out.data() + frame_start, length);
  put_u32(out.data() + frame_start + 4, frame_length_check(length));
  put_u32(out.data() + frame_start + 8, frame_checksum(body));
}

void FrameParser::append(std::string_view bytes) {
  // Drop what was consumed before growing, so the buffer stays about one frame long.
  if (consumed_ > 0 && consumed_ >= buffer_.size() / 2) {
    buffer_.erase(0, consumed_);
    consumed_ = 0;
  }
  buffer_.append(bytes);
}

FrameParser::Status FrameParser::next(Frame& frame) {
  if (!problem_.empty()) return Status::corrupt;
  size_t available = buffer_.size() - consumed_;
  if (available < frame_header_bytes) return Status::need_more;
  const char* header = buffer_.data() + consumed_;
  uint32_t length = get_u32(header);
  if (get_u32(header + 4) != frame_length_check(length)) {
    problem_ = "frame length " + std::to_string(length) + " fails its check word";
    return Status::corrupt;
  }
  if (length < frame_token_bytes || length > frame_bytes_max_) {
    problem_ = "frame length " + std::to_string(length) + " is outside [" +
               std::to_string(frame_token_bytes) + ", " + std::to_string(frame_bytes_max_) + "]";
    return Status::corrupt;
  }
  if (available < frame_header_bytes + length) return Status::need_more;
  std::string_view body(header + frame_header_bytes, length);
  uint32_t expected = get_u32(header + 8);
  uint32_t actual = frame_checksum(body);
  if (expected != actual) {
    problem_ = "frame checksum mismatch (expected " + std::to_string(expected) + ", computed " +
               std::to_string(actual) + ")";
    return Status::corrupt;
  }
  frame.token = UID(get_u64(body.data()), get_u64(body.data() + 8));
  frame.payload = body.substr(frame_token_bytes);
  consumed_ += frame_header_bytes + length;
  return Status::frame;
}

}  // namespace strata
