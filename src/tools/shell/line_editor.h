#pragma once

// Interactive line editing with Debian's libedit: emacs key bindings, history kept in a
// file, TAB completion of commands (completion.h).
//
// read_line() blocks until the user enters a line, so the shell calls it off the loop, as
// blocking work (Environment::run_blocking); everything else happens on the loop while no
// read_line() runs. One thread at a time, never two calls at once.

#include <optional>
#include <string>

struct editline;
struct history;

namespace strata::shell {

class LineEditor {
 public:
  // On the terminal of stdin and stdout. Loads the history from `history_path` when it is
  // not empty and the file exists.
  explicit LineEditor(std::string history_path);
  LineEditor(const LineEditor&) = delete;
  LineEditor& operator=(const LineEditor&) = delete;
  ~LineEditor();

  // The next line, without its newline; nullopt at the end of input (Ctrl-D). A line that
  // is not blank goes into the history, which is saved to the file at once (so that a
  // crash loses none of it).
  std::optional<std::string> read_line(const std::string& prompt);

 private:
  static char* prompt_of(editline* editor);
  static unsigned char complete_word(editline* editor, int key);

  editline* editor_ = nullptr;
  history* history_ = nullptr;
  std::string history_path_;
  std::string prompt_;
};

}  // namespace strata::shell
