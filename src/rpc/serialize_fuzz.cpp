// Feeds arbitrary bytes to the binary decoder, as a peer's message would arrive, for a
// representative set of types. The first byte picks the type; the rest is the message.
//
// Properties checked (a violation aborts):
// - decoding throws nothing but Error(serialization_failed);
// - re-encoding a decoded value gives back exactly the bytes it was decoded from (the
//   encoding is canonical: maps, for one, must list their keys in order);
// - expect_end() fails exactly when bytes are left over;
// - a decoded message cut short by one byte no longer decodes (messages are
//   self-delimiting, which is what lets a field follow another without a length).
//
// Decoding needs no environment: a ReplyPromise decoded without a transport answers
// nobody when it is dropped.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "interfaces/cluster_status_interface.h"
#include "interfaces/echo_interface.h"
#include "interfaces/status_interface.h"
#include "rpc/endpoint.h"
#include "rpc/request_stream.h"
#include "rpc/serialize.h"
#include "runtime/assert.h"
#include "runtime/error.h"
#include "runtime/network_address.h"
#include "runtime/uid.h"

namespace strata {
namespace {

enum class Color : uint16_t { red = 1, green = 2 };

// Every kind the serializer supports apart from maps.
struct Scalars {
  int8_t i8 = 0;
  uint8_t u8 = 0;
  int16_t i16 = 0;
  uint16_t u16 = 0;
  int32_t i32 = 0;
  uint32_t u32 = 0;
  int64_t i64 = 0;
  uint64_t u64 = 0;
  bool flag = false;
  double ratio = 0;
  Color color = Color::red;
  std::string text;
  std::vector<uint32_t> numbers;
  std::vector<std::string> words;
  std::optional<std::string> maybe_text;
  std::optional<int64_t> maybe_number;
  std::pair<uint16_t, std::string> pair;
  Error error;
  NetworkAddress address;
  UID id;
  Endpoint endpoint;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(i8, u8, i16, u16, i32, u32, i64, u64, flag, ratio, color, text, numbers, words,
            maybe_text, maybe_number, pair, error, address, id, endpoint);
  }
};

// Every supported kind, maps included.
struct EveryKind {
  Scalars scalars;
  std::map<std::string, int32_t> table;
  std::vector<std::map<uint32_t, std::optional<std::string>>> nested;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(scalars, table, nested);
  }
};

// Decodes a T from the front of `bytes`; returns how many bytes it took, or nullopt when
// the bytes are not a T.
template <class T>
std::optional<size_t> decode(std::string_view bytes, T& value) {
  BinaryReader reader(bytes);
  try {
    reader(value);
  } catch (const Error& error) {
    STRATA_ASSERT_MSG(error.code() == ErrorCode::serialization_failed,
                      "decoding threw an Error other than serialization_failed");
    return std::nullopt;
  } catch (...) {
    STRATA_UNREACHABLE("decoding threw something other than an Error");
  }
  bool trailing_bytes_rejected = false;
  try {
    reader.expect_end();
  } catch (const Error& error) {
    STRATA_ASSERT(error.code() == ErrorCode::serialization_failed);
    trailing_bytes_rejected = true;
  }
  STRATA_ASSERT_MSG(trailing_bytes_rejected == (reader.remaining() != 0),
                    "expect_end() disagrees with remaining()");
  return reader.offset();
}

template <class T>
void check_type(std::string_view input) {
  T value{};
  std::optional<size_t> consumed = decode(input, value);
  if (!consumed) return;
  std::string_view message = input.substr(0, *consumed);
  STRATA_ASSERT_MSG(serialize_to_bytes(value) == message,
                    "re-encoding changed the bytes of a decoded message");
  if (!message.empty()) {
    T truncated{};
    STRATA_ASSERT_MSG(!decode(message.substr(0, message.size() - 1), truncated),
                      "a message cut short by one byte still decoded");
  }
}

}  // namespace
}  // namespace strata

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata;
  if (size == 0) return 0;
  std::string_view message(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 11) {
    case 0:
      check_type<Scalars>(message);
      break;
    case 1:
      check_type<EveryKind>(message);
      break;
    case 2:
      check_type<ReplyMessage<EchoReply>>(message);
      break;
    case 3:
      check_type<EchoRequest>(message);
      break;
    case 4:
      check_type<ServerStatusRequest>(message);
      break;
    case 5:
      check_type<ServerStatusReply>(message);
      break;
    case 6:
      check_type<ReplyMessage<ServerStatusReply>>(message);
      break;
    case 7:
      // A stream received in a message: how one process hands another an endpoint.
      check_type<RequestStream<EchoRequest>>(message);
      break;
    case 8:
      // The transport's own answer to a message for an unknown endpoint.
      check_type<EndpointNotFound>(message);
      break;
    case 9:
      check_type<ClusterStatusRequest>(message);
      break;
    case 10:
      check_type<ReplyMessage<ClusterStatusReply>>(message);
      break;
  }
  return 0;
}
