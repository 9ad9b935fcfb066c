#include "rpc/serialize.h"

namespace strata {

std::string_view BinaryReader::take(size_t length, const char* what) {
  if (length > remaining()) {
    fail(std::string("truncated: ") + what + " needs " + std::to_string(length) +
         " bytes but only " + std::to_string(remaining()) + " are left");
  }
  std::string_view bytes = data_.substr(offset_, length);
  offset_ += length;
  return bytes;
}

uint32_t BinaryReader::read_count(const char* what) {
  auto count = read_integer<uint32_t>();
  if (count > remaining()) {
    fail(std::string(what) + " of " + std::to_string(count) + " exceeds the " +
         std::to_string(remaining()) + " bytes that are left");
  }
  return count;
}

void BinaryReader::expect_end() const {
  if (remaining() != 0) fail(std::to_string(remaining()) + " unexpected bytes after the message");
}

void BinaryReader::fail(const std::string& what) const {
  throw Error(ErrorCode::serialization_failed, what + " (at byte " + std::to_string(offset_) +
                                                   " of " + std::to_string(data_.size()) + ")");
}

void Serializer<std::string>::write(BinaryWriter& writer, std::string& value) {
  writer.write_integer(static_cast<uint32_t>(value.size()));
  writer.write_raw(value.data(), value.size());
}

void Serializer<std::string>::read(BinaryReader& reader, std::string& value) {
  uint32_t length = reader.read_count("a string's length");
  value.assign(reader.take(length, "a string"));
}

void Serializer<Error>::write(BinaryWriter& writer, Error& error) {
  writer.write_integer(static_cast<int32_t>(error.number()));
  std::string detail(error.detail());
  Serializer<std::string>::write(writer, detail);
}

void Serializer<Error>::read(BinaryReader& reader, Error& error) {
  auto number = reader.read_integer<int32_t>();
  if (!is_known_error_number(number)) reader.fail("unknown error code " + std::to_string(number));
  std::string detail;
  Serializer<std::string>::read(reader, detail);
  error = Error(static_cast<ErrorCode>(number), std::move(detail));
}

}  // namespace strata
