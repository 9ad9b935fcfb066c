// Feeds arbitrary bytes to the Redis layer's metadata decoder (metadata.h).
//
// Properties checked (a violation aborts; reads out of bounds are the sanitizers' job):
// - decoding gives metadata or fails with client_invalid_operation, nothing else;
// - decoded metadata encodes to exactly the bytes it came from (the format has one
//   encoding for each value).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "layers/redis/metadata.h"
#include "runtime/assert.h"
#include "runtime/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  redis::Metadata metadata;
  try {
    metadata = redis::decode_metadata(input);
  } catch (Error& error) {
    STRATA_ASSERT_MSG(error.code() == ErrorCode::client_invalid_operation,
                      "metadata decoding failed with an unexpected error");
    return 0;
  }
  STRATA_ASSERT_MSG(redis::encode_metadata(metadata) == input,
                    "decoded metadata did not encode to its bytes");
  return 0;
}
