#include <catch2/catch.hpp>

#include <cmath>

#include "sim/latency.h"

using namespace podsizer::sim;

TEST_CASE("sim::replica_latency: M/M/1 at a known utilization", "[sim]") {
  // 10 CPU-ms per request on a full core (1000m, no idle use): mu = 1000 / 10 = 100 req/s.
  LatencyParams p;
  p.fixed_ms = 100;
  p.cpu_ms = 10;
  p.base_millicores = 0;
  double mu = service_rate(p, 1000);
  REQUIRE(mu == Approx(100));

  // lambda = 50: rho = 0.5, mean CPU part 1/(100 - 50) s = 20 ms; p50 = ln 2 x 20 = 13.863 ms,
  // p95 = -ln 0.05 x 20 = 59.915 ms, p99 = -ln 0.01 x 20 = 92.103 ms; plus the fixed 100 ms.
  ReplicaLatency r = replica_latency(p, 50, mu, 0, 0, 0, 0.95);
  CHECK(r.utilization == Approx(0.5));
  CHECK(r.mean_ms == Approx(120));
  CHECK(r.quantile_ms[0] == Approx(113.863).epsilon(1e-5));
  CHECK(r.quantile_ms[1] == Approx(159.915).epsilon(1e-5));
  CHECK(r.quantile_ms[2] == Approx(192.103).epsilon(1e-5));
  CHECK(r.slo_quantile_ms == Approx(r.quantile_ms[1]));

  SECTION("idle CPU use shrinks the service rate") {
    // 200m idle leaves 800m: mu = 80; lambda 40 -> mean 1/40 s = 25 ms.
    p.base_millicores = 200;
    double mu2 = service_rate(p, 1000);
    CHECK(mu2 == Approx(80));
    CHECK(replica_latency(p, 40, mu2, 0, 0, 0, 0.95).mean_ms == Approx(125));
  }
}

TEST_CASE("sim::throttle_wait_quantile_ms: throttling shows in the tail first", "[sim]") {
  // 20 % of periods throttled, stalled half of each: pi = 0.1 of requests wait U(0, 50 ms).
  // p50: 0.5 > 0.1 -> 0. p95: tail 0.05 < 0.1 -> 50 x (1 - 0.05/0.1) = 25 ms.
  // p99: 50 x (1 - 0.01/0.1) = 45 ms.
  CHECK(throttle_wait_quantile_ms(0.2, 0.5, 0.50) == 0);
  CHECK(throttle_wait_quantile_ms(0.2, 0.5, 0.95) == Approx(25));
  CHECK(throttle_wait_quantile_ms(0.2, 0.5, 0.99) == Approx(45));
  // 4 % throttled: pi = 0.02 < 0.05, so p95 is untouched while p99 waits 50 x (1 - 0.5) = 25.
  CHECK(throttle_wait_quantile_ms(0.04, 0.5, 0.95) == 0);
  CHECK(throttle_wait_quantile_ms(0.04, 0.5, 0.99) == Approx(25));
}

TEST_CASE("sim::advance_backlog: overload builds a backlog, the timeout drops requests", "[sim]") {
  double dropped = 0, mean = 0;
  SECTION("lambda 150 over mu 100 for 10 s: +500 requests, mean 250") {
    double b = advance_backlog(0, 150, 100, 10, 30, &dropped, &mean);
    CHECK(b == Approx(500));
    CHECK(mean == Approx(250));
    CHECK(dropped == 0);
    // Those 250 requests on average wait 250 / 100 = 2.5 s.
    LatencyParams p;
    p.fixed_ms = 0;
    p.cpu_ms = 10;
    ReplicaLatency r = replica_latency(p, 150, 100, mean, 0, 0, 0.95);
    CHECK(r.mean_ms > 2500);
  }
  SECTION("for 100 s: 5000 would wait, the timeout lets 100 x 30 = 3000 stay, 2000 dropped") {
    double b = advance_backlog(0, 150, 100, 100, 30, &dropped, &mean);
    CHECK(b == Approx(3000));
    CHECK(dropped == Approx(2000));
  }
  SECTION("draining: 300 queued, lambda 50, mu 100 empties in 6 s of 10") {
    // Mean over 10 s: triangle 0.5 x 300 x 6 / 10 = 90.
    double b = advance_backlog(300, 50, 100, 10, 30, &dropped, &mean);
    CHECK(b == 0);
    CHECK(mean == Approx(90));
  }
}

TEST_CASE("sim::LatencyMixture: one class in closed form, two by bisection", "[sim]") {
  LatencyMixture m;
  LatencyClass a;
  a.weight = 1;
  a.rate_per_ms = 0.05;  // mean 20 ms
  for (double& s : a.shift_ms) s = 100;
  m.add(a);
  m.add(a);  // identical: merged
  CHECK(m.size() == 1);
  CHECK(m.quantile_ms(1, 0.95) == Approx(100 + 59.915).epsilon(1e-5));

  // Half the traffic on a replica twice as slow (mean 40 ms). The mixture's p95 x solves
  // 0.5 e^{-(x-100)/20} + 0.5 e^{-(x-100)/40} = 0.05. With u = e^{-(x-100)/40}: u^2 + u = 0.1,
  // u = (-1 + sqrt(1.4)) / 2 = 0.0916080, x = 100 + 40 x 2.390180 = 195.607 ms.
  LatencyClass b = a;
  b.rate_per_ms = 0.025;
  m.add(b);
  m.add(b);  // weight 2 against the first class's 2
  CHECK(m.size() == 2);
  CHECK(m.quantile_ms(1, 0.95) == Approx(195.607).epsilon(1e-4));
}
