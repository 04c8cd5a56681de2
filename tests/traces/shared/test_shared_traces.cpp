// Reads every file of the public traces in PODSIZER_SHARED_TRACES and checks what must hold of
// real data once read: time order, the sampling interval, usage within physical bounds, and row
// counts within the ranges the folder's README gives. The folder is absent on users' machines;
// then every test here passes with a warning that it was skipped.

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "traces/readers.h"

namespace fs = std::filesystem;
using podsizer::traces::read_bitbrains;
using podsizer::traces::read_google2019;
using podsizer::traces::read_request_rates;
using podsizer::traces::ReadReport;
using podsizer::traces::Trace;

namespace {

// The files of one folder of the shared traces, sorted by name; empty (with a warning) when the
// shared traces are not on this machine.
std::vector<std::string> shared_files(const std::string& folder) {
  const fs::path root = fs::path(PODSIZER_SHARED_TRACES) / folder;
  if (!fs::is_directory(root)) {
    WARN("skipped: the shared traces are not on this machine (" << root.string() << ")");
    return {};
  }
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(root)) {
    if (entry.is_regular_file()) files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// What every trace read from real data must satisfy.
void check_common(const Trace& trace) {
  REQUIRE_NOTHROW(trace.validate());
  REQUIRE(trace.size() >= 2);
  CHECK(trace.meta.interval_s > 0.0);
  CHECK(std::is_sorted(trace.time_s.begin(), trace.time_s.end()));
  for (std::size_t i = 0; i < trace.size(); ++i) {
    if (trace.has_cpu() &&
        !(std::isfinite(trace.cpu_millicores[i]) && trace.cpu_millicores[i] >= 0)) {
      FAIL("CPU " << trace.cpu_millicores[i] << " at sample " << i);
    }
    if (trace.has_memory() &&
        !(std::isfinite(trace.memory_bytes[i]) && trace.memory_bytes[i] >= 0)) {
      FAIL("memory " << trace.memory_bytes[i] << " at sample " << i);
    }
  }
}

}  // namespace

TEST_CASE("traces::read_bitbrains: reads every VM of the shared Rnd trace", "[traces][shared]") {
  const auto files = shared_files("bitbrains-rnd");
  if (files.empty()) return;
  CHECK(files.size() == 96);

  std::size_t with_repeats = 0;
  for (const auto& path : files) {
    INFO(path);
    ReadReport report;
    const Trace trace = read_bitbrains(path, &report);
    check_common(trace);

    // The README's range of rows per file, with a little room; merging only removes rows.
    CHECK(report.rows >= 420);
    CHECK(report.rows <= 23100);
    CHECK(trace.size() + report.duplicates_merged == report.rows);
    // Samples every 300 s; the median gap is 300 s give or take a second. The few VMs that
    // repeat stretches were switched off for most of the month, and their off-time records come
    // at other offsets (91 s, 209 s), which pulls the median below 300 s.
    if (report.duplicates_merged == 0) {
      CHECK(trace.meta.interval_s == Approx(300.0).margin(1.0));
    } else {
      CHECK(trace.meta.interval_s >= 60.0);
      CHECK(trace.meta.interval_s <= 301.0);
    }
    // July 2013 in Unix seconds: from 2013-07-01 to 2013-09-01 at the latest.
    CHECK(trace.time_s.front() >= 1372636800.0 - 86400.0);
    CHECK(trace.time_s.back() <= 1377993600.0);
    // No VM of the trace has more than 32 cores; memory below 1 TiB.
    CHECK(*std::max_element(trace.cpu_millicores.begin(), trace.cpu_millicores.end()) <= 32000.0);
    CHECK(*std::max_element(trace.memory_bytes.begin(), trace.memory_bytes.end()) <
          1024.0 * 1024 * 1024 * 1024);
    if (report.duplicates_merged > 0) ++with_repeats;
  }
  // "A few repeat stretches of timestamps."
  CHECK(with_repeats >= 1);
  CHECK(with_repeats <= 10);
}

TEST_CASE("traces::read_google2019: reads every task of the shared Borg trace",
          "[traces][shared]") {
  const auto files = shared_files("google2019");
  if (files.empty()) return;
  CHECK(files.size() == 30);

  const podsizer::traces::Google2019Scale scale;
  for (const auto& path : files) {
    INFO(path);
    ReadReport report;
    const Trace trace = read_google2019(path, scale, &report);
    check_common(trace);

    CHECK(report.rows >= 580);
    CHECK(report.rows <= 890);
    CHECK(trace.size() + report.windows_merged + report.duplicates_merged == report.rows);
    CHECK(trace.meta.interval_s == 300.0);
    for (double t : trace.time_s) {
      if (std::fmod(t, 300.0) != 0.0) FAIL("sample at " << t << " s is not a window start");
    }
    // Normalised usage never exceeds the largest machine: 1.0 = 64 cores, 256 GiB.
    CHECK(*std::max_element(trace.cpu_millicores.begin(), trace.cpu_millicores.end()) <=
          scale.cpu_cores_per_unit * 1000.0);
    CHECK(*std::max_element(trace.memory_bytes.begin(), trace.memory_bytes.end()) <=
          scale.memory_bytes_per_unit);
    // The trace covers the month of May 2019: at most 31 days from its start.
    CHECK(trace.time_s.back() <= 31.0 * 86400.0 + 600.0);
  }
}

TEST_CASE("traces::read_request_rates: reads both shared request-rate files", "[traces][shared]") {
  const auto files = shared_files("requests");
  if (files.empty()) return;
  REQUIRE(files.size() == 2);

  for (const auto& path : files) {
    INFO(path);
    const Trace trace = read_request_rates(path);
    check_common(trace);
    CHECK(trace.meta.interval_s == 1.0);
    const double days = static_cast<double>(trace.size()) / 86400.0;
    for (double rate : trace.request_rate) {
      if (!(rate >= 0.0 && rate == std::floor(rate))) FAIL("rate " << rate);
    }
    if (path.find("nasa") != std::string::npos) {
      // 58.6 days of seconds: 5.06 M values.
      CHECK(days == Approx(58.6).margin(0.05));
      CHECK(trace.size() > 5000000);
    } else {
      // 22 days of seconds: 1.90 M values.
      CHECK(days == Approx(22.0).margin(0.05));
    }
  }
}
