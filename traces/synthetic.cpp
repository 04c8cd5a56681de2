#include "traces/synthetic.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "traces/log.h"

namespace podsizer::traces {
namespace {

constexpr double kDay = 86400.0;
constexpr double kWeek = 7 * kDay;
constexpr double kWeekendRamp = 2 * 3600.0;  // half-width of the Friday and Sunday ramps
constexpr double kTrendFloor = 0.05;         // a falling trend never takes the load below this
constexpr std::size_t kMaxSamples = 200'000'000;
constexpr std::size_t kCalibrationSamples = 200'000;  // grid points the calibration looks at

// Uniforms, exponentials and normals built from the raw 64-bit engine output, whose sequence
// the C++ standard fixes, so the numbers do not depend on the standard library.
class RandomSource {
 public:
  explicit RandomSource(std::uint64_t seed) : engine_(seed) {}

  // Uniform on (0, 1]: the top 53 bits of one draw, shifted off zero so log() is finite.
  double uniform() { return (static_cast<double>(engine_() >> 11) + 1.0) * 0x1.0p-53; }

  double exponential() { return -std::log(uniform()); }

  // Box-Muller: two uniforms give two independent normals; the second is kept for the next call.
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double radius = std::sqrt(-2.0 * std::log(uniform()));
    const double angle = 2.0 * std::numbers::pi * uniform();
    spare_ = radius * std::sin(angle);
    has_spare_ = true;
    return radius * std::cos(angle);
  }

