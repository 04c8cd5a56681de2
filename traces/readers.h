// Readers for the measured history a user brings, each returning a validated Trace.
//
// Every reader refuses bad input with an InputError naming the file, the 1-based line and the
// field, and what it expected; none of them crashes on a truncated or malformed file. Readers
// that repair their input (sorting rows, merging duplicate timestamps) say so through the
// `ReadReport` and a warning on the "traces" logger that counts what was repaired. A table
// whose last line lacks its line break is read, with a warning, since a number cut short there
// can look whole. Readers share no state: several threads may read different files at once.
// Implementations: history_csv.cpp, bitbrains.cpp, google2019.cpp, request_rates.cpp (on the
// helpers of text_scan.h and row_repair.h) and load_test.cpp.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "traces/trace.h"

namespace podsizer::traces {

// What a reader repaired or noticed on its way.
struct ReadReport {
  std::size_t rows = 0;                // data rows read
  std::size_t rows_reordered = 0;      // rows that were out of time order
  std::size_t duplicates_merged = 0;   // rows merged into an earlier row with the same timestamp
  std::size_t rates_interpolated = 0;  // empty request_per_sec fields filled from neighbours
  std::size_t windows_merged = 0;      // partial measurement windows folded into their window
  std::vector<std::string> warnings;   // one sentence per repair or oddity, as logged
};

// The history CSV of the design:
//   timestamp,cpu_usage_milli_cores,memory_usage_megabytes,request_per_sec[,replicas]
// Timestamps in RFC 3339 or Unix seconds; request_per_sec may be empty or absent; memory in
// megabytes (MiB, 2^20 bytes, as the container tools report it); rows per pod unless a
// `replicas` column says how many pods the usage is summed over (then divided per pod).
// Columns may come in any order; unknown extra columns are ignored.
//
// Rules, in the order a user meets them:
// - A header line is required; a missing required column (timestamp, cpu_usage_milli_cores,
//   memory_usage_megabytes) is refused on line 1 naming the column, as is a repeated one.
//   Names match ignoring ASCII case, surrounding spaces and double quotes.
// - Each timestamp is read on its own: RFC 3339 when it has the shape of a date
//   (YYYY-MM-DD...), Unix seconds otherwise. Unix values above 1e11 are refused as they are
//   almost surely milliseconds.
// - Every data line has exactly as many fields as the header. CPU, memory and replicas are
//   required in every row; CPU, memory and the request rate must be finite and >= 0, replicas
//   finite and > 0. Blank lines are skipped.
// - request_per_sec: when the column is absent or empty in every row, the Trace has no
//   request-rate column. When only some rows are empty, those rows are filled by linear
//   interpolation in time between the nearest rows that have a value (the first or last value
//   is held at the ends), counted in ReadReport::rates_interpolated and warned about.
// - Rows out of time order are sorted (stable); rows sharing a timestamp are merged into one
//   holding the mean of their values (an empty request rate is left out of that mean). Both
//   are counted in the ReadReport and warned about on the "traces" logger.
// - A file that does not end with a line break is read, but a warning says its last value may
//   have been cut; a last line cut short (fewer fields, or a number cut into something that is
//   not a number) is refused like any other bad line.
// meta.name is the file's stem, meta.source "csv:<file>", meta.interval_s the median gap.
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
// the header). CPU millicores = usage_MHz / (capacity_MHz / cores) x 1000; memory usage in KB
// of 1024 bytes. Columns are found by their header names. A row with no provisioned CPU (0
// cores or 0 MHz: the VM was switched off) and no usage is read as idle (0 millicores) and
// counted in a warning; usage without capacity is refused. Timestamps above 1e11 are taken as
// milliseconds. Repeated stretches of timestamps are merged as in the history CSV.
// meta.source is "bitbrains:<file>".
Trace read_bitbrains(const std::string& path, ReadReport* report = nullptr);

// Google's 2019 Borg trace, `instance_usage` of one task. Usage is normalised to the cell's
// largest machine; the scale factor converts it. Columns `time` (microseconds from the trace's
// start), `avg_cpu_usage` and `avg_memory_usage` are found by header name; the Trace's time is
// in seconds from the trace's start.
// The trace measures usage over 300 s windows aligned to multiples of 300 s, but cuts a window
// short where the task restarts or moves, leaving several rows inside one window (a 188 s part,
// a 1 s part, a 111 s part). Each row is taken to last until the next row starts or its window
// ends, and the rows of a window are merged into one sample, stamped with the window's start,
// holding their duration-weighted mean; ReadReport::windows_merged counts the rows folded in.
// Equal timestamps are first merged by mean and unsorted rows sorted, as in the history CSV.
struct Google2019Scale {
  double cpu_cores_per_unit = 64.0;                           // 1.0 normalised CPU = 64 cores
  double memory_bytes_per_unit = 256.0 * 1024 * 1024 * 1024;  // 1.0 normalised memory = 256 GiB
};
Trace read_google2019(const std::string& path, const Google2019Scale& scale = {},
                      ReadReport* report = nullptr);

// A per-second request-rate file: integers separated by white space, one per second from
// `start_time_s`. The Trace has only the request-rate column. A token that is not a
// non-negative integer is refused with its line and, as the field, its 1-based position among
// all values ("value 1234"). An empty file is refused. meta.source is "requests:<file>".
Trace read_request_rates(const std::string& path, double start_time_s = 0.0);

}  // namespace podsizer::traces
