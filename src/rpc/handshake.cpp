#include "rpc/handshake.h"

#include "rpc/frame.h"
#include "rpc/serialize.h"

namespace strata {

std::string encode_handshake(const Handshake& handshake) {
  BinaryWriter fields;
  fields.write_integer(handshake.protocol_version);
  fields.write_integer(handshake.listen_address.ip());
  fields.write_integer(handshake.listen_address.port());
  fields.write_integer(handshake.flags);
  BinaryWriter writer;
  writer.write_integer(handshake_magic);
  writer.write_integer(static_cast<uint32_t>(handshake_bytes_min));
  writer.write_integer(frame_checksum(fields.data()));
  writer.write_raw(fields.data().data(), fields.data().size());
  return writer.take();
}

std::optional<Handshake> decode_handshake(std::string_view bytes, size_t& consumed) {
  if (bytes.size() < 8) return std::nullopt;
  BinaryReader header(bytes.substr(0, 8));
  auto magic = header.read_integer<uint32_t>();
  auto length = header.read_integer<uint32_t>();
  if (magic != handshake_magic) {
    throw Error(ErrorCode::connection_failed,
                "the peer is not a Strata process (its first bytes are not a Strata handshake)");
  }
  if (length < handshake_bytes_min || length > handshake_bytes_max) {
    throw Error(ErrorCode::connection_failed,
                "the peer's handshake claims an impossible length of " + std::to_string(length));
  }
  if (bytes.size() < length) return std::nullopt;
  BinaryReader check(bytes.substr(8, 4));
  if (check.read_integer<uint32_t>() != frame_checksum(bytes.substr(12, length - 12))) {
    throw Error(ErrorCode::connection_failed,
                "the peer's handshake fails its checksum (bytes corrupted on the way)");
  }
  BinaryReader reader(bytes.substr(12, handshake_bytes_min - 12));
  Handshake handshake;
  handshake.protocol_version = reader.read_integer<uint64_t>();
  auto ip = reader.read_integer<uint32_t>();
  auto port = reader.read_integer<uint16_t>();
  handshake.listen_address = NetworkAddress(ip, port);
  handshake.flags = reader.read_integer<uint16_t>();
  consumed = length;
  return handshake;
}

}  // namespace strata
