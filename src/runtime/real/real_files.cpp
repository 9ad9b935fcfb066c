#include "runtime/real/real_files.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace strata::real {

namespace {

// Maps errno to the error a caller can act on, naming the operation and the path.
Error file_error(int error_number, std::string_view operation, const std::string& path) {
  std::string detail = std::string(operation) + " " + path + ": " + std::strerror(error_number);
  switch (error_number) {
    case ENOENT:
      return Error(ErrorCode::file_not_found, std::move(detail));
    case ENOSPC:
    case EDQUOT:
      return Error(ErrorCode::disk_full, std::move(detail));
    case EACCES:
    case EPERM:
    case EROFS:
      return Error(ErrorCode::file_not_writable, std::move(detail));
    default:
      return Error(ErrorCode::io_error, std::move(detail));
  }
}

class PosixFile final : public File, public std::enable_shared_from_this<PosixFile> {
 public:
  PosixFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~PosixFile() override { ::close(fd_); }

  Future<std::string> read(int64_t offset, int64_t length) override {
    return run_blocking([self = shared_from_this(), offset, length]() -> std::string {
      std::string data(static_cast<size_t>(length), '\0');
      size_t done = 0;
      while (done < data.size()) {
        ssize_t got = ::pread(self->fd_, data.data() + done, data.size() - done,
                              static_cast<off_t>(offset + static_cast<int64_t>(done)));
        if (got == 0) break;
        if (got < 0) {
          if (errno == EINTR) continue;
          throw file_error(errno, "reading", self->path_);
        }
        done += static_cast<size_t>(got);
      }
      data.resize(done);
      return data;
    });
  }

  Future<Void> write(int64_t offset, std::string data) override {
    return run_blocking([self = shared_from_this(), offset, data = std::move(data)] {
      self->write_now(offset, data);
    });
  }

  Future<Void> write_and_sync(int64_t offset, std::string data) override {
    return run_blocking([self = shared_from_this(), offset, data = std::move(data)] {
      self->write_now(offset, data);
      self->sync_now();
    });
  }

  Future<Void> truncate(int64_t size) override {
    return run_blocking([self = shared_from_this(), size] {
      if (::ftruncate(self->fd_, static_cast<off_t>(size)) != 0) {
        throw file_error(errno, "truncating", self->path_);
      }
    });
  }

  Future<Void> sync() override {
    return run_blocking([self = shared_from_this()] { self->sync_now(); });
  }

  Future<int64_t> size() override {
    return run_blocking([self = shared_from_this()]() -> int64_t {
      struct stat info {};
      if (::fstat(self->fd_, &info) != 0) throw file_error(errno, "sizing", self->path_);
      return static_cast<int64_t>(info.st_size);
    });
  }

  const std::string& path() const override { return path_; }

 private:
  // On a pool thread.
  void write_now(int64_t offset, const std::string& data) {
    size_t done = 0;
    while (done < data.size()) {
      ssize_t put = ::pwrite(fd_, data.data() + done, data.size() - done,
                             static_cast<off_t>(offset + static_cast<int64_t>(done)));
      if (put < 0) {
        if (errno == EINTR) continue;
        throw file_error(errno, "writing", path_);
      }
      done += static_cast<size_t>(put);
    }
  }

  void sync_now() {
    if (::fdatasync(fd_) != 0) throw file_error(errno, "syncing", path_);
  }

  int fd_;
  std::string path_;
};

int open_mode(unsigned flags) {
  int mode = (flags & open_flags::read_write) ? O_RDWR : O_RDONLY;
  if (flags & open_flags::create) mode |= O_CREAT;
  if (flags & open_flags::exclusive) mode |= O_EXCL;
  return mode | O_CLOEXEC;
}

}  // namespace

Future<std::shared_ptr<File>> open_real_file(std::string path, unsigned flags) {
  return run_blocking([path = std::move(path), flags]() -> std::shared_ptr<File> {
    int fd = ::open(path.c_str(), open_mode(flags), 0644);
    if (fd < 0) throw file_error(errno, "opening", path);
    if ((flags & open_flags::lock) && ::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      int error_number = errno;
      ::close(fd);
      if (error_number == EWOULDBLOCK) {
        throw Error(ErrorCode::lock_file_failure,
                    path + " is locked: another process is using this data folder");
      }
      throw file_error(error_number, "locking", path);
    }
    return std::make_shared<PosixFile>(fd, path);
  });
}

Future<Void> delete_real_file(std::string path) {
  return run_blocking([path = std::move(path)] {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) throw file_error(errno, "deleting", path);
  });
}

Future<Void> rename_real_file(std::string from, std::string to) {
  return run_blocking([from = std::move(from), to = std::move(to)] {
    if (::rename(from.c_str(), to.c_str()) != 0) throw file_error(errno, "renaming", from);
  });
}

Future<bool> real_file_exists(std::string path) {
  return run_blocking([path = std::move(path)] {
    struct stat info {};
    return ::stat(path.c_str(), &info) == 0;
  });
}

Future<Void> create_real_directories(std::string path) {
  return run_blocking([path = std::move(path)] {
    // Each prefix ending at a '/' first, then the whole path.
    for (size_t slash = path.find('/', 1);; slash = path.find('/', slash + 1)) {
      std::string prefix = path.substr(0, slash);
      if (!prefix.empty() && ::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) {
        throw file_error(errno, "creating directory", prefix);
      }
      if (slash == std::string::npos) break;
    }
  });
}

Future<std::vector<std::string>> list_real_directory(std::string path) {
  return run_blocking([path = std::move(path)] {
    DIR* directory = ::opendir(path.c_str());
    if (directory == nullptr) throw file_error(errno, "listing", path);
    std::vector<std::string> names;
    while (dirent* entry = ::readdir(directory)) {
      std::string name = entry->d_name;
      if (name != "." && name != "..") names.push_back(std::move(name));
    }
    ::closedir(directory);
    std::sort(names.begin(), names.end());
    return names;
  });
}

Future<Void> delete_real_directory(std::string path) {
  return run_blocking([path = std::move(path)] {
    auto remove_entry = [](const char* entry, const struct stat*, int, struct FTW*) -> int {
      return ::remove(entry) == 0 || errno == ENOENT ? 0 : -1;
    };
    if (::nftw(path.c_str(), remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0 && errno != ENOENT) {
      throw file_error(errno, "deleting directory", path);
    }
  });
}

Future<Void> sync_real_directory(std::string path) {
  return run_blocking([path = std::move(path)] {
    int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) throw file_error(errno, "opening directory", path);
    int result = ::fsync(fd);
    int error_number = errno;
    ::close(fd);
    if (result != 0) throw file_error(error_number, "syncing directory", path);
  });
}

}  // namespace strata::real
