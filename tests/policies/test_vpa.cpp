#include <catch2/catch.hpp>

#include <cmath>

#include "policies/histogram.h"
#include "policies/vpa.h"

using podsizer::policies::DecisionContext;
using podsizer::policies::Sample;
using podsizer::policies::vpa_memory_buckets;
using podsizer::policies::VpaOptions;
using podsizer::policies::VpaPolicy;

namespace {

constexpr double kMib = 1024.0 * 1024.0;

// Feeds one sample a minute from minute `first` to minute `last` inclusive.
void feed_minutes(VpaPolicy& vpa, int first, int last, double cpu_millicores, double memory_bytes) {
  for (int m = first; m <= last; ++m) {
    Sample s;
    s.time_s = m * 60.0;
    s.cpu_millicores = cpu_millicores;
    s.memory_bytes = memory_bytes;
    vpa.observe(s);
  }
}

// Bucket end of 0.1 cores: start(9) = 0.2 (1.05^9 - 1) = 0.1102656 cores.
constexpr double kCpuBucketEndMillicores = 110.2656;
// Bucket end of 300 MiB = 314572800 B: bucket floor(ln(314572800 x 0.05 / 1e7 + 1) / ln 1.05)
// = floor(ln 16.72864 ... ) = 19, end = start(20) = 2e8 (1.05^20 - 1) = 330659541 B.
const double kMemoryBucketEnd = 2e8 * (std::pow(1.05, 20) - 1);

}  // namespace

TEST_CASE("policies::Vpa: target, bounds and confidence multipliers after one day", "[policies]") {
  VpaPolicy vpa;
  // 1441 one-minute samples over exactly one day: days = 1.0, samples = 1441 / 1440, so
  // confidence = min(1.0, 1.0007) = 1.
  feed_minutes(vpa, 0, 1440, 100.0, 300 * kMib);
  REQUIRE(vpa.confidence() == Approx(1.0));
  auto r = vpa.recommend();
  REQUIRE(r);

  // Every percentile of a constant is the bucket end 110.2656 m; x 1.15 = 126.80544 m.
  CHECK(r->cpu_target_millicores == Approx(kCpuBucketEndMillicores * 1.15).epsilon(1e-6));
  CHECK(r->cpu_target_millicores == Approx(126.8054).epsilon(1e-5));
  // Upper x (1 + 1/1) = 253.611 m; lower x (1 + 0.001/1)^-2 = 126.80544 / 1.002001 = 126.552.
  CHECK(r->cpu_upper_millicores == Approx(253.6109).epsilon(1e-5));
  CHECK(r->cpu_lower_millicores == Approx(126.5522).epsilon(1e-5));

  // Memory: two interval peaks of 300 MiB (the sample at minute 1440 opens the second
  // interval); target = 330659541 x 1.15 = 380258472 B.
  REQUIRE(vpa_memory_buckets().find(300 * kMib) == 19);
  CHECK(*r->memory_target_bytes == Approx(kMemoryBucketEnd * 1.15).epsilon(1e-9));
  CHECK(*r->memory_target_bytes == Approx(380258472.0).epsilon(1e-6));
  CHECK(*r->memory_upper_bytes == Approx(kMemoryBucketEnd * 1.15 * 2.0).epsilon(1e-9));
}

TEST_CASE("policies::Vpa: five-minute samples count as five one-minute samples", "[policies]") {
  VpaPolicy vpa;
  // 289 samples five minutes apart over one day: minutes = 1 + 288 x 5 = 1441, so the
  // confidence is min(1.0, 1441 / 1440) = 1, where counting samples would give 289 / 1440 = 0.2.
  for (int k = 0; k <= 288; ++k) {
    Sample s;
    s.time_s = k * 300.0;
    s.cpu_millicores = 100.0;
    vpa.observe(s);
  }
  CHECK(vpa.confidence() == Approx(1.0));
}

