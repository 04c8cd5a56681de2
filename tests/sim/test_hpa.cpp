// Tests of sim/hpa.h against the rules of kubernetes/kubernetes pkg/controller/podautoscaler,
// each with the arithmetic worked out by hand beside it.
#include "sim/hpa.h"

#include <stdexcept>
#include <vector>

#include <catch2/catch.hpp>

namespace podsizer::sim {
namespace {

constexpr double kNow = 1000;  // late enough that pods started at 0 are past initialization

// A pod started long ago, ready since, with a fresh 15 s metric and a request.
HpaPodView ready_pod(double usage_millicores, double request_millicores = 1000) {
  HpaPodView pod;
  pod.start_time_s = 0;
  pod.ready = true;
  pod.last_transition_s = 10;
  pod.cpu_usage_millicores = usage_millicores;
  pod.metric_timestamp_s = kNow - 5;
  pod.metric_window_s = 15;
  pod.cpu_request_millicores = request_millicores;
  return pod;
}

std::vector<HpaPodView> ready_pods(int count, double usage_millicores) {
  return std::vector<HpaPodView>(static_cast<std::size_t>(count), ready_pod(usage_millicores));
}

HpaSpec spec_with(int min_replicas, int max_replicas, double target) {
  HpaSpec spec;
  spec.min_replicas = min_replicas;
  spec.max_replicas = max_replicas;
  spec.target_utilization = target;
  return spec;
}

}  // namespace

TEST_CASE("sim::Hpa: holds replicas within the tolerance and scales outside it", "[sim]") {
  HorizontalPodAutoscaler hpa(spec_with(1, 10, 0.8));

  SECTION("ratio 1.05 keeps 4 replicas") {
    // 4 pods at 840m of 1000m: 3360 / 4000 = 84 %; 84 / 80 = 1.05; |1 - 1.05| <= 0.1.
    REQUIRE(hpa.sync(kNow, 4, ready_pods(4, 840)) == 4);
    CHECK(hpa.last_decision().utilization_percent == 84);
    CHECK(hpa.last_decision().usage_ratio == Approx(1.05));
    CHECK(hpa.last_decision().reason == HpaReason::kWithinTolerance);
  }
  SECTION("ratio 0.9 is still within the tolerance") {
    // 720m each: 72 % / 80 % = 0.9; |1 - 0.9| = 0.0999... <= 0.1 in floating point.
    REQUIRE(hpa.sync(kNow, 4, ready_pods(4, 720)) == 4);
  }
  SECTION("ratio 1.1 lands a hair outside, as in the controller's float64 arithmetic") {
    // 880m each: 88 / 80 = 1.1000000000000001 in doubles; |1 - ratio| > 0.1, so
    // ceil(1.1 x 4) = ceil(4.4) = 5. Kubernetes computes the same expression.
    REQUIRE(hpa.sync(kNow, 4, ready_pods(4, 880)) == 5);
  }
  SECTION("ratio 1.2 scales 4 to 5") {
    // 960m each: 96 % / 80 % = 1.2; ceil(1.2 x 4) = ceil(4.8) = 5.
    REQUIRE(hpa.sync(kNow, 4, ready_pods(4, 960)) == 5);
    CHECK(hpa.last_decision().reason == HpaReason::kDesiredWithinRange);
  }
}

TEST_CASE("sim::Hpa: utilization is a whole percent before the ratio is taken", "[sim]") {
  // 4 pods with 1000m requests at 755m each: 3020 x 100 / 4000 = 75.5 -> 75 %. Target 50 %:
  // 75 / 50 = 1.5; ceil(1.5 x 4) = 6. Untruncated, 1.51 x 4 = 6.04 would give 7.
  HorizontalPodAutoscaler hpa(spec_with(1, 10, 0.5));
  REQUIRE(hpa.sync(kNow, 4, ready_pods(4, 755)) == 6);
  CHECK(hpa.last_decision().utilization_percent == 75);
}

TEST_CASE("sim::Hpa: scales up by the usage ratio times the ready pods", "[sim]") {
  // 4 pods at 1600m of 1000m: 160 %; 160 / 80 = 2.0; ceil(2.0 x 4) = 8.
  // The default policies allow max(4 + 4, 4 x 2) = 8, so nothing limits it.
  HorizontalPodAutoscaler hpa(spec_with(1, 20, 0.8));
  REQUIRE(hpa.sync(kNow, 4, ready_pods(4, 1600)) == 8);
  CHECK(hpa.last_decision().proposed_replicas == 8);
  CHECK(hpa.last_decision().reason == HpaReason::kDesiredWithinRange);
}

TEST_CASE("sim::Hpa: the scale-up policies bound the growth per period", "[sim]") {
  // 2 pods at 8000m of 1000m: 800 % / 80 % = 10; ceil(10 x 2) = 20 wanted.
  HorizontalPodAutoscaler hpa(spec_with(1, 30, 0.8));

  // First sync: no events yet, so the period starts at 2: max(2 + 4, ceil(2 x 2)) = 6.
  REQUIRE(hpa.sync(0, 2, ready_pods(2, 8000)) == 6);
  CHECK(hpa.last_decision().proposed_replicas == 20);
  CHECK(hpa.last_decision().reason == HpaReason::kScaleUpLimit);

  SECTION("within the same 15 s period the 4 pods already added count") {
    // At t = 5 the event at 0 is after the cutoff 5 - 15 = -10: period start = 6 - 4 = 2,
    // limit max(2 + 4, 2 x 2) = 6; the count stays 6.
    REQUIRE(hpa.sync(5, 6, ready_pods(6, 8000)) == 6);
    CHECK(hpa.last_decision().reason == HpaReason::kScaleUpLimit);
  }
  SECTION("the next period starts from 6") {
    // At t = 15 the event at 0 is not after the cutoff 0: period start = 6,
    // limit max(6 + 4, 6 x 2) = 12 (wanted ceil(10 x 6) = 60).
    REQUIRE(hpa.sync(15, 6, ready_pods(6, 8000)) == 12);
  }
}

TEST_CASE("sim::Hpa: scale-up select Min and Disabled", "[sim]") {
  HpaSpec spec = spec_with(1, 30, 0.8);
  SECTION("Min takes the smaller policy") {
    // From 2: Pods gives 2 + 4 = 6, Percent gives 2 x 2 = 4; Min picks 4.
    spec.scale_up_select = HpaSelectPolicy::kMin;
    HorizontalPodAutoscaler hpa(spec);
    REQUIRE(hpa.sync(0, 2, ready_pods(2, 8000)) == 4);
  }
  SECTION("Disabled forbids scaling up") {
    spec.scale_up_select = HpaSelectPolicy::kDisabled;
    HorizontalPodAutoscaler hpa(spec);
    REQUIRE(hpa.sync(0, 2, ready_pods(2, 8000)) == 2);
    CHECK(hpa.last_decision().reason == HpaReason::kScaleUpLimit);
  }
}

TEST_CASE("sim::Hpa: a dip scales down only after the stabilization window", "[sim]") {
  // Current 8, target 80 %. t = 0: 800m each = 80 %, ratio 1.0: proposal 8 (held).
  // From t = 30 on: 400m each = 40 %, ratio 0.5: proposal ceil(0.5 x 8) = 4. At t = 15:
  // 600m = 60 %, ratio 0.75: proposal ceil(0.75 x 8) = 6.
  // The result is the highest proposal of (now - 300, now]:
  //   t = 285: {8 @ 0, 6 @ 15, 4 ...} -> 8;  t = 300: 8 @ 0 drops out -> 6;
  //   t = 315: 6 @ 15 drops out -> 4.
  HorizontalPodAutoscaler hpa(spec_with(1, 10, 0.8));
  REQUIRE(hpa.sync(0, 8, ready_pods(8, 800)) == 8);
  REQUIRE(hpa.sync(15, 8, ready_pods(8, 600)) == 8);
  CHECK(hpa.last_decision().proposed_replicas == 6);
  CHECK(hpa.last_decision().reason == HpaReason::kStabilized);

  int replicas = 8;
  for (double t = 30; t <= 285; t += 15) replicas = hpa.sync(t, replicas, ready_pods(8, 400));
  REQUIRE(replicas == 8);
  REQUIRE(hpa.sync(300, 8, ready_pods(8, 400)) == 6);
  CHECK(hpa.last_decision().stabilized_replicas == 6);
  REQUIRE(hpa.sync(315, 6, ready_pods(8, 400)) == 4);
}

TEST_CASE("sim::Hpa: a fresh autoscaler has no history to hold a scale-down", "[sim]") {
  // Recommendations are kept from the first sync on, so the first sync sees only itself:
  // 8 pods at 600m = 60 %, ratio 0.75: ceil(0.75 x 8) = 6 at once.
  HorizontalPodAutoscaler hpa(spec_with(1, 10, 0.8));
  REQUIRE(hpa.sync(0, 8, ready_pods(8, 600)) == 6);
}

TEST_CASE("sim::Hpa: the scale-down policies bound the decrease per period", "[sim]") {
  HpaSpec spec = spec_with(1, 10, 0.8);
  spec.scale_down_stabilization_s = 0;

  SECTION("the default 100 % per 15 s allows going straight to the proposal") {
    // 10 pods at 80m = 8 %: ratio 0.1; ceil(0.1 x 10) = 1. Limit int(10 x 0) = 0, min 1.
    HorizontalPodAutoscaler hpa(spec);
    REQUIRE(hpa.sync(0, 10, ready_pods(10, 80)) == 1);
    CHECK(hpa.last_decision().reason == HpaReason::kDesiredWithinRange);
  }
  SECTION("50 % per 15 s halves per period, counting what the period already removed") {
    spec.scale_down_policies = {{HpaPolicyType::kPercent, 50, 15}};
    HorizontalPodAutoscaler hpa(spec);
    // t = 0: limit int(10 x 0.5) = 5.
    REQUIRE(hpa.sync(0, 10, ready_pods(10, 80)) == 5);
    CHECK(hpa.last_decision().reason == HpaReason::kScaleDownLimit);
    // t = 5: 5 removed within (−10, 5]: period start 5 + 5 = 10, limit 5: stays 5.
    REQUIRE(hpa.sync(5, 5, ready_pods(5, 80)) == 5);
    // t = 15: the event at 0 is out: period start 5, limit int(2.5) = 2.
    REQUIRE(hpa.sync(15, 5, ready_pods(5, 80)) == 2);
  }
  SECTION("Pods and Percent with Max take the larger decrease") {
    // 1 pod or 10 % per 15 s from 30: floors 30 - 1 = 29 and int(30 x 0.9) = 27; Max picks
    // the larger decrease, 27 (the proposal, 30 pods at 8 % -> ceil(0.1 x 30) = 3, is lower).
    spec.max_replicas = 30;
    spec.scale_down_policies = {{HpaPolicyType::kPods, 1, 15}, {HpaPolicyType::kPercent, 10, 15}};
    HorizontalPodAutoscaler hpa(spec);
    REQUIRE(hpa.sync(0, 30, ready_pods(30, 80)) == 27);
  }
}

TEST_CASE("sim::Hpa: min and max replicas bound the result", "[sim]") {
  SECTION("the scale-up stops at max_replicas") {
    // 4 pods at 160 % of an 80 % target want 8; max 5.
    HorizontalPodAutoscaler hpa(spec_with(1, 5, 0.8));
    REQUIRE(hpa.sync(kNow, 4, ready_pods(4, 1600)) == 5);
    CHECK(hpa.last_decision().reason == HpaReason::kTooManyReplicas);
  }
  SECTION("the scale-down stops at min_replicas") {
    // 4 pods at 200m = 20 %: ratio 0.25, ceil(0.25 x 4) = 1; min 3. No stabilization history.
    HorizontalPodAutoscaler hpa(spec_with(3, 10, 0.8));
    REQUIRE(hpa.sync(kNow, 4, ready_pods(4, 200)) == 3);
    CHECK(hpa.last_decision().reason == HpaReason::kTooFewReplicas);
  }
  SECTION("a count above max is brought down without reading metrics") {
    HorizontalPodAutoscaler hpa(spec_with(1, 5, 0.8));
    REQUIRE(hpa.sync(kNow, 7, {}) == 5);
    CHECK(hpa.last_decision().reason == HpaReason::kAboveMaxReplicas);
  }
  SECTION("a count below min is brought up without reading metrics") {
    HorizontalPodAutoscaler hpa(spec_with(2, 5, 0.8));
    REQUIRE(hpa.sync(kNow, 1, {}) == 2);
    CHECK(hpa.last_decision().reason == HpaReason::kBelowMinReplicas);
  }
}

TEST_CASE("sim::Hpa: missing metrics count against the direction of the change", "[sim]") {
  SECTION("scale-down: missing pods at 100 % bring the ratio within tolerance") {
    // Target 60 %. 3 pods at 400m (40 %), 1 missing: ratio 40 / 60 = 0.667, a scale-down.
    // Missing at max(100, 60) = 100 % of 1000m: (1200 + 1000) / 4000 = 55 %; 55 / 60 =
    // 0.917: within tolerance, keep 4 (without the missing pod: ceil(0.667 x 3) = 2).
    HorizontalPodAutoscaler hpa(spec_with(1, 10, 0.6));
    auto pods = ready_pods(4, 400);
    pods[3].cpu_usage_millicores.reset();
    REQUIRE(hpa.sync(kNow, 4, pods) == 4);
    CHECK(hpa.last_decision().usage_ratio == Approx(40.0 / 60.0));
    CHECK(hpa.last_decision().recomputed_ratio == Approx(55.0 / 60.0));
    CHECK(hpa.last_decision().missing_pods == 1);
    CHECK(hpa.last_decision().reason == HpaReason::kWithinTolerance);
  }
  SECTION("scale-down: missing pods at 100 % reverse the direction") {
    // Target 50 %. 3 pods at 300m (30 %): ratio 0.6. 2 missing at 100 %:
    // (900 + 2000) / 5000 = 58 %; 58 / 50 = 1.16 > 1: the direction flips, keep 5.
    HorizontalPodAutoscaler hpa(spec_with(1, 10, 0.5));
    auto pods = ready_pods(5, 300);
    pods[3].cpu_usage_millicores.reset();
    pods[4].cpu_usage_millicores.reset();
    REQUIRE(hpa.sync(kNow, 5, pods) == 5);
    CHECK(hpa.last_decision().reason == HpaReason::kDirectionReversed);
  }
  SECTION("scale-down that survives the assumption") {
    // Target 80 %. 3 pods at 200m (20 %): ratio 0.25. 1 missing at 100 %:
    // (600 + 1000) / 4000 = 40 %; 40 / 80 = 0.5; ceil(0.5 x 4 counted pods) = 2.
    HorizontalPodAutoscaler hpa(spec_with(1, 10, 0.8));
    auto pods = ready_pods(4, 200);
    pods[0].cpu_usage_millicores.reset();
    REQUIRE(hpa.sync(kNow, 4, pods) == 2);
  }
  SECTION("scale-up: missing pods at 0 % damp the growth") {
    // Target 50 %. 3 pods at 900m (90 %): ratio 1.8. 1 missing at 0:
    // 2700 / 4000 = 67 % (67.5 truncated); 67 / 50 = 1.34; ceil(1.34 x 4) = ceil(5.36) = 6.
    HorizontalPodAutoscaler hpa(spec_with(1, 10, 0.5));
    auto pods = ready_pods(4, 900);
    pods[3].cpu_usage_millicores.reset();
    REQUIRE(hpa.sync(kNow, 4, pods) == 6);
  }
  SECTION("scale-up: missing pods at 0 % reverse the direction") {
    // Target 80 %. 2 pods at 1000m (100 %): ratio 1.25. 2 missing at 0:
    // 2000 / 4000 = 50 %; 50 / 80 = 0.625 < 1: the direction flips, keep 4.
    HorizontalPodAutoscaler hpa(spec_with(1, 10, 0.8));
    auto pods = ready_pods(4, 1000);
    pods[2].cpu_usage_millicores.reset();
    pods[3].cpu_usage_millicores.reset();
    REQUIRE(hpa.sync(kNow, 4, pods) == 4);
    CHECK(hpa.last_decision().reason == HpaReason::kDirectionReversed);
  }
}

TEST_CASE("sim::Hpa: unready pods count as 0 % on a scale-up only", "[sim]") {
  // Target 80 %, every pod at 1000m of 1000m. Three ready pods: 100 %, ratio 1.25, a scale-up.
  // With the fourth pod unready at 0: 3000 / 4000 = 75 %; 75 / 80 = 0.9375, within the
  // tolerance: keep 4. When the fourth pod counts as ready: 4000 / 4000 = 100 %, ratio 1.25,
  // ceil(1.25 x 4) = 5.
  HorizontalPodAutoscaler hpa(spec_with(1, 20, 0.8));
  auto pods = ready_pods(4, 1000);
  HpaPodView& young = pods[3];

  SECTION("within the initialization period a pod that is not ready is unready") {
    young.start_time_s = kNow - 60;  // 60 s old, inside 300 s
    young.ready = false;
    young.last_transition_s = kNow - 60;
    REQUIRE(hpa.sync(kNow, 4, pods) == 4);
    CHECK(hpa.last_decision().unready_pods == 1);
    CHECK(hpa.last_decision().recomputed_ratio == Approx(0.9375));
    CHECK(hpa.last_decision().reason == HpaReason::kWithinTolerance);
  }
  SECTION(
      "within the initialization period a ready pod whose metric predates readiness "
      "is unready") {
    // Ready at 990; its 15 s metric ending at 1000 began at 985, before readiness:
    // 1000 < 990 + 15.
    young.start_time_s = 940;
    young.last_transition_s = 990;
    young.metric_timestamp_s = 1000;
    REQUIRE(hpa.sync(kNow, 4, pods) == 4);
    CHECK(hpa.last_decision().unready_pods == 1);
  }
  SECTION(
      "within the initialization period a ready pod with a full window after readiness "
      "counts") {
    // Ready at 980; its 15 s metric ending at 995 began at 980, not before readiness:
    // 995 < 980 + 15 is false, so the pod counts: 5.
    young.start_time_s = 940;
    young.last_transition_s = 980;
    young.metric_timestamp_s = 995;
    REQUIRE(hpa.sync(kNow, 4, pods) == 5);
    CHECK(hpa.last_decision().ready_pods == 4);
  }
  SECTION("after the initialization period a pod that never became ready is unready") {
    // Started at 0, not ready since 20: 0 + 30 > 20, it has never been ready.
    young.ready = false;
    young.last_transition_s = 20;
    REQUIRE(hpa.sync(kNow, 4, pods) == 4);
    CHECK(hpa.last_decision().unready_pods == 1);
  }
  SECTION("after the initialization period a pod that turned unready later still counts") {
    // Started at 0, not ready since 500: 0 + 30 > 500 is false, so its metric is used: 5.
    young.ready = false;
    young.last_transition_s = 500;
    REQUIRE(hpa.sync(kNow, 4, pods) == 5);
  }
  SECTION("a Pending pod is unready") {
    young.pending = true;
    young.cpu_usage_millicores.reset();
    REQUIRE(hpa.sync(kNow, 4, pods) == 4);
    CHECK(hpa.last_decision().unready_pods == 1);
  }
  SECTION("two unready pods of four reverse the direction") {
    // 2000 / 4000 = 50 %; 50 / 80 = 0.625 < 1 while 1.25 > 1: keep 4.
    young.ready = false;
    young.start_time_s = kNow - 60;
    pods[2] = young;
    REQUIRE(hpa.sync(kNow, 4, pods) == 4);
    CHECK(hpa.last_decision().reason == HpaReason::kDirectionReversed);
  }
  SECTION("on a scale-down unready pods are simply left out") {
    // 3 ready pods at 240m: 24 %, ratio 0.3; ceil(0.3 x 3) = ceil(0.9) = 1 (no stabilization
    // history yet). Had the busy unready pod counted: (720 + 1000) / 4000 = 43 %, ratio
    // 0.5375, ceil(2.15) = 3.
    for (auto& pod : pods) pod.cpu_usage_millicores = 240;
    young.cpu_usage_millicores = 1000;
    young.ready = false;
    young.start_time_s = kNow - 60;
    REQUIRE(hpa.sync(kNow, 4, pods) == 1);
  }
}

TEST_CASE("sim::Hpa: deleted and failed pods are ignored", "[sim]") {
  // 4 pods at 160 % plus a failed pod using nothing: still 160 %, ratio 2, ceil(2 x 4) = 8.
  HorizontalPodAutoscaler hpa(spec_with(1, 20, 0.8));
  auto pods = ready_pods(4, 1600);
  HpaPodView failed = ready_pod(0);
  failed.deleted_or_failed = true;
  pods.push_back(failed);
  REQUIRE(hpa.sync(kNow, 4, pods) == 8);
  CHECK(hpa.last_decision().ignored_pods == 1);
}

TEST_CASE("sim::Hpa: a pod without a CPU request stops the autoscaler", "[sim]") {
  // The other pods would want 8 (160 % of 80 %); one pod without a request blocks it.
  HorizontalPodAutoscaler hpa(spec_with(1, 20, 0.8));
  auto pods = ready_pods(4, 1600);
  pods[2].cpu_request_millicores.reset();
  REQUIRE(hpa.sync(kNow, 4, pods) == 4);
  CHECK(hpa.last_decision().reason == HpaReason::kMissingRequest);
}

TEST_CASE("sim::Hpa: does nothing without metrics or with zero replicas", "[sim]") {
  HorizontalPodAutoscaler hpa(spec_with(1, 20, 0.8));
  SECTION("no ready pod has a metric") {
    auto pods = ready_pods(3, 1600);
    for (auto& pod : pods) pod.cpu_usage_millicores.reset();
    REQUIRE(hpa.sync(kNow, 3, pods) == 3);
    CHECK(hpa.last_decision().reason == HpaReason::kNoMetrics);
  }
  SECTION("no pods listed") {
    REQUIRE(hpa.sync(kNow, 3, {}) == 3);
    CHECK(hpa.last_decision().reason == HpaReason::kNoPods);
  }
  SECTION("current replicas 0 means autoscaling is disabled") {
    REQUIRE(hpa.sync(kNow, 0, ready_pods(2, 1600)) == 0);
    CHECK(hpa.last_decision().reason == HpaReason::kScalingDisabled);
  }
}

TEST_CASE("sim::Hpa: a policy may move the target utilization", "[sim]") {
  // 4 pods at 800m of 1000m = 80 %. At the 80 % target the ratio is 1.0 (hold); moved to 40 %,
  // 80 / 40 = 2.0 and ceil(2.0 x 4) = 8.
  HorizontalPodAutoscaler hpa(spec_with(1, 20, 0.8));
  REQUIRE(hpa.sync(0, 4, ready_pods(4, 800)) == 4);
  hpa.set_target_utilization(0.4);
  REQUIRE(hpa.sync(15, 4, ready_pods(4, 800)) == 8);
  CHECK_THROWS_AS(hpa.set_target_utilization(0), std::invalid_argument);
}

TEST_CASE("sim::Hpa: refuses specs Kubernetes would refuse", "[sim]") {
  CHECK_THROWS_AS(HorizontalPodAutoscaler(spec_with(0, 5, 0.8)), std::invalid_argument);
  CHECK_THROWS_AS(HorizontalPodAutoscaler(spec_with(3, 2, 0.8)), std::invalid_argument);
  CHECK_THROWS_AS(HorizontalPodAutoscaler(spec_with(1, 5, 0)), std::invalid_argument);
  HpaSpec spec = spec_with(1, 5, 0.8);
  spec.scale_up_policies = {{HpaPolicyType::kPods, 0, 15}};
  CHECK_THROWS_AS(HorizontalPodAutoscaler(spec), std::invalid_argument);
  CHECK_NOTHROW(HorizontalPodAutoscaler(spec_with(1, 5, 0.8)));
}

}  // namespace podsizer::sim