 private:
  std::mt19937_64 engine_;
  double spare_ = 0.0;
  bool has_spare_ = false;
};

struct Burst {
  double start_s;
  double end_s;
  double factor;
};

// The raised cosine of the hour of day: 1 at the peak hour, 0 twelve hours away.
double daily_shape(double time_s, double peak_hour) {
  const double hour = std::fmod(time_s, kDay) / 3600.0;
  return 0.5 * (1.0 + std::cos(2.0 * std::numbers::pi * (hour - peak_hour) / 24.0));
}

// How much of the weekend `time_s` is in: 0 on weekdays, 1 on Saturday and Sunday (UTC), with
// linear ramps of kWeekendRamp either side of Saturday 00:00 and Monday 00:00.
double weekend_weight(double time_s) {
  // 1970-01-03, two days after the epoch, was a Saturday; u is the time since the latest
  // Saturday 00:00, shifted so that the ramp before it is not split across the week's end.
  constexpr double kFirstSaturday = 2 * kDay;
  double u = std::fmod(time_s - kFirstSaturday + kWeekendRamp, kWeek);
  if (u < 0) u += kWeek;
  u -= kWeekendRamp;
  const double inside = std::min(u + kWeekendRamp, 2 * kDay + kWeekendRamp - u);
  return std::clamp(inside / (2 * kWeekendRamp), 0.0, 1.0);
}

void require(bool condition, const char* what) {
  if (!condition) throw std::invalid_argument(std::string("synthetic load: ") + what);
}

void check_options(const SyntheticOptions& o) {
  const double values[] = {o.duration_s,           o.step_s,
                           o.start_time_s,         o.avg_request_per_sec,
                           o.peak_request_per_sec, o.peak_hour,
                           o.night_floor,          o.weekend_factor,
                           o.trend_per_day,        o.noise,
                           o.noise_correlation_s,  o.bursts_per_day,
                           o.burst_factor,         o.burst_duration_s,
                           o.cpu_base_millicores,  o.cpu_per_request_millicores,
                           o.cpu_jitter,           o.memory_base_bytes,
                           o.memory_per_rps_bytes, o.memory_smoothing_s,
                           o.gc_sawtooth_bytes,    o.gc_period_s,
                           o.memory_jitter,        o.leak_bytes_per_day};
  for (double value : values) require(std::isfinite(value), "every option must be finite");
  require(o.step_s > 0, "step_s must be positive");
  require(o.duration_s >= o.step_s, "duration_s must cover at least one step");
  require(o.duration_s / o.step_s <= static_cast<double>(kMaxSamples),
          "more than 200 million samples; use a longer step");
  require(o.avg_request_per_sec >= 0 && o.peak_request_per_sec >= 0,
          "request rates cannot be negative");
  require(o.replicas >= 1, "replicas must be at least 1");
  require(o.peak_hour >= 0 && o.peak_hour < 24, "peak_hour must be in [0, 24)");
  require(o.night_floor >= 0 && o.night_floor <= 1, "night_floor must be in [0, 1]");
  require(o.weekend_factor >= 0, "weekend_factor cannot be negative");
  require(o.noise >= 0 && o.cpu_jitter >= 0 && o.memory_jitter >= 0,
          "noise and jitter cannot be negative");
  require(o.bursts_per_day >= 0 && o.burst_factor >= 0, "burst options cannot be negative");
  require(o.bursts_per_day == 0 || o.burst_duration_s > 0, "burst_duration_s must be positive");
  require(o.cpu_base_millicores >= 0 && o.cpu_per_request_millicores >= 0 &&
              o.memory_base_bytes >= 0 && o.memory_per_rps_bytes >= 0 && o.gc_sawtooth_bytes >= 0 &&
              o.gc_period_s >= 0 && o.leak_bytes_per_day >= 0,
          "resource options cannot be negative");
}

double trend_at(const SyntheticOptions& o, double elapsed_s) {
  return std::max(kTrendFloor, 1.0 + o.trend_per_day * elapsed_s / kDay);
}

// The profile's constants: rate = amplitude * (floor + (1 - floor) * s^sharpness) * weekly *
// trend before noise and bursts.
struct Calibration {
  double amplitude = 0.0;
  double floor = 1.0;
  double sharpness = 1.0;
};

// Solves the calibration described in synthetic.h over (a thinned copy of) the sample grid.
Calibration calibrate(const SyntheticOptions& o, std::size_t samples) {
  // The profile's pieces at the grid points, thinned evenly for very long traces.
  const std::size_t stride = std::max<std::size_t>(1, samples / kCalibrationSamples);
  std::vector<double> shape;
  std::vector<double> weight;  // weekly * trend
  for (std::size_t i = 0; i < samples; i += stride) {
    const double elapsed = static_cast<double>(i) * o.step_s;
    const double t = o.start_time_s + elapsed;
    shape.push_back(daily_shape(t, o.peak_hour));
    weight.push_back((1.0 - (1.0 - o.weekend_factor) * weekend_weight(t)) * trend_at(o, elapsed));
  }
  auto mean_weight = [&](double sharpness) {
    double sum = 0.0;
    for (std::size_t j = 0; j < shape.size(); ++j) sum += std::pow(shape[j], sharpness) * weight[j];
    return sum / static_cast<double>(shape.size());
  };
  double all_weight = 0.0;
  for (double w : weight) all_weight += w;
  all_weight /= static_cast<double>(weight.size());

  // Bursts raise the mean by their expected share of time times their extra load.
  const double uplift = 1.0 + o.bursts_per_day * o.burst_duration_s / kDay * (o.burst_factor - 1.0);
  Calibration c;
  if (o.avg_request_per_sec <= 0 || all_weight <= 0 || uplift <= 0) {
    c.amplitude = 0.0;
    return c;
  }
  const double flat_amplitude = o.avg_request_per_sec / (uplift * all_weight);
  c.amplitude =
      o.peak_request_per_sec / trend_at(o, 0.5 * static_cast<double>(samples - 1) * o.step_s);
  if (c.amplitude <= 0) {
    c.amplitude = flat_amplitude;
    return c;
  }
  // The mean the profile must have, in units of the amplitude.
  const double target = o.avg_request_per_sec / (uplift * c.amplitude);

  // A broad day first: floor + (1 - floor) * mean(s * w) = target.
  const double broad = mean_weight(1.0);
  c.floor = all_weight > broad ? (target - broad) / (all_weight - broad) : 1.0;
  if (c.floor > 1.0) {
    c.floor = 1.0;
    c.amplitude = flat_amplitude;
    return c;
  }
  if (c.floor >= o.night_floor) return c;

  // Too peaky for a broad day: hold the floor and sharpen the peak until the mean matches.
  // mean(s^k * w) falls as k grows, so bisect on log k.
  c.floor = o.night_floor;
  const double wanted = (target - c.floor * all_weight) / (1.0 - c.floor);
  constexpr double kMaxSharpness = 512.0;
  if (wanted <= mean_weight(kMaxSharpness)) {
    // Even the sharpest peak is too broad: lower the floor as far as it takes (at least 0).
    c.sharpness = kMaxSharpness;
    const double sharp = mean_weight(kMaxSharpness);
    c.floor = std::max(0.0, (target - sharp) / (all_weight - sharp));
    return c;
  }
  double low = 0.0;
  double high = std::log(kMaxSharpness);
  for (int iteration = 0; iteration < 60; ++iteration) {
    const double middle = 0.5 * (low + high);
    if (mean_weight(std::exp(middle)) > wanted) {
      low = middle;
    } else {
      high = middle;
    }
  }
  c.sharpness = std::exp(0.5 * (low + high));
  return c;
}

// Every burst of the trace, in order of start; drawn before any per-sample number.
std::vector<Burst> draw_bursts(const SyntheticOptions& o, double end_s, RandomSource& random) {
  std::vector<Burst> bursts;
  if (o.bursts_per_day <= 0) return bursts;
  const double mean_gap = kDay / o.bursts_per_day;
  double t = o.start_time_s;
  while (true) {
    t += mean_gap * random.exponential();
    if (t >= end_s) break;
    const double length = o.burst_duration_s * random.exponential();
    const double factor = std::max(0.0, 1.0 + (o.burst_factor - 1.0) * random.exponential());
    bursts.push_back({t, t + length, factor});
  }
  return bursts;
}

}  // namespace

