// The charts of replays over time, shared by every page that draws one: the what-if evaluation
// (scenarios/evaluation_report.h) and the single-run pages (scenarios/single_run_report.h).
//
// Each builder takes one or more replays, each a series key and its interval rows
// (sim/results.h), and draws one line (or three: usage, request, limit) per replay in the key's
// colour:
//   - CPU per pod: usage (solid, shaded), request (dashed, stepped), limit (dotted, stepped);
//   - memory per pod, the same three;
//   - replicas: pods that exist, stepped;
//   - latency at the SLO's percentile against the SLO (a reference line), with every interval
//     that had an OOM kill or an eviction marked on the time axis in the replay's colour; an
//     interval that served no request (none arrived, or every one failed) is a gap.
// Per-pod values are the interval's sums over running pods divided by its mean replica count;
// while no pod runs the value is a gap. An unset limit (0 in the rows) is a gap too. Times are
// seconds from the start of the replay, the start of each interval.
//
// Pure functions; the rows are only read, and must outlive the call. Thread-safe.
#pragma once

#include <string>
#include <vector>

#include "report/report_model.h"
#include "sim/results.h"

namespace podsizer::scenarios {

// One replay as the charts see it.
struct ChartRun {
  std::string key;  // colour and legend prefix: "vpa", "current", "recommended"
  const std::vector<sim::IntervalRow>* intervals = nullptr;
};

report::TimeSeriesChart cpu_per_pod_chart(const std::vector<ChartRun>& runs);
report::TimeSeriesChart memory_per_pod_chart(const std::vector<ChartRun>& runs);
report::TimeSeriesChart replicas_chart(const std::vector<ChartRun>& runs);
report::TimeSeriesChart latency_chart(const std::vector<ChartRun>& runs, double slo_ms);

// The four above, in that order.
std::vector<report::Chart> run_charts(const std::vector<ChartRun>& runs, double slo_ms);

}  // namespace podsizer::scenarios
