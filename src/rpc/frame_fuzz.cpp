// Feeds arbitrary bytes to the two decoders that see a connection's raw bytes: the
// handshake decoder and the frame parser.
//
// Input layout (FuzzedDataProvider): the last byte picks the parser's frame size limit;
// then, working back from the end, each byte is the size of the next chunk handed to the
// parser, and the chunks themselves are taken from the front. The handshake decoder sees
// the whole input as it is.
//
// Properties checked (a violation aborts; reads out of bounds are the sanitizers' job):
// - the parser agrees with a model of the format in frame.h on every call: need_more,
//   corrupt, or a frame with exactly the token and payload the stream holds, whose
//   checksum is correct;
// - a frame encoded again gives the bytes it was parsed from;
// - once corrupt, the parser stays corrupt with the same problem, whatever is appended;
// - decode_handshake returns nullopt, a handshake agreeing with handshake.h, or throws
//   Error(connection_failed) (a stranger's header or a failed checksum), and nothing
//   else; longer inputs never undo its answer.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <fuzzer/FuzzedDataProvider.h>

#include "rpc/frame.h"
#include "rpc/handshake.h"
#include "runtime/assert.h"
#include "runtime/error.h"
#include "runtime/network_address.h"
#include "runtime/uid.h"

namespace strata {
namespace {

uint64_t little_endian(std::string_view bytes, size_t offset, size_t width) {
  uint64_t value = 0;
  for (size_t i = width; i-- > 0;)
    value = (value << 8) | static_cast<unsigned char>(bytes[offset + i]);
  return value;
}

// What the parser must say next about the bytes it was given, derived from frame.h alone.
class StreamModel {
 public:
  explicit StreamModel(uint32_t frame_bytes_max) : frame_bytes_max_(frame_bytes_max) {}

  void append(std::string_view bytes) { stream_.append(bytes); }
  size_t buffered_bytes() const { return stream_.size() - frame_start_; }

  // On a frame, `bytes` is all of it, header included.
  FrameParser::Status next(UID& token, std::string_view& payload, std::string_view& bytes) {
    if (corrupt_) return FrameParser::Status::corrupt;
    if (buffered_bytes() < frame_header_bytes) return FrameParser::Status::need_more;
    uint64_t length = little_endian(stream_, frame_start_, 4);
    if (little_endian(stream_, frame_start_ + 4, 4) !=
        frame_length_check(static_cast<uint32_t>(length))) {
      corrupt_ = true;
      return FrameParser::Status::corrupt;
    }
    if (length < frame_token_bytes || length > frame_bytes_max_) {
      corrupt_ = true;
      return FrameParser::Status::corrupt;
    }
    if (buffered_bytes() < frame_header_bytes + length) return FrameParser::Status::need_more;
    std::string_view body = std::string_view(stream_).substr(frame_start_ + frame_header_bytes,
                                                             static_cast<size_t>(length));
    if (little_endian(stream_, frame_start_ + 8, 4) != frame_checksum(body)) {
      corrupt_ = true;
      return FrameParser::Status::corrupt;
    }
    token = UID(little_endian(body, 0, 8), little_endian(body, 8, 8));
    payload = body.substr(frame_token_bytes);
    bytes = std::string_view(stream_).substr(frame_start_, frame_header_bytes + length);
    frame_start_ += frame_header_bytes + static_cast<size_t>(length);
    return FrameParser::Status::frame;
  }

