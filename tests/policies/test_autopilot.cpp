#include <catch2/catch.hpp>

#include "policies/autopilot.h"
#include "policies/autopilot_ml.h"
#include "policies/histogram.h"

using podsizer::policies::AutopilotEnsemble;
using podsizer::policies::AutopilotMlOptions;
using podsizer::policies::AutopilotMlPolicy;
using podsizer::policies::AutopilotOptions;
using podsizer::policies::AutopilotPolicy;
using podsizer::policies::DecisionContext;
using podsizer::policies::Sample;
using podsizer::policies::vpa_cpu_buckets;

namespace {

constexpr double kMib = 1024.0 * 1024.0;
// Bucket ends: 0.1 cores -> 0.1102656, 0.2 cores -> start(15) = 0.2 (1.05^15 - 1) = 0.2157856.
constexpr double kEnd100m = 0.1102656;
constexpr double kEnd200m = 0.2157856;

Sample cpu_at(double time_s, double millicores) {
  Sample s;
  s.time_s = time_s;
  s.cpu_millicores = millicores;
  return s;
}

Sample memory_at(double time_s, double bytes) {
  Sample s;
  s.time_s = time_s;
  s.memory_bytes = bytes;
  return s;
}

}  // namespace

TEST_CASE("policies::Autopilot: the CPU histogram is load-adjusted", "[policies]") {
  AutopilotOptions options;
  options.cpu_percentile = 0.4;
  AutopilotPolicy autopilot(options);
  // 100 m and 200 m at the same time. Counted by time 100 m holds half the weight, so P40
  // would be 100 m; weighted by load it holds 0.1102656 / (0.1102656 + 0.2157856) = 0.338 <
  // 0.4, so P40 is 200 m's bucket end: 215.7856 m, x 1.10 margin = 237.364 m.
  autopilot.observe(cpu_at(0.0, 100.0));
  autopilot.observe(cpu_at(0.0, 200.0));
  REQUIRE(autopilot.raw_cpu_millicores());
  CHECK(*autopilot.raw_cpu_millicores() == Approx(kEnd200m * 1000 * 1.10).epsilon(1e-5));
  CHECK(*autopilot.raw_cpu_millicores() == Approx(237.364).epsilon(1e-5));
}

TEST_CASE("policies::Autopilot: CPU samples decay with a 12 h half-life", "[policies]") {
  AutopilotOptions options;
  options.cpu_percentile = 0.5;
  AutopilotPolicy autopilot(options);
  // 200 m at t = 0 weighs 1 x 0.2157856; 100 m 12 h later weighs 2 x 0.1102656 = 0.2205312.
  // The 100 m bucket holds 0.2205312 / 0.4363168 = 0.505 >= 0.5, so P50 = 110.2656 m x 1.1 =
  // 121.292 m. Without the decay it would hold 0.338 and P50 would be the 200 m bucket.
  autopilot.observe(cpu_at(0.0, 200.0));
  autopilot.observe(cpu_at(12 * 3600.0, 100.0));
  CHECK(*autopilot.raw_cpu_millicores() == Approx(kEnd100m * 1000 * 1.10).epsilon(1e-5));
}

TEST_CASE("policies::Autopilot: memory is the window's peak plus 15 %", "[policies]") {
  AutopilotOptions options;
  options.memory_window_s = 10 * 3600.0;
  AutopilotPolicy autopilot(options);
  autopilot.observe(memory_at(0.0, 1000 * kMib));
  autopilot.observe(memory_at(3600.0, 400 * kMib));
  CHECK(*autopilot.raw_memory_bytes() == Approx(1150 * kMib));
  // At 10 h the 1000 MiB peak leaves the 10 h window (0 <= 10 h - 10 h): 400 x 1.15 = 460 MiB.
  autopilot.observe(memory_at(10 * 3600.0, 300 * kMib));
  CHECK(*autopilot.raw_memory_bytes() == Approx(460 * kMib));
}

TEST_CASE("policies::Autopilot: the answer is the largest recommendation of the last hour",
          "[policies]") {
  AutopilotOptions options;
  options.memory_window_s = 3600.0;
  AutopilotPolicy autopilot(options);
  // 1000 MiB at t = 0, then 100 MiB every 10 minutes. The raw recommendation stays
  // 1000 x 1.15 = 1150 MiB until minute 50 and drops to 115 MiB at minute 60, when the peak
  // leaves its 1 h window.
  autopilot.observe(memory_at(0.0, 1000 * kMib));
  for (int m = 10; m <= 110; m += 10) {
    autopilot.observe(memory_at(m * 60.0, 100 * kMib));
    if (m == 60) {
      CHECK(*autopilot.raw_memory_bytes() == Approx(115 * kMib));
      // Decided at minute 60: the recommendations of (0, 60] include 1150 MiB at 10..50.
      DecisionContext ctx;
      ctx.now_s = m * 60.0;
      auto r = autopilot.decide(ctx).resources;
      CHECK(*r.requests.memory_bytes == Approx(1150 * kMib));
      CHECK(*r.limits.memory_bytes == Approx(1150 * kMib));
    }
  }
  // At minute 110 the window (50, 110] holds only 115 MiB.
  DecisionContext ctx;
  ctx.now_s = 110 * 60.0;
  CHECK(*autopilot.decide(ctx).resources.requests.memory_bytes == Approx(115 * kMib));
}

