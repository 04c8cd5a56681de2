#include <catch2/catch.hpp>

#include "policies/krr.h"

using podsizer::policies::DecisionContext;
using podsizer::policies::KrrOptions;
using podsizer::policies::KrrPolicy;
using podsizer::policies::Sample;

namespace {

constexpr double kMib = 1024.0 * 1024.0;

Sample at(double time_s, double cpu, double memory) {
  Sample s;
  s.time_s = time_s;
  s.cpu_millicores = cpu;
  s.memory_bytes = memory;
  return s;
}

DecisionContext context(double now_s) {
  DecisionContext ctx;
  ctx.now_s = now_s;
  ctx.current.requests = {250.0, 512 * kMib};
  ctx.current.limits = {500.0, 1024 * kMib};
  return ctx;
}

}  // namespace

TEST_CASE("policies::Krr: CPU request at P95, memory at the peak x 1.15, no CPU limit",
          "[policies]") {
  KrrPolicy krr;
  // 241 one-minute samples over 4 h: CPU i m for i = 0..240, memory 200 MiB but 400 MiB once.
  for (int i = 0; i <= 240; ++i) {
    krr.observe(at(i * 60.0, i, i == 100 ? 400 * kMib : 200 * kMib));
  }
  auto r = krr.decide(context(240 * 60.0)).resources;
  // P95 of 0..240 by linear interpolation: rank 0.95 x 240 = 228 -> 228 m.
  CHECK(*r.requests.cpu_millicores == Approx(228.0));
  CHECK_FALSE(r.limits.cpu_millicores.has_value());
  // 400 MiB x 1.15 = 460 MiB for both request and limit.
  CHECK(*r.requests.memory_bytes == Approx(460 * kMib));
  CHECK(*r.limits.memory_bytes == Approx(460 * kMib));
}

TEST_CASE("policies::Krr: at least 10 m of CPU and 100 MiB of memory", "[policies]") {
  KrrPolicy krr;
  for (int i = 0; i <= 240; ++i) krr.observe(at(i * 60.0, 5.0, 50 * kMib));
  auto r = krr.decide(context(240 * 60.0)).resources;
  CHECK(*r.requests.cpu_millicores == 10.0);
  // 50 MiB x 1.15 = 57.5 MiB < 100 MiB.
  CHECK(*r.requests.memory_bytes == 100 * kMib);
}

TEST_CASE("policies::Krr: under 3 h of history nothing is recommended", "[policies]") {
  KrrPolicy krr;
  // Minutes 0..179 span 179 minutes: the current resources stay.
  for (int i = 0; i < 180; ++i) krr.observe(at(i * 60.0, 100.0, 200 * kMib));
  auto before = krr.decide(context(179 * 60.0)).resources;
  CHECK(*before.requests.cpu_millicores == 250.0);
  CHECK(*before.limits.cpu_millicores == 500.0);
  CHECK(*before.requests.memory_bytes == 512 * kMib);

  // Minute 180 makes the span exactly 3 h.
  krr.observe(at(180 * 60.0, 100.0, 200 * kMib));
  auto after = krr.decide(context(180 * 60.0)).resources;
  CHECK(*after.requests.cpu_millicores == Approx(100.0));
  CHECK(*after.requests.memory_bytes == Approx(230 * kMib));
}

TEST_CASE("policies::Krr: fewer than 100 points recommend nothing", "[policies]") {
  KrrPolicy krr;
  // Five-minute samples over 4 h: 49 points, span 4 h >= 3 h, but 49 < 100.
  for (int i = 0; i <= 48; ++i) krr.observe(at(i * 300.0, 100.0, 200 * kMib));
  auto r = krr.decide(context(48 * 300.0)).resources;
  CHECK(*r.requests.cpu_millicores == 250.0);

  KrrOptions options;
  options.points_required = 40;
  KrrPolicy lenient(options);
  for (int i = 0; i <= 48; ++i) lenient.observe(at(i * 300.0, 100.0, 200 * kMib));
  CHECK(*lenient.decide(context(48 * 300.0)).resources.requests.cpu_millicores == Approx(100.0));
}

TEST_CASE("policies::Krr: only the last 14 days count", "[policies]") {
  KrrPolicy krr;
  // Day 0 peaks at 1000 MiB; days 1..15 stay at 100 MiB. At day 15 + 1 h the window
  // (day 1 + 1 h, day 15 + 1 h] no longer holds day 0, so memory = 100 MiB x 1.15 = 115 MiB.
  const double day = 86400.0;
  for (int k = 0; k * 300.0 <= 15 * day + 3600; ++k) {
    const double t = k * 300.0;
    krr.observe(at(t, 100.0, t < day ? 1000 * kMib : 100 * kMib));
  }
  auto r = krr.decide(context(15 * day + 3600)).resources;
  CHECK(*r.requests.memory_bytes == Approx(115 * kMib));
}
