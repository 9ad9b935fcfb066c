#include "interfaces/database_configuration.h"

#include <charconv>

#include "runtime/error.h"

namespace strata {

std::string_view redundancy_mode_name(int replication) {
  switch (replication) {
    case 1:
      return "single";
    case 2:
      return "double";
    case 3:
      return "triple";
  }
  return "unknown";
}

int replication_of_mode(std::string_view name) {
  for (int replication = 1; replication <= replication_max; ++replication) {
    if (name == redundancy_mode_name(replication)) return replication;
  }
  return 0;
}

std::string DatabaseConfiguration::to_string() const {
  return std::string(redundancy_mode_name(replication)) + " logs=" + std::to_string(logs) +
         " commit_proxies=" + std::to_string(commit_proxies) +
         " grv_proxies=" + std::to_string(grv_proxies) + " resolvers=" + std::to_string(resolvers) +
         " storage_engine=" + storage_engine;
}

namespace {

[[noreturn]] void bad_word(const std::string& word, const std::string& why) {
  throw Error(ErrorCode::client_invalid_operation,
              "configure: `" + word + "' " + why +
                  " (expected single, double, triple, logs=N, commit_proxies=N, grv_proxies=N, "
                  "resolvers=N, proxies=N, "
                  "memory, rocksdb, ssd or storage_engine=NAME)");
}

int parse_count(const std::string& word, std::string_view text) {
  int value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    bad_word(word, "needs a whole number after '='");
  }
  if (value < 1 || value > configuration_role_count_max) {
    bad_word(word,
             "is out of range: each count is 1 to " + std::to_string(configuration_role_count_max));
  }
  return value;
}

// The engine a name means; empty for a name that is not an engine.
std::string parse_engine(std::string_view name) {
  if (name == "memory") return "memory";
  if (name == "rocksdb" || name == "ssd" || name == "ssd-rocksdb-v1") return "rocksdb";
  return "";
}

}  // namespace

DatabaseConfiguration apply_configuration_words(DatabaseConfiguration configuration,
                                                const std::vector<std::string>& words) {
  for (const std::string& word : words) {
    size_t equals = word.find('=');
    if (equals == std::string::npos) {
      if (int replication = replication_of_mode(word)) {
        configuration.replication = replication;
      } else if (std::string engine = parse_engine(word); !engine.empty()) {
        configuration.storage_engine = engine;
      } else {
        bad_word(word, "names no redundancy mode or storage engine Strata has");
      }
      continue;
    }
    std::string_view name = std::string_view(word).substr(0, equals);
    std::string_view value = std::string_view(word).substr(equals + 1);
    if (name == "logs") {
      configuration.logs = parse_count(word, value);
    } else if (name == "commit_proxies") {
      configuration.commit_proxies = parse_count(word, value);
    } else if (name == "grv_proxies") {
      configuration.grv_proxies = parse_count(word, value);
    } else if (name == "proxies") {
      configuration.commit_proxies = configuration.grv_proxies = parse_count(word, value);
    } else if (name == "resolvers") {
      configuration.resolvers = parse_count(word, value);
    } else if (name == "redundancy_mode") {
      configuration.replication = replication_of_mode(value);
      if (configuration.replication == 0) bad_word(word, "names no redundancy mode Strata has");
    } else if (name == "storage_engine") {
      configuration.storage_engine = parse_engine(value);
      if (configuration.storage_engine.empty()) {
        bad_word(word, "names no storage engine Strata has");
      }
    } else {
      bad_word(word, "is not a setting Strata knows");
    }
  }
  return configuration;
}

}  // namespace strata
