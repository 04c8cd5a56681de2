// Tests of the Trace value type, resampling, slicing, percentiles and WindowStats.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <vector>

#include "traces/trace.h"
#include "traces/window_stats.h"

using podsizer::traces::Aggregation;
using podsizer::traces::median_interval;
using podsizer::traces::percentile;
using podsizer::traces::resample;
using podsizer::traces::slice;
using podsizer::traces::Trace;
using podsizer::traces::WindowStats;

namespace {

// Four samples with a gap: bins of 20 s are [0,20) {0,10}, [20,40) empty, [40,60) {50,55}.
Trace gappy_trace() {
  Trace trace;
  trace.meta.name = "gappy";
  trace.meta.interval_s = 10.0;
  trace.time_s = {0, 10, 50, 55};
  trace.cpu_millicores = {1, 3, 7, 9};
  trace.memory_bytes = {100, 300, 200, 600};
  trace.replicas = {1, 3, 2, 4};
  return trace;
}

}  // namespace

TEST_CASE("traces::Trace: validate names the broken invariant", "[traces]") {
  Trace trace = gappy_trace();
  CHECK_NOTHROW(trace.validate());
  CHECK(trace.span_s() == 55.0);

  trace.memory_bytes.pop_back();
  CHECK_THROWS_WITH(trace.validate(),
                    Catch::Contains("memory_bytes") && Catch::Contains("3 values for 4"));

  trace = gappy_trace();
  trace.time_s[2] = 10;
  CHECK_THROWS_WITH(trace.validate(), Catch::Contains("strictly increasing at sample 2"));

  Trace single;
  single.time_s = {5};
  CHECK(single.span_s() == 0.0);
  CHECK_NOTHROW(single.validate());
}

TEST_CASE("traces::resample: means per bin and repeats the last bin when one is empty",
          "[traces]") {
  const Trace out = resample(gappy_trace(), 20.0, Aggregation::kMean);
  // floor(55 / 20) + 1 = 3 bins starting at the first sample.
  CHECK(out.time_s == std::vector<double>{0, 20, 40});
  // cpu: (1 + 3) / 2 = 2; empty bin repeats 2; (7 + 9) / 2 = 8.
  CHECK(out.cpu_millicores == std::vector<double>{2, 2, 8});
  // memory: (100 + 300) / 2 = 200; 200; (200 + 600) / 2 = 400.
  CHECK(out.memory_bytes == std::vector<double>{200, 200, 400});
  // replicas: (1 + 3) / 2 = 2; 2; (2 + 4) / 2 = 3.
  CHECK(out.replicas == std::vector<double>{2, 2, 3});
  CHECK_FALSE(out.has_request_rate());
  CHECK(out.meta.interval_s == 20.0);
  CHECK(out.meta.name == "gappy");
}

TEST_CASE("traces::resample: max per bin, replicas still averaged", "[traces]") {
  const Trace out = resample(gappy_trace(), 20.0, Aggregation::kMax);
  CHECK(out.cpu_millicores == std::vector<double>{3, 3, 9});
  CHECK(out.memory_bytes == std::vector<double>{300, 300, 600});
  CHECK(out.replicas == std::vector<double>{2, 2, 3});
}

TEST_CASE("traces::resample: edge cases", "[traces]") {
  CHECK_THROWS_AS(resample(gappy_trace(), 0.0, Aggregation::kMean), std::invalid_argument);
  CHECK(resample(Trace{}, 10.0, Aggregation::kMean).empty());

  // A sample exactly on a bin edge starts the next bin: 20 s lies in [20, 40).
  Trace trace;
  trace.time_s = {0, 20};
  trace.request_rate = {4, 6};
  const Trace out = resample(trace, 20.0, Aggregation::kMean);
  CHECK(out.request_rate == std::vector<double>{4, 6});
}

TEST_CASE("traces::slice: keeps begin <= t < end in every present column", "[traces]") {
  const Trace trace = gappy_trace();
  const Trace middle = slice(trace, 10, 55);
  CHECK(middle.time_s == std::vector<double>{10, 50});
  CHECK(middle.cpu_millicores == std::vector<double>{3, 7});
  CHECK(middle.memory_bytes == std::vector<double>{300, 200});
  CHECK(middle.replicas == std::vector<double>{3, 2});
  CHECK_FALSE(middle.has_request_rate());

  // Bounds between samples and outside the trace.
  CHECK(slice(trace, 5, 51).time_s == std::vector<double>{10, 50});
  CHECK(slice(trace, -100, 100).size() == 4);
  CHECK(slice(trace, 56, 100).empty());
  CHECK(slice(trace, 30, 40).empty());
  CHECK(slice(trace, 50, 10).empty());
  CHECK(slice(trace, 55, 56).cpu_millicores == std::vector<double>{9});
}

