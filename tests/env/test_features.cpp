#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

#include "env/features.h"
#include "traces/quantity.h"

using namespace podsizer::env;
using podsizer::traces::kMiB;

namespace {

std::size_t index_of(const std::string& name) {
  const auto& names = feature_names();
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return i;
  }
  FAIL("no feature " << name);
  return 0;
}

// One hour of 5-minute bins ending at 300, 600, ..., 3600 s: CPU 100·j millicores and memory
// 100·j MiB in bin j (1..12), 10 requests/s, 2 replicas, 10 % throttled, latency at half the SLO
// except the last bin (twice the SLO), one eviction in the first bin, one OOM kill in the last.
std::vector<MetricsPoint> one_hour() {
  std::vector<MetricsPoint> points;
  for (int j = 1; j <= 12; ++j) {
    MetricsPoint p;
    p.end_s = 300.0 * j;
    p.cpu_millicores = 100.0 * j;
    p.memory_bytes = 100.0 * j * kMiB;
    p.request_rate = 10;
    p.replicas = 2;
    p.throttled_fraction = 0.1;
    p.latency_over_slo = j == 12 ? 2.0 : 0.5;
    p.evictions = j == 1 ? 1 : 0;
    p.oom_kills = j == 12 ? 1 : 0;
    points.push_back(p);
  }
  return points;
}

Resources current_resources() {
  Resources r;
  r.requests.cpu_millicores = 500;
  r.requests.memory_bytes = 1024 * kMiB;
  r.limits.memory_bytes = 2048 * kMiB;
  return r;
}

}  // namespace

TEST_CASE("env::FeatureExtractor: one hour of bins, every feature by hand", "[env]") {
  FeatureExtractor fx;
  fx.add(one_hour());
  std::vector<float> f(kFeatureCount);
  fx.extract(3600, current_resources(), f);
  auto at = [&](const char* name) { return static_cast<double>(f[index_of(name)]); };

  // CPU {100..1200}: p50 at rank 0.5·11 = 5.5 -> 650; p95 at rank 10.45 -> 1100 + 0.45·100 =
  // 1145 (the reference); max 1200. The 7 d window has one hourly mean, 7800 / 12 = 650.
  CHECK(fx.cpu_reference() == Approx(1145));
  CHECK(at("cpu_ref_log_millicores") == Approx(std::log(1145.0)));
  for (const char* w : {"1h", "6h", "24h"}) {
    CHECK(at((std::string("cpu_p50_") + w + "_log_ratio").c_str()) ==
          Approx(std::log(650.0 / 1145)));
    CHECK(at((std::string("cpu_p95_") + w + "_log_ratio").c_str()) == Approx(0.0).margin(1e-6));
    CHECK(at((std::string("cpu_max_") + w + "_log_ratio").c_str()) ==
          Approx(std::log(1200.0 / 1145)));
  }
  CHECK(at("cpu_p50_7d_log_ratio") == Approx(std::log(650.0 / 1145)));
  CHECK(at("cpu_p95_7d_log_ratio") == Approx(std::log(650.0 / 1145)));
  CHECK(at("cpu_max_7d_log_ratio") == Approx(std::log(1200.0 / 1145)));

  // Memory's reference is the 24 h max, 1200 MiB: p50 650/1200, p95 1145/1200, max 0.
  CHECK(fx.memory_reference() == Approx(1200 * kMiB));
  CHECK(at("memory_ref_log_bytes") == Approx(std::log(1200 * kMiB)));
  CHECK(at("memory_p50_24h_log_ratio") == Approx(std::log(650.0 / 1200)));
  CHECK(at("memory_p95_1h_log_ratio") == Approx(std::log(1145.0 / 1200)));
  CHECK(at("memory_max_6h_log_ratio") == Approx(0.0).margin(1e-6));

  // Resources against the references: 500/1145, no CPU limit, 1024/1200 and 2048/1200.
  CHECK(at("cpu_request_log_ratio") == Approx(std::log(500.0 / 1145)));
  CHECK(at("cpu_request_set") == 1);
  CHECK(at("cpu_limit_log_ratio") == 0);
  CHECK(at("cpu_limit_set") == 0);
  CHECK(at("memory_request_log_ratio") == Approx(std::log(1024.0 / 1200)));
  CHECK(at("memory_limit_log_ratio") == Approx(std::log(2048.0 / 1200)));

  // Rate 10/s everywhere: ln(1 + 10), no trend.
  CHECK(at("rate_known") == 1);
  CHECK(at("rate_1h_log1p_rps") == Approx(std::log(11.0)));
  CHECK(at("rate_trend_1h_24h_log") == Approx(0.0).margin(1e-6));

  // 3600 s after the epoch: hour angle 2π/24, week angle 2π/168.
  CHECK(at("hour_of_day_sin") == Approx(std::sin(std::numbers::pi / 12)));
  CHECK(at("hour_of_day_cos") == Approx(std::cos(std::numbers::pi / 12)));
  CHECK(at("day_of_week_sin") == Approx(std::sin(2 * std::numbers::pi / 168)));

  // Replicas ln 2; one OOM kill and one eviction: ln(1 + 1) each; no restarts.
  CHECK(at("replicas_log") == Approx(std::log(2.0)));
  CHECK(at("oom_kills_1h_log1p") == Approx(std::log(2.0)));
  CHECK(at("oom_kills_24h_log1p") == Approx(std::log(2.0)));
  CHECK(at("evictions_24h_log1p") == Approx(std::log(2.0)));
  CHECK(at("restarts_24h_log1p") == 0);

  // Throttled 0.1; latency log mean (11·ln 0.5 + ln 2) / 12 = −10 ln 2 / 12; 1 of 12 bins
  // violate; one hour of history: ln(1 + 1).
  CHECK(at("throttled_known") == 1);
  CHECK(at("throttled_fraction_1h") == Approx(0.1));
  CHECK(at("latency_known") == 1);
  CHECK(at("latency_over_slo_1h_log") == Approx(-10 * std::log(2.0) / 12));
  CHECK(at("slo_violation_fraction_24h") == Approx(1.0 / 12));
  CHECK(at("history_log1p_hours") == Approx(std::log(2.0)));
}

