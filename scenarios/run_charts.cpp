#include "scenarios/run_charts.h"

#include <cassert>
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

// Latency means something only for requests that were served: a gap while every request
// failed (no ready pod, as in a crash loop) or none arrived.
double latency_or_gap(const sim::IntervalRow& row) {
  return row.requests > row.errors ? row.latency_slo_ms : kNaN;
}

// One line of a replay over time from a function of its rows.
template <typename F>
report::Line line_of(const ChartRun& run, const std::string& label, report::LineStyle style,
                     bool step, F value) {
  assert(run.intervals != nullptr && "a chart run needs its interval rows");
  report::Line line;
  line.key = run.key;
  line.label = label;
  line.style = style;
  line.step = step;
  line.times.reserve(run.intervals->size());
  line.values.reserve(run.intervals->size());
  for (const sim::IntervalRow& row : *run.intervals) {
    line.times.push_back(row.start_s);
    line.values.push_back(value(row));
  }
  return line;
}

}  // namespace

report::TimeSeriesChart cpu_per_pod_chart(const std::vector<ChartRun>& runs) {
  report::TimeSeriesChart c;
  c.title = "CPU per pod";
  c.caption =
      "Usage against the request and the limit in force; usage above the request competes for "
      "spare CPU, usage at the limit is throttled.";
  c.y_label = "CPU";
  c.y_unit = report::Unit::kMillicores;
  for (const ChartRun& r : runs) {
    c.lines.push_back(line_of(
        r, r.key + " usage", report::LineStyle::kSolid, false,
        [](const auto& row) { return per_pod(row.cpu_usage_millicores, row.replicas_mean); }));
    c.lines.back().area = runs.size() == 1;
    c.lines.push_back(line_of(
        r, r.key + " request", report::LineStyle::kDashed, true,
        [](const auto& row) { return per_pod(row.cpu_request_millicores, row.replicas_mean); }));
    c.lines.push_back(
        line_of(r, r.key + " limit", report::LineStyle::kDotted, true,
                [](const auto& row) { return limit_or_gap(row.cpu_limit_millicores); }));
  }
  return c;
}

report::TimeSeriesChart memory_per_pod_chart(const std::vector<ChartRun>& runs) {
  report::TimeSeriesChart c;
  c.title = "Memory per pod";
  c.caption =
      "Working set against the request and the limit; a pod reaching its limit is OOM-killed.";
  c.y_label = "Memory";
  c.y_unit = report::Unit::kBytes;
  for (const ChartRun& r : runs) {
    c.lines.push_back(line_of(
        r, r.key + " usage", report::LineStyle::kSolid, false,
        [](const auto& row) { return per_pod(row.memory_usage_bytes, row.replicas_mean); }));
    c.lines.back().area = runs.size() == 1;
    c.lines.push_back(line_of(
        r, r.key + " request", report::LineStyle::kDashed, true,
        [](const auto& row) { return per_pod(row.memory_request_bytes, row.replicas_mean); }));
    c.lines.push_back(
        line_of(r, r.key + " limit", report::LineStyle::kDotted, true,
                [](const auto& row) { return limit_or_gap(row.memory_limit_bytes); }));
  }
  return c;
}

report::TimeSeriesChart replicas_chart(const std::vector<ChartRun>& runs) {
  report::TimeSeriesChart c;
  c.title = "Replicas";
  c.caption = "Pods that exist, as the HPA scaled them under the requests in force.";
  c.y_label = "Replicas";
  c.y_unit = report::Unit::kReplicas;
  for (const ChartRun& r : runs) {
    c.lines.push_back(line_of(r, r.key, report::LineStyle::kSolid, true,
                              [](const auto& row) { return row.replicas_mean; }));
  }
  return c;
}

report::TimeSeriesChart latency_chart(const std::vector<ChartRun>& runs, double slo_ms) {
  report::TimeSeriesChart c;
  c.title = "Latency against the SLO";
  c.caption =
      "Latency at the SLO's percentile; markers show intervals with OOM kills or evictions.";
  c.y_label = "Latency";
  c.y_unit = report::Unit::kMilliseconds;
  for (const ChartRun& r : runs) {
    c.lines.push_back(line_of(r, r.key, report::LineStyle::kSolid, false,
                              [](const auto& row) { return latency_or_gap(row); }));

    // Events, one marker per interval that had them, so a crash loop stays one mark per row.
    for (const sim::IntervalRow& row : *r.intervals) {
      if (row.oom_kills > 0) {
        c.events.push_back({row.start_s,
                            r.key + ": " + report::format_readable(row.oom_kills) + " OOM kill(s)",
                            report::EventKind::kOomKill, r.key});
      }
      if (row.evictions > 0) {
        c.events.push_back({row.start_s,
                            r.key + ": " + report::format_readable(row.evictions) + " eviction(s)",
                            report::EventKind::kEviction, r.key});
      }
    }
  }
  c.references.push_back(
      {slo_ms, "SLO " + report::format_value(slo_ms, report::Unit::kMilliseconds)});
  return c;
}

std::vector<report::Chart> run_charts(const std::vector<ChartRun>& runs, double slo_ms) {
  std::vector<report::Chart> charts;
  charts.emplace_back(cpu_per_pod_chart(runs));
  charts.emplace_back(memory_per_pod_chart(runs));
  charts.emplace_back(replicas_chart(runs));
  charts.emplace_back(latency_chart(runs, slo_ms));
  return charts;
}

}  // namespace podsizer::scenarios
