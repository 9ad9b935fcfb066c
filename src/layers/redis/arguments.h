#pragma once

// Reading a command's arguments as Redis reads them, failing (fail()) with Redis's
// message when one is not what the command needs.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strata::redis {

// A 64-bit integer (Redis's string2ll rules); "ERR value is not an integer or out of range".
int64_t integer_argument(std::string_view text);
// The same, failing with `message` instead.
int64_t integer_argument(std::string_view text, std::string_view message);
// A number as Redis's string2ld reads it (strtold, no leading space, nothing after it, not
// NaN, not out of range); "ERR value is not a valid float".
long double float_argument(std::string_view text);
// The same, nullopt instead of failing.
std::optional<long double> parse_long_double(std::string_view text);

// Whether `text` is `word`, ignoring ASCII case (option names: "EX", "nx", ...).
bool is_word(std::string_view text, std::string_view word);

// SCAN, HSCAN, SSCAN, ZSCAN: the cursor at `cursor_at`, then MATCH, COUNT and (SCAN only,
// `type_allowed`) TYPE, with Redis's errors.
struct ScanArguments {
  uint64_t cursor = 0;
  std::optional<std::string> pattern;
  int64_t count = 10;
  std::optional<std::string> type;
};
ScanArguments scan_arguments(const std::vector<std::string>& args, size_t cursor_at,
                             bool type_allowed);

// A blocking command's timeout in seconds (0: wait for ever), as Redis reads it: "ERR
// timeout is not a float or out of range", "ERR timeout is negative".
double timeout_argument(std::string_view text);

// XREAD's and XREADGROUP's BLOCK, in seconds (0: wait for ever); nullopt without BLOCK (they
// do not wait then). One that is not a valid number counts as 0 here: the command itself
// answers the error.
std::optional<double> stream_block_timeout_s(const std::vector<std::string>& arguments);

// Redis's reading of a range of byte positions (GETRANGE, BITCOUNT): negative ones count
// from the end; both are clamped to [0, length - 1]. False when the range is empty.
bool clamp_positions(int64_t& start, int64_t& end, int64_t length);
// Redis's reading of a range of element positions (LRANGE, LTRIM, ZRANGE and the like):
// negative ones count from the end, the start is clamped to 0 and the end to length - 1,
// but an end still negative leaves the range empty. False when it is empty.
bool clamp_element_range(int64_t& start, int64_t& end, int64_t length);

// A long double as Redis prints INCRBYFLOAT's results: %.17Lf with the trailing zeros (and
// a trailing point) removed; "inf" and "-inf".
std::string format_long_double(long double value);

}  // namespace strata::redis
