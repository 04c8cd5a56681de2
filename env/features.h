// The one feature extractor: a window of metrics, as a metrics system holds them, in; the
// observation vector a policy sees, out. The environment, backtests and recommendations all call
// it, so a policy sees the same numbers in training and in production.
//
// Input. MetricsPoint is one bin of a fixed grid (5 minutes by default) of what Prometheus or a
// history CSV holds for one workload: per-pod CPU and memory, the request rate when known, the
// replica count, the events of the bin (OOM kills, restarts, evictions), the throttled fraction
// and the latency at the SLO's percentile over the SLO when known. Nothing the simulator knows and
// a metrics system would not (true demand, queue length) has a field here. MetricsBinner turns
// raw samples at any spacing into bins; two adapters feed it: points_from_trace() (a Trace prefix)
// and SimSeriesAdapter (sim's observed series and interval rows).
//
// Output. extract() writes kFeatureCount floats in the order of feature_names(); env/README.md
// documents each (unit, normalisation). Usage is expressed in log space relative to a reference
// (CPU: the 24 h p95 per pod; memory: the 24 h max per pod), and the reference's own log scale
// is a separate feature, so workloads of very different sizes look alike to the network.
//
// Windows: 1 h, 6 h and 24 h over the bins; 7 d over hourly aggregates (the mean of the bins of
// each whole hour for the percentiles, their max for the max), which keeps every update cheap.
// A window counts the bins whose end lies in (now − window, now]. An empty window gives 0.
//
// Cost: add() is O(log n) plus a memmove of at most 288 doubles; extract() is O(1) apart from
// its 53 outputs. Nothing allocates per call once the windows are full.
// Not synchronised: one extractor per workload per thread.
#pragma once

#include <array>
#include <cstddef>
#include <deque>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "sim/metrics_pipeline.h"
#include "sim/results.h"
#include "traces/app_spec.h"
#include "traces/trace.h"
#include "traces/window_stats.h"

namespace podsizer::env {

inline constexpr double kUnknown = std::numeric_limits<double>::quiet_NaN();

// One bin of metrics. Usage values are per pod; NaN marks a value the source does not have.
struct MetricsPoint {
  double end_s = 0;                        // end of the bin, seconds (Unix for real data)
  double cpu_millicores = kUnknown;        // per-pod mean usage over the bin
  double memory_bytes = kUnknown;          // per-pod mean working set over the bin
  double request_rate = kUnknown;          // whole workload, requests per second
  double replicas = kUnknown;              // pods reporting, mean over the bin
  double oom_kills = 0;                    // events inside the bin
  double restarts = 0;
  double evictions = 0;
  double throttled_fraction = kUnknown;    // share of pod time throttled by the CPU limit, 0..1
  double latency_over_slo = kUnknown;      // latency at the SLO's percentile / the SLO
};

// Configuration shared by everything that extracts features; a policy must be trained and run
// with the same values (the exported policy card records them).
struct FeatureConfig {
  double bin_s = 300;  // grid of MetricsPoint
};

inline constexpr std::size_t kFeatureCount = 53;
// Indices the action mapping centres on (see env/action_space.h).
inline constexpr std::size_t kCpuRefFeature = 0;     // ln(reference CPU, millicores)
inline constexpr std::size_t kMemoryRefFeature = 1;  // ln(reference memory, bytes)
inline constexpr std::size_t kCpuMax7dFeature = 13;       // cpu_max_7d_log_ratio
inline constexpr std::size_t kMemoryMax7dFeature = 25;    // memory_max_7d_log_ratio
inline constexpr std::size_t kMemoryLimitFeature = 32;    // memory_limit_log_ratio
inline constexpr std::size_t kOomKills1hFeature = 43;     // oom_kills_1h_log1p

// Names of the features in order, units in the name.
const std::vector<std::string>& feature_names();

// Sums samples into bins of `bin_s` aligned to multiples of bin_s (bin k covers
// [k·bin_s, (k+1)·bin_s)). A sample at time t belongs to the bin containing t. Means are taken
// over the samples that carry the value; events are summed. A bin is emitted when a sample of a
// later bin arrives or on flush_until(). Not synchronised.
class MetricsBinner {
 public:
  explicit MetricsBinner(double bin_s);

  // Adds a raw sample (MetricsPoint::end_s holds its time here). Returns the number of bins
  // completed into `out` (appended). REQUIRES: times do not go back.
  void add(const MetricsPoint& sample, std::vector<MetricsPoint>& out);
  // Emits the open bin when its end is at or before `now_s`.
  void flush_until(double now_s, std::vector<MetricsPoint>& out);
  void clear();

