#pragma once

// Trace events of a real process, as JSON lines in rolling files:
// DIRECTORY/trace.IP.PORT.UNIXTIME.SEQUENCE.json (or trace.NAME.... for a process with no
// address of its own, such as a client). A file is closed and a new one started past
// trace_file_bytes_max; the oldest files of this process are deleted once they add up to
// more than trace_total_bytes_max. Writes are buffered; warnings and worse, and every
// idle moment of the loop, flush.

#include <cstdint>
#include <cstdio>
#include <string>

#include "runtime/network_address.h"
#include "runtime/trace.h"

namespace strata::real {

class TraceFile final : public TraceSink {
 public:
  // Throws file_not_writable naming the directory when it cannot be created or written.
  TraceFile(std::string directory, NetworkAddress address);
  // Files named after `process_name` (no '/') instead of an address.
  TraceFile(std::string directory, std::string process_name);
  TraceFile(const TraceFile&) = delete;
  TraceFile& operator=(const TraceFile&) = delete;
  ~TraceFile() override;

  void write(Severity severity, std::string_view type, std::string_view json) override;
  void flush() override;
  const std::string& current_path() const { return path_; }

 private:
  void open_next();
  void delete_oldest_files();

  std::string directory_;
  std::string prefix_;
  std::string path_;
  std::FILE* file_ = nullptr;
  int64_t file_bytes_ = 0;
  uint64_t sequence_ = 0;
};

}  // namespace strata::real
