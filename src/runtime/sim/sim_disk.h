#pragma once

// Simulated disks. Each machine has a file system that outlives its processes. A file
// keeps what reads see now and what is durable; writes dirty pages, sync() makes them
// durable. When a process that had the file open is killed, every page dirtied since the
// last sync is independently kept, lost (reverts to its durable bytes) or garbled (torn
// part-way, or random bytes), and the size becomes the old or the new one: the
// guarantees of a real disk and no more.

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "runtime/environment.h"

namespace strata::sim {

struct SimFileData {
  std::string content;
  std::string durable;
  // Page indexes written since the last sync.
  std::set<int64_t> dirty_pages;
  bool size_dirty = false;
};

class SimFileSystem {
 public:
  std::shared_ptr<SimFileData> find(const std::string& path) const;
  std::shared_ptr<SimFileData> create(const std::string& path);
  void remove(const std::string& path);
  // Removes a folder and every file and folder inside it.
  void remove_tree(const std::string& path);
  // Removes every file and folder: a disk replaced by an empty one.
  void wipe();
  // Atomic replace; throws file_not_found when `from` is missing.
  void rename(const std::string& from, const std::string& to);
  void add_directory(const std::string& path);
  bool exists(const std::string& path) const;
  // Names of the files and directories directly inside `path`, sorted.
  std::vector<std::string> list(const std::string& path) const;

  // Exclusive locks (open_flags::lock), held while the locking file is open.
  bool try_lock(const std::string& path) { return locked_.insert(path).second; }
  void unlock(const std::string& path) { locked_.erase(path); }

  // Bytes the files hold (what reads see); compared against the capacity.
  int64_t used_bytes() const;
  // A write that would take used_bytes() past this fails with disk_full.
  int64_t capacity_bytes = INT64_MAX;

 private:
  std::map<std::string, std::shared_ptr<SimFileData>> files_;
  std::set<std::string> directories_;
  std::set<std::string> locked_;
};

// Applies crash semantics to one file (see the header comment).
void crash_file(SimFileData& data, Random& random, int64_t page_bytes);
// Makes every dirty page and the size durable.
void sync_file(SimFileData& data, int64_t page_bytes);

class Simulator;

std::shared_ptr<File> make_sim_file(Simulator& simulator, std::shared_ptr<SimFileData> data,
                                    std::string path, bool writable, bool locked);

}  // namespace strata::sim