TEST_CASE("policies::AutopilotMl: a model trades overrun against underrun", "[policies]") {
  // One model, no decay to speak of, no margin. Nine samples at 100 m and one at 200 m.
  // Bucket middles: 100 m -> (0.0954911 + 0.1102656) / 2 = 0.1028784,
  // 200 m -> (0.1959863 + 0.2157856) / 2 = 0.2058860; mean = (9 x 0.1028784 + 0.205886) / 10
  // = 0.1131792.
  // L = 0.1102656: overrun 0.1, underrun 0.9 x (0.1102656 - 0.1028784) / 0.1131792 = 0.05874.
  // L = 0.2157856: overrun 0, underrun (0.9 x 0.1129072 + 0.1 x 0.0098996) / 0.1131792
  //   = 0.90658. Limits in between add underrun and keep the 0.1 overrun.
  const auto limit_with = [](double overrun_weight, double margin) {
    AutopilotMlOptions options;
    options.half_lives_s = {1e12};
    options.margins = {margin};
    AutopilotEnsemble ensemble(options, &vpa_cpu_buckets(), overrun_weight);
    for (int i = 0; i < 9; ++i) ensemble.observe(0.0, 0.1);
    ensemble.observe(0.0, 0.2);
    return *ensemble.decide();
  };
  // w_o = 3: 0.3 + 0.0587 = 0.3587 < 0.9066, the lower limit.
  CHECK(limit_with(3.0, 0.0) == Approx(kEnd100m).epsilon(1e-5));
  // w_o = 10: 1.0 + 0.0587 = 1.0587 > 0.9066, the higher limit.
  CHECK(limit_with(10.0, 0.0) == Approx(kEnd200m).epsilon(1e-5));
  // A margin of 20 % multiplies the chosen limit.
  CHECK(limit_with(3.0, 0.2) == Approx(kEnd100m * 1.2).epsilon(1e-5));
}

TEST_CASE("policies::AutopilotMl: the ensemble moves to the model of least cost", "[policies]") {
  AutopilotMlOptions options;
  options.half_lives_s = {1e12};
  options.margins = {0.0, 0.5};
  options.default_half_life_s = 1e12;
  options.default_margin = 0.5;
  AutopilotEnsemble ensemble(options, &vpa_cpu_buckets(), 3.0);
  for (int i = 0; i < 10; ++i) ensemble.observe(i * 60.0, 0.1);

  // First decision: no charges yet, the default (50 % margin) wins the tie.
  REQUIRE(ensemble.decide());
  CHECK(*ensemble.chosen_model() == 1);
  CHECK(*ensemble.model_limit(0) == Approx(kEnd100m).epsilon(1e-5));
  CHECK(*ensemble.model_limit(1) == Approx(kEnd100m * 1.5).epsilon(1e-5));

  // At 0.1 cores model 0 is charged (0.1102656 - 0.1) / 0.1 = 0.1027 per sample and model 1
  // (0.1653984 - 0.1) / 0.1 = 0.654; 0.1027 + 0.02 (switch) + 0.02 (change) < 0.654.
  for (int i = 10; i < 20; ++i) ensemble.observe(i * 60.0, 0.1);
  CHECK(ensemble.model_cost(0) == Approx(0.102656).epsilon(1e-3));
  CHECK(ensemble.model_cost(1) == Approx(0.653984).epsilon(1e-3));
  CHECK(*ensemble.decide() == Approx(kEnd100m).epsilon(1e-5));
  CHECK(*ensemble.chosen_model() == 0);
}

TEST_CASE("policies::AutopilotMl: sets request and limit from both ensembles", "[policies]") {
  AutopilotMlPolicy policy;
  for (int i = 0; i < 100; ++i) {
    Sample s;
    s.time_s = i * 300.0;
    s.cpu_millicores = 100.0;
    s.memory_bytes = 300 * kMib;
    policy.observe(s);
  }
  DecisionContext ctx;
  ctx.now_s = 99 * 300.0;
  auto r = policy.decide(ctx).resources;
  // A constant usage: every model picks its bucket end; the default model adds 10 %.
  CHECK(*r.requests.cpu_millicores == Approx(kEnd100m * 1000 * 1.1).epsilon(1e-5));
  CHECK(*r.limits.cpu_millicores == *r.requests.cpu_millicores);
  CHECK(*r.requests.memory_bytes > 300 * kMib);
  CHECK(*r.limits.memory_bytes == *r.requests.memory_bytes);
}
