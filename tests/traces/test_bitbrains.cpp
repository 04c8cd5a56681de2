#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "traces/reader_test_support.h"
#include "traces/readers.h"

using Catch::Matchers::Contains;
using podsizer::traces::read_bitbrains;
using podsizer::traces::ReadReport;
using podsizer::traces::Trace;
using podsizer::traces::testing::input_error_of;
using podsizer::traces::testing::require_names;
using podsizer::traces::testing::TempFile;

namespace {

const std::string kHeader =
    "Timestamp [ms];\tCPU cores;\tCPU capacity provisioned [MHZ];\tCPU usage [MHZ];\t"
    "CPU usage [%];\tMemory capacity provisioned [KB];\tMemory usage [KB];\t"
    "Disk read throughput [KB/s];\tDisk write throughput [KB/s];\t"
    "Network received throughput [KB/s];\tNetwork transmitted throughput [KB/s]\n";

// A data line with the given values and made-up disk and network figures.
std::string row(const std::string& time, const std::string& cores, const std::string& capacity,
                const std::string& usage, const std::string& memory_kb) {
  return time + ";\t" + cores + ";\t" + capacity + ";\t" + usage + ";\t12.5;\t8388608.0;\t" +
         memory_kb + ";\t0.0;\t2.5;\t0.1;\t1.0\n";
}

}  // namespace

TEST_CASE("traces::read_bitbrains: converts MHz to millicores and KB to bytes", "[traces]") {
  TempFile file(kHeader + row("1372629804", "4", "10000.0", "1250.0", "1048576.0") +
                    row("1372630104", "2", "5000", "625", "524288") +
                    row("1372630404", "1", "2600", "1.6E3", "1.5E3"),
                "vm001");
  ReadReport report;
  const Trace trace = read_bitbrains(file.path(), &report);

  REQUIRE(trace.size() == 3);
  CHECK(trace.time_s == std::vector<double>{1372629804, 1372630104, 1372630404});
  // 10000 MHz over 4 cores = 2500 MHz a core; 1250 MHz is half a core: 500 m.
  // 5000 / 2 = 2500 MHz a core; 625 MHz = 0.25 core = 250 m.
  // 2600 MHz on one core; 1600 MHz = 1600 / 2600 core = 615.38 m.
  CHECK(trace.cpu_millicores[0] == Approx(500.0));
  CHECK(trace.cpu_millicores[1] == Approx(250.0));
  CHECK(trace.cpu_millicores[2] == Approx(1600.0 / 2600.0 * 1000.0));
  // KB are 1024 bytes: 1048576 KB = 1 GiB = 1073741824 bytes; 1500 KB = 1536000 bytes.
  CHECK(trace.memory_bytes == std::vector<double>{1073741824.0, 536870912.0, 1536000.0});
  CHECK_FALSE(trace.has_request_rate());
  CHECK(trace.meta.name == file.stem());
  CHECK(trace.meta.source == "bitbrains:" + file.path());
  CHECK(trace.meta.interval_s == 300.0);
  CHECK(report.rows == 3);
  CHECK(report.warnings.empty());
}

TEST_CASE("traces::read_bitbrains: reads a switched-off VM as idle and says so", "[traces]") {
  TempFile file(kHeader + row("0", "0", "0.0", "0.0", "0.0") + row("300", "2", "4000", "200", "8"),
                "vm002");
  ReadReport report;
  const Trace trace = read_bitbrains(file.path(), &report);
  // 4000 / 2 = 2000 MHz a core; 200 MHz = 0.1 core = 100 m.
  REQUIRE(trace.size() == 2);
  CHECK(trace.cpu_millicores[0] == 0.0);
  CHECK(trace.cpu_millicores[1] == Approx(100.0));
  REQUIRE(report.warnings.size() == 1);
  CHECK_THAT(report.warnings[0], Contains("1 rows show the VM with no provisioned CPU"));
}

