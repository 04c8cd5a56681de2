// Fleet comparison: several policies over many measured histories, the way a platform team
// would judge a recommender before trusting it with every workload.
//
// For every trace and policy, two replays:
//   - a walk-forward backtest (policies/backtest.h) scored in Kubernetes terms: mean CPU and
//     memory request, OOM samples per day, memory over request %, CPU throttled %, changes;
//   - a closed-loop replay through the simulated cluster (policies/closed_loop.h), where the
//     policy's settings act: OOM kills, evictions, SLO-violation time, p95 latency, cost.
// Each trace's app is policies::default_app_for_history() (its first day sets the current
// resources), so every policy starts from the same place.
//
// Results are grouped by source (Bitbrains, Google 2019, history CSV, store): spiky and steady
// memory behave very differently, and a mean over a mixed fleet hides it. A group's request
// figures are means over its traces of each trace's mean request, so a big workload weighs more:
// this is what the fleet would reserve. Its risk figures are means over traces (per day, per
// sample), its closed-loop events sums.
//
// The bar compares a policy with a reference (VPA), for each source and for all traces (the
// verdict; a source's lines show where it holds): requests each at least `min_saving` below
// the reference's, no more OOM samples per day, memory over request under 1 % of samples, and
// in closed loop no more OOM kills, evictions or SLO-violation time.
//
// Deterministic: traces run in parallel (TBB) but each result lands in its own slot and the
// closed loop uses a fixed seed. Each task builds its own policy instance.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "policies/policy.h"
#include "traces/trace.h"

namespace podsizer::train {

struct FleetTrace {
  std::string path;
  std::string source;  // "bitbrains", "google2019", "history" or "store"
  traces::Trace trace;
};

// Reads every file of `paths` (folders stand for their files, sorted) with its format
// recognised from its header; a store (.h5) contributes all its traces. Throws
// traces::InputError naming the file.
std::vector<FleetTrace> read_fleet(const std::vector<std::string>& paths);

// One policy on one trace.
struct FleetRun {
  // Backtest.
  double cpu_request_millicores = 0;
  double memory_request_mib = 0;
  double oom_samples_per_day = 0;
  double memory_over_request_percent = 0;
  double cpu_throttled_percent = 0;
  double changes_per_day = 0;
  // Closed loop.
  double oom_kills = 0;
  double evictions = 0;
  double slo_violation_hours = 0;
  double p95_latency_ms = 0;
  double cost = 0;
};

// A group of traces (one source, or all of them) for one policy.
struct FleetGroup {
  std::string source;  // "all" for every trace
  std::string policy;
  std::size_t traces = 0;
  FleetRun mean;  // backtest figures and p95 as means over traces; events and cost as sums
};

struct FleetOptions {
  double interval_s = 3600.0;
  std::uint64_t seed = 1;
  bool closed_loop = true;
};

struct FleetComparison {
  std::vector<std::string> policies;
  std::vector<std::string> sources;                   // in order of first appearance, then "all"
  std::vector<std::vector<FleetRun>> runs;            // [policy][trace]
  std::vector<FleetGroup> groups;                     // every (source, policy)
  const FleetGroup& group(const std::string& source, const std::string& policy) const;
};

// Runs every policy on every trace. `make` builds a fresh policy by name (policies::make_policy
// by default). Throws what the policies and the simulator throw.
FleetComparison compare_fleet(
    const std::vector<FleetTrace>& fleet, const std::vector<std::string>& policies,
    const FleetOptions& options = {},
    const std::function<std::unique_ptr<policies::Policy>(const std::string&)>& make = {});

// One criterion of the bar for one group.
struct BarCheck {
  std::string source;
  std::string what;
  double value = 0;
  double limit = 0;
  bool passed = false;
};

// The bar of `policy` against `reference` for every group (see the file comment).
std::vector<BarCheck> check_bar(const FleetComparison& comparison, const std::string& policy,
                                const std::string& reference, double min_saving = 0.15,
                                bool closed_loop = true);

// Plain-text tables: one per source, a row per policy, then the bar when `bar_policy` is set.
std::string format_fleet(const FleetComparison& comparison, const std::string& reference,
                         bool closed_loop);
std::string format_bar(const std::vector<BarCheck>& checks);
// One row per (trace, policy): the figures behind the groups.
std::string format_fleet_traces(const FleetComparison& comparison,
                                const std::vector<FleetTrace>& fleet);

}  // namespace podsizer::train
