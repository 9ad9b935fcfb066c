#include "workloads/test_spec.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <tuple>

#include "runtime/error.h"

namespace strata {

namespace {

std::string_view trim(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t\r");
  if (begin == std::string_view::npos) return {};
  size_t end = text.find_last_not_of(" \t\r");
  return text.substr(begin, end - begin + 1);
}

[[noreturn]] void invalid(const std::string& spec, int line, const std::string& problem) {
  throw Error(ErrorCode::test_specification_invalid,
              "test spec " + spec + ", line " + std::to_string(line) + ": " + problem);
}

}  // namespace

TestSpec parse_test_spec(std::string name, std::string suite, std::string_view text) {
  TestSpec spec;
  spec.name = std::move(name);
  spec.suite = std::move(suite);
  std::map<std::string, std::string>* section = &spec.options;
  int line_number = 0;
  while (!text.empty()) {
    ++line_number;
    size_t newline = text.find('\n');
    std::string_view line = trim(text.substr(0, newline));
    text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
    if (line.empty() || line.front() == '#') continue;
    if (line.front() == '[') {
      if (line.back() != ']') invalid(spec.name, line_number, "a section header must end with ]");
      std::string_view header = trim(line.substr(1, line.size() - 2));
      if (header.substr(0, 9) != "workload ") {
        invalid(spec.name, line_number,
                "sections are [workload NAME], not [" + std::string(header) + "]");
      }
      WorkloadSpec workload;
      workload.name = std::string(trim(header.substr(9)));
      workload.line = line_number;
      if (workload.name.empty()) invalid(spec.name, line_number, "the workload has no name");
      spec.workloads.push_back(std::move(workload));
      section = &spec.workloads.back().options;
      continue;
    }
    size_t equals = line.find('=');
    if (equals == std::string_view::npos) {
      invalid(spec.name, line_number, "expected 'key = value', found '" + std::string(line) + "'");
    }
    std::string key(trim(line.substr(0, equals)));
    std::string value(trim(line.substr(equals + 1)));
    if (key.empty()) invalid(spec.name, line_number, "a key is missing before '='");
    if (!section->emplace(key, value).second) {
      invalid(spec.name, line_number, "'" + key + "' is given twice");
    }
  }
  if (spec.workloads.empty()) invalid(spec.name, line_number, "the spec runs no workload");
  return spec;
}

const std::string* Options::find(const std::string& key) {
  auto it = values_.find(key);
  if (it == values_.end()) return nullptr;
  read_[key] = true;
  return &it->second;
}

void Options::bad(const std::string& key, const std::string& expected) const {
  throw Error(
      ErrorCode::test_specification_invalid,
      owner_ + ": option " + key + " takes " + expected + ", not '" + values_.at(key) + "'");
}

double Options::get_double(const std::string& key, double fallback) {
  const std::string* text = find(key);
  if (!text) return fallback;
  char* end = nullptr;
  double value = std::strtod(text->c_str(), &end);
  if (text->empty() || end != text->c_str() + text->size()) bad(key, "a number");
  return value;
}

int64_t Options::get_int(const std::string& key, int64_t fallback) {
  const std::string* text = find(key);
  if (!text) return fallback;
  int64_t value = 0;
  auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (text->empty() || error != std::errc() || end != text->data() + text->size()) {
    bad(key, "an integer");
  }
  return value;
}

bool Options::get_bool(const std::string& key, bool fallback) {
  const std::string* text = find(key);
  if (!text) return fallback;
  if (*text == "true" || *text == "on") return true;
  if (*text == "false" || *text == "off") return false;
  bad(key, "true or false");
}

std::string Options::get_string(const std::string& key, const std::string& fallback) {
  const std::string* text = find(key);
  return text ? *text : fallback;
}

std::map<std::string, std::string> Options::with_prefix(const std::string& prefix) {
  std::map<std::string, std::string> out;
  for (const auto& [key, value] : values_) {
    if (key.compare(0, prefix.size(), prefix) == 0) {
      read_[key] = true;
      out[key.substr(prefix.size())] = value;
    }
  }
  return out;
}

void Options::check_all_read() const {
  std::string unread;
  for (const auto& [key, value] : values_) {
    if (!read_.count(key)) unread += (unread.empty() ? "" : ", ") + key;
  }
  if (!unread.empty()) {
    throw Error(ErrorCode::test_specification_invalid, owner_ + ": unknown option(s) " + unread);
  }
}

}  // namespace strata

namespace strata {

// Defined in the file generated from tests/sim/*/*.spec.
const std::vector<std::tuple<const char*, const char*, const char*>>& builtin_spec_texts();

const std::vector<TestSpec>& builtin_test_specs() {
  static const std::vector<TestSpec> specs = [] {
    std::vector<TestSpec> parsed;
    for (const auto& [name, suite, text] : builtin_spec_texts()) {
      parsed.push_back(parse_test_spec(name, suite, text));
    }
    std::sort(parsed.begin(), parsed.end(),
              [](const TestSpec& a, const TestSpec& b) { return a.name < b.name; });
    return parsed;
  }();
  return specs;
}

const TestSpec* find_test_spec(std::string_view name) {
  for (const TestSpec& spec : builtin_test_specs()) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

}  // namespace strata
