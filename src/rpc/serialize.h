#pragma once

// Versioned, deterministic binary serialization. A type opts in with a member
//
//   template <class Archive> void serialize(Archive& archive) { archive(a_, b_, c_); }
//
// which both writes and reads it. Integers are fixed-width little-endian, strings and
// containers are length-prefixed, maps are written in key order, so equal values always
// give equal bytes. The archive carries the protocol version for fields added later.
//
// Reading is bounds-checked: malformed bytes throw serialization_failed (1044) with a
// sentence saying what was wrong and where, never read past the end and never allocate
// more than the input could describe.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "rpc/protocol_version.h"
#include "runtime/error.h"
#include "runtime/network_address.h"

namespace strata {

class Transport;

// Where a message being read came from: lets reply promises and endpoints deserialize
// into something that can answer the sender.
struct MessageSource {
  Transport* transport = nullptr;
  NetworkAddress address;
  // The transport's number for the connection it arrived on (0: none).
  uint64_t connection_id = 0;
};

class BinaryWriter {
 public:
  static constexpr bool is_writer = true;

  explicit BinaryWriter(uint64_t protocol_version = protocol_version_current)
      : protocol_version_(protocol_version), out_(&owned_) {}
  // Appends to `out` instead of a buffer of its own.
  BinaryWriter(std::string& out, uint64_t protocol_version)
      : protocol_version_(protocol_version), out_(&out) {}
  BinaryWriter(const BinaryWriter&) = delete;
  BinaryWriter& operator=(const BinaryWriter&) = delete;

  template <class... Ts>
  void operator()(Ts&... values);

  void write_raw(const void* bytes, size_t length) {
    out_->append(static_cast<const char*>(bytes), length);
  }
  template <class Integer>
  void write_integer(Integer value) {
    static_assert(std::is_integral_v<Integer>);
    using Unsigned = std::make_unsigned_t<Integer>;
    auto bits = static_cast<Unsigned>(value);
    char bytes[sizeof(Integer)];
    for (size_t i = 0; i < sizeof(Integer); ++i) {
      bytes[i] = static_cast<char>(bits & 0xff);
      if constexpr (sizeof(Integer) > 1) bits = static_cast<Unsigned>(bits >> 8);
    }
    out_->append(bytes, sizeof(Integer));
  }

  uint64_t protocol_version() const { return protocol_version_; }
  std::string& data() { return *out_; }
  std::string take() { return std::move(*out_); }

 private:
  uint64_t protocol_version_;
  std::string owned_;
  std::string* out_;
};

class BinaryReader {
 public:
  static constexpr bool is_writer = false;

  explicit BinaryReader(std::string_view data, uint64_t protocol_version = protocol_version_current,
                        MessageSource source = {})
      : data_(data), protocol_version_(protocol_version), source_(source) {}

  template <class... Ts>
  void operator()(Ts&... values);

  void read_raw(void* out, size_t length) {
    std::memcpy(out, take(length, "raw bytes").data(), length);
  }
  // The next `length` bytes, checked against what is left.
  std::string_view take(size_t length, const char* what);
  template <class Integer>
  Integer read_integer() {
    static_assert(std::is_integral_v<Integer>);
    std::string_view bytes = take(sizeof(Integer), "an integer");
    std::make_unsigned_t<Integer> bits = 0;
    for (size_t i = sizeof(Integer); i-- > 0;) {
      bits = static_cast<decltype(bits)>((bits << (sizeof(Integer) > 1 ? 8 : 0)) |
                                         static_cast<unsigned char>(bytes[i]));
    }
    return static_cast<Integer>(bits);
  }
  // A length or element count, which cannot exceed the bytes that are left.
  uint32_t read_count(const char* what);

  size_t remaining() const { return data_.size() - offset_; }
  size_t offset() const { return offset_; }
  // Throws unless every byte was consumed.
  void expect_end() const;
  [[noreturn]] void fail(const std::string& what) const;

  uint64_t protocol_version() const { return protocol_version_; }
  const MessageSource& source() const { return source_; }

