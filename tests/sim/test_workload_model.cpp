#include <catch2/catch.hpp>

#include <cmath>

#include "sim/workload_model.h"
#include "traces/quantity.h"

using namespace podsizer::sim;
using podsizer::traces::kMiB;

namespace {

podsizer::traces::AppSpec app() {
  podsizer::traces::AppSpec a;
  a.app_name = "web";
  a.avg_request_per_sec = 100;
  a.peak_request_per_sec = 300;
  a.response_time_slo_ms = 200;
  return a;
}

}  // namespace

TEST_CASE("sim::fit_line: least squares through exact points", "[sim]") {
  // y = 3 + 2x.
  LineFit f = fit_line({0, 1, 2, 3}, {3, 5, 7, 9});
  CHECK(f.a == Approx(3));
  CHECK(f.b == Approx(2));
  // No spread in x: the mean, no slope.
  LineFit g = fit_line({5, 5, 5}, {1, 2, 3});
  CHECK(g.b == 0);
  CHECK(g.a == Approx(2));
}

TEST_CASE("sim::calibrate_workload: CPU and memory lines from a trace with a rate", "[sim]") {
  // Two pods; total rate 100, 200, 300, 400 req/s -> per pod 50..200. CPU per pod
  // = 50 + 2 x rate per pod; memory = 200Mi + 1Mi x rate per pod.
  podsizer::traces::Trace t;
  t.meta.name = "web";
  t.meta.interval_s = 60;
  for (int k = 0; k < 4; ++k) {
    double rate = 100.0 * (k + 1);
    double per_pod = rate / 2;
    t.time_s.push_back(60.0 * k);
    t.request_rate.push_back(rate);
    t.replicas.push_back(2);
    t.cpu_millicores.push_back(50 + 2 * per_pod);
    t.memory_bytes.push_back(200 * kMiB + 1 * kMiB * per_pod);
  }
  WorkloadModel m = calibrate_workload(t, app());
  CHECK(m.rate_from_trace);
  CHECK(m.cpu_base == Approx(50));
  CHECK(m.cpu_ms_per_request == Approx(2));
  CHECK(m.memory_base == Approx(200 * kMiB));
  CHECK(m.memory_per_rps == Approx(1 * kMiB));
  CHECK(m.end_s == Approx(240));

  // Replayed on the measured 2 pods: exactly the trace. Sample 3 (400 req/s): 50 + 2 x 200.
  CHECK(m.cpu_per_pod(3, 2) == Approx(450));
  // On 4 pods each sees 100 req/s: 50 + 2 x 100 = 250m; memory 200Mi + 100Mi.
  CHECK(m.cpu_per_pod(3, 4) == Approx(250));
  CHECK(m.memory_per_pod(3, 4) == Approx(300 * kMiB));
  // Without a load test the CPU part of a request is the fitted 2 ms, the fixed part half the
  // 200 ms SLO.
  CHECK(m.latency.cpu_ms == Approx(2));
  CHECK(m.latency.fixed_ms == Approx(100));
}

TEST_CASE("sim::calibrate_workload: without a rate the trace drives the pods", "[sim]") {
  // Per-pod CPU 300m over 3 measured pods: 900m in total, split over the simulated pods.
  podsizer::traces::Trace t;
  t.meta.interval_s = 300;
  for (int k = 0; k < 5; ++k) {
    t.time_s.push_back(300.0 * k);
    t.cpu_millicores.push_back(300);
    t.memory_bytes.push_back(400 * kMiB);
    t.replicas.push_back(3);
  }
  WorkloadModel m = calibrate_workload(t, app());
  CHECK_FALSE(m.rate_from_trace);
  CHECK(m.cpu_per_pod(0, 3) == Approx(300));
  CHECK(m.cpu_per_pod(0, 2) == Approx(450));
  CHECK(m.memory_per_pod(0, 2) == Approx(400 * kMiB));
  // The spec's 100 req/s average stands in for the rate; 900m / 100 = 9 CPU-ms per request.
  CHECK(m.rate[0] == Approx(100));
  CHECK(m.cpu_ms_per_request == Approx(9));
  // Flat CPU: no variability, so the burst CV is the floor.
  CHECK(m.burst_cv == Approx(0.25));
}

TEST_CASE("sim::calibrate_workload: the load test sets the latency model", "[sim]") {
  podsizer::traces::Trace t;
  t.meta.interval_s = 60;
  for (int k = 0; k < 3; ++k) {
    t.time_s.push_back(60.0 * k);
    t.request_rate.push_back(100.0 * (k + 1));
    t.cpu_millicores.push_back(40 + 1.0 * 100.0 * (k + 1));
  }
  podsizer::traces::LoadTest lt;
  lt.max_rps = 1000;
  lt.avg_latency_ms = 180;
  lt.cpu_usage_milli_cores = 840;
  podsizer::traces::AppSpec a = app();
  a.current.limits.cpu_millicores = 2000;
  WorkloadModel m = calibrate_workload(t, a, &lt);
  // Work per request (840 - 40) / 1000 = 0.8 ms. Capacity = the 2000m limit: mu = (2000 - 40)
  // / 0.8 = 2450 req/s; M/M/1 mean at 1000 req/s = 1000 / 1450 = 0.6897 ms; fixed part
  // 180 - 0.6897 = 179.310 ms.
  CHECK(m.latency.cpu_ms == Approx(0.8));
  CHECK(m.latency.fixed_ms == Approx(179.310).epsilon(1e-5));
}

TEST_CASE("sim::calibrate_workload: refuses a trace that cannot drive pods", "[sim]") {
  podsizer::traces::Trace t;
  CHECK_THROWS_AS(calibrate_workload(t, app()), std::invalid_argument);
  t.time_s = {0, 60};
  t.memory_bytes = {1, 2};
  CHECK_THROWS_AS(calibrate_workload(t, app()), std::invalid_argument);
}
