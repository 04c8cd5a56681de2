#include "sim/resources.h"

#include <algorithm>
#include <cmath>

namespace podsizer::sim {

namespace {

// A request left out defaults to the limit when the limit is set (Kubernetes' defaulting of
// container resources), which both the scheduler and the QoS class see.
double effective_request(const std::optional<double>& request, const std::optional<double>& limit) {
  if (request) return *request;
  if (limit) return *limit;
  return 0.0;
}

bool sets_anything(const traces::ContainerResources& c) {
  return c.requests.cpu_millicores || c.requests.memory_bytes || c.limits.cpu_millicores ||
         c.limits.memory_bytes;
}

// Guaranteed needs limits for both resources and requests equal to them.
bool guaranteed(const traces::ContainerResources& c) {
  if (!c.limits.cpu_millicores || !c.limits.memory_bytes) return false;
  double cpu = effective_request(c.requests.cpu_millicores, c.limits.cpu_millicores);
  double mem = effective_request(c.requests.memory_bytes, c.limits.memory_bytes);
  return cpu == *c.limits.cpu_millicores && mem == *c.limits.memory_bytes;
}

}  // namespace

QosClass qos_class(const PodTemplate& pod) {
  // Every container counts, sidecars included.
  bool any = sets_anything(pod.main);
  bool all_guaranteed = guaranteed(pod.main);
  for (const auto& s : pod.sidecars) {
    any = any || sets_anything(s.resources);
    all_guaranteed = all_guaranteed && guaranteed(s.resources);
  }
  if (!any) return QosClass::kBestEffort;
  return all_guaranteed ? QosClass::kGuaranteed : QosClass::kBurstable;
}

PodResources derive_resources(const PodTemplate& pod) {
  PodResources r;
  const auto& m = pod.main;
  r.main_cpu_request = effective_request(m.requests.cpu_millicores, m.limits.cpu_millicores);
  r.main_memory_request = effective_request(m.requests.memory_bytes, m.limits.memory_bytes);
  r.main_cpu_limit = m.limits.cpu_millicores.value_or(kUnlimited);
  r.main_memory_limit = m.limits.memory_bytes.value_or(kUnlimited);
  r.cpu_request = r.main_cpu_request;
  r.memory_request = r.main_memory_request;

  // Sidecars add their requests to the pod and are modelled as using exactly them.
  for (const auto& s : pod.sidecars) {
    double cpu =
        effective_request(s.resources.requests.cpu_millicores, s.resources.limits.cpu_millicores);
    double mem =
        effective_request(s.resources.requests.memory_bytes, s.resources.limits.memory_bytes);
    r.cpu_request += cpu;
    r.memory_request += mem;
    r.sidecar_cpu_usage += cpu;
    r.sidecar_memory_usage += mem;
  }
  r.qos = qos_class(pod);
  return r;
}

double cpu_shares(double cpu_request_millicores) {
  // The kubelet converts millicores to shares as millicores x 1024 / 1000, floored at 2.
  return std::max(2.0, cpu_request_millicores * 1024.0 / 1000.0);
}

int oom_score_adjust(QosClass qos, double memory_request_bytes, double memory_capacity_bytes) {
  // pkg/kubelet/qos/policy.go: fixed values for Guaranteed and BestEffort; Burstable pods scale
  // with the share of the node's memory they requested, kept within [2, 999] so that they stay
  // above Guaranteed and below BestEffort.
  switch (qos) {
    case QosClass::kGuaranteed:
      return -997;
    case QosClass::kBestEffort:
      return 1000;
    case QosClass::kBurstable:
      break;
  }
  // The kubelet divides in integers: 1000 - floor(1000 x request / capacity).
  double share = std::floor(1000.0 * memory_request_bytes / memory_capacity_bytes);
  int value = static_cast<int>(1000.0 - share);
  return std::min(std::max(2, value), 999);
}

double least_allocated_score(double cpu_alloc, double memory_alloc, double cpu_requested,
                             double memory_requested) {
  double cpu = std::max(0.0, cpu_alloc - cpu_requested) / cpu_alloc;
  double memory = std::max(0.0, memory_alloc - memory_requested) / memory_alloc;
  return 50.0 * (cpu + memory);
}

double oom_badness(double usage_bytes, double capacity_bytes, int adjust) {
  return 1000.0 * usage_bytes / capacity_bytes + adjust;
}

}  // namespace podsizer::sim