TEST_CASE("env::FeatureExtractor: windows empty out as time passes", "[env]") {
  FeatureExtractor fx;
  fx.add(one_hour());
  std::vector<float> f(kFeatureCount);

  // Three hours later the 1 h window holds nothing (0), the 6 h window still all twelve bins.
  fx.extract(3 * 3600, current_resources(), f);
  CHECK(f[index_of("cpu_p50_1h_log_ratio")] == 0);
  CHECK(f[index_of("cpu_p50_6h_log_ratio")] == Approx(std::log(650.0 / 1145)));
  CHECK(f[index_of("oom_kills_1h_log1p")] == 0);
  CHECK(f[index_of("oom_kills_24h_log1p")] == Approx(std::log(2.0)));
  CHECK(f[index_of("rate_1h_log1p_rps")] == 0);
  CHECK(f[index_of("throttled_known")] == 0);
}

TEST_CASE("env::FeatureExtractor: no history centres on the current requests", "[env]") {
  FeatureExtractor fx;
  std::vector<float> f(kFeatureCount);
  fx.extract(0, current_resources(), f);

  // References fall back to the requests (500 m, 1 GiB), so their ratios are 0; no rate.
  CHECK(fx.cpu_reference() == 500);
  CHECK(fx.memory_reference() == 1024 * kMiB);
  CHECK(f[index_of("cpu_request_log_ratio")] == 0);
  CHECK(f[index_of("rate_known")] == 0);
  CHECK(f[index_of("history_log1p_hours")] == 0);
  for (float v : f) CHECK(std::isfinite(v));
}

TEST_CASE("env::MetricsBinner: means per bin, events summed, unknown kept unknown", "[env]") {
  // Samples at 0, 60, 120 s fall in bin [0, 300); 300 s opens the next and closes the first.
  MetricsBinner binner(300);
  std::vector<MetricsPoint> out;
  MetricsPoint s;
  s.end_s = 0;
  s.cpu_millicores = 100;
  s.oom_kills = 1;
  binner.add(s, out);
  s.end_s = 60;
  s.cpu_millicores = 200;
  s.oom_kills = 0;
  binner.add(s, out);
  s.end_s = 120;
  s.cpu_millicores = kUnknown;  // a gap in CPU: the mean is over the two known values
  s.oom_kills = 2;
  binner.add(s, out);
  CHECK(out.empty());
  s.end_s = 300;
  s.cpu_millicores = 50;
  binner.add(s, out);
  REQUIRE(out.size() == 1);
  CHECK(out[0].end_s == 300);
  CHECK(out[0].cpu_millicores == 150);  // (100 + 200) / 2
  CHECK(out[0].oom_kills == 3);
  CHECK(std::isnan(out[0].memory_bytes));
  CHECK(std::isnan(out[0].request_rate));

  // flush_until closes the open bin only once its end has passed.
  binner.flush_until(599, out);
  CHECK(out.size() == 1);
  binner.flush_until(600, out);
  REQUIRE(out.size() == 2);
  CHECK(out[1].cpu_millicores == 50);
}

