#include "env/features.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <numbers>

#include "traces/quantity.h"

namespace podsizer::env {

namespace {

constexpr double kHour = 3600.0;
constexpr double kDay = 24 * kHour;
constexpr double kWeek = 7 * kDay;
constexpr double kMaxLogRatio = 5.0;      // |ln ratio| is clamped here: e^5 ≈ 148×
constexpr double kCpuFloor = 1.0;         // millicores: the least reference and usage
constexpr double kMemoryFloor = traces::kMiB;

bool known(double v) { return !std::isnan(v); }

double clamp_log(double v) { return std::clamp(v, -kMaxLogRatio, kMaxLogRatio); }

// ln(value / ref) with the value floored, so an idle pod does not give -infinity.
double log_ratio(double value, double ref, double floor) {
  if (!known(value)) return 0.0;
  return clamp_log(std::log(std::max(value, floor) / ref));
}

const std::vector<std::string> kNames = [] {
  std::vector<std::string> names = {"cpu_ref_log_millicores", "memory_ref_log_bytes"};
  for (const char* resource : {"cpu", "memory"}) {
    for (const char* window : {"1h", "6h", "24h", "7d"}) {
      for (const char* stat : {"p50", "p95", "max"}) {
        names.push_back(std::string(resource) + "_" + stat + "_" + window + "_log_ratio");
      }
    }
  }
  for (const char* field : {"cpu_request", "cpu_limit", "memory_request", "memory_limit"}) {
    names.push_back(std::string(field) + "_log_ratio");
    names.push_back(std::string(field) + "_set");
  }
  for (const char* name :
       {"rate_known", "rate_1h_log1p_rps", "rate_trend_1h_24h_log", "rate_trend_24h_7d_log",
        "hour_of_day_sin", "hour_of_day_cos", "day_of_week_sin", "day_of_week_cos",
        "replicas_log", "oom_kills_1h_log1p", "oom_kills_24h_log1p", "restarts_24h_log1p",
        "evictions_24h_log1p", "throttled_known", "throttled_fraction_1h", "latency_known",
        "latency_over_slo_1h_log", "slo_violation_fraction_24h", "history_log1p_hours"}) {
    names.emplace_back(name);
  }
  return names;
}();

}  // namespace

const std::vector<std::string>& feature_names() {
  assert(kNames.size() == kFeatureCount && "feature_names() and kFeatureCount agree");
  assert(kNames[kCpuMax7dFeature] == "cpu_max_7d_log_ratio" &&
         kNames[kMemoryMax7dFeature] == "memory_max_7d_log_ratio" &&
         kNames[kMemoryLimitFeature] == "memory_limit_log_ratio" &&
         kNames[kOomKills1hFeature] == "oom_kills_1h_log1p" && "named indices match the names");
  return kNames;
}

// ---------------------------------------------------------------------------------------------
// MetricsBinner

MetricsBinner::MetricsBinner(double bin_s) : bin_s_(bin_s) {
  if (!(bin_s > 0)) throw std::invalid_argument("MetricsBinner: bin must be positive");
}

void MetricsBinner::add(const MetricsPoint& s, std::vector<MetricsPoint>& out) {
  // A sample of a later bin closes the open one.
  const auto bin = static_cast<long long>(std::floor(s.end_s / bin_s_));
  assert((!open_ || bin >= bin_) && "samples arrive in time order");
  if (open_ && bin != bin_) emit(out);
  bin_ = bin;
  open_ = true;

  // Means over the samples carrying each value; events add up.
  const std::array<double, 6> values = {s.cpu_millicores, s.memory_bytes, s.request_rate,
                                        s.replicas, s.throttled_fraction, s.latency_over_slo};
  for (std::size_t k = 0; k < values.size(); ++k) {
    if (!known(values[k])) continue;
    sums_[k] += values[k];
    ++counts_[k];
  }
  oom_ += s.oom_kills;
  restarts_ += s.restarts;
  evictions_ += s.evictions;
}

void MetricsBinner::flush_until(double now_s, std::vector<MetricsPoint>& out) {
  if (open_ && static_cast<double>(bin_ + 1) * bin_s_ <= now_s) emit(out);
}

void MetricsBinner::clear() {
  open_ = false;
  sums_ = {};
  counts_ = {};
  oom_ = restarts_ = evictions_ = 0;
}

void MetricsBinner::emit(std::vector<MetricsPoint>& out) {
  auto mean = [&](std::size_t k) { return counts_[k] > 0 ? sums_[k] / counts_[k] : kUnknown; };
  MetricsPoint p;
  p.end_s = static_cast<double>(bin_ + 1) * bin_s_;
  p.cpu_millicores = mean(0);
  p.memory_bytes = mean(1);
  p.request_rate = mean(2);
  p.replicas = mean(3);
  p.throttled_fraction = mean(4);
  p.latency_over_slo = mean(5);
  p.oom_kills = oom_;
  p.restarts = restarts_;
  p.evictions = evictions_;
  out.push_back(p);
  clear();
}

// ---------------------------------------------------------------------------------------------
// FeatureExtractor

void FeatureExtractor::WindowSum::add(double t, double v, double w) {
  items.push_back({t, v, w});
  sum += v;
  weight += w;
  advance(t);
}

void FeatureExtractor::WindowSum::advance(double t) {
  while (!items.empty() && items.front()[0] <= t - window_s) {
    sum -= items.front()[1];
    weight -= items.front()[2];
    items.pop_front();
  }
  // A running sum drifts by rounding; an empty window resets it exactly.
  if (items.empty()) sum = weight = 0;
}

void FeatureExtractor::WindowSum::clear() {
  items.clear();
  sum = weight = 0;
}

FeatureExtractor::FeatureExtractor(FeatureConfig config)
    : config_(config),
      cpu_{traces::WindowStats(kHour), traces::WindowStats(6 * kHour), traces::WindowStats(kDay)},
      memory_{traces::WindowStats(kHour), traces::WindowStats(6 * kHour),
              traces::WindowStats(kDay)},
      cpu_week_(kWeek), memory_week_(kWeek), memory_week_max_(kWeek), cpu_week_max_(kWeek),
      rate_1h_(kHour), rate_24h_(kDay), rate_week_(kWeek),
      oom_1h_(kHour), oom_24h_(kDay), restarts_24h_(kDay), evictions_24h_(kDay),
      throttled_1h_(kHour), latency_1h_(kHour), violation_24h_(kDay) {
  if (!(config.bin_s > 0)) throw std::invalid_argument("FeatureConfig: bin_s must be positive");
}

void FeatureExtractor::add(std::span<const MetricsPoint> points) {
  for (const auto& p : points) add(p);
}

void FeatureExtractor::add(const MetricsPoint& p) {
  const double t = p.end_s;
  assert((!known(last_end_s_) || t >= last_end_s_) && "bins arrive in time order");
  if (!known(first_end_s_)) first_end_s_ = t - config_.bin_s;
  last_end_s_ = t;

  // An hour is complete once a bin of a later hour arrives: its aggregate joins the 7 d window.
  const auto hour = static_cast<long long>(std::ceil(t / kHour)) - 1;
  if (hour != hour_) flush_hour();
  hour_ = hour;
  hour_end_s_ = static_cast<double>(hour + 1) * kHour;

  // Usage windows over the bins, and this hour's running aggregate.
  if (known(p.cpu_millicores)) {
    for (auto& w : cpu_) w.add(t, p.cpu_millicores);
    hour_cpu_sum_ += p.cpu_millicores;
    hour_cpu_max_ = hour_cpu_n_ == 0 ? p.cpu_millicores : std::max(hour_cpu_max_, p.cpu_millicores);
    ++hour_cpu_n_;
  }
  if (known(p.memory_bytes)) {
    for (auto& w : memory_) w.add(t, p.memory_bytes);
    hour_memory_sum_ += p.memory_bytes;
    hour_memory_max_ =
        hour_memory_n_ == 0 ? p.memory_bytes : std::max(hour_memory_max_, p.memory_bytes);
    ++hour_memory_n_;
  }

  // Rate, events and service-level windows.
  if (known(p.request_rate)) {
    rate_1h_.add(t, p.request_rate);
    rate_24h_.add(t, p.request_rate);
    rate_week_.add(t, p.request_rate);
  }
  oom_1h_.add(t, p.oom_kills);
  oom_24h_.add(t, p.oom_kills);
  restarts_24h_.add(t, p.restarts);
  evictions_24h_.add(t, p.evictions);
  if (known(p.throttled_fraction)) throttled_1h_.add(t, std::clamp(p.throttled_fraction, 0.0, 1.0));
  if (known(p.latency_over_slo) && p.latency_over_slo > 0) {
    latency_1h_.add(t, clamp_log(std::log(p.latency_over_slo)));
    violation_24h_.add(t, p.latency_over_slo > 1.0 ? 1.0 : 0.0);
  }
  if (known(p.replicas)) last_replicas_ = p.replicas;

  // A bin that ends on the hour completes it.
  if (t >= hour_end_s_) flush_hour();
}

void FeatureExtractor::flush_hour() {
  if (hour_cpu_n_ > 0) {
    cpu_week_.add(hour_end_s_, hour_cpu_sum_ / hour_cpu_n_);
    cpu_week_max_.add(hour_end_s_, hour_cpu_max_);
  }
  if (hour_memory_n_ > 0) {
    memory_week_.add(hour_end_s_, hour_memory_sum_ / hour_memory_n_);
    memory_week_max_.add(hour_end_s_, hour_memory_max_);
  }
  hour_cpu_sum_ = hour_memory_sum_ = hour_cpu_max_ = hour_memory_max_ = 0;
  hour_cpu_n_ = hour_memory_n_ = 0;
}

void FeatureExtractor::advance_all(double now_s) {
  for (auto& w : cpu_) w.advance(now_s);
  for (auto& w : memory_) w.advance(now_s);
  for (auto* w : {&cpu_week_, &memory_week_, &memory_week_max_, &cpu_week_max_}) {
    w->advance(now_s);
  }
  for (auto* w : {&rate_1h_, &rate_24h_, &rate_week_, &oom_1h_, &oom_24h_, &restarts_24h_,
                  &evictions_24h_, &throttled_1h_, &latency_1h_, &violation_24h_}) {
    w->advance(now_s);
  }
}

double FeatureExtractor::history_s() const {
  return known(first_end_s_) ? last_end_s_ - first_end_s_ : 0.0;
}

void FeatureExtractor::extract(double now_s, const Resources& current, std::span<float> out) {
  assert(out.size() >= kFeatureCount && "room for every feature");
  advance_all(now_s);
  std::size_t i = 0;
  auto put = [&](double v) { out[i++] = static_cast<float>(v); };

  // References: the 24 h CPU p95 and memory max per pod; with no history, the current requests
  // (or a small default) so the ratios stay finite and the action mapping has a centre.
  const auto& req = current.requests;
  cpu_ref_ = cpu_[2].empty() ? req.cpu_millicores.value_or(100.0) : cpu_[2].percentile(0.95);
  memory_ref_ = memory_[2].empty() ? req.memory_bytes.value_or(256 * traces::kMiB)
                                   : memory_[2].max();
  cpu_ref_ = std::max(cpu_ref_, kCpuFloor);
  memory_ref_ = std::max(memory_ref_, kMemoryFloor);
  put(std::log(cpu_ref_));
  put(std::log(memory_ref_));

  // Percentiles per window, relative to the reference, in log space.
  auto window_features = [&](const std::array<traces::WindowStats, 3>& bins,
                             const traces::WindowStats& week, const traces::WindowStats& week_max,
                             double ref, double floor) {
    for (const auto& w : bins) {
      put(w.empty() ? 0.0 : log_ratio(w.percentile(0.5), ref, floor));
      put(w.empty() ? 0.0 : log_ratio(w.percentile(0.95), ref, floor));
      put(w.empty() ? 0.0 : log_ratio(w.max(), ref, floor));
    }
    put(week.empty() ? 0.0 : log_ratio(week.percentile(0.5), ref, floor));
    put(week.empty() ? 0.0 : log_ratio(week.percentile(0.95), ref, floor));
    put(week_max.empty() ? 0.0 : log_ratio(week_max.max(), ref, floor));
  };
  window_features(cpu_, cpu_week_, cpu_week_max_, cpu_ref_, kCpuFloor * 0.1);
  window_features(memory_, memory_week_, memory_week_max_, memory_ref_, kMemoryFloor);

  // The resources in force, relative to the same references; a flag says whether each is set.
  auto resource = [&](const std::optional<double>& v, double ref, double floor) {
    put(v ? log_ratio(*v, ref, floor) : 0.0);
    put(v ? 1.0 : 0.0);
  };
  resource(current.requests.cpu_millicores, cpu_ref_, kCpuFloor);
  resource(current.limits.cpu_millicores, cpu_ref_, kCpuFloor);
  resource(current.requests.memory_bytes, memory_ref_, kMemoryFloor);
  resource(current.limits.memory_bytes, memory_ref_, kMemoryFloor);

  // Request rate: level and trends when known, zeros and a 0 flag otherwise.
  const bool rate_known = rate_24h_.weight > 0;
  const double rate_1h = rate_1h_.weight > 0 ? rate_1h_.sum / rate_1h_.weight : 0.0;
  const double rate_24h = rate_known ? rate_24h_.sum / rate_24h_.weight : 0.0;
  const double rate_week = rate_week_.weight > 0 ? rate_week_.sum / rate_week_.weight : 0.0;
  put(rate_known ? 1.0 : 0.0);
  put(std::log1p(std::max(rate_1h, 0.0)));
  put(rate_known ? clamp_log(std::log1p(std::max(rate_1h, 0.0)) -
                             std::log1p(std::max(rate_24h, 0.0)))
                 : 0.0);
  put(rate_known ? clamp_log(std::log1p(std::max(rate_24h, 0.0)) -
                             std::log1p(std::max(rate_week, 0.0)))
                 : 0.0);

  // Time of day and of week as angles (the Unix epoch began on a Thursday; only the phase
  // matters to the network).
  const double day_angle = 2 * std::numbers::pi * std::fmod(now_s, kDay) / kDay;
  const double week_angle = 2 * std::numbers::pi * std::fmod(now_s, kWeek) / kWeek;
  put(std::sin(day_angle));
  put(std::cos(day_angle));
  put(std::sin(week_angle));
  put(std::cos(week_angle));

  // Replicas and events as a metrics system counts them.
  put(known(last_replicas_) ? std::log(std::max(last_replicas_, 1.0)) : 0.0);
  put(std::log1p(std::max(oom_1h_.sum, 0.0)));
  put(std::log1p(std::max(oom_24h_.sum, 0.0)));
  put(std::log1p(std::max(restarts_24h_.sum, 0.0)));
  put(std::log1p(std::max(evictions_24h_.sum, 0.0)));

  // Throttling and latency against the SLO, when the source has them.
  put(throttled_1h_.weight > 0 ? 1.0 : 0.0);
  put(throttled_1h_.weight > 0 ? throttled_1h_.sum / throttled_1h_.weight : 0.0);
  const bool latency_known = violation_24h_.weight > 0;
  put(latency_known ? 1.0 : 0.0);
  put(latency_1h_.weight > 0 ? latency_1h_.sum / latency_1h_.weight : 0.0);
  put(latency_known ? violation_24h_.sum / violation_24h_.weight : 0.0);

  // How much history the windows rest on.
  put(std::log1p(history_s() / kHour));
  assert(i == kFeatureCount && "every feature written once");
}

void FeatureExtractor::clear() {
  for (auto& w : cpu_) w.clear();
  for (auto& w : memory_) w.clear();
  for (auto* w : {&cpu_week_, &memory_week_, &memory_week_max_, &cpu_week_max_}) w->clear();
  for (auto* w : {&rate_1h_, &rate_24h_, &rate_week_, &oom_1h_, &oom_24h_, &restarts_24h_,
                  &evictions_24h_, &throttled_1h_, &latency_1h_, &violation_24h_}) {
    w->clear();
  }
  last_replicas_ = first_end_s_ = last_end_s_ = kUnknown;
  hour_ = std::numeric_limits<long long>::min();
  hour_cpu_sum_ = hour_memory_sum_ = hour_cpu_max_ = hour_memory_max_ = 0;
  hour_cpu_n_ = hour_memory_n_ = 0;
  cpu_ref_ = memory_ref_ = 1;
}

// ---------------------------------------------------------------------------------------------
// Adapters

std::vector<MetricsPoint> points_from_trace(const traces::Trace& trace, std::size_t end,
                                            double bin_s, double time_offset_s) {
  // Each sample stands for the sample interval ending at the next timestamp; it is binned by its
  // start, as the simulator's rows are.
  end = std::min(end, trace.size());
  MetricsBinner binner(bin_s);
  std::vector<MetricsPoint> out;
  out.reserve(end);
  for (std::size_t k = 0; k < end; ++k) {
    MetricsPoint s;
    s.end_s = trace.time_s[k] + time_offset_s;
    if (trace.has_cpu()) s.cpu_millicores = trace.cpu_millicores[k];
    if (trace.has_memory()) s.memory_bytes = trace.memory_bytes[k];
    if (trace.has_request_rate()) s.request_rate = trace.request_rate[k];
    s.replicas = trace.has_replicas() ? trace.replicas[k] : 1.0;
    binner.add(s, out);
  }

  // The last bin is complete when the trace's sampling interval reaches its end.
  const double interval = trace.meta.interval_s > 0 ? trace.meta.interval_s : bin_s;
  if (end > 0) binner.flush_until(trace.time_s[end - 1] + time_offset_s + interval, out);
  return out;
}

void merge_row(const sim::IntervalRow& row, double slo_ms, bool rate_known, MetricsPoint& p) {
  const double duration = row.end_s - row.start_s;
  p.oom_kills = row.oom_kills;
  p.restarts = row.restarts;
  p.evictions = row.evictions;
  if (rate_known && duration > 0) p.request_rate = row.requests / duration;
  const double pod_seconds = row.replicas_mean * duration;
  if (pod_seconds > 0) p.throttled_fraction = std::min(1.0, row.throttled_seconds / pod_seconds);
  // A latency exists only where requests were served.
  if (row.requests > 0 && slo_ms > 0 && row.latency_slo_ms > 0) {
    p.latency_over_slo = row.latency_slo_ms / slo_ms;
  }
}

SimSeriesAdapter::SimSeriesAdapter(double time_offset_s, double slo_ms, bool rate_known)
    : offset_s_(time_offset_s), slo_ms_(slo_ms), rate_known_(rate_known) {}

void SimSeriesAdapter::consume(std::span<const sim::WorkloadSample> series,
                               std::span<const sim::IntervalRow> rows,
                               std::vector<MetricsPoint>& out) {
  for (; rows_read_ < rows.size(); ++rows_read_) {
    const sim::IntervalRow& row = rows[rows_read_];

    // Scrapes before the row's start belong to rows already read (or to no row).
    while (series_read_ < series.size() && series[series_read_].time_s < row.start_s) {
      ++series_read_;
    }
    double cpu = 0, memory = 0, pods = 0;
    int n = 0;
    for (; series_read_ < series.size() && series[series_read_].time_s < row.end_s;
         ++series_read_) {
      const sim::WorkloadSample& s = series[series_read_];
      if (s.pods == 0) continue;  // nothing reported at this scrape
      cpu += s.cpu_sum_millicores / s.pods;
      memory += s.memory_sum_bytes / s.pods;
      pods += s.pods;
      ++n;
    }

    MetricsPoint p;
    p.end_s = row.end_s + offset_s_;
    if (n > 0) {
      p.cpu_millicores = cpu / n;
      p.memory_bytes = memory / n;
      p.replicas = pods / n;
    }
    merge_row(row, slo_ms_, rate_known_, p);
    out.push_back(p);
  }
}

void SimSeriesAdapter::reset() { series_read_ = rows_read_ = 0; }

}  // namespace podsizer::env
