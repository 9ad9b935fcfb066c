#include "runtime/network_address.h"

#include <charconv>

#include "runtime/error.h"

namespace strata {

namespace {

// Parses a decimal number in [0, max] that fills `text` exactly.
std::optional<uint32_t> parse_decimal(std::string_view text, uint32_t max) {
  if (text.empty() || text.size() > 5) return std::nullopt;
  uint32_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value > max) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

std::optional<NetworkAddress> NetworkAddress::try_parse(std::string_view text) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::optional<uint32_t> port = parse_decimal(text.substr(colon + 1), 65535);
  if (!port) return std::nullopt;
  std::string_view host = text.substr(0, colon);
  uint32_t ip = 0;
  for (int octet = 0; octet < 4; ++octet) {
    size_t dot = host.find('.');
    if ((octet < 3) != (dot != std::string_view::npos)) return std::nullopt;
    std::optional<uint32_t> part = parse_decimal(host.substr(0, dot), 255);
    if (!part) return std::nullopt;
    ip = (ip << 8) | *part;
    host = dot == std::string_view::npos ? std::string_view() : host.substr(dot + 1);
  }
  return NetworkAddress(ip, static_cast<uint16_t>(*port));
}

NetworkAddress NetworkAddress::parse(std::string_view text) {
  std::optional<NetworkAddress> address = try_parse(text);
  if (!address) {
    throw Error(ErrorCode::address_parse_error,
                "'" + std::string(text) + "' is not an IPv4 address and port like 127.0.0.1:4500");
  }
  return *address;
}

std::string NetworkAddress::ip_string() const {
  return std::to_string(ip_ >> 24) + "." + std::to_string((ip_ >> 16) & 0xff) + "." +
         std::to_string((ip_ >> 8) & 0xff) + "." + std::to_string(ip_ & 0xff);
}

std::string NetworkAddress::to_string() const {
  return ip_string() + ":" + std::to_string(port_);
}

}  // namespace strata
