#pragma once

// The first bytes each side sends on a new connection, before any frame:
//
//   u32 magic "STRA" | u32 length of the whole handshake | u32 checksum of what follows |
//   u64 protocol version | u32 listen IP | u16 listen port | u16 flags
//
// little-endian. The length lets a later version append fields that an older reader
// skips (the checksum covers them too). The listen address tells the other side where
// this process can be reached (an invalid address: it does not listen, e.g. a client).
// The checksum keeps a corrupted version from passing for an incompatible one.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "runtime/network_address.h"

namespace strata {

struct Handshake {
  uint64_t protocol_version = 0;
  NetworkAddress listen_address;
  uint16_t flags = 0;
};

constexpr uint32_t handshake_magic = 0x41525453;  // "STRA"
constexpr size_t handshake_bytes_min = 28;
constexpr size_t handshake_bytes_max = 1024;

std::string encode_handshake(const Handshake& handshake);

// Parses a handshake from the front of `bytes`. Returns nullopt when more bytes are
// needed; throws connection_failed (naming the problem) when the bytes are not a
// handshake. On success `consumed` is its length.
std::optional<Handshake> decode_handshake(std::string_view bytes, size_t& consumed);

}  // namespace strata
