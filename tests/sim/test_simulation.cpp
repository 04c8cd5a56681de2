#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <memory>
#include <vector>

#include <tbb/global_control.h>
#include <tbb/parallel_for.h>

#include "sim/simulation.h"
#include "traces/quantity.h"

using namespace podsizer::sim;
using podsizer::traces::kGiB;
using podsizer::traces::kMiB;

namespace {

// A model with constant rate, CPU and memory per pod, `samples` samples of `step` seconds.
// Pods starting up use 10m and 50Mi; the latency model has a fixed 50 ms and 1 CPU-ms per
// request, no idle CPU.
std::shared_ptr<WorkloadModel> flat_model(int samples, double step, double rate, double cpu,
                                          double memory) {
  auto m = std::make_shared<WorkloadModel>();
  m->name = "flat";
  for (int k = 0; k < samples; ++k) {
    m->time_s.push_back(step * k);
    m->rate.push_back(rate);
    m->cpu_fixed.push_back(cpu);
    m->cpu_shared.push_back(0);
    m->memory_fixed.push_back(memory);
    m->memory_shared.push_back(0);
  }
  m->end_s = step * samples;
  m->cpu_floor = 1;
  m->idle_cpu = 10;
  m->idle_memory = 50 * kMiB;
  m->burst_cv = 0.25;
  m->latency.fixed_ms = 50;
  m->latency.cpu_ms = 1;
  m->latency.base_millicores = 0;
  return m;
}

podsizer::traces::NodeGroup group(double cpu, double memory, int count, int max_count = 0,
                                  double price = 0) {
  podsizer::traces::NodeGroup g;
  g.cpu_millicores = cpu;
  g.memory_bytes = memory;
  g.count = count;
  g.max_count = max_count;
  g.price_per_hour = price;
  return g;
}

podsizer::traces::ContainerResources resources(std::optional<double> cpu_req,
                                               std::optional<double> mem_req,
                                               std::optional<double> cpu_lim,
                                               std::optional<double> mem_lim) {
  podsizer::traces::ContainerResources r;
  r.requests.cpu_millicores = cpu_req;
  r.requests.memory_bytes = mem_req;
  r.limits.cpu_millicores = cpu_lim;
  r.limits.memory_bytes = mem_lim;
  return r;
}

WorkloadSpec fixed_workload(const podsizer::traces::ContainerResources& r, int replicas) {
  WorkloadSpec w;
  w.name = "app";
  w.pod.main = r;
  w.hpa_enabled = false;
  w.replicas = replicas;
  w.memory_spread = 0;
  return w;
}

// Exact timing: no jitter.
SimulationOptions exact_options() {
  SimulationOptions o;
  o.startup.jitter = 0;
  return o;
}

ClusterSpec cluster_of(std::vector<podsizer::traces::NodeGroup> groups) {
  ClusterSpec c;
  c.groups = std::move(groups);
  return c;
}

}  // namespace

TEST_CASE("sim::Simulation: a pod fits by requests or stays Pending", "[sim]") {
  // One node of 1000m and 4Gi; pods request 400m: two fit (800m), the third would need 1200m.
  Simulation s(cluster_of({group(1000, 4 * kGiB, 1)}), exact_options());
  auto w = s.add_workload(fixed_workload(resources(400, 100 * kMiB, {}, {}), 3),
                          flat_model(10, 60, 0, 50, 100 * kMiB));
  s.advance_to(100);
  CHECK(s.replicas(w) == 3);
  CHECK(s.ready_replicas(w) == 2);
  auto pods = s.pods_of(w);
  CHECK(s.phase_of(pods[2]) == PodPhase::kPending);
  CHECK(s.node_of(pods[2]) == kNoNode);
  // 100 s with one pod Pending = 100 pod-seconds.
  CHECK(s.summary(w).pending_seconds == Approx(100));

  SECTION("usage plays no part: requests of exactly the allocatable fit") {
    Simulation t(cluster_of({group(1000, 4 * kGiB, 1)}), exact_options());
    // 500m x 2 = 1000m <= 1000m, although each pod uses 900m.
    auto v = t.add_workload(fixed_workload(resources(500, 100 * kMiB, {}, {}), 2),
                            flat_model(10, 60, 0, 900, 100 * kMiB));
    t.advance_to(10);
    CHECK(t.ready_replicas(v) == 2);
  }
}

