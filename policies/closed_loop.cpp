#include "policies/closed_loop.h"

#include <memory>

#include "sim/simulation.h"
#include "sim/workload_model.h"
#include "traces/log.h"

namespace podsizer::policies {

ClosedLoopResult run_closed_loop(const traces::Trace& trace, Policy& policy,
                                 const traces::AppSpec& app, const ClosedLoopOptions& options) {
  if (!(options.interval_s > 0)) {
    throw std::invalid_argument("closed loop: the interval must be positive");
  }
  if (trace.size() < 2 || trace.span_s() < options.interval_s) {
    throw BacktestError("closed loop: " + trace.meta.name +
                        " is shorter than one decision interval");
  }
  policy.reset();

  // The cluster and the workload as the app spec describes them, replaying the trace.
  auto model = std::make_shared<const sim::WorkloadModel>(sim::calibrate_workload(trace, app));
  sim::SimulationOptions sim_options;
  sim_options.seed = options.seed;
  sim_options.record_intervals = false;
  sim::Simulation simulation(sim::cluster_spec_from_app(app), sim_options);
  const sim::WorkloadId id = simulation.add_workload(sim::workload_spec_from_app(app), model);
  const double offset = trace.time_s.front();
  const double end = model->end_s;  // the simulation's end, known before it starts

  ClosedLoopResult result;
  result.policy = policy.name();
  std::size_t seen = 0;
  sim::WorkloadCounters before;
  double throttled_before = 0.0;
  double last_decision = 0.0;

  for (double t = options.interval_s; t <= end; t += options.interval_s) {
    simulation.advance_to(t);

    // What happened since the last decision, as counters and throttled pod-seconds.
    const sim::WorkloadCounters now_counters = simulation.counters(id);
    const double throttled = simulation.summary(id).throttled_seconds;
    const auto series = simulation.observed_series(id);
    double pod_seconds = 0.0;
    for (std::size_t k = seen; k < series.size(); ++k) pod_seconds += series[k].pods;
    const double scrape_s = series.size() - seen > 1
                                ? (series.back().time_s - series[seen].time_s) /
                                      static_cast<double>(series.size() - seen - 1)
                                : t - last_decision;
    pod_seconds *= scrape_s;
    std::optional<double> throttled_fraction;
    if (pod_seconds > 0) throttled_fraction = (throttled - throttled_before) / pod_seconds;

    // Feed the new scrapes, the events with the last of them.
    for (std::size_t k = seen; k < series.size(); ++k) {
      const sim::WorkloadSample& scrape = series[k];
      if (scrape.pods == 0) continue;
      Sample s;
      s.time_s = offset + scrape.time_s;
      s.cpu_millicores = scrape.cpu_sum_millicores / scrape.pods;
      s.memory_bytes = scrape.memory_sum_bytes / scrape.pods;
      s.replicas = scrape.pods;
      s.throttled_fraction = throttled_fraction;
      if (k + 1 == series.size()) {
        s.oom_kills = static_cast<int>(now_counters.oom_kills - before.oom_kills);
        s.restarts = static_cast<int>(now_counters.restarts - before.restarts);
        s.evictions = static_cast<int>(now_counters.evictions - before.evictions);
      }
      policy.observe(s);
      ++result.samples_observed;
    }
    seen = series.size();
    before = now_counters;
    throttled_before = throttled;
    last_decision = t;

    // Decide with what the Deployment has now, and apply it.
    DecisionContext ctx{offset + t, simulation.resources(id), &app};
    const Decision decision = policy.decide(ctx);
    simulation.set_resources(id, decision.resources);
    if (decision.hpa_target_utilization && app.hpa.enabled) {
      simulation.set_hpa_target(id, *decision.hpa_target_utilization);
    }
    result.timeline.push_back({offset + t, decision.resources, decision.hpa_target_utilization});
  }

  simulation.advance_to(end);
  result.summary = simulation.summary(id);
  traces::named_logger("policies")
      ->debug("closed loop {}: {} decisions, {} OOM kills, {:.0f} throttled pod-seconds",
              result.policy, result.timeline.size(), result.summary.oom_kills,
              result.summary.throttled_seconds);
  return result;
}

}  // namespace podsizer::policies
