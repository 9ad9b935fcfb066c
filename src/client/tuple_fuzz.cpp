// Feeds arbitrary bytes to the tuple decoder (strata/tuple.h).
//
// Properties checked (a violation aborts; reads out of bounds are the sanitizers' job):
// - decoding either gives a tuple or fails with client_invalid_operation, nothing else;
// - a decoded tuple packs to bytes that decode to the same tuple, and those bytes pack to
//   themselves (the encoder's output is canonical even where the input was not, such as
//   an integer with leading zero bytes).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "runtime/assert.h"
#include "runtime/error.h"
#include "strata/tuple.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  Tuple tuple;
  try {
    tuple = Tuple::unpack(input);
  } catch (Error& error) {
    STRATA_ASSERT_MSG(error.code() == ErrorCode::client_invalid_operation,
                      "a tuple decoding failed with an unexpected error");
    return 0;
  }
  const std::string packed = tuple.pack();
  const Tuple again = Tuple::unpack(packed);
  STRATA_ASSERT_MSG(again == tuple, "a packed tuple did not decode to itself");
  STRATA_ASSERT_MSG(again.pack() == packed, "packing is not canonical");
  return 0;
}