TEST_CASE("sim::Simulation: the scheduler prefers the least allocated node", "[sim]") {
  // Two nodes of 4000m / 8Gi. A 2000m pod lands on node 0 (a tie, lowest id); the next
  // workload's 500m pod scores 50 x (3500/4000 + ...) on node 1 against 50 x (1500/4000 + ...)
  // on node 0, so it goes to node 1.
  Simulation s(cluster_of({group(4000, 8 * kGiB, 2)}), exact_options());
  auto big = s.add_workload(fixed_workload(resources(2000, 1 * kGiB, {}, {}), 1),
                            flat_model(10, 60, 0, 50, 100 * kMiB));
  WorkloadSpec small_spec = fixed_workload(resources(500, 1 * kGiB, {}, {}), 2);
  small_spec.name = "small";
  auto small = s.add_workload(small_spec, flat_model(10, 60, 0, 50, 100 * kMiB));
  s.advance_to(1);
  CHECK(s.node_of(s.pods_of(big)[0]) == 0);
  auto pods = s.pods_of(small);
  CHECK(s.node_of(pods[0]) == 1);
  // The second 500m pod: node 0 has 2000m + 1Gi requested, node 1 500m + 1Gi: node 1 again
  // (free CPU 3000/4000 against 1500/4000 after placing).
  CHECK(s.node_of(pods[1]) == 1);
}

TEST_CASE("sim::Simulation: OOM kills restart after 10, 20, 40 ... 300 s", "[sim]") {
  // Memory 2Gi against a 1Gi limit once Ready. Kill at 0, restart 10 s later; the container
  // starts in 2 s and is Ready 10 s after that, so it is killed 12 s after each restart:
  // kills at 0, 22, 54, 106, 198, 370, 682, 994 (restarts at 10, 42, 94, 186, 358, 670, 982).
  Simulation s(cluster_of({group(4000, 8 * kGiB, 1)}), exact_options());
  auto w = s.add_workload(fixed_workload(resources(500, 512 * kMiB, 1000, 1 * kGiB), 1),
                          flat_model(20, 60, 10, 100, 2 * kGiB));
  const double kills[] = {0, 22, 54, 106, 198, 370, 682, 994};
  for (int i = 0; i < 8; ++i) {
    if (kills[i] > 0) {
      s.advance_to(kills[i] - 0.001);
      CHECK(s.counters(w).oom_kills == static_cast<std::uint64_t>(i));
    }
    s.advance_to(kills[i]);
    CHECK(s.counters(w).oom_kills == static_cast<std::uint64_t>(i + 1));
  }
  CHECK(s.counters(w).restarts == 7);
  // Never ready for long: every request since the first kill went unserved or errored.
  CHECK(s.summary(w).errors > 0);
}

TEST_CASE("sim::Simulation: the back-off resets after 10 minutes of running", "[sim]") {
  // Samples of 100 s; memory over the 1Gi limit in [1000, 1100) and [2000, 2100) only.
  auto m = flat_model(25, 100, 10, 100, 512 * kMiB);
  m->memory_fixed[10] = 2 * kGiB;
  m->memory_fixed[20] = 2 * kGiB;
  Simulation s(cluster_of({group(4000, 8 * kGiB, 1)}), exact_options());
  auto w = s.add_workload(fixed_workload(resources(500, 512 * kMiB, 1000, 1 * kGiB), 1), m);

  // First streak: kills at 1000 (back-off 10), 1022 (20), 1054 (40); restart at 1094, started
  // at 1096, Ready at 1106 when memory is low again.
  s.advance_to(1500);
  CHECK(s.counters(w).oom_kills == 3);
  CHECK(s.counters(w).restarts == 3);
  CHECK(s.ready_replicas(w) == 1);

  // At 2000 it has run 904 s >= 600 s: the back-off starts again at 10 s (not 80 s).
  s.advance_to(2000);
  CHECK(s.counters(w).oom_kills == 4);
  s.advance_to(2009.999);
  CHECK(s.counters(w).restarts == 3);
  s.advance_to(2010);
  CHECK(s.counters(w).restarts == 4);
}

