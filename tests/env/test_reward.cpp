#include <catch2/catch.hpp>

#include <vector>

#include "env/reward.h"
#include "traces/quantity.h"

using namespace podsizer::env;

TEST_CASE("env::reward: one step's terms and weights by hand", "[env]") {
  // Two half-hour rows of 2 pods: costs 0.02 and 0.03; 360 s of SLO violation; 50 of 2000
  // requests dropped; one OOM kill; 720 pod-seconds with memory above the request.
  std::vector<podsizer::sim::IntervalRow> rows(2);
  rows[0].start_s = 0;
  rows[0].end_s = 1800;
  rows[0].cost = 0.02;
  rows[0].slo_violation_seconds = 360;
  rows[0].requests = 1000;
  rows[0].oom_kills = 1;
  rows[0].replicas_mean = 2;
  rows[0].memory_over_request_seconds = 720;
  rows[1].start_s = 1800;
  rows[1].end_s = 3600;
  rows[1].cost = 0.03;
  rows[1].requests = 1000;
  rows[1].errors = 50;
  rows[1].replicas_mean = 2;

  // Reference: 500 m and 1 GiB per pod at 0.0316 per core-hour and 0.00424 per GiB-hour is
  // 0.0158 + 0.00424 = 0.02004 per pod-hour; 2 pods × 1 h = 0.04008.
  StepOutcome o = outcome_from_rows(rows, 500, podsizer::traces::kGiB, 0.0316, 0.00424);
  o.changes = 1;
  CHECK(o.duration_s == 3600);
  CHECK(o.reference_cost == Approx(0.04008));

  // Terms: cost 0.05 / 0.04008 = 1.247505; SLO max(360/3600, 50/2000) = 0.1; OOM ln(1 + 1) =
  // 0.693147; no eviction: ln 1 = 0; churn 1; exposure 720 / (2 pods × 3600 s) = 0.1.
  const RewardTerms t = reward_terms(o);
  CHECK(t.cost == Approx(1.247505));
  CHECK(t.slo == Approx(0.1));
  CHECK(t.oom == Approx(0.693147));
  CHECK(t.eviction == 0);
  CHECK(t.churn == 1);
  CHECK(t.exposure == Approx(0.1));

  // Balanced: −(0.5·1.247505 + 4·0.1 + 2·0.693147 + 0.5·0 + 0.05·1 + 4·0.1) = −2.8600465.
  CHECK(reward(o, reward_weights(podsizer::traces::Objective::kBalanced)) ==
        Approx(-2.8600465));
  // Savings: −(1·1.247505 + 2·0.1 + 1·0.693147 + 0.02·1 + 2·0.1) = −2.360652.
  CHECK(reward(o, reward_weights(podsizer::traces::Objective::kSavings)) == Approx(-2.360652));
  // Reliability: −(0.25·1.247505 + 8·0.1 + 4·0.693147 + 0.05·1 + 8·0.1) = −4.7344643.
  CHECK(reward(o, reward_weights(podsizer::traces::Objective::kReliability)) ==
        Approx(-4.7344643));

  // Eighty kills in the hour: ln 81 = 4.394449, not 80.
  o.oom_kills = 80;
  CHECK(reward_terms(o).oom == Approx(4.394449));
}

TEST_CASE("env::reward: dropped requests count when they exceed the violation time", "[env]") {
  StepOutcome o;
  o.duration_s = 3600;
  o.slo_violation_s = 36;  // 1 %
  o.requests = 100;
  o.errors = 30;  // 30 %
  CHECK(reward_terms(o).slo == Approx(0.3));
  o.errors = 500;  // more errors than requests is clamped to 1
  CHECK(reward_terms(o).slo == 1);
}
