#include "strata/tuple.h"

#include <bit>
#include <cstring>

#include "runtime/error.h"
#include "runtime/trace.h"

namespace strata {

namespace {

constexpr uint8_t null_code = 0x00;
constexpr uint8_t bytes_code = 0x01;
constexpr uint8_t string_code = 0x02;
constexpr uint8_t nested_code = 0x05;
constexpr uint8_t int_zero_code = 0x14;
constexpr uint8_t double_code = 0x21;
constexpr uint8_t false_code = 0x26;
constexpr uint8_t true_code = 0x27;
constexpr uint8_t uuid_code = 0x30;
constexpr uint64_t sign_bit = uint64_t{1} << 63;

[[noreturn]] void malformed(std::string_view packed, size_t at, const std::string& what) {
  throw Error(ErrorCode::client_invalid_operation, "not a tuple: " + what + " at byte " +
                                                       std::to_string(at) + " of '" +
                                                       printable(packed) + "'");
}

void put_escaped(std::string& out, std::string_view bytes) {
  for (char c : bytes) {
    out.push_back(c);
    if (c == '\0') out.push_back('\xff');
  }
  out.push_back('\0');
}

void put_big_endian(std::string& out, uint64_t value, int width) {
  for (int i = width - 1; i >= 0; --i)
    out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

// Bytes needed for `magnitude` (0 for 0).
int width_of(uint64_t magnitude) {
  return magnitude == 0 ? 0 : (64 - std::countl_zero(magnitude) + 7) / 8;
}

void pack_element(std::string& out, const Tuple::Element& element, bool nested);

void pack_int(std::string& out, int64_t value) {
  if (value >= 0) {
    const auto magnitude = static_cast<uint64_t>(value);
    const int width = width_of(magnitude);
    out.push_back(static_cast<char>(int_zero_code + width));
    put_big_endian(out, magnitude, width);
    return;
  }
  // -(value + 1) + 1 does not overflow for the most negative value.
  const uint64_t magnitude = static_cast<uint64_t>(-(value + 1)) + 1;
  const int width = width_of(magnitude);
  out.push_back(static_cast<char>(int_zero_code - width));
  put_big_endian(out, ~magnitude, width);
}

void pack_element(std::string& out, const Tuple::Element& element, bool nested) {
  struct Visitor {
    std::string& out;
    bool nested;
    void operator()(std::monostate) const {
      out.push_back(static_cast<char>(null_code));
      if (nested) out.push_back('\xff');
    }
    void operator()(const TupleBytes& bytes) const {
      out.push_back(static_cast<char>(bytes_code));
      put_escaped(out, bytes.value);
    }
    void operator()(const TupleString& text) const {
      out.push_back(static_cast<char>(string_code));
      put_escaped(out, text.value);
    }
    void operator()(int64_t value) const { pack_int(out, value); }
    void operator()(double value) const {
      uint64_t bits = std::bit_cast<uint64_t>(value);
      bits = (bits & sign_bit) ? ~bits : bits ^ sign_bit;
      out.push_back(static_cast<char>(double_code));
      put_big_endian(out, bits, 8);
    }
    void operator()(bool value) const {
      out.push_back(static_cast<char>(value ? true_code : false_code));
    }
    void operator()(const TupleUuid& uuid) const {
      out.push_back(static_cast<char>(uuid_code));
      out.append(reinterpret_cast<const char*>(uuid.value.data()), uuid.value.size());
    }
    void operator()(const Tuple& tuple) const {
      out.push_back(static_cast<char>(nested_code));
      for (const Tuple::Element& inner : tuple.elements())
        pack_element(out, inner, true);
      out.push_back('\0');
    }
  };
  std::visit(Visitor{out, nested}, element);
}

// Reads tuples; `at` moves past what was read.
class Unpacker {
 public:
  explicit Unpacker(std::string_view packed) : packed_(packed) {}

  Tuple read_all() {
    Tuple tuple;
    while (at_ < packed_.size())
      tuple.append(read_element(false));
    return tuple;
  }

 private:
  uint8_t byte_at(size_t i) const { return static_cast<uint8_t>(packed_[i]); }

  std::string read_escaped() {
    std::string out;
    while (true) {
      if (at_ >= packed_.size()) malformed(packed_, at_, "bytes without their end");
      const char c = packed_[at_++];
      if (c != '\0') {
        out.push_back(c);
      } else if (at_ < packed_.size() && byte_at(at_) == 0xff) {
        out.push_back('\0');
        ++at_;
      } else {
        return out;
      }
    }
  }

  uint64_t read_big_endian(int width) {
    if (packed_.size() - at_ < static_cast<size_t>(width)) {
      malformed(packed_, at_, "a value cut short");
    }
    uint64_t value = 0;
    for (int i = 0; i < width; ++i)
      value = (value << 8) | byte_at(at_++);
    return value;
  }

  Tuple::Element read_element(bool nested) {
    const size_t start = at_;
    const uint8_t code = byte_at(at_++);
    if (code == null_code) {
      if (nested) {
        if (at_ < packed_.size() && byte_at(at_) == 0xff) ++at_;
      }
      return std::monostate{};
    }
    if (code == bytes_code) return TupleBytes{read_escaped()};
    if (code == string_code) return TupleString{read_escaped()};
    if (code == nested_code) {
      Tuple inner;
      while (true) {
        if (at_ >= packed_.size()) malformed(packed_, start, "a nested tuple without its end");
        if (byte_at(at_) == 0x00 && !(at_ + 1 < packed_.size() && byte_at(at_ + 1) == 0xff)) {
          ++at_;
          return inner;
        }
        inner.append(read_element(true));
      }
    }
    if (code >= int_zero_code - 8 && code <= int_zero_code + 8) {
      const int width = code > int_zero_code ? code - int_zero_code : int_zero_code - code;
      const uint64_t raw = read_big_endian(width);
      if (code >= int_zero_code) {
        if (raw > static_cast<uint64_t>(INT64_MAX)) {
          malformed(packed_, start, "an integer past the 64-bit range");
        }
        return static_cast<int64_t>(raw);
      }
      const uint64_t mask = width == 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * width)) - 1;
      const uint64_t magnitude = ~raw & mask;
      if (magnitude > sign_bit) malformed(packed_, start, "an integer past the 64-bit range");
      if (magnitude == sign_bit) return INT64_MIN;
      return -static_cast<int64_t>(magnitude);
    }
    if (code == double_code) {
      uint64_t bits = read_big_endian(8);
      bits = (bits & sign_bit) ? bits ^ sign_bit : ~bits;
      return std::bit_cast<double>(bits);
    }
    if (code == false_code) return false;
    if (code == true_code) return true;
    if (code == uuid_code) {
      if (packed_.size() - at_ < 16) malformed(packed_, start, "a UUID cut short");
      TupleUuid uuid;
      std::memcpy(uuid.value.data(), packed_.data() + at_, 16);
      at_ += 16;
      return uuid;
    }
    static const char digits[] = "0123456789abcdef";
    malformed(packed_, start,
              std::string("type code 0x") + digits[code >> 4] + digits[code & 15] +
                  ", which Strata's tuples do not have");
  }