TEST_CASE("sim::Simulation: memory pressure evicts the pod furthest over its request", "[sim]") {
  // Node of 4Gi allocatable (4Gi + 100Mi capacity). A uses 3.55Gi on a 1Gi request, B 0.5Gi on
  // a 1Gi request: 4.05Gi > 4Gi allocatable means memory.available < 100Mi, but the node is not
  // out of memory (< 4.098Gi). The check at t = 0 evicts A; its replacement is Ready at 12 s
  // (no image pull on the same node: 2 s start + 10 s readiness) and the check at 20 s evicts it
  // again.
  Simulation s(cluster_of({group(4000, 4 * kGiB, 1)}), exact_options());
  WorkloadSpec a = fixed_workload(resources(500, 1 * kGiB, {}, {}), 1);
  a.name = "a";
  WorkloadSpec b = fixed_workload(resources(500, 1 * kGiB, {}, {}), 1);
  b.name = "b";
  auto wa = s.add_workload(a, flat_model(10, 60, 0, 50, 3.55 * kGiB));
  auto wb = s.add_workload(b, flat_model(10, 60, 0, 50, 0.5 * kGiB));
  s.advance_to(0);
  CHECK(s.counters(wa).evictions == 1);
  CHECK(s.counters(wb).evictions == 0);
  s.advance_to(19.9);
  CHECK(s.counters(wa).evictions == 1);
  CHECK(s.ready_replicas(wa) == 1);
  s.advance_to(20);
  CHECK(s.counters(wa).evictions == 2);
  CHECK(s.counters(wb).evictions == 0);
  CHECK(s.counters(wa).oom_kills == 0);
}

TEST_CASE("sim::Simulation: a node out of memory kills by OOM score", "[sim]") {
  // 4Gi allocatable, 4Gi + 100Mi capacity. A (BestEffort) uses 2Gi, B (Guaranteed, 3Gi) 2.5Gi:
  // 4.5Gi > capacity. Badness A = 1000 x 2/4.098 + 1000 = 1488; B = 610 - 997 = -387: A dies.
  Simulation s(cluster_of({group(4000, 4 * kGiB, 1)}), exact_options());
  WorkloadSpec a = fixed_workload(resources({}, {}, {}, {}), 1);
  a.name = "a";
  WorkloadSpec b = fixed_workload(resources(500, 3 * kGiB, 500, 3 * kGiB), 1);
  b.name = "b";
  auto wa = s.add_workload(a, flat_model(10, 60, 0, 50, 2 * kGiB));
  auto wb = s.add_workload(b, flat_model(10, 60, 0, 50, 2.5 * kGiB));
  s.advance_to(1);
  CHECK(s.counters(wa).oom_kills == 1);
  CHECK(s.counters(wb).oom_kills == 0);
  CHECK(s.ready_replicas(wb) == 1);
}

TEST_CASE("sim::Simulation: the cluster autoscaler adds and removes nodes with delays", "[sim]") {
  // One node of 1000m (max 2); three 400m pods: one Pending. The scan at 10 s adds a node,
  // Ready at 10 + 120 = 130 s; the pod binds then, pulls (10 s), starts (2 s), and is Ready
  // 10 s later, at 152 s.
  Simulation s(cluster_of({group(1000, 4 * kGiB, 1, 2)}), exact_options());
  auto w = s.add_workload(fixed_workload(resources(400, 100 * kMiB, {}, {}), 3),
                          flat_model(20, 60, 0, 50, 100 * kMiB));
  s.advance_to(9.9);
  CHECK(s.node_count() == 1);
  s.advance_to(10);
  CHECK(s.node_count() == 2);
  s.advance_to(151.9);
  CHECK(s.ready_replicas(w) == 2);
  s.advance_to(152);
  CHECK(s.ready_replicas(w) == 3);
  CHECK(s.summary(w).pending_seconds == Approx(130));

  // The new node holds 400m of 1000m from 130 s: 40 % is under the 50 % threshold, so it is
  // unneeded from the scan at 130 s, but its pod fits nowhere else. Down to 2 replicas at 200 s:
  // the newest pod (on the new node) goes, and at 130 + 600 = 730 s the empty node is removed.
  s.advance_to(200);
  s.set_replicas(w, 2);
  s.advance_to(729.9);
  CHECK(s.node_count() == 2);
  s.advance_to(730);
  CHECK(s.node_count() == 1);
  CHECK(s.ready_replicas(w) == 2);
  CHECK(s.cluster_summary().nodes_added == 1);
  CHECK(s.cluster_summary().nodes_removed == 1);
}

