#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "traces/reader_test_support.h"
#include "traces/readers.h"

using Catch::Matchers::Contains;
using podsizer::traces::Google2019Scale;
using podsizer::traces::read_google2019;
using podsizer::traces::ReadReport;
using podsizer::traces::Trace;
using podsizer::traces::testing::input_error_of;
using podsizer::traces::testing::require_names;
using podsizer::traces::testing::TempFile;

namespace {

const std::string kHeader = "time,unique_id,avg_cpu_usage,avg_memory_usage,max_cpu_usage\n";
constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

}  // namespace

TEST_CASE("traces::read_google2019: scales usage and merges partial windows by duration",
          "[traces]") {
  TempFile file(kHeader +
                    "461643000000,7-0,0.01,0.001,0.5\n"   // starts late in window 461400
                    "461700000000,7-0,0.02,0.002,0.5\n"   // a whole window
                    "462000000000,7-0,0.01,0.003,0.5\n"   // 188 s, then the task restarts
                    "462188000000,7-0,0.0,0.0,0.0\n"      // 1 s
                    "462189000000,7-0,0.02,0.006,0.5\n"   // 111 s to the window's end
                    "462300000000,7-0,0.03,0.001,0.5\n",  // the last row, alone
                "7-0-461643000000-462300000000");
  ReadReport report;
  const Trace trace = read_google2019(file.path(), Google2019Scale{}, &report);

  // Each window is stamped with its start: 461643 s falls in [461400, 461700).
  CHECK(trace.time_s == std::vector<double>{461400, 461700, 462000, 462300});
  REQUIRE(trace.size() == 4);
  // 1.0 CPU = 64 cores: 0.01 x 64 x 1000 = 640 m; 0.02 -> 1280 m; 0.03 -> 1920 m.
  CHECK(trace.cpu_millicores[0] == Approx(640.0));
  CHECK(trace.cpu_millicores[1] == Approx(1280.0));
  CHECK(trace.cpu_millicores[3] == Approx(1920.0));
  // Window 462000: (188 x 0.01 + 1 x 0 + 111 x 0.02) / 300 = 4.1 / 300 of 64000 m = 874.67 m.
  CHECK(trace.cpu_millicores[2] == Approx(4.1 / 300.0 * 64000.0));
  CHECK(trace.cpu_millicores[2] == Approx(874.6667).epsilon(1e-6));
  // 1.0 memory = 256 GiB: 0.001 x 256 GiB = 274877906.944 bytes.
  CHECK(trace.memory_bytes[0] == Approx(274877906.944));
  // Window 462000: (188 x 0.003 + 111 x 0.006) / 300 = 1.23 / 300 = 0.0041 of 256 GiB.
  CHECK(trace.memory_bytes[2] == Approx(0.0041 * 256.0 * kGiB));
  CHECK(trace.meta.interval_s == 300.0);
  CHECK(trace.meta.source == "google2019:" + file.path());
  CHECK(report.rows == 6);
  CHECK(report.windows_merged == 2);
}

TEST_CASE("traces::read_google2019: uses the scale it is given", "[traces]") {
  TempFile file(kHeader + "0,a,0.5,0.25,1\n300000000,a,0.25,0.5,1\n", "scaled");
  const Trace trace = read_google2019(file.path(), Google2019Scale{8.0, 1e9});
  // 0.5 x 8 cores = 4 cores = 4000 m; 0.25 x 1e9 bytes = 2.5e8 bytes.
  CHECK(trace.cpu_millicores == std::vector<double>{4000, 2000});
  CHECK(trace.memory_bytes == std::vector<double>{2.5e8, 5e8});
  CHECK(trace.time_s == std::vector<double>{0, 300});
}

TEST_CASE("traces::read_google2019: sorts rows and merges repeated times before windows",
          "[traces]") {
  TempFile file(kHeader +
                    "600000000,a,0.03,0,1\n0,a,0.01,0,1\n0,a,0.03,0,1\n"
                    "300000000,a,0.02,0,1\n",
                "shuffled");
  ReadReport report;
  const Trace trace = read_google2019(file.path(), Google2019Scale{1.0, 1.0}, &report);
  CHECK(trace.time_s == std::vector<double>{0, 300, 600});
  // At 0: (0.01 + 0.03) / 2 = 0.02 cores = 20 m.
  CHECK(trace.cpu_millicores[0] == Approx(20.0));
  CHECK(trace.cpu_millicores[2] == Approx(30.0));
  CHECK(report.rows_reordered == 3);
  CHECK(report.duplicates_merged == 1);
  CHECK(report.windows_merged == 0);
}

TEST_CASE("traces::read_google2019: refuses bad input naming file, line and field", "[traces]") {
  auto refused = [](const std::string& content) {
    TempFile file(content, "bad");
    return std::make_pair(file.path(), input_error_of([&] { read_google2019(file.path()); }));
  };
  SECTION("a missing column") {
    const auto [path, error] = refused("time,avg_cpu_usage\n0,0.1\n");
    require_names(error, path, 1, "avg_memory_usage", "no such column");
  }
  SECTION("a value that is not a number") {
    const auto [path, error] = refused(kHeader + "0,a,0.1,high,1\n");
    require_names(error, path, 2, "avg_memory_usage", "'high' is not a number");
  }
  SECTION("NaN") {
    const auto [path, error] = refused(kHeader + "0,a,nan,0.1,1\n");
    require_names(error, path, 2, "avg_cpu_usage", "NaN");
  }
  SECTION("a negative time") {
    const auto [path, error] = refused(kHeader + "0,a,0.1,0.1,1\n-300000000,a,0.1,0.1,1\n");
    require_names(error, path, 3, "time", "negative");
  }
  SECTION("an empty value") {
    const auto [path, error] = refused(kHeader + "0,a,,0.1,1\n");
    require_names(error, path, 2, "avg_cpu_usage", "empty");
  }
  SECTION("a line with too few fields") {
    const auto [path, error] = refused(kHeader + "0,a,0.1\n300000000,a,0.1,0.1,1\n");
    require_names(error, path, 2, "avg_memory_usage", "has 3 fields, the header 5");
  }
  SECTION("a file cut short") {
    const auto [path, error] = refused(kHeader + "0,a,0.1,0.1,1\n300000000,a,0.1,0.");
    require_names(error, path, 3, "max_cpu_usage", "looks truncated");
  }
  SECTION("an empty file") {
    const auto [path, error] = refused("");
    require_names(error, path, 1, "header", "empty");
  }
  SECTION("a header and no rows") {
    const auto [path, error] = refused(kHeader);
    require_names(error, path, 2, "", "no data rows");
  }
  SECTION("a scale that is not positive") {
    TempFile file(kHeader + "0,a,0.1,0.1,1\n", "scale");
    const auto error = input_error_of([&] {
      read_google2019(file.path(), Google2019Scale{0.0, 1.0});
    });
    CHECK_THAT(std::string(error.what()), Contains("scale factors must be positive"));
  }
}
