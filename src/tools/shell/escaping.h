#pragma once

// fdbcli's conventions for the words of a command line, and for showing bytes.
//
// A line holds commands separated by ';'. Words are separated by spaces or tabs; double
// quotes make one word of what they enclose, spaces and semicolons included ("" is an empty
// word). Escapes, inside quotes or not: \xNN (two hex digits) for any byte, and \\, \", \;
// and "\ " for the character itself. Any other backslash is an error.
//
// Shown bytes are fdbcli's printable(): printable ASCII as it is, a backslash as \\, every
// other byte as \xNN (lowercase hex). What is shown can be typed back as it is.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace strata::shell {

// One command: its name, then its arguments.
using Words = std::vector<std::string>;

// The commands of `line`, without empty ones. Throws client_invalid_operation (2000)
// naming what is wrong and where: an unknown escape, \x without two hex digits, a quote
// left open.
std::vector<Words> parse_command_line(std::string_view line);

// `bytes` in printable form (see above).
std::string printable_bytes(std::string_view bytes);
// The same between quotes, as messages name keys and values: `key'.
inline std::string in_quotes(std::string_view bytes) {
  return "`" + printable_bytes(bytes) + "'";
}

// Whether `text` is a whole decimal number (an optional '-' and digits) that fits in an
// int64_t; the number goes to `value`.
bool parse_integer(std::string_view text, int64_t& value);

}  // namespace strata::shell