 private:
  void emit(std::vector<MetricsPoint>& out);

  double bin_s_;
  long long bin_ = std::numeric_limits<long long>::min();
  std::array<double, 7> sums_{};    // cpu, memory, rate, replicas, throttled, latency, unused
  std::array<int, 7> counts_{};
  double oom_ = 0, restarts_ = 0, evictions_ = 0;
  bool open_ = false;
};

// The resources in force, as the policy is told them; unset fields are std::nullopt.
using Resources = traces::ContainerResources;

class FeatureExtractor {
 public:
  explicit FeatureExtractor(FeatureConfig config = {});

  // Adds one bin. REQUIRES: end_s does not go back.
  void add(const MetricsPoint& point);
  void add(std::span<const MetricsPoint> points);

  // Writes the kFeatureCount features as seen at `now_s` with `current` in force.
  // REQUIRES: out.size() >= kFeatureCount.
  void extract(double now_s, const Resources& current, std::span<float> out);

  // The references (per pod) the features are relative to at the last extract()/add():
  // CPU 24 h p95 in millicores, memory 24 h max in bytes; both floored (1 millicore, 1 MiB) and,
  // with no history, taken from the current requests.
  double cpu_reference() const { return cpu_ref_; }
  double memory_reference() const { return memory_ref_; }
  double history_s() const;

  void clear();
  const FeatureConfig& config() const { return config_; }

 private:
  // A running sum of (time, value) over a window; O(1) amortised.
  struct WindowSum {
    explicit WindowSum(double window) : window_s(window) {}
    void add(double t, double v, double w = 1.0);
    void advance(double t);
    void clear();
    double window_s;
    std::deque<std::array<double, 3>> items;  // time, value, weight
    double sum = 0, weight = 0;
  };

  void flush_hour();
  void advance_all(double now_s);

  FeatureConfig config_;
  std::array<traces::WindowStats, 3> cpu_, memory_;  // 1 h, 6 h, 24 h over bins
  traces::WindowStats cpu_week_, memory_week_, memory_week_max_, cpu_week_max_;  // hourly
  WindowSum rate_1h_, rate_24h_, rate_week_;
  WindowSum oom_1h_, oom_24h_, restarts_24h_, evictions_24h_;
  WindowSum throttled_1h_, latency_1h_, violation_24h_;
  double last_replicas_ = kUnknown;
  double first_end_s_ = kUnknown, last_end_s_ = kUnknown;
  // The hour being aggregated for the 7 d window.
  long long hour_ = std::numeric_limits<long long>::min();
  double hour_cpu_sum_ = 0, hour_memory_sum_ = 0, hour_cpu_max_ = 0, hour_memory_max_ = 0;
  int hour_cpu_n_ = 0, hour_memory_n_ = 0;
  double hour_end_s_ = 0;
  double cpu_ref_ = 1, memory_ref_ = 1;
};

// Adapter: the bins of trace samples [0, end) (a prefix, so a backtest never looks ahead),
// with `time_offset_s` added to the trace's times. Events and latency are unknown in a Trace;
// the request rate is known when the trace has that column.
std::vector<MetricsPoint> points_from_trace(const traces::Trace& trace, std::size_t end,
                                            double bin_s, double time_offset_s = 0);

// Adapter over a running Simulation's outputs for one workload: the per-scrape series
// (sim::Simulation::observed_series) and the closed interval rows, whose results interval must
// equal the bin (so each row is one bin). consume() turns every row closed since its last call
// into a MetricsPoint: CPU, memory and replicas from the scrapes taken inside the row's span
// (per pod: the sums over the pods reporting); rate, events, throttling and latency from the row
// (what the workload's own metrics and kube-state-metrics expose). `time_offset_s` is added to
// simulated time (the trace's start, for the time of day and week).
class SimSeriesAdapter {
 public:
  SimSeriesAdapter(double time_offset_s, double slo_ms, bool rate_known);

  // Appends one point per row not yet read. `series` and `rows` are everything so far.
  void consume(std::span<const sim::WorkloadSample> series,
               std::span<const sim::IntervalRow> rows, std::vector<MetricsPoint>& out);
  void reset();

 private:
  double offset_s_, slo_ms_;
  bool rate_known_;
  std::size_t series_read_ = 0, rows_read_ = 0;
};

// The per-bin values of one interval row (events, rate, throttling, latency), for the adapter
// and for tests that build rows by hand.
void merge_row(const sim::IntervalRow& row, double slo_ms, bool rate_known, MetricsPoint& point);

}  // namespace podsizer::env
