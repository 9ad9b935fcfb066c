#pragma once

// Structured trace events: a CamelCase type, a severity, and key-value details, written
// as one JSON line each and capped in size. Build one and let it go out of scope:
//
//   TraceEvent(Severity::warn_always, "ConnectionFailed").detail("Peer", address).error(e);
//
// Where the line goes depends on the process: the real backend writes rolling files, the
// simulator hashes every event into the run's trace hash and fails the run on any
// error-severity event.

#include <concepts>
#include <cstdint>
#include <string>
#include <string_view>

#include "runtime/error.h"
#include "runtime/network_address.h"
#include "runtime/uid.h"

namespace strata {

enum class Severity : int { debug = 5, info = 10, warn = 20, warn_always = 30, error = 40 };

class TraceEvent {
 public:
  explicit TraceEvent(std::string_view type) : TraceEvent(Severity::info, type) {}
  TraceEvent(Severity severity, std::string_view type);
  TraceEvent(const TraceEvent&) = delete;
  TraceEvent& operator=(const TraceEvent&) = delete;
  ~TraceEvent() { log(); }

  TraceEvent& detail(std::string_view key, std::string_view value);
  TraceEvent& detail(std::string_view key, const char* value) {
    return detail(key, std::string_view(value));
  }
  TraceEvent& detail(std::string_view key, const std::string& value) {
    return detail(key, std::string_view(value));
  }
  TraceEvent& detail(std::string_view key, bool value);
  TraceEvent& detail(std::string_view key, double value);
  template <std::integral T>
  TraceEvent& detail(std::string_view key, T value) {
    if constexpr (std::is_same_v<T, bool>) {
      return detail(key, static_cast<bool>(value));
    } else if constexpr (std::is_signed_v<T>) {
      return detail_number(key, std::to_string(static_cast<int64_t>(value)));
    } else {
      return detail_number(key, std::to_string(static_cast<uint64_t>(value)));
    }
  }
  TraceEvent& detail(std::string_view key, const UID& value) {
    return detail(key, value.short_string());
  }
  TraceEvent& detail(std::string_view key, const NetworkAddress& value) {
    return detail(key, value.to_string());
  }
  // Adds Error, ErrorCode and (when present) ErrorDetail.
  TraceEvent& error(const Error& error);
  // The "ID" detail: which object the event is about.
  TraceEvent& id(const UID& value) { return detail("ID", value); }

  // Writes the event now instead of at destruction; later details are ignored.
  void log();

 private:
  TraceEvent& detail_number(std::string_view key, std::string_view number);
  void append_key(std::string_view key);

  Severity severity_;
  bool enabled_;
  bool logged_ = false;
  int dropped_details_ = 0;
  // Where the (escaped) type sits in line_, for sinks that key on it.
  size_t type_begin_ = 0;
  size_t type_end_ = 0;
  std::string line_;
};

// Receives finished events (one JSON object, no newline).
class TraceSink {
 public:
  virtual ~TraceSink() = default;
  virtual void write(Severity severity, std::string_view type, std::string_view json) = 0;
  virtual void flush() {}
};

// Events go to `sink` on this thread; nullptr restores the default (warnings and worse
// to stderr).
void set_trace_sink(TraceSink* sink);
TraceSink* trace_sink();
// Events below this severity are not built at all.
void set_trace_severity_min(Severity severity);

// Appends `bytes` to `out` as the body of a JSON string, escaping quotes, backslashes,
// control characters and bytes outside printable ASCII.
void append_json_escaped(std::string& out, std::string_view bytes);
// How printable() writes a backslash: as \x5c (unambiguous in trace logs), or as \\ (as
// fdbcli prints keys, and the shell reads them back).
enum class Backslash { as_hex, doubled };

// Binary bytes made readable the way FoundationDB prints keys: printable ASCII as is,
// everything else as \xNN.
std::string printable(std::string_view bytes, Backslash backslash = Backslash::as_hex);

}  // namespace strata
