#include "scenarios/single_run_report.h"

#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "report/format.h"
#include "scenarios/run_charts.h"
#include "sim/simulation.h"

namespace podsizer::scenarios {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// An optional quantity as a cell: unset is a word, not a dash, since "no limit" is a setting.
report::Cell quantity_cell(const std::optional<double>& value) {
  return value ? report::Cell(*value) : report::Cell("unset");
}

std::string slo_text(const traces::AppSpec& app) {
  return report::format_value(app.response_time_slo_ms, report::Unit::kMilliseconds) + " at p" +
         report::format_readable(app.slo_percentile * 100);
}

// One row of a settings table; an empty key leaves the row without a colour swatch.
struct SettingsRow {
  std::string label;
  std::string key;
  const traces::ContainerResources* resources = nullptr;
};

// The four resources per row.
report::Table resources_table(const std::string& title, const std::vector<SettingsRow>& rows) {
  report::Table t;
  t.title = title;
  t.label_header = "Settings";
  // Written as a manifest writes them, so a reader can copy a setting as it stands.
  const auto as_set = report::Better::kNone;
  t.columns = {{"CPU request", report::Unit::kMillicores, as_set, true},
               {"CPU limit", report::Unit::kMillicores, as_set, true},
               {"Memory request", report::Unit::kBytes, as_set, true},
               {"Memory limit", report::Unit::kBytes, as_set, true}};
  for (const SettingsRow& row : rows) {
    const traces::ContainerResources* r = row.resources;
    t.rows.push_back(
        {row.label,
         row.key,
         {quantity_cell(r->requests.cpu_millicores), quantity_cell(r->limits.cpu_millicores),
          quantity_cell(r->requests.memory_bytes), quantity_cell(r->limits.memory_bytes)}});
  }
  return t;
}

report::Table simulation_table(const SimulationRun& run) {
  const sim::WorkloadSummary& s = run.summary;
  report::Table t;
  t.title = "Summary";
  t.caption =
      "The replay's totals; latency percentiles are request-weighted means over it, "
      "throttled and pending times are summed over the pods.";
  t.label_header = "Run";
  t.columns = {
      {"Mean replicas", report::Unit::kReplicas},   {"p95 latency", report::Unit::kMilliseconds},
      {"p99 latency", report::Unit::kMilliseconds}, {"SLO violated", report::Unit::kSeconds},
      {"OOM kills", report::Unit::kCount},          {"Evictions", report::Unit::kCount},
      {"Throttled", report::Unit::kSeconds},        {"Pending", report::Unit::kSeconds},
      {"Errors", report::Unit::kPercent},           {"Cost", report::Unit::kDollars}};
  report::Row row{"replay", "replay", {}};
  for (double v :
       {s.mean_replicas, s.p95_latency_ms, s.p99_latency_ms, s.slo_violation_seconds, s.oom_kills,
        s.evictions, s.throttled_seconds, s.pending_seconds, 100.0 * s.error_rate, s.cost}) {
    row.cells.emplace_back(v);
  }
  t.rows.push_back(std::move(row));
  return t;
}

// Both replays side by side; every column is better lower.
report::Table replays_table(const policies::Counterfactual& c) {
  report::Table t;
  t.title = "Replays";
  t.caption =
      "The history replayed with the current settings and with the recommendation: same "
      "load, same seed. Throttled time is summed over the pods.";
  t.label_header = "Settings";
  const auto lower = report::Better::kLower;
  t.columns = {{"OOM kills", report::Unit::kCount, lower},
               {"Throttled", report::Unit::kSeconds, lower},
               {"Latency at the SLO", report::Unit::kMilliseconds, lower},
               {"SLO violated", report::Unit::kPercent, lower},
               {"Errors", report::Unit::kPercent, lower},
               {"Mean replicas", report::Unit::kReplicas, lower},
               {"Cost a month", report::Unit::kDollars, lower}};
  for (const auto& [label, n] :
       {std::pair{"current", &c.current}, std::pair{"recommended", &c.recommended}}) {
    report::Row row{label, label, {}};
    for (double v :
         {n->oom_kills, n->throttled_hours * 3600.0, n->slo_latency_ms, n->slo_violation_percent,
          100.0 * n->error_rate, n->mean_replicas, n->cost_per_month}) {
      row.cells.emplace_back(v);
    }
    t.rows.push_back(std::move(row));
  }
  return t;
}

report::Table guardrails_table(const policies::Recommendation& r) {
  report::Table t;
  t.title = "Guardrails";
  t.caption = r.overrides.empty() ? "No guardrail changed the policy's proposal."
                                  : "Each value a guardrail changed, and why.";
  t.label_header = "Guardrail";
  t.columns.push_back({"Field"});
  t.columns.push_back({"Reason"});
  for (const policies::GuardrailOverride& o : r.overrides) {
    t.rows.push_back({o.guardrail, "", {report::Cell(o.field), report::Cell(o.reason)}});
  }
  return t;
}

report::Table reasons_table(const policies::Recommendation& r) {
  report::Table t;
  t.title = "Reasons";
  t.caption = r.confidence.explanation;
  t.label_header = "#";
  t.columns.push_back({"Reason"});
  for (std::size_t i = 0; i < r.reasons.size(); ++i) {
    t.rows.push_back({std::to_string(i + 1), "", {report::Cell(r.reasons[i])}});
  }
  return t;
}

}  // namespace

