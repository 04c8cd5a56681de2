// What a metrics system lets controllers and policies see of the pods: sampled, averaged over a
// window and delayed; never the simulator's ground truth.
//
// MetricsPipeline owns, per pod, a cAdvisor-like cumulative CPU counter (millicore-seconds) and
// the memory working set, fed by the engine with the true usage as it integrates. It models two
// readers:
// - metrics-server, as the HPA reads it (latest()). Scrapes happen on a global grid
//   t_k = phase + k x scrape_interval (metrics-server's --metric-resolution: the flag defaults to
//   60 s, the components.yaml manifest metrics-server releases sets 15 s, the default here). CPU is
//   the rate of the cumulative counter between two scrapes rate_window apart (metrics-server
//   keeps the last two points of the counter and divides their difference by the time between
//   them; default window = one interval); memory is the working set at the scrape. The metric's
//   timestamp is the scrape time and its window the time between the two points. A scrape
//   becomes visible `visibility_delay_s` after it was taken: the kubelet's cAdvisor collects on
//   its own housekeeping interval (10 s by default), so a scraped point is on average about 5 s
//   old when metrics-server reads it; 5 s is the default. A pod has no metric until two of its
//   scrapes are visible.
// - Prometheus, as a policy reads it (workload_series()). Every scrape also adds the pod's rate
//   and working set to its workload's series: one point per scrape time with the sum and the
//   largest pod of CPU and memory and the number of pods reported, i.e. what
//   sum/max by (workload) of rate(container_cpu_usage_seconds_total) and
//   container_memory_working_set_bytes would return at the scrape interval. A policy reads the
//   points whose scrape is visible and builds its own windows from them.
//
// Timing rules: record(pod, t, ...) sets the pod's usage from t until its next record
// (piecewise constant). The engine may date a record in the past: at each collection it records
// the mean usage since its previous record, dated at that previous record, which is exactly what
// a cumulative counter needs. A scrape at t_k sees the records dated strictly before t_k, and
// uses the held usage beyond the last one. A pod's first scrape is the first grid time after its
// first record. Records of one pod come in time order; a record may be dated before queries
// already made only by up to visibility_delay_s (visible scrapes are never revised).
//
// Cost: record() is O(1) amortised plus O(scrapes since the pod's last record); nothing is
// allocated per call once a pod is known. Pod ids are dense (sim/types.h), so state lives in a
// vector indexed by id. Not synchronised: one pipeline belongs to one simulation thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "sim/types.h"

namespace podsizer::sim {

struct MetricsPipelineSpec {
  double scrape_interval_s = 15;  // metrics-server --metric-resolution as released; > 0
  double rate_window_s = 15;      // a positive multiple of scrape_interval_s
  double visibility_delay_s = 5;  // >= 0
  double phase_s = 0;             // offset of the scrape grid, in [0, scrape_interval_s)
};

// A pod's metric as metrics-server would answer for it.
struct PodMetric {
  double cpu_millicores = 0;  // average usage rate over the window
  double memory_bytes = 0;    // working set at the scrape
  double timestamp_s = 0;     // scrape time: the end of the window
  double window_s = 0;        // length of the window the rate was taken over
};

// One scrape of one workload, summed over its pods that had a rate at that scrape.
struct WorkloadSample {
  double time_s = 0;
  double cpu_sum_millicores = 0;
  double cpu_max_millicores = 0;  // the busiest pod
  double memory_sum_bytes = 0;
  double memory_max_bytes = 0;  // the largest pod
  std::uint32_t pods = 0;       // pods that contributed; 0 means none reported at this scrape
};

class MetricsPipeline {
 public:
  // Throws std::invalid_argument for an interval <= 0, a negative delay, a phase outside
  // [0, interval) or a window that is not a positive multiple of the interval.
  explicit MetricsPipeline(MetricsPipelineSpec spec = {});

  // The true usage of `pod` from `now_s` until its next record: CPU in millicores (the mean
  // over that span), memory working set in bytes. The first record of a pod starts its counter
  // at zero; `workload` is taken from that first record.
  // REQUIRES: now_s is not earlier than this pod's previous record; pod was not removed.
  void record(PodId pod, double now_s, double cpu_millicores, double memory_bytes,
              WorkloadId workload = 0);

  // The pod is gone: scrapes up to `now_s` still reach its workload's series, later ones do not,
  // and latest() answers nullopt from now on.
  void remove(PodId pod, double now_s);
  // As above when the pod's scrapes after its last record need not reach the series.
  void remove(PodId pod);

  // The pod's metric as metrics-server would answer at `now_s`; nullopt for an unknown or
  // removed pod, or before two of its scrapes are visible.
  std::optional<PodMetric> latest(PodId pod, double now_s) const;

  // The workload's scrapes visible at `now_s`, oldest first; empty when there are none. Brings
  // every live pod's scrapes up to the newest visible one first (O(live pods)), so call it at
  // decision times, not per sample. The span is valid until the next call on the pipeline.
  std::span<const WorkloadSample> workload_series(WorkloadId workload, double now_s);

  const MetricsPipelineSpec& spec() const { return spec_; }

 private:
  struct Scrape {
    std::int64_t tick = -1;  // grid index k, -1 = empty slot
    double cpu_counter = 0;  // millicore-seconds since the pod's first record
    double memory_bytes = 0;
  };
  struct PodState {
    bool live = false;
    WorkloadId workload = 0;
    double last_record_s = 0;
    double cpu_millicores = 0;  // held since last_record_s
    double memory_bytes = 0;
    double cpu_counter = 0;       // at last_record_s
    std::int64_t first_tick = 0;  // first scrape of this pod
    std::int64_t next_tick = 0;   // first scrape not yet taken into the ring and the series
  };
  struct Series {
    std::int64_t first_tick = 0;
    std::vector<WorkloadSample> samples;
  };

  std::int64_t tick_at_or_before(double t_s) const;
  double tick_time(std::int64_t tick) const;
  std::size_t slot(std::int64_t tick) const;  // ring slot of a grid index
  // Takes the pod's scrapes up to and including `last_tick` from its held state.
  void take_scrapes(PodId pod, std::int64_t last_tick);
  std::optional<Scrape> scrape_of(PodId pod, std::int64_t tick) const;
  void add_to_series(WorkloadId workload, std::int64_t tick, double cpu, double memory);

  MetricsPipelineSpec spec_;
  std::int64_t window_ticks_ = 1;
  std::int64_t ring_size_ = 4;
  std::vector<PodState> pods_;
  std::vector<Scrape> rings_;     // ring_size_ slots per pod id
  std::vector<Series> series_;    // indexed by workload id
  std::vector<PodId> live_pods_;  // unordered; for workload_series()
};

}  // namespace podsizer::sim
