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
// A rule may add a second log feature to its centre (`extra_centre_feature`), step up from the
// value in force when a feature is positive (`raise_*`), fall from the value in force by at most
// a factor per decision (`hold_factor`) and stay above a multiple of its centre (`centre_floor`);
// agent/action_mapping.h gives the order of these steps.
//
// The defaults (ActionSpaceConfig) and their reasons:
//   cpu_request     = ref_cpu · e^(1.5 a)           0.22× … 4.5× the 24 h p95 per pod
//   cpu_limit       = cpu_7d · 1.5 · e^(0.5 a)      0.91× … 2.47× the 7-day peak of hourly maxima,
//                                                   never below the request
//   memory_request  = ref_mem · 1.2 · e^(0.5 a)     1.0× … 1.98× the 24 h peak per pod: the
//                                                   centre is the app's safety margin, and a
//                                                   request under the last day's peak is refused
//                                                   (the node would be overcommitted by design)
//   memory_limit    = mem_7d · 1.8 · e^(0.4 a)      1.21× … 2.68× the 7-day peak, never below the
//                                                   request; after an OOM kill in the last hour
//                                                   at least 2× the limit in force; otherwise at
//                                                   least 0.99× it, so a limit raised by a spike
//                                                   comes down over days (halving in ~69 decisions)
//                                                   rather than at once when the spike leaves the
//                                                   7-day window
//   hpa_target      = 0.675 + 0.275 a               0.40 … 0.95 (only when the HPA is on)
// Clamps: CPU in [10 m, node allocatable], memory in [32 Mi, node allocatable] (a pod larger than
// every node would stay Pending forever). Requests are what is reserved and paid for; limits cost
// nothing but act (CFS throttling, the OOM killer), so their ranges sit above the longest peak the
// features hold, and a crash loop (usage above the limit, so the observed peak stops at the limit)
// is left by the raise, as VPA's recommender bumps memory after an OOM kill. Memory that spikes
// every few days (a batch VM idle at 100 MiB, at 19 GiB for an hour) would otherwise meet a limit
// sized for its idle week at every spike; the hold remembers the spike the way VPA's decaying
// histogram does.
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
  std::int64_t extra_centre_feature = -1;
  std::int64_t raise_when_feature = -1;
  std::int64_t raise_from_feature = -1;
  double raise_factor = 1.0;
  double hold_factor = 0.0;
  double centre_floor = 0.0;
};

struct ActionSpaceConfig {
  double cpu_scale = 1.5;          // ln units per unit of action
  double cpu_limit_factor = 1.5;   // the limit's centre relative to the 7-day CPU peak
  double cpu_limit_scale = 0.5;
  double memory_margin = 1.2;      // the memory request's centre relative to the 24 h peak
  double memory_scale = 0.5;
  double memory_limit_factor = 1.8;  // the limit's centre relative to the 7-day memory peak
  double memory_limit_scale = 0.4;
  double oom_raise_factor = 2.0;     // the memory limit after an OOM kill, × the one in force
  double memory_limit_hold = 0.99;   // the memory limit's least value, × the one in force
  double memory_request_floor = 1.0;  // the memory request's least value, × the 24 h peak
  double min_cpu_millicores = 10;
  double min_memory_bytes = 32.0 * 1024 * 1024;
  // The memory limit's own floor: a limit reserves nothing, and a workload whose memory was near
  // zero for a week must not meet its next spike at a few MiB.
  double min_memory_limit_bytes = 256.0 * 1024 * 1024;
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
