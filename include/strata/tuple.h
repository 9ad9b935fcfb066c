#pragma once

// FoundationDB's tuple encoding: a list of typed values packed into a key whose byte order
// is the values' order, element by element (a shorter tuple sorts before the longer ones it
// begins). Byte-compatible with FoundationDB's bindings for the types here:
//
//   code  type                       encoding
//   0x00  null                       the code alone (0x00 0xff inside a nested tuple)
//   0x01  bytes                      the bytes, each 0x00 as 0x00 0xff, then 0x00
//   0x02  string (UTF-8, unchecked)  as bytes
//   0x05  nested tuple               its elements, then 0x00
//   0x0c-0x1c  integer (64-bit)      0x14 is 0; 0x14 +/- n: n big-endian bytes of the value
//                                    (a negative one's complement)
//   0x21  double                     IEEE 754 big-endian, the sign bit flipped for a positive
//                                    value and every bit for a negative one
//   0x26/0x27  false/true
//   0x30  UUID                       16 bytes
//
// Decoding anything else (floats, integers wider than 64 bits, versionstamps), or bytes
// that are not a tuple, fails with client_invalid_operation naming what and where.

#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace strata {

class Tuple;

// Bytes and strings are both text in C++: each has its own type here.
struct TupleBytes {
  std::string value;
  auto operator<=>(const TupleBytes&) const = default;
};
struct TupleString {
  std::string value;
  auto operator<=>(const TupleString&) const = default;
};
struct TupleUuid {
  std::array<uint8_t, 16> value{};
  auto operator<=>(const TupleUuid&) const = default;
};

class Tuple {
 public:
  using Element = std::variant<std::monostate, TupleBytes, TupleString, int64_t, double, bool,
                               TupleUuid, Tuple>;

  Tuple() = default;

  Tuple& append_null();
  Tuple& append_bytes(std::string_view bytes);
  Tuple& append_string(std::string_view text);
  Tuple& append_int(int64_t value);
  Tuple& append_double(double value);
  Tuple& append_bool(bool value);
  Tuple& append_uuid(const std::array<uint8_t, 16>& value);
  Tuple& append_tuple(Tuple nested);
  Tuple& append(Element element);

  size_t size() const { return elements_.size(); }
  bool empty() const { return elements_.empty(); }
  const Element& operator[](size_t i) const { return elements_[i]; }
  const std::vector<Element>& elements() const { return elements_; }

  // Typed access to element i; a different type fails with client_invalid_operation.
  const std::string& bytes_at(size_t i) const;
  const std::string& string_at(size_t i) const;
  int64_t int_at(size_t i) const;
  double double_at(size_t i) const;

  std::string pack() const;
  // `prefix` followed by the packed tuple.
  std::string pack_after(std::string_view prefix) const;
  static Tuple unpack(std::string_view packed);

  bool operator==(const Tuple& other) const;

 private:
  std::vector<Element> elements_;
};

// Every key that is `prefix` + a packed tuple beginning with `tuple`'s elements (and
// longer): [packed + 0x00, packed + 0xff), as FoundationDB's Tuple.range.
struct TupleRange {
  std::string begin;
  std::string end;
};
TupleRange tuple_range(std::string_view prefix, const Tuple& tuple);

}  // namespace strata
