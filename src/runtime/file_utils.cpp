#include "runtime/file_utils.h"

#include "runtime/environment.h"

namespace strata {

Future<Void> write_file_atomically(std::string path, std::string contents) {
  // A name of its own beside the file: several processes may replace one file (a cluster
  // file they share) at the same time, each atomically.
  std::string temporary = path + ".tmp." + env().random().unique_id().short_string();
  {
    std::shared_ptr<File> file =
        co_await env().open_file(temporary, open_flags::read_write | open_flags::create);
    co_await file->truncate(0);
    co_await file->write(0, std::move(contents));
    co_await file->sync();
  }
  co_await env().rename_file(temporary, path);
  co_await env().sync_directory(directory_of(path));
}

Future<std::optional<std::string>> read_file_if_exists(std::string path, int64_t max_bytes) {
  if (!co_await env().file_exists(path)) co_return std::nullopt;
  std::shared_ptr<File> file = co_await env().open_file(path, open_flags::read_only);
  int64_t size = co_await file->size();
  if (size > max_bytes) {
    throw Error(ErrorCode::file_too_large, path + " holds " + std::to_string(size) +
                                               " bytes, more than the " +
                                               std::to_string(max_bytes) + " expected");
  }
  co_return co_await file->read(0, size);
}

}  // namespace strata