TEST_CASE("traces::read_bitbrains: merges a repeated stretch of timestamps", "[traces]") {
  // The stretch 300, 600 is written twice, once with other values, as some files of the trace do.
  TempFile file(kHeader + row("0", "1", "1000", "100", "10") +
                    row("300", "1", "1000", "200", "20") + row("600", "1", "1000", "300", "30") +
                    row("300", "1", "1000", "400", "40") + row("600", "1", "1000", "300", "30") +
                    row("900", "1", "1000", "500", "50"),
                "vm003");
  ReadReport report;
  const Trace trace = read_bitbrains(file.path(), &report);
  CHECK(trace.time_s == std::vector<double>{0, 300, 600, 900});
  // 1000 MHz on one core: 100 MHz = 100 m. At 300: (200 + 400) / 2 = 300 m.
  CHECK(trace.cpu_millicores == std::vector<double>{100, 300, 300, 500});
  // At 300: (20 + 40) / 2 = 30 KB = 30720 bytes.
  CHECK(trace.memory_bytes[1] == 30720.0);
  // Only the second 300 comes after a later row (600); the second 600 merely repeats.
  CHECK(report.rows_reordered == 1);
  CHECK(report.duplicates_merged == 2);
  CHECK(report.warnings.size() == 2);
}

TEST_CASE("traces::read_bitbrains: takes timestamps in milliseconds when they are", "[traces]") {
  TempFile file(kHeader + row("1372629804000", "1", "1000", "100", "10") +
                    row("1372630104000", "1", "1000", "100", "10"),
                "vm004");
  CHECK(read_bitbrains(file.path()).time_s == std::vector<double>{1372629804, 1372630104});
}

TEST_CASE("traces::read_bitbrains: refuses bad input naming file, line and field", "[traces]") {
  auto refused = [](const std::string& content) {
    TempFile file(content, "bad");
    return std::make_pair(file.path(), input_error_of([&] { read_bitbrains(file.path()); }));
  };
  SECTION("a missing column") {
    const auto [path, error] = refused(
        "Timestamp [ms];\tCPU cores;\tCPU capacity provisioned [MHZ];\tMemory usage [KB]\n"
        "0;\t1;\t1000;\t10\n");
    require_names(error, path, 1, "CPU usage [MHZ]", "no such column");
  }
  SECTION("a value that is not a number") {
    const auto [path, error] = refused(kHeader + row("0", "1", "1000", "fast", "10"));
    require_names(error, path, 2, "CPU usage [MHZ]", "'fast' is not a number");
  }
  SECTION("NaN") {
    const auto [path, error] = refused(kHeader + row("0", "1", "1000", "1", "NaN"));
    require_names(error, path, 2, "Memory usage [KB]", "NaN");
  }
  SECTION("a negative value") {
    const auto [path, error] =
        refused(kHeader + row("0", "1", "1000", "1", "1") + row("300", "1", "-1000", "1", "1"));
    require_names(error, path, 3, "CPU capacity provisioned [MHZ]", "negative");
  }
  SECTION("usage without capacity") {
    const auto [path, error] = refused(kHeader + row("0", "0", "0", "50", "1"));
    require_names(error, path, 2, "CPU usage [MHZ]", "no provisioned CPU");
  }
  SECTION("a line with too many fields") {
    const auto [path, error] = refused(kHeader + "0;\t1;\t1;\t1;\t1;\t1;\t1;\t1;\t1;\t1;\t1;\t1\n");
    require_names(error, path, 2, "field 12", "more fields than the header's 11");
  }
  SECTION("a file cut short") {
    const auto [path, error] =
        refused(kHeader + row("0", "1", "1000", "1", "1") + "300;\t1;\t1000;\t1");
    require_names(error, path, 3, "CPU usage [%]", "looks truncated");
  }
  SECTION("an empty file") {
    const auto [path, error] = refused("");
    require_names(error, path, 1, "header", "empty");
  }
  SECTION("a header and no rows") {
    const auto [path, error] = refused(kHeader);
    require_names(error, path, 2, "", "no data rows");
  }
}
