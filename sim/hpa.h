// The Horizontal Pod Autoscaler (autoscaling/v2) for one workload, on a CPU utilization target.
//
// HorizontalPodAutoscaler reproduces the controller of kubernetes/kubernetes
// pkg/controller/podautoscaler (horizontal.go for the sync, stabilization and scaling policies;
// replica_calculator.go for the replica count from pod metrics) with the defaults of
// pkg/apis/autoscaling/v2/defaults.go. The engine calls sync() every sync_period_s with the pods
// of the target as the controller would list them and the metrics as metrics-server would
// report them (see sim/metrics_pipeline.h): never the simulator's ground truth.
//
// The rules, in the order one sync applies them:
// 1. A target scaled to 0 replicas has autoscaling disabled: nothing is done.
// 2. Replicas outside [min, max] are brought back to the nearest bound.
// 3. Otherwise the replica calculator proposes a count. Pods are sorted into ignored (deleted or
//    failed), unready (Pending, not ready, or still initializing), missing (no metric) and ready.
//    Utilization = sum(usage) / sum(request) over the ready pods with metrics, in whole percent.
//    Within the tolerance of the target nothing changes; otherwise the proposal is
//    ceil(ratio x ready pods). When pods are missing or (on a scale-up) unready, the ratio is
//    recomputed with missing pods at max(100 %, target) of their request on a scale-down and at
//    0 % on a scale-up, and unready pods at 0 % on a scale-up; if that lands within tolerance or
//    reverses the direction, the count stays. A pod without a CPU request, or no metric from any
//    usable pod, leaves the count as it is and records why.
// 4. Stabilization: every proposal is remembered with its time. The result may rise only to the
//    lowest proposal of the scale-up window and fall only to the highest proposal of the
//    scale-down window (300 s by default).
// 5. Scaling policies bound the change against the replicas the target had at the start of each
//    policy's period, worked out from the history of scale events; then min/max clamp.
//
// Every sync leaves an HpaDecision (last_decision()) saying what was seen and why the result is
// what it is. Not synchronised: one autoscaler belongs to one simulation thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace spdlog {
class logger;
}  // namespace spdlog