TEST_CASE("sim::Simulation: cost of requests, usage above them, and nodes", "[sim]") {
  // One hour, one pod of 1 core and 1Gi on a node priced 1.0/h.
  SimulationOptions o = exact_options();
  o.cost.cpu_core_hour = 0.0316;
  o.cost.memory_gib_hour = 0.00424;
  SECTION("usage under the request: the request is paid") {
    Simulation s(cluster_of({group(4000, 16 * kGiB, 1, 0, 1.0)}), o);
    auto w = s.add_workload(fixed_workload(resources(1000, 1 * kGiB, {}, {}), 1),
                            flat_model(60, 60, 0, 500, 512 * kMiB));
    s.run();
    WorkloadSummary sum = s.summary(w);
    // 1 core-hour x 0.0316 + 1 GiB-hour x 0.00424 = 0.03584.
    CHECK(sum.cost == Approx(0.03584));
    CHECK(sum.cpu_request_core_hours == Approx(1));
    CHECK(sum.memory_request_gib_hours == Approx(1));
    CHECK(s.cluster_summary().node_cost == Approx(1.0));
    CHECK(s.cluster_summary().node_hours == Approx(1.0));
  }
  SECTION("usage over the request: the usage is paid") {
    Simulation s(cluster_of({group(4000, 16 * kGiB, 1, 0, 1.0)}), o);
    auto w = s.add_workload(fixed_workload(resources(1000, 1 * kGiB, {}, {}), 1),
                            flat_model(60, 60, 0, 1500, 512 * kMiB));
    s.run();
    // 1.5 x 0.0316 + 1 x 0.00424 = 0.05164.
    CHECK(s.summary(w).cost == Approx(0.05164));
  }
  SECTION("without a price the node costs its cores and GiB at the split") {
    Simulation s(cluster_of({group(4000, 16 * kGiB, 1)}), o);
    s.add_workload(fixed_workload(resources(1000, 1 * kGiB, {}, {}), 1),
                   flat_model(60, 60, 0, 500, 512 * kMiB));
    s.run();
    // 4 x 0.0316 + 16 x 0.00424 = 0.19424 per hour.
    CHECK(s.cluster_summary().node_cost == Approx(0.19424));
  }
}

TEST_CASE("sim::Simulation: pod-time with memory above the request is counted", "[sim]") {
  // Two pods requesting 1Gi; each uses 512Mi for the first half hour and 1.5Gi for the second.
  // Over the request: 2 pods x 1800 s = 3600 pod-seconds, all in the second half-hour row.
  auto model = flat_model(60, 60, 0, 100, 512 * kMiB);
  for (int k = 30; k < 60; ++k) model->memory_fixed[k] = 1.5 * kGiB;
  SimulationOptions o = exact_options();
  o.results_interval_s = 1800;
  Simulation s(cluster_of({group(4000, 16 * kGiB, 1)}), o);
  auto w = s.add_workload(fixed_workload(resources(100, 1 * kGiB, {}, {}), 2), model);
  s.run();
  CHECK(s.summary(w).memory_over_request_seconds == Approx(3600));
  const auto& rows = s.intervals(w);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].memory_over_request_seconds == Approx(0).margin(1e-9));
  CHECK(rows[1].memory_over_request_seconds == Approx(3600));
}