TEST_CASE("traces::percentile: type 7 interpolation worked by hand", "[traces]") {
  // Sorted {15, 20, 35, 40, 50}; p = 0.4: rank 0.4 * 4 = 1.6 -> 20 + 0.6 * (35 - 20) = 29.
  CHECK(percentile({50, 15, 40, 20, 35}, 0.4) == Approx(29.0));
  // p = 0.95 of 1..10: rank 0.95 * 9 = 8.55 -> 9 + 0.55 * 1 = 9.55.
  CHECK(percentile({10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, 0.95) == Approx(9.55));
  // The median of an even count is the mean of the middle two: rank 1.5 -> (2 + 3) / 2.
  CHECK(percentile({4, 1, 3, 2}, 0.5) == Approx(2.5));
  CHECK(percentile({4, 1, 3, 2}, 0.0) == 1.0);
  CHECK(percentile({4, 1, 3, 2}, 1.0) == 4.0);
  CHECK(percentile({7}, 0.3) == 7.0);
  CHECK(std::isnan(percentile({}, 0.5)));
  // Ties: {1, 2, 2, 2, 9}, p = 0.6: rank 2.4 -> 2 + 0.4 * (2 - 2) = 2.
  CHECK(percentile({2, 9, 2, 1, 2}, 0.6) == 2.0);
}

TEST_CASE("traces::median_interval: the middle gap", "[traces]") {
  // Gaps 10, 10, 30: the median is 10 even though the mean is 16.7.
  CHECK(median_interval({0, 10, 20, 50}) == 10.0);
  CHECK(median_interval({5}) == 0.0);
  CHECK(median_interval({}) == 0.0);
}

TEST_CASE("traces::WindowStats: keeps (now - window, now] and answers over it", "[traces]") {
  WindowStats stats(10.0);
  CHECK(stats.empty());
  CHECK(std::isnan(stats.mean()));
  CHECK(std::isnan(stats.percentile(0.5)));

  stats.add(0, 5);
  stats.add(4, 1);
  stats.add(8, 3);
  // {5, 1, 3}: mean 3, min 1, max 5, median 3.
  CHECK(stats.count() == 3);
  CHECK(stats.mean() == Approx(3.0));
  CHECK(stats.min() == 1.0);
  CHECK(stats.max() == 5.0);
  CHECK(stats.percentile(0.5) == 3.0);

  // At t = 10 the sample of t = 0 is exactly one window old and leaves: {1, 3, 7}.
  stats.add(10, 7);
  CHECK(stats.count() == 3);
  CHECK(stats.max() == 7.0);
  CHECK(stats.mean() == Approx(11.0 / 3.0));
  // p = 0.25: rank 0.5 -> 1 + 0.5 * (3 - 1) = 2.
  CHECK(stats.percentile(0.25) == Approx(2.0));

  // advance(14) drops t = 4 (value 1): {3, 7}.
  stats.advance(14);
  CHECK(stats.count() == 2);
  CHECK(stats.min() == 3.0);
  CHECK(stats.mean() == Approx(5.0));

  // Everything leaves; the window then starts over cleanly.
  stats.advance(100);
  CHECK(stats.empty());
  CHECK(std::isnan(stats.max()));
  stats.add(100, 2);
  CHECK(stats.mean() == 2.0);

  stats.clear();
  CHECK(stats.count() == 0);
  CHECK_THROWS_AS(WindowStats(0.0), std::invalid_argument);
}

TEST_CASE("traces::WindowStats: evicts one of several equal values at a time", "[traces]") {
  WindowStats stats(10.0);
  stats.add(0, 2);
  stats.add(1, 2);
  stats.add(2, 2);
  stats.advance(10.5);  // drops t = 0 only
  CHECK(stats.count() == 2);
  CHECK(stats.mean() == 2.0);
}

TEST_CASE("traces::WindowStats: agrees with percentile over the same samples", "[traces]") {
  // The brute-force oracle: collect the window's samples and call traces::percentile.
  std::mt19937_64 engine(7);
  WindowStats stats(50.0);
  std::vector<std::pair<double, double>> all;
  double t = 0.0;
  for (int i = 0; i < 400; ++i) {
    t += static_cast<double>(engine() % 5);  // repeated times happen too
    const double value = static_cast<double>(engine() % 1000) / 10.0;
    stats.add(t, value);
    all.emplace_back(t, value);
    if (i % 37 != 0) continue;
    std::vector<double> inside;
    double sum = 0.0;
    for (const auto& [time, v] : all) {
      if (time > t - 50.0) {
        inside.push_back(v);
        sum += v;
      }
    }
    REQUIRE(stats.count() == inside.size());
    for (double p : {0.0, 0.1, 0.5, 0.9, 0.95, 1.0}) {
      CHECK(stats.percentile(p) == Approx(percentile(inside, p)));
    }
    CHECK(stats.mean() == Approx(sum / static_cast<double>(inside.size())));
  }
}

TEST_CASE("traces::WindowStats: stays exact over long windows of many blocks", "[traces]") {
  // 6000 samples one second apart in a 2500 s window: the window holds 2500 values, many
  // blocks' worth, with ties (values repeat every 500), and keeps evicting. The oracle is
  // traces::percentile over the samples the window should hold.
  std::mt19937_64 engine(11);
  WindowStats stats(2500.0);
  std::vector<double> values;
  for (int i = 0; i < 6000; ++i) {
    const double value = static_cast<double>(engine() % 500);
    stats.add(static_cast<double>(i), value);
    values.push_back(value);
    if (i % 997 != 0 && i != 5999) continue;
    const std::size_t first = i >= 2500 ? static_cast<std::size_t>(i - 2499) : 0;
    const std::vector<double> inside(values.begin() + static_cast<std::ptrdiff_t>(first),
                                     values.end());
    REQUIRE(stats.count() == inside.size());
    CHECK(stats.min() == *std::min_element(inside.begin(), inside.end()));
    CHECK(stats.max() == *std::max_element(inside.begin(), inside.end()));
    for (double p : {0.0, 0.25, 0.5, 0.95, 0.99, 1.0}) {
      CHECK(stats.percentile(p) == Approx(percentile(inside, p)));
    }
  }
}
