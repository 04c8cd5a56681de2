#include "sim/hpa.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>

#include "traces/log.h"

namespace podsizer::sim {
namespace {

// Metric values reach the controller as resource.Quantity and are read with MilliValue(), which
// rounds up to a whole millicore. The small slack keeps 400.0000000001 (float noise from the
// pipeline's integration) from becoming 401.
std::int64_t to_millis(double millicores) {
  return static_cast<std::int64_t>(std::ceil(millicores - 1e-6));
}

// The HPA's target is a whole percent (targetAverageUtilization is an int32 in autoscaling/v2).
std::int64_t target_percent(double target_utilization) {
  return std::max<std::int64_t>(1, std::llround(target_utilization * 100.0));
}

// Utilization as the controller computes it (pkg/controller/podautoscaler/metrics utilization.go):
// the summed usage over the summed requests of the same pods, truncated to a whole percent.
struct Utilization {
  std::int64_t percent = 0;
  double ratio = 0;  // percent / target percent
};

Utilization utilization_of(std::int64_t usage_total, std::int64_t request_total,
                           std::int64_t target_pct) {
  assert(request_total > 0 && "callers only ask with at least one pod that has a request");
  Utilization u;
  u.percent = usage_total * 100 / request_total;
  u.ratio = static_cast<double>(u.percent) / static_cast<double>(target_pct);
  return u;
}

void validate(const HpaSpec& spec) {
  auto fail = [](const std::string& what) { throw std::invalid_argument("HpaSpec: " + what); };
  if (spec.min_replicas < 1) fail("min_replicas must be at least 1");
  if (spec.max_replicas < spec.min_replicas) fail("max_replicas must be >= min_replicas");
  if (!(spec.target_utilization > 0)) fail("target_utilization must be > 0");
  if (!(spec.tolerance >= 0)) fail("tolerance must be >= 0");
  if (!(spec.sync_period_s > 0)) fail("sync_period_s must be > 0");
  if (!(spec.scale_down_stabilization_s >= 0) || !(spec.scale_up_stabilization_s >= 0)) {
    fail("stabilization windows must be >= 0");
  }
  if (!(spec.cpu_initialization_period_s >= 0) || !(spec.initial_readiness_delay_s >= 0)) {
    fail("cpu_initialization_period_s and initial_readiness_delay_s must be >= 0");
  }
  for (const auto* policies : {&spec.scale_up_policies, &spec.scale_down_policies}) {
    for (const HpaScalingPolicy& p : *policies) {
      if (p.value <= 0) fail("a scaling policy's value must be > 0");
      if (!(p.period_s > 0)) fail("a scaling policy's period_s must be > 0");
    }
  }
  // autoscaling/v2 validation requires at least one policy unless the direction is Disabled.
  if (spec.scale_up_policies.empty() && spec.scale_up_select != HpaSelectPolicy::kDisabled) {
    fail("scale_up_policies is empty; set scale_up_select to kDisabled to forbid scaling up");
  }
  if (spec.scale_down_policies.empty() && spec.scale_down_select != HpaSelectPolicy::kDisabled) {
    fail("scale_down_policies is empty; set scale_down_select to kDisabled instead");
  }
}

}  // namespace

const char* to_string(HpaReason reason) {
  switch (reason) {
    case HpaReason::kScalingDisabled:
      return "ScalingDisabled";
    case HpaReason::kBelowMinReplicas:
      return "BelowMinReplicas";
    case HpaReason::kAboveMaxReplicas:
      return "AboveMaxReplicas";
    case HpaReason::kNoPods:
      return "NoPods";
    case HpaReason::kMissingRequest:
      return "MissingRequest";
    case HpaReason::kNoMetrics:
      return "NoMetrics";
    case HpaReason::kWithinTolerance:
      return "WithinTolerance";
    case HpaReason::kDirectionReversed:
      return "DirectionReversed";
    case HpaReason::kDesiredWithinRange:
      return "DesiredWithinRange";
    case HpaReason::kStabilized:
      return "Stabilized";
    case HpaReason::kScaleUpLimit:
      return "ScaleUpLimit";
    case HpaReason::kScaleDownLimit:
      return "ScaleDownLimit";
    case HpaReason::kTooManyReplicas:
      return "TooManyReplicas";
    case HpaReason::kTooFewReplicas:
      return "TooFewReplicas";
  }
  return "Unknown";
}

HorizontalPodAutoscaler::HorizontalPodAutoscaler(HpaSpec spec)
    : spec_(std::move(spec)), log_(traces::named_logger("sim")) {
  validate(spec_);
}

void HorizontalPodAutoscaler::set_target_utilization(double target) {
  if (!(target > 0)) throw std::invalid_argument("HpaSpec: target_utilization must be > 0");
  spec_.target_utilization = target;
}

int HorizontalPodAutoscaler::sync(double now_s, int current_replicas,
                                  const std::vector<HpaPodView>& pods) {
  assert(current_replicas >= 0 && "a Deployment cannot have a negative replica count");
  HpaDecision decision;
  decision.time_s = now_s;
  decision.current_replicas = current_replicas;
  decision.proposed_replicas = current_replicas;
  decision.stabilized_replicas = current_replicas;
  decision.desired_replicas = current_replicas;

  // A target scaled to zero by hand has autoscaling disabled until someone scales it up again
  // (horizontal.go reconcileAutoscaler, with minReplicas >= 1 as here).
  if (current_replicas == 0) {
    decision.reason = HpaReason::kScalingDisabled;
  } else if (current_replicas > spec_.max_replicas) {
    // Out-of-range counts are corrected before any metric is read, and the correction counts as
    // a scale event for the policies that follow.
    decision.reason = HpaReason::kAboveMaxReplicas;
    decision.desired_replicas = spec_.max_replicas;
  } else if (current_replicas < spec_.min_replicas) {
    decision.reason = HpaReason::kBelowMinReplicas;
    decision.desired_replicas = spec_.min_replicas;
  } else if (auto proposal = propose(now_s, current_replicas, pods, decision)) {
    // The proposal goes through the behaviour: stabilization, then the scaling policies and the
    // min/max bounds (horizontal.go normalizeDesiredReplicasWithBehaviors).
    decision.proposed_replicas = *proposal;
    const int stabilized = stabilize(now_s, current_replicas, *proposal);
    decision.stabilized_replicas = stabilized;
    decision.desired_replicas = apply_policies(now_s, current_replicas, stabilized, decision);
  } else {
    decision.reason = decision.calculator_reason;
  }

  // Every change is remembered so the policies can count what their period already spent.
  if (decision.desired_replicas != current_replicas && current_replicas > 0) {
    store_scale_event(now_s, current_replicas, decision.desired_replicas);
  }

  last_decision_ = decision;
  if (log_->should_log(spdlog::level::debug)) {
    log_->debug(
        "t={:.1f}s hpa: {} -> {} ({}), utilization {}%, ratio {:.3f}, pods ready {} "
        "unready {} missing {} ignored {}",
        now_s, current_replicas, decision.desired_replicas, to_string(decision.reason),
        decision.utilization_percent.value_or(-1), decision.usage_ratio, decision.ready_pods,
        decision.unready_pods, decision.missing_pods, decision.ignored_pods);
  }
  return decision.desired_replicas;
}

std::optional<int> HorizontalPodAutoscaler::propose(double now_s, int current_replicas,
                                                    const std::vector<HpaPodView>& pods,
                                                    HpaDecision& decision) const {
  // Without pods there is nothing to measure (replica_calculator.go GetResourceReplicas).
  if (pods.empty()) {
    decision.calculator_reason = HpaReason::kNoPods;
    return std::nullopt;
  }

  // Sort the pods as groupPods does. Deleted and failed pods are ignored. Pending pods are
  // unready. Pods without a metric are missing. For CPU, a pod still within the initialization
  // period (start + period still ahead) is unready when it is not ready, or when its metric's
  // window began before its last readiness change (timestamp < transition + window), so start-up
  // CPU never counts. Past that period a pod is unready only if it is not ready and its last
  // transition came within initial_readiness_delay of its start, i.e. it has never been ready.
  enum class Group : std::uint8_t { kReady, kUnready, kMissing, kIgnored };
  auto group_of = [&](const HpaPodView& pod) {
    if (pod.deleted_or_failed) return Group::kIgnored;
    if (pod.pending) return Group::kUnready;
    if (!pod.cpu_usage_millicores) return Group::kMissing;
    bool unready;
    if (pod.start_time_s + spec_.cpu_initialization_period_s > now_s) {
      unready = !pod.ready || pod.metric_timestamp_s < pod.last_transition_s + pod.metric_window_s;
    } else {
      unready =
          !pod.ready && pod.start_time_s + spec_.initial_readiness_delay_s > pod.last_transition_s;
    }
    return unready ? Group::kUnready : Group::kReady;
  };

  // Utilization needs every listed pod's request: one pod without a CPU request makes the
  // controller give up on the metric (calculatePodRequests covers the whole list).
  std::int64_t ready_usage = 0;
  std::int64_t ready_request = 0;
  std::int64_t missing_request = 0;
  std::int64_t unready_request = 0;
  bool any_request_missing = false;
  for (const HpaPodView& pod : pods) {
    const Group group = group_of(pod);
    if (!pod.cpu_request_millicores) any_request_missing = true;
    const std::int64_t request =
        pod.cpu_request_millicores ? to_millis(*pod.cpu_request_millicores) : 0;
    switch (group) {
      case Group::kIgnored:
        ++decision.ignored_pods;
        break;
      case Group::kUnready:
        ++decision.unready_pods;
        unready_request += request;
        break;
      case Group::kMissing:
        ++decision.missing_pods;
        missing_request += request;
        break;
      case Group::kReady:
        ++decision.ready_pods;
        ready_usage += to_millis(*pod.cpu_usage_millicores);
        ready_request += request;
        break;
    }
  }
  // Only ready pods' metrics are kept; with none left there is no usage to speak of.
  if (decision.ready_pods == 0) {
    decision.calculator_reason = HpaReason::kNoMetrics;
    return std::nullopt;
  }
  if (any_request_missing) {
    decision.calculator_reason = HpaReason::kMissingRequest;
    return std::nullopt;
  }
  if (ready_request == 0) {
    decision.calculator_reason = HpaReason::kNoMetrics;  // the controller's "no metrics matched"
    return std::nullopt;
  }

  // The plain case: no missing pods, and no unready pods that could matter for a scale-up.
  const std::int64_t target_pct = target_percent(spec_.target_utilization);
  const Utilization u = utilization_of(ready_usage, ready_request, target_pct);
  decision.utilization_percent = static_cast<int>(u.percent);
  decision.usage_ratio = u.ratio;
  decision.recomputed_ratio = u.ratio;
  const bool scale_up_with_unready = decision.unready_pods > 0 && u.ratio > 1.0;
  if (!scale_up_with_unready && decision.missing_pods == 0) {
    if (std::abs(1.0 - u.ratio) <= spec_.tolerance) {
      decision.calculator_reason = HpaReason::kWithinTolerance;
      return current_replicas;
    }
    decision.calculator_reason = HpaReason::kDesiredWithinRange;
    return static_cast<int>(std::ceil(u.ratio * decision.ready_pods));
  }

  // Assume the worst for the direction the ratio points to: on a scale-down missing pods use
  // max(100 %, target) of their request, on a scale-up they and the unready pods use nothing.
  std::int64_t usage = ready_usage;
  std::int64_t request = ready_request;
  int counted = decision.ready_pods;
  if (decision.missing_pods > 0 && u.ratio != 1.0) {
    if (u.ratio < 1.0) usage += missing_request * std::max<std::int64_t>(100, target_pct) / 100;
    request += missing_request;
    counted += decision.missing_pods;
  }
  if (scale_up_with_unready) {
    request += unready_request;
    counted += decision.unready_pods;
  }
  const Utilization recomputed = utilization_of(usage, request, target_pct);
  decision.recomputed_ratio = recomputed.ratio;

  // If the assumption brings the ratio within tolerance or turns the direction around, the
  // controller holds; likewise if the larger pod count would turn the new count around.
  if (std::abs(1.0 - recomputed.ratio) <= spec_.tolerance) {
    decision.calculator_reason = HpaReason::kWithinTolerance;
    return current_replicas;
  }
  if ((u.ratio < 1.0 && recomputed.ratio > 1.0) || (u.ratio > 1.0 && recomputed.ratio < 1.0)) {
    decision.calculator_reason = HpaReason::kDirectionReversed;
    return current_replicas;
  }
  const int proposal = static_cast<int>(std::ceil(recomputed.ratio * counted));
  if ((recomputed.ratio < 1.0 && proposal > current_replicas) ||
      (recomputed.ratio > 1.0 && proposal < current_replicas)) {
    decision.calculator_reason = HpaReason::kDirectionReversed;
    return current_replicas;
  }
  decision.calculator_reason = HpaReason::kDesiredWithinRange;
  return proposal;
}

int HorizontalPodAutoscaler::stabilize(double now_s, int current_replicas, int proposal) {
  // horizontal.go stabilizeRecommendationWithBehaviors: the count may rise no higher than the
  // lowest proposal of the scale-up window and fall no lower than the highest proposal of the
  // scale-down window. A proposal counts while its time is strictly after now - window.
  const double up_cutoff = now_s - spec_.scale_up_stabilization_s;
  const double down_cutoff = now_s - spec_.scale_down_stabilization_s;
  int up_bound = proposal;
  int down_bound = proposal;
  for (const Recommendation& r : recommendations_) {
    if (r.time_s > up_cutoff) up_bound = std::min(up_bound, r.replicas);
    if (r.time_s > down_cutoff) down_bound = std::max(down_bound, r.replicas);
  }
  int stabilized = std::max(current_replicas, up_bound);
  stabilized = std::min(stabilized, down_bound);

  // Remember the raw proposal; proposals outside both windows can never count again.
  std::erase_if(recommendations_, [&](const Recommendation& r) {
    return r.time_s <= up_cutoff && r.time_s <= down_cutoff;
  });
  recommendations_.push_back({proposal, now_s});
  return stabilized;
}

int HorizontalPodAutoscaler::apply_policies(double now_s, int current_replicas, int stabilized,
                                            HpaDecision& decision) {
  // horizontal.go convertDesiredReplicasWithBehaviorRate: a scale-up may go no further than the
  // policies allow (and never below the current count), then no further than max_replicas; a
  // scale-down likewise against the policies and min_replicas.
  const HpaReason unlimited = stabilized != decision.proposed_replicas ? HpaReason::kStabilized
                                                                       : decision.calculator_reason;
  if (stabilized > current_replicas) {
    const int limit = std::max(scale_up_limit(now_s, current_replicas), current_replicas);
    const int allowed = std::min(spec_.max_replicas, limit);
    if (stabilized > allowed) {
      decision.reason =
          allowed < spec_.max_replicas ? HpaReason::kScaleUpLimit : HpaReason::kTooManyReplicas;
      return allowed;
    }
  } else if (stabilized < current_replicas) {
    const int limit = std::min(scale_down_limit(now_s, current_replicas), current_replicas);
    const int allowed = std::max(spec_.min_replicas, limit);
    if (stabilized < allowed) {
      decision.reason =
          allowed > spec_.min_replicas ? HpaReason::kScaleDownLimit : HpaReason::kTooFewReplicas;
      return allowed;
    }
  }
  decision.reason = unlimited;
  return stabilized;
}

int HorizontalPodAutoscaler::scale_up_limit(double now_s, int current_replicas) const {
  // horizontal.go calculateScaleUpLimitWithScalingRules: each policy measures from the replicas
  // the target had when its period began (current - added + removed within the period); Pods
  // adds its value, Percent multiplies and rounds up so a small target can always grow. Max
  // takes the most generous policy, Min the least, Disabled allows nothing.
  if (spec_.scale_up_select == HpaSelectPolicy::kDisabled) return current_replicas;
  const bool take_max = spec_.scale_up_select == HpaSelectPolicy::kMax;
  int result = take_max ? std::numeric_limits<int>::min() : std::numeric_limits<int>::max();
  for (const HpaScalingPolicy& p : spec_.scale_up_policies) {
    const int period_start = current_replicas - change_within(now_s, p.period_s, scale_up_events_) +
                             change_within(now_s, p.period_s, scale_down_events_);
    const int proposed = p.type == HpaPolicyType::kPods
                             ? period_start + p.value
                             : static_cast<int>(std::ceil(period_start * (1.0 + p.value / 100.0)));
    result = take_max ? std::max(result, proposed) : std::min(result, proposed);
  }
  return result;
}

int HorizontalPodAutoscaler::scale_down_limit(double now_s, int current_replicas) const {
  // horizontal.go calculateScaleDownLimitWithBehaviors: the mirror image; Percent truncates
  // (the float-to-int conversion), and Max means the largest decrease, i.e. the lowest floor.
  if (spec_.scale_down_select == HpaSelectPolicy::kDisabled) return current_replicas;
  const bool take_max = spec_.scale_down_select == HpaSelectPolicy::kMax;
  int result = take_max ? std::numeric_limits<int>::max() : std::numeric_limits<int>::min();
  for (const HpaScalingPolicy& p : spec_.scale_down_policies) {
    const int period_start = current_replicas - change_within(now_s, p.period_s, scale_up_events_) +
                             change_within(now_s, p.period_s, scale_down_events_);
    const int proposed = p.type == HpaPolicyType::kPods
                             ? period_start - p.value
                             : static_cast<int>(period_start * (1.0 - p.value / 100.0));
    result = take_max ? std::min(result, proposed) : std::max(result, proposed);
  }
  return result;
}

int HorizontalPodAutoscaler::change_within(double now_s, double period_s,
                                           const std::vector<ScaleEvent>& events) const {
  // horizontal.go getReplicasChangePerPeriod: events strictly after now - period count.
  const double cutoff = now_s - period_s;
  int total = 0;
  for (const ScaleEvent& e : events) {
    if (e.time_s > cutoff) total += e.change;
  }
  return total;
}

void HorizontalPodAutoscaler::store_scale_event(double now_s, int from, int to) {
  // horizontal.go storeScaleEvent keeps the history per direction and reuses entries older than
  // the direction's longest policy period; dropping them is the same, as they never count again.
  auto longest = [](const std::vector<HpaScalingPolicy>& policies) {
    double longest_s = 0;
    for (const HpaScalingPolicy& p : policies) longest_s = std::max(longest_s, p.period_s);
    return longest_s;
  };
  const bool up = to > from;
  std::vector<ScaleEvent>& events = up ? scale_up_events_ : scale_down_events_;
  const double cutoff = now_s - longest(up ? spec_.scale_up_policies : spec_.scale_down_policies);
  std::erase_if(events, [&](const ScaleEvent& e) { return e.time_s <= cutoff; });
  events.push_back({up ? to - from : from - to, now_s});
}

}  // namespace podsizer::sim
