#pragma once

// Whole small files through the environment: read one if it is there, replace one so that
// a crash leaves either the old contents or the new, never a mix.

#include <cstdint>
#include <optional>
#include <string>

#include "runtime/future.h"

namespace strata {

// Writes `contents` to a file of its own beside `path`, syncs it, renames it over `path`
// and syncs the folder: atomic and durable, also when several processes replace the same
// file at once (the last rename wins).
Future<Void> write_file_atomically(std::string path, std::string contents);

// The whole file, or nullopt when there is none. Fails with file_too_large past
// `max_bytes`.
Future<std::optional<std::string>> read_file_if_exists(std::string path, int64_t max_bytes);

}  // namespace strata