  std::string_view packed_;
  size_t at_ = 0;
};

template <class T>
const T& element_as(const Tuple& tuple, size_t i, const char* type) {
  if (i >= tuple.size() || !std::holds_alternative<T>(tuple[i])) {
    throw Error(ErrorCode::client_invalid_operation,
                "tuple element " + std::to_string(i) + " is not " + type);
  }
  return std::get<T>(tuple[i]);
}

}  // namespace

Tuple& Tuple::append(Element element) {
  elements_.push_back(std::move(element));
  return *this;
}
Tuple& Tuple::append_null() {
  return append(std::monostate{});
}
Tuple& Tuple::append_bytes(std::string_view bytes) {
  return append(TupleBytes{std::string(bytes)});
}
Tuple& Tuple::append_string(std::string_view text) {
  return append(TupleString{std::string(text)});
}
Tuple& Tuple::append_int(int64_t value) {
  return append(value);
}
Tuple& Tuple::append_double(double value) {
  return append(value);
}
Tuple& Tuple::append_bool(bool value) {
  return append(value);
}
Tuple& Tuple::append_uuid(const std::array<uint8_t, 16>& value) {
  return append(TupleUuid{value});
}
Tuple& Tuple::append_tuple(Tuple nested) {
  return append(std::move(nested));
}

const std::string& Tuple::bytes_at(size_t i) const {
  return element_as<TupleBytes>(*this, i, "bytes").value;
}
const std::string& Tuple::string_at(size_t i) const {
  return element_as<TupleString>(*this, i, "a string").value;
}
int64_t Tuple::int_at(size_t i) const {
  return element_as<int64_t>(*this, i, "an integer");
}
double Tuple::double_at(size_t i) const {
  return element_as<double>(*this, i, "a double");
}

std::string Tuple::pack() const {
  return pack_after({});
}

std::string Tuple::pack_after(std::string_view prefix) const {
  std::string out(prefix);
  for (const Element& element : elements_)
    pack_element(out, element, false);
  return out;
}

Tuple Tuple::unpack(std::string_view packed) {
  return Unpacker(packed).read_all();
}

bool Tuple::operator==(const Tuple& other) const {
  if (elements_.size() != other.elements_.size()) return false;
  for (size_t i = 0; i < elements_.size(); ++i) {
    const Element& a = elements_[i];
    const Element& b = other.elements_[i];
    if (a.index() != b.index()) return false;
    // Doubles compare by their bits, as their encoding does (so NaN equals itself).
    if (const double* x = std::get_if<double>(&a)) {
      if (std::bit_cast<uint64_t>(*x) != std::bit_cast<uint64_t>(std::get<double>(b))) return false;
      continue;
    }
    if (!(a == b)) return false;
  }
  return true;
}

TupleRange tuple_range(std::string_view prefix, const Tuple& tuple) {
  std::string packed = tuple.pack_after(prefix);
  return TupleRange{packed + '\x00', packed + '\xff'};
}

}  // namespace strata