SyntheticOptions synthetic_options_for(const AppSpec& spec) {
  SyntheticOptions options;
  options.avg_request_per_sec = spec.avg_request_per_sec;
  options.peak_request_per_sec = spec.peak_request_per_sec;
  options.replicas = std::max(1, spec.hpa.min_replicas);

  // People use web services in office and evening hours; streams, batch jobs and queue workers
  // run for other systems, which keep going at weekends.
  switch (spec.workload_type) {
    case WorkloadType::kWebService:
      options.weekend_factor = 0.6;
      break;
    case WorkloadType::kStreaming:
      options.weekend_factor = 0.85;
      break;
    case WorkloadType::kBatch:
      options.weekend_factor = 0.9;
      break;
    case WorkloadType::kWorker:
      options.weekend_factor = 0.9;
      break;
  }
  return options;
}

Trace generate_synthetic(const SyntheticOptions& o) {
  check_options(o);
  const auto samples = static_cast<std::size_t>(std::floor(o.duration_s / o.step_s + 1e-9));
  const double end_s = o.start_time_s + static_cast<double>(samples) * o.step_s;
  const Calibration c = calibrate(o, samples);
  logger()->debug(
      "synthetic load: {} samples, amplitude {:.1f} req/s, night floor {:.3f}, "
      "peak sharpness {:.2f}",
      samples, c.amplitude, c.floor, c.sharpness);

  // The random draws, in the order synthetic.h promises: bursts, then per sample.
  RandomSource random(o.seed);
  const std::vector<Burst> bursts = draw_bursts(o, end_s, random);

  Trace trace;
  trace.meta.name = "synthetic";
  trace.meta.source = "synthetic:seed=" + std::to_string(o.seed);
  trace.meta.interval_s = o.step_s;
  trace.time_s.resize(samples);
  trace.request_rate.resize(samples);
  trace.cpu_millicores.resize(samples);
  trace.memory_bytes.resize(samples);
  trace.replicas.assign(samples, static_cast<double>(o.replicas));

  // Per-sample state: the AR(1) noise, the smoothed load and the garbage-collection phase.
  const double correlation =
      o.noise_correlation_s > 0 ? std::exp(-o.step_s / o.noise_correlation_s) : 0.0;
  const double innovation = std::sqrt(1.0 - correlation * correlation);
  const double smoothing =
      o.memory_smoothing_s > 0 ? 1.0 - std::exp(-o.step_s / o.memory_smoothing_s) : 1.0;
  const double replicas = static_cast<double>(o.replicas);
  const double average_load = o.avg_request_per_sec / replicas;
  double z = 0.0;
  double smoothed_load = 0.0;
  double gc_phase = 0.0;
  std::size_t first_live_burst = 0;

  for (std::size_t i = 0; i < samples; ++i) {
    const double elapsed = static_cast<double>(i) * o.step_s;
    const double t = o.start_time_s + elapsed;
    trace.time_s[i] = t;
    const double rate_normal = random.normal();
    const double cpu_normal = random.normal();
    const double memory_normal = random.normal();

    // The request rate: profile, correlated noise, the strongest burst active now.
    const double daily =
        c.floor + (1.0 - c.floor) * std::pow(daily_shape(t, o.peak_hour), c.sharpness);
    const double weekly = 1.0 - (1.0 - o.weekend_factor) * weekend_weight(t);
    z = i == 0 ? rate_normal : correlation * z + innovation * rate_normal;
    const double noise = std::exp(o.noise * z - 0.5 * o.noise * o.noise);
    while (first_live_burst < bursts.size() && bursts[first_live_burst].end_s <= t) {
      ++first_live_burst;
    }
    double burst = 1.0;
    for (std::size_t b = first_live_burst; b < bursts.size() && bursts[b].start_s <= t; ++b) {
      if (bursts[b].end_s > t) burst = std::max(burst, bursts[b].factor);
    }
    const double rate = c.amplitude * daily * weekly * trend_at(o, elapsed) * noise * burst;
    trace.request_rate[i] = rate;

    // CPU follows the load at once; a pod's share of the work plus what it burns idle.
    const double load = rate / replicas;
    const double cpu = o.cpu_base_millicores + o.cpu_per_request_millicores * load;
    trace.cpu_millicores[i] = std::max(0.0, cpu * (1.0 + o.cpu_jitter * cpu_normal));

    // Memory follows the load slowly, saws with garbage collection and may leak.
    smoothed_load = i == 0 ? load : smoothed_load + smoothing * (load - smoothed_load);
    if (o.gc_period_s > 0) {
      const double pace = average_load > 0 ? std::clamp(load / average_load, 0.25, 4.0) : 1.0;
      gc_phase += o.step_s / o.gc_period_s * pace;
      gc_phase -= std::floor(gc_phase);
    }
    const double memory = o.memory_base_bytes + o.memory_per_rps_bytes * smoothed_load +
                          o.gc_sawtooth_bytes * gc_phase + o.leak_bytes_per_day * elapsed / kDay;
    trace.memory_bytes[i] = std::max(0.0, memory * (1.0 + o.memory_jitter * memory_normal));
  }
  return trace;
}

}  // namespace podsizer::traces
