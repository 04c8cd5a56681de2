// The action space: how an action in [-1, 1]^k becomes requests, limits and an HPA target.
//
// Each output is a rule of the same form as agent::OutputMapping (agent/action_mapping.h), so the
// exported TorchScript module applies exactly this mapping after the network; train/ copies the
// rules field by field into an agent::ActionMapping. For output k:
//
//   a     = clamp(action[action_index], -1, 1)
//   base  = features[centre_feature]      (already a natural log: the references, env/features.h)
//   value = exp(offset + base + scale · a)          in log space, or offset + scale · a linear
//   value = clamp(value, min_value, max_value)
//   value = max(value, output[at_least_output])     (limit >= request)
//
// The defaults (ActionSpaceConfig) and their reasons:
//   cpu_request     = ref_cpu · e^(1.5 a)           0.22× … 4.5× the 24 h p95 per pod
//   cpu_limit       = ref_cpu · 2 · e^(1.5 a)       0.45× … 9×, never below the request
//   memory_request  = ref_mem · 1.2 · e^(0.5 a)     0.73× … 1.98× the 24 h peak per pod;
//                                                   the centre is the app's safety margin
//   memory_limit    = ref_mem · 1.92 · e^(0.5 a)    1.16× … 3.17×, never below the request
//   hpa_target      = 0.675 + 0.275 a               0.40 … 0.95 (only when the HPA is on)
// Clamps: CPU in [10 m, node allocatable], memory in [32 Mi, node allocatable] (a pod larger than
// every node would stay Pending forever). No hard memory floor at the observed peak: a memory
// request under it is allowed and the reward's exposure and OOM terms teach the policy not to,
// because a floor relative to a feature cannot be expressed as a constant clamp. The limit
// costs nothing (the request is what is reserved), so its range starts above the 24 h peak: an
// OOM kill then needs memory to grow beyond 1.16× its daily peak within one decision interval.
// Plain values; thread-safe to share once built.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "traces/app_spec.h"

namespace podsizer::env {

// One output; the fields mean what agent::OutputMapping's fields of the same names mean.
struct OutputRule {
  std::string name;
  std::size_t action_index = 0;
  std::int64_t centre_feature = -1;
  bool feature_is_log = true;
  double offset = 0;
  double scale = 1;
  bool log_space = true;
  double min_value = -std::numeric_limits<double>::infinity();
  double max_value = std::numeric_limits<double>::infinity();
  std::int64_t at_least_output = -1;
};

struct ActionSpaceConfig {
  double cpu_scale = 1.5;          // ln units per unit of action
  double cpu_limit_factor = 2.0;   // the limit's centre relative to the request's
  double memory_margin = 1.2;      // the memory request's centre relative to the 24 h peak
  double memory_scale = 0.5;
  double memory_limit_factor = 1.6;  // the limit's centre relative to the request's
  double min_cpu_millicores = 10;
  double min_memory_bytes = 32.0 * 1024 * 1024;
  double max_cpu_millicores = 8000;       // node allocatable
  double max_memory_bytes = 32.0 * 1024 * 1024 * 1024;
  bool hpa = false;                // a fifth output: the HPA's target utilization
  double hpa_min = 0.40, hpa_max = 0.95;
};

// Output indices.
inline constexpr std::size_t kCpuRequest = 0, kCpuLimit = 1, kMemoryRequest = 2,
                             kMemoryLimit = 3, kHpaTarget = 4;

class ActionSpace {
 public:
  // Throws std::invalid_argument for non-positive scales, factors or bounds, or min > max.
  explicit ActionSpace(const ActionSpaceConfig& config = {});

  std::size_t action_size() const { return rules_.size(); }
  const std::vector<OutputRule>& rules() const { return rules_; }
  const ActionSpaceConfig& config() const { return config_; }

  // The outputs for one row of features and one action (tolerates actions outside [-1, 1]).
  // REQUIRES: out.size() == action_size(); features hold the references at their indices.
  void apply(std::span<const float> features, std::span<const float> action,
             std::span<double> out) const;

  // The outputs as resources (every request and limit set) and the HPA target when present.
  traces::ContainerResources resources(std::span<const double> out) const;
  std::optional<double> hpa_target(std::span<const double> out) const;

 private:
  ActionSpaceConfig config_;
  std::vector<OutputRule> rules_;
};

// Whether `next` differs from `current` by more than `relative` in any request or limit (an unset
// value differs from any set one). The environment keeps the resources in force when it does not,
// so a policy's small jitter does not roll the pods every hour.
bool differs(const traces::ContainerResources& current, const traces::ContainerResources& next,
             double relative);

}  // namespace podsizer::env