report::Report build_simulation_report(const SimulationRun& run) {
  const sim::WorkloadSummary& s = run.summary;
  report::Report r;
  r.title = "Simulation of " + run.app.app_name;
  r.subtitle = "A replay of " + run.load + " through the simulated cluster over " +
               report::format_duration(s.duration_s) + " with fixed resources, seed " +
               std::to_string(run.seed) + "; SLO " + slo_text(run.app) + ".";
  r.key_order = {"replay"};

  // The headlines a reader checks first: did it break the SLO, did it crash, what did it cost.
  const double violated = s.duration_s > 0 ? 100.0 * s.slo_violation_seconds / s.duration_s : 0;
  r.headlines.push_back({"SLO violated", violated, report::Unit::kPercent,
                         report::format_duration(s.slo_violation_seconds) + " of the replay", "",
                         violated > 0 ? report::Tone::kBad : report::Tone::kGood});
  r.headlines.push_back({"OOM kills", s.oom_kills, report::Unit::kCount,
                         report::format_readable(s.evictions) + " evictions", "",
                         s.oom_kills > 0 ? report::Tone::kBad : report::Tone::kGood});
  r.headlines.push_back({"p95 latency", s.p95_latency_ms, report::Unit::kMilliseconds,
                         "SLO " + slo_text(run.app), "", report::Tone::kNeutral});
  r.headlines.push_back({"Workload cost", s.cost, report::Unit::kDollars,
                         report::format_readable(s.mean_replicas) + " replicas on average", "",
                         report::Tone::kNeutral});

  report::Section section;
  section.title = run.app.app_name;
  section.description = "Usage, requests and limits per pod over the replay.";
  section.charts = run_charts({{"replay", &run.intervals}}, run.app.response_time_slo_ms);
  section.tables.push_back(resources_table("Resources", {{"replay", "replay", &run.resources}}));
  section.tables.push_back(simulation_table(run));
  r.sections.push_back(std::move(section));
  return r;
}

report::Section recommendation_section(const RecommendationRun& run) {
  const policies::Recommendation& r = run.recommendation;
  report::Section section;
  section.title = "Recommendation for " + r.app_name;
  section.description = "By " + r.policy.name + " from " + report::format_readable(r.history_days) +
                        " days of history (" + std::to_string(r.history_samples) +
                        " samples); confidence " + report::format_fixed(r.confidence.value, 2) +
                        ".";

  // The charts need both replays; without them the page still has the settings and reasons.
  if (!run.current.empty() && !run.recommended.empty()) {
    section.charts =
        run_charts({{"current", &run.current}, {"recommended", &run.recommended}}, r.slo_ms);
  }
  report::Table settings =
      resources_table("Settings", {{"current", "current", &r.current},
                                   {"proposed by the policy", "", &r.proposed},
                                   {"recommended", "recommended", &r.resources}});
  settings.caption =
      "What the policy proposed, and what remains after rounding and the guardrails.";
  section.tables.push_back(std::move(settings));
  if (r.counterfactual) section.tables.push_back(replays_table(*r.counterfactual));
  section.tables.push_back(guardrails_table(r));
  section.tables.push_back(reasons_table(r));
  return section;
}

