// EventQueue: the simulator's agenda, a binary min-heap of timed events.
//
// Order of events (the reproducibility of every replay rests on it): earlier time first; at equal
// times, the lower EventKind value first (the kinds are listed in the order their effects must
// be seen: the results interval closes before anything at that instant is counted in it, a new
// trace sample takes effect before controllers look at the cluster, pod lifecycle before the
// kubelet's checks, metrics before the HPA that reads them); at equal time and kind, the event
// pushed first. Times are compared exactly, so two events at the same computed time are always
// simultaneous however they were scheduled.
//
// Push and pop cost O(log n) and do not allocate once the heap has grown to its working size.
// Not synchronised: one queue belongs to one Simulation.
#pragma once

#include <cstdint>
#include <vector>

namespace podsizer::sim {

enum class EventKind : std::uint8_t {
  kIntervalEnd = 0,       // close the current results interval
  kTraceSample = 1,       // a workload's next trace sample takes effect
  kNodeReady = 2,         // a provisioned node joins the cluster
  kPodStarted = 3,        // image pulled and containers started; readiness probe begins
  kPodReady = 4,          // readiness probe passes: the pod receives traffic
  kContainerRestart = 5,  // the restart back-off after an OOM kill is over
  kEvictionCheck = 6,     // the kubelet's node-pressure housekeeping on one node
  kMetricsCollect = 7,    // per-pod usage is handed to the metrics pipeline
  kHpaSync = 8,           // one HPA controller sync
  kAutoscalerScan = 9,    // one cluster-autoscaler loop
  kPolicy = 10,           // a closed-loop policy decides
};

struct Event {
  double time_s = 0;
  EventKind kind = EventKind::kIntervalEnd;
  std::uint32_t a = 0;         // kind-specific subject: pod, node or workload id
  std::uint32_t b = 0;         // kind-specific detail: a generation counter or sample index
  std::uint64_t sequence = 0;  // insertion order, set by push()
};

class EventQueue {
 public:
  // REQUIRES: time_s is finite.
  void push(double time_s, EventKind kind, std::uint32_t a = 0, std::uint32_t b = 0);

  // The next event in the documented order. REQUIRES: !empty().
  const Event& top() const { return heap_.front(); }
  Event pop();

  bool empty() const { return heap_.empty(); }
  std::size_t size() const { return heap_.size(); }
  void reserve(std::size_t n) { heap_.reserve(n); }
  void clear();

 private:
  std::vector<Event> heap_;
  std::uint64_t next_sequence_ = 0;
};

// True when `x` must be handled before `y` (the order above).
inline bool event_before(const Event& x, const Event& y) {
  if (x.time_s != y.time_s) return x.time_s < y.time_s;
  if (x.kind != y.kind) return x.kind < y.kind;
  return x.sequence < y.sequence;
}

}  // namespace podsizer::sim
