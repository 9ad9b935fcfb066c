#pragma once

// A stream entry's ID as Redis defines it: milliseconds and a sequence number, both
// unsigned 64-bit, ordered by milliseconds then sequence, written "<ms>-<seq>".
//
// In keys an ID is 16 bytes, both halves big-endian, so that byte order is ID order for
// the whole unsigned range (a tuple integer would stop at 2^63 - 1, and Redis's IDs go to
// 2^64 - 1).

#include <compare>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace strata::redis {

struct StreamId {
  uint64_t ms = 0;
  uint64_t seq = 0;

  auto operator<=>(const StreamId&) const = default;
  bool is_zero() const { return ms == 0 && seq == 0; }
};

inline constexpr StreamId max_stream_id{std::numeric_limits<uint64_t>::max(),
                                        std::numeric_limits<uint64_t>::max()};

// "<ms>-<seq>".
std::string format_stream_id(StreamId id);

// The 16 bytes that stand for `id` in keys, and back (client_invalid_operation for bytes
// that are not 16 long: data the layer did not write).
std::string stream_id_bytes(StreamId id);
StreamId stream_id_from_bytes(std::string_view bytes);

// The next ID; false (and 0-0) after the last one. The previous ID; false (and the last
// one) before 0-0. (Redis's streamIncrID and streamDecrID.)
bool next_stream_id(StreamId& id);
bool previous_stream_id(StreamId& id);

// An ID as a command's argument, with Redis's rules, failing with "ERR Invalid stream ID
// specified as stream command argument":
// - "<ms>-<seq>", or "<ms>" alone, whose sequence is then `missing_seq`;
// - "-" and "+", the first and last IDs, unless `strict`;
// - "<ms>-*" where `seq_given` is not null (XADD): *seq_given is then false.
StreamId parse_stream_id(std::string_view text, uint64_t missing_seq, bool strict,
                         bool* seq_given = nullptr);

// A bound of a range (XRANGE, XPENDING, XAUTOCLAIM): as parse_stream_id, and "(<id>" for
// an exclusive one, made inclusive here by moving to the next ID (`start`) or the previous
// one; "ERR invalid start ID for the interval" / "ERR invalid end ID for the interval"
// when there is none.
StreamId range_bound(std::string_view text, bool start);

}  // namespace strata::redis
