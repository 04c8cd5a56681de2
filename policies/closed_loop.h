// Closed loop: a policy driving a simulated cluster, seeing what a metrics system would show.
//
// The history is calibrated into a sim::WorkloadModel and replayed by a sim::Simulation built
// from the app spec (its cluster, HPA and current resources). Every `interval_s` of simulated
// time (1 h by default) the loop
//   1. advances the simulation to that moment;
//   2. feeds the policy every new scrape of the workload's metrics series (sim/metrics_pipeline.h)
//      as a Sample: per-pod CPU and memory are the scrape's sums over its pods divided by their
//      number, replicas that number; the OOM kills, restarts and evictions counted since the
//      previous decision (kube-state-metrics' counters) go with the last sample, and the
//      throttled fraction of the step (throttled pod-seconds over pod-seconds) with every one;
//   3. asks the policy to decide, with the resources the Deployment has, and applies the answer
//      (a change rolls the pods; an HPA target is applied when the app has an HPA).
// So an OOM kill or throttling caused by one decision is what the policy sees before the next.
// Times given to the policy are the trace's own (Unix seconds for real data).
//
// Re-entrant; the policy is used from the calling thread only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "policies/backtest.h"
#include "policies/policy.h"
#include "sim/results.h"
#include "traces/app_spec.h"
#include "traces/trace.h"

namespace podsizer::policies {

struct ClosedLoopOptions {
  double interval_s = 3600.0;
  std::uint64_t seed = 1;
};

struct ClosedLoopResult {
  std::string policy;
  std::vector<TimelineRow> timeline;  // what the policy set at each decision
  sim::WorkloadSummary summary;       // OOM kills, throttling, latency, cost of the replay
  std::size_t samples_observed = 0;
};

// Runs `policy` (reset first) in closed loop over `trace`. Throws BacktestError for a history
// shorter than one interval, std::invalid_argument for interval_s <= 0 and whatever the
// simulator throws for an app it cannot model.
ClosedLoopResult run_closed_loop(const traces::Trace& trace, Policy& policy,
                                 const traces::AppSpec& app, const ClosedLoopOptions& options = {});

}  // namespace podsizer::policies
