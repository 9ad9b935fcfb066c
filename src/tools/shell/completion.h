#pragma once

// TAB completion: what the word being typed may become, from the command table and the
// words each command takes (help topics, on/off, option names, status forms).

#include <string>
#include <string_view>
#include <vector>

namespace strata::shell {

struct Completion {
  // The part of the word already typed.
  std::string typed;
  // Every word it may become, in order; empty when none.
  std::vector<std::string> candidates;
};

// Completes the last word of `line_before_cursor` (the line up to the cursor).
Completion complete(std::string_view line_before_cursor);

// The longest prefix that every candidate shares.
std::string common_prefix(const std::vector<std::string>& candidates);

}  // namespace strata::shell
