#include "tools/shell/escaping.h"

#include <charconv>
#include <optional>

#include "runtime/error.h"
#include "runtime/trace.h"

namespace strata::shell {

namespace {

std::optional<int> hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return std::nullopt;
}

[[noreturn]] void bad_line(const std::string& problem) {
  throw Error(ErrorCode::client_invalid_operation, problem);
}

// The byte an escape at line[at] (a backslash) stands for; `length` receives how many
// characters the escape takes.
char unescape(std::string_view line, size_t at, size_t& length) {
  const std::string column = " at column " + std::to_string(at + 1);
  if (at + 1 >= line.size()) {
    bad_line("the line ends with a lone backslash" + column +
             "; write \\\\ for a backslash, \\xNN for any byte");
  }
  char next = line[at + 1];
  if (next == '\\' || next == '"' || next == ';' || next == ' ') {
    length = 2;
    return next;
  }
  if (next == 'x') {
    std::optional<int> high = at + 2 < line.size() ? hex_digit(line[at + 2]) : std::nullopt;
    std::optional<int> low = at + 3 < line.size() ? hex_digit(line[at + 3]) : std::nullopt;
    if (!high || !low) {
      bad_line("bad escape '" + std::string(line.substr(at, 4)) + "'" + column +
               ": \\x takes two hex digits, as in \\x00 or \\xff");
    }
    length = 4;
    return static_cast<char>(*high * 16 + *low);
  }
  bad_line("unknown escape '\\" + std::string(1, next) + "'" + column +
           ": use \\xNN for any byte, \\\\ for a backslash, \\\" for a quote, \\; for a "
           "semicolon, \"\\ \" for a space");
}

}  // namespace

std::vector<Words> parse_command_line(std::string_view line) {
  std::vector<Words> commands;
  Words words;
  std::string word;
  bool in_word = false;
  bool quoted = false;
  auto end_word = [&] {
    if (in_word) words.push_back(std::move(word));
    word.clear();
    in_word = false;
  };
  auto end_command = [&] {
    end_word();
    if (!words.empty()) commands.push_back(std::move(words));
    words.clear();
  };
  size_t quote_opened_at = 0;
  for (size_t i = 0; i < line.size();) {
    char c = line[i];
    if (c == '\\') {
      size_t length = 0;
      word += unescape(line, i, length);
      in_word = true;
      i += length;
      continue;
    }
    ++i;
    if (c == '"') {
      if (!quoted) quote_opened_at = i;
      quoted = !quoted;
      in_word = true;
    } else if (!quoted && (c == ' ' || c == '\t' || c == '\r' || c == '\n')) {
      end_word();
    } else if (!quoted && c == ';') {
      end_command();
    } else {
      word += c;
      in_word = true;
    }
  }
  if (quoted) {
    bad_line("the quote opened at column " + std::to_string(quote_opened_at) +
             " is not closed; close it with \", or write \\\" for a quote inside a word");
  }
  end_command();
  return commands;
}

std::string printable_bytes(std::string_view bytes) {
  return printable(bytes, Backslash::doubled);
}

bool parse_integer(std::string_view text, int64_t& value) {
  if (text.empty()) return false;
  const char* end = text.data() + text.size();
  auto [stop, problem] = std::from_chars(text.data(), end, value);
  return problem == std::errc() && stop == end;
}

}  // namespace strata::shell