TEST_CASE("sim::Simulation: overload builds a backlog, times out and violates the SLO", "[sim]") {
  // One replica, limit 1000m, 10 CPU-ms per request: mu = 100 req/s. 150 req/s for 100 s
  // (demand 1500m, throttled to 1000m): the backlog grows by 50/s and reaches the timeout's
  // 100 x 30 = 3000 at 60 s; the remaining 40 s drop 50/s = 2000 requests.
  auto m = flat_model(10, 10, 150, 0, 100 * kMiB);
  for (auto& c : m->cpu_shared) c = 1500;
  m->latency.cpu_ms = 10;
  Simulation s(cluster_of({group(4000, 8 * kGiB, 1)}), exact_options());
  auto w = s.add_workload(fixed_workload(resources(1000, 512 * kMiB, 1000, 1 * kGiB), 1), m);
  s.run();
  WorkloadSummary sum = s.summary(w);
  CHECK(sum.requests == Approx(15000));
  CHECK(sum.errors == Approx(2000));
  CHECK(sum.slo_violation_seconds == Approx(100));
  CHECK(sum.p95_latency_ms > 10000);

  SECTION("under capacity there is no violation") {
    // 50 req/s on mu = 100: p95 = 50 + 3.0 x 20 = 109.9 ms < 200 ms.
    auto light = flat_model(10, 10, 50, 500, 100 * kMiB);
    light->latency.cpu_ms = 10;
    Simulation t(cluster_of({group(4000, 8 * kGiB, 1)}), exact_options());
    auto v = t.add_workload(fixed_workload(resources(1000, 512 * kMiB, 1000, 1 * kGiB), 1), light);
    t.run();
    CHECK(t.summary(v).slo_violation_seconds == 0);
    CHECK(t.summary(v).errors == 0);
    // A 500m flat demand with CV 0.25 under a 1000m limit: z = (ln 2 + 0.0303)/0.2462 = 2.94,
    // under 0.2 % of periods throttled, while p95 stays the queueing value.
    CHECK(t.summary(v).p95_latency_ms == Approx(109.915).epsilon(1e-4));
  }
}

TEST_CASE("sim::Simulation: bursty demand under the limit is throttled", "[sim]") {
  // 400m on a 500m limit with CV 0.5 for one hour: 23.93 % of periods throttled (see
  // test_kubelet), so 0.2393 x 3600 = 861.5 throttled seconds.
  auto m = flat_model(60, 60, 0, 400, 100 * kMiB);
  m->burst_cv = 0.5;
  Simulation s(cluster_of({group(4000, 8 * kGiB, 1)}), exact_options());
  auto w = s.add_workload(fixed_workload(resources(500, 512 * kMiB, 500, 1 * kGiB), 1), m);
  s.run();
  CHECK(s.summary(w).throttled_seconds == Approx(0.239295 * 3600).epsilon(1e-4));
}

TEST_CASE("sim::Simulation: new resources roll the pods", "[sim]") {
  // Two replicas; maxSurge ceil(0.5) = 1, maxUnavailable floor(0.5) = 0. At 100 s one new pod
  // is created (3 pods); it starts in 2 s (image on the node) and is Ready at 112 s, when one
  // old pod goes and a second new one is created, Ready at 124 s, when the last old one goes.
  Simulation s(cluster_of({group(4000, 8 * kGiB, 1)}), exact_options());
  auto w = s.add_workload(fixed_workload(resources(250, 256 * kMiB, 500, 512 * kMiB), 2),
                          flat_model(10, 60, 10, 100, 100 * kMiB));
  s.advance_to(100);
  auto next = resources(300, 300 * kMiB, 600, 600 * kMiB);
  s.set_resources(w, next);
  CHECK(s.replicas(w) == 3);
  s.advance_to(111.9);
  CHECK(s.replicas(w) == 3);
  CHECK(s.ready_replicas(w) == 2);
  s.advance_to(112);
  CHECK(s.replicas(w) == 3);
  CHECK(s.ready_replicas(w) == 2);
  s.advance_to(124);
  CHECK(s.replicas(w) == 2);
  CHECK(s.ready_replicas(w) == 2);
  CHECK(s.resources(w).limits.cpu_millicores == 600);
  CHECK(s.counters(w).pods_created == 4);
}

