#pragma once

// Redis's reading of an integer argument (its string2ll): an optional '-', then decimal
// digits without a leading zero ("0" alone excepted), fitting in 64 bits. No '+', no
// spaces, nothing after the digits. What a request's lengths and most commands' integer
// arguments must be.

#include <cstdint>
#include <optional>
#include <string_view>

namespace strata::redis {

std::optional<int64_t> parse_redis_integer(std::string_view text);

}  // namespace strata::redis
