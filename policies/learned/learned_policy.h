// LearnedPolicy: a policies::Policy whose decisions come from a function of the shared feature
// vector (env/features.h), such as an exported TorchScript network or a learner in training.
//
// observe() turns each Sample into a MetricsPoint and bins it on the feature grid
// (env::MetricsBinner); decide() closes the bins up to `now` (or up to the end of the last
// sample's interval, taken as the last gap between samples, as env::points_from_trace does),
// extracts the kFeatureCount features
// with the resources in force, and calls the function, which writes the outputs in the order of
// env/action_space.h: CPU request and limit (millicores), memory request and limit (bytes) and,
// when there are five, the HPA target utilization (a fraction). Like the environment, a decision
// whose every value lies within `change_tolerance` of the resources in force keeps them, so the
// policy is judged in backtests exactly as it was trained.
//
// This header does not include LibTorch: the TorchScript loader (torchscript_policy.h) and train/
// each supply the function. Not synchronised: one instance per workload per thread; the function
// must be safe to call from the instance's thread (the loader gives each instance its own).
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "env/features.h"
#include "policies/policy.h"

namespace podsizer::policies::learned {

// Writes `outputs` (4 or 5 values) from one raw feature row of env::kFeatureCount floats.
using FeaturePolicyFunction =
    std::function<void(std::span<const float> features, std::span<double> outputs)>;

struct LearnedPolicyOptions {
  std::size_t output_count = 4;   // 4: requests and limits; 5: and the HPA target
  double change_tolerance = 0.05;  // relative; 0 applies every decision
  env::FeatureConfig features;    // must match the one the policy was trained with
};

class LearnedPolicy : public Policy {
 public:
  // Throws std::invalid_argument for an output count other than 4 or 5 or a negative tolerance.
  LearnedPolicy(std::string name, FeaturePolicyFunction function,
                const LearnedPolicyOptions& options = {});

  std::string name() const override { return name_; }

  // The features of the last decision (empty before the first), for tests and explanations.
  const std::vector<float>& last_features() const { return features_; }

 protected:
  void on_observe(const Sample& sample) override;
  Decision on_decide(const DecisionContext& ctx) override;
  void on_reset() override;

 private:
  std::string name_;
  FeaturePolicyFunction function_;
  LearnedPolicyOptions options_;
  env::MetricsBinner binner_;
  env::FeatureExtractor extractor_;
  std::vector<env::MetricsPoint> bins_;  // reused between calls
  std::vector<float> features_;
  std::vector<double> outputs_;
  std::optional<double> last_time_s_;
  double last_gap_s_ = 0;
};

// The same MetricsPoint the environment feeds its extractor, from a policy Sample.
env::MetricsPoint to_metrics_point(const Sample& sample);

}  // namespace podsizer::policies::learned
