#include "policies/vpa.h"

#include <algorithm>
#include <cmath>

namespace podsizer::policies {

namespace {

constexpr double kSecondsPerDay = 86400.0;
constexpr double kMib = 1024.0 * 1024.0;

// Limit / request of one resource in the spec; nullopt when the spec sets no limit. A limit
// without a request means request = limit in Kubernetes, hence ratio 1.
std::optional<double> limit_ratio(std::optional<double> request, std::optional<double> limit) {
  if (!limit) return std::nullopt;
  if (!request || *request <= 0) return 1.0;
  return *limit / *request;
}

}  // namespace

VpaOptions VpaOptions::from(const PolicyOptions& options) {
  check_option_names(
      "vpa", options,
      {"cpu_half_life_h", "memory_half_life_h", "target_percentile", "lower_percentile",
       "upper_percentile", "safety_margin", "min_cpu_millicores", "min_memory_mib",
       "memory_interval_h", "memory_intervals", "update_threshold", "pod_lifetime_h"});
  VpaOptions o;
  o.cpu_half_life_s = option_or(options, "cpu_half_life_h", o.cpu_half_life_s / 3600) * 3600;
  o.memory_half_life_s =
      option_or(options, "memory_half_life_h", o.memory_half_life_s / 3600) * 3600;
  o.target_percentile = option_or(options, "target_percentile", o.target_percentile);
  o.lower_percentile = option_or(options, "lower_percentile", o.lower_percentile);
  o.upper_percentile = option_or(options, "upper_percentile", o.upper_percentile);
  o.safety_margin = option_or(options, "safety_margin", o.safety_margin);
  o.min_cpu_millicores = option_or(options, "min_cpu_millicores", o.min_cpu_millicores);
  o.min_memory_bytes = option_or(options, "min_memory_mib", o.min_memory_bytes / kMib) * kMib;
  o.memory_interval_s = option_or(options, "memory_interval_h", o.memory_interval_s / 3600) * 3600;
  o.memory_intervals = static_cast<int>(option_or(options, "memory_intervals", o.memory_intervals));
  o.update_threshold = option_or(options, "update_threshold", o.update_threshold);
  o.pod_lifetime_s = option_or(options, "pod_lifetime_h", o.pod_lifetime_s / 3600) * 3600;
  if (o.cpu_half_life_s <= 0 || o.memory_half_life_s <= 0 || o.memory_interval_s <= 0 ||
      o.memory_intervals < 1) {
    throw std::invalid_argument(
        "vpa: half-lives and the memory interval must be positive and "
        "memory_intervals at least 1");
  }
  return o;
}

VpaPolicy::VpaPolicy(VpaOptions options)
    : options_(options), cpu_(&vpa_cpu_buckets(), options.cpu_half_life_s) {}

void VpaPolicy::on_reset() {
  cpu_.clear();
  first_cpu_s_.reset();
  last_cpu_s_.reset();
  previous_sample_s_.reset();
  cpu_sample_minutes_ = 0.0;
  memory_.clear();
  window_end_s_.reset();
  original_.reset();
  memory_request_bytes_.reset();
  pod_start_s_.reset();
  container_start_s_.reset();
  quick_oom_ = false;
}

void VpaPolicy::on_observe(const Sample& sample) {
  // The pod has existed since the history began, until an update replaces it.
  if (!pod_start_s_) pod_start_s_ = sample.time_s;
  if (!container_start_s_) container_start_s_ = sample.time_s;

  // A sample stands for the minutes since the previous one (see the header).
  double minutes = 1.0;
  if (previous_sample_s_) {
    minutes = std::clamp((sample.time_s - *previous_sample_s_) / 60.0, 1.0, 60.0);
  }
  previous_sample_s_ = sample.time_s;

  if (sample.cpu_millicores && *sample.cpu_millicores >= 0) {
    cpu_.add(*sample.cpu_millicores / 1000.0, options_.cpu_sample_weight * minutes, sample.time_s);
    if (!first_cpu_s_) first_cpu_s_ = sample.time_s;
    last_cpu_s_ = sample.time_s;
    cpu_sample_minutes_ += minutes;
  }
  if (sample.memory_bytes && *sample.memory_bytes >= 0) {
    add_memory_sample(sample.time_s, *sample.memory_bytes, false);
  }
  if (sample.oom_kills > 0) record_oom(sample.time_s);
}

void VpaPolicy::add_memory_sample(double time_s, double bytes, bool is_oom) {
  // The first sample opens the first interval; see model/container.go.
  if (!window_end_s_) window_end_s_ = time_s;

  if (time_s < *window_end_s_ && !memory_.empty()) {
    // Inside the current interval: the peak only grows.
    MemoryInterval& current = memory_.back();
    if (bytes > std::max(current.usage_peak, current.oom_peak)) {
      (is_oom ? current.oom_peak : current.usage_peak) = bytes;
    }
    return;
  }

  // Past the end: open the interval that contains this sample and forget the oldest.
  const double interval = options_.memory_interval_s;
  const double shift = std::floor((time_s - *window_end_s_) / interval) * interval + interval;
  *window_end_s_ += shift;
  memory_.push_back({*window_end_s_, is_oom ? 0.0 : bytes, is_oom ? bytes : 0.0});
  while (static_cast<int>(memory_.size()) > options_.memory_intervals) memory_.pop_front();
}

void VpaPolicy::record_oom(double time_s) {
  // A kill soon after the container (re)started asks the updater to act at once.
  if (container_start_s_ && time_s - *container_start_s_ < options_.evict_after_oom_s) {
    quick_oom_ = true;
  }
  container_start_s_ = time_s;  // the kubelet restarts the container

  // The memory it needed was more than it had: bump from the request or the recent peak.
  double used = memory_request_bytes_.value_or(0.0);
  if (!memory_.empty() && time_s < window_end_s_.value_or(time_s)) {
    used = std::max(used, memory_.back().usage_peak);
  }
  const double needed =
      std::max(used + options_.oom_min_bump_bytes, used * options_.oom_bump_ratio);
  add_memory_sample(time_s, needed, true);
}

double VpaPolicy::confidence() const {
  if (!first_cpu_s_) return 0.0;
  const double days = (*last_cpu_s_ - *first_cpu_s_) / kSecondsPerDay;
  const double samples = cpu_sample_minutes_ / (60.0 * 24.0);
  return std::min(days, samples);
}

std::optional<VpaRecommendation> VpaPolicy::recommend() const {
  if (cpu_.empty()) return std::nullopt;

  // Percentile, margin, then the confidence multiplier, then the per-pod minimum, as
  // logic/recommender.go chains its estimators.
  const double c = confidence();
  const double margin = 1.0 + options_.safety_margin;
  const double upper_factor = std::pow(1.0 + 1.0 / c, 1.0);
  const double lower_factor = std::pow(1.0 + 0.001 / c, -2.0);
  const auto cpu_at = [&](double p) { return cpu_.percentile(p) * 1000.0 * margin; };

  VpaRecommendation r;
  r.confidence = c;
  r.cpu_target_millicores =
      std::max(cpu_at(options_.target_percentile), options_.min_cpu_millicores);
  r.cpu_lower_millicores =
      std::max(cpu_at(options_.lower_percentile) * lower_factor, options_.min_cpu_millicores);
  r.cpu_upper_millicores =
      std::max(cpu_at(options_.upper_percentile) * upper_factor, options_.min_cpu_millicores);

  // Memory: the kept interval peaks, each timed at its interval's end.
  if (!memory_.empty()) {
    DecayingHistogram peaks(&vpa_memory_buckets(), options_.memory_half_life_s);
    for (const auto& interval : memory_) {
      peaks.add(std::max(interval.usage_peak, interval.oom_peak), 1.0, interval.end_s);
    }
    const auto memory_at = [&](double p) { return peaks.percentile(p) * margin; };
    r.memory_target_bytes =
        std::max(memory_at(options_.target_percentile), options_.min_memory_bytes);
    r.memory_lower_bytes =
        std::max(memory_at(options_.lower_percentile) * lower_factor, options_.min_memory_bytes);
    r.memory_upper_bytes =
        std::max(memory_at(options_.upper_percentile) * upper_factor, options_.min_memory_bytes);
  }
  return r;
}

Decision VpaPolicy::on_decide(const DecisionContext& ctx) {
  // The spec's limit/request ratios are what the admission controller preserves.
  if (!original_) original_ = ctx.app != nullptr ? ctx.app->current : ctx.current;
  memory_request_bytes_ = ctx.current.requests.memory_bytes;
  if (!pod_start_s_) pod_start_s_ = ctx.now_s;

  Decision decision;
  decision.resources = ctx.current;
  const auto recommendation = recommend();
  if (!recommendation) return decision;
  const VpaRecommendation& r = *recommendation;

  // Is any request outside [lower, upper], and how far are the requests from the target?
  bool outside = false;
  double diff = 0.0;
  const auto weigh = [&](std::optional<double> request, double target, double lower, double upper) {
    if (!request) {
      outside = true;
      diff += 1.0;
      return;
    }
    if (*request < lower || *request > upper) outside = true;
    diff += std::abs(*request - target) / std::max(*request, 1e-9);
  };
  weigh(ctx.current.requests.cpu_millicores, r.cpu_target_millicores, r.cpu_lower_millicores,
        r.cpu_upper_millicores);
  if (r.memory_target_bytes) {
    weigh(ctx.current.requests.memory_bytes, *r.memory_target_bytes, *r.memory_lower_bytes,
          *r.memory_upper_bytes);
  }

  // The updater's three reasons to evict; otherwise the pod keeps what it has.
  const bool old_enough = ctx.now_s - *pod_start_s_ >= options_.pod_lifetime_s;
  const bool apply =
      outside || (quick_oom_ && diff > 0) || (old_enough && diff >= options_.update_threshold);
  quick_oom_ = false;
  if (!apply) return decision;

  auto& out = decision.resources;
  out.requests.cpu_millicores = r.cpu_target_millicores;
  if (auto ratio =
          limit_ratio(original_->requests.cpu_millicores, original_->limits.cpu_millicores)) {
    out.limits.cpu_millicores = r.cpu_target_millicores * *ratio;
  } else {
    out.limits.cpu_millicores.reset();
  }
  if (r.memory_target_bytes) {
    out.requests.memory_bytes = *r.memory_target_bytes;
    if (auto ratio =
            limit_ratio(original_->requests.memory_bytes, original_->limits.memory_bytes)) {
      out.limits.memory_bytes = *r.memory_target_bytes * *ratio;
    } else {
      out.limits.memory_bytes.reset();
    }
  }
  pod_start_s_ = ctx.now_s;
  container_start_s_ = ctx.now_s;
  memory_request_bytes_ = out.requests.memory_bytes;
  return decision;
}

}  // namespace podsizer::policies
