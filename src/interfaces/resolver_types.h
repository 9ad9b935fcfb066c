#pragma once

// What a resolver decides about, and what it decides: shared by the resolver role, the
// commit proxies that ask it, and the conflict set behind it.

#include <cstdint>
#include <string_view>
#include <vector>

#include "interfaces/types.h"

namespace strata {

// Serialized as its underlying byte; the serializer does not check the value, so a message
// that carries outcomes must reject bytes other than these three when it is read.
enum class ResolveOutcome : uint8_t { committed = 0, conflict = 1, too_old = 2 };

std::string_view resolve_outcome_name(ResolveOutcome outcome);

// What the resolver needs to know of one transaction.
struct ConflictTransaction {
  // The version the transaction read at. Must be below the version of the batch it is
  // resolved in.
  Version read_snapshot = invalid_version;
  std::vector<KeyRange> read_ranges;
  std::vector<KeyRange> write_ranges;
  // The client asked which of its read ranges conflicted (report_conflicting_keys).
  bool report_conflicts = false;

  friend bool operator==(const ConflictTransaction&, const ConflictTransaction&) = default;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(read_snapshot, read_ranges, write_ranges, report_conflicts);
  }
};

}  // namespace strata
