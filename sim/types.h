// Small types shared by every part of the simulator: identifiers, pod phases, QoS classes.
//
// Identifiers are dense unsigned integers handed out in creation order by the Simulation that
// owns the objects; they are never reused within one Simulation, so a stale id can be detected.
// Plain values, safe to copy between threads.
#pragma once

#include <cstdint>
#include <limits>

namespace podsizer::sim {

using PodId = std::uint32_t;
using NodeId = std::uint32_t;
using WorkloadId = std::uint32_t;

constexpr PodId kNoPod = std::numeric_limits<PodId>::max();
constexpr NodeId kNoNode = std::numeric_limits<NodeId>::max();

// The life of a pod as the simulator tracks it. Pending: waiting for a node; Starting: bound to
// a node, pulling its image and starting containers; Ready: passing its readiness probe and
// receiving traffic; BackOff: its main container was OOM-killed and waits for the restart
// back-off; Terminated: deleted, evicted or replaced.
enum class PodPhase : std::uint8_t { kPending, kStarting, kReady, kBackOff, kTerminated };

// QoS class of a pod, from kubernetes/website concepts/workloads/pods/pod-qos.md: Guaranteed
// when every container sets requests equal to limits for CPU and memory, BestEffort when no
// container sets any request or limit, Burstable otherwise.
enum class QosClass : std::uint8_t { kGuaranteed, kBurstable, kBestEffort };

const char* to_string(PodPhase phase);
const char* to_string(QosClass qos);

}  // namespace podsizer::sim
