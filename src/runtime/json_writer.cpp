#include "runtime/json_writer.h"

#include <cmath>
#include <cstdio>

#include "runtime/assert.h"
#include "runtime/json_validate.h"
#include "runtime/trace.h"

namespace strata {

void JsonWriter::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!has_element_.empty()) {
    if (has_element_.back()) text_ += ',';
    has_element_.back() = true;
  }
}

JsonWriter& JsonWriter::begin_object() {
  before_value();
  text_ += '{';
  has_element_.push_back(false);
  return *this;
}

JsonWriter& JsonWriter::end_object() {
  STRATA_ASSERT(!has_element_.empty() && !after_key_);
  has_element_.pop_back();
  text_ += '}';
  return *this;
}

JsonWriter& JsonWriter::begin_array() {
  before_value();
  text_ += '[';
  has_element_.push_back(false);
  return *this;
}

JsonWriter& JsonWriter::end_array() {
  STRATA_ASSERT(!has_element_.empty() && !after_key_);
  has_element_.pop_back();
  text_ += ']';
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view name) {
  STRATA_ASSERT(!has_element_.empty() && !after_key_);
  before_value();
  text_ += '"';
  append_json_escaped(text_, name);
  text_ += "\":";
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::value(std::string_view text) {
  before_value();
  text_ += '"';
  append_json_escaped(text_, text);
  text_ += '"';
  return *this;
}

JsonWriter& JsonWriter::value(bool flag) {
  before_value();
  text_ += flag ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::value(double number) {
  before_value();
  if (!std::isfinite(number)) {
    text_ += "null";  // JSON has no infinities or NaN
    return *this;
  }
  char buffer[48];
  std::snprintf(buffer, sizeof(buffer), "%.17g", number);
  text_ += buffer;
  return *this;
}

JsonWriter& JsonWriter::value(int64_t number) {
  before_value();
  text_ += std::to_string(number);
  return *this;
}

JsonWriter& JsonWriter::value(uint64_t number) {
  before_value();
  text_ += std::to_string(number);
  return *this;
}

JsonWriter& JsonWriter::null() {
  before_value();
  text_ += "null";
  return *this;
}

JsonWriter& JsonWriter::raw(std::string_view json) {
  STRATA_ASSERT_MSG(is_valid_json(json), "JsonWriter::raw() given text that is not one JSON value");
  before_value();
  text_ += json;
  return *this;
}

}  // namespace strata
