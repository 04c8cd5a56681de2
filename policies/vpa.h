// The "vpa" baseline: the Vertical Pod Autoscaler's recommender and updater, in Auto mode with
// controlledValues RequestsAndLimits, reproduced from kubernetes/autoscaler
// vertical-pod-autoscaler (recommender: pkg/recommender/logic/recommender.go, estimator.go,
// model/aggregate_container_state.go, model/container.go, util/*histogram*.go; updater:
// pkg/updater/priority/update_priority_calculator.go, priority_processor.go).
//
// Recommender.
// - CPU: a decaying histogram of usage in cores (buckets from 0.01 to 1000 cores growing by
//   5 %, half-life 24 h). VPA takes one sample a minute at weight 0.1; a sample here stands for
//   the minutes since the previous one (clamped to 1..60; the first counts as one), so it is
//   added at weight 0.1 x minutes and counts as that many samples toward the confidence. A
//   5-minute sample therefore weighs what five one-minute samples of the same value would.
// - Memory: one peak per 24 h aggregation interval. The first sample opens an interval ending
//   24 h later; a sample past the end opens the interval containing it. Each peak enters a
//   decaying histogram (buckets from 1e7 to 1e12 bytes growing by 5 %, half-life 24 h) at weight
//   1, timed at its interval's end; the peaks of the last 8 intervals are kept.
// - After an OOM kill a memory sample of max(used + 100 MiB, 1.2 x used) is recorded in the
//   current interval, with used = max(memory request, the interval's usage peak).
// - Target = P90, lower bound = P50, upper bound = P95, each x 1.15. With confidence
//   c = min(days between first and last CPU sample, CPU samples / 1440), the upper bound is
//   multiplied by (1 + 1/c) and the lower bound by (1 + 0.001/c)^-2. All three are at least
//   25 millicores and 250 MiB.
// Updater, at each decision point.
// - A pod whose request lies outside [lower, upper] for CPU or memory (or has none) is updated.
// - Otherwise only a pod running for at least 12 h whose requests differ from the target by a
//   relative sum |request - target| / request over CPU and memory of at least 0.1.
// - A pod OOM-killed within 10 minutes of its container starting is updated whenever the
//   target differs from its request.
// - An update sets the requests to the target and each limit to target x (original limit /
//   original request), the ratio of the application's spec; a resource without a limit keeps
//   none. The updated pod starts afresh (its age restarts).
//
// Options (make_policy("vpa", ...)): cpu_half_life_h, memory_half_life_h, target_percentile,
// lower_percentile, upper_percentile, safety_margin, min_cpu_millicores, min_memory_mib,
// memory_interval_h, memory_intervals, update_threshold, pod_lifetime_h.
// Not synchronised.
#pragma once

#include <deque>
#include <optional>

#include "policies/histogram.h"
#include "policies/policy.h"

namespace podsizer::policies {

struct VpaOptions {
  double cpu_half_life_s = 24 * 3600.0;
  double memory_half_life_s = 24 * 3600.0;
  double cpu_sample_weight = 0.1;  // per one-minute sample
  double target_percentile = 0.9;
  double lower_percentile = 0.5;
  double upper_percentile = 0.95;
  double safety_margin = 0.15;
  double min_cpu_millicores = 25.0;
  double min_memory_bytes = 250.0 * 1024 * 1024;
  double memory_interval_s = 24 * 3600.0;
  int memory_intervals = 8;
  double oom_min_bump_bytes = 100.0 * 1024 * 1024;
  double oom_bump_ratio = 1.2;
  double update_threshold = 0.1;        // minimum relative change for an old pod
  double pod_lifetime_s = 12 * 3600.0;  // a pod this old may be updated within range
  double evict_after_oom_s = 600.0;     // an OOM this soon after a start is a "quick OOM"

  static VpaOptions from(const PolicyOptions& options);
};

// What the recommender would publish in the VPA object's status.
struct VpaRecommendation {
  double cpu_target_millicores = 0.0;
  double cpu_lower_millicores = 0.0;
  double cpu_upper_millicores = 0.0;
  std::optional<double> memory_target_bytes;  // nullopt when no memory sample was seen
  std::optional<double> memory_lower_bytes;
  std::optional<double> memory_upper_bytes;
  double confidence = 0.0;
};

class VpaPolicy : public Policy {
 public:
  explicit VpaPolicy(VpaOptions options = {});

  std::string name() const override { return "vpa"; }

  // The recommendation from what has been observed; nullopt before any CPU sample.
  std::optional<VpaRecommendation> recommend() const;

  // The confidence c of the file comment.
  double confidence() const;

 protected:
  void on_observe(const Sample& sample) override;
  Decision on_decide(const DecisionContext& ctx) override;
  void on_reset() override;

 private:
  struct MemoryInterval {
    double end_s;
    double usage_peak;
    double oom_peak;
  };

  void add_memory_sample(double time_s, double bytes, bool is_oom);
  void record_oom(double time_s);

  VpaOptions options_;
  DecayingHistogram cpu_;
  std::optional<double> first_cpu_s_;
  std::optional<double> last_cpu_s_;
  std::optional<double> previous_sample_s_;
  double cpu_sample_minutes_ = 0.0;
  std::deque<MemoryInterval> memory_;
  std::optional<double> window_end_s_;

  // The pod as the updater sees it.
  std::optional<traces::ContainerResources> original_;  // the spec, for the limit ratios
  std::optional<double> memory_request_bytes_;          // in force, for the OOM bump
  std::optional<double> pod_start_s_;
  std::optional<double> container_start_s_;
  bool quick_oom_ = false;
};

}  // namespace podsizer::policies