TEST_CASE("env::adapters: a Trace and the simulator's series give the same features", "[env]") {
  // 24 five-minute samples: CPU 50 + 10k, memory (300 + k) MiB per pod, 2 pods, rate 5 + k.
  const double t0 = 1'700'000'400.0;  // a multiple of 300 s, so bins line up in both
  podsizer::traces::Trace trace;
  trace.meta.interval_s = 300;
  std::vector<podsizer::sim::WorkloadSample> series;
  std::vector<podsizer::sim::IntervalRow> rows;
  for (int k = 0; k < 24; ++k) {
    trace.time_s.push_back(t0 + 300.0 * k);
    trace.cpu_millicores.push_back(50 + 10.0 * k);
    trace.memory_bytes.push_back((300 + k) * kMiB);
    trace.request_rate.push_back(5 + k);
    trace.replicas.push_back(2);

    // The same numbers as a metrics system over a simulation: one scrape per bin with sums over
    // 2 pods, and the bin's row with its requests (rate × 300 s).
    podsizer::sim::WorkloadSample s;
    s.time_s = 300.0 * k;
    s.cpu_sum_millicores = 2 * (50 + 10.0 * k);
    s.memory_sum_bytes = 2 * (300 + k) * kMiB;
    s.pods = 2;
    series.push_back(s);
    podsizer::sim::IntervalRow row;
    row.start_s = 300.0 * k;
    row.end_s = 300.0 * (k + 1);
    row.requests = (5 + k) * 300.0;
    row.replicas_mean = 2;
    rows.push_back(row);
  }

  const auto from_trace = points_from_trace(trace, trace.size(), 300);
  std::vector<MetricsPoint> from_sim;
  SimSeriesAdapter adapter(t0, 200, true);
  adapter.consume(series, rows, from_sim);
  REQUIRE(from_trace.size() == 24);
  REQUIRE(from_sim.size() == 24);
  for (std::size_t k = 0; k < 24; ++k) {
    CHECK(from_trace[k].end_s == from_sim[k].end_s);
    CHECK(from_trace[k].cpu_millicores == from_sim[k].cpu_millicores);
    CHECK(from_trace[k].memory_bytes == from_sim[k].memory_bytes);
    CHECK(from_trace[k].request_rate == from_sim[k].request_rate);
    CHECK(from_trace[k].replicas == from_sim[k].replicas);
  }

  // Every feature agrees except throttling and latency, which a Trace does not carry and the
  // simulator's rows do (throttled 0; no latency, since the rows report none).
  FeatureExtractor a, b;
  a.add(from_trace);
  b.add(from_sim);
  std::vector<float> fa(kFeatureCount), fb(kFeatureCount);
  const double now = t0 + 24 * 300.0;
  a.extract(now, current_resources(), fa);
  b.extract(now, current_resources(), fb);
  const std::size_t throttled_known = index_of("throttled_known");
  for (std::size_t i = 0; i < kFeatureCount; ++i) {
    if (i == throttled_known) continue;
    INFO(feature_names()[i]);
    CHECK(fa[i] == fb[i]);
  }
  CHECK(fa[throttled_known] == 0);
  CHECK(fb[throttled_known] == 1);
}

TEST_CASE("env::points_from_trace: a prefix never looks past its end", "[env]") {
  podsizer::traces::Trace trace;
  trace.meta.interval_s = 300;
  for (int k = 0; k < 10; ++k) {
    trace.time_s.push_back(300.0 * k);
    trace.cpu_millicores.push_back(k == 9 ? 1e6 : 100.0);
  }
  const auto points = points_from_trace(trace, 5, 300);
  REQUIRE(points.size() == 5);
  CHECK(points.back().end_s == 1500);
  for (const auto& p : points) CHECK(p.cpu_millicores == 100);
  CHECK(std::isnan(points[0].request_rate));
  CHECK(points[0].replicas == 1);
}
