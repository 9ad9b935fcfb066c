#include "tools/shell/completion.h"

#include "tools/shell/command_table.h"
#include "tools/shell/transaction_options.h"

namespace strata::shell {

namespace {

// The words before the one being typed (split on blanks; quotes and escapes do not matter
// for the commands' fixed words) and the one being typed.
void split(std::string_view line, std::vector<std::string>& before, std::string& typed) {
  size_t command_start = line.rfind(';');
  line = command_start == std::string_view::npos ? line : line.substr(command_start + 1);
  std::string word;
  for (char c : line) {
    if (c == ' ' || c == '\t') {
      if (!word.empty()) before.push_back(std::move(word));
      word.clear();
    } else {
      word += c;
    }
  }
  typed = word;
}

std::vector<std::string> words_after(const std::vector<std::string>& before) {
  std::vector<std::string> words;
  if (before.empty()) {
    for (const CommandSpec& command : command_specs())
      words.emplace_back(command.name);
    return words;
  }
  const std::string& command = before[0];
  if (command == "configure") {
    // The words that stand alone; counts (logs=N, ...) are typed.
    words = {"double",
             "memory",
             "new",
             "rocksdb",
             "single",
             "ssd",
             "tenant_mode=disabled",
             "tenant_mode=optional_experimental",
             "triple"};
  } else if (before.size() == 1) {
    if (command == "help") {
      for (const CommandSpec& spec : command_specs())
        words.emplace_back(spec.name);
      for (std::string_view topic : help_topics())
        words.emplace_back(topic);
    } else if (command == "writemode" || command == "option") {
      words = {"off", "on"};
    } else if (command == "status") {
      words = {"details", "json", "minimal"};
    } else if (command == "coordinators") {
      words = {"auto"};
    } else if (command == "kill") {
      words = {"all"};
    }
  } else if (before.size() == 2 && command == "option") {
    for (const OptionSpec& option : option_specs())
      words.emplace_back(option.name);
  }
  return words;
}

}  // namespace

Completion complete(std::string_view line_before_cursor) {
  Completion completion;
  std::vector<std::string> before;
  split(line_before_cursor, before, completion.typed);
  for (std::string& word : words_after(before)) {
    if (word.starts_with(completion.typed)) completion.candidates.push_back(std::move(word));
  }
  return completion;
}

std::string common_prefix(const std::vector<std::string>& candidates) {
  if (candidates.empty()) return {};
  std::string prefix = candidates.front();
  for (const std::string& candidate : candidates) {
    size_t same = 0;
    while (same < prefix.size() && same < candidate.size() && prefix[same] == candidate[same])
      ++same;
    prefix.resize(same);
  }
  return prefix;
}

}  // namespace strata::shell
