// Tests of the history CSV writer: its exact text, and that read_history_csv reads it back.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <random>
#include <string>

#include "traces/history_csv_writer.h"
#include "traces/quantity.h"
#include "traces/readers.h"
#include "traces/synthetic.h"

namespace fs = std::filesystem;
using podsizer::traces::format_history_csv;
using podsizer::traces::kMiB;
using podsizer::traces::parse_history_csv;
using podsizer::traces::Trace;

TEST_CASE("traces::write_history_csv: the design's columns, units and empty fields", "[traces]") {
  Trace trace;
  trace.time_s = {1700000000, 1700000060.5};
  trace.cpu_millicores = {250, 0.0004};  // the second rounds to 0 at three decimals
  trace.memory_bytes = {512 * kMiB, 1.5 * kMiB};
  trace.request_rate = {12.25, std::numeric_limits<double>::quiet_NaN()};
  // Memory in MiB, trailing zeros dropped, NaN written as an empty field.
  CHECK(format_history_csv(trace) ==
        "timestamp,cpu_usage_milli_cores,memory_usage_megabytes,request_per_sec\n"
        "1700000000,250,512,12.25\n"
        "1700000060.5,0,1.5,\n");

  // No request rate at all: the column stays, every field empty.
  trace.request_rate.clear();
  CHECK(format_history_csv(trace) ==
        "timestamp,cpu_usage_milli_cores,memory_usage_megabytes,request_per_sec\n"
        "1700000000,250,512,\n"
        "1700000060.5,0,1.5,\n");

  // Replicas other than 1: a fifth column and usage summed over the pods (250 * 3 = 750;
  // 0.0004 * 2 = 0.0008 rounds up to 0.001).
  trace.replicas = {3, 2};
  CHECK(format_history_csv(trace) ==
        "timestamp,cpu_usage_milli_cores,memory_usage_megabytes,request_per_sec,replicas\n"
        "1700000000,750,1536,,3\n"
        "1700000060.5,0.001,3,,2\n");

  // Replicas all 1 say nothing the per-pod form does not.
  trace.replicas = {1, 1};
  CHECK(format_history_csv(trace).find("replicas") == std::string::npos);
}

TEST_CASE("traces::write_history_csv: read_history_csv reads the output back", "[traces]") {
  podsizer::traces::SyntheticOptions options;
  options.duration_s = 86400.0;
  options.replicas = 3;
  const Trace trace = podsizer::traces::generate_synthetic(options);
  const std::string path = (fs::temp_directory_path() /
                            ("podsizer-writer-" + std::to_string(std::random_device{}()) + ".csv"))
                               .string();
  podsizer::traces::write_history_csv(path, trace);
  const Trace back = podsizer::traces::read_history_csv(path);
  fs::remove(path);

  REQUIRE(back.size() == trace.size());
  CHECK(back.time_s == trace.time_s);
  for (std::size_t i = 0; i < trace.size(); ++i) {
    // Sums over 3 pods are rounded to 0.001 millicores and 1e-6 MiB, then divided by 3.
    REQUIRE(back.cpu_millicores[i] == Approx(trace.cpu_millicores[i]).margin(0.0005));
    REQUIRE(back.memory_bytes[i] == Approx(trace.memory_bytes[i]).margin(1.0));
    REQUIRE(back.request_rate[i] == Approx(trace.request_rate[i]).margin(0.0005));
    REQUIRE(back.replicas[i] == 3.0);
  }
}