report::Report build_recommendation_report(const RecommendationRun& run) {
  const policies::Recommendation& r = run.recommendation;
  report::Report page;
  page.title = "Recommendation for " + r.app_name;
  page.subtitle = "Requests and limits for the container " + r.container + " by " + r.policy.name +
                  (r.policy.version.empty() ? "" : " " + r.policy.version) +
                  ", checked by replaying the history with the current settings and with the "
                  "recommendation; SLO " +
                  report::format_value(r.slo_ms, report::Unit::kMilliseconds) + " at p" +
                  report::format_readable(r.slo_percentile * 100) + ".";
  page.key_order = {"current", "recommended"};

  // Headlines: the confidence, and what the replays say changes.
  page.headlines.push_back({"Confidence", r.confidence.value, report::Unit::kNumber,
                            r.confidence.explanation, report::format_fixed(r.confidence.value, 2),
                            report::Tone::kNeutral});
  if (r.counterfactual) {
    const policies::ReplayNumbers& a = r.counterfactual->current;
    const policies::ReplayNumbers& b = r.counterfactual->recommended;
    const double saved = a.cost_per_month > 0
                             ? 100.0 * (a.cost_per_month - b.cost_per_month) / a.cost_per_month
                             : kNaN;
    page.headlines.push_back(
        {"Cost saved a month", saved, report::Unit::kPercent,
         report::format_value(a.cost_per_month, report::Unit::kDollars) + " -> " +
             report::format_value(b.cost_per_month, report::Unit::kDollars),
         "",
         saved > 0 ? report::Tone::kGood
                   : (saved < 0 ? report::Tone::kBad : report::Tone::kNeutral)});
    page.headlines.push_back(
        {"OOM kills", b.oom_kills, report::Unit::kCount,
         "now " + report::format_readable(a.oom_kills), "",
         b.oom_kills > a.oom_kills
             ? report::Tone::kBad
             : (b.oom_kills < a.oom_kills ? report::Tone::kGood : report::Tone::kNeutral)});
    page.headlines.push_back(
        {"SLO violated", b.slo_violation_percent, report::Unit::kPercent,
         "now " + report::format_value(a.slo_violation_percent, report::Unit::kPercent), "",
         b.slo_violation_percent > a.slo_violation_percent ? report::Tone::kBad
                                                           : report::Tone::kNeutral});
  }
  page.sections.push_back(recommendation_section(run));
  return page;
}

std::vector<sim::IntervalRow> replay_intervals(const traces::AppSpec& app,
                                               std::shared_ptr<const sim::WorkloadModel> model,
                                               const traces::ContainerResources& resources,
                                               std::optional<double> hpa_target_utilization,
                                               std::uint64_t seed) {
  // The same construction as policies/recommend.cpp's replay, with the rows kept.
  sim::SimulationOptions options;
  options.seed = seed;
  options.record_intervals = true;
  sim::Simulation simulation(sim::cluster_spec_from_app(app), options);
  sim::WorkloadSpec workload = sim::workload_spec_from_app(app);
  workload.pod.main = resources;
  if (hpa_target_utilization && workload.hpa_enabled) {
    workload.hpa.target_utilization = *hpa_target_utilization;
  }
  simulation.add_workload(workload, std::move(model));
  simulation.run();
  sim::SimulationResults results = simulation.results();
  return results.intervals.empty() ? std::vector<sim::IntervalRow>{}
                                   : std::move(results.intervals.front());
}

}  // namespace podsizer::scenarios
