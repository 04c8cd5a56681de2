#include <cmath>
#include <string>

#include <catch2/catch.hpp>

#include "traces/reader_test_support.h"
#include "traces/readers.h"

using Catch::Matchers::Contains;
using podsizer::traces::InputError;
using podsizer::traces::parse_history_csv;
using podsizer::traces::read_history_csv;
using podsizer::traces::ReadReport;
using podsizer::traces::Trace;
using podsizer::traces::testing::input_error_of;
using podsizer::traces::testing::require_names;
using podsizer::traces::testing::TempFile;

namespace {

constexpr double kMiB = 1048576.0;
const std::string kHeader =
    "timestamp,cpu_usage_milli_cores,memory_usage_megabytes,request_per_sec\n";

// Parses `body` under the design's header as the file "history.csv".
Trace parse(const std::string& body, ReadReport* report = nullptr) {
  return parse_history_csv(kHeader + body, "history.csv", report);
}

InputError error_of(const std::string& text) {
  return input_error_of([&] { parse_history_csv(text, "history.csv"); });
}

}  // namespace

TEST_CASE("traces::read_history_csv: reads the design's header with values in its units",
          "[traces]") {
  TempFile file(kHeader +
                    "1700000000,250,512,100\n"
                    "1700000060,300.5,1024,150\n"
                    "1700000120,200,256.5,50\n",
                "checkout");
  ReadReport report;
  const Trace trace = read_history_csv(file.path(), &report);

  REQUIRE(trace.size() == 3);
  CHECK(trace.time_s == std::vector<double>{1700000000, 1700000060, 1700000120});
  CHECK(trace.cpu_millicores == std::vector<double>{250, 300.5, 200});
  // Megabytes are MiB: 512 x 2^20 = 536870912 bytes; 256.5 x 2^20 = 268959744 bytes.
  CHECK(trace.memory_bytes == std::vector<double>{536870912.0, 1073741824.0, 268959744.0});
  CHECK(trace.request_rate == std::vector<double>{100, 150, 50});
  CHECK_FALSE(trace.has_replicas());
  CHECK(trace.meta.name == file.stem());
  CHECK(trace.meta.source == "csv:" + file.path());
  CHECK(trace.meta.interval_s == 60.0);
  CHECK(report.rows == 3);
  CHECK(report.rows_reordered == 0);
  CHECK(report.duplicates_merged == 0);
  CHECK(report.warnings.empty());
}

TEST_CASE("traces::parse_history_csv: reads RFC 3339 times with fractions and offsets",
          "[traces]") {
  // 2024-05-01T00:00:00Z is 1714521600 (19844 days x 86400 s).
  // 02:00:30.5+02:00 is 00:00:30.5 UTC; 00:01:00-01:30 is 01:31:00 UTC = +5460 s.
  const Trace trace = parse(
      "2024-05-01T00:00:00Z,1,1,1\n"
      "2024-05-01T02:00:30.5+02:00,1,1,1\n"
      "2024-05-01 00:01:00-01:30,1,1,1\n"
      "1714530000,1,1,1\n");
  CHECK(trace.time_s ==
        std::vector<double>{1714521600.0, 1714521630.5, 1714527060.0, 1714530000.0});
}

TEST_CASE("traces::parse_history_csv: finds columns in any order and ignores extra ones",
          "[traces]") {
  const Trace trace = parse_history_csv(
      "Memory_Usage_Megabytes, \"host\" ,\"timestamp\",cpu_usage_milli_cores\n"
      "1,node-a,10,400\n"
      "2,node-a,20,500\n",
      "h.csv");
  CHECK(trace.time_s == std::vector<double>{10, 20});
  CHECK(trace.cpu_millicores == std::vector<double>{400, 500});
  CHECK(trace.memory_bytes == std::vector<double>{1 * kMiB, 2 * kMiB});
  // No request_per_sec column at all: the Trace has no request rate.
  CHECK_FALSE(trace.has_request_rate());
}

TEST_CASE("traces::parse_history_csv: divides usage summed over replicas per pod", "[traces]") {
  const Trace trace = parse_history_csv(
      "timestamp,cpu_usage_milli_cores,memory_usage_megabytes,request_per_sec,replicas\n"
      "0,1000,2048,300,4\n"
      "60,900,1536,200,3\n",
      "h.csv");
  // 1000 m over 4 pods = 250 m each; 2048 MiB / 4 = 512 MiB; 900 / 3 = 300; 1536 / 3 = 512.
  CHECK(trace.cpu_millicores == std::vector<double>{250, 300});
  CHECK(trace.memory_bytes == std::vector<double>{512 * kMiB, 512 * kMiB});
  // The request rate is the workload's and is not divided.
  CHECK(trace.request_rate == std::vector<double>{300, 200});
  CHECK(trace.replicas == std::vector<double>{4, 3});
}

