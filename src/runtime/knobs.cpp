#include "runtime/knobs.h"

#include <charconv>
#include <cstdio>
#include <cstdlib>

#include "runtime/error.h"

namespace strata {

namespace {

std::vector<KnobTable*>& tables() {
  static std::vector<KnobTable*> registered;
  return registered;
}

[[noreturn]] void bad_value(const std::string& name, std::string_view text, const char* expected) {
  throw Error(ErrorCode::invalid_option_value,
              "knob " + name + " takes " + expected + ", not '" + std::string(text) + "'");
}

}  // namespace

template <>
double KnobTable::parse<double>(const std::string& name, std::string_view text) {
  std::string copy(text);
  char* end = nullptr;
  double value = std::strtod(copy.c_str(), &end);
  if (copy.empty() || end != copy.c_str() + copy.size()) bad_value(name, text, "a number");
  return value;
}

template <>
int64_t KnobTable::parse<int64_t>(const std::string& name, std::string_view text) {
  int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    bad_value(name, text, "an integer");
  }
  return value;
}

template <>
int KnobTable::parse<int>(const std::string& name, std::string_view text) {
  int64_t value = parse<int64_t>(name, text);
  if (value < INT32_MIN || value > INT32_MAX) bad_value(name, text, "a 32-bit integer");
  return static_cast<int>(value);
}

template <>
bool KnobTable::parse<bool>(const std::string& name, std::string_view text) {
  if (text == "true" || text == "1") return true;
  if (text == "false" || text == "0") return false;
  bad_value(name, text, "true or false");
}

template <>
std::string KnobTable::parse<std::string>(const std::string&, std::string_view text) {
  return std::string(text);
}

std::string KnobTable::format(double value) {
  char text[48];
  std::snprintf(text, sizeof(text), "%.17g", value);
  return text;
}

std::string KnobTable::format(int64_t value) {
  return std::to_string(value);
}

bool KnobTable::set(std::string_view name, std::string_view value) {
  for (Entry& entry : entries_) {
    if (entry.name == name) {
      entry.set(value);
      return true;
    }
  }
  return false;
}

void KnobTable::reset() {
  for (Entry& entry : entries_)
    entry.reset();
}

void KnobTable::randomize(Random& random) {
  for (Entry& entry : entries_)
    entry.randomize(random);
}

std::vector<std::pair<std::string, std::string>> KnobTable::values() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const Entry& entry : entries_)
    out.emplace_back(entry.name, entry.get());
  return out;
}

void register_knob_table(KnobTable* table) {
  tables().push_back(table);
}

void set_knob(std::string_view name, std::string_view value) {
  for (KnobTable* table : tables()) {
    if (table->set(name, value)) return;
  }
  throw Error(ErrorCode::invalid_option, "there is no knob named '" + std::string(name) + "'");
}

void reset_all_knobs() {
  for (KnobTable* table : tables())
    table->reset();
}

void randomize_all_knobs(Random& random) {
  for (KnobTable* table : tables())
    table->randomize(random);
}

std::vector<std::pair<std::string, std::string>> all_knob_values() {
  std::vector<std::pair<std::string, std::string>> out;
  for (KnobTable* table : tables()) {
    for (auto& value : table->values())
      out.push_back(std::move(value));
  }
  return out;
}

}  // namespace strata
