#pragma once

// The arguments of an inline command (a request line that does not start with '*', as
// typed into telnet), split as Redis splits them (its sdssplitargs):
// - arguments are separated by spaces (isspace);
// - "double quotes" take the escapes \n \r \t \b \a, \xHH (two hex digits) and \ before
//   any other character (that character);
// - 'single quotes' take \' only;
// - a closing quote must be followed by a space or the end of the line.
// An unterminated quote, or a closing one followed by something else, is an error
// (nullopt): Redis answers "Protocol error: unbalanced quotes in request".

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strata::redis {

std::optional<std::vector<std::string>> split_inline_args(std::string_view line);

}  // namespace strata::redis
