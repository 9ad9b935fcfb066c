#include "client/write_map.h"

#include <algorithm>
#include <iterator>
#include <utility>

#include "runtime/assert.h"

namespace strata {

namespace {

// The first key after `key` in byte order.
std::string key_after(std::string_view key) {
  std::string after(key);
  after.push_back('\0');
  return after;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// KeyRangeSet

void KeyRangeSet::add(std::string begin, std::string end) {
  STRATA_ASSERT(begin < end);
  bytes_ += begin.size() + end.size();
  ranges_.emplace(std::move(begin), std::move(end));
}

std::map<std::string, std::string, std::less<>>::iterator KeyRangeSet::remove(
    std::map<std::string, std::string, std::less<>>::iterator position) {
  bytes_ -= position->first.size() + position->second.size();
  return ranges_.erase(position);
}

void KeyRangeSet::insert(const KeyRange& range) {
  if (range.empty()) return;
  std::string begin = range.begin;
  std::string end = range.end;
  auto position = ranges_.upper_bound(range.begin);
  if (position != ranges_.begin()) {
    auto previous = std::prev(position);
    // The range before overlaps or touches the new one: they become one range.
    if (previous->second >= range.begin) {
      if (previous->second >= range.end) return;
      begin = previous->first;
      position = previous;
    }
  }
  while (position != ranges_.end() && position->first <= end) {
    if (position->second > end) end = position->second;
    position = remove(position);
  }
  add(std::move(begin), std::move(end));
}

void KeyRangeSet::erase(const KeyRange& range) {
  if (range.empty()) return;
  auto position = ranges_.upper_bound(range.begin);
  if (position != ranges_.begin() && std::prev(position)->second > range.begin) {
    position = std::prev(position);
  }
  while (position != ranges_.end() && position->first < range.end) {
    std::string begin = position->first;
    std::string end = position->second;
    position = remove(position);
    if (begin < range.begin) add(std::move(begin), range.begin);
    if (end > range.end) {
      add(range.end, std::move(end));
      break;
    }
  }
}

bool KeyRangeSet::contains(std::string_view key) const {
  auto position = ranges_.upper_bound(key);
  if (position == ranges_.begin()) return false;
  return key < std::prev(position)->second;
}

std::vector<KeyRange> KeyRangeSet::intersecting(const KeyRange& range) const {
  std::vector<KeyRange> found;
  if (range.empty()) return found;
  auto position = ranges_.upper_bound(range.begin);
  if (position != ranges_.begin() && std::prev(position)->second > range.begin) {
    position = std::prev(position);
  }
  for (; position != ranges_.end() && position->first < range.end; ++position) {
    found.push_back(
        KeyRange{std::max(position->first, range.begin), std::min(position->second, range.end)});
  }
  return found;
}

std::vector<KeyRange> KeyRangeSet::ranges() const {
  std::vector<KeyRange> all;
  all.reserve(ranges_.size());
  for (const auto& [begin, end] : ranges_)
    all.push_back(KeyRange{begin, end});
  return all;
}

void KeyRangeSet::clear() {
  ranges_.clear();
  bytes_ = 0;
}

// ---------------------------------------------------------------------------------------
// Writes

namespace {

// Whether two consecutive operations of `type` on an unknown value may become one whose
// operand is the first applied to the second. FoundationDB merges exactly these, so the
// stacks it reads back and commits, and ours, agree.
bool merges_with_previous(MutationType type, std::string_view previous_operand,
                          std::string_view operand) {
  switch (type) {
    case MutationType::bit_and:
    case MutationType::append_if_fits:
    case MutationType::byte_min:
    case MutationType::byte_max:
      return true;
    case MutationType::add:
    case MutationType::bit_or:
    case MutationType::bit_xor:
    case MutationType::max:
    case MutationType::min:
      return previous_operand.size() == operand.size();
    default:
      return false;
  }
}

}  // namespace

size_t WriteMap::stack_bytes(std::string_view key, const Stack& stack) {
  size_t bytes = 0;
  for (const KeyOperation& operation : stack)
    bytes += key.size() + operation.operand.size();
  return bytes;
}

void WriteMap::replace_stack(std::string_view key, Stack stack) {
  STRATA_ASSERT(!stack.empty());
  auto position = points_.find(key);
  if (position == points_.end()) {
    position = points_.emplace(std::string(key), Stack{}).first;
  } else {
    points_bytes_ -= stack_bytes(key, position->second);
  }
  position->second = std::move(stack);
  points_bytes_ += stack_bytes(key, position->second);
}

WriteMap::Points::iterator WriteMap::erase_point(Points::iterator position) {
  points_bytes_ -= stack_bytes(position->first, position->second);
  return points_.erase(position);
}

void WriteMap::store_known(std::string_view key, std::optional<Value> value) {
  if (value) {
    replace_stack(key, Stack{KeyOperation{MutationType::set_value, std::move(*value)}});
    return;
  }
  // A key the transaction cleared needs no entry of its own: a cleared range says so
  // to reads, and commit clears it.
  auto position = points_.find(key);
  if (position != points_.end()) erase_point(position);
  cleared_.insert(single_key_range(key));
}

void WriteMap::set(std::string_view key, std::string_view value, WriteConflict conflict) {
  if (conflict == WriteConflict::add) conflicts_.insert(single_key_range(key));
  replace_stack(key, Stack{KeyOperation{MutationType::set_value, std::string(value)}});
}

void WriteMap::clear(std::string_view key, WriteConflict conflict) {
  clear_range(key, key_after(key), conflict);
}

void WriteMap::clear_range(std::string_view begin, std::string_view end, WriteConflict conflict) {
  STRATA_ASSERT(begin < end);
  KeyRange range{std::string(begin), std::string(end)};
  if (conflict == WriteConflict::add) conflicts_.insert(range);
  auto point = points_.lower_bound(begin);
  while (point != points_.end() && point->first < end)
    point = erase_point(point);
  auto stamped = versionstamped_keys_.lower_bound(begin);
  while (stamped != versionstamped_keys_.end() && stamped->first < end) {
    versionstamped_keys_bytes_ -= stamped->first.size() + stamped->second.size();
    stamped = versionstamped_keys_.erase(stamped);
  }
  cleared_.insert(range);
  // A clear is the one write that makes keys readable again (FoundationDB's rule).
  unreadable_.erase(range);
}

void WriteMap::atomic_op(std::string_view key, MutationType type, std::string_view operand,
                         WriteConflict conflict) {
  STRATA_ASSERT(is_atomic_operation(type) && type != MutationType::set_versionstamped_key);
  if (conflict == WriteConflict::add) conflicts_.insert(single_key_range(key));
  if (type == MutationType::set_versionstamped_value) {
    // Like a set it decides the value alone, but nobody knows the value before commit.
    replace_stack(key, Stack{KeyOperation{type, std::string(operand)}});
    unreadable_.insert(single_key_range(key));
    return;
  }
  auto position = points_.find(key);
  if (position != points_.end()) {
    stack_operation(position, type, operand);
  } else if (cleared_.contains(key)) {
    store_known(key, apply_atomic_op(type, std::nullopt, operand));
  } else {
    replace_stack(key, Stack{KeyOperation{type, std::string(operand)}});
  }
}

void WriteMap::stack_operation(Points::iterator position, MutationType type,
                               std::string_view operand) {
  Stack& stack = position->second;
  if (stack.front().type == MutationType::set_value) {
    std::string key = position->first;
    store_known(key, apply_atomic_op(type, stack.front().operand, operand));
    return;
  }
  // The value depends on the database, or on a versionstamp: stack the operation.
  // FoundationDB never merges on an unreadable key, which keeps those stacks exact.
  const std::string& key = position->first;
  points_bytes_ -= stack_bytes(key, stack);
  KeyOperation& top = stack.back();
  if (top.type == type && !unreadable_.contains(key) &&
      merges_with_previous(type, top.operand, operand)) {
    std::optional<std::string> merged = apply_atomic_op(type, top.operand, operand);
    STRATA_ASSERT(merged.has_value());
    top.operand = std::move(*merged);
  } else {
    stack.push_back(KeyOperation{type, std::string(operand)});
  }
  points_bytes_ += stack_bytes(key, stack);
}

void WriteMap::set_versionstamped_key(std::string_view key, std::string_view value,
                                      const KeyRange& possible_keys) {
  STRATA_ASSERT(!possible_keys.empty());
  versionstamped_keys_.emplace(std::string(key), std::string(value));
  versionstamped_keys_bytes_ += key.size() + value.size();
  unreadable_.insert(possible_keys);
  unreadable_.insert(single_key_range(key));
}

void WriteMap::add_write_conflict_range(const KeyRange& range) {
  STRATA_ASSERT(!range.empty());
  conflicts_.insert(range);
}

void WriteMap::clear() {
  points_.clear();
  cleared_.clear();
  unreadable_.clear();
  conflicts_.clear();
  versionstamped_keys_.clear();
  points_bytes_ = 0;
  versionstamped_keys_bytes_ = 0;
}

// ---------------------------------------------------------------------------------------
// Reads

std::optional<Value> WriteMap::Lookup::resolve(const std::optional<Value>& database_value) const {
  STRATA_ASSERT(kind != Kind::unreadable);
  if (kind == Kind::known) return value;
  return apply_atomic_ops(pending, database_value);
}

WriteMap::Lookup WriteMap::lookup(std::string_view key) const {
  Lookup found;
  if (unreadable_.contains(key)) {
    found.kind = Lookup::Kind::unreadable;
    return found;
  }
  auto position = points_.find(key);
  if (position != points_.end()) {
    const Stack& stack = position->second;
    // A versionstamped value keeps its key unreadable until a clear erases the stack.
    STRATA_ASSERT(stack.front().type != MutationType::set_versionstamped_value);
    if (stack.front().type == MutationType::set_value) {
      found.kind = Lookup::Kind::known;
      found.value = stack.front().operand;
      return found;
    }
    // Operations on a readable cleared key apply at once (see Stack).
    STRATA_ASSERT(!cleared_.contains(key));
    for (const KeyOperation& operation : stack) {
      STRATA_ASSERT(is_atomic_operation(operation.type) &&
                    !is_versionstamp_operation(operation.type));
      found.pending.emplace_back(operation.type, operation.operand);
    }
    return found;
  }
  if (cleared_.contains(key)) found.kind = Lookup::Kind::known;
  return found;
}

WriteMap::Segment WriteMap::point_segment(const std::string& key, const Stack& stack) const {
  Segment segment;
  segment.range = single_key_range(key);
  if (stack.front().type == MutationType::set_value) {
    segment.kind = Segment::Kind::value;
    segment.value = stack.front().operand;
  } else if (stack.front().type == MutationType::set_versionstamped_value) {
    segment.kind = Segment::Kind::unreadable;
  } else {
    segment.kind = Segment::Kind::pending;
    for (const KeyOperation& operation : stack) {
      segment.pending.emplace_back(operation.type, operation.operand);
    }
  }
  return segment;
}

// Points and cleared ranges inside `range`, ignoring unreadability: cleared ranges are
// split around the points inside them, so the segments are disjoint.
std::vector<WriteMap::Segment> WriteMap::readable_segments(const KeyRange& range) const {
  std::vector<Segment> segments;
  auto point = points_.lower_bound(range.begin);
  const auto points_end = points_.lower_bound(range.end);
  auto add_cleared = [&](std::string begin, std::string end) {
    if (begin < end) {
      segments.push_back(
          Segment{Segment::Kind::cleared, KeyRange{std::move(begin), std::move(end)}, {}, {}});
    }
  };
  for (KeyRange& cleared : cleared_.intersecting(range)) {
    for (; point != points_end && point->first < cleared.begin; ++point) {
      segments.push_back(point_segment(point->first, point->second));
    }
    std::string cursor = std::move(cleared.begin);
    for (; point != points_end && point->first < cleared.end; ++point) {
      add_cleared(std::move(cursor), point->first);
      segments.push_back(point_segment(point->first, point->second));
      cursor = key_after(point->first);
    }
    add_cleared(std::move(cursor), std::move(cleared.end));
  }
  for (; point != points_end; ++point) {
    segments.push_back(point_segment(point->first, point->second));
  }
  return segments;
}

WriteMap::RangeWrites WriteMap::read_range(const KeyRange& range) const {
  RangeWrites writes;
  writes.range_ = range;
  if (range.empty()) return writes;
  std::vector<KeyRange> unreadable = unreadable_.intersecting(range);
  // Unreadable ranges hide whatever lies under them: cut the readable segments around
  // them. A point is a single key, so it is either hidden entirely or kept entirely.
  size_t next = 0;
  for (Segment& segment : readable_segments(range)) {
    std::string cursor = segment.range.begin;
    while (cursor < segment.range.end) {
      while (next < unreadable.size() && unreadable[next].end <= cursor)
        ++next;
      const bool hidden_after =
          next < unreadable.size() && unreadable[next].begin < segment.range.end;
      std::string piece_end =
          hidden_after ? std::max(cursor, unreadable[next].begin) : segment.range.end;
      if (cursor < piece_end) {
        Segment piece = segment;
        piece.range = KeyRange{cursor, piece_end};
        writes.segments_.push_back(std::move(piece));
      }
      if (!hidden_after) break;
      cursor = unreadable[next].end;
    }
  }
  for (KeyRange& hidden : unreadable) {
    writes.segments_.push_back(Segment{Segment::Kind::unreadable, std::move(hidden), {}, {}});
  }
  std::sort(writes.segments_.begin(), writes.segments_.end(),
            [](const Segment& left, const Segment& right) {
              return left.range.begin < right.range.begin;
            });
  for (size_t index = 1; index < writes.segments_.size(); ++index) {
    STRATA_ASSERT(writes.segments_[index - 1].range.end <= writes.segments_[index].range.begin);
  }
  return writes;
}

// ---------------------------------------------------------------------------------------
// Merging with the database

namespace {

// What the transaction sees at a value or pending segment's key, given the database's
// row there (null when the database has none).
std::optional<Value> point_value(const WriteMap::Segment& segment, const KeyValue* database_row) {
  if (segment.kind == WriteMap::Segment::Kind::value) return segment.value;
  STRATA_ASSERT(segment.kind == WriteMap::Segment::Kind::pending);
  std::optional<Value> database_value;
  if (database_row != nullptr) database_value = database_row->value;
  return apply_atomic_ops(segment.pending, std::move(database_value));
}

}  // namespace

WriteMap::RangeWrites::MergeResult WriteMap::RangeWrites::merge(
    const KeyRange& part, std::span<const KeyValue> database_rows, bool database_more,
    ReadDirection direction, size_t row_limit, std::vector<KeyValue>& out) const {
  STRATA_ASSERT(!part.empty());
  STRATA_ASSERT(range_.begin <= part.begin && part.end <= range_.end);
  STRATA_ASSERT(row_limit > 0);
  // A truncated answer must say where it stopped, or the merge could not know which
  // keys it covered.
  STRATA_ASSERT(!database_more || !database_rows.empty());
  for (size_t index = 0; index < database_rows.size(); ++index) {
    STRATA_ASSERT(part.contains(database_rows[index].key));
    if (index > 0) {
      const std::string& previous = database_rows[index - 1].key;
      STRATA_ASSERT(direction == ReadDirection::forward ? previous < database_rows[index].key
                                                        : previous > database_rows[index].key);
    }
  }
  if (direction == ReadDirection::forward) {
    return merge_forward(part, database_rows, database_more, row_limit, out);
  }
  return merge_reverse(part, database_rows, database_more, row_limit, out);
}

WriteMap::RangeWrites::MergeResult WriteMap::RangeWrites::merge_forward(
    const KeyRange& part, std::span<const KeyValue> rows, bool database_more, size_t row_limit,
    std::vector<KeyValue>& out) const {
  // The database vouched for every key before covered_end, and for no key after.
  const std::string covered_end = database_more ? key_after(rows.back().key) : part.end;
  MergeResult result;
  // Appends a row; true when the limit is reached, with `remaining` set after the row.
  auto add_row = [&](const std::string& key, Value value) {
    out.push_back(KeyValue{key, std::move(value)});
    ++result.rows_added;
    if (result.rows_added < row_limit) return false;
    result.limit_reached = true;
    result.remaining = KeyRange{key_after(key), part.end};
    return true;
  };
  auto segment = std::partition_point(segments_.begin(), segments_.end(),
                                      [&](const Segment& s) { return s.range.end <= part.begin; });
  size_t row = 0;
  while (true) {
    const bool have_row = row < rows.size();
    const bool have_segment = segment != segments_.end() && segment->range.begin < covered_end;
    if (!have_row && !have_segment) break;
    if (have_row && (!have_segment || rows[row].key < segment->range.begin)) {
      // A key the transaction did not write: the database's row as it is.
      const KeyValue& database_row = rows[row++];
      if (add_row(database_row.key, database_row.value)) return result;
      continue;
    }
    // The segment starts at or before the next database row.
    const Segment& current = *segment++;
    if (current.kind == Segment::Kind::unreadable) {
      result.unreadable = true;
      result.remaining = KeyRange{std::max(part.begin, current.range.begin), part.end};
      return result;
    }
    if (current.kind == Segment::Kind::cleared) {
      while (row < rows.size() && rows[row].key < current.range.end)
        ++row;
      continue;
    }
    const std::string& key = current.range.begin;
    const KeyValue* database_row = nullptr;
    if (have_row && rows[row].key == key) database_row = &rows[row++];
    std::optional<Value> seen = point_value(current, database_row);
    if (seen && add_row(key, std::move(seen).value())) return result;
  }
  result.remaining = KeyRange{covered_end, part.end};
  return result;
}

WriteMap::RangeWrites::MergeResult WriteMap::RangeWrites::merge_reverse(
    const KeyRange& part, std::span<const KeyValue> rows, bool database_more, size_t row_limit,
    std::vector<KeyValue>& out) const {
  // The database vouched for every key from covered_begin on, and for no key before.
  const std::string covered_begin = database_more ? rows.back().key : part.begin;
  MergeResult result;
  auto add_row = [&](const std::string& key, Value value) {
    out.push_back(KeyValue{key, std::move(value)});
    ++result.rows_added;
    if (result.rows_added < row_limit) return false;
    result.limit_reached = true;
    result.remaining = KeyRange{part.begin, key};
    return true;
  };
  // Segments [0, next) start before the part's end; walk them downwards.
  size_t next = static_cast<size_t>(
      std::partition_point(segments_.begin(), segments_.end(),
                           [&](const Segment& s) { return s.range.begin < part.end; }) -
      segments_.begin());
  size_t row = 0;
  while (true) {
    const bool have_row = row < rows.size();
    const bool have_segment = next > 0 && segments_[next - 1].range.end > covered_begin;
    if (!have_row && !have_segment) break;
    if (have_row && (!have_segment || rows[row].key >= segments_[next - 1].range.end)) {
      const KeyValue& database_row = rows[row++];
      if (add_row(database_row.key, database_row.value)) return result;
      continue;
    }
    // The segment ends after the next database row: the row is inside it or below it.
    const Segment& current = segments_[--next];
    if (current.kind == Segment::Kind::unreadable) {
      result.unreadable = true;
      result.remaining = KeyRange{part.begin, std::min(part.end, current.range.end)};
      return result;
    }
    if (current.kind == Segment::Kind::cleared) {
      while (row < rows.size() && rows[row].key >= current.range.begin)
        ++row;
      continue;
    }
    const std::string& key = current.range.begin;
    const KeyValue* database_row = nullptr;
    if (have_row && rows[row].key == key) database_row = &rows[row++];
    std::optional<Value> seen = point_value(current, database_row);
    if (seen && add_row(key, std::move(seen).value())) return result;
  }
  result.remaining = KeyRange{part.begin, covered_begin};
  return result;
}

std::vector<KeyRange> WriteMap::RangeWrites::database_ranges(const KeyRange& part) const {
  std::vector<KeyRange> ranges;
  auto add = [&](const std::string& begin, const std::string& end) {
    if (begin >= end) return;
    if (!ranges.empty() && ranges.back().end == begin) {
      ranges.back().end = end;
    } else {
      ranges.push_back(KeyRange{begin, end});
    }
  };
  std::string cursor = part.begin;
  auto segment = std::partition_point(segments_.begin(), segments_.end(),
                                      [&](const Segment& s) { return s.range.end <= part.begin; });
  for (; segment != segments_.end() && segment->range.begin < part.end; ++segment) {
    const std::string& segment_end = std::min(segment->range.end, part.end);
    add(cursor, std::min(segment->range.begin, part.end));
    if (segment->kind == Segment::Kind::pending) add(segment->range.begin, segment_end);
    if (cursor < segment_end) cursor = segment_end;
  }
  add(cursor, part.end);
  return ranges;
}

// ---------------------------------------------------------------------------------------
// Commit

std::vector<Mutation> WriteMap::mutations() const {
  std::vector<Mutation> sent;
  for (KeyRange& range : cleared_.ranges()) {
    sent.push_back(
        Mutation{MutationType::clear_range, std::move(range.begin), std::move(range.end)});
  }
  for (const auto& [key, stack] : points_) {
    for (const KeyOperation& operation : stack) {
      sent.push_back(Mutation{operation.type, key, operation.operand});
    }
  }
  for (const auto& [key, value] : versionstamped_keys_) {
    sent.push_back(Mutation{MutationType::set_versionstamped_key, key, value});
  }
  return sent;
}

std::vector<KeyRange> WriteMap::write_conflict_ranges() const {
  return conflicts_.ranges();
}

size_t WriteMap::mutation_bytes() const {
  return cleared_.bytes() + points_bytes_ + versionstamped_keys_bytes_;
}

bool WriteMap::empty() const {
  return points_.empty() && cleared_.empty() && conflicts_.empty() && versionstamped_keys_.empty();
}

}  // namespace strata
