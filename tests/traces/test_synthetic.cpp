// Tests of the synthetic default load: determinism, calibration, cycles, bounds and leaks.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <vector>

#include "traces/app_spec.h"
#include "traces/synthetic.h"

using podsizer::traces::AppSpec;
using podsizer::traces::generate_synthetic;
using podsizer::traces::synthetic_options_for;
using podsizer::traces::SyntheticOptions;
using podsizer::traces::Trace;
using podsizer::traces::WorkloadType;

namespace {

constexpr double kDay = 86400.0;
constexpr double kMiB = 1024.0 * 1024.0;
// 1'700'006'400 = 19676 days after the epoch, a Wednesday ((19676 + 4) % 7 = 3), at 00:00 UTC,
// so a 300 s grid hits 15:00 exactly.
constexpr double kWednesdayMidnight = 1'700'006'400.0;

double mean(const std::vector<double>& values) {
  return std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
}

// Options with every random part switched off: the profile alone.
SyntheticOptions quiet_options() {
  SyntheticOptions options;
  options.start_time_s = kWednesdayMidnight;
  options.noise = 0.0;
  options.bursts_per_day = 0.0;
  options.trend_per_day = 0.0;
  options.cpu_jitter = 0.0;
  options.memory_jitter = 0.0;
  return options;
}

// Mean of the request rate over samples whose UTC hour lies in [from, to) on weekdays.
double weekday_hours_mean(const Trace& trace, double from, double to) {
  double sum = 0.0;
  std::size_t count = 0;
  for (std::size_t i = 0; i < trace.size(); ++i) {
    const double t = trace.time_s[i];
    const auto day = static_cast<long long>(std::floor(t / kDay));
    const long long weekday = (day + 4) % 7;  // 0 Sunday .. 6 Saturday
    const double hour = std::fmod(t, kDay) / 3600.0;
    if (weekday == 0 || weekday == 6 || hour < from || hour >= to) continue;
    sum += trace.request_rate[i];
    ++count;
  }
  return sum / static_cast<double>(count);
}

}  // namespace

TEST_CASE("traces::synthetic: the same seed gives the same trace, another seed another",
          "[traces]") {
  SyntheticOptions options;
  const Trace a = generate_synthetic(options);
  const Trace b = generate_synthetic(options);
  CHECK(a.time_s == b.time_s);
  CHECK(a.request_rate == b.request_rate);
  CHECK(a.cpu_millicores == b.cpu_millicores);
  CHECK(a.memory_bytes == b.memory_bytes);
  CHECK(a.meta.source == "synthetic:seed=42");

  options.seed = 43;
  const Trace c = generate_synthetic(options);
  std::size_t differing = 0;
  for (std::size_t i = 0; i < a.size(); ++i) differing += a.request_rate[i] != c.request_rate[i];
  // Every sample carries its own noise draw, so practically all of them differ.
  CHECK(differing > a.size() * 99 / 100);
}

TEST_CASE("traces::synthetic: covers the duration on the step grid with every column", "[traces]") {
  SyntheticOptions options;
  const Trace trace = generate_synthetic(options);
  // 14 days at 300 s: 14 * 86400 / 300 = 4032 samples, the last at 4031 * 300 s.
  REQUIRE(trace.size() == 4032);
  CHECK(trace.time_s.front() == options.start_time_s);
  CHECK(trace.span_s() == 4031 * 300.0);
  CHECK(trace.meta.interval_s == 300.0);
  CHECK(trace.replicas == std::vector<double>(4032, 2.0));
  CHECK_NOTHROW(trace.validate());
}

