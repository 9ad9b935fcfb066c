#pragma once

// The transaction options the shell's `option` command sets: FoundationDB's names, those the
// native Transaction supports (include/strata/transaction.h says what each does).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strata/transaction.h"

namespace strata::shell {

struct OptionSpec {
  std::string_view name;
  // What the argument is, for help and errors ("MILLISECONDS"); empty when it takes none.
  std::string_view argument;
  std::string_view description;
  void (*turn_on)(Transaction& transaction, int64_t argument);
  // Returns a running transaction to the option's default; nullptr when the client cannot
  // (the option lasts until the transaction ends).
  void (*turn_off)(Transaction& transaction);
  // Options of one group exclude each other (turning one on turns the others off); 0: none.
  int group;
};

const std::vector<OptionSpec>& option_specs();
// The option named `name` (any case); throws invalid_option (2007) naming it when there is
// none.
const OptionSpec& find_option(std::string_view name);

// Options that are on, in the order they were turned on, with their arguments.
class OptionSet {
 public:
  struct Entry {
    const OptionSpec* spec;
    int64_t argument;
  };

  // Turns `spec` on (replacing its earlier argument and the other options of its group).
  void turn_on(const OptionSpec& spec, int64_t argument);
  // Whether it was on.
  bool turn_off(const OptionSpec& spec);
  // Sets every option on `transaction`.
  void apply(Transaction& transaction) const;
  bool empty() const { return entries_.empty(); }
  // "name" or "name argument", one per option.
  std::vector<std::string> describe() const;

 private:
  std::vector<Entry> entries_;
};

// The argument of `option on NAME [ARG]`, checked: present when the option takes one, a
// whole number in the option's range (the client's own check, made on a scratch
// transaction). Throws invalid_option_value (2006) saying what is wrong.
int64_t checked_option_argument(const OptionSpec& spec, std::optional<std::string> text);

}  // namespace strata::shell
