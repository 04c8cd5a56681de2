#include <filesystem>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>

#include "traces/errors.h"
#include "traces/readers.h"

namespace {

using podsizer::traces::InputError;
using podsizer::traces::LoadTest;
using podsizer::traces::parse_load_test;

// The design's example, one field per line so that each field has its own line (2..7).
const std::string kExample = R"({
  "test_scenario": "peak_load_test",
  "max_rps": 1000,
  "avg_latency_ms": 180,
  "cpu_usage_milli_cores": 800,
  "memory_usage_megabytes": 900,
  "error_rate_percentage": 0.5
})";

// The example with the text `from` replaced by `to`.
std::string example_with(const std::string& from, const std::string& to) {
  std::string text = kExample;
  const std::size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

// Checks that `json` is refused at `line` for `field` with `words` in the message.
void require_refusal(const std::string& json, std::size_t line, const std::string& field,
                     const std::string& words) {
  try {
    parse_load_test(json, "load.json");
    FAIL("accepted:\n" << json);
  } catch (const InputError& error) {
    INFO(error.what());
    CHECK(error.file() == "load.json");
    CHECK(error.line() == line);
    CHECK(error.field() == field);
    if (!field.empty()) CHECK_THAT(error.what(), Catch::Contains("field '" + field + "': "));
    CHECK_THAT(error.what(), Catch::Contains(words));
  }
}

}  // namespace

TEST_CASE("traces::parse_load_test: reads the design's example", "[traces]") {
  const LoadTest test = parse_load_test(kExample, "load.json");
  CHECK(test.test_scenario == "peak_load_test");
  CHECK(test.max_rps == 1000.0);
  CHECK(test.avg_latency_ms == 180.0);
  CHECK(test.cpu_usage_milli_cores == 800.0);
  CHECK(test.memory_usage_megabytes == 900.0);
  CHECK(test.error_rate_percentage == 0.5);

  SECTION("on one line, in another order, with a field of another tool") {
    const LoadTest same = parse_load_test(
        R"({"error_rate_percentage": 0, "max_rps": 1.5e3, "avg_latency_ms": 180.25,
            "cpu_usage_milli_cores": 0, "memory_usage_megabytes": 900, "tool": "k6",
            "test_scenario": "soak"})",
        "load.json");
    CHECK(same.test_scenario == "soak");
    CHECK(same.max_rps == 1500.0);
    CHECK(same.avg_latency_ms == 180.25);
    CHECK(same.cpu_usage_milli_cores == 0.0);
    CHECK(same.error_rate_percentage == 0.0);
  }
}

TEST_CASE("traces::parse_load_test: refuses missing fields and wrong types", "[traces]") {
  require_refusal(example_with("\"max_rps\": 1000,", ""), 0, "max_rps",
                  "required field is missing");
  require_refusal(example_with("\"test_scenario\"", "\"scenario\""), 0, "test_scenario", "missing");
  require_refusal(example_with("1000", "\"1000\""), 3, "max_rps",
                  "expected a number, got the string \"1000\"");
  require_refusal(example_with("180", "\"NaN\""), 4, "avg_latency_ms",
                  "expected a number, got the string \"NaN\"");
  require_refusal(example_with("800", "null"), 5, "cpu_usage_milli_cores",
                  "expected a number, got null");
  require_refusal(example_with("900", "[900]"), 6, "memory_usage_megabytes",
                  "expected a number, got an array");
  require_refusal(example_with("\"peak_load_test\"", "7"), 2, "test_scenario",
                  "expected a string, got a number");
  require_refusal("[1, 2]", 1, "", "expected a JSON object");
}

TEST_CASE("traces::parse_load_test: refuses values out of range", "[traces]") {
  require_refusal(example_with("800", "-800"), 5, "cpu_usage_milli_cores",
                  "must not be negative, got -800");
  require_refusal(example_with("1000", "0"), 3, "max_rps", "must be above 0");
  require_refusal(example_with("180", "0"), 4, "avg_latency_ms", "must be above 0");
  require_refusal(example_with("0.5", "100.5"), 7, "error_rate_percentage", "cannot exceed 100");
  require_refusal(example_with("\"peak_load_test\"", "\"\""), 2, "test_scenario",
                  "must not be empty");
  // 1e400 is beyond a double; nlohmann refuses it without a position, found on line 6.
  require_refusal(example_with("900", "1e400"), 6, "", "number overflow parsing '1e400'");
}

TEST_CASE("traces::parse_load_test: refuses malformed JSON with its line", "[traces]") {
  // A bare NaN is not JSON; nlohmann stops at line 4.
  require_refusal(example_with("180", "NaN"), 4, "", "malformed JSON");
  // Truncated after line 5: the input ends on line 5 with an object still open.
  require_refusal(kExample.substr(0, kExample.find("\"memory")), 6, "", "malformed JSON");
  // A missing comma at the end of line 3 is noticed at the next key, line 4.
  require_refusal(example_with("1000,", "1000"), 4, "", "malformed JSON");
  require_refusal("", 1, "", "malformed JSON");
}

TEST_CASE("traces::read_load_test: reads a file and names a missing one", "[traces]") {
  const auto path = std::filesystem::temp_directory_path() / "podsizer-test-load.json";
  {
    std::ofstream out(path);
    out << example_with("0.5", "-1");
  }
  try {
    podsizer::traces::read_load_test(path.string());
    FAIL("accepted a negative error rate");
  } catch (const InputError& error) {
    CHECK(error.file() == path.string());
    CHECK(error.line() == 7);
    CHECK(error.field() == "error_rate_percentage");
  }
  {
    std::ofstream out(path);
    out << kExample;
  }
  CHECK(podsizer::traces::read_load_test(path.string()).max_rps == 1000.0);
  std::filesystem::remove(path);

  CHECK_THROWS_WITH(podsizer::traces::read_load_test(path.string()),
                    Catch::Contains("cannot open"));
}