TEST_CASE("sim::Simulation: the HPA scales on what metrics-server shows", "[sim]") {
  // One pod requesting 100m uses 400m (no limit): 400 % against an 80 % target, ratio 5. The
  // pod has a metric once two scrapes are visible: scrapes at 15 and 30 s are visible 5 s later,
  // so the sync at 30 s sees nothing and the one at 45 s scales to ceil(5 x 1) = 5 (the policy
  // allows max(1 + 4, 2 x 1) = 5).
  WorkloadSpec spec = fixed_workload(resources(100, 128 * kMiB, {}, {}), 1);
  spec.hpa_enabled = true;
  spec.hpa.min_replicas = 1;
  spec.hpa.max_replicas = 10;
  spec.hpa.target_utilization = 0.8;
  Simulation s(cluster_of({group(8000, 16 * kGiB, 1)}), exact_options());
  auto w = s.add_workload(spec, flat_model(20, 60, 0, 400, 100 * kMiB));
  s.advance_to(44);
  CHECK(s.desired_replicas(w) == 1);
  s.advance_to(45);
  CHECK(s.desired_replicas(w) == 5);
  REQUIRE(s.last_hpa_decision(w) != nullptr);
  CHECK(s.last_hpa_decision(w)->utilization_percent == 400);
}

namespace {

// A day of a varying load at 5-minute samples, with an HPA, start-up jitter and memory spread:
// everything random in the simulator is exercised.
std::shared_ptr<const WorkloadModel> wave_model() {
  auto m = std::make_shared<WorkloadModel>(*flat_model(288, 300, 0, 0, 0));
  for (int k = 0; k < 288; ++k) {
    double phase = 2 * M_PI * k / 288.0;
    m->rate[k] = 200 + 150 * std::sin(phase) + 40 * std::sin(7 * phase);
    m->cpu_fixed[k] = 40;
    m->cpu_shared[k] = 1.2 * m->rate[k];
    m->memory_fixed[k] = 300 * kMiB + 30 * kMiB * std::sin(3 * phase);
    m->memory_shared[k] = 0.5 * kMiB * m->rate[k];
  }
  m->burst_cv = 0.4;
  m->latency.fixed_ms = 100;
  m->latency.cpu_ms = 1.2;
  m->latency.base_millicores = 40;
  return m;
}

SimulationResults replay(std::uint64_t seed, std::shared_ptr<const WorkloadModel> model) {
  SimulationOptions o;
  o.seed = seed;
  Simulation s(cluster_of({group(2000, 8 * kGiB, 1, 4)}), o);
  WorkloadSpec spec = fixed_workload(resources(250, 400 * kMiB, 500, 520 * kMiB), 2);
  spec.hpa_enabled = true;
  spec.hpa.min_replicas = 2;
  spec.hpa.max_replicas = 12;
  spec.memory_spread = 0.1;
  s.add_workload(spec, std::move(model));
  s.run();
  return s.results();
}

std::vector<double> flatten(const SimulationResults& r) {
  std::vector<double> v;
  for (const auto& rows : r.intervals) {
    for (const auto& row : rows) {
      v.insert(v.end(), {row.cpu_usage_millicores, row.memory_usage_bytes, row.replicas_mean,
                         row.latency_p95_ms, row.oom_kills, row.errors, row.throttled_seconds,
                         row.pending_seconds, row.cost});
    }
  }
  for (const auto& s : r.summaries) {
    v.insert(v.end(), {s.oom_kills, s.restarts, s.p95_latency_ms, s.mean_replicas, s.cost});
  }
  v.insert(v.end(), {r.cluster.node_hours, r.cluster.nodes_added});
  return v;
}

}  // namespace

TEST_CASE("sim::Simulation: the same seed gives identical results", "[sim]") {
  auto model = wave_model();
  auto a = flatten(replay(7, model));
  auto b = flatten(replay(7, model));
  CHECK(a == b);
  // Another seed changes start-up times and memory spread, so something differs.
  auto c = flatten(replay(8, model));
  CHECK(a != c);
}

