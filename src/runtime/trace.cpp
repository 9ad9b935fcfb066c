#include "runtime/trace.h"

#include <cstdio>

#include "runtime/environment.h"
#include "runtime/runtime_knobs.h"

namespace strata {

namespace {

thread_local TraceSink* current_sink = nullptr;
thread_local Severity severity_min = Severity::info;

// Warnings and worse to stderr, for processes that configured no trace output.
class StderrSink final : public TraceSink {
 public:
  void write(Severity severity, std::string_view, std::string_view json) override {
    if (severity < Severity::warn_always) return;
    std::fprintf(stderr, "%.*s\n", static_cast<int>(json.size()), json.data());
  }
};

StderrSink stderr_sink;

}  // namespace

void set_trace_sink(TraceSink* sink) {
  current_sink = sink;
}
TraceSink* trace_sink() {
  return current_sink ? current_sink : &stderr_sink;
}
void set_trace_severity_min(Severity severity) {
  severity_min = severity;
}

void append_json_escaped(std::string& out, std::string_view bytes) {
  static constexpr char hex[] = "0123456789abcdef";
  for (char c : bytes) {
    auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte >= 0x7f) {
      out += "\\u00";
      out += hex[byte >> 4];
      out += hex[byte & 0xf];
    } else {
      out += c;
    }
  }
}

std::string printable(std::string_view bytes, Backslash backslash) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size());
  for (char c : bytes) {
    auto byte = static_cast<unsigned char>(c);
    if (c == '\\' && backslash == Backslash::doubled) {
      out += "\\\\";
    } else if (byte >= 0x20 && byte < 0x7f && c != '\\') {
      out += c;
    } else {
      out += "\\x";
      out += hex[byte >> 4];
      out += hex[byte & 0xf];
    }
  }
  return out;
}

TraceEvent::TraceEvent(Severity severity, std::string_view type)
    : severity_(severity), enabled_(severity >= severity_min) {
  if (!enabled_) return;
  line_.reserve(160);
  line_ += "{\"Severity\":";
  line_ += std::to_string(static_cast<int>(severity));
  if (has_env()) {
    char time[48];
    std::snprintf(time, sizeof(time), "%.6f",
                  env().is_simulated() ? env().now() : env().wall_time());
    line_ += ",\"Time\":";
    line_ += time;
    const NetworkAddress& address = env().process().identity().address;
    if (address.is_valid()) {
      line_ += ",\"Machine\":\"";
      line_ += address.to_string();
      line_ += '"';
    }
  }
  line_ += ",\"Type\":\"";
  type_begin_ = line_.size();
  append_json_escaped(line_, type);
  type_end_ = line_.size();
  line_ += '"';
}

void TraceEvent::append_key(std::string_view key) {
  line_ += ",\"";
  append_json_escaped(line_, key);
  line_ += "\":";
}

TraceEvent& TraceEvent::detail(std::string_view key, std::string_view value) {
  if (!enabled_ || logged_) return *this;
  const size_t limit = static_cast<size_t>(runtime_knobs().trace_event_bytes_max);
  if (line_.size() + key.size() + value.size() + 8 > limit) {
    ++dropped_details_;
    return *this;
  }
  append_key(key);
  line_ += '"';
  append_json_escaped(line_, value);
  line_ += '"';
  return *this;
}

TraceEvent& TraceEvent::detail_number(std::string_view key, std::string_view number) {
  if (!enabled_ || logged_) return *this;
  if (line_.size() + key.size() + number.size() + 8 >
      static_cast<size_t>(runtime_knobs().trace_event_bytes_max)) {
    ++dropped_details_;
    return *this;
  }
  append_key(key);
  line_ += number;
  return *this;
}

TraceEvent& TraceEvent::detail(std::string_view key, bool value) {
  return detail_number(key, value ? "true" : "false");
}

TraceEvent& TraceEvent::detail(std::string_view key, double value) {
  char text[48];
  std::snprintf(text, sizeof(text), "%.9g", value);
  return detail_number(key, text);
}

TraceEvent& TraceEvent::error(const Error& error) {
  detail("Error", error.name());
  detail("ErrorCode", error.number());
  if (!error.detail().empty()) detail("ErrorDetail", error.detail());
  return *this;
}

void TraceEvent::log() {
  if (!enabled_ || logged_) return;
  logged_ = true;
  if (dropped_details_ > 0) {
    line_ += ",\"DroppedDetails\":";
    line_ += std::to_string(dropped_details_);
  }
  line_ += '}';
  trace_sink()->write(severity_,
                      std::string_view(line_).substr(type_begin_, type_end_ - type_begin_), line_);
}

}  // namespace strata