TEST_CASE("policies::Vpa: recommendations never go below 25 m and 250 MiB", "[policies]") {
  VpaPolicy vpa;
  // 5 m is in bucket 0, end 10 m, x 1.15 = 11.5 m < 25 m; 50 MiB x 1.15 < 250 MiB.
  feed_minutes(vpa, 0, 1440, 5.0, 50 * kMib);
  auto r = vpa.recommend();
  REQUIRE(r);
  CHECK(r->cpu_target_millicores == 25.0);
  CHECK(r->cpu_lower_millicores == 25.0);
  CHECK(*r->memory_target_bytes == 250 * kMib);
  CHECK(*r->memory_lower_bytes == 250 * kMib);
}

TEST_CASE("policies::Vpa: an OOM kill adds max(used + 100 MiB, 1.2 x used)", "[policies]") {
  const auto target_after_oom = [](double peak_bytes) {
    VpaPolicy vpa;
    feed_minutes(vpa, 0, 60, 100.0, peak_bytes);
    Sample oom;
    oom.time_s = 61 * 60.0;
    oom.oom_kills = 1;
    vpa.observe(oom);
    return *vpa.recommend()->memory_target_bytes;
  };
  const auto& buckets = vpa_memory_buckets();

  SECTION("a small container is bumped by 100 MiB") {
    // used = 300 MiB (no request known): max(400 MiB, 360 MiB) = 400 MiB = 419430400 B, in
    // bucket floor(ln(3.097152) / ln 1.05) = 23, end 2e8 (1.05^24 - 1) = 445020000 B.
    REQUIRE(buckets.find(400 * kMib) == 23);
    CHECK(target_after_oom(300 * kMib) == Approx(buckets.end(23) * 1.15));
    CHECK(target_after_oom(300 * kMib) == Approx(511773000.0).epsilon(1e-4));
  }
  SECTION("a large container is bumped by 20 %") {
    // used = 1000 MiB: max(1100 MiB, 1200 MiB) = 1200 MiB.
    const double bumped = 1200 * kMib;
    CHECK(target_after_oom(1000 * kMib) == Approx(buckets.end(buckets.find(bumped)) * 1.15));
    CHECK(buckets.find(bumped) != buckets.find(1100 * kMib));
  }
}

TEST_CASE("policies::Vpa: only the last 8 daily memory peaks count", "[policies]") {
  // Days 0 and 1 peak at 2000 MiB, days 2..9 at 300 MiB; the target percentile 1.0 answers the
  // largest peak still kept.
  const auto target = [](int intervals) {
    VpaOptions options;
    options.target_percentile = 1.0;
    options.memory_intervals = intervals;
    VpaPolicy vpa(options);
    for (int day = 0; day < 10; ++day) {
      const double peak = day < 2 ? 2000 * kMib : 300 * kMib;
      feed_minutes(vpa, day * 1440, day * 1440 + 1439, 100.0, peak);
    }
    return *vpa.recommend()->memory_target_bytes;
  };
  CHECK(target(8) == Approx(kMemoryBucketEnd * 1.15));
  CHECK(target(10) > 2000 * kMib);
}