TEST_CASE("traces::parse_history_csv: settles an empty or partly empty request rate", "[traces]") {
  SECTION("an empty rate in every row means no request-rate column") {
    const Trace trace = parse("0,1,1,\n60,1,1,\n");
    CHECK_FALSE(trace.has_request_rate());
  }
  SECTION("a partly empty rate is interpolated in time and held at the ends") {
    ReadReport report;
    const Trace trace = parse("0,1,1,\n10,1,1,10\n20,1,1,\n40,1,1,40\n50,1,1,\n", &report);
    // t=0 holds the first value 10; t=20 lies 10/30 of the way from 10 (t=10) to 40 (t=40):
    // 10 + 30 x 1/3 = 20; t=50 holds the last value 40.
    REQUIRE(trace.request_rate.size() == 5);
    CHECK(trace.request_rate[0] == 10.0);
    CHECK(trace.request_rate[1] == 10.0);
    CHECK(trace.request_rate[2] == Approx(20.0));
    CHECK(trace.request_rate[3] == 40.0);
    CHECK(trace.request_rate[4] == 40.0);
    CHECK(report.rates_interpolated == 3);
    REQUIRE(report.warnings.size() == 1);
    CHECK_THAT(report.warnings[0], Contains("3 rows have no request_per_sec"));
  }
}

TEST_CASE("traces::parse_history_csv: sorts rows out of time order and says how many", "[traces]") {
  ReadReport report;
  const Trace trace = parse("20,3,3,3\n0,1,1,1\n10,2,2,2\n30,4,4,4\n", &report);
  CHECK(trace.time_s == std::vector<double>{0, 10, 20, 30});
  CHECK(trace.cpu_millicores == std::vector<double>{1, 2, 3, 4});
  CHECK(trace.request_rate == std::vector<double>{1, 2, 3, 4});
  // The rows at 0 and 10 came after the row at 20.
  CHECK(report.rows_reordered == 2);
  CHECK(report.rows == 4);
  REQUIRE(report.warnings.size() == 1);
  CHECK_THAT(report.warnings[0], Contains("2 rows were out of time order"));
}

TEST_CASE("traces::parse_history_csv: merges duplicated timestamps into their mean", "[traces]") {
  ReadReport report;
  const Trace trace = parse("0,100,10,\n0,200,30,50\n60,10,1,5\n60,20,2,7\n60,60,6,9\n", &report);
  CHECK(trace.time_s == std::vector<double>{0, 60});
  // (100 + 200) / 2 = 150; (10 + 20 + 60) / 3 = 30.
  CHECK(trace.cpu_millicores == std::vector<double>{150, 30});
  // (10 + 30) / 2 = 20 MiB; (1 + 2 + 6) / 3 = 3 MiB.
  CHECK(trace.memory_bytes == std::vector<double>{20 * kMiB, 3 * kMiB});
  // The empty rate is left out of the mean: 50; then (5 + 7 + 9) / 3 = 7.
  CHECK(trace.request_rate == std::vector<double>{50, 7});
  CHECK(report.duplicates_merged == 3);
  CHECK(report.rows == 5);
  REQUIRE(report.warnings.size() == 1);
  CHECK_THAT(report.warnings[0], Contains("3 rows repeated an earlier timestamp"));
}

TEST_CASE("traces::parse_history_csv: reads Windows line ends, a byte order mark and blanks",
          "[traces]") {
  const Trace trace =
      parse_history_csv("\xEF\xBB\xBF" + std::string("timestamp,cpu_usage_milli_cores,"
                                                     "memory_usage_megabytes\r\n"
                                                     "0,1,2\r\n\r\n60, 3 ,+4\r\n"),
                        "h.csv");
  CHECK(trace.time_s == std::vector<double>{0, 60});
  CHECK(trace.cpu_millicores == std::vector<double>{1, 3});
  CHECK(trace.memory_bytes == std::vector<double>{2 * kMiB, 4 * kMiB});
}

TEST_CASE("traces::parse_history_csv: warns when the last line has no line break", "[traces]") {
  ReadReport report;
  const Trace trace = parse("0,1,1,1\n60,2,2,2", &report);
  CHECK(trace.size() == 2);
  REQUIRE(report.warnings.size() == 1);
  CHECK_THAT(report.warnings[0], Contains("no line break"));
}

TEST_CASE("traces::parse_history_csv: refuses a header without a required column", "[traces]") {
  require_names(error_of("timestamp,cpu_usage_milli_cores,request_per_sec\n0,1,1\n"), "history.csv",
                1, "memory_usage_megabytes", "no such column");
  require_names(error_of("time,cpu_usage_milli_cores,memory_usage_megabytes\n0,1,1\n"),
                "history.csv", 1, "timestamp", "no such column");
  require_names(
      error_of("timestamp,cpu_usage_milli_cores,memory_usage_megabytes,timestamp\n0,1,1,0\n"),
      "history.csv", 1, "timestamp", "twice");
}

