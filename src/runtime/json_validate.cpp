#include "runtime/json_validate.h"

#include <vector>

namespace strata {

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool is_hex_digit(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

class JsonValidator {
 public:
  JsonValidator(std::string_view text, size_t depth_max) : text_(text), depth_max_(depth_max) {}

  // One loop over values: a value opens a container (then the next value is its first
  // element) or is complete, and a complete value is followed by closers and a comma.
  bool validate() {
    while (true) {
      skip_space();
      if (at_end()) return false;
      char c = text_[position_];
      if (c == '{' || c == '[') {
        if (closers_.size() >= depth_max_) return false;
        ++position_;
        skip_space();
        char closer = c == '{' ? '}' : ']';
        if (!at_end() && text_[position_] == closer) {
          ++position_;  // empty: a complete value
        } else {
          closers_.push_back(closer);
          if (closer == '}' && !member_name()) return false;
          continue;
        }
      } else if (!scalar()) {
        return false;
      }
      switch (after_value()) {
        case Next::value:
          continue;
        case Next::end:
          return true;
        case Next::invalid:
          return false;
      }
    }
  }

 private:
  enum class Next { value, end, invalid };

  bool at_end() const { return position_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[position_]; }

  void skip_space() {
    while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r'))
      ++position_;
  }

  // After a complete value: close the containers it completes, then either a comma (and,
  // in an object, the next member's name) or the end of the text.
  Next after_value() {
    while (true) {
      skip_space();
      if (closers_.empty()) return at_end() ? Next::end : Next::invalid;
      if (peek() == ',') {
        ++position_;
        if (closers_.back() == '}' && !member_name()) return Next::invalid;
        return Next::value;
      }
      if (peek() != closers_.back()) return Next::invalid;
      ++position_;
      closers_.pop_back();
    }
  }

  // `"name" :`, before a member's value.
  bool member_name() {
    skip_space();
    if (peek() != '"' || !string()) return false;
    skip_space();
    if (peek() != ':') return false;
    ++position_;
    return true;
  }

  bool scalar() {
    char c = peek();
    if (c == '"') return string();
    if (c == '-' || is_digit(c)) return number();
    return literal("true") || literal("false") || literal("null");
  }

  bool literal(std::string_view word) {
    if (text_.substr(position_, word.size()) != word) return false;
    position_ += word.size();
    return true;
  }

  // At the opening quote.
  bool string() {
    ++position_;
    while (!at_end()) {
      char c = text_[position_++];
      if (c == '"') return true;
      if (static_cast<unsigned char>(c) < 0x20) return false;
      if (c != '\\') continue;
      if (at_end()) return false;
      char escaped = text_[position_++];
      if (escaped == 'u') {
        for (int i = 0; i < 4; ++i) {
          if (!is_hex_digit(peek())) return false;
          ++position_;
        }
      } else if (std::string_view("\"\\/bfnrt").find(escaped) == std::string_view::npos) {
        return false;
      }
    }
    return false;
  }

  // -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
  bool number() {
    if (peek() == '-') ++position_;
    if (peek() == '0') {
      ++position_;
    } else if (!digits()) {
      return false;
    }
    if (peek() == '.') {
      ++position_;
      if (!digits()) return false;
    }
    if (peek() == 'e' || peek() == 'E') {
      ++position_;
      if (peek() == '+' || peek() == '-') ++position_;
      if (!digits()) return false;
    }
    return true;
  }

  // One or more.
  bool digits() {
    size_t start = position_;
    while (is_digit(peek()))
      ++position_;
    return position_ > start;
  }

  std::string_view text_;
  size_t depth_max_;
  size_t position_ = 0;
  // The closing bracket of every open container, innermost last.
  std::vector<char> closers_;
};

}  // namespace

bool is_valid_json(std::string_view text, size_t depth_max) {
  return JsonValidator(text, depth_max).validate();
}

}  // namespace strata
