// Pod templates: the resources of a pod's containers and the Kubernetes rules derived from them.
//
// A pod has one main container, whose usage the trace describes and whose resources a policy
// sets, and any number of sidecars with fixed resources (modelled as using their requests, or
// nothing when they set none). The rules here are pure functions of a template:
// - QoS class (kubernetes/website concepts/workloads/pods/pod-qos.md): Guaranteed when every
//   container sets CPU and memory limits with requests equal to them (a request left out
//   defaults to its limit), BestEffort when no container sets any request or limit, Burstable
//   otherwise.
// - What the scheduler adds up (concepts/configuration/manage-resources-containers.md): the sum
//   of the containers' requests; a request left out but with a limit set counts as the limit.
// - CPU shares (same page; kubelet's cgroup conversion in pkg/kubelet/cm): request cores x 1024,
//   at least 2 (the kernel's minimum), so BestEffort pods get almost nothing under contention.
// - The kernel OOM score adjustment the kubelet gives the containers (pkg/kubelet/qos/policy.go,
//   described in concepts/scheduling-eviction/node-pressure-eviction.md): Guaranteed -997,
//   BestEffort 1000, Burstable min(max(2, 1000 - 1000 x memory request / node capacity), 999).
// Plain values, safe to share read-only between threads.
#pragma once

#include <limits>
#include <vector>

#include "sim/types.h"
#include "traces/app_spec.h"

namespace podsizer::sim {

constexpr double kUnlimited = std::numeric_limits<double>::infinity();

struct PodTemplate {
  traces::ContainerResources main;
  std::vector<traces::Sidecar> sidecars;
};

// The numbers the simulator uses for one pod, derived once per template.
struct PodResources {
  double cpu_request = 0;       // millicores, summed over containers (what the scheduler counts)
  double memory_request = 0;    // bytes, summed over containers
  double main_cpu_request = 0;  // millicores of the main container (its CFS shares)
  double main_cpu_limit = kUnlimited;  // millicores; kUnlimited when unset
  double main_memory_request = 0;
  double main_memory_limit = kUnlimited;  // bytes; kUnlimited when unset
  double sidecar_cpu_usage = 0;           // millicores the sidecars use (their requests)
  double sidecar_memory_usage = 0;        // bytes the sidecars use (their requests)
  QosClass qos = QosClass::kBestEffort;
};

PodResources derive_resources(const PodTemplate& pod);

QosClass qos_class(const PodTemplate& pod);

// cpu.shares of a container with `cpu_request_millicores` (0 when unset).
double cpu_shares(double cpu_request_millicores);

// The oom_score_adj the kubelet sets for a pod's containers on a node of `memory_capacity_bytes`.
int oom_score_adjust(QosClass qos, double memory_request_bytes, double memory_capacity_bytes);

// kube-scheduler's NodeResourcesFit LeastAllocated score of a node, 0..100, once a pod is placed
// with `cpu_requested` and `memory_requested` the node's requests including the pod's: the mean
// over CPU and memory of (allocatable - requested) / allocatable x 100, equal weights
// (pkg/scheduler/framework/plugins/noderesources/least_allocated.go).
double least_allocated_score(double cpu_alloc, double memory_alloc, double cpu_requested,
                             double memory_requested);

// The kernel's badness of a process using `usage_bytes` of `capacity_bytes` with `adjust`:
// its share of memory in thousandths plus the adjustment (mm/oom_kill.c oom_badness).
double oom_badness(double usage_bytes, double capacity_bytes, int adjust);

}  // namespace podsizer::sim
