#pragma once

// Checks that text is exactly one JSON value (RFC 8259), for documents that come from
// elsewhere and are embedded into ours unchanged (a process's status inside the cluster
// status). Iterative, so hostile nesting costs only `depth_max` bytes of state, and
// deeper nesting is refused rather than followed. Strings are checked for JSON's escapes
// and control characters, not for valid UTF-8.

#include <cstddef>
#include <string_view>

namespace strata {

inline constexpr size_t json_depth_max_default = 64;

bool is_valid_json(std::string_view text, size_t depth_max = json_depth_max_default);

}  // namespace strata
