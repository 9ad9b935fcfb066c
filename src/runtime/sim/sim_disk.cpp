#include "runtime/sim/sim_disk.h"

#include <algorithm>

#include "runtime/sim/sim_knobs.h"
#include "runtime/sim/simulator.h"

namespace strata::sim {

std::shared_ptr<SimFileData> SimFileSystem::find(const std::string& path) const {
  auto it = files_.find(path);
  return it == files_.end() ? nullptr : it->second;
}

std::shared_ptr<SimFileData> SimFileSystem::create(const std::string& path) {
  auto& slot = files_[path];
  if (!slot) slot = std::make_shared<SimFileData>();
  return slot;
}

void SimFileSystem::remove(const std::string& path) {
  files_.erase(path);
}

void SimFileSystem::remove_tree(const std::string& path) {
  std::string prefix = path.back() == '/' ? path : path + "/";
  auto inside = [&](const std::string& entry) {
    return entry == path || entry.compare(0, prefix.size(), prefix) == 0;
  };
  std::erase_if(files_, [&](const auto& entry) { return inside(entry.first); });
  std::erase_if(directories_, inside);
}

void SimFileSystem::wipe() {
  files_.clear();
  directories_.clear();
  locked_.clear();
}

void SimFileSystem::rename(const std::string& from, const std::string& to) {
  auto it = files_.find(from);
  if (it == files_.end()) {
    throw Error(ErrorCode::file_not_found, "renaming " + from + ": no such file");
  }
  std::shared_ptr<SimFileData> data = it->second;
  files_.erase(it);
  files_[to] = std::move(data);
}

void SimFileSystem::add_directory(const std::string& path) {
  directories_.insert(path);
}

bool SimFileSystem::exists(const std::string& path) const {
  return files_.count(path) > 0 || directories_.count(path) > 0;
}

std::vector<std::string> SimFileSystem::list(const std::string& path) const {
  std::string prefix = path.empty() || path.back() == '/' ? path : path + "/";
  std::set<std::string> names;
  auto collect = [&](const std::string& entry) {
    if (entry.size() <= prefix.size() || entry.compare(0, prefix.size(), prefix) != 0) return;
    std::string rest = entry.substr(prefix.size());
    names.insert(rest.substr(0, rest.find('/')));
  };
  for (const auto& [name, data] : files_)
    collect(name);
  for (const std::string& directory : directories_)
    collect(directory);
  return {names.begin(), names.end()};
}

int64_t SimFileSystem::used_bytes() const {
  int64_t used = 0;
  for (const auto& [name, data] : files_)
    used += static_cast<int64_t>(data->content.size());
  return used;
}

void crash_file(SimFileData& data, Random& random, int64_t page_bytes) {
  std::string& result = data.durable;
  // The size survives as the old or the new one; pages past it are gone either way.
  if (data.size_dirty && random.coinflip()) result.resize(data.content.size(), '\0');
  auto fresh = [&](size_t i) { return i < data.content.size() ? data.content[i] : '\0'; };
  for (int64_t page : data.dirty_pages) {
    size_t begin = static_cast<size_t>(page * page_bytes);
    if (begin >= result.size()) continue;
    size_t end = std::min(result.size(), begin + static_cast<size_t>(page_bytes));
    switch (random.uniform(0, 4)) {
      case 0:  // lost: the durable bytes stay
        break;
      case 1:  // written completely
        for (size_t i = begin; i < end; ++i)
          result[i] = fresh(i);
        break;
      case 2: {  // torn: the write reached the disk only up to some point
        size_t tear =
            begin + static_cast<size_t>(random.uniform(0, static_cast<int64_t>(end - begin)));
        for (size_t i = begin; i < tear; ++i)
          result[i] = fresh(i);
        break;
      }
      default:  // garbage
        for (size_t i = begin; i < end; ++i)
          result[i] = static_cast<char>(random.uniform(0, 256));
        break;
    }
  }
  data.content = result;
  data.dirty_pages.clear();
  data.size_dirty = false;
}

void sync_file(SimFileData& data, int64_t page_bytes) {
  data.durable.resize(data.content.size(), '\0');
  for (int64_t page : data.dirty_pages) {
    size_t begin = static_cast<size_t>(page * page_bytes);
    if (begin >= data.content.size()) continue;
    size_t length = std::min(data.content.size() - begin, static_cast<size_t>(page_bytes));
    data.durable.replace(begin, length, data.content, begin, length);
  }
  data.dirty_pages.clear();
  data.size_dirty = false;
}

namespace {

class SimFile final : public File, public std::enable_shared_from_this<SimFile> {
 public:
  SimFile(Simulator& simulator, std::shared_ptr<SimFileData> data, std::string path, bool writable,
          bool locked)
      : simulator_(simulator),
        machine_(simulator.current_machine()),
        data_(std::move(data)),
        path_(std::move(path)),
        writable_(writable),
        locked_(locked) {}
  ~SimFile() override {
    if (locked_) machine_.files.unlock(path_);
  }

