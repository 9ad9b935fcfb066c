#pragma once

// Builds a JSON document in one pass, for status documents and reports. Keys and string
// values are escaped; numbers are written as given.
//
//   JsonWriter json;
//   json.begin_object().key("address").value("127.0.0.1:4500").key("uptime_s").value(1.5);
//   json.end_object();

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace strata {

class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view name);
  JsonWriter& value(std::string_view text);
  JsonWriter& value(const char* text) { return value(std::string_view(text)); }
  JsonWriter& value(const std::string& text) { return value(std::string_view(text)); }
  JsonWriter& value(bool flag);
  JsonWriter& value(double number);
  JsonWriter& value(int64_t number);
  JsonWriter& value(uint64_t number);
  JsonWriter& value(int number) { return value(static_cast<int64_t>(number)); }
  JsonWriter& null();
  // Writes `json`, one JSON value, unchanged (a document from elsewhere, embedded). The
  // caller checks it first (is_valid_json); an invalid one is a programmer error.
  JsonWriter& raw(std::string_view json);

  const std::string& text() const { return text_; }

 private:
  void before_value();

  std::string text_;
  // Per open container: whether it has an element yet.
  std::vector<bool> has_element_;
  bool after_key_ = false;
};

}  // namespace strata
