// The "krr" baseline: Robusta KRR's "simple" strategy (robusta-dev/krr,
// robusta_krr/strategies/simple.py, with the defaults of its settings).
//
// At each decision it looks back over the history window (14 days by default, KRR's
// --history_duration of 336 h):
// - if the samples in the window span less than 3 h, or number fewer than 100 for a resource
//   (KRR's points_required), it recommends nothing for that resource and the current value
//   stays;
// - CPU request = the 95th percentile of per-pod CPU usage in the window (linear interpolation
//   between ranks, as Prometheus' quantile_over_time and numpy's percentile), no CPU limit;
// - memory request = memory limit = the window's peak usage x 1.15;
// - never below 10 millicores of CPU and 100 MiB of memory (KRR's cpu_min_value and
//   memory_min_value).
// Values are not rounded (KRR rounds up to 1 m and 1 MB for display only).
//
// Options: history_h, min_history_h, points_required, cpu_percentile (0..1), memory_buffer
// (0.15 = 15 %), min_cpu_millicores, min_memory_mib. Not synchronised.
#pragma once

#include "policies/policy.h"
#include "traces/window_stats.h"

namespace podsizer::policies {

struct KrrOptions {
  double history_s = 14 * 86400.0;
  double min_history_s = 3 * 3600.0;
  double points_required = 100;
  double cpu_percentile = 0.95;
  double memory_buffer = 0.15;
  double min_cpu_millicores = 10.0;
  double min_memory_bytes = 100.0 * 1024 * 1024;

  static KrrOptions from(const PolicyOptions& options);
};

class KrrPolicy : public Policy {
 public:
  explicit KrrPolicy(KrrOptions options = {});

  std::string name() const override { return "krr"; }

 protected:
  void on_observe(const Sample& sample) override;
  Decision on_decide(const DecisionContext& ctx) override;
  void on_reset() override;

 private:
  KrrOptions options_;
  traces::WindowStats cpu_;
  traces::WindowStats memory_;
  traces::WindowStats times_;  // sample times, for the span of the window
};

}  // namespace podsizer::policies
