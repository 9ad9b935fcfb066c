#pragma once

// A small durable record (a file's whole contents, a register's value) with a checksum in
// front, so that a torn or corrupted copy is refused instead of read as data.

#include <string>
#include <string_view>

namespace strata {

// `body` with its checksum in front.
std::string seal_record(std::string_view body);
// The body of a sealed record; throws file_corrupt naming `what` when the checksum fails or
// the record is cut short.
std::string_view unseal_record(std::string_view sealed, const std::string& what);

}  // namespace strata
