// The kubelet's rules for CPU, memory and restarts, as pure functions the engine applies.
//
// CPU limit (CFS quota). The kubelet turns a CPU limit into a quota of limit x 100 us of CPU per
// 100 ms period (kubernetes/website concepts/configuration/manage-resources-containers.md); a
// container that has used its quota waits for the next period, so it is throttled, never killed.
// Demand inside one trace sample is not flat: the demand of each 100 ms period is modelled as
// lognormal with the sample's mean and a coefficient of variation calibrated from the trace
// (sim/workload_model.h). The expected share of periods that hit the quota is P(D > L) and the
// CPU pushed out of its period is E[(D - L)+], both in closed form, so a bursty container is
// throttled before its average reaches the limit.
//
// CPU under node contention. Requests become cpu.shares (sim/resources.h); when the pods on a
// node want more CPU than it has, each gets CPU in proportion to its shares, and what a pod
// wanting less than its share leaves over goes to the others (max-min fairness weighted by
// shares, the way the CFS scheduler divides a saturated CPU among cgroups).
//
// Restarts. A container killed for memory is restarted under restartPolicy Always after a
// back-off of 10 s, doubled for each further crash and capped at 300 s; the back-off is reset
// once the container has run for 10 minutes (concepts/workloads/pods/pod-lifecycle.md,
// "Container restart policy").
//
// Node-pressure eviction (concepts/scheduling-eviction/node-pressure-eviction.md): with the
// default hard threshold memory.available < 100Mi, checked every 10 s, the kubelet evicts one
// pod at a time: first pods whose memory usage exceeds their request, by priority, then by how
// far usage exceeds the request; pods under their request (which includes Guaranteed pods) last.
//
// Thread-safe: nothing here has state.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/types.h"

namespace podsizer::sim {

constexpr double kCfsPeriodS = 0.1;
constexpr double kBackOffInitialS = 10.0;
constexpr double kBackOffMaxS = 300.0;
constexpr double kBackOffResetS = 600.0;
constexpr double kEvictionThresholdBytes = 100.0 * 1024 * 1024;
constexpr double kEvictionCheckPeriodS = 10.0;

// What a CFS quota does to one container over one trace sample.
struct ThrottleStats {
  double used = 0;                // mean CPU the container got, millicores
  double lost = 0;                // mean CPU pushed out of its period by the quota, millicores
  double throttled_fraction = 0;  // share of 100 ms periods that hit the quota
  double stall_fraction = 0;      // share of a throttled period spent waiting for the next one
};

// Lognormal demand with mean `mean_millicores` and coefficient of variation `cv` under a limit
// of `limit_millicores` (kUnlimited for none). cv = 0 means flat demand.
// REQUIRES: mean_millicores >= 0, cv >= 0, limit_millicores > 0.
ThrottleStats cfs_throttle(double mean_millicores, double cv, double limit_millicores);

// Divides `capacity` among demands in proportion to `shares` with max-min fairness; writes the
// grant of each into `granted`. REQUIRES: equal sizes, shares > 0, capacity >= 0.
void divide_by_shares(const double* demand, const double* shares, double* granted, std::size_t n,
                      double capacity);

// The wait before the restart that follows the `crash_count`-th crash in a row (1-based):
// 10, 20, 40, 80, 160, 300, 300 ... seconds.
double restart_back_off(int crash_count);

// One pod as the kubelet ranks it for node-pressure eviction.
struct EvictionCandidate {
  PodId pod = kNoPod;
  double memory_usage = 0;    // bytes
  double memory_request = 0;  // bytes
  int priority = 0;           // pod priority; lower is evicted first
};

// Candidates in the order the kubelet evicts them (ties by pod id, for determinism).
void rank_for_eviction(std::vector<EvictionCandidate>& candidates);

// The standard normal distribution function.
double normal_cdf(double z);

}  // namespace podsizer::sim
