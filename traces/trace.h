// Trace: the measured history of one workload as typed columns.
//
// A Trace holds one row per sample: the time in seconds (Unix seconds for real data, seconds
// from zero for synthetic load), CPU usage in millicores and memory usage in bytes per pod,
// the workload's total request rate in requests per second, and how many pods the usage was
// measured over. Any of the value columns may be absent (empty), since real exports often lack
// the request rate and request-rate files carry nothing else; a present column has exactly one
// value per timestamp. Timestamps are strictly increasing once a reader has returned.
//
// A Trace is a plain value: copy it freely; it is not synchronised, so share it read-only
// between threads.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace podsizer::traces {

struct TraceMeta {
  std::string name;              // the workload, usually the file name without extension
  std::string source;            // where it came from: "csv:PATH", "bitbrains:PATH", "synthetic"
  double interval_s = 0.0;       // nominal sampling interval (the median gap between samples)
  std::string cpu_unit = "millicores";
  std::string memory_unit = "bytes";
  std::string rate_unit = "requests/s";
};

struct Trace {
  TraceMeta meta;
  std::vector<double> time_s;
  std::vector<double> cpu_millicores;  // per pod; empty when unknown
  std::vector<double> memory_bytes;    // per pod; empty when unknown
  std::vector<double> request_rate;    // whole workload; empty when unknown
  std::vector<double> replicas;        // pods the usage was measured over; empty means one

  std::size_t size() const { return time_s.size(); }
  bool empty() const { return time_s.empty(); }
  bool has_cpu() const { return !cpu_millicores.empty(); }
  bool has_memory() const { return !memory_bytes.empty(); }
  bool has_request_rate() const { return !request_rate.empty(); }
  bool has_replicas() const { return !replicas.empty(); }

  // Last timestamp minus first; 0 for fewer than two samples.
  double span_s() const;

  // Checks the invariants above; throws std::invalid_argument naming the first one broken.
  void validate() const;
};

// The median gap between consecutive timestamps; 0 for fewer than two samples.
double median_interval(const std::vector<double>& time_s);

enum class Aggregation { kMean, kMax };

// Resamples onto a fixed grid of `step_s` starting at the first timestamp. Each output sample
// stands for the bin [t, t + step) and aggregates the input samples inside it; a bin with no
// sample repeats the previous bin's values (the last known state, as a metrics system would
// show). Replicas are averaged in both modes. Requires step_s > 0.
Trace resample(const Trace& trace, double step_s, Aggregation aggregation);

// The samples with begin_s <= t < end_s.
Trace slice(const Trace& trace, double begin_s, double end_s);

// The p-quantile (0 <= p <= 1) of `values` by linear interpolation between the closest ranks
// (the "type 7" estimator of Hyndman and Fan, numpy's default). NaN for no values.
double percentile(std::vector<double> values, double p);

}  // namespace podsizer::traces
