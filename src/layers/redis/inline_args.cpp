#include "layers/redis/inline_args.h"

namespace strata::redis {

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<std::vector<std::string>> split_inline_args(std::string_view line) {
  std::vector<std::string> args;
  size_t at = 0;
  const size_t size = line.size();
  while (true) {
    while (at < size && is_space(line[at]))
      ++at;
    if (at == size) return args;
    enum class Quote { none, double_quote, single_quote };
    Quote quote = Quote::none;
    std::string current;
    bool done = false;
    while (!done) {
      if (quote == Quote::double_quote) {
        if (at == size) return std::nullopt;  // unterminated
        const char c = line[at];
        if (c == '\\' && at + 3 < size && line[at + 1] == 'x' && hex_value(line[at + 2]) >= 0 &&
            hex_value(line[at + 3]) >= 0) {
          current.push_back(
              static_cast<char>(hex_value(line[at + 2]) * 16 + hex_value(line[at + 3])));
          at += 3;
        } else if (c == '\\' && at + 1 < size) {
          ++at;
          switch (line[at]) {
            case 'n':
              current.push_back('\n');
              break;
            case 'r':
              current.push_back('\r');
              break;
            case 't':
              current.push_back('\t');
              break;
            case 'b':
              current.push_back('\b');
              break;
            case 'a':
              current.push_back('\a');
              break;
            default:
              current.push_back(line[at]);
              break;
          }
        } else if (c == '"') {
          // The closing quote must end the argument.
          if (at + 1 < size && !is_space(line[at + 1])) return std::nullopt;
          done = true;
        } else {
          current.push_back(c);
        }
      } else if (quote == Quote::single_quote) {
        if (at == size) return std::nullopt;  // unterminated
        const char c = line[at];
        if (c == '\\' && at + 1 < size && line[at + 1] == '\'') {
          ++at;
          current.push_back('\'');
        } else if (c == '\'') {
          if (at + 1 < size && !is_space(line[at + 1])) return std::nullopt;
          done = true;
        } else {
          current.push_back(c);
        }
      } else {
        if (at == size) break;
        const char c = line[at];
        if (is_space(c)) {
          done = true;
        } else if (c == '"') {
          quote = Quote::double_quote;
        } else if (c == '\'') {
          quote = Quote::single_quote;
        } else {
          current.push_back(c);
        }
      }
      if (at < size) ++at;
    }
    args.push_back(std::move(current));
  }
}

}  // namespace strata::redis
