// The "autopilot" baseline: the moving-window recommender of Autopilot (Rzadca et al.,
// "Autopilot: workload autoscaling at Google", EuroSys 2020, section 3.2), mapped onto
// Kubernetes.
//
// - CPU: every sample enters a decaying histogram whose weights halve every 12 h of age
//   (w = 2^(-age / half-life)). The histogram is load-adjusted as in the paper: a sample in
//   bucket k counts with weight w x b[k], b[k] being the bucket's value (its upper end), so the
//   percentile is one of CPU consumed rather than of time. The statistic for serving jobs is its
//   95th percentile. Buckets are VPA's CPU buckets (0.01 to 1000 cores, 5 % growth) rather than
//   the paper's 400 unpublished ones.
// - Memory: the peak usage (S_max) over a window of 192 h, four of memory's 48 h half-lives,
//   beyond which a sample would weigh under 1/16 in a decayed histogram; the paper leaves the
//   window length open.
// - A safety margin is added: 10 % for CPU, 15 % for memory (the paper's 10-15 %, the upper end
//   for memory since running out of it kills the task).
// - The recommendation computed after each sample enters a 1 h window and the policy answers
//   the maximum over that window, so recommendations rise at once and fall slowly.
// Borg enforces limits and schedules by them, so the recommendation becomes both the request and
// the limit of each resource here (Guaranteed QoS). Before any sample it keeps what is in force.
//
// Options: cpu_half_life_h, cpu_percentile, cpu_margin, memory_window_h, memory_margin,
// stabilization_h. Not synchronised.
#pragma once

#include <deque>
#include <optional>

#include "policies/histogram.h"
#include "policies/policy.h"

namespace podsizer::policies {

struct AutopilotOptions {
  double cpu_half_life_s = 12 * 3600.0;
  double cpu_percentile = 0.95;
  double cpu_margin = 0.10;
  double memory_window_s = 192 * 3600.0;
  double memory_margin = 0.15;
  double stabilization_s = 3600.0;

  static AutopilotOptions from(const PolicyOptions& options);
};

class AutopilotPolicy : public Policy {
 public:
  explicit AutopilotPolicy(AutopilotOptions options = {});

  std::string name() const override { return "autopilot"; }

  // The recommendation before the 1 h maximum: the margin-adjusted statistics now.
  std::optional<double> raw_cpu_millicores() const;
  std::optional<double> raw_memory_bytes() const;

 protected:
  void on_observe(const Sample& sample) override;
  Decision on_decide(const DecisionContext& ctx) override;
  void on_reset() override;

 private:
  struct Timed {
    double time_s;
    double value;
  };

  AutopilotOptions options_;
  DecayingHistogram cpu_;
  std::deque<Timed> memory_peaks_;  // decreasing values: the window maximum is at the front
  std::deque<Timed> cpu_recent_;    // raw recommendations within the stabilization window
  std::deque<Timed> memory_recent_;
};

}  // namespace podsizer::policies
