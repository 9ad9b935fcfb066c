#pragma once

// The version of the wire protocol, exchanged in every connection's handshake. Two
// processes can talk when the versions agree in everything but the low 16 bits; a change
// that only adds optional fields bumps the low bits, anything else the high ones.

#include <cstdint>
#include <cstdio>
#include <string>

namespace strata {

constexpr uint64_t protocol_version_current = 0x5354'5241'0007'0000ULL;  // "STRA" 7.0

constexpr bool protocol_versions_compatible(uint64_t a, uint64_t b) {
  return (a >> 16) == (b >> 16);
}

// Hex, the way people compare versions in logs.
inline std::string protocol_version_string(uint64_t version) {
  char text[24];
  std::snprintf(text, sizeof(text), "0x%016llx", static_cast<unsigned long long>(version));
  return text;
}

}  // namespace strata
