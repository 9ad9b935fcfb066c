#pragma once

// FoundationDB's atomic operations as pure functions of the value a key holds. Storage
// servers apply them to committed values and a transaction applies them to the values it
// reads back (read-your-writes), so both must agree with FoundationDB byte for byte.
//
// Rules (FoundationDB 7.3, API version 510 and later):
// - add, bit_or, bit_xor, max: the existing value, missing or present, is first resized to
//   the operand's length: zero-extended at the high end (the values are little-endian) or
//   truncated. A missing value therefore behaves like zero, so max of a missing value is
//   the operand. add drops the carry out of the last byte.
// - bit_and, min: a missing value yields the operand; a present one is resized as above.
//   A present but empty value is zero, so min("", "\x05") is "\x00" while min of a missing
//   value is "\x05".
// - max, min compare little-endian unsigned integers of the operand's length.
// - byte_min, byte_max: lexicographic (unsigned bytes) on the whole values, no resizing; a
//   missing value yields the operand.
// - append_if_fits: appends when the result fits in value_size_limit; otherwise the
//   existing value stays, silently. A missing or empty value yields the operand.
// - compare_and_clear: clears the key when its value equals the operand; a missing value
//   stays missing; any other value stays.
// - An empty operand makes add, bit_and, bit_or, bit_xor, max and min store the empty
//   value (the result has the operand's length).
// Every operation except compare_and_clear leaves the key present.
//
// The versionstamped operations are not values of the key alone (the commit fills in the
// versionstamp) and are never applied here.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "interfaces/types.h"

namespace strata {

// Atomic operations waiting for a value, oldest first: (type, operand).
using AtomicOperations = std::vector<std::pair<MutationType, std::string>>;

// The atomic operations that act on the key's value alone (all but the versionstamped
// ones): what apply_atomic_op accepts.
const std::vector<MutationType>& value_atomic_operations();

// True for every mutation type that is not set_value or clear_range.
bool is_atomic_operation(MutationType type);

// True for set_versionstamped_key and set_versionstamped_value.
bool is_versionstamp_operation(MutationType type);

// The value the key holds after applying `type` with `operand` to `existing` (nullopt when
// the key has no value). `type` must be an atomic, non-versionstamp operation; the caller
// has already checked the operand's size.
std::optional<std::string> apply_atomic_op(MutationType type,
                                           const std::optional<std::string>& existing,
                                           std::string_view operand);

// The versionstamp of the transaction at `batch_index` in the batch committed at
// `version`: versionstamp_bytes, the version then the index, big-endian, so that stamps
// sort in commit order as bytes.
std::string make_versionstamp(Version version, uint16_t batch_index);

// The (version, batch index) a versionstamp (versionstamp_bytes long) stands for.
std::pair<Version, uint16_t> versionstamp_place(std::string_view stamp);

// Where the placeholder of a versionstamped parameter (a set_versionstamped_key's key, a
// set_versionstamped_value's value) is: the parameter ends with it, 4 bytes
// little-endian. nullopt when there are no 4 bytes or the 10-byte placeholder does not fit
// in front of them.
std::optional<size_t> versionstamp_position(std::string_view parameter);

// The parameter as committed: `stamp` written at `position`, the 4 bytes dropped.
std::string fill_in_versionstamp(std::string_view parameter, size_t position,
                                 std::string_view stamp);

// Applies `operations` in order, starting from `existing`.
std::optional<std::string> apply_atomic_ops(const AtomicOperations& operations,
                                            std::optional<std::string> existing);

}  // namespace strata
