// Strings: GET, SET and its relatives, counters, ranges and bits, with Redis 7.0's replies
// and errors. A string keeps its expiry when it is changed in place (INCR, APPEND,
// SETRANGE, SETBIT) and loses it when it is replaced (SET without KEEPTTL, GETSET, MSET).

#include <climits>
#include <cmath>

#include "layers/redis/arguments.h"
#include "layers/redis/command_context.h"
#include "layers/redis/command_error.h"
#include "layers/redis/command_table.h"
#include "layers/redis/redis_integer.h"
#include "layers/redis/redis_knobs.h"

namespace strata::redis {

namespace {

using namespace command_flags;

// LCS's table: at most this many cells (4 bytes each).
constexpr size_t lcs_cells_max = 64 * 1024 * 1024;

// The expiry options of SET and GETEX.
struct ExpiryOption {
  enum class Kind { none, at_ms, keep, persist } kind = Kind::none;
  int64_t at_ms = 0;
};

// Reads EX/PX/EXAT/PXAT's number into an absolute time, as Redis checks it.
int64_t expiry_time(std::string_view option, std::string_view number, int64_t now_ms,
                    std::string_view command) {
  const int64_t value = integer_argument(number);
  const std::string invalid = "ERR invalid expire time in '" + std::string(command) + "' command";
  const bool seconds = is_word(option, "EX") || is_word(option, "EXAT");
  const bool relative = is_word(option, "EX") || is_word(option, "PX");
  if (value <= 0 || (seconds && value > LLONG_MAX / 1000)) fail(invalid);
  const int64_t ms = seconds ? value * 1000 : value;
  if (!relative) return ms;
  if (ms > LLONG_MAX - now_ms) fail(invalid);
  return now_ms + ms;
}

// The key's string value, or nullopt; WRONGTYPE for another type.
Future<std::optional<std::string>> string_value(CommandContext& c, std::string name,
                                                std::optional<Metadata>& found) {
  found = co_await c.store.find_typed(name, RedisType::string);
  if (!found) co_return std::nullopt;
  co_return co_await c.store.read_string(name, *found);
}

// Writes `value` for key `name`, found as `previous`, or deletes it when `expire_at_ms` has
// already passed (a SET ... PXAT in the past leaves no key, as in Redis).
Future<Void> store_string(CommandContext& c, std::string name, std::string value,
                          int64_t expire_at_ms, std::optional<Metadata> previous) {
  if (expire_at_ms != 0 && expire_at_ms <= c.store.now_ms()) {
    if (previous) c.store.remove(name, *previous);
    co_return;
  }
  co_await c.store.write_string(std::move(name), std::move(value), expire_at_ms,
                                std::move(previous));
}

Future<Void> get_command(CommandContext& c) {
  std::optional<Metadata> found;
  std::optional<std::string> value = co_await string_value(c, c.args[1], found);
  value ? c.reply.bulk_string(*value) : c.reply.null();
}

Future<Void> set_command(CommandContext& c) {
  bool nx = false, xx = false, get = false;
  ExpiryOption expiry;
  const int64_t now_ms = c.store.now_ms();
  for (size_t i = 3; i < c.args.size(); ++i) {
    const std::string& option = c.args[i];
    const bool has_next = i + 1 < c.args.size();
    if (is_word(option, "NX") && !xx) {
      nx = true;
    } else if (is_word(option, "XX") && !nx) {
      xx = true;
    } else if (is_word(option, "GET")) {
      get = true;
    } else if (is_word(option, "KEEPTTL") && expiry.kind == ExpiryOption::Kind::none) {
      expiry.kind = ExpiryOption::Kind::keep;
    } else if ((is_word(option, "EX") || is_word(option, "PX") || is_word(option, "EXAT") ||
                is_word(option, "PXAT")) &&
               expiry.kind == ExpiryOption::Kind::none && has_next) {
      expiry.kind = ExpiryOption::Kind::at_ms;
      expiry.at_ms = expiry_time(option, c.args[++i], now_ms, "set");
    } else {
      fail_syntax();
    }
  }
  std::optional<Metadata> found = co_await c.store.find(c.args[1]);
  std::optional<std::string> old;
  if (get && found) {
    if (found->type != RedisType::string) fail_wrong_type();
    old = co_await c.store.read_string(c.args[1], *found);
  }
  const bool write = !(nx && found) && !(xx && !found);
  if (write) {
    int64_t expire_at_ms = 0;
    if (expiry.kind == ExpiryOption::Kind::at_ms) expire_at_ms = expiry.at_ms;
    if (expiry.kind == ExpiryOption::Kind::keep && found) expire_at_ms = found->expire_at_ms;
    co_await store_string(c, c.args[1], c.args[2], expire_at_ms, found);
  }
  if (get) {
    old ? c.reply.bulk_string(*old) : c.reply.null();
  } else if (write) {
    c.reply.simple_string("OK");
  } else {
    c.reply.null();
  }
}

Future<Void> setnx_command(CommandContext& c) {
  std::optional<Metadata> found = co_await c.store.find(c.args[1]);
  if (!found) co_await c.store.write_string(c.args[1], c.args[2], 0, std::nullopt);
  c.reply.integer(found ? 0 : 1);
}

// SETEX and PSETEX.
Future<Void> set_with_expiry(CommandContext& c, bool seconds) {
  const std::string_view command = seconds ? "setex" : "psetex";
  const int64_t at_ms = expiry_time(seconds ? "EX" : "PX", c.args[2], c.store.now_ms(), command);
  std::optional<Metadata> found = co_await c.store.find(c.args[1]);
  co_await store_string(c, c.args[1], c.args[3], at_ms, found);
  c.reply.simple_string("OK");
}
Future<Void> setex_command(CommandContext& c) {
  return set_with_expiry(c, true);
}
Future<Void> psetex_command(CommandContext& c) {
  return set_with_expiry(c, false);
}

Future<Void> mget_command(CommandContext& c) {
  std::vector<std::optional<std::string>> values;
  for (size_t i = 1; i < c.args.size(); ++i) {
    std::optional<Metadata> found = co_await c.store.find(c.args[i]);
    if (found && found->type == RedisType::string) {
      values.push_back(co_await c.store.read_string(c.args[i], *found));
    } else {
      values.push_back(std::nullopt);
    }
  }
  c.reply.array(values.size());
  for (const auto& value : values)
    value ? c.reply.bulk_string(*value) : c.reply.null();
}

// MSET and MSETNX.
Future<Void> set_many(CommandContext& c, bool only_new) {
  if (c.args.size() % 2 != 1) fail(wrong_arguments_message(c.args[0]));
  std::vector<std::optional<Metadata>> found;
  for (size_t i = 1; i < c.args.size(); i += 2) {
    found.push_back(co_await c.store.find(c.args[i]));
    if (only_new && found.back()) {
      c.reply.integer(0);
      co_return;
    }
  }
  for (size_t i = 1, k = 0; i < c.args.size(); i += 2, ++k) {
    // A key named twice: the first write made it, the last value wins.
    std::optional<Metadata> previous = co_await c.store.find(c.args[i]);
    co_await c.store.write_string(c.args[i], c.args[i + 1], 0, previous);
  }
  only_new ? c.reply.integer(1) : c.reply.simple_string("OK");
}
Future<Void> mset_command(CommandContext& c) {
  return set_many(c, false);
}
Future<Void> msetnx_command(CommandContext& c) {
  return set_many(c, true);
}

Future<Void> getset_command(CommandContext& c) {
  std::optional<Metadata> found;
  std::optional<std::string> old = co_await string_value(c, c.args[1], found);
  co_await c.store.write_string(c.args[1], c.args[2], 0, found);
  old ? c.reply.bulk_string(*old) : c.reply.null();
}

Future<Void> getdel_command(CommandContext& c) {
  std::optional<Metadata> found;
  std::optional<std::string> old = co_await string_value(c, c.args[1], found);
  if (found) c.store.remove(c.args[1], *found);
  old ? c.reply.bulk_string(*old) : c.reply.null();
}

Future<Void> getex_command(CommandContext& c) {
  ExpiryOption expiry;
  for (size_t i = 2; i < c.args.size(); ++i) {
    const std::string& option = c.args[i];
    const bool has_next = i + 1 < c.args.size();
    if ((is_word(option, "EX") || is_word(option, "PX") || is_word(option, "EXAT") ||
         is_word(option, "PXAT")) &&
        expiry.kind == ExpiryOption::Kind::none && has_next) {
      expiry.kind = ExpiryOption::Kind::at_ms;
      expiry.at_ms = expiry_time(option, c.args[++i], c.store.now_ms(), "getex");
    } else if (is_word(option, "PERSIST") && expiry.kind == ExpiryOption::Kind::none) {
      expiry.kind = ExpiryOption::Kind::persist;
    } else {
      fail_syntax();
    }
  }
  std::optional<Metadata> found;
  std::optional<std::string> value = co_await string_value(c, c.args[1], found);
  if (found && expiry.kind != ExpiryOption::Kind::none) {
    Metadata changed = *found;
    changed.expire_at_ms = expiry.kind == ExpiryOption::Kind::at_ms ? expiry.at_ms : 0;
    if (changed.expire_at_ms != 0 && changed.expire_at_ms <= c.store.now_ms()) {
      c.store.remove(c.args[1], *found);
    } else {
      c.store.put(c.args[1], changed, found);
    }
  }
  value ? c.reply.bulk_string(*value) : c.reply.null();
}

// INCR, DECR, INCRBY, DECRBY: adds `delta` to the key's integer.
Future<Void> add_to_integer(CommandContext& c, int64_t delta) {
  std::optional<Metadata> found;
  std::optional<std::string> value = co_await string_value(c, c.args[1], found);
  int64_t current = 0;
  if (value) {
    std::optional<int64_t> parsed =
        value->size() <= 20 ? parse_redis_integer(*value) : std::nullopt;
    if (!parsed) fail(std::string(not_integer_message));
    current = *parsed;
  }
  if ((delta < 0 && current < 0 && delta < LLONG_MIN - current) ||
      (delta > 0 && current > 0 && delta > LLONG_MAX - current)) {
    fail("ERR increment or decrement would overflow");
  }
  const int64_t result = current + delta;
  co_await c.store.write_string(c.args[1], std::to_string(result), found ? found->expire_at_ms : 0,
                                found);
  c.reply.integer(result);
}
Future<Void> incr_command(CommandContext& c) {
  return add_to_integer(c, 1);
}
Future<Void> decr_command(CommandContext& c) {
  return add_to_integer(c, -1);
}
Future<Void> incrby_command(CommandContext& c) {
  return add_to_integer(c, integer_argument(c.args[2]));
}
Future<Void> decrby_command(CommandContext& c) {
  const int64_t delta = integer_argument(c.args[2]);
  if (delta == LLONG_MIN) fail("ERR decrement would overflow");
  return add_to_integer(c, -delta);
}

Future<Void> incrbyfloat_command(CommandContext& c) {
  const long double increment = float_argument(c.args[2]);
  std::optional<Metadata> found;
  std::optional<std::string> value = co_await string_value(c, c.args[1], found);
  long double current = 0;
  if (value) {
    std::optional<long double> parsed = parse_long_double(*value);
    if (!parsed) fail(std::string(not_float_message));
    current = *parsed;
  }
  const long double result = current + increment;
  if (std::isnan(result) || std::isinf(result)) fail("ERR increment would produce NaN or Infinity");
  const std::string text = format_long_double(result);
  co_await c.store.write_string(c.args[1], text, found ? found->expire_at_ms : 0, found);
  c.reply.bulk_string(text);
}

Future<Void> append_command(CommandContext& c) {
  std::optional<Metadata> found;
  std::optional<std::string> value = co_await string_value(c, c.args[1], found);
  std::string result = value.value_or("");
  if (static_cast<int64_t>(result.size() + c.args[2].size()) > redis_knobs().string_bytes_max)
    fail_string_too_long();
  result += c.args[2];
  const auto length = static_cast<int64_t>(result.size());
  co_await c.store.write_string(c.args[1], std::move(result), found ? found->expire_at_ms : 0,
                                found);
  c.reply.integer(length);
}

Future<Void> strlen_command(CommandContext& c) {
  std::optional<Metadata> found = co_await c.store.find_typed(c.args[1], RedisType::string);
  c.reply.integer(found ? found->size : 0);
}

Future<Void> getrange_command(CommandContext& c) {
  int64_t start = integer_argument(c.args[2]);
  int64_t end = integer_argument(c.args[3]);
  std::optional<Metadata> found;
  std::optional<std::string> value = co_await string_value(c, c.args[1], found);
  const std::string text = value.value_or("");
  if (!clamp_positions(start, end, static_cast<int64_t>(text.size()))) {
    c.reply.bulk_string("");
    co_return;
  }
  c.reply.bulk_string(std::string_view(text).substr(static_cast<size_t>(start),
                                                    static_cast<size_t>(end - start + 1)));
}

Future<Void> setrange_command(CommandContext& c) {
  const int64_t offset = integer_argument(c.args[2]);
  if (offset < 0) fail("ERR offset is out of range");
  const std::string& piece = c.args[3];
  std::optional<Metadata> found;
  std::optional<std::string> value = co_await string_value(c, c.args[1], found);
  if (piece.empty()) {
    c.reply.integer(value ? static_cast<int64_t>(value->size()) : 0);
    co_return;
  }
  if (offset > redis_knobs().string_bytes_max - static_cast<int64_t>(piece.size()))
    fail_string_too_long();
  std::string result = value.value_or("");
  const size_t end = static_cast<size_t>(offset) + piece.size();
  if (result.size() < end) result.resize(end, '\0');
  result.replace(static_cast<size_t>(offset), piece.size(), piece);
  const auto length = static_cast<int64_t>(result.size());
  co_await c.store.write_string(c.args[1], std::move(result), found ? found->expire_at_ms : 0,
                                found);
  c.reply.integer(length);
}

int64_t bit_offset(std::string_view text) {
  const std::optional<int64_t> offset = parse_redis_integer(text);
  // Bits of the longest string.
  if (!offset || *offset < 0 || *offset / 8 >= redis_knobs().string_bytes_max)
    fail("ERR bit offset is not an integer or out of range");
  return *offset;
}

Future<Void> setbit_command(CommandContext& c) {
  const int64_t offset = bit_offset(c.args[2]);
  const std::optional<int64_t> bit = parse_redis_integer(c.args[3]);
  if (!bit || (*bit != 0 && *bit != 1)) fail("ERR bit is not an integer or out of range");
  std::optional<Metadata> found;
  std::optional<std::string> value = co_await string_value(c, c.args[1], found);
  std::string result = value.value_or("");
  const auto byte = static_cast<size_t>(offset / 8);
  if (result.size() <= byte) result.resize(byte + 1, '\0');
  const int shift = 7 - static_cast<int>(offset % 8);
  auto bits = static_cast<unsigned char>(result[byte]);
  const int previous = (bits >> shift) & 1;
  bits = static_cast<unsigned char>(*bit ? (bits | (1u << shift)) : (bits & ~(1u << shift)));
  result[byte] = static_cast<char>(bits);
  co_await c.store.write_string(c.args[1], std::move(result), found ? found->expire_at_ms : 0,
                                found);
  c.reply.integer(previous);
}

Future<Void> getbit_command(CommandContext& c) {
  const int64_t offset = bit_offset(c.args[2]);
  std::optional<Metadata> found;
  std::optional<std::string> value = co_await string_value(c, c.args[1], found);
  const auto byte = static_cast<size_t>(offset / 8);
  if (!value || value->size() <= byte) {
    c.reply.integer(0);
    co_return;
  }
  c.reply.integer((static_cast<unsigned char>((*value)[byte]) >> (7 - offset % 8)) & 1);
}

Future<Void> bitcount_command(CommandContext& c) {
  if (c.args.size() != 2 && c.args.size() != 4 && c.args.size() != 5) fail_syntax();
  int64_t start = 0, end = -1;
  bool bits = false;
  if (c.args.size() >= 4) {
    start = integer_argument(c.args[2]);
    end = integer_argument(c.args[3]);
    if (c.args.size() == 5) {
      if (is_word(c.args[4], "BIT")) {
        bits = true;
      } else if (!is_word(c.args[4], "BYTE")) {
        fail_syntax();
      }
    }
  }
  std::optional<Metadata> found;
  std::optional<std::string> value = co_await string_value(c, c.args[1], found);
  const std::string text = value.value_or("");
  const auto length = static_cast<int64_t>(text.size()) * (bits ? 8 : 1);
  if (!clamp_positions(start, end, length)) {
    c.reply.integer(0);
    co_return;
  }
  int64_t count = 0;
  for (int64_t i = start; i <= end; ++i) {
    if (bits) {
      count += (static_cast<unsigned char>(text[static_cast<size_t>(i / 8)]) >> (7 - i % 8)) & 1;
    } else {
      count += __builtin_popcount(static_cast<unsigned char>(text[static_cast<size_t>(i)]));
    }
  }
  c.reply.integer(count);
}

// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN n] [WITHMATCHLEN]: the longest common
// subsequence of two strings, by the classic table of prefix lengths (Redis's algorithm,
// so that the matches IDX lists are Redis's).
Future<Void> lcs_command(CommandContext& c) {
  bool want_length = false, want_indexes = false, with_match_length = false;
  int64_t min_match_length = 0;
  for (size_t i = 3; i < c.args.size(); ++i) {
    if (is_word(c.args[i], "LEN")) {
      want_length = true;
    } else if (is_word(c.args[i], "IDX")) {
      want_indexes = true;
    } else if (is_word(c.args[i], "WITHMATCHLEN")) {
      with_match_length = true;
    } else if (is_word(c.args[i], "MINMATCHLEN") && i + 1 < c.args.size()) {
      min_match_length = std::max<int64_t>(0, integer_argument(c.args[++i]));
    } else {
      fail_syntax();
    }
  }
  if (want_length && want_indexes)
    fail("ERR If you want both the length and indexes, please just use IDX.");
  std::string texts[2];
  for (int k = 0; k < 2; ++k) {
    std::optional<Metadata> found = co_await c.store.find(c.args[1 + static_cast<size_t>(k)]);
    if (found && found->type != RedisType::string)
      fail("ERR The specified keys must contain string values");
    if (found) texts[k] = co_await c.store.read_string(c.args[1 + static_cast<size_t>(k)], *found);
  }
  const std::string& a = texts[0];
  const std::string& b = texts[1];
  const size_t rows = a.size() + 1, columns = b.size() + 1;
  // The table's cells are 32-bit: a bound on the memory one command may take.
  if (rows * columns > lcs_cells_max) {
    fail("ERR Insufficient memory, transient memory for LCS exceeds the limit of " +
         std::to_string(lcs_cells_max) + " cells");
  }
  std::vector<uint32_t> table(rows * columns, 0);
  auto cell = [&](size_t i, size_t j) -> uint32_t& { return table[i * columns + j]; };
  for (size_t i = 1; i < rows; ++i) {
    for (size_t j = 1; j < columns; ++j) {
      cell(i, j) =
          a[i - 1] == b[j - 1] ? cell(i - 1, j - 1) + 1 : std::max(cell(i - 1, j), cell(i, j - 1));
    }
  }
  const uint32_t length = cell(a.size(), b.size());
  if (want_length) {
    c.reply.integer(length);
    co_return;
  }
  // Walk back from the end, collecting the subsequence and its runs of matches.
  std::string common(length, '\0');
  struct Match {
    int64_t a_start, a_end, b_start, b_end;
  };
  std::vector<Match> matches;
  size_t i = a.size(), j = b.size(), left = length;
  const auto none = static_cast<int64_t>(a.size());
  Match run{none, 0, 0, 0};
  while (i > 0 && j > 0) {
    bool emit = false;
    if (a[i - 1] == b[j - 1]) {
      common[--left] = a[i - 1];
      const auto ai = static_cast<int64_t>(i - 1), bj = static_cast<int64_t>(j - 1);
      if (run.a_start == none) {
        run = Match{ai, ai, bj, bj};
      } else if (run.a_start == ai + 1 && run.b_start == bj + 1) {
        run.a_start = ai;
        run.b_start = bj;
      } else {
        emit = true;
      }
      if (run.a_start == 0 || run.b_start == 0) emit = true;
      --i;
      --j;
    } else {
      if (cell(i - 1, j) > cell(i, j - 1)) {
        --i;
      } else {
        --j;
      }
      if (run.a_start != none) emit = true;
    }
    if (emit) {
      if (run.a_end - run.a_start + 1 >= min_match_length) matches.push_back(run);
      run.a_start = none;
    }
  }
  if (!want_indexes) {
    c.reply.bulk_string(common);
    co_return;
  }
  c.reply.map(2);
  c.reply.bulk_string("matches");
  c.reply.array(matches.size());
  for (const Match& match : matches) {
    c.reply.array(with_match_length ? 3 : 2);
    c.reply.array(2);
    c.reply.integer(match.a_start);
    c.reply.integer(match.a_end);
    c.reply.array(2);
    c.reply.integer(match.b_start);
    c.reply.integer(match.b_end);
    if (with_match_length) c.reply.integer(match.a_end - match.a_start + 1);
  }
  c.reply.bulk_string("len");
  c.reply.integer(length);
}

}  // namespace

void add_string_commands(CommandTable& table) {
  table.add(make_command("get", 2, readonly | fast, {1, 1, 1}, "string", "Get the value of a key",
                         "1.0.0", get_command));
  table.add(make_command("set", -3, write, {1, 1, 1}, "string", "Set the string value of a key",
                         "1.0.0", set_command));
  table.add(make_command("setnx", 3, write | fast, {1, 1, 1}, "string",
                         "Set a key's value if it does not exist", "1.0.0", setnx_command));
  table.add(make_command("setex", 4, write, {1, 1, 1}, "string",
                         "Set a key's value and its expiry in seconds", "2.0.0", setex_command));
  table.add(make_command("psetex", 4, write, {1, 1, 1}, "string",
                         "Set a key's value and its expiry in milliseconds", "2.6.0",
                         psetex_command));
  table.add(make_command("mget", -2, readonly | fast, {1, -1, 1}, "string",
                         "Get the values of keys", "1.0.0", mget_command));
  table.add(make_command("mset", -3, write, {1, -1, 2}, "string", "Set keys to values", "1.0.1",
                         mset_command));
  table.add(make_command("msetnx", -3, write, {1, -1, 2}, "string",
                         "Set keys to values if none of them exists", "1.0.1", msetnx_command));
  table.add(make_command("getset", 3, write | fast, {1, 1, 1}, "string",
                         "Set a key and return its old value", "1.0.0", getset_command));
  table.add(make_command("getdel", 2, write | fast, {1, 1, 1}, "string",
                         "Get a key's value and delete it", "6.2.0", getdel_command));
  table.add(make_command("getex", -2, write | fast, {1, 1, 1}, "string",
                         "Get a key's value and set its expiry", "6.2.0", getex_command));
  table.add(make_command("incr", 2, write | fast, {1, 1, 1}, "string", "Add one to a key's integer",
                         "1.0.0", incr_command));
  table.add(make_command("decr", 2, write | fast, {1, 1, 1}, "string",
                         "Subtract one from a key's integer", "1.0.0", decr_command));
  table.add(make_command("incrby", 3, write | fast, {1, 1, 1}, "string", "Add to a key's integer",
                         "1.0.0", incrby_command));
  table.add(make_command("decrby", 3, write | fast, {1, 1, 1}, "string",
                         "Subtract from a key's integer", "1.0.0", decrby_command));
  table.add(make_command("incrbyfloat", 3, write | fast, {1, 1, 1}, "string",
                         "Add to a key's number", "2.6.0", incrbyfloat_command));
  table.add(make_command("append", 3, write | fast, {1, 1, 1}, "string", "Append to a key's value",
                         "2.0.0", append_command));
  table.add(make_command("strlen", 2, readonly | fast, {1, 1, 1}, "string",
                         "The length of a key's value", "2.2.0", strlen_command));
  table.add(make_command("getrange", 4, readonly, {1, 1, 1}, "string",
                         "A substring of a key's value", "2.4.0", getrange_command));
  table.add(make_command("substr", 4, readonly, {1, 1, 1}, "string", "A substring of a key's value",
                         "1.0.0", getrange_command));
  table.add(make_command("setrange", 4, write, {1, 1, 1}, "string",
                         "Overwrite part of a key's value", "2.2.0", setrange_command));
  table.add(make_command("setbit", 4, write, {1, 1, 1}, "string",
                         "Set or clear a bit of a key's value", "2.2.0", setbit_command));
  table.add(make_command("getbit", 3, readonly | fast, {1, 1, 1}, "string",
                         "A bit of a key's value", "2.2.0", getbit_command));
  table.add(make_command("lcs", -3, readonly, {1, 2, 1}, "string",
                         "The longest common subsequence of two strings", "7.0.0", lcs_command));
  table.add(make_command("bitcount", -2, readonly, {1, 1, 1}, "string",
                         "Count the set bits of a key's value", "2.6.0", bitcount_command));
}

}  // namespace strata::redis
