#include "layers/redis/glob.h"

#include <cctype>

namespace strata::redis {

namespace {

unsigned char fold(unsigned char c, bool ignore_case) {
  return ignore_case ? static_cast<unsigned char>(std::tolower(c)) : c;
}

// Whether the class starting after '[' at `p` holds `c`; `p` is left on its closing ']' (or
// the pattern's end).
bool class_matches(std::string_view pattern, size_t& p, unsigned char c, bool ignore_case) {
  ++p;
  const bool negate = p < pattern.size() && pattern[p] == '^';
  if (negate) ++p;
  bool matched = false;
  while (p < pattern.size() && pattern[p] != ']') {
    if (pattern[p] == '\\' && p + 1 < pattern.size()) {
      ++p;
      if (fold(static_cast<unsigned char>(pattern[p]), ignore_case) == fold(c, ignore_case))
        matched = true;
    } else if (p + 2 < pattern.size() && pattern[p + 1] == '-') {
      unsigned char low = fold(static_cast<unsigned char>(pattern[p]), ignore_case);
      unsigned char high = fold(static_cast<unsigned char>(pattern[p + 2]), ignore_case);
      if (low > high) std::swap(low, high);
      const unsigned char folded = fold(c, ignore_case);
      if (folded >= low && folded <= high) matched = true;
      p += 2;
    } else if (fold(static_cast<unsigned char>(pattern[p]), ignore_case) == fold(c, ignore_case)) {
      matched = true;
    }
    ++p;
  }
  return negate ? !matched : matched;
}

// Iterative matching with one backtrack point for the last '*' (a later '*' supersedes an
// earlier one, so the match stays linear in practice and never recurses).
bool match(std::string_view pattern, std::string_view text, bool ignore_case) {
  size_t p = 0;
  size_t t = 0;
  size_t star_p = std::string_view::npos;
  size_t star_t = 0;
  while (t < text.size()) {
    if (p < pattern.size()) {
      const char op = pattern[p];
      if (op == '*') {
        while (p < pattern.size() && pattern[p] == '*')
          ++p;
        if (p == pattern.size()) return true;
        star_p = p;
        star_t = t;
        continue;
      }
      const auto c = static_cast<unsigned char>(text[t]);
      bool matched = false;
      size_t next = p + 1;
      if (op == '?') {
        matched = true;
      } else if (op == '[') {
        size_t end = p;
        matched = class_matches(pattern, end, c, ignore_case);
        next = end < pattern.size() ? end + 1 : end;
      } else if (op == '\\' && p + 1 < pattern.size()) {
        matched =
            fold(static_cast<unsigned char>(pattern[p + 1]), ignore_case) == fold(c, ignore_case);
        next = p + 2;
      } else {
        matched = fold(static_cast<unsigned char>(op), ignore_case) == fold(c, ignore_case);
      }
      if (matched) {
        p = next;
        ++t;
        continue;
      }
    }
    if (star_p == std::string_view::npos) return false;
    p = star_p;
    t = ++star_t;
  }
  while (p < pattern.size() && pattern[p] == '*')
    ++p;
  return p == pattern.size();
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view text, bool ignore_case) {
  return match(pattern, text, ignore_case);
}

}  // namespace strata::redis
