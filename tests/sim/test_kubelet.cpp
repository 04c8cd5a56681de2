#include <catch2/catch.hpp>

#include <vector>

#include "sim/kubelet.h"
#include "sim/resources.h"

using namespace podsizer::sim;

TEST_CASE("sim::cfs_throttle: flat demand is throttled only above the limit", "[sim]") {
  SECTION("below the limit: nothing") {
    ThrottleStats s = cfs_throttle(400, 0.0, 500);
    CHECK(s.used == 400);
    CHECK(s.throttled_fraction == 0);
    CHECK(s.lost == 0);
  }
  SECTION("at the limit: nothing lost") {
    ThrottleStats s = cfs_throttle(500, 0.0, 500);
    CHECK(s.throttled_fraction == 0);
    CHECK(s.used == 500);
  }
  SECTION("above: every period, the excess lost") {
    ThrottleStats s = cfs_throttle(600, 0.0, 500);
    CHECK(s.throttled_fraction == 1);
    CHECK(s.used == 500);
    CHECK(s.lost == 100);
    // The quota lasts 500/600 of each period: the rest, 1/6, is spent waiting.
    CHECK(s.stall_fraction == Approx(1.0 / 6.0));
  }
  SECTION("no limit: nothing") {
    ThrottleStats s = cfs_throttle(5000, 1.0, kUnlimited);
    CHECK(s.used == 5000);
    CHECK(s.throttled_fraction == 0);
  }
}

TEST_CASE("sim::cfs_throttle: bursty demand is throttled below its limit", "[sim]") {
  // Mean 400m, CV 0.5, limit 500m.
  // sigma^2 = ln(1 + 0.25) = 0.223144, sigma = 0.472381; mu = ln 400 - sigma^2/2 = 5.879893.
  // z = (ln 500 - mu) / sigma = (6.214608 - 5.879893) / 0.472381 = 0.708571.
  // P(D > L) = 1 - Phi(0.708571) = 0.239295.
  // E[D; D > L] = 400 Phi(sigma - z) = 400 Phi(-0.236190) = 400 x 0.406642 = 162.657.
  // Lost = 162.657 - 500 x 0.239295 = 43.009; used = 356.991.
  ThrottleStats s = cfs_throttle(400, 0.5, 500);
  CHECK(s.throttled_fraction == Approx(0.239295).epsilon(1e-5));
  CHECK(s.lost == Approx(43.009).epsilon(1e-4));
  CHECK(s.used == Approx(356.991).epsilon(1e-5));
  // A throttled period wants 162.657 / 0.239295 = 679.73m on average: it stalls 1 - 500/679.73.
  CHECK(s.stall_fraction == Approx(0.264417).epsilon(1e-4));

  SECTION("with the mean at the limit, z = sigma/2 = 0.236190: 40.7 % of periods hit it") {
    // P = 1 - Phi(0.236190) = 0.406642; lost = 500 Phi(0.236190) - 500 x 0.406642 = 93.358.
    ThrottleStats at = cfs_throttle(500, 0.5, 500);
    CHECK(at.throttled_fraction == Approx(0.406642).epsilon(1e-5));
    CHECK(at.lost == Approx(93.358).epsilon(1e-4));
  }
  SECTION("less bursty demand is throttled less") {
    CHECK(cfs_throttle(400, 0.25, 500).throttled_fraction < s.throttled_fraction);
  }
}

TEST_CASE("sim::divide_by_shares: contention divides CPU by requests", "[sim]") {
  SECTION("enough for everyone: demands are met") {
    std::vector<double> d{300, 200}, w{1024, 1024}, g(2);
    divide_by_shares(d.data(), w.data(), g.data(), 2, 1000);
    CHECK(g == std::vector<double>{300, 200});
  }
  SECTION("both want more than their share: split 3:1 by shares") {
    // 4000m node; requests 3 cores and 1 core (3072 and 1024 shares); each wants 4 cores.
    std::vector<double> d{4000, 4000}, w{3072, 1024}, g(2);
    divide_by_shares(d.data(), w.data(), g.data(), 2, 4000);
    CHECK(g[0] == Approx(3000));
    CHECK(g[1] == Approx(1000));
  }
  SECTION("a pod under its share keeps its demand; the rest goes to the other") {
    // Pod 0 wants 500m, pod 1 wants 3000m, equal shares. On 4000m the total 3500m fits: both
    // are served in full.
    std::vector<double> d{500, 3000}, w{1024, 1024}, g(2);
    divide_by_shares(d.data(), w.data(), g.data(), 2, 4000);
    CHECK(g[0] == 500);
    CHECK(g[1] == 3000);
    // On 3000m each share is 1500m: pod 0 gets its 500m, pod 1 the remaining 2500m.
    divide_by_shares(d.data(), w.data(), g.data(), 2, 3000);
    CHECK(g[0] == Approx(500));
    CHECK(g[1] == Approx(2500));
  }
  SECTION("BestEffort (2 shares) gets almost nothing next to a 1-core request") {
    std::vector<double> d{2000, 2000}, w{1024, 2}, g(2);
    divide_by_shares(d.data(), w.data(), g.data(), 2, 1000);
    // 1000 x 1024/1026 = 998.05 and 1000 x 2/1026 = 1.95.
    CHECK(g[0] == Approx(998.05).epsilon(1e-4));
    CHECK(g[1] == Approx(1.949).epsilon(1e-3));
  }
}

TEST_CASE("sim::restart_back_off: 10 s doubling to 300 s", "[sim]") {
  CHECK(restart_back_off(1) == 10);
  CHECK(restart_back_off(2) == 20);
  CHECK(restart_back_off(3) == 40);
  CHECK(restart_back_off(4) == 80);
  CHECK(restart_back_off(5) == 160);
  CHECK(restart_back_off(6) == 300);  // 320 capped
  CHECK(restart_back_off(7) == 300);
  CHECK(restart_back_off(50) == 300);
}

TEST_CASE("sim::rank_for_eviction: over-request pods first, by priority then excess", "[sim]") {
  const double mi = 1024.0 * 1024.0;
  std::vector<EvictionCandidate> c{
      {1, 500 * mi, 1000 * mi, 0},   // under its request
      {2, 900 * mi, 500 * mi, 0},    // 400Mi over
      {3, 700 * mi, 600 * mi, 0},    // 100Mi over
      {4, 2000 * mi, 500 * mi, 10},  // 1500Mi over, but higher priority
      {5, 800 * mi, 800 * mi, 0},    // exactly at its request (Guaranteed-like): not over
  };
  rank_for_eviction(c);
  // Over-request: priority 0 first (2 with 400Mi excess before 3 with 100Mi), then pod 4 of
  // priority 10; then the pods not over their request: 5 (excess 0) before 1 (excess -500Mi).
  std::vector<PodId> order;
  for (const auto& e : c) order.push_back(e.pod);
  CHECK(order == std::vector<PodId>{2, 3, 4, 5, 1});
}

TEST_CASE("sim::oom_badness: share of memory plus the adjustment", "[sim]") {
  // 2 GiB of 8 GiB is 250 thousandths; BestEffort adds 1000, Guaranteed subtracts 997.
  const double gi = 1024.0 * 1024.0 * 1024.0;
  CHECK(oom_badness(2 * gi, 8 * gi, 1000) == Approx(1250));
  CHECK(oom_badness(2 * gi, 8 * gi, -997) == Approx(-747));
}