 private:
  std::string_view data_;
  size_t offset_ = 0;
  uint64_t protocol_version_;
  MessageSource source_;
};

// Serializer<T>::write / ::read for every supported type.
template <class T, class Enable = void>
struct Serializer {
  static void write(BinaryWriter& writer, T& value) { value.serialize(writer); }
  static void read(BinaryReader& reader, T& value) { value.serialize(reader); }
};

template <class T>
struct Serializer<T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>>> {
  static void write(BinaryWriter& writer, T& value) { writer.write_integer(value); }
  static void read(BinaryReader& reader, T& value) { value = reader.read_integer<T>(); }
};

template <>
struct Serializer<bool> {
  static void write(BinaryWriter& writer, bool& value) {
    writer.write_integer<uint8_t>(value ? 1 : 0);
  }
  static void read(BinaryReader& reader, bool& value) {
    auto byte = reader.read_integer<uint8_t>();
    if (byte > 1) reader.fail("a bool must be 0 or 1, not " + std::to_string(byte));
    value = byte == 1;
  }
};

template <>
struct Serializer<double> {
  static void write(BinaryWriter& writer, double& value) {
    uint64_t bits;
    std::memcpy(&bits, &value, sizeof(bits));
    writer.write_integer(bits);
  }
  static void read(BinaryReader& reader, double& value) {
    auto bits = reader.read_integer<uint64_t>();
    std::memcpy(&value, &bits, sizeof(bits));
  }
};

template <class T>
struct Serializer<T, std::enable_if_t<std::is_enum_v<T>>> {
  using Underlying = std::underlying_type_t<T>;
  static void write(BinaryWriter& writer, T& value) {
    writer.write_integer(static_cast<Underlying>(value));
  }
  static void read(BinaryReader& reader, T& value) {
    value = static_cast<T>(reader.read_integer<Underlying>());
  }
};

template <>
struct Serializer<std::string> {
  static void write(BinaryWriter& writer, std::string& value);
  static void read(BinaryReader& reader, std::string& value);
};

template <class T>
struct Serializer<std::vector<T>> {
  static void write(BinaryWriter& writer, std::vector<T>& values) {
    writer.write_integer(static_cast<uint32_t>(values.size()));
    for (T& value : values)
      Serializer<T>::write(writer, value);
  }
  static void read(BinaryReader& reader, std::vector<T>& values) {
    // Every element takes at least one byte, so the count is bounded by the input.
    uint32_t count = reader.read_count("a vector's length");
    values.clear();
    // Reserve only a little: a hostile count must not turn a small input into a huge
    // allocation before the elements themselves prove it.
    values.reserve(std::min<uint32_t>(count, 1024));
    for (uint32_t i = 0; i < count; ++i)
      Serializer<T>::read(reader, values.emplace_back());
  }
};

template <class T>
struct Serializer<std::optional<T>> {
  static void write(BinaryWriter& writer, std::optional<T>& value) {
    bool present = value.has_value();
    Serializer<bool>::write(writer, present);
    if (present) Serializer<T>::write(writer, *value);
  }
  static void read(BinaryReader& reader, std::optional<T>& value) {
    bool present = false;
    Serializer<bool>::read(reader, present);
    if (present) {
      Serializer<T>::read(reader, value.emplace());
    } else {
      value.reset();
    }
  }
};

template <class A, class B>
struct Serializer<std::pair<A, B>> {
  static void write(BinaryWriter& writer, std::pair<A, B>& value) {
    Serializer<A>::write(writer, value.first);
    Serializer<B>::write(writer, value.second);
  }
  static void read(BinaryReader& reader, std::pair<A, B>& value) {
    Serializer<A>::read(reader, value.first);
    Serializer<B>::read(reader, value.second);
  }
};

template <class K, class V>
struct Serializer<std::map<K, V>> {
  static void write(BinaryWriter& writer, std::map<K, V>& values) {
    writer.write_integer(static_cast<uint32_t>(values.size()));
    for (auto& [key, value] : values) {
      K key_copy = key;
      Serializer<K>::write(writer, key_copy);
      Serializer<V>::write(writer, value);
    }
  }
  static void read(BinaryReader& reader, std::map<K, V>& values) {
    uint32_t count = reader.read_count("a map's size");
    values.clear();
    for (uint32_t i = 0; i < count; ++i) {
      std::pair<K, V> entry;
      Serializer<std::pair<K, V>>::read(reader, entry);
      // Keys are written in order, so equal maps have equal bytes; accepting any other
      // order would give one map two encodings.
      if (!values.empty() && !(std::prev(values.end())->first < entry.first)) {
        reader.fail("a map's keys are not in strictly increasing order");
      }
      values.emplace_hint(values.end(), std::move(entry));
    }
  }
};

template <>
struct Serializer<Error> {
  static void write(BinaryWriter& writer, Error& error);
  static void read(BinaryReader& reader, Error& error);
};

template <class... Ts>
void BinaryWriter::operator()(Ts&... values) {
  (Serializer<std::remove_const_t<Ts>>::write(*this, const_cast<std::remove_const_t<Ts>&>(values)),
   ...);
}

template <class... Ts>
void BinaryReader::operator()(Ts&... values) {
  (Serializer<Ts>::read(*this, values), ...);
}

template <class T>
std::string serialize_to_bytes(const T& value,
                               uint64_t protocol_version = protocol_version_current) {
  BinaryWriter writer(protocol_version);
  writer(value);
  return writer.take();
}

// Reads a whole T from `bytes`; trailing bytes are an error.
template <class T>
T deserialize_from_bytes(std::string_view bytes,
                         uint64_t protocol_version = protocol_version_current) {
  BinaryReader reader(bytes, protocol_version);
  T value{};
  reader(value);
  reader.expect_end();
  return value;
}

}  // namespace strata
