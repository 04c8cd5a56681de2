#include "scenarios/evaluation_report.h"

#include <vector>

#include "scenarios/run_charts.h"

namespace podsizer::scenarios {
namespace {

// The first seed of every policy on scenario `s`, as the run charts take them.
std::vector<ChartRun> first_seed_runs(const Evaluation& e, std::size_t s) {
  std::vector<ChartRun> runs;
  for (std::size_t p = 0; p < e.policies.size(); ++p) {
    const RunResult& r = e.run(s, p, 0);
    runs.push_back({r.policy, &r.intervals});
  }
  return runs;
}

report::ScatterChart cost_risk_chart(const Evaluation& e, std::size_t s) {
  report::ScatterChart c;
  c.title = "Cost against risk";
  c.caption =
      "Each policy's workload cost against the time its latency broke the SLO (means over "
      "seeds); the frontier joins the policies no other beats on both.";
  c.x_label = "Cost";
  c.x_unit = report::Unit::kDollars;
  c.y_label = "SLO violated";
  c.y_unit = report::Unit::kSeconds;
  for (std::size_t p = 0; p < e.policies.size(); ++p) {
    double cost = 0, risk = 0;
    for (int k = 0; k < e.seeds[s]; ++k) {
      cost += e.run(s, p, k).summary.cost;
      risk += e.run(s, p, k).summary.slo_violation_s;
    }
    c.points.push_back({e.policies[p], e.policies[p], cost / e.seeds[s], risk / e.seeds[s]});
  }
  return c;
}

}  // namespace

report::Report build_report(const Evaluation& e) {
  report::Report r;
  r.title = "What-if evaluation";
  r.subtitle = std::to_string(e.policies.size()) + " policies on " +
               std::to_string(e.scenarios.size()) +
               " scenarios, replayed in closed loop "
               "through the simulated cluster.";
  r.key_order = e.policies;
  r.headlines.push_back({"Replays", static_cast<double>(e.runs.size()), report::Unit::kCount,
                         "policy x scenario x seed", "", report::Tone::kNeutral});

  // One section per scenario with its charts and table.
  for (std::size_t s = 0; s < e.scenarios.size(); ++s) {
    report::Section section;
    section.title = e.scenarios[s].name;
    section.description = e.scenarios[s].description;
    if (!e.policies.empty()) {
      section.charts = run_charts(first_seed_runs(e, s), e.run(s, 0, 0).slo_ms);
      section.charts.emplace_back(cost_risk_chart(e, s));
    }
    section.tables.push_back(scenario_table(e, s));
    r.sections.push_back(std::move(section));
  }
  return r;
}

}  // namespace podsizer::scenarios
