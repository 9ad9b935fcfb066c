#pragma once

// Tunables. Each library keeps one table of knobs in a .def file, one line per knob with
// its default and the value a simulation run may draw instead:
//
//   STRATA_KNOB(double, connect_timeout_s, 2.0, random.coinflip() ? 0.5 : value)
//
// Every table registers itself here, so `--knob name=value` can reach any knob and a
// simulation can reset and randomise them all from its seed.

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/random.h"

namespace strata {

class KnobTable {
 public:
  explicit KnobTable(std::string library) : library_(std::move(library)) {}

  template <class T>
  void add(std::string_view name, T* knob, T default_value,
           std::function<T(Random&, T)> simulated) {
    Entry entry;
    entry.name = std::string(name);
    entry.set = [knob, name = entry.name](std::string_view text) { *knob = parse<T>(name, text); };
    entry.get = [knob] { return format(*knob); };
    entry.reset = [knob, default_value] { *knob = default_value; };
    entry.randomize = [knob, default_value, simulated](Random& random) {
      *knob = simulated(random, default_value);
    };
    entries_.push_back(std::move(entry));
  }

  const std::string& library() const { return library_; }
  // False when the table has no knob of that name; throws invalid_option_value (naming
  // the knob and the text) when the value does not parse.
  bool set(std::string_view name, std::string_view value);
  void reset();
  void randomize(Random& random);
  // (name, current value) for every knob, in declaration order.
  std::vector<std::pair<std::string, std::string>> values() const;

 private:
  struct Entry {
    std::string name;
    std::function<void(std::string_view)> set;
    std::function<std::string()> get;
    std::function<void()> reset;
    std::function<void(Random&)> randomize;
  };

  template <class T>
  static T parse(const std::string& name, std::string_view text);
  static std::string format(double value);
  static std::string format(int64_t value);
  static std::string format(int value) { return format(static_cast<int64_t>(value)); }
  static std::string format(bool value) { return value ? "true" : "false"; }
  static std::string format(const std::string& value) { return value; }

  std::string library_;
  std::vector<Entry> entries_;
};

// Each library calls this once (from a static object next to its knob struct).
void register_knob_table(KnobTable* table);

// The one instance of a library's knob struct, registered on first use; `fill` adds the
// table's entries (see knob_macros.h).
template <class Knobs>
Knobs& knob_instance(const char* library, void (*fill)(KnobTable&, Knobs&)) {
  static Knobs knobs;
  static KnobTable table(library);
  [[maybe_unused]] static const bool registered = [&] {
    fill(table, knobs);
    register_knob_table(&table);
    return true;
  }();
  return knobs;
}

// Sets a knob of any library; throws invalid_option naming the knob if there is none.
void set_knob(std::string_view name, std::string_view value);
void reset_all_knobs();
void randomize_all_knobs(Random& random);
std::vector<std::pair<std::string, std::string>> all_knob_values();

}  // namespace strata