TEST_CASE("sim::Simulation: results do not depend on the thread count", "[sim]") {
  auto model = wave_model();
  auto run_all = [&](int threads) {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
    std::vector<std::vector<double>> out(6);
    tbb::parallel_for(0, 6, [&](int i) { out[i] = flatten(replay(100 + i, model)); });
    return out;
  };
  auto one = run_all(1);
  auto two = run_all(2);
  CHECK(one == two);
}

TEST_CASE("sim::write_results_hdf5: rows survive a round trip", "[sim]") {
  SimulationResults r = replay(3, wave_model());
  auto path = std::filesystem::temp_directory_path() / "podsizer_sim_results_test.h5";
  write_results_hdf5(path.string(), r);
  auto rows = read_interval_rows(path.string(), "app");
  REQUIRE(rows.size() == r.intervals[0].size());
  REQUIRE(!rows.empty());
  CHECK(rows[5].cpu_usage_millicores == r.intervals[0][5].cpu_usage_millicores);
  CHECK(rows.back().end_s == r.intervals[0].back().end_s);
  std::filesystem::remove(path);
  CHECK_THROWS(read_interval_rows(path.string(), "app"));
}

TEST_CASE("sim::Simulation: a node whose pods fit nowhere else stays", "[sim]") {
  // As in the autoscaler test, the added node holds one 400m pod (40 % < 50 %) from 130 s, but
  // the first node has only 200m free: at 730 s and later the node is kept.
  Simulation s(cluster_of({group(1000, 4 * kGiB, 1, 2)}), exact_options());
  auto w = s.add_workload(fixed_workload(resources(400, 100 * kMiB, {}, {}), 3),
                          flat_model(20, 60, 0, 50, 100 * kMiB));
  s.advance_to(1200);
  CHECK(s.node_count() == 2);
  CHECK(s.ready_replicas(w) == 3);
  CHECK(s.cluster_summary().nodes_removed == 0);
}

TEST_CASE("sim::Simulation: a policy runs every period and its changes take effect", "[sim]") {
  // Every 600 s the policy raises the replica count by one: calls at 600, 1200, ..., 3600 s of
  // a 1 h replay, so 3 by 1800 s (4 replicas) and 6 by the end.
  Simulation s(cluster_of({group(8000, 16 * kGiB, 1)}), exact_options());
  auto w = s.add_workload(fixed_workload(resources(100, 128 * kMiB, {}, {}), 1),
                          flat_model(60, 60, 10, 50, 100 * kMiB));
  int calls = 0;
  s.set_policy(600, [&](Simulation& sim) {
    ++calls;
    sim.set_replicas(w, sim.desired_replicas(w) + 1);
  });
  s.advance_to(1800);
  CHECK(calls == 3);
  CHECK(s.desired_replicas(w) == 4);
  s.run();
  CHECK(calls == 6);
}

TEST_CASE("sim::Simulation: interval rows add up to the summary", "[sim]") {
  // 1 h of 60 s samples at 10 req/s with 60 s rows: 60 rows of 600 requests each.
  SimulationOptions o = exact_options();
  o.results_interval_s = 60;
  Simulation s(cluster_of({group(8000, 16 * kGiB, 1)}), o);
  auto w = s.add_workload(fixed_workload(resources(100, 128 * kMiB, {}, {}), 2),
                          flat_model(60, 60, 10, 50, 100 * kMiB));
  s.run();
  const auto& rows = s.intervals(w);
  REQUIRE(rows.size() == 60);
  double requests = 0, cost = 0;
  for (const auto& r : rows) {
    CHECK(r.requests == Approx(600));
    CHECK(r.replicas_mean == Approx(2));
    // Two pods of 100m request, each using 50m: 200m requested, 100m used, 100m slack.
    CHECK(r.cpu_request_millicores == Approx(200));
    CHECK(r.cpu_usage_millicores == Approx(100));
    CHECK(r.cpu_slack_millicores == Approx(100));
    requests += r.requests;
    cost += r.cost;
  }
  CHECK(requests == Approx(s.summary(w).requests));
  CHECK(cost == Approx(s.summary(w).cost));
}
