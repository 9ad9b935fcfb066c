#include "runtime/knobs.h"

#include <gtest/gtest.h>

#include "runtime/json_writer.h"
#include "runtime/runtime_knobs.h"
#include "runtime/trace.h"

namespace strata {
namespace {

TEST(KnobsTest, SetResetAndRandomize) {
  reset_all_knobs();
  const int default_bytes = runtime_knobs().trace_event_bytes_max;
  set_knob("trace_event_bytes_max", "777");
  EXPECT_EQ(runtime_knobs().trace_event_bytes_max, 777);
  reset_all_knobs();
  EXPECT_EQ(runtime_knobs().trace_event_bytes_max, default_bytes);

  Random first(42);
  randomize_all_knobs(first);
  auto drawn = all_knob_values();
  Random second(42);
  randomize_all_knobs(second);
  EXPECT_EQ(all_knob_values(), drawn) << "knob randomization must depend only on the seed";
  reset_all_knobs();
}

TEST(KnobsTest, BadNamesAndValuesAreNamedInTheError) {
  try {
    set_knob("no_such_knob", "1");
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::invalid_option);
    EXPECT_NE(error.detail().find("no_such_knob"), std::string_view::npos);
  }
  try {
    set_knob("slow_task_s", "fast");
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::invalid_option_value);
    EXPECT_NE(error.detail().find("slow_task_s"), std::string_view::npos);
    EXPECT_NE(error.detail().find("fast"), std::string_view::npos);
  }
  reset_all_knobs();
}

class CapturingSink final : public TraceSink {
 public:
  void write(Severity severity, std::string_view type, std::string_view json) override {
    lines.emplace_back(json);
    types.emplace_back(type);
  }
  std::vector<std::string> lines;
  std::vector<std::string> types;
};

TEST(TraceTest, EventsAreJsonLinesCappedInSize) {
  reset_all_knobs();
  CapturingSink sink;
  set_trace_sink(&sink);
  TraceEvent(Severity::warn, "SomethingHappened")
      .detail("Key", std::string("a\"quoted\"\x01value"))
      .detail("Count", 3)
      .detail("Ratio", 0.5)
      .detail("Flag", true);
  set_knob("trace_event_bytes_max", "200");
  TraceEvent big("TooBig");
  for (int i = 0; i < 50; ++i)
    big.detail("Detail" + std::to_string(i), std::string(20, 'x'));
  big.log();
  set_trace_sink(nullptr);
  reset_all_knobs();

  ASSERT_EQ(sink.lines.size(), 2u);
  EXPECT_EQ(sink.types[0], "SomethingHappened");
  EXPECT_EQ(
      sink.lines[0],
      "{\"Severity\":20,\"Type\":\"SomethingHappened\",\"Key\":\"a\\\"quoted\\\"\\u0001value\","
      "\"Count\":3,\"Ratio\":0.5,\"Flag\":true}");
  EXPECT_LE(sink.lines[1].size(), 240u);
  EXPECT_NE(sink.lines[1].find("\"DroppedDetails\":"), std::string::npos);
}

TEST(TraceTest, PrintableEscapesBinary) {
  EXPECT_EQ(printable(std::string("a\x00\xff\\z", 5)), "a\\x00\\xff\\x5cz");
}

TEST(JsonWriterTest, BuildsNestedDocuments) {
  JsonWriter json;
  json.begin_object();
  json.key("name").value("x\"y");
  json.key("list").begin_array().value(int64_t{1}).value(true).null().end_array();
  json.key("inner").begin_object().key("pi").value(3.5).end_object();
  json.end_object();
  EXPECT_EQ(json.text(), "{\"name\":\"x\\\"y\",\"list\":[1,true,null],\"inner\":{\"pi\":3.5}}");
}

}  // namespace
}  // namespace strata
