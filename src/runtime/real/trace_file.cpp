#include "runtime/real/trace_file.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <vector>

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/error.h"
#include "runtime/runtime_knobs.h"

namespace strata::real {

TraceFile::TraceFile(std::string directory, NetworkAddress address)
    : TraceFile(std::move(directory), address.ip_string() + "." + std::to_string(address.port())) {}

TraceFile::TraceFile(std::string directory, std::string process_name)
    : directory_(std::move(directory)), prefix_("trace." + process_name + ".") {
  for (size_t slash = directory_.find('/', 1);; slash = directory_.find('/', slash + 1)) {
    std::string prefix = directory_.substr(0, slash);
    if (!prefix.empty() && ::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) {
      throw Error(ErrorCode::file_not_writable,
                  "cannot create the log folder " + prefix + ": " + std::strerror(errno));
    }
    if (slash == std::string::npos) break;
  }
  open_next();
}

TraceFile::~TraceFile() {
  if (file_) std::fclose(file_);
}

void TraceFile::open_next() {
  if (file_) std::fclose(file_);
  // Unix time in the name sorts files by age; the sequence keeps names unique when two
  // files start within the same second.
  path_ = directory_ + "/" + prefix_ + std::to_string(std::time(nullptr)) + "." +
          std::to_string(sequence_++) + ".json";
  file_ = std::fopen(path_.c_str(), "a");
  if (!file_) {
    throw Error(ErrorCode::file_not_writable,
                "cannot write trace file " + path_ + ": " + std::strerror(errno));
  }
  file_bytes_ = 0;
  delete_oldest_files();
}

void TraceFile::write(Severity severity, std::string_view, std::string_view json) {
  if (!file_) return;
  std::fwrite(json.data(), 1, json.size(), file_);
  std::fputc('\n', file_);
  file_bytes_ += static_cast<int64_t>(json.size() + 1);
  if (severity >= Severity::warn) std::fflush(file_);
  if (file_bytes_ > runtime_knobs().trace_file_bytes_max) open_next();
}

void TraceFile::flush() {
  if (file_) std::fflush(file_);
}

void TraceFile::delete_oldest_files() {
  DIR* directory = ::opendir(directory_.c_str());
  if (!directory) return;
  struct TraceFileInfo {
    unsigned long long started;
    unsigned long long sequence;
    std::string path;
    int64_t bytes;
  };
  std::vector<TraceFileInfo> files;  // this process's, found by the name prefix
  while (dirent* entry = ::readdir(directory)) {
    std::string name = entry->d_name;
    if (name.compare(0, prefix_.size(), prefix_) != 0) continue;
    TraceFileInfo info{0, 0, directory_ + "/" + name, 0};
    if (std::sscanf(name.c_str() + prefix_.size(), "%llu.%llu.json", &info.started,
                    &info.sequence) != 2) {
      continue;
    }
    struct stat status {};
    if (::stat(info.path.c_str(), &status) != 0) continue;
    info.bytes = static_cast<int64_t>(status.st_size);
    files.push_back(std::move(info));
  }
  ::closedir(directory);
  std::sort(files.begin(), files.end(), [](const TraceFileInfo& a, const TraceFileInfo& b) {
    return a.started != b.started ? a.started < b.started : a.sequence < b.sequence;
  });
  int64_t total = 0;
  for (const TraceFileInfo& file : files)
    total += file.bytes;
  for (const TraceFileInfo& file : files) {
    if (total <= runtime_knobs().trace_total_bytes_max || file.path == path_) break;
    ::unlink(file.path.c_str());
    total -= file.bytes;
  }
}

}  // namespace strata::real
