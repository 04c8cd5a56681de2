#include "env/reward.h"

#include <algorithm>
#include <cmath>

#include "traces/quantity.h"

namespace podsizer::env {

RewardWeights reward_weights(traces::Objective objective) {
  // Savings prices an hour of full SLO violation at two hours of the reference bill; reliability
  // at thirty-two (8 / 0.25). OOM kills and evictions scale alike. Reasons in env/README.md.
  switch (objective) {
    case traces::Objective::kSavings:
      return {1.0, 2.0, 1.0, 0.25, 0.02, 2.0};
    case traces::Objective::kReliability:
      return {0.25, 8.0, 4.0, 1.0, 0.05, 8.0};
    case traces::Objective::kBalanced:
      break;
  }
  return {0.5, 4.0, 2.0, 0.5, 0.05, 4.0};
}

StepOutcome outcome_from_rows(std::span<const sim::IntervalRow> rows, double cpu_ref,
                              double memory_ref, double cpu_core_hour, double memory_gib_hour) {
  StepOutcome o;
  for (const auto& row : rows) {
    const double duration = row.end_s - row.start_s;
    o.duration_s += duration;
    o.cost += row.cost;
    o.slo_violation_s += row.slo_violation_seconds;
    o.requests += row.requests;
    o.errors += row.errors;
    o.oom_kills += row.oom_kills;
    o.evictions += row.evictions;
    o.pod_seconds += row.replicas_mean * duration;
    o.memory_over_request_s += row.memory_over_request_seconds;

    // The same pods, each requesting exactly the references, for this row.
    const double pods = std::max(row.replicas_mean, 1.0);
    const double per_hour = cpu_ref / 1000.0 * cpu_core_hour +
                            memory_ref / traces::kGiB * memory_gib_hour;
    o.reference_cost += pods * per_hour * duration / 3600.0;
  }
  return o;
}

RewardTerms reward_terms(const StepOutcome& o) {
  RewardTerms t;
  t.cost = o.reference_cost > 0 ? o.cost / o.reference_cost : 0.0;
  const double violation = o.duration_s > 0 ? o.slo_violation_s / o.duration_s : 0.0;
  const double dropped = o.requests > 0 ? o.errors / o.requests : 0.0;
  t.slo = std::clamp(std::max(violation, dropped), 0.0, 1.0);
  // Kills and evictions count on a log scale: the first costs ln 2 ≈ 0.69, a crash loop of 80
  // kills in an hour ln 81 ≈ 4.4, so one bad hour cannot swamp every other step of a batch.
  t.oom = std::log1p(std::max(o.oom_kills, 0.0));
  t.eviction = std::log1p(std::max(o.evictions, 0.0));
  t.churn = o.changes;
  t.exposure =
      o.pod_seconds > 0 ? std::clamp(o.memory_over_request_s / o.pod_seconds, 0.0, 1.0) : 0.0;
  return t;
}

double reward(const StepOutcome& o, const RewardWeights& w) {
  const RewardTerms t = reward_terms(o);
  return -(w.cost * t.cost + w.slo * t.slo + w.oom * t.oom + w.eviction * t.eviction +
           w.churn * t.churn + w.exposure * t.exposure);
}

}  // namespace podsizer::env
