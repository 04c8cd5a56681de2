// Readers for the measured history a user brings, each returning a validated Trace.
//
// Every reader refuses bad input with an InputError naming the file, the 1-based line and the
// field, and what it expected; none of them crashes on a truncated or malformed file. Readers
// that repair their input (sorting rows, merging duplicate timestamps) say so through the
// `ReadReport` and a warning on the "traces" logger that counts what was repaired.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "traces/trace.h"

namespace podsizer::traces {

// What a reader repaired or noticed on its way.
struct ReadReport {
  std::size_t rows = 0;               // data rows read
  std::size_t rows_reordered = 0;     // rows that were out of time order
  std::size_t duplicates_merged = 0;  // rows merged into an earlier row with the same timestamp
  std::vector<std::string> warnings;
};

// The history CSV of the design:
//   timestamp,cpu_usage_milli_cores,memory_usage_megabytes,request_per_sec[,replicas]
// Timestamps in RFC 3339 or Unix seconds; request_per_sec may be empty or absent; memory in
// megabytes (MiB, 2^20 bytes, as the container tools report it); rows per pod unless a
// `replicas` column says how many pods the usage is summed over (then divided per pod).
// Columns may come in any order; unknown extra columns are ignored.
Trace read_history_csv(const std::string& path, ReadReport* report = nullptr);
Trace parse_history_csv(std::string_view text, const std::string& file_name,
                        ReadReport* report = nullptr);

// The load-test result JSON of the design, used to calibrate the latency model.
struct LoadTest {
  std::string test_scenario;
  double max_rps = 0.0;
  double avg_latency_ms = 0.0;
  double cpu_usage_milli_cores = 0.0;
  double memory_usage_megabytes = 0.0;
  double error_rate_percentage = 0.0;
};
LoadTest read_load_test(const std::string& path);
LoadTest parse_load_test(std::string_view json_text, const std::string& file_name);

// One VM of the Bitbrains GWA-T-12 trace (`;\t`-separated, timestamps in Unix seconds despite
// the header). CPU millicores = usage_MHz / (capacity_MHz / cores) x 1000; memory from KB.
Trace read_bitbrains(const std::string& path, ReadReport* report = nullptr);

// Google's 2019 Borg trace, `instance_usage` of one task. Usage is normalised to the cell's
// largest machine; the scale factor converts it.
struct Google2019Scale {
  double cpu_cores_per_unit = 64.0;                // 1.0 normalised CPU = 64 cores
  double memory_bytes_per_unit = 256.0 * 1024 * 1024 * 1024;  // 1.0 normalised memory = 256 GiB
};
Trace read_google2019(const std::string& path, const Google2019Scale& scale = {},
                      ReadReport* report = nullptr);

// A per-second request-rate file: integers separated by white space, one per second from
// `start_time_s`. The Trace has only the request-rate column.
Trace read_request_rates(const std::string& path, double start_time_s = 0.0);

}  // namespace podsizer::traces
