#pragma once

// Redis's glob patterns (KEYS, SCAN MATCH, PSUBSCRIBE, CONFIG GET): '*' any bytes, '?' one
// byte, "[abc]", "[^abc]", "[a-z]" a class, '\' makes the next byte literal. Byte-wise, as
// Redis's stringmatchlen; a '[' without its ']' matches up to the end of the pattern.

#include <string_view>

namespace strata::redis {

bool glob_match(std::string_view pattern, std::string_view text, bool ignore_case = false);

}  // namespace strata::redis
