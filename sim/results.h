// What a replay produces: per-interval rows and a summary per workload, and their HDF5 file.
//
// An interval row covers [start_s, end_s) of simulated time (the results interval of
// SimulationOptions) and holds time-averages of levels (requests, usage, replicas) and totals of
// events (OOM kills, evictions, restarts) and of time (throttled, pending, SLO violation). The
// latency percentiles of a row are the request-weighted means of those of the stretches between
// events inside it (each stretch's percentiles come from sim/latency.h); a stretch whose
// percentile at the SLO's level exceeds the SLO counts fully as violation time.
//
// HDF5 layout: one group per workload under /workloads, holding one float64 dataset per interval
// column and the summary as double attributes; /cluster holds node-hours and cost as attributes.
// The file is written to a temporary beside the target and renamed (traces/atomic_file.h).
// Plain values; the writer is not synchronised (HDF5's C++ API is not thread-safe here).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace podsizer::sim {

struct IntervalRow {
  double start_s = 0;
  double end_s = 0;
  double cpu_request_millicores = 0;  // summed over the workload's running pods, time-average
  double cpu_limit_millicores = 0;    // of the main container of one pod (0 when unset)
  double cpu_usage_millicores = 0;    // what the pods got, summed, time-average
  double cpu_demand_millicores = 0;   // what they wanted, summed, time-average
  double memory_request_bytes = 0;
  double memory_limit_bytes = 0;  // of the main container of one pod (0 when unset)
  double memory_usage_bytes = 0;
  double cpu_slack_millicores = 0;  // request - usage
  double memory_slack_bytes = 0;
  double throttled_seconds = 0;                // pod-seconds spent in throttled periods
  double throttled_cpu_millicore_seconds = 0;  // CPU pushed out of its period by the quota
  double memory_over_request_seconds = 0;  // pod-seconds with pod memory above its request
  double oom_kills = 0;
  double evictions = 0;
  double restarts = 0;
  double pending_seconds = 0;  // pod-seconds spent Pending
  double replicas_mean = 0;    // pods that exist (any phase but Terminated)
  double replicas_max = 0;
  double ready_mean = 0;
  double requests = 0;  // arrivals in the interval
  double errors = 0;    // dropped: timed out, or no ready replica
  double latency_p50_ms = 0;
  double latency_p95_ms = 0;
  double latency_p99_ms = 0;
  double latency_slo_ms = 0;  // at the SLO's percentile
  double slo_violation_seconds = 0;
  double cost = 0;  // workload cost: max(request, usage) x prices
};

struct WorkloadSummary {
  std::string name;
  double duration_s = 0;
  double oom_kills = 0;
  double evictions = 0;
  double restarts = 0;
  double throttled_seconds = 0;
  double memory_over_request_seconds = 0;  // pod-seconds exposed to node-pressure eviction
  double pending_seconds = 0;
  double slo_violation_seconds = 0;
  double p50_latency_ms = 0;  // request-weighted means over the replay
  double p95_latency_ms = 0;
  double p99_latency_ms = 0;
  double max_interval_p95_ms = 0;
  double mean_replicas = 0;
  double max_replicas = 0;
  double requests = 0;
  double errors = 0;
  double error_rate = 0;
  double cpu_request_core_hours = 0;
  double memory_request_gib_hours = 0;
  double cpu_usage_core_hours = 0;
  double memory_usage_gib_hours = 0;
  double mean_cpu_slack_millicores = 0;
  double mean_memory_slack_bytes = 0;
  double cost = 0;  // max(request, usage) x prices
};

struct ClusterSummary {
  double node_hours = 0;
  double node_cost = 0;
  double max_nodes = 0;
  double nodes_added = 0;
  double nodes_removed = 0;
};

struct SimulationResults {
  std::vector<std::string> workload_names;
  std::vector<std::vector<IntervalRow>> intervals;  // per workload
  std::vector<WorkloadSummary> summaries;
  ClusterSummary cluster;
  std::uint64_t seed = 0;
};

// Writes `results` to `path` atomically. Throws traces::InputError naming the path on failure.
void write_results_hdf5(const std::string& path, const SimulationResults& results);

// Reads back the interval rows of one workload (for tests and reports).
std::vector<IntervalRow> read_interval_rows(const std::string& path, const std::string& workload);

}  // namespace podsizer::sim
