// Feeds arbitrary bytes to the Redis layer's decoders: the request parser (multibulk and
// inline), the inline argument splitter and the integer reader.
//
// Input layout (FuzzedDataProvider): the last bytes pick the parser's limits and whether
// the client is authenticated; then, working back from the end, each byte is the size of
// the next chunk handed to the parser, and the chunks themselves come from the front.
//
// Properties checked (a violation aborts; reads out of bounds are the sanitizers' job):
// - cutting the bytes differently changes nothing: fed in the fuzzer's chunks, the parser
//   gives the same commands, in order, and the same protocol error (if any) as fed all at
//   once;
// - no command is empty, none has more arguments or longer ones than the limits allow;
// - a command written out again in the multibulk form parses back to itself;
// - a protocol error sticks: later calls give it again, whatever is appended;
// - the splitter's arguments, quoted again, split back to themselves;
// - an integer read back prints as the very text it was read from.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <fuzzer/FuzzedDataProvider.h>

#include "layers/redis/inline_args.h"
#include "layers/redis/redis_integer.h"
#include "layers/redis/request_parser.h"
#include "runtime/assert.h"

namespace strata::redis {
namespace {

using Args = std::vector<std::string>;

struct Outcome {
  std::vector<Args> commands;
  std::string error;
};

// Takes every result the parser has now into `outcome`.
void drain(RequestParser& parser, bool authenticated, Outcome& outcome) {
  while (outcome.error.empty()) {
    RequestParser::Result result = parser.next(authenticated);
    if (result.status == RequestParser::Status::need_more) return;
    if (result.status == RequestParser::Status::protocol_error) {
      STRATA_ASSERT_MSG(!result.error.empty(), "a protocol error without a message");
      outcome.error = result.error;
      return;
    }
    outcome.commands.push_back(std::move(result.arguments));
  }
}

std::string multibulk(const Args& args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (const std::string& arg : args)
    out += "$" + std::to_string(arg.size()) + "\r\n" + arg + "\r\n";
  return out;
}

// `arg` in double quotes, every byte that is not plain printable as \xHH.
std::string quoted(const std::string& arg) {
  static const char digits[] = "0123456789abcdef";
  std::string out = "\"";
  for (char c : arg) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x21 && byte < 0x7f && c != '"' && c != '\\') {
      out.push_back(c);
    } else {
      out += "\\x";
      out.push_back(digits[byte >> 4]);
      out.push_back(digits[byte & 15]);
    }
  }
  return out + "\"";
}

void check_parser(FuzzedDataProvider& provider) {
  RequestLimits limits;
  limits.arguments_max = provider.ConsumeIntegralInRange<int64_t>(1, 16);
  limits.argument_bytes_max = provider.ConsumeIntegralInRange<int64_t>(0, 64);
  limits.inline_bytes_max = provider.ConsumeIntegralInRange<int64_t>(1, 128);
  limits.unauthenticated_arguments_max = provider.ConsumeIntegralInRange<int64_t>(1, 16);
  limits.unauthenticated_argument_bytes_max = provider.ConsumeIntegralInRange<int64_t>(0, 64);
  const bool authenticated = provider.ConsumeBool();
  std::vector<size_t> chunk_sizes;
  std::string bytes;
  while (provider.remaining_bytes() > 0) {
    const auto size = provider.ConsumeIntegral<uint8_t>();
    std::string chunk = provider.ConsumeBytesAsString(size);
    chunk_sizes.push_back(chunk.size());
    bytes += chunk;
  }

  Outcome whole;
  RequestParser at_once(limits);
  at_once.append(bytes);
  drain(at_once, authenticated, whole);

  Outcome chunked;
  RequestParser in_chunks(limits);
  size_t at = 0;
  for (size_t size : chunk_sizes) {
    in_chunks.append(std::string_view(bytes).substr(at, size));
    at += size;
    drain(in_chunks, authenticated, chunked);
  }
  STRATA_ASSERT_MSG(chunked.commands == whole.commands,
                    "cutting the bytes differently changed the commands");
  STRATA_ASSERT_MSG(chunked.error == whole.error,
                    "cutting the bytes differently changed the protocol error");

  const int64_t arguments_max =
      authenticated ? limits.arguments_max
                    : std::min(limits.arguments_max, limits.unauthenticated_arguments_max);
  for (const Args& command : whole.commands) {
    STRATA_ASSERT_MSG(!command.empty(), "an empty command came out");
    // Inline commands are bounded by the line's length, not by the multibulk limits.
    if (static_cast<int64_t>(command.size()) > arguments_max) continue;
    RequestParser again(limits);
    again.append(multibulk(command));
    Outcome reparsed;
    drain(again, authenticated, reparsed);
    // Its header lines ("*N", "$N" and the "\r" after them) must fit the limit too.
    auto header_fits = [&](size_t n) {
      return static_cast<int64_t>(std::to_string(n).size()) + 2 <= limits.inline_bytes_max;
    };
    bool fits = header_fits(command.size());
    for (const std::string& arg : command) {
      fits = fits && header_fits(arg.size());
      const int64_t bytes_max = authenticated ? limits.argument_bytes_max
                                              : std::min(limits.argument_bytes_max,
                                                         limits.unauthenticated_argument_bytes_max);
      fits = fits && static_cast<int64_t>(arg.size()) <= bytes_max;
    }
    if (!fits) continue;
    STRATA_ASSERT_MSG(reparsed.error.empty() && reparsed.commands.size() == 1 &&
                          reparsed.commands.front() == command,
                      "a command written out again did not parse back to itself");
  }

  if (!whole.error.empty()) {
    at_once.append("*1\r\n$4\r\nPING\r\n");
    RequestParser::Result later = at_once.next(authenticated);
    STRATA_ASSERT_MSG(
        later.status == RequestParser::Status::protocol_error && later.error == whole.error,
        "a protocol error did not stick");
  }

  // The same bytes as one inline line, and as an integer.
  if (std::optional<Args> args = split_inline_args(bytes)) {
    std::string line;
    for (const std::string& arg : *args)
      line += quoted(arg) + " ";
    std::optional<Args> back = split_inline_args(line);
    STRATA_ASSERT_MSG(back && *back == *args, "quoted arguments did not split back to themselves");
  }
  if (std::optional<int64_t> value = parse_redis_integer(bytes)) {
    STRATA_ASSERT_MSG(std::to_string(*value) == bytes,
                      "an integer read from text it does not print as");
  }
}

}  // namespace
}  // namespace strata::redis

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider provider(data, size);
  strata::redis::check_parser(provider);
  return 0;
}
