// The report model (report/report_model.h) of an evaluation, for report/html_report.h.
//
// One section per scenario, its charts drawn from the first seed of every policy (seeds differ
// in detail, not in kind; the tables average them all):
//   - CPU per pod: usage (solid), request (dashed) and limit (dotted) per policy, over time;
//   - memory per pod, the same three;
//   - replicas per policy;
//   - latency at the SLO's percentile per policy against the SLO, with every interval that had
//     an OOM kill or an eviction marked on the time axis in the policy's colour;
//   - cost against risk (SLO-violation time) across policies, means over the seeds;
//   - the scenario's table (scenarios/evaluate.h), best cells marked.
// Per-pod values are the interval's sums over running pods divided by its mean replica count;
// an unset limit is a gap. Times are seconds from the start of the replay.
//
// Pure function of the evaluation; thread-safe.
#pragma once

#include "report/report_model.h"
#include "scenarios/evaluate.h"

namespace podsizer::scenarios {

report::Report build_report(const Evaluation& evaluation);

}  // namespace podsizer::scenarios
