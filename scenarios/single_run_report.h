// The HTML pages of single runs, as report models (report/report_model.h) for
// report/html_report.h to render:
//
//   simulate   one replay with fixed resources: CPU and memory per pod against the request and
//              the limit, replicas, latency at the SLO's percentile against the SLO with OOM
//              kills and evictions marked (scenarios/run_charts.h), and the summary table.
//   recommend  the counterfactual replay of the current settings beside the recommendation:
//              the same four charts with two series ("current", "recommended"), the numbers
//              table of both replays, the guardrails that acted, the reasons and the confidence.
//
// The recommendation's replays keep only summaries (policies/recommend.h); replay_intervals()
// runs one again with its interval rows kept, with the same calibration, cluster, workload and
// seed, so the charts show the replay whose numbers the reasons quote.
//
// Builders are pure functions of their arguments; replay_intervals() builds its own simulation.
// All are thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "policies/recommend.h"
#include "report/report_model.h"
#include "sim/results.h"
#include "sim/workload_model.h"
#include "traces/app_spec.h"

namespace podsizer::scenarios {

// What `podsizer simulate` replayed and what came out.
struct SimulationRun {
  traces::AppSpec app;  // name, SLO, HPA
  std::string load;     // where the load came from, in words: "history.csv", "synthetic"
  traces::ContainerResources resources;
  std::uint64_t seed = 0;
  sim::WorkloadSummary summary;
  sim::ClusterSummary cluster;
  std::vector<sim::IntervalRow> intervals;
};

report::Report build_simulation_report(const SimulationRun& run);

// A recommendation and the interval rows of its two replays (either may be empty when the
// replay was skipped; the charts are then left out).
struct RecommendationRun {
  policies::Recommendation recommendation;
  std::vector<sim::IntervalRow> current;
  std::vector<sim::IntervalRow> recommended;
};

// The recommendation as one section (charts, numbers, guardrails, reasons), for this page and
// for pages that hold more, such as the main job's.
report::Section recommendation_section(const RecommendationRun& run);

report::Report build_recommendation_report(const RecommendationRun& run);

// The interval rows of the replay policies::replay() summarises: the app's cluster and
// workload with `resources` (and the HPA target, when the app has an HPA), seeded `seed`.
std::vector<sim::IntervalRow> replay_intervals(const traces::AppSpec& app,
                                               std::shared_ptr<const sim::WorkloadModel> model,
                                               const traces::ContainerResources& resources,
                                               std::optional<double> hpa_target_utilization,
                                               std::uint64_t seed);

}  // namespace podsizer::scenarios
