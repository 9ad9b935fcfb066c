#include "server/cluster_controller/cluster_configuration.h"

#include "runtime/assert.h"

namespace strata {

std::vector<KeyRange> initial_shards(int count) {
  STRATA_ASSERT(count >= 1 && count <= 255);
  std::vector<KeyRange> shards;
  Key begin;
  for (int i = 1; i < count; ++i) {
    Key end(1, static_cast<char>(i * 256 / count));
    shards.push_back(KeyRange{begin, end});
    begin = end;
  }
  shards.push_back(KeyRange{begin, all_keys_end});
  return shards;
}

}  // namespace strata