TEST_CASE("traces::synthetic: without noise the calibration is exact", "[traces]") {
  // With no noise, bursts or trend, the weekday 15:00 sample is the profile's maximum
  // (amplitude * 1 * 1 * 1 = peak) and the grid mean is solved to the average.
  SyntheticOptions options = quiet_options();
  const Trace trace = generate_synthetic(options);
  const double peak = *std::max_element(trace.request_rate.begin(), trace.request_rate.end());
  CHECK(peak == Approx(1000.0).epsilon(1e-12));
  CHECK(mean(trace.request_rate) == Approx(200.0).epsilon(1e-9));

  SECTION("a milder ratio keeps a broad day with a higher night") {
    // avg 600, peak 1000: k = 1 already reaches the mean, so the floor is above night_floor.
    options.avg_request_per_sec = 600.0;
    const Trace broad = generate_synthetic(options);
    CHECK(mean(broad.request_rate) == Approx(600.0).epsilon(1e-9));
    const double top = *std::max_element(broad.request_rate.begin(), broad.request_rate.end());
    CHECK(top == Approx(1000.0).epsilon(1e-12));
    const double low = *std::min_element(broad.request_rate.begin(), broad.request_rate.end());
    // The lowest sample is a weekend night: floor * 0.6 with floor > 0.08.
    CHECK(low > 0.08 * 0.6 * 1000.0);
  }
  SECTION("an average above what the peak allows flattens the day and keeps the mean") {
    options.avg_request_per_sec = 1000.0;
    options.peak_request_per_sec = 1000.0;
    const Trace flat = generate_synthetic(options);
    CHECK(mean(flat.request_rate) == Approx(1000.0).epsilon(1e-9));
    // Flat day: weekday samples all equal, weekend ones 0.6 of them.
    CHECK(weekday_hours_mean(flat, 2, 4) == Approx(weekday_hours_mean(flat, 14, 16)));
  }
}

TEST_CASE("traces::synthetic: the mean and the regular peak are near the targets", "[traces]") {
  // Tolerances: the noise (sd 8 %, correlated over 4 samples, ~500 independent stretches in
  // 4032 samples) moves the mean by about 0.08 / sqrt(500) = 0.4 %, and the ~21 bursts of two
  // weeks by about 1.25 % / sqrt(21) * 1.4 = 0.4 %; 5 % is over five of those together.
  // A weekday's highest sample sits at the peak times the trend (0.967 .. 1.033 of the midpoint)
  // times the largest of a few correlated noise factors near 15:00 (+0 .. +25 %), so the median
  // weekday maximum lies within [0.95, 1.35] x peak.
  for (std::uint64_t seed : {1, 2, 3, 4, 5}) {
    SyntheticOptions options;
    options.seed = seed;
    const Trace trace = generate_synthetic(options);
    CHECK(mean(trace.request_rate) == Approx(200.0).epsilon(0.05));

    std::vector<double> weekday_maxima;
    for (std::size_t day = 0; day < 14; ++day) {
      const double day_start = std::floor(trace.time_s.front() / kDay) * kDay + day * kDay;
      const auto weekday = static_cast<long long>(day_start / kDay + 4) % 7;
      if (weekday == 0 || weekday == 6) continue;
      double top = 0.0;
      for (std::size_t i = 0; i < trace.size(); ++i) {
        if (trace.time_s[i] >= day_start && trace.time_s[i] < day_start + kDay) {
          top = std::max(top, trace.request_rate[i]);
        }
      }
      if (top > 0) weekday_maxima.push_back(top);
    }
    std::sort(weekday_maxima.begin(), weekday_maxima.end());
    const double median = weekday_maxima[weekday_maxima.size() / 2];
    CHECK(median >= 950.0);
    CHECK(median <= 1350.0);
  }
}

TEST_CASE("traces::synthetic: afternoons are busier than nights, weekdays than weekends",
          "[traces]") {
  const Trace trace = generate_synthetic(SyntheticOptions{});
  const double afternoon = weekday_hours_mean(trace, 13, 17);
  const double night = weekday_hours_mean(trace, 1, 5);
  // Night is the floor, 0.08 of the peak, plus the cosine's tail; 13-17 h holds most of the
  // peak, so the ratio is far above 3.
  CHECK(afternoon > 3.0 * night);

  double weekday_sum = 0.0, weekend_sum = 0.0;
  std::size_t weekday_count = 0, weekend_count = 0;
  for (std::size_t i = 0; i < trace.size(); ++i) {
    const auto day = static_cast<long long>(std::floor(trace.time_s[i] / kDay));
    const bool weekend = (day + 4) % 7 == 0 || (day + 4) % 7 == 6;
    (weekend ? weekend_sum : weekday_sum) += trace.request_rate[i];
    ++(weekend ? weekend_count : weekday_count);
  }
  // weekend_factor 0.6: the weekend mean is about 0.6 of the weekday mean.
  const double ratio = (weekend_sum / weekend_count) / (weekday_sum / weekday_count);
  CHECK(ratio == Approx(0.6).margin(0.1));
}

