#include "tools/shell/status_fields.h"

#include "runtime/error.h"

namespace strata::shell {

Json parse_status_document(std::string_view text) {
  Json document = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded() || !document.is_object()) {
    throw Error(ErrorCode::serialization_failed,
                "the cluster's status document is not a JSON object; `status json' shows it "
                "as it came");
  }
  return document;
}

const Json* field(const Json& root, std::initializer_list<std::string_view> path) {
  const Json* node = &root;
  for (std::string_view name : path) {
    if (!node->is_object()) return nullptr;
    auto member = node->find(name);
    if (member == node->end()) return nullptr;
    node = &*member;
  }
  return node;
}

std::optional<std::string> string_field(const Json& root,
                                        std::initializer_list<std::string_view> path) {
  const Json* node = field(root, path);
  if (!node || !node->is_string()) return std::nullopt;
  return node->get<std::string>();
}

std::optional<double> number_field(const Json& root, std::initializer_list<std::string_view> path) {
  const Json* node = field(root, path);
  if (!node || !node->is_number()) return std::nullopt;
  return node->get<double>();
}

std::optional<bool> bool_field(const Json& root, std::initializer_list<std::string_view> path) {
  const Json* node = field(root, path);
  if (!node || !node->is_boolean()) return std::nullopt;
  return node->get<bool>();
}

}  // namespace strata::shell