 private:
  uint32_t frame_bytes_max_;
  std::string stream_;
  size_t frame_start_ = 0;
  bool corrupt_ = false;
};

// Takes every frame the parser has, checking each answer against the model.
void drain(FrameParser& parser, StreamModel& model, std::string& problem) {
  while (true) {
    Frame frame;
    FrameParser::Status status = parser.next(frame);
    UID expected_token;
    std::string_view expected_payload;
    std::string_view expected_bytes;
    FrameParser::Status expected = model.next(expected_token, expected_payload, expected_bytes);
    STRATA_ASSERT_MSG(status == expected, "the frame parser disagrees with the frame format");
    STRATA_ASSERT(parser.buffered_bytes() == model.buffered_bytes());
    if (status == FrameParser::Status::corrupt) {
      STRATA_ASSERT_MSG(!parser.problem().empty(), "a corrupt stream without a problem");
      if (problem.empty()) problem = parser.problem();
      STRATA_ASSERT_MSG(parser.problem() == problem, "the problem changed after corruption");
      return;
    }
    if (status == FrameParser::Status::need_more) return;
    // The model hands out only frames whose checksum it verified, so equal frames pass it.
    STRATA_ASSERT_MSG(frame.token == expected_token, "a frame with the wrong token");
    // Comparing reads every payload byte, so a payload outside the buffer is caught here.
    STRATA_ASSERT_MSG(frame.payload == expected_payload, "a frame with the wrong payload");
    // Framing is canonical: the frame encoded again is the bytes it came from.
    std::string encoded;
    size_t start = begin_frame(encoded, frame.token);
    encoded.append(frame.payload);
    finish_frame(encoded, start);
    STRATA_ASSERT_MSG(encoded == expected_bytes, "re-encoding a frame changed its bytes");
  }
}

void check_frames(const uint8_t* data, size_t size) {
  FuzzedDataProvider provider(data, size);
  // From "only empty payloads fit" up to the default of the frame_bytes_max knob.
  const uint32_t frame_bytes_max = provider.PickValueInArray<uint32_t>(
      {frame_token_bytes, frame_token_bytes + 1, 64, 4096, 100 * 1024 * 1024});
  FrameParser parser(frame_bytes_max);
  StreamModel model(frame_bytes_max);
  std::string problem;
  while (provider.remaining_bytes() > 0) {
    auto chunk_bytes = provider.ConsumeIntegral<uint8_t>();
    std::string chunk = provider.ConsumeBytesAsString(chunk_bytes);
    parser.append(chunk);
    model.append(chunk);
    drain(parser, model, problem);
  }
}

// The handshake decoder's answer for one input: nullopt, a handshake, or an Error.
struct HandshakeOutcome {
  bool failed = false;
  std::optional<Handshake> handshake;
  size_t consumed = 0;
};

HandshakeOutcome decode_outcome(std::string_view bytes) {
  HandshakeOutcome outcome;
  try {
    outcome.handshake = decode_handshake(bytes, outcome.consumed);
  } catch (const Error& error) {
    STRATA_ASSERT_MSG(error.code() == ErrorCode::connection_failed,
                      "decode_handshake threw an Error other than connection_failed");
    outcome.failed = true;
  } catch (...) {
    STRATA_UNREACHABLE("decode_handshake threw something other than an Error");
  }
  return outcome;
}

void check_handshake(std::string_view input) {
  HandshakeOutcome outcome = decode_outcome(input);
  if (input.size() < 8) {
    STRATA_ASSERT(!outcome.failed && !outcome.handshake);
    return;
  }
  uint64_t magic = little_endian(input, 0, 4);
  uint64_t length = little_endian(input, 4, 4);
  bool stranger =
      magic != handshake_magic || length < handshake_bytes_min || length > handshake_bytes_max;
  if (stranger) {
    STRATA_ASSERT_MSG(outcome.failed, "decode_handshake accepted a stranger's header");
    return;
  }
  if (input.size() < length) {
    STRATA_ASSERT_MSG(!outcome.handshake, "a handshake decoded before all its bytes came");
    return;
  }
  bool checksum_ok = little_endian(input, 8, 4) ==
                     frame_checksum(input.substr(12, static_cast<size_t>(length) - 12));
  STRATA_ASSERT_MSG(outcome.failed == !checksum_ok, "decode_handshake misjudged the checksum");
  if (!checksum_ok) return;
  STRATA_ASSERT_MSG(outcome.handshake, "a complete handshake did not decode");
  STRATA_ASSERT(outcome.consumed == length);
  // The fields this version knows come first; re-encoding must give them back.
  std::string encoded = encode_handshake(*outcome.handshake);
  STRATA_ASSERT(encoded.size() == handshake_bytes_min);
  STRATA_ASSERT_MSG(encoded.substr(12) == input.substr(12, handshake_bytes_min - 12),
                    "re-encoding a handshake changed its fields");

  // The transport retries as bytes arrive: one byte short of the handshake must ask for
  // more, and more bytes after it must not change the answer.
  HandshakeOutcome short_by_one = decode_outcome(input.substr(0, length - 1));
  STRATA_ASSERT(!short_by_one.failed && !short_by_one.handshake);
  HandshakeOutcome exact = decode_outcome(input.substr(0, length));
  STRATA_ASSERT(exact.handshake && exact.consumed == outcome.consumed);
  STRATA_ASSERT(exact.handshake->protocol_version == outcome.handshake->protocol_version);
  STRATA_ASSERT(exact.handshake->listen_address == outcome.handshake->listen_address);
  STRATA_ASSERT(exact.handshake->flags == outcome.handshake->flags);
}

}  // namespace
}  // namespace strata

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  strata::check_handshake(std::string_view(reinterpret_cast<const char*>(data), size));
  strata::check_frames(data, size);
  return 0;
}
