// Replay: one policy driving the simulated cluster of one applied scenario, in closed loop.
//
// The loop follows the observation rules of policies/closed_loop.h, so a policy sees the same
// thing here as there: every `decision_interval_s` of simulated time the simulation advances to
// that moment, the policy is fed every new scrape of the workload's metrics series (per-pod CPU
// and memory = the scrape's sums over its pods divided by their number; the OOM kills, restarts
// and evictions since the previous decision with the last scrape; the throttled fraction of the
// step with every scrape), decides with the resources the Deployment has, and the answer is
// applied (a change rolls the pods; an HPA target is applied when the app has an HPA). Unlike
// that driver, this one takes the scenario's cluster and simulator options, keeps the
// per-interval rows for charts and counts the decisions that changed the resources.
//
// Determinism: the run depends only on the applied scenario (its trace, app, cluster and seed)
// and on the policy; nothing is shared between runs, so runs may execute on any thread in any
// order with identical results. Re-entrant; the policy is used from the calling thread only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "policies/policy.h"
#include "scenarios/scenario.h"
#include "sim/results.h"

namespace podsizer::scenarios {

// The headline numbers of one run, in the units of the table.
struct RunSummary {
  double cost = 0;                  // workload cost: max(request, usage) x prices
  double node_cost = 0;             // the cluster's nodes over the replay
  double cpu_slack_millicores = 0;  // mean of (request - usage), summed over the pods
  double memory_slack_bytes = 0;
  double oom_kills = 0;
  double evictions = 0;
  double restarts = 0;
  double throttled_percent = 0;  // throttled pod-seconds over pod-seconds, x 100
  double slo_violation_s = 0;    // time the SLO's percentile exceeded the SLO
  double p95_latency_ms = 0;     // request-weighted mean of the intervals' p95
  double error_rate = 0;         // dropped requests over arrivals
  double mean_replicas = 0;
  double resource_changes = 0;  // decisions that changed any request or limit
  double duration_s = 0;
};

struct RunResult {
  std::string scenario;
  std::string policy;
  int seed_index = 0;
  std::uint64_t seed = 0;
  RunSummary summary;
  std::vector<sim::IntervalRow> intervals;  // the workload's rows, one per results interval
  double slo_ms = 0;
};

RunSummary summarize(const sim::WorkloadSummary& workload, const sim::ClusterSummary& cluster,
                     double resource_changes);

// Replays `scenario` with `policy` (reset first). Throws std::invalid_argument when the trace is
// shorter than one decision interval and whatever the simulator throws for a model it refuses.
RunResult replay(const AppliedScenario& scenario, policies::Policy& policy);

}  // namespace podsizer::scenarios
