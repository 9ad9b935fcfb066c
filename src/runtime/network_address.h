#pragma once

// An IPv4 address and port: where a process listens, or where a connection comes from.

#include <compare>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace strata {

class NetworkAddress {
 public:
  constexpr NetworkAddress() = default;
  constexpr NetworkAddress(uint32_t ip, uint16_t port) : ip_(ip), port_(port) {}

  // "a.b.c.d:port". Throws address_parse_error naming the text when it is not one.
  static NetworkAddress parse(std::string_view text);
  static std::optional<NetworkAddress> try_parse(std::string_view text);
  static constexpr NetworkAddress from_octets(uint8_t a, uint8_t b, uint8_t c, uint8_t d,
                                              uint16_t port) {
    return NetworkAddress((uint32_t{a} << 24) | (uint32_t{b} << 16) | (uint32_t{c} << 8) | d, port);
  }

  // Host byte order.
  constexpr uint32_t ip() const { return ip_; }
  constexpr uint16_t port() const { return port_; }
  constexpr bool is_valid() const { return ip_ != 0 || port_ != 0; }
  std::string ip_string() const;
  std::string to_string() const;

  friend constexpr auto operator<=>(const NetworkAddress&, const NetworkAddress&) = default;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(ip_, port_);
  }

 private:
  uint32_t ip_ = 0;
  uint16_t port_ = 0;
};

struct NetworkAddressHash {
  size_t operator()(const NetworkAddress& address) const {
    return std::hash<uint64_t>()((uint64_t{address.ip()} << 16) | address.port());
  }
};

}  // namespace strata
