#pragma once

// POSIX files for the real backend. Every call that can block (open, pread, pwrite,
// fdatasync, rename, ...) runs on the environment's thread pool.

#include <memory>
#include <string>
#include <vector>

#include "runtime/environment.h"

namespace strata::real {

Future<std::shared_ptr<File>> open_real_file(std::string path, unsigned flags);
Future<Void> delete_real_file(std::string path);
Future<Void> rename_real_file(std::string from, std::string to);
Future<bool> real_file_exists(std::string path);
Future<Void> create_real_directories(std::string path);
Future<std::vector<std::string>> list_real_directory(std::string path);
Future<Void> delete_real_directory(std::string path);
Future<Void> sync_real_directory(std::string path);

}  // namespace strata::real
