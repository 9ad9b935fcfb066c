#pragma once

// A sorted set as one transaction sees it (zset_commands.cpp). Two indexes under the set's
// version, kept together by every write here:
//   (0, member)         -> the member's score (a packed tuple double): by member, for
//                          ZSCORE and the lexicographic ranges
//   (1, score, member)  -> "": by score then member, Redis's order, for ranks and score
//                          ranges (tuple doubles sort by value)
// Ranks are counted by reading the score index (FoundationDB keeps no counts by position),
// so a rank or a range by rank costs what lies before it.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "layers/redis/key_store.h"

namespace strata::redis {

using ScoredMember = std::pair<std::string, double>;

// A score bound of ZRANGEBYSCORE and its relatives: "1.5", "(1.5" (exclusive), "-inf",
// "+inf"; "ERR min or max is not a float" otherwise.
struct ScoreBound {
  double value = 0;
  bool exclusive = false;
};
ScoreBound score_bound(std::string_view text);

// A lexicographic bound: "[a" (inclusive), "(a" (exclusive), "-" and "+" (the ends);
// "ERR min or max not valid string range item" otherwise.
struct LexBound {
  std::string value;
  bool exclusive = false;
  // -1: "-", 1: "+", 0: a value.
  int infinite = 0;
};
LexBound lex_bound(std::string_view text);

class SortedSet {
 public:
  SortedSet(KeyStore& store, std::string name, Metadata metadata)
      : store_(store), name_(std::move(name)), metadata_(std::move(metadata)) {}

  const Metadata& metadata() const { return metadata_; }

  Future<std::optional<double>> score(std::string member);
  // Sets a member's score (`old`: its score now, if it is a member); counts it in the size.
  void put(const std::string& member, double score, std::optional<double> old);
  void remove(const std::string& member, double score);

  // Members by rank, [start, stop] (already clamped), lowest score first or, `reverse`,
  // highest first.
  Future<std::vector<ScoredMember>> by_rank(int64_t start, int64_t stop, bool reverse);
  // Members whose score lies in [min, max], skipping `offset`, at most `count` (-1: all).
  Future<std::vector<ScoredMember>> by_score(ScoreBound min, ScoreBound max, bool reverse,
                                             int64_t offset, int64_t count);
  // Members in [min, max] by member bytes (Redis's lexicographic ranges, meant for members of
  // one score).
  Future<std::vector<ScoredMember>> by_lex(LexBound min, LexBound max, bool reverse, int64_t offset,
                                           int64_t count);
  // The member's rank from the lowest score (`reverse`: from the highest).
  Future<int64_t> rank(std::string member, double score, bool reverse);

  // Writes the metadata after changes, or deletes the set when it became empty.
  void save(const std::optional<Metadata>& found);

 private:
  std::string member_key(std::string_view member) const;
  std::string score_key(double score, std::string_view member) const;
  // The score index keys for [min, max].
  std::pair<std::string, std::string> score_range(const ScoreBound& min,
                                                  const ScoreBound& max) const;
  Future<std::vector<ScoredMember>> read(std::string begin, std::string end, bool reverse,
                                         int64_t offset, int64_t count, bool by_score);

  KeyStore& store_;
  std::string name_;
  Metadata metadata_;
};

}  // namespace strata::redis
