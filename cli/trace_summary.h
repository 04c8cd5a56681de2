// Summaries of a Trace that the commands print: counts, span, interval, and the distribution of
// each column, plus the small formatters they share (durations, quantities, ISO times).
//
// Percentiles are traces::percentile's (type 7). Plain functions over values; thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "traces/trace.h"

namespace podsizer::cli {

// The distribution of one column.
struct ColumnStats {
  double mean = 0.0;
  double p50 = 0.0;
  double p95 = 0.0;
  double max = 0.0;
};

struct TraceSummary {
  std::size_t samples = 0;
  double span_s = 0.0;
  double interval_s = 0.0;  // median gap between samples
  double first_time_s = 0.0;
  std::optional<ColumnStats> cpu_millicores;
  std::optional<ColumnStats> memory_bytes;
  std::optional<ColumnStats> request_rate;
};

TraceSummary summarize(const traces::Trace& trace);

// "14.0 d", "3.5 h", "25 min", "300 s".
std::string format_duration(double seconds);

// Memory for people: rounded to whole MiB (or KiB below 1 MiB) in Kubernetes notation.
std::string format_memory_rounded(double bytes);

// CPU in Kubernetes notation, whole millicores.
std::string format_cpu_rounded(double millicores);

// Unix seconds as "2023-11-14T22:13:20Z" (whole seconds).
std::string format_utc(double unix_s);

// Parses a time given on the command line: Unix seconds ("1700000000", "1700000000.5") or
// RFC 3339 ("2023-11-14T22:13:20Z", "2023-11-14T23:13:20.5+01:00"). Throws
// std::invalid_argument naming `option` and quoting the text.
double parse_time(const std::string& text, const std::string& option);

}  // namespace podsizer::cli
