#include "tools/shell/line_editor.h"

#include <cstdio>

#include <histedit.h>

#include "tools/shell/completion.h"

namespace strata::shell {

namespace {

constexpr int history_entries_max = 1000;

}  // namespace

LineEditor::LineEditor(std::string history_path) : history_path_(std::move(history_path)) {
  HistEvent event;
  history_ = history_init();
  history(history_, &event, H_SETSIZE, history_entries_max);
  history(history_, &event, H_SETUNIQUE, 1);
  // libedit reads and writes its history file itself. The shell is a tool on a terminal,
  // never run in simulation, so that needs no Environment.
  if (!history_path_.empty()) history(history_, &event, H_LOAD, history_path_.c_str());

  editor_ = el_init("strata", stdin, stdout, stderr);
  el_set(editor_, EL_CLIENTDATA, this);
  el_set(editor_, EL_EDITOR, "emacs");
  // Restore the terminal and act as usual on signals (Ctrl-C ends the shell).
  el_set(editor_, EL_SIGNAL, 1);
  el_set(editor_, EL_PROMPT, &LineEditor::prompt_of);
  el_set(editor_, EL_HIST, history, history_);
  // The wide form keeps these strings as they are; the narrow one copies them and never
  // frees the copies.
  el_wset(editor_, EL_ADDFN, L"strata-complete", L"Complete a command or its word",
          &LineEditor::complete_word);
  el_set(editor_, EL_BIND, "^I", "strata-complete", nullptr);
  // The user's ~/.editrc, as every libedit program reads it.
  el_source(editor_, nullptr);
}

LineEditor::~LineEditor() {
  el_end(editor_);
  history_end(history_);
}

std::optional<std::string> LineEditor::read_line(const std::string& prompt) {
  prompt_ = prompt;
  std::fflush(stdout);
  int count = 0;
  const char* text = el_gets(editor_, &count);
  if (!text || count <= 0) return std::nullopt;
  std::string line(text, static_cast<size_t>(count));
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r'))
    line.pop_back();
  size_t last = line.find_last_not_of(" \t");
  if (last != std::string::npos) {
    // Without the blank a completion leaves at the end, so that repeats are one entry.
    std::string entry = line.substr(0, last + 1);
    HistEvent event;
    history(history_, &event, H_ENTER, entry.c_str());
    if (!history_path_.empty()) history(history_, &event, H_SAVE, history_path_.c_str());
  }
  return line;
}

char* LineEditor::prompt_of(editline* editor) {
  void* data = nullptr;
  el_get(editor, EL_CLIENTDATA, &data);
  return static_cast<LineEditor*>(data)->prompt_.data();
}

unsigned char LineEditor::complete_word(editline* editor, int) {
  const LineInfo* line = el_line(editor);
  std::string_view before(line->buffer, static_cast<size_t>(line->cursor - line->buffer));
  Completion completion = complete(before);
  if (completion.candidates.empty()) return CC_ERROR;
  if (completion.candidates.size() == 1) {
    std::string rest = completion.candidates.front().substr(completion.typed.size()) + " ";
    el_insertstr(editor, rest.c_str());
    return CC_REFRESH;
  }
  std::string shared = common_prefix(completion.candidates);
  if (shared.size() > completion.typed.size()) {
    el_insertstr(editor, shared.substr(completion.typed.size()).c_str());
    return CC_REFRESH;
  }
  // Nothing more to add by itself: show the choices under the line, then redraw it.
  std::string choices = "\n";
  for (const std::string& candidate : completion.candidates)
    choices += candidate + "  ";
  std::fprintf(stdout, "%s\n", choices.c_str());
  return CC_REDISPLAY;
}

}  // namespace strata::shell