namespace podsizer::sim {

// How a scaling policy limits a change within its period: by a number of pods or by a percent
// of the replicas at the start of the period (autoscaling/v2 HPAScalingPolicyType).
enum class HpaPolicyType : std::uint8_t { kPods, kPercent };

struct HpaScalingPolicy {
  HpaPolicyType type = HpaPolicyType::kPods;
  int value = 0;         // pods, or percent; > 0
  double period_s = 15;  // how far back the scale events count against this policy; > 0
};

// Which policy wins when several apply (autoscaling/v2 ScalingPolicySelect): the largest change
// (Max, the default), the smallest (Min), or none at all in that direction (Disabled).
enum class HpaSelectPolicy : std::uint8_t { kMax, kMin, kDisabled };

// An autoscaling/v2 HorizontalPodAutoscaler on one CPU Utilization metric, with Kubernetes'
// defaults from pkg/apis/autoscaling/v2/defaults.go and the kube-controller-manager flags
// (--horizontal-pod-autoscaler-tolerance, -sync-period, -cpu-initialization-period,
// -initial-readiness-delay).
struct HpaSpec {
  int min_replicas = 1;             // defaults to 1; >= 1
  int max_replicas = 1;             // >= min_replicas
  double target_utilization = 0.8;  // of the CPU request; 0.8 = 80 %; > 0
  double tolerance = 0.1;
  double sync_period_s = 15;
  double scale_down_stabilization_s = 300;
  double scale_up_stabilization_s = 0;
  // Default scale-up: 4 pods or 100 % per 15 s, whichever is larger.
  std::vector<HpaScalingPolicy> scale_up_policies = {{HpaPolicyType::kPods, 4, 15},
                                                     {HpaPolicyType::kPercent, 100, 15}};
  HpaSelectPolicy scale_up_select = HpaSelectPolicy::kMax;
  // Default scale-down: 100 % per 15 s.
  std::vector<HpaScalingPolicy> scale_down_policies = {{HpaPolicyType::kPercent, 100, 15}};
  HpaSelectPolicy scale_down_select = HpaSelectPolicy::kMax;
  double cpu_initialization_period_s = 300;
  double initial_readiness_delay_s = 30;
};

// One pod of the target as the controller sees it: its status from the API server and its
// metric from metrics-server.
struct HpaPodView {
  double start_time_s = 0;                       // when the pod started (status.startTime)
  bool ready = false;                            // the Ready condition
  double last_transition_s = 0;                  // when the Ready condition last changed
  std::optional<double> cpu_usage_millicores;    // from the metrics pipeline; nullopt = missing
  double metric_timestamp_s = 0;                 // end of the metric's window
  double metric_window_s = 0;                    // length of the window the usage is averaged over
  std::optional<double> cpu_request_millicores;  // sum over containers; nullopt = no request
  bool deleted_or_failed = false;                // being deleted, or phase Failed: ignored entirely
  bool pending = false;  // phase Pending (not yet running): counts as unready
};

// Why a sync ended where it did.
enum class HpaReason : std::uint8_t {
  kScalingDisabled,     // the target has 0 replicas
  kBelowMinReplicas,    // current < min: set to min without looking at metrics
  kAboveMaxReplicas,    // current > max: set to max without looking at metrics
  kNoPods,              // no pod of the target was listed
  kMissingRequest,      // a pod has no CPU request: utilization cannot be computed
  kNoMetrics,           // no ready pod has a metric
  kWithinTolerance,     // the ratio is within the tolerance of 1 (after any recomputation)
  kDirectionReversed,   // counting missing/unready pods reversed the direction of the change
  kDesiredWithinRange,  // the proposal went through stabilization and the policies unchanged
  kStabilized,          // the stabilization window held the count back
  kScaleUpLimit,        // a scale-up policy bounded the increase
  kScaleDownLimit,      // a scale-down policy bounded the decrease
  kTooManyReplicas,     // max_replicas bounded the increase
  kTooFewReplicas,      // min_replicas bounded the decrease
};

const char* to_string(HpaReason reason);

// What one sync saw and decided; for logs and tests.
struct HpaDecision {
  double time_s = 0;
  int current_replicas = 0;
  int proposed_replicas = 0;    // the replica calculator's count (current when it could not act)
  int stabilized_replicas = 0;  // after the stabilization windows
  int desired_replicas = 0;     // after the scaling policies and min/max: what sync returned
  std::optional<int> utilization_percent;  // whole percent of request over ready pods with metrics
  double usage_ratio = 0;       // utilization / target before any recomputation; 0 if none
  double recomputed_ratio = 0;  // after counting missing/unready pods; = usage_ratio if not
  int ready_pods = 0;
  int unready_pods = 0;
  int missing_pods = 0;
  int ignored_pods = 0;
  HpaReason reason = HpaReason::kScalingDisabled;  // the reason the final count is what it is
  HpaReason calculator_reason = HpaReason::kDesiredWithinRange;  // why the proposal is what it is
};

class HorizontalPodAutoscaler {
 public:
  // Throws std::invalid_argument for a spec Kubernetes' validation would refuse (min < 1,
  // max < min, target <= 0, non-positive policy values or periods, negative windows).
  explicit HorizontalPodAutoscaler(HpaSpec spec);

  // One sync at `now_s` (called every sync_period_s by the engine). Returns the replica count
  // the Deployment should have now (may equal `current_replicas`), following the replica
  // calculator, the not-ready and missing-metric rules, the tolerance, the stabilization windows
  // and the scaling policies over their periods; records the decision.
  // REQUIRES: now_s does not decrease between calls; current_replicas >= 0.
  int sync(double now_s, int current_replicas, const std::vector<HpaPodView>& pods);

  const HpaDecision& last_decision() const { return last_decision_; }
  const HpaSpec& spec() const { return spec_; }

  // Changes the target utilization (a policy may move it); the history is kept.
  // REQUIRES: target > 0.
  void set_target_utilization(double target);

 private:
  struct Recommendation {
    int replicas;
    double time_s;
  };
  struct ScaleEvent {
    int change;  // pods added (scale-up history) or removed (scale-down history), > 0
    double time_s;
  };

  // The replica calculator (replica_calculator.go GetResourceReplicas); fills the pod counts,
  // utilization and ratios of `decision` and returns the proposal, or nullopt when it cannot act.
  std::optional<int> propose(double now_s, int current_replicas,
                             const std::vector<HpaPodView>& pods, HpaDecision& decision) const;
  int stabilize(double now_s, int current_replicas, int proposal);
  int apply_policies(double now_s, int current_replicas, int stabilized, HpaDecision& decision);
  int scale_up_limit(double now_s, int current_replicas) const;
  int scale_down_limit(double now_s, int current_replicas) const;
  int change_within(double now_s, double period_s, const std::vector<ScaleEvent>& events) const;
  void store_scale_event(double now_s, int from, int to);

  HpaSpec spec_;
  std::vector<Recommendation> recommendations_;
  std::vector<ScaleEvent> scale_up_events_;
  std::vector<ScaleEvent> scale_down_events_;
  HpaDecision last_decision_;
  std::shared_ptr<spdlog::logger> log_;
};

}  // namespace podsizer::sim
