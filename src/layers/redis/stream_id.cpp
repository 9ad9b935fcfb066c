#include "layers/redis/stream_id.h"

#include "layers/redis/command_error.h"
#include "runtime/error.h"

namespace strata::redis {

namespace {

[[noreturn]] void fail_invalid_id() {
  fail("ERR Invalid stream ID specified as stream command argument");
}

// An unsigned 64-bit decimal as Redis's string2ull takes it: digits, leading zeros allowed,
// at most 2^64 - 1.
bool parse_unsigned(std::string_view text, uint64_t& value) {
  if (text.empty() || text.size() > 20) return false;
  uint64_t result = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    const auto digit = static_cast<uint64_t>(c - '0');
    if (result > (std::numeric_limits<uint64_t>::max() - digit) / 10) return false;
    result = result * 10 + digit;
  }
  value = result;
  return true;
}

void put_big_endian(std::string& out, uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((value >> shift) & 0xff));
}

uint64_t big_endian_at(std::string_view bytes, size_t at) {
  uint64_t value = 0;
  for (size_t i = 0; i < 8; ++i)
    value = (value << 8) | static_cast<uint8_t>(bytes[at + i]);
  return value;
}

}  // namespace

std::string format_stream_id(StreamId id) {
  return std::to_string(id.ms) + "-" + std::to_string(id.seq);
}

std::string stream_id_bytes(StreamId id) {
  std::string out;
  out.reserve(16);
  put_big_endian(out, id.ms);
  put_big_endian(out, id.seq);
  return out;
}

StreamId stream_id_from_bytes(std::string_view bytes) {
  if (bytes.size() != 16) {
    throw Error(ErrorCode::client_invalid_operation,
                "not a stream ID: " + std::to_string(bytes.size()) + " bytes, not 16");
  }
  return StreamId{big_endian_at(bytes, 0), big_endian_at(bytes, 8)};
}

bool next_stream_id(StreamId& id) {
  if (id.seq != std::numeric_limits<uint64_t>::max()) {
    ++id.seq;
    return true;
  }
  if (id.ms == std::numeric_limits<uint64_t>::max()) {
    id = StreamId{};
    return false;
  }
  ++id.ms;
  id.seq = 0;
  return true;
}

bool previous_stream_id(StreamId& id) {
  if (id.seq != 0) {
    --id.seq;
    return true;
  }
  if (id.ms == 0) {
    id = max_stream_id;
    return false;
  }
  --id.ms;
  id.seq = std::numeric_limits<uint64_t>::max();
  return true;
}

StreamId parse_stream_id(std::string_view text, uint64_t missing_seq, bool strict,
                         bool* seq_given) {
  // Redis copies the argument into a 128-byte buffer first.
  if (text.size() > 127) fail_invalid_id();
  if (seq_given) *seq_given = true;
  if (text == "-" || text == "+") {
    if (strict) fail_invalid_id();
    return text == "-" ? StreamId{} : max_stream_id;
  }
  StreamId id;
  const size_t dash = text.find('-');
  if (!parse_unsigned(text.substr(0, dash), id.ms)) fail_invalid_id();
  if (dash == std::string_view::npos) {
    id.seq = missing_seq;
    return id;
  }
  const std::string_view seq = text.substr(dash + 1);
  if (seq_given && seq == "*") {
    *seq_given = false;
    return id;
  }
  if (!parse_unsigned(seq, id.seq)) fail_invalid_id();
  return id;
}

StreamId range_bound(std::string_view text, bool start) {
  const uint64_t missing_seq = start ? 0 : std::numeric_limits<uint64_t>::max();
  if (text.size() > 1 && text[0] == '(') {
    StreamId id = parse_stream_id(text.substr(1), missing_seq, true);
    if (start ? !next_stream_id(id) : !previous_stream_id(id)) {
      fail(start ? "ERR invalid start ID for the interval" : "ERR invalid end ID for the interval");
    }
    return id;
  }
  return parse_stream_id(text, missing_seq, false);
}

}  // namespace strata::redis
