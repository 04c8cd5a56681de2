// Tests of sim/metrics_pipeline.h: what metrics-server and a Prometheus-like system would see of
// the usage the engine records, with the arithmetic worked out by hand beside each check.
#include "sim/metrics_pipeline.h"

#include <stdexcept>

#include <catch2/catch.hpp>

namespace podsizer::sim {
namespace {

MetricsPipelineSpec spec_with(double delay_s, double window_s = 15) {
  MetricsPipelineSpec spec;
  spec.scrape_interval_s = 15;
  spec.rate_window_s = window_s;
  spec.visibility_delay_s = delay_s;
  return spec;
}

}  // namespace

TEST_CASE("sim::MetricsPipeline: CPU is the rate of the cumulative counter between scrapes",
          "[sim]") {
  // Scrapes at 15, 30, 45 ... The pod uses 100m over [0, 10), 400m over [10, 20), 1000m after.
  // Counter at 15: 100 x 10 + 400 x 5 = 3000 millicore-seconds.
  // Counter at 30: 3000 + 400 x 5 + 1000 x 10 = 15000.
  // Rate over (15, 30]: (15000 - 3000) / 15 = 800m: the mean, not the 1000m of the moment.
  MetricsPipeline pipeline(spec_with(0));
  pipeline.record(7, 0, 100, 1e6);
  pipeline.record(7, 10, 400, 2e6);
  pipeline.record(7, 20, 1000, 3e6);

  const auto metric = pipeline.latest(7, 30);
  REQUIRE(metric.has_value());
  CHECK(metric->cpu_millicores == Approx(800));
  CHECK(metric->timestamp_s == 30);
  CHECK(metric->window_s == 15);
  // Memory is the working set at the scrape, not an average: 3e6 since t = 20.
  CHECK(metric->memory_bytes == 3e6);

  // Between scrapes the answer does not change: at 44 the newest scrape is still 30.
  CHECK(pipeline.latest(7, 44)->cpu_millicores == Approx(800));
  // At 45 the pod has used 1000m for the whole interval: (30000 - 15000) / 15 = 1000.
  CHECK(pipeline.latest(7, 45)->cpu_millicores == Approx(1000));
}

TEST_CASE("sim::MetricsPipeline: no metric before two scrapes", "[sim]") {
  // First record at 3: the first scrape is at 15, the second at 30.
  MetricsPipeline pipeline(spec_with(0));
  CHECK_FALSE(pipeline.latest(1, 100).has_value());  // never recorded
  pipeline.record(1, 3, 500, 1e6);
  CHECK_FALSE(pipeline.latest(1, 3).has_value());
  CHECK_FALSE(pipeline.latest(1, 29).has_value());  // one scrape only
  const auto metric = pipeline.latest(1, 30);
  REQUIRE(metric.has_value());
  CHECK(metric->cpu_millicores == Approx(500));  // (500 x 27 - 500 x 12) / 15 = 500
}

TEST_CASE("sim::MetricsPipeline: a scrape becomes visible only after the delay", "[sim]") {
  // Delay 5 s. 200m from 0 to 30, then 600m. Scrape at 30 is visible from 35, at 45 from 50.
  MetricsPipeline pipeline(spec_with(5));
  pipeline.record(2, 0, 200, 1e6);
  pipeline.record(2, 30, 600, 1e6);

  CHECK_FALSE(pipeline.latest(2, 30).has_value());  // newest visible: 15 (30 - 5 -> 25)
  const auto at_35 = pipeline.latest(2, 35);
  REQUIRE(at_35.has_value());
  CHECK(at_35->timestamp_s == 30);
  CHECK(at_35->cpu_millicores == Approx(200));  // (200 x 30 - 200 x 15) / 15
  // At 49 the scrape at 45 is not visible yet; at 50 it is: (6000 + 600 x 15 - 6000) / 15.
  CHECK(pipeline.latest(2, 49)->cpu_millicores == Approx(200));
  CHECK(pipeline.latest(2, 50)->cpu_millicores == Approx(600));
  CHECK(pipeline.latest(2, 50)->timestamp_s == 45);
}

TEST_CASE("sim::MetricsPipeline: a scrape at the instant of a record sees the old usage", "[sim]") {
  // Memory 1e6 until 30, then 9e6 recorded at exactly 30. The scrape at 30 sees only records
  // made before 30, so it reports 1e6; the scrape at 45 reports 9e6.
  MetricsPipeline pipeline(spec_with(0));
  pipeline.record(4, 0, 100, 1e6);
  pipeline.record(4, 30, 100, 9e6);
  CHECK(pipeline.latest(4, 30)->memory_bytes == 1e6);
  CHECK(pipeline.latest(4, 45)->memory_bytes == 9e6);
}

TEST_CASE("sim::MetricsPipeline: a longer rate window averages over more scrapes", "[sim]") {
  // Window 30 s: rate between the scrapes at 15 and 45. 100m over [0, 30), 400m after.
  // Counter at 15: 1500; at 45: 3000 + 400 x 15 = 9000; (9000 - 1500) / 30 = 250m.
  MetricsPipeline pipeline(spec_with(0, 30));
  pipeline.record(3, 0, 100, 1e6);
  pipeline.record(3, 30, 400, 1e6);
  CHECK_FALSE(pipeline.latest(3, 44).has_value());  // scrapes 15 and 30 span only 15 s
  const auto metric = pipeline.latest(3, 45);
  REQUIRE(metric.has_value());
  CHECK(metric->window_s == 30);
  CHECK(metric->cpu_millicores == Approx(250));
}

TEST_CASE("sim::MetricsPipeline: sparse records still give every scrape", "[sim]") {
  // Delay 10 s. 100m over [0, 100), 500m after. The record at 100 takes the scrapes 15 ... 90.
  // At 100 the newest visible scrape is at 90 (100 - 10 = 90): rate over (75, 90] = 100m.
  // At 115 it is the scrape at 105: counters 100 x 90 = 9000 and 10000 + 500 x 5 = 12500,
  // (12500 - 9000) / 15 = 233.3m.
  MetricsPipeline pipeline(spec_with(10));
  pipeline.record(5, 0, 100, 1e6);
  pipeline.record(5, 100, 500, 1e6);
  CHECK(pipeline.latest(5, 100)->cpu_millicores == Approx(100));
  CHECK(pipeline.latest(5, 115)->cpu_millicores == Approx(3500.0 / 15.0));
  // Long after the last record the held usage keeps the counter going: 500m.
  CHECK(pipeline.latest(5, 10000)->cpu_millicores == Approx(500));
}

TEST_CASE("sim::MetricsPipeline: records dated at the previous collection give exact scrapes",
          "[sim]") {
  // The engine collects at 15, 30, 45 and records the mean usage since its previous record,
  // dated at that record: truth 100m on [0, 15), 400m on [15, 30), 1000m on [30, 45).
  // Counters: 1500 at 15, 1500 + 6000 = 7500 at 30, 7500 + 15000 = 22500 at 45.
  MetricsPipeline pipeline(spec_with(0));
  pipeline.record(8, 0, 100, 1e6);   // at the collection at 15
  pipeline.record(8, 15, 400, 1e6);  // at 30
  // Before the collection at 45 the scrape at 30 is already exact: (7500 - 1500) / 15 = 400.
  CHECK(pipeline.latest(8, 44)->cpu_millicores == Approx(400));
  pipeline.record(8, 30, 1000, 1e6);                              // at 45
  CHECK(pipeline.latest(8, 45)->cpu_millicores == Approx(1000));  // (22500 - 7500) / 15
}

TEST_CASE("sim::MetricsPipeline: a removed pod has no metric", "[sim]") {
  MetricsPipeline pipeline(spec_with(0));
  pipeline.record(6, 0, 100, 1e6);
  REQUIRE(pipeline.latest(6, 60).has_value());
  pipeline.remove(6, 60);
  CHECK_FALSE(pipeline.latest(6, 60).has_value());
  CHECK_FALSE(pipeline.latest(6, 90).has_value());
}

TEST_CASE("sim::MetricsPipeline: the workload series sums its pods per scrape", "[sim]") {
  // Workload 1: pod 0 at 100m / 1e6 B and pod 1 at 300m / 5e6 B from 0. Workload 2: pod 2 at
  // 50m. Each has a rate from the scrape at 30 on (15 is the first point of each counter).
  // Workload 1 at each scrape: CPU 100 + 300 = 400m, max 300m; memory 6e6 B, max 5e6 B.
  MetricsPipeline pipeline(spec_with(5));
  pipeline.record(0, 0, 100, 1e6, 1);
  pipeline.record(1, 0, 300, 5e6, 1);
  pipeline.record(2, 0, 50, 1e6, 2);

  // At 62 the visible scrapes are 30 and 45 (60 is 2 s old, under the 5 s delay).
  auto series = pipeline.workload_series(1, 62);
  REQUIRE(series.size() == 2);
  CHECK(series[0].time_s == 30);
  CHECK(series[1].time_s == 45);
  CHECK(series[1].cpu_sum_millicores == Approx(400));
  CHECK(series[1].cpu_max_millicores == Approx(300));
  CHECK(series[1].memory_sum_bytes == 6e6);
  CHECK(series[1].memory_max_bytes == 5e6);
  CHECK(series[1].pods == 2);

  // Pod 1 leaves at 70: the scrape at 60 still has it, the one at 75 only pod 0 (100m).
  pipeline.remove(1, 70);
  series = pipeline.workload_series(1, 80);
  REQUIRE(series.size() == 4);  // 30, 45, 60, 75
  CHECK(series[2].pods == 2);
  CHECK(series[3].pods == 1);
  CHECK(series[3].cpu_sum_millicores == Approx(100));

  CHECK(pipeline.workload_series(2, 80).back().cpu_sum_millicores == Approx(50));
  CHECK(pipeline.workload_series(9, 80).empty());
}

TEST_CASE("sim::MetricsPipeline: refuses a spec it cannot honour", "[sim]") {
  MetricsPipelineSpec spec;
  spec.scrape_interval_s = 0;
  CHECK_THROWS_AS(MetricsPipeline(spec), std::invalid_argument);
  spec = {};
  spec.rate_window_s = 20;  // not a multiple of 15
  CHECK_THROWS_AS(MetricsPipeline(spec), std::invalid_argument);
  spec = {};
  spec.visibility_delay_s = -1;
  CHECK_THROWS_AS(MetricsPipeline(spec), std::invalid_argument);
  CHECK_NOTHROW(MetricsPipeline(MetricsPipelineSpec{}));
}

}  // namespace podsizer::sim
