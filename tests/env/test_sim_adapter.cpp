#include <catch2/catch.hpp>

#include <cmath>
#include <memory>
#include <vector>

#include "env/features.h"
#include "sim/simulation.h"
#include "traces/quantity.h"

using namespace podsizer;
using traces::kGiB;
using traces::kMiB;

namespace {

// Two fixed replicas of a flat workload: 20 req/s in total, 150 m and 300 MiB per pod, for
// three hours of 5-minute samples, on one roomy node.
std::shared_ptr<sim::WorkloadModel> flat_model() {
  auto m = std::make_shared<sim::WorkloadModel>();
  m->name = "flat";
  for (int k = 0; k < 36; ++k) {
    m->time_s.push_back(300.0 * k);
    m->rate.push_back(20);
    m->cpu_fixed.push_back(150);
    m->cpu_shared.push_back(0);
    m->memory_fixed.push_back(300 * kMiB);
    m->memory_shared.push_back(0);
  }
  m->end_s = 300.0 * 36;
  m->idle_cpu = 10;
  m->idle_memory = 50 * kMiB;
  m->latency.fixed_ms = 50;
  m->latency.cpu_ms = 1;
  return m;
}

}  // namespace

TEST_CASE("env::SimSeriesAdapter: a running simulation shows what it was fed", "[env]") {
  sim::ClusterSpec cluster;
  traces::NodeGroup group;
  group.cpu_millicores = 4000;
  group.memory_bytes = 8 * kGiB;
  group.count = 1;
  cluster.groups.push_back(group);
  sim::SimulationOptions options;
  options.results_interval_s = 300;
  options.metrics.scrape_interval_s = 60;
  options.metrics.rate_window_s = 60;
  options.startup.jitter = 0;
  sim::Simulation simulation(cluster, options);

  sim::WorkloadSpec spec;
  spec.name = "app";
  spec.pod.main.requests.cpu_millicores = 500;
  spec.pod.main.requests.memory_bytes = 1 * kGiB;
  spec.hpa_enabled = false;
  spec.replicas = 2;
  spec.memory_spread = 0;
  const auto w = simulation.add_workload(spec, flat_model());

  // Two hours: 24 rows, one point each, each ending on a 5-minute boundary plus the offset.
  simulation.advance_to(7200);
  env::SimSeriesAdapter adapter(1'700'000'400.0, spec.slo_ms, true);
  std::vector<env::MetricsPoint> points;
  adapter.consume(simulation.observed_series(w), simulation.intervals(w), points);
  REQUIRE(points.size() == 24);
  CHECK(points[0].end_s == 1'700'000'700.0);
  CHECK(points[23].end_s == 1'700'007'600.0);

  // Once the pods run (after the first bins), each shows 150 m and 300 MiB per pod, 2 pods,
  // 20 requests/s, no events, latency well inside the SLO and no throttling (no CPU limit).
  for (std::size_t k = 2; k < points.size(); ++k) {
    INFO("bin " << k);
    CHECK(points[k].cpu_millicores == Approx(150).epsilon(0.02));
    CHECK(points[k].memory_bytes == Approx(300 * kMiB).epsilon(0.01));
    CHECK(points[k].replicas == 2);
    CHECK(points[k].request_rate == Approx(20).epsilon(0.01));
    CHECK(points[k].oom_kills == 0);
    CHECK(points[k].throttled_fraction == 0);
    CHECK(points[k].latency_over_slo < 1);
  }

  // A later call returns only what is new.
  simulation.advance_to(7800);
  points.clear();
  adapter.consume(simulation.observed_series(w), simulation.intervals(w), points);
  CHECK(points.size() == 2);

  // Without a known rate the field stays unknown.
  env::SimSeriesAdapter blind(0, spec.slo_ms, false);
  points.clear();
  blind.consume(simulation.observed_series(w), simulation.intervals(w), points);
  CHECK(std::isnan(points.back().request_rate));
}