TEST_CASE("traces::synthetic: nothing is negative even with wild noise", "[traces]") {
  SyntheticOptions options;
  options.noise = 2.0;
  options.cpu_jitter = 1.5;
  options.memory_jitter = 1.5;
  options.burst_factor = 0.2;    // bursts that are dips
  options.trend_per_day = -0.5;  // the trend floor keeps the load above zero
  const Trace trace = generate_synthetic(options);
  for (std::size_t i = 0; i < trace.size(); ++i) {
    REQUIRE(std::isfinite(trace.request_rate[i]));
    REQUIRE(trace.request_rate[i] >= 0.0);
    REQUIRE(trace.cpu_millicores[i] >= 0.0);
    REQUIRE(trace.memory_bytes[i] >= 0.0);
  }
}

TEST_CASE("traces::synthetic: CPU is a base plus a cost per request of the pod's share",
          "[traces]") {
  SyntheticOptions options;
  options.cpu_jitter = 0.0;
  options.replicas = 4;
  const Trace trace = generate_synthetic(options);
  // cpu = 40 + 1.2 * rate / 4; e.g. 400 req/s -> 40 + 120 = 160 millicores.
  for (std::size_t i = 0; i < trace.size(); i += 97) {
    CHECK(trace.cpu_millicores[i] == Approx(40.0 + 1.2 * trace.request_rate[i] / 4.0));
  }
  // Memory stays between its base and base + load part at the highest load + full sawtooth.
  const double top_load =
      *std::max_element(trace.request_rate.begin(), trace.request_rate.end()) / 4.0;
  const double low = *std::min_element(trace.memory_bytes.begin(), trace.memory_bytes.end());
  const double high = *std::max_element(trace.memory_bytes.begin(), trace.memory_bytes.end());
  // The 1 % jitter can take a sample 4 sd = 4 % under the base.
  CHECK(low >= 220.0 * kMiB * 0.96);
  CHECK(high <= (220.0 * kMiB + 0.35 * kMiB * top_load + 40.0 * kMiB) * 1.04);
}

TEST_CASE("traces::synthetic: a leak adds its bytes per day to memory", "[traces]") {
  SyntheticOptions options;
  options.memory_jitter = 0.0;
  const Trace clean = generate_synthetic(options);
  options.leak_bytes_per_day = 100.0 * kMiB;
  const Trace leaking = generate_synthetic(options);

  // The draws do not depend on the leak, so the difference is the leak alone: 100 MiB per day,
  // e.g. 100 MiB * 2016 * 300 / 86400 = 700 MiB at sample 2016 (day 7).
  for (std::size_t i : {std::size_t{0}, std::size_t{2016}, std::size_t{4031}}) {
    const double days = static_cast<double>(i) * 300.0 / kDay;
    CHECK(leaking.memory_bytes[i] - clean.memory_bytes[i] == Approx(100.0 * kMiB * days));
  }
  CHECK(leaking.memory_bytes[2016] - clean.memory_bytes[2016] == Approx(700.0 * kMiB));
  CHECK(leaking.request_rate == clean.request_rate);
}

TEST_CASE("traces::synthetic: options follow the app spec", "[traces]") {
  AppSpec spec;
  spec.app_name = "orders";
  spec.workload_type = WorkloadType::kBatch;
  spec.avg_request_per_sec = 50.0;
  spec.peak_request_per_sec = 300.0;
  spec.hpa.min_replicas = 3;
  const SyntheticOptions options = synthetic_options_for(spec);
  CHECK(options.avg_request_per_sec == 50.0);
  CHECK(options.peak_request_per_sec == 300.0);
  CHECK(options.replicas == 3);
  CHECK(options.weekend_factor == 0.9);

  spec.workload_type = WorkloadType::kWebService;
  spec.hpa.min_replicas = 0;
  const SyntheticOptions web = synthetic_options_for(spec);
  CHECK(web.weekend_factor == 0.6);
  CHECK(web.replicas == 1);
}

TEST_CASE("traces::synthetic: options out of range are refused by name", "[traces]") {
  SyntheticOptions options;
  options.step_s = 0.0;
  CHECK_THROWS_WITH(generate_synthetic(options), Catch::Contains("step_s"));
  options = SyntheticOptions{};
  options.duration_s = 10.0;
  CHECK_THROWS_WITH(generate_synthetic(options), Catch::Contains("duration_s"));
  options = SyntheticOptions{};
  options.avg_request_per_sec = -1.0;
  CHECK_THROWS_WITH(generate_synthetic(options), Catch::Contains("negative"));
  options = SyntheticOptions{};
  options.replicas = 0;
  CHECK_THROWS_WITH(generate_synthetic(options), Catch::Contains("replicas"));
}
