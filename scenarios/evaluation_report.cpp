#include "scenarios/evaluation_report.h"

#include <cmath>
#include <limits>

#include "report/format.h"

namespace podsizer::scenarios {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The interval's sum over pods as a value per pod; NaN while no pod ran.
double per_pod(double sum, double replicas) {
  return replicas > 0 ? sum / replicas : kNaN;
}

// A zero limit is an unset one: drawn as a gap.
double limit_or_gap(double limit) {
  return limit > 0 ? limit : kNaN;
}

// One line of a run over time from a function of its rows.
template <typename F>
report::Line line_of(const RunResult& run, const std::string& label, report::LineStyle style,
                     bool step, F value) {
  report::Line line;
  line.key = run.policy;
  line.label = label;
  line.style = style;
  line.step = step;
  line.times.reserve(run.intervals.size());
  line.values.reserve(run.intervals.size());
  for (const sim::IntervalRow& row : run.intervals) {
    line.times.push_back(row.start_s);
    line.values.push_back(value(row));
  }
  return line;
}

report::TimeSeriesChart cpu_chart(const Evaluation& e, std::size_t s) {
  report::TimeSeriesChart c;
  c.title = "CPU per pod";
  c.caption =
      "Usage against the request and the limit each policy set; usage above the request "
      "competes for spare CPU, usage at the limit is throttled.";
  c.y_label = "CPU";
  c.y_unit = report::Unit::kMillicores;
  for (std::size_t p = 0; p < e.policies.size(); ++p) {
    const RunResult& r = e.run(s, p, 0);
    c.lines.push_back(line_of(
        r, r.policy + " usage", report::LineStyle::kSolid, false,
        [](const auto& row) { return per_pod(row.cpu_usage_millicores, row.replicas_mean); }));
    c.lines.push_back(line_of(
        r, r.policy + " request", report::LineStyle::kDashed, true,
        [](const auto& row) { return per_pod(row.cpu_request_millicores, row.replicas_mean); }));
    c.lines.push_back(
        line_of(r, r.policy + " limit", report::LineStyle::kDotted, true,
                [](const auto& row) { return limit_or_gap(row.cpu_limit_millicores); }));
  }
  return c;
}

report::TimeSeriesChart memory_chart(const Evaluation& e, std::size_t s) {
  report::TimeSeriesChart c;
  c.title = "Memory per pod";
  c.caption =
      "Working set against the request and the limit; a pod reaching its limit is "
      "OOM-killed.";
  c.y_label = "Memory";
  c.y_unit = report::Unit::kBytes;
  for (std::size_t p = 0; p < e.policies.size(); ++p) {
    const RunResult& r = e.run(s, p, 0);
    c.lines.push_back(line_of(
        r, r.policy + " usage", report::LineStyle::kSolid, false,
        [](const auto& row) { return per_pod(row.memory_usage_bytes, row.replicas_mean); }));
    c.lines.push_back(line_of(
        r, r.policy + " request", report::LineStyle::kDashed, true,
        [](const auto& row) { return per_pod(row.memory_request_bytes, row.replicas_mean); }));
    c.lines.push_back(
        line_of(r, r.policy + " limit", report::LineStyle::kDotted, true,
                [](const auto& row) { return limit_or_gap(row.memory_limit_bytes); }));
  }
  return c;
}

report::TimeSeriesChart replicas_chart(const Evaluation& e, std::size_t s) {
  report::TimeSeriesChart c;
  c.title = "Replicas";
  c.caption = "Pods that exist, as the HPA scaled them under each policy's requests.";
  c.y_label = "Replicas";
  c.y_unit = report::Unit::kReplicas;
  for (std::size_t p = 0; p < e.policies.size(); ++p) {
    const RunResult& r = e.run(s, p, 0);
    c.lines.push_back(line_of(r, r.policy, report::LineStyle::kSolid, true,
                              [](const auto& row) { return row.replicas_mean; }));
  }
  return c;
}

report::TimeSeriesChart latency_chart(const Evaluation& e, std::size_t s) {
  report::TimeSeriesChart c;
  c.title = "Latency against the SLO";
  c.caption =
      "Latency at the SLO's percentile; markers show intervals with OOM kills or "
      "evictions.";
  c.y_label = "Latency";
  c.y_unit = report::Unit::kMilliseconds;
  for (std::size_t p = 0; p < e.policies.size(); ++p) {
    const RunResult& r = e.run(s, p, 0);
    c.lines.push_back(line_of(r, r.policy, report::LineStyle::kSolid, false,
                              [](const auto& row) { return row.latency_slo_ms; }));

    // Events, one marker per interval that had them.
    for (const sim::IntervalRow& row : r.intervals) {
      if (row.oom_kills > 0) {
        c.events.push_back(
            {row.start_s, r.policy + ": " + report::format_readable(row.oom_kills) + " OOM kill(s)",
             report::EventKind::kOomKill, r.policy});
      }
      if (row.evictions > 0) {
        c.events.push_back(
            {row.start_s, r.policy + ": " + report::format_readable(row.evictions) + " eviction(s)",
             report::EventKind::kEviction, r.policy});
      }
    }
  }
  if (!e.runs.empty()) {
    const double slo = e.run(s, 0, 0).slo_ms;
    c.references.push_back({slo, "SLO " + report::format_value(slo, report::Unit::kMilliseconds)});
  }
  return c;
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
      section.charts.emplace_back(cpu_chart(e, s));
      section.charts.emplace_back(memory_chart(e, s));
      section.charts.emplace_back(replicas_chart(e, s));
      section.charts.emplace_back(latency_chart(e, s));
      section.charts.emplace_back(cost_risk_chart(e, s));
    }
    section.tables.push_back(scenario_table(e, s));
    r.sections.push_back(std::move(section));
  }
  return r;
}

}  // namespace podsizer::scenarios
