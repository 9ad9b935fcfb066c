#include "client/atomic_ops.h"

#include <initializer_list>
#include <optional>
#include <string>

#include <gtest/gtest.h>

namespace strata {
namespace {

// Byte strings written as numbers, so little-endian values read naturally.
std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (int value : values)
    out.push_back(static_cast<char>(value));
  return out;
}

const std::optional<std::string> missing = std::nullopt;

std::optional<std::string> apply(MutationType type, const std::optional<std::string>& existing,
                                 const std::string& operand) {
  return apply_atomic_op(type, existing, operand);
}

TEST(AtomicOps, AddTreatsMissingAsZero) {
  EXPECT_EQ(apply(MutationType::add, missing, bytes({5, 0})), bytes({5, 0}));
  EXPECT_EQ(apply(MutationType::add, std::string(), bytes({5, 0})), bytes({5, 0}));
}

TEST(AtomicOps, AddCarriesAcrossBytes) {
  EXPECT_EQ(apply(MutationType::add, bytes({0xff, 0x00}), bytes({0x01, 0x00})),
            bytes({0x00, 0x01}));
  EXPECT_EQ(apply(MutationType::add, bytes({0xff, 0xff, 0x00}), bytes({0x01, 0x00, 0x00})),
            bytes({0x00, 0x00, 0x01}));
  // Two's complement: adding -1 subtracts one.
  EXPECT_EQ(apply(MutationType::add, bytes({10, 0}), bytes({0xff, 0xff})), bytes({9, 0}));
}

TEST(AtomicOps, AddDropsTheCarryOutOfTheLastByte) {
  EXPECT_EQ(apply(MutationType::add, bytes({0xff, 0xff}), bytes({0x01, 0x00})),
            bytes({0x00, 0x00}));
  EXPECT_EQ(apply(MutationType::add, bytes({0xff}), bytes({0xff})), bytes({0xfe}));
}

TEST(AtomicOps, AddResizesTheExistingValueToTheOperand) {
  // Shorter: zero-extended at the high end.
  EXPECT_EQ(apply(MutationType::add, bytes({0xff}), bytes({0x01, 0x00, 0x00})),
            bytes({0x00, 0x01, 0x00}));
  // Longer: truncated, so the high bytes are lost and no carry reaches them.
  EXPECT_EQ(apply(MutationType::add, bytes({0xff, 0x07, 0x09}), bytes({0x01})), bytes({0x00}));
}

TEST(AtomicOps, EmptyOperandStoresTheEmptyValue) {
  for (MutationType type : {MutationType::add, MutationType::bit_and, MutationType::bit_or,
                            MutationType::bit_xor, MutationType::max, MutationType::min}) {
    SCOPED_TRACE(std::string(mutation_type_name(type)));
    EXPECT_EQ(apply(type, bytes({1, 2, 3}), ""), std::string());
    EXPECT_EQ(apply(type, missing, ""), std::string());
  }
}

TEST(AtomicOps, BitAndOfMissingStoresTheOperand) {
  EXPECT_EQ(apply(MutationType::bit_and, missing, bytes({0x0f, 0xf0})), bytes({0x0f, 0xf0}));
  // A present empty value is zero, not missing.
  EXPECT_EQ(apply(MutationType::bit_and, std::string(), bytes({0x0f, 0xf0})), bytes({0x00, 0x00}));
}

TEST(AtomicOps, BitAndResizesTheExistingValue) {
  EXPECT_EQ(apply(MutationType::bit_and, bytes({0xff, 0x3c}), bytes({0x0f, 0xff})),
            bytes({0x0f, 0x3c}));
  EXPECT_EQ(apply(MutationType::bit_and, bytes({0xff}), bytes({0x0f, 0xff})), bytes({0x0f, 0x00}));
  EXPECT_EQ(apply(MutationType::bit_and, bytes({0xff, 0xff, 0xff}), bytes({0x0f})), bytes({0x0f}));
}

TEST(AtomicOps, BitOrAndXorTreatMissingAsZero) {
  EXPECT_EQ(apply(MutationType::bit_or, missing, bytes({0x0f, 0x01})), bytes({0x0f, 0x01}));
  EXPECT_EQ(apply(MutationType::bit_xor, missing, bytes({0x0f, 0x01})), bytes({0x0f, 0x01}));
  EXPECT_EQ(apply(MutationType::bit_or, bytes({0xf0}), bytes({0x0f, 0x01})), bytes({0xff, 0x01}));
  EXPECT_EQ(apply(MutationType::bit_xor, bytes({0xff}), bytes({0x0f, 0x01})), bytes({0xf0, 0x01}));
  EXPECT_EQ(apply(MutationType::bit_or, bytes({0x01, 0xff}), bytes({0x02})), bytes({0x03}));
  EXPECT_EQ(apply(MutationType::bit_xor, bytes({0x03, 0xff}), bytes({0x01})), bytes({0x02}));
}

TEST(AtomicOps, AppendIfFits) {
  EXPECT_EQ(apply(MutationType::append_if_fits, missing, "abc"), "abc");
  EXPECT_EQ(apply(MutationType::append_if_fits, std::string(), "abc"), "abc");
  EXPECT_EQ(apply(MutationType::append_if_fits, std::string("ab"), "cd"), "abcd");
  EXPECT_EQ(apply(MutationType::append_if_fits, std::string("ab"), ""), "ab");
  // Even an empty append to a missing value stores the (empty) value.
  EXPECT_EQ(apply(MutationType::append_if_fits, missing, ""), std::string());
}

TEST(AtomicOps, AppendIfFitsKeepsTheValueWhenTheResultWouldNotFit) {
  const std::string existing(value_size_limit - 3, 'x');
  EXPECT_EQ(apply(MutationType::append_if_fits, existing, "abc"), existing + "abc");
  EXPECT_EQ(apply(MutationType::append_if_fits, existing, "abcd"), existing);
  const std::string full(value_size_limit, 'x');
  EXPECT_EQ(apply(MutationType::append_if_fits, full, "a"), full);
}

TEST(AtomicOps, MaxComparesLittleEndianUnsigned) {
  // 256 > 255 although the first byte is smaller.
  EXPECT_EQ(apply(MutationType::max, bytes({0x00, 0x01}), bytes({0xff, 0x00})),
            bytes({0x00, 0x01}));
  EXPECT_EQ(apply(MutationType::max, bytes({0xff, 0x00}), bytes({0x00, 0x01})),
            bytes({0x00, 0x01}));
  // Unsigned: 0x80 is larger than 0x7f.
  EXPECT_EQ(apply(MutationType::max, bytes({0x80}), bytes({0x7f})), bytes({0x80}));
  EXPECT_EQ(apply(MutationType::max, bytes({7, 7}), bytes({7, 7})), bytes({7, 7}));
}

TEST(AtomicOps, MaxOfMissingIsTheOperand) {
  EXPECT_EQ(apply(MutationType::max, missing, bytes({0x00, 0x00})), bytes({0x00, 0x00}));
  EXPECT_EQ(apply(MutationType::max, missing, bytes({0x05})), bytes({0x05}));
}

TEST(AtomicOps, MaxResizesTheExistingValue) {
  // Shorter: zero-extended, and the result has the operand's length.
  EXPECT_EQ(apply(MutationType::max, bytes({0x09}), bytes({0x05, 0x00})), bytes({0x09, 0x00}));
  // Longer: truncated before comparing; the high byte never counts.
  EXPECT_EQ(apply(MutationType::max, bytes({0x03, 0xff}), bytes({0x05})), bytes({0x05}));
  EXPECT_EQ(apply(MutationType::max, bytes({0x09, 0xff}), bytes({0x05})), bytes({0x09}));
}

TEST(AtomicOps, MinOfMissingIsTheOperandButEmptyIsZero) {
  EXPECT_EQ(apply(MutationType::min, missing, bytes({0x05, 0x01})), bytes({0x05, 0x01}));
  EXPECT_EQ(apply(MutationType::min, std::string(), bytes({0x05, 0x01})), bytes({0x00, 0x00}));
}

TEST(AtomicOps, MinComparesLittleEndianAndResizes) {
  EXPECT_EQ(apply(MutationType::min, bytes({0x00, 0x01}), bytes({0xff, 0x00})),
            bytes({0xff, 0x00}));
  EXPECT_EQ(apply(MutationType::min, bytes({0x09}), bytes({0x05, 0x01})), bytes({0x09, 0x00}));
  EXPECT_EQ(apply(MutationType::min, bytes({0x03, 0xff}), bytes({0x05})), bytes({0x03}));
  EXPECT_EQ(apply(MutationType::min, bytes({0x09, 0x00}), bytes({0x05})), bytes({0x05}));
}

TEST(AtomicOps, ByteMinAndByteMaxCompareLexicographically) {
  EXPECT_EQ(apply(MutationType::byte_min, std::string("b"), "ab"), "ab");
  EXPECT_EQ(apply(MutationType::byte_max, std::string("b"), "ab"), "b");
  // A prefix is smaller; the values are not resized.
  EXPECT_EQ(apply(MutationType::byte_min, std::string("abc"), "ab"), "ab");
  EXPECT_EQ(apply(MutationType::byte_max, std::string("abc"), "ab"), "abc");
  // Bytes compare unsigned.
  EXPECT_EQ(apply(MutationType::byte_min, bytes({0x80}), bytes({0x01})), bytes({0x01}));
  EXPECT_EQ(apply(MutationType::byte_max, bytes({0x80}), bytes({0x01})), bytes({0x80}));
  EXPECT_EQ(apply(MutationType::byte_min, std::string("a"), ""), std::string());
  EXPECT_EQ(apply(MutationType::byte_max, std::string("a"), ""), "a");
}

TEST(AtomicOps, ByteMinAndByteMaxOfMissingAreTheOperand) {
  EXPECT_EQ(apply(MutationType::byte_min, missing, "zz"), "zz");
  EXPECT_EQ(apply(MutationType::byte_max, missing, ""), std::string());
}

TEST(AtomicOps, CompareAndClear) {
  EXPECT_EQ(apply(MutationType::compare_and_clear, std::string("a"), "a"), std::nullopt);
  EXPECT_EQ(apply(MutationType::compare_and_clear, std::string("a"), "b"), "a");
  EXPECT_EQ(apply(MutationType::compare_and_clear, std::string("a"), bytes({'a', 0})), "a");
  EXPECT_EQ(apply(MutationType::compare_and_clear, missing, "a"), std::nullopt);
  EXPECT_EQ(apply(MutationType::compare_and_clear, missing, ""), std::nullopt);
  EXPECT_EQ(apply(MutationType::compare_and_clear, std::string(), ""), std::nullopt);
  EXPECT_EQ(apply(MutationType::compare_and_clear, std::string("a"), ""), "a");
}

TEST(AtomicOps, EveryOperationButCompareAndClearLeavesTheKeyPresent) {
  for (MutationType type : {MutationType::add, MutationType::bit_and, MutationType::bit_or,
                            MutationType::bit_xor, MutationType::append_if_fits, MutationType::max,
                            MutationType::min, MutationType::byte_min, MutationType::byte_max}) {
    SCOPED_TRACE(std::string(mutation_type_name(type)));
    EXPECT_TRUE(apply(type, missing, "").has_value());
    EXPECT_TRUE(apply(type, missing, bytes({1, 2})).has_value());
    EXPECT_TRUE(apply(type, std::string("xyz"), bytes({1})).has_value());
  }
}

TEST(AtomicOps, ApplyInOrder) {
  AtomicOperations operations{{MutationType::add, bytes({1, 0})},
                              {MutationType::max, bytes({5, 0})},
                              {MutationType::add, bytes({1, 0})}};
  EXPECT_EQ(apply_atomic_ops(operations, std::nullopt), bytes({6, 0}));
  EXPECT_EQ(apply_atomic_ops(operations, bytes({9, 0})), bytes({11, 0}));
  EXPECT_EQ(apply_atomic_ops({}, std::nullopt), std::nullopt);
  EXPECT_EQ(apply_atomic_ops({{MutationType::compare_and_clear, "x"}}, std::string("x")),
            std::nullopt);
}

TEST(AtomicOps, Classification) {
  EXPECT_FALSE(is_atomic_operation(MutationType::set_value));
  EXPECT_FALSE(is_atomic_operation(MutationType::clear_range));
  EXPECT_TRUE(is_atomic_operation(MutationType::add));
  EXPECT_TRUE(is_atomic_operation(MutationType::set_versionstamped_key));
  EXPECT_TRUE(is_versionstamp_operation(MutationType::set_versionstamped_value));
  EXPECT_FALSE(is_versionstamp_operation(MutationType::compare_and_clear));
}

TEST(Versionstamps, AreTheVersionThenTheBatchIndexBigEndian) {
  EXPECT_EQ(make_versionstamp(0x0102030405060708, 0x090a), bytes({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
  // Byte order is commit order.
  EXPECT_LT(make_versionstamp(1, 0xffff), make_versionstamp(2, 0));
  EXPECT_LT(make_versionstamp(0x00ff, 0), make_versionstamp(0x0100, 0));
  EXPECT_LT(make_versionstamp(7, 1), make_versionstamp(7, 0x0100));
  EXPECT_EQ(versionstamp_place(make_versionstamp(0x0102030405060708, 0x090a)),
            std::make_pair(Version{0x0102030405060708}, uint16_t{0x090a}));
}

TEST(Versionstamps, PlaceholderPositionIsTheLastFourBytesLittleEndian) {
  std::string placeholder(10, '\0');
  EXPECT_EQ(versionstamp_position("ab" + placeholder + bytes({2, 0, 0, 0})), 2u);
  EXPECT_EQ(versionstamp_position(placeholder + bytes({0, 0, 0, 0})), 0u);
  // Exactly at the end of the parameter still fits; one byte further does not.
  EXPECT_EQ(versionstamp_position("abc" + placeholder + bytes({3, 0, 0, 0})), 3u);
  EXPECT_EQ(versionstamp_position("abc" + placeholder + bytes({4, 0, 0, 0})), std::nullopt);
  // Too short for the position, or for the placeholder.
  EXPECT_EQ(versionstamp_position(bytes({0, 0, 0})), std::nullopt);
  EXPECT_EQ(versionstamp_position(std::string(9, 'x') + bytes({0, 0, 0, 0})), std::nullopt);
  // A position far beyond the parameter (high bytes set) does not wrap around.
  EXPECT_EQ(versionstamp_position(placeholder + bytes({0, 0, 0, 0x80})), std::nullopt);
  EXPECT_EQ(versionstamp_position(placeholder + bytes({0xff, 0xff, 0xff, 0xff})), std::nullopt);
}

TEST(Versionstamps, FillingInReplacesThePlaceholderAndDropsThePosition) {
  std::string stamp = make_versionstamp(42, 3);
  std::string parameter = "k/" + std::string(10, '\0') + "/z" + bytes({2, 0, 0, 0});
  EXPECT_EQ(fill_in_versionstamp(parameter, 2, stamp), "k/" + stamp + "/z");
}

}  // namespace
}  // namespace strata
