#include "sim/metrics_pipeline.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <stdexcept>
#include <string>

namespace podsizer::sim {
namespace {

// Tick arithmetic divides simulated seconds by the interval; the slack keeps 29.999999999 s
// (a sum of float steps meant to be 30 s) on the tick at 30 s.
constexpr double kTickSlack = 1e-9;

}  // namespace

MetricsPipeline::MetricsPipeline(MetricsPipelineSpec spec) : spec_(spec) {
  // Check the spec the way a user would read it, and say what to change.
  auto fail = [](const std::string& what) {
    throw std::invalid_argument("MetricsPipelineSpec: " + what);
  };
  if (!(spec_.scrape_interval_s > 0)) fail("scrape_interval_s must be > 0");
  if (!(spec_.visibility_delay_s >= 0)) fail("visibility_delay_s must be >= 0");
  if (!(spec_.phase_s >= 0 && spec_.phase_s < spec_.scrape_interval_s)) {
    fail("phase_s must lie in [0, scrape_interval_s)");
  }
  const double ticks = spec_.rate_window_s / spec_.scrape_interval_s;
  window_ticks_ = std::llround(ticks);
  if (window_ticks_ < 1 || std::abs(ticks - static_cast<double>(window_ticks_)) > 1e-6) {
    fail("rate_window_s must be a positive multiple of scrape_interval_s");
  }

  // The ring must still hold the older end of the window of the newest visible scrape, however
  // far the pod's scrapes have been taken ahead of what is visible.
  const auto delay_ticks =
      static_cast<std::int64_t>(std::ceil(spec_.visibility_delay_s / spec_.scrape_interval_s));
  ring_size_ = window_ticks_ + delay_ticks + 2;
}

std::int64_t MetricsPipeline::tick_at_or_before(double t_s) const {
  return static_cast<std::int64_t>(
      std::floor((t_s - spec_.phase_s) / spec_.scrape_interval_s + kTickSlack));
}

std::size_t MetricsPipeline::slot(std::int64_t tick) const {
  // Grid indices are negative before the phase of time zero; the slot must not be.
  return static_cast<std::size_t>(((tick % ring_size_) + ring_size_) % ring_size_);
}

double MetricsPipeline::tick_time(std::int64_t tick) const {
  return spec_.phase_s + static_cast<double>(tick) * spec_.scrape_interval_s;
}

void MetricsPipeline::record(PodId pod, double now_s, double cpu_millicores, double memory_bytes,
                             WorkloadId workload) {
  // Pod ids are dense, so a vector indexed by id holds every pod; it grows geometrically.
  if (pod >= pods_.size()) {
    pods_.resize(static_cast<std::size_t>(pod) + 1);
    rings_.resize(pods_.size() * static_cast<std::size_t>(ring_size_));
  }
  PodState& state = pods_[pod];

  // The first record starts the pod's counter at zero; its first scrape is the next grid time.
  if (!state.live) {
    assert(state.next_tick == 0 && state.first_tick == 0 && "a removed pod id is never reused");
    state.live = true;
    state.workload = workload;
    state.last_record_s = now_s;
    state.cpu_millicores = cpu_millicores;
    state.memory_bytes = memory_bytes;
    state.cpu_counter = 0;
    state.first_tick = tick_at_or_before(now_s) + 1;
    state.next_tick = state.first_tick;
    live_pods_.push_back(pod);
    return;
  }

  // Scrapes up to now saw the usage held since the previous record; then the counter moves on.
  assert(now_s >= state.last_record_s && "records of a pod come in time order");
  take_scrapes(pod, tick_at_or_before(now_s));
  state.cpu_counter += state.cpu_millicores * (now_s - state.last_record_s);
  state.last_record_s = now_s;
  state.cpu_millicores = cpu_millicores;
  state.memory_bytes = memory_bytes;
}

void MetricsPipeline::take_scrapes(PodId pod, std::int64_t last_tick) {
  PodState& state = pods_[pod];
  Scrape* ring = rings_.data() + static_cast<std::size_t>(pod) * ring_size_;
  for (std::int64_t k = state.next_tick; k <= last_tick; ++k) {
    // The counter at a scrape after the last record grows at the held rate.
    const double t = tick_time(k);
    assert(t >= state.last_record_s - 1e-6 && "scrapes up to the last record were taken then");
    Scrape scrape{k, state.cpu_counter + state.cpu_millicores * (t - state.last_record_s),
                  state.memory_bytes};

    // Prometheus's view: the rate over the last scrape interval, once there is a previous point.
    if (k > state.first_tick) {
      const Scrape& previous = ring[slot(k - 1)];
      assert(previous.tick == k - 1 && "scrapes are taken in order without gaps");
      const double rate = (scrape.cpu_counter - previous.cpu_counter) / spec_.scrape_interval_s;
      add_to_series(state.workload, k, rate, scrape.memory_bytes);
    }
    ring[slot(k)] = scrape;
  }
  state.next_tick = std::max(state.next_tick, last_tick + 1);
}

std::optional<MetricsPipeline::Scrape> MetricsPipeline::scrape_of(PodId pod,
                                                                  std::int64_t tick) const {
  const PodState& state = pods_[pod];
  if (tick < state.first_tick) return std::nullopt;

  // Scrapes already taken live in the ring; later ones follow from the held usage.
  if (tick < state.next_tick) {
    const Scrape& s = rings_[static_cast<std::size_t>(pod) * ring_size_ + slot(tick)];
    assert(s.tick == tick && "the ring is sized to hold every scrape a visible window can need");
    if (s.tick != tick) return std::nullopt;
    return s;
  }
  const double t = tick_time(tick);
  return Scrape{tick, state.cpu_counter + state.cpu_millicores * (t - state.last_record_s),
                state.memory_bytes};
}

std::optional<PodMetric> MetricsPipeline::latest(PodId pod, double now_s) const {
  if (pod >= pods_.size() || !pods_[pod].live) return std::nullopt;
  const PodState& state = pods_[pod];
  assert(now_s >= state.last_record_s && "queries do not look into the past of a record");

  // The newest scrape visible now, and the one a window before it: metrics-server's two points.
  const std::int64_t newest = tick_at_or_before(now_s - spec_.visibility_delay_s);
  const std::int64_t oldest = newest - window_ticks_;
  if (oldest < state.first_tick) return std::nullopt;
  const auto end = scrape_of(pod, newest);
  const auto begin = scrape_of(pod, oldest);
  if (!end || !begin) return std::nullopt;

  const double window_s = static_cast<double>(window_ticks_) * spec_.scrape_interval_s;
  return PodMetric{(end->cpu_counter - begin->cpu_counter) / window_s, end->memory_bytes,
                   tick_time(newest), window_s};
}

void MetricsPipeline::remove(PodId pod, double now_s) {
  if (pod >= pods_.size() || !pods_[pod].live) return;
  take_scrapes(pod, tick_at_or_before(now_s));
  remove(pod);
}

void MetricsPipeline::remove(PodId pod) {
  if (pod >= pods_.size() || !pods_[pod].live) return;
  pods_[pod].live = false;
  // Removal is rare next to record(); a linear search keeps live_pods_ a plain vector.
  const auto it = std::find(live_pods_.begin(), live_pods_.end(), pod);
  assert(it != live_pods_.end() && "every live pod is listed");
  *it = live_pods_.back();
  live_pods_.pop_back();
}

void MetricsPipeline::add_to_series(WorkloadId workload, std::int64_t tick, double cpu,
                                    double memory) {
  if (workload >= series_.size()) series_.resize(static_cast<std::size_t>(workload) + 1);
  Series& series = series_[workload];

  // The series covers every scrape from its first to its last; a pod whose scrapes are taken
  // late may reach back before the current first one.
  if (series.samples.empty()) {
    series.first_tick = tick;
  } else if (tick < series.first_tick) {
    const auto extra = static_cast<std::size_t>(series.first_tick - tick);
    series.samples.insert(series.samples.begin(), extra, WorkloadSample{});
    for (std::size_t i = 0; i < extra; ++i) {
      series.samples[i].time_s = tick_time(tick + static_cast<std::int64_t>(i));
    }
    series.first_tick = tick;
  }
  const auto index = static_cast<std::size_t>(tick - series.first_tick);
  while (series.samples.size() <= index) {
    WorkloadSample blank;
    blank.time_s = tick_time(series.first_tick + static_cast<std::int64_t>(series.samples.size()));
    series.samples.push_back(blank);
  }

  WorkloadSample& s = series.samples[index];
  s.cpu_sum_millicores += cpu;
  s.cpu_max_millicores = std::max(s.cpu_max_millicores, cpu);
  s.memory_sum_bytes += memory;
  s.memory_max_bytes = std::max(s.memory_max_bytes, memory);
  ++s.pods;
}

std::span<const WorkloadSample> MetricsPipeline::workload_series(WorkloadId workload,
                                                                 double now_s) {
  // Bring every live pod's scrapes up to the newest visible one so each point holds all its
  // pods. Later scrapes stay untaken: a record dated before now may still revise them.
  const std::int64_t visible = tick_at_or_before(now_s - spec_.visibility_delay_s);
  for (PodId pod : live_pods_) take_scrapes(pod, visible);

  if (workload >= series_.size() || series_[workload].samples.empty()) return {};
  const Series& series = series_[workload];
  if (visible < series.first_tick) return {};
  const auto count = std::min<std::size_t>(
      series.samples.size(), static_cast<std::size_t>(visible - series.first_tick + 1));
  return {series.samples.data(), count};
}

}  // namespace podsizer::sim