  Future<std::string> read(int64_t offset, int64_t length) override {
    return read_actor(shared_from_this(), offset, length);
  }
  Future<Void> write(int64_t offset, std::string bytes) override {
    return write_actor(shared_from_this(), offset, std::move(bytes));
  }
  Future<Void> truncate(int64_t size) override { return truncate_actor(shared_from_this(), size); }
  Future<Void> sync() override { return sync_actor(shared_from_this()); }
  Future<int64_t> size() override { return size_actor(shared_from_this()); }
  const std::string& path() const override { return path_; }

 private:
  static Future<std::string> read_actor(std::shared_ptr<SimFile> self, int64_t offset,
                                        int64_t length) {
    co_await self->simulator_.disk_delay(sim_knobs().sim_disk_read_latency_s);
    const std::string& content = self->data_->content;
    if (offset < 0 || length < 0)
      throw Error(ErrorCode::io_error, "negative read of " + self->path_);
    if (static_cast<size_t>(offset) >= content.size()) co_return std::string();
    co_return content.substr(static_cast<size_t>(offset), static_cast<size_t>(length));
  }

  static Future<Void> write_actor(std::shared_ptr<SimFile> self, int64_t offset,
                                  std::string bytes) {
    self->check_writable();
    co_await self->simulator_.disk_delay(sim_knobs().sim_disk_write_latency_s);
    SimFileData& data = *self->data_;
    size_t end = static_cast<size_t>(offset) + bytes.size();
    if (end > data.content.size()) {
      int64_t growth = static_cast<int64_t>(end - data.content.size());
      if (self->machine_.files.used_bytes() + growth > self->machine_.files.capacity_bytes) {
        throw Error(ErrorCode::disk_full, "writing " + self->path_ + ": the disk of machine " +
                                              self->machine_.id + " is full");
      }
      data.content.resize(end, '\0');
      data.size_dirty = true;
    }
    data.content.replace(static_cast<size_t>(offset), bytes.size(), bytes);
    self->mark_dirty(static_cast<size_t>(offset), end);
    co_return;
  }

  static Future<Void> truncate_actor(std::shared_ptr<SimFile> self, int64_t size) {
    self->check_writable();
    co_await self->simulator_.disk_delay(sim_knobs().sim_disk_write_latency_s);
    SimFileData& data = *self->data_;
    size_t old_size = data.content.size();
    data.content.resize(static_cast<size_t>(size), '\0');
    data.size_dirty = true;
    if (static_cast<size_t>(size) > old_size) self->mark_dirty(old_size, static_cast<size_t>(size));
    co_return;
  }

  static Future<Void> sync_actor(std::shared_ptr<SimFile> self) {
    co_await self->simulator_.disk_delay(sim_knobs().sim_disk_sync_latency_s);
    // Only what was written before the sync started is guaranteed; writes that finished
    // during it are made durable too, which a real disk may also do.
    sync_file(*self->data_, sim_knobs().sim_disk_page_bytes);
    co_return;
  }

  static Future<int64_t> size_actor(std::shared_ptr<SimFile> self) {
    co_await self->simulator_.disk_delay(sim_knobs().sim_disk_read_latency_s);
    co_return static_cast<int64_t>(self->data_->content.size());
  }

  void check_writable() const {
    if (!writable_) throw Error(ErrorCode::file_not_writable, path_ + " was opened read-only");
  }

  void mark_dirty(size_t begin, size_t end) {
    const auto page_bytes = static_cast<size_t>(sim_knobs().sim_disk_page_bytes);
    for (size_t page = begin / page_bytes; page * page_bytes < end; ++page) {
      data_->dirty_pages.insert(static_cast<int64_t>(page));
    }
  }

  Simulator& simulator_;
  SimMachine& machine_;
  std::shared_ptr<SimFileData> data_;
  std::string path_;
  bool writable_;
  bool locked_;
};

}  // namespace

std::shared_ptr<File> make_sim_file(Simulator& simulator, std::shared_ptr<SimFileData> data,
                                    std::string path, bool writable, bool locked) {
  return std::make_shared<SimFile>(simulator, std::move(data), std::move(path), writable, locked);
}

}  // namespace strata::sim
