#include "server/cluster_controller/core_state.h"

#include <set>

#include "rpc/sealed_record.h"
#include "rpc/serialize.h"
#include "runtime/assert.h"

namespace strata {

namespace {

constexpr uint32_t core_state_format = 1;

struct VersionedCoreState {
  uint32_t format = core_state_format;
  CoreState state;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(format);
    if constexpr (!Archive::is_writer) {
      if (format != core_state_format) {
        throw Error(ErrorCode::unsupported_operation,
                    "the coordinators hold a core state of format " + std::to_string(format) +
                        "; this version of Strata reads format " +
                        std::to_string(core_state_format));
      }
    }
    archive(state);
  }
};

}  // namespace

std::string encode_core_state(const CoreState& state) {
  VersionedCoreState versioned{core_state_format, state};
  return seal_record(serialize_to_bytes(versioned));
}

CoreState decode_core_state(std::string_view value) {
  std::string_view body = unseal_record(value, "the core state held by the coordinators");
  VersionedCoreState versioned;
  try {
    versioned = deserialize_from_bytes<VersionedCoreState>(body);
  } catch (Error& error) {
    if (!error.is(ErrorCode::serialization_failed)) throw;
    throw Error(ErrorCode::file_corrupt,
                "the core state held by the coordinators does not decode: " + error.message());
  }
  return std::move(versioned.state);
}

void check_core_state(const CoreState& state) {
  if (!state.current) {
    STRATA_ASSERT_MSG(state.old.empty() && state.storage.empty(),
                      "a core state without a database holds generations or storage servers");
    return;
  }
  STRATA_ASSERT_MSG(state.current->epoch <= state.epoch, "the current generation is unclaimed");
  STRATA_ASSERT_MSG(!state.current->logs.empty(), "the current generation has no logs");
  const LogGenerationState* newer = &*state.current;
  for (const LogGenerationState& old : state.old) {
    STRATA_ASSERT_MSG(!old.logs.empty(), "an old generation has no logs");
    STRATA_ASSERT_MSG(old.epoch < newer->epoch, "old generations are not newest first");
    STRATA_ASSERT_MSG(old.end == newer->begin, "old generations are not contiguous");
    STRATA_ASSERT_MSG(old.begin <= old.end, "an old generation ends before it begins");
    newer = &old;
  }
  std::set<Tag> tags;
  std::set<UID> ids;
  for (const StorageServerState& storage : state.storage) {
    STRATA_ASSERT_MSG(tags.insert(storage.tag).second, "two storage servers share a tag");
    STRATA_ASSERT_MSG(ids.insert(storage.id).second, "two storage servers share an id");
  }
}

}  // namespace strata
