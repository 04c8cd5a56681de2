// The reward of one decision interval: what the step cost against what it broke.
//
//   reward = −( w_cost  · cost / reference_cost
//             + w_slo   · max(SLO violation time / step time, dropped requests / requests)
//             + w_oom   · ln(1 + OOM kills)
//             + w_evict · ln(1 + evictions)
//             + w_expose· pod-time with memory above its request / pod-time
//             + w_churn · resource changes (rollouts) )
//
// reference_cost is what the step would cost with every pod requesting exactly the feature
// references (24 h p95 CPU, 24 h peak memory per pod) at the same prices, so the cost term is
// about 1 for a workload sized at its references whatever its absolute size, and each term is
// O(1): rewards stay within about 0 … −20 per step for workloads from 10 m to 10 cores. A pod
// whose memory exceeds its request is the kubelet's first choice for eviction when its node runs
// short; on a roomy node nothing happens, so the exposure term prices the risk itself. The
// weights by objective and their reasons are in env/README.md. Plain functions; thread-safe.
#pragma once

#include <span>

#include "sim/results.h"
#include "traces/app_spec.h"

namespace podsizer::env {

struct RewardWeights {
  double cost = 0.5;
  double slo = 4.0;
  double oom = 2.0;
  double eviction = 0.5;
  double churn = 0.05;
  double exposure = 4.0;
};

RewardWeights reward_weights(traces::Objective objective);

// What happened in one step, summed over its interval rows.
struct StepOutcome {
  double duration_s = 0;
  double cost = 0;            // the workload's cost (max(request, usage) × prices)
  double reference_cost = 0;  // see the header comment
  double slo_violation_s = 0;
  double requests = 0;
  double errors = 0;
  double oom_kills = 0;
  double evictions = 0;
  double pod_seconds = 0;               // pods that exist × time
  double memory_over_request_s = 0;     // pod-seconds with memory above the request
  double changes = 0;  // 1 when the step's decision rolled the pods
};

// Sums `rows` into an outcome. The reference cost prices `replicas_ref` pods of
// (cpu_ref millicores, memory_ref bytes) for the rows' duration.
StepOutcome outcome_from_rows(std::span<const sim::IntervalRow> rows, double cpu_ref,
                              double memory_ref, double cpu_core_hour, double memory_gib_hour);

// The per-term penalties before weighting.
struct RewardTerms {
  double cost = 0, slo = 0, oom = 0, eviction = 0, churn = 0, exposure = 0;
};
RewardTerms reward_terms(const StepOutcome& outcome);

double reward(const StepOutcome& outcome, const RewardWeights& weights);

}  // namespace podsizer::env
