#include "policies/autopilot.h"

#include <algorithm>

namespace podsizer::policies {

namespace {

// Drops entries that have left a window of `window_s` ending at `now_s`.
template <typename Deque>
void expire(Deque& entries, double now_s, double window_s) {
  while (!entries.empty() && entries.front().time_s <= now_s - window_s) entries.pop_front();
}

template <typename Deque>
std::optional<double> window_max(const Deque& entries) {
  if (entries.empty()) return std::nullopt;
  double best = entries.front().value;
  for (const auto& e : entries) best = std::max(best, e.value);
  return best;
}

}  // namespace

AutopilotOptions AutopilotOptions::from(const PolicyOptions& options) {
  check_option_names("autopilot", options,
                     {"cpu_half_life_h", "cpu_percentile", "cpu_margin", "memory_window_h",
                      "memory_margin", "stabilization_h"});
  AutopilotOptions o;
  o.cpu_half_life_s = option_or(options, "cpu_half_life_h", o.cpu_half_life_s / 3600) * 3600;
  o.cpu_percentile = option_or(options, "cpu_percentile", o.cpu_percentile);
  o.cpu_margin = option_or(options, "cpu_margin", o.cpu_margin);
  o.memory_window_s = option_or(options, "memory_window_h", o.memory_window_s / 3600) * 3600;
  o.memory_margin = option_or(options, "memory_margin", o.memory_margin);
  o.stabilization_s = option_or(options, "stabilization_h", o.stabilization_s / 3600) * 3600;
  if (o.cpu_half_life_s <= 0 || o.memory_window_s <= 0 || o.stabilization_s <= 0) {
    throw std::invalid_argument("autopilot: half-life and windows must be positive");
  }
  return o;
}

AutopilotPolicy::AutopilotPolicy(AutopilotOptions options)
    : options_(options), cpu_(&vpa_cpu_buckets(), options.cpu_half_life_s) {}

void AutopilotPolicy::on_reset() {
  cpu_.clear();
  memory_peaks_.clear();
  cpu_recent_.clear();
  memory_recent_.clear();
}

std::optional<double> AutopilotPolicy::raw_cpu_millicores() const {
  if (cpu_.empty()) return std::nullopt;
  return cpu_.percentile(options_.cpu_percentile) * 1000.0 * (1.0 + options_.cpu_margin);
}

std::optional<double> AutopilotPolicy::raw_memory_bytes() const {
  if (memory_peaks_.empty()) return std::nullopt;
  return memory_peaks_.front().value * (1.0 + options_.memory_margin);
}

void AutopilotPolicy::on_observe(const Sample& sample) {
  const double now = sample.time_s;

  // CPU: load-adjusted, so a sample weighs its bucket's value as well as its recency.
  if (sample.cpu_millicores && *sample.cpu_millicores >= 0) {
    const double cores = *sample.cpu_millicores / 1000.0;
    const auto& buckets = cpu_.raw().buckets();
    cpu_.add(cores, buckets.end(buckets.find(cores)), now);
  }

  // Memory: a running window maximum (values behind a larger newer one can never be the max).
  if (sample.memory_bytes && *sample.memory_bytes >= 0) {
    while (!memory_peaks_.empty() && memory_peaks_.back().value <= *sample.memory_bytes) {
      memory_peaks_.pop_back();
    }
    memory_peaks_.push_back({now, *sample.memory_bytes});
  }
  expire(memory_peaks_, now, options_.memory_window_s);

  // Each sample yields a recommendation; the last hour's are kept for the maximum.
  if (auto cpu = raw_cpu_millicores()) cpu_recent_.push_back({now, *cpu});
  if (auto memory = raw_memory_bytes()) memory_recent_.push_back({now, *memory});
  expire(cpu_recent_, now, options_.stabilization_s);
  expire(memory_recent_, now, options_.stabilization_s);
}

Decision AutopilotPolicy::on_decide(const DecisionContext& ctx) {
  expire(cpu_recent_, ctx.now_s, options_.stabilization_s);
  expire(memory_recent_, ctx.now_s, options_.stabilization_s);

  // The maximum over the last hour, as both request and limit; nothing seen, nothing changes.
  Decision decision;
  decision.resources = ctx.current;
  if (auto cpu = window_max(cpu_recent_)) {
    decision.resources.requests.cpu_millicores = *cpu;
    decision.resources.limits.cpu_millicores = *cpu;
  }
  if (auto memory = window_max(memory_recent_)) {
    decision.resources.requests.memory_bytes = *memory;
    decision.resources.limits.memory_bytes = *memory;
  }
  return decision;
}

}  // namespace podsizer::policies
