#pragma once

// Reading the cluster status document (docs/status-json.md) defensively: every field may be
// missing or of another type than expected, and then it is simply absent, never a crash.

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace strata::shell {

using Json = nlohmann::json;

// Parses the document; throws serialization_failed (1044) when it is not a JSON object.
Json parse_status_document(std::string_view text);

// The value at `path` (object members from `root`), or nullptr.
const Json* field(const Json& root, std::initializer_list<std::string_view> path);
std::optional<std::string> string_field(const Json& root,
                                        std::initializer_list<std::string_view> path);
std::optional<double> number_field(const Json& root, std::initializer_list<std::string_view> path);
std::optional<bool> bool_field(const Json& root, std::initializer_list<std::string_view> path);

}  // namespace strata::shell