TEST_CASE("policies::Vpa: the updater's range, age and 10 % rules", "[policies]") {
  podsizer::traces::AppSpec app;
  app.current.requests = {250.0, 512 * kMib};
  app.current.limits = {500.0, 1024 * kMib};

  const auto decide = [&](int minutes, double cpu_request, double memory_request) {
    VpaPolicy vpa;
    feed_minutes(vpa, 0, minutes, 100.0, 300 * kMib);
    DecisionContext ctx;
    ctx.now_s = minutes * 60.0;
    ctx.app = &app;
    ctx.current.requests = {cpu_request, memory_request};
    ctx.current.limits = {2 * cpu_request, 2 * memory_request};
    return vpa.decide(ctx).resources;
  };
  const double target_cpu = kCpuBucketEndMillicores * 1.15;  // 126.805 m
  const double target_memory = kMemoryBucketEnd * 1.15;      // 380258472 B

  SECTION("a young pod inside the range keeps its requests even 60 % away") {
    // 6 h: confidence 0.25, CPU range [126.805 x 1.004^-2, 126.805 x 5] = [125.8, 634.0] m,
    // memory [377.2e6, 1901.3e6] B. diff = |300 - 126.8| / 300 + |400e6 - 380.26e6| / 400e6
    // = 0.577 + 0.049 = 0.627 >= 0.1, but the pod is 6 h old, under 12 h.
    auto r = decide(360, 300.0, 400e6);
    CHECK(*r.requests.cpu_millicores == 300.0);
    CHECK(*r.requests.memory_bytes == 400e6);
  }
  SECTION("a pod outside the range is updated however young") {
    // 1000 m is above the 634 m upper bound.
    auto r = decide(360, 1000.0, 400e6);
    CHECK(*r.requests.cpu_millicores == Approx(target_cpu));
    CHECK(*r.requests.memory_bytes == Approx(target_memory));
  }
  SECTION("a pod of 12 h is updated when the requests differ by 10 % or more") {
    // 12 h: confidence 0.5, CPU range [126.30, 380.42] m holds 300 m; diff 0.627 >= 0.1.
    auto r = decide(720, 300.0, 400e6);
    CHECK(*r.requests.cpu_millicores == Approx(target_cpu));
    // Limits keep the spec's ratios: 500 / 250 = 2 and 1 GiB / 512 MiB = 2.
    CHECK(*r.limits.cpu_millicores == Approx(2 * target_cpu));
    CHECK(*r.limits.memory_bytes == Approx(2 * target_memory));
  }
  SECTION("a pod of 12 h within 10 % keeps its requests") {
    // diff = |130 - 126.805| / 130 + |390e6 - 380.258e6| / 390e6 = 0.0246 + 0.0250 = 0.0496.
    auto r = decide(720, 130.0, 390e6);
    CHECK(*r.requests.cpu_millicores == 130.0);
    CHECK(*r.requests.memory_bytes == 390e6);
  }
}

TEST_CASE("policies::Vpa: a resource without a limit in the spec gets none", "[policies]") {
  podsizer::traces::AppSpec app;
  app.current.requests = {250.0, 512 * kMib};
  app.current.limits = {std::nullopt, 1024 * kMib};
  VpaPolicy vpa;
  feed_minutes(vpa, 0, 720, 100.0, 300 * kMib);
  DecisionContext ctx;
  ctx.now_s = 720 * 60.0;
  ctx.app = &app;
  ctx.current = app.current;
  auto r = vpa.decide(ctx).resources;
  CHECK(*r.requests.cpu_millicores == Approx(kCpuBucketEndMillicores * 1.15));
  CHECK_FALSE(r.limits.cpu_millicores.has_value());
  CHECK(*r.limits.memory_bytes == Approx(2 * kMemoryBucketEnd * 1.15));
}

TEST_CASE("policies::Vpa: an OOM kill lifts the memory request of a young pod", "[policies]") {
  VpaPolicy vpa;
  feed_minutes(vpa, 0, 360, 100.0, 300 * kMib);
  DecisionContext ctx;
  ctx.now_s = 360 * 60.0;
  ctx.current.requests = {300.0, 400e6};
  ctx.current.limits = {600.0, 800e6};
  // 6 h old and inside the range (see the updater test): nothing changes.
  REQUIRE(*vpa.decide(ctx).resources.requests.memory_bytes == 400e6);

  // Killed at 6 h 5 min: used = max(request 400e6, peak 300 MiB) = 400e6, so the bump is
  // max(400e6 + 104857600, 480e6) = 504857600 B. Its target (bucket end x 1.15) is above the
  // request and the lower bound (x (1 + 0.001 / 0.25)^-2 = x 0.992) still is, so the pod is
  // outside the range and updated though young; the limit keeps the 2x ratio in force.
  Sample oom;
  oom.time_s = 365 * 60.0;
  oom.oom_kills = 1;
  vpa.observe(oom);
  ctx.now_s = 366 * 60.0;
  const auto& buckets = vpa_memory_buckets();
  const double target = buckets.end(buckets.find(504857600.0)) * 1.15;
  const auto r = vpa.decide(ctx).resources;
  CHECK(*r.requests.memory_bytes == Approx(target));
  CHECK(*r.requests.memory_bytes > 504857600.0);
  CHECK(*r.limits.memory_bytes == Approx(2 * target));
}