TEST_CASE("traces::parse_history_csv: refuses values that are not numbers in the unit",
          "[traces]") {
  SECTION("a word") {
    require_names(error_of(kHeader + "0,1,1,1\n60,abc,1,1\n"), "history.csv", 3,
                  "cpu_usage_milli_cores", "'abc' is not a number");
  }
  SECTION("a Kubernetes quantity instead of millicores") {
    require_names(error_of(kHeader + "0,250m,1,1\n"), "history.csv", 2, "cpu_usage_milli_cores",
                  "'250m' is a number followed by other characters");
  }
  SECTION("a unit suffix on megabytes") {
    require_names(error_of(kHeader + "0,1,512Mi,1\n"), "history.csv", 2, "memory_usage_megabytes",
                  "'512Mi'");
  }
  SECTION("an empty required value") {
    require_names(error_of(kHeader + "0,,1,1\n"), "history.csv", 2, "cpu_usage_milli_cores",
                  "empty");
  }
  SECTION("milliseconds instead of seconds") {
    require_names(error_of(kHeader + "1700000000000,1,1,1\n"), "history.csv", 2, "timestamp",
                  "milliseconds");
  }
  SECTION("a time that is neither RFC 3339 nor a number") {
    require_names(error_of(kHeader + "yesterday,1,1,1\n"), "history.csv", 2, "timestamp",
                  "neither an RFC 3339 time nor Unix seconds");
  }
  SECTION("a date that does not exist") {
    require_names(error_of(kHeader + "2024-02-30T00:00:00Z,1,1,1\n"), "history.csv", 2, "timestamp",
                  "does not exist");
  }
  SECTION("an RFC 3339 time without its offset") {
    require_names(error_of(kHeader + "2024-05-01T00:00:00,1,1,1\n"), "history.csv", 2, "timestamp",
                  "UTC offset");
  }
}

TEST_CASE("traces::parse_history_csv: refuses NaN, infinity and negative values", "[traces]") {
  require_names(error_of(kHeader + "0,1,NaN,1\n"), "history.csv", 2, "memory_usage_megabytes",
                "NaN");
  require_names(error_of(kHeader + "0,-inf,1,1\n"), "history.csv", 2, "cpu_usage_milli_cores",
                "not a finite number");
  require_names(error_of(kHeader + "0,1,1,1\n60,-5,1,1\n"), "history.csv", 3,
                "cpu_usage_milli_cores", "negative");
  require_names(error_of(kHeader + "0,1,1,-2\n"), "history.csv", 2, "request_per_sec", "negative");
  require_names(error_of(kHeader + "0,1,1,1e999\n"), "history.csv", 2, "request_per_sec",
                "out of range");
  const std::string with_replicas =
      "timestamp,cpu_usage_milli_cores,memory_usage_megabytes,"
      "replicas\n0,1,1,0\n";
  require_names(error_of(with_replicas), "history.csv", 2, "replicas", "zero");
}

TEST_CASE("traces::parse_history_csv: refuses a line with the wrong number of fields", "[traces]") {
  require_names(error_of(kHeader + "0,1,1,1\n60,1,1,1,7\n"), "history.csv", 3, "field 5",
                "more fields than the header's 4");
  require_names(error_of(kHeader + "0,1,1,1\n60,1\n120,1,1,1\n"), "history.csv", 3,
                "memory_usage_megabytes", "has 2 fields, the header 4");
}

TEST_CASE("traces::parse_history_csv: refuses a file cut short", "[traces]") {
  SECTION("the last line lost its last fields") {
    require_names(error_of(kHeader + "0,1,1,1\n60,2,3"), "history.csv", 3, "request_per_sec",
                  "looks truncated");
  }
  SECTION("the last line was cut inside an exponent") {
    require_names(error_of(kHeader + "0,1,1,1\n60,2,3,1.5e"), "history.csv", 3, "request_per_sec",
                  "'1.5e'");
  }
  SECTION("the last line was cut inside a time") {
    require_names(error_of(kHeader + "2024-05-01T00:00:00Z,1,1,1\n2024-05-01T00:0"), "history.csv",
                  3, "timestamp", "");
  }
}

TEST_CASE("traces::read_history_csv: refuses an empty file, a header alone, a missing file",
          "[traces]") {
  SECTION("an empty file") {
    TempFile file("", "empty");
    require_names(input_error_of([&] { read_history_csv(file.path()); }), file.path(), 1, "header",
                  "empty");
  }
  SECTION("only white space") {
    TempFile file("\n  \n", "blank");
    require_names(input_error_of([&] { read_history_csv(file.path()); }), file.path(), 1, "header",
                  "empty");
  }
  SECTION("a header and no rows") {
    TempFile file(kHeader, "header-only");
    require_names(input_error_of([&] { read_history_csv(file.path()); }), file.path(), 2, "",
                  "no data rows");
  }
  SECTION("a file that does not exist") {
    const InputError error = input_error_of([] { read_history_csv("/nonexistent/h.csv"); });
    CHECK(error.file() == "/nonexistent/h.csv");
    CHECK(error.line() == 0);
    CHECK_THAT(std::string(error.what()), Contains("/nonexistent/h.csv: cannot open"));
  }
}
