#include "policies/learned/learned_policy.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "env/action_space.h"

namespace podsizer::policies::learned {

env::MetricsPoint to_metrics_point(const Sample& sample) {
  // A value the sample lacks stays NaN (unknown), as the extractor expects.
  env::MetricsPoint p;
  p.end_s = sample.time_s;
  if (sample.cpu_millicores) p.cpu_millicores = *sample.cpu_millicores;
  if (sample.memory_bytes) p.memory_bytes = *sample.memory_bytes;
  if (sample.request_rate) p.request_rate = *sample.request_rate;
  p.replicas = sample.replicas;
  p.oom_kills = sample.oom_kills;
  p.restarts = sample.restarts;
  p.evictions = sample.evictions;
  if (sample.throttled_fraction) p.throttled_fraction = *sample.throttled_fraction;
  return p;
}

LearnedPolicy::LearnedPolicy(std::string name, FeaturePolicyFunction function,
                             const LearnedPolicyOptions& options)
    : name_(std::move(name)),
      function_(std::move(function)),
      options_(options),
      binner_(options.features.bin_s),
      extractor_(options.features) {
  if (options_.output_count != 4 && options_.output_count != 5) {
    throw std::invalid_argument("LearnedPolicy: expected 4 or 5 outputs, got " +
                                std::to_string(options_.output_count));
  }
  if (!(options_.change_tolerance >= 0)) {
    throw std::invalid_argument("LearnedPolicy: change_tolerance must be >= 0");
  }
  if (!function_) throw std::invalid_argument("LearnedPolicy: no policy function");
  outputs_.resize(options_.output_count);
}

void LearnedPolicy::on_observe(const Sample& sample) {
  // A sample stands for the sampling interval after it (env::points_from_trace reads a trace
  // the same way); the last gap seen is that interval.
  if (last_time_s_ && sample.time_s > *last_time_s_) last_gap_s_ = sample.time_s - *last_time_s_;
  last_time_s_ = sample.time_s;

  // Bins complete as later samples arrive; each goes to the extractor at once.
  binner_.add(to_metrics_point(sample), bins_);
  if (!bins_.empty()) {
    extractor_.add(bins_);
    bins_.clear();
  }
}

Decision LearnedPolicy::on_decide(const DecisionContext& ctx) {
  // Close the bins that ended by now or that the last sample's interval completes, then look
  // at the workload as the environment would.
  const double covered = last_time_s_ ? *last_time_s_ + last_gap_s_ : ctx.now_s;
  binner_.flush_until(std::max(ctx.now_s, covered), bins_);
  if (!bins_.empty()) {
    extractor_.add(bins_);
    bins_.clear();
  }
  features_.resize(env::kFeatureCount);
  extractor_.extract(ctx.now_s, ctx.current, features_);
  function_(features_, outputs_);

  // The outputs in env/action_space.h's order.
  Decision d;
  d.resources.requests.cpu_millicores = outputs_[env::kCpuRequest];
  d.resources.limits.cpu_millicores = outputs_[env::kCpuLimit];
  d.resources.requests.memory_bytes = outputs_[env::kMemoryRequest];
  d.resources.limits.memory_bytes = outputs_[env::kMemoryLimit];
  if (options_.output_count == 5) d.hpa_target_utilization = outputs_[env::kHpaTarget];

  // Small changes keep what is in force, as in training (env/sim_environment.h).
  if (options_.change_tolerance > 0 &&
      !env::differs(ctx.current, d.resources, options_.change_tolerance)) {
    d.resources = ctx.current;
  }
  return d;
}

void LearnedPolicy::on_reset() {
  binner_.clear();
  extractor_.clear();
  bins_.clear();
  features_.clear();
  last_time_s_.reset();
  last_gap_s_ = 0;
}

}  // namespace podsizer::policies::learned
