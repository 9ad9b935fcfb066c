#include "rpc/sealed_record.h"

#include "rpc/frame.h"
#include "rpc/serialize.h"

namespace strata {

std::string seal_record(std::string_view body) {
  BinaryWriter writer;
  writer.write_integer(frame_checksum(body));
  writer.write_raw(body.data(), body.size());
  return writer.take();
}

std::string_view unseal_record(std::string_view sealed, const std::string& what) {
  if (sealed.size() < 4) throw Error(ErrorCode::file_corrupt, what + " is cut short");
  auto checksum = BinaryReader(sealed.substr(0, 4)).read_integer<uint32_t>();
  std::string_view body = sealed.substr(4);
  if (checksum != frame_checksum(body)) {
    throw Error(ErrorCode::file_corrupt, what + " fails its checksum");
  }
  return body;
}

}  // namespace strata
