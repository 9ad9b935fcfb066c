#pragma once

// The shell's standard input: a terminal (interactive, with line editing) or anything else
// (a script, read line by line).

#include <optional>
#include <string>

namespace strata::shell {

bool standard_input_is_terminal();

// The next line of standard input without its newline; nullopt at its end. Blocks: call it
// as blocking work, off the loop.
std::optional<std::string> read_standard_input_line();

// ~/.strata_history; empty when $HOME is not set.
std::string history_file_path();

}  // namespace strata::shell
