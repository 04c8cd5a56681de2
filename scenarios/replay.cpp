#include "scenarios/replay.h"

#include <memory>
#include <optional>
#include <stdexcept>

#include "sim/simulation.h"
#include "sim/workload_model.h"
#include "traces/log.h"

namespace podsizer::scenarios {
namespace {

bool same(const std::optional<double>& a, const std::optional<double>& b) {
  return a.has_value() == b.has_value() && (!a || *a == *b);
}

bool same_resources(const traces::ContainerResources& a, const traces::ContainerResources& b) {
  return same(a.requests.cpu_millicores, b.requests.cpu_millicores) &&
         same(a.requests.memory_bytes, b.requests.memory_bytes) &&
         same(a.limits.cpu_millicores, b.limits.cpu_millicores) &&
         same(a.limits.memory_bytes, b.limits.memory_bytes);
}

}  // namespace

RunSummary summarize(const sim::WorkloadSummary& w, const sim::ClusterSummary& c,
                     double resource_changes) {
  RunSummary s;
  s.cost = w.cost;
  s.node_cost = c.node_cost;
  s.cpu_slack_millicores = w.mean_cpu_slack_millicores;
  s.memory_slack_bytes = w.mean_memory_slack_bytes;
  s.oom_kills = w.oom_kills;
  s.evictions = w.evictions;
  s.restarts = w.restarts;
  const double pod_seconds = w.mean_replicas * w.duration_s;
  s.throttled_percent = pod_seconds > 0 ? 100.0 * w.throttled_seconds / pod_seconds : 0.0;
  s.slo_violation_s = w.slo_violation_seconds;
  s.p95_latency_ms = w.p95_latency_ms;
  s.error_rate = w.error_rate;
  s.mean_replicas = w.mean_replicas;
  s.resource_changes = resource_changes;
  s.duration_s = w.duration_s;
  return s;
}

RunResult replay(const AppliedScenario& scenario, policies::Policy& policy) {
  const traces::Trace& trace = scenario.trace;
  const double interval = scenario.decision_interval_s;
  if (!(interval > 0)) throw std::invalid_argument("the decision interval must be positive");
  if (trace.size() < 2 || trace.span_s() < interval) {
    throw std::invalid_argument("scenario " + scenario.name +
                                ": the load is shorter than one decision interval");
  }
  policy.reset();

  // The cluster and workload of the scenario, replaying its load.
  auto model =
      std::make_shared<const sim::WorkloadModel>(sim::calibrate_workload(trace, scenario.app));
  sim::Simulation simulation(scenario.cluster, scenario.options);
  const sim::WorkloadId id =
      simulation.add_workload(sim::workload_spec_from_app(scenario.app), model);
  const double offset = trace.time_s.front();

  std::size_t seen = 0;
  sim::WorkloadCounters before;
  double throttled_before = 0;
  double last_decision = 0;
  double changes = 0;
  // The replay ends with the model's last sample; the simulation learns it only once started.
  const double end_s = model->end_s;
  for (double t = interval; t <= end_s; t += interval) {
    simulation.advance_to(t);

    // What happened since the last decision: counters, and the throttled share of pod-seconds.
    const sim::WorkloadCounters counters = simulation.counters(id);
    const double throttled = simulation.summary(id).throttled_seconds;
    const auto series = simulation.observed_series(id);
    double pod_scrapes = 0;
    for (std::size_t k = seen; k < series.size(); ++k) pod_scrapes += series[k].pods;
    const std::size_t fresh = series.size() - seen;
    const double scrape_s =
        fresh > 1 ? (series.back().time_s - series[seen].time_s) / static_cast<double>(fresh - 1)
                  : t - last_decision;
    std::optional<double> throttled_fraction;
    if (pod_scrapes * scrape_s > 0) {
      throttled_fraction = (throttled - throttled_before) / (pod_scrapes * scrape_s);
    }

    // The new scrapes in time order, the events riding on the last one.
    policies::Sample s;
    for (std::size_t k = seen; k < series.size(); ++k) {
      const sim::WorkloadSample& scrape = series[k];
      if (scrape.pods == 0) continue;
      s.time_s = offset + scrape.time_s;
      s.cpu_millicores = scrape.cpu_sum_millicores / scrape.pods;
      s.memory_bytes = scrape.memory_sum_bytes / scrape.pods;
      s.replicas = scrape.pods;
      s.throttled_fraction = throttled_fraction;
      if (k + 1 == series.size()) {
        s.oom_kills = static_cast<int>(counters.oom_kills - before.oom_kills);
        s.restarts = static_cast<int>(counters.restarts - before.restarts);
        s.evictions = static_cast<int>(counters.evictions - before.evictions);
      }
      policy.observe(s);
    }
    seen = series.size();
    before = counters;
    throttled_before = throttled;
    last_decision = t;

    // Decide with what the Deployment runs now and apply it; count real changes only.
    const traces::ContainerResources current = simulation.resources(id);
    const policies::Decision decision =
        policy.decide(policies::DecisionContext{offset + t, current, &scenario.app});
    if (!same_resources(current, decision.resources)) changes += 1;
    simulation.set_resources(id, decision.resources);
    if (decision.hpa_target_utilization && scenario.app.hpa.enabled) {
      simulation.set_hpa_target(id, *decision.hpa_target_utilization);
    }
  }
  simulation.advance_to(end_s);

  // The run's numbers and rows.
  RunResult result;
  result.scenario = scenario.name;
  result.policy = policy.name();
  result.seed = scenario.seed;
  result.summary = summarize(simulation.summary(id), simulation.cluster_summary(), changes);
  result.intervals = simulation.intervals(id);
  result.slo_ms = scenario.app.response_time_slo_ms;
  auto log = traces::named_logger("scenarios");
  if (log->should_log(spdlog::level::debug)) {
    log->debug("{} / {} / seed {}: cost {:.2f}, {} OOM kills, {:.0f} s over the SLO",
               result.scenario, result.policy, result.seed, result.summary.cost,
               result.summary.oom_kills, result.summary.slo_violation_s);
  }
  return result;
}

}  // namespace podsizer::scenarios
