// Backtest: what a policy would have recommended over a measured history, walking forward.
//
// Decision points fall every `interval_s` (1 h by default) after the first sample: t0 + k x
// interval for k >= 1 up to the last sample. The walk feeds samples in time order; a sample at
// time t is fed before any decision at a time >= t, and a decision at T sees exactly the samples
// with t <= T (Policy enforces that nothing later was seen). The recommendation made at T is in
// force for the samples after T until the next decision. Before the first decision the app
// spec's current resources are in force.
//
// Events. A history holds usage, not the cluster's reactions. The walk derives the one a
// metrics system would have shown under the policy's own recommendation: a sample whose memory
// usage exceeds the memory limit then in force is reported to the policy with one OOM kill (a
// counterfactual event, so VPA's OOM bump acts). Nothing else is invented.
//
// Score, in Kubernetes terms, over the samples after the first decision, each judged against
// the recommendation in force at its time:
//   mean CPU request (m) and mean memory request (MiB), over samples where one is set;
//   memory slack: the mean of max(0, request - usage) / request;
//   OOM samples per day: samples whose memory usage exceeds the memory limit;
//   memory over request %: samples whose memory usage exceeds the memory request;
//   CPU throttled %: samples whose CPU usage exceeds the CPU limit;
//   changes per day: decisions after the first that changed any of the four values.
// Days are the scored span: last sample time minus the first decision's time.
//
// The timeline CSV, one row per decision point:
//   timestamp,cpu_request_millicores,cpu_limit_millicores,memory_request_mib,memory_limit_mib
// timestamp in Unix seconds (whole seconds printed without decimals); values with at most three
// decimals and no trailing zeros; an empty field where the value is unset.
//
// Functions here are re-entrant; a Policy passed in is used from the calling thread only.
#pragma once

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "policies/policy.h"
#include "traces/app_spec.h"
#include "traces/trace.h"

namespace podsizer::policies {

class BacktestError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct BacktestOptions {
  double interval_s = 3600.0;
  bool report_oom_events = true;  // the counterfactual OOM events of the file comment
};

struct TimelineRow {
  double time_s = 0.0;
  traces::ContainerResources resources;
  std::optional<double> hpa_target_utilization;
};

struct BacktestScore {
  std::size_t samples = 0;  // scored samples
  double days = 0.0;
  std::optional<double> mean_cpu_request_millicores;
  std::optional<double> mean_memory_request_mib;
  std::optional<double> memory_slack;  // 0..1
  double oom_samples_per_day = 0.0;
  double memory_over_request_percent = 0.0;
  double cpu_throttled_percent = 0.0;
  double changes_per_day = 0.0;
  std::size_t oom_samples = 0;
  std::size_t changes = 0;
};

struct BacktestResult {
  std::string policy;
  std::vector<TimelineRow> timeline;
  BacktestScore score;
};

// Walks `trace` forward with `policy` (reset first). Throws BacktestError when the history is
// too short for one decision (fewer than two samples, or spanning less than one interval) or
// has neither CPU nor memory, and std::invalid_argument for interval_s <= 0.
BacktestResult run_backtest(const traces::Trace& trace, Policy& policy, const traces::AppSpec& app,
                            const BacktestOptions& options = {});

// The same with a policy built by name (UnknownPolicyError for an unknown one).
BacktestResult run_backtest(const traces::Trace& trace, const std::string& policy_name,
                            const traces::AppSpec& app, const BacktestOptions& options = {},
                            const PolicyOptions& policy_options = {});

// Scores a timeline against a history (see the file comment). Exposed for tests.
BacktestScore score_timeline(const traces::Trace& trace, const std::vector<TimelineRow>& rows);

std::string timeline_csv(const std::vector<TimelineRow>& rows);
// Writes timeline_csv() atomically (traces/atomic_file.h); InputError naming the path on failure.
void write_timeline_csv(const std::string& path, const std::vector<TimelineRow>& rows);

// A plain-text table of scores, one column per result.
std::string format_score_table(const std::vector<BacktestResult>& results);

// The app spec a backtest assumes when the user brings none: the embedded example app with the
// trace's name, and current resources taken from the first day of usage (the first 24 h, or all
// of a shorter history): CPU request = the 95th percentile of CPU, CPU limit = 2 x that;
// memory request = the peak memory, memory limit = 1.2 x that (the design's default memory
// safety margin). A resource the trace lacks keeps the example's value.
// A trace without a request rate (a VM or a batch task) is one measured instance: it runs as
// one pod with the HPA off. Scaled out, every added replica would replay the instance's whole
// memory, multiplying what was measured instead of sharing a load.
traces::AppSpec default_app_for_history(const traces::Trace& trace);

// Parses a duration such as "1h", "30m", "90s", "2d" or a bare number of seconds. Throws
// std::invalid_argument for anything else or a value <= 0.
double parse_duration_s(const std::string& text);

}  // namespace podsizer::policies
