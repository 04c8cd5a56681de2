// Imports from a real Prometheus server the series that tests/traces/prometheus_fixture.sh
// backfilled, and compares them with the values worked out from the backfilled counters.
//
// CTest starts the server in the `prometheus_live_start` fixture and passes the file holding its
// URL in PODSIZER_PROMETHEUS_URL_FILE (or a URL directly in PODSIZER_PROMETHEUS_URL). Without
// either the tests fail: the live path is either proven or reported broken, never skipped.
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>

#include "traces/errors.h"
#include "traces/prometheus.h"

namespace {

using podsizer::traces::default_queries;
using podsizer::traces::InputError;
using podsizer::traces::PrometheusQueries;
using podsizer::traces::PrometheusQueryOptions;
using podsizer::traces::query_prometheus;
using podsizer::traces::ReadReport;
using podsizer::traces::Trace;

// The fixture's series: sample i at kStart + 15 i for i = 0..240, counters changing slope at
// i = 120 (see prometheus_fixture.sh).
constexpr double kStart = 1704067200.0;  // 2024-01-01T00:00:00Z

double cpu_a(int i) {
  return i <= 120 ? 1000 + 3.75 * i : 1450 + 11.25 * (i - 120);
}
double cpu_b(int i) {
  return 2000 + 7.5 * i;
}
double memory_a(int i) {
  return 268435456.0 + 1048576.0 * (i % 4);
}
double memory_b(int) {
  return 536870912.0;
}
double requests_a(int i) {
  return 5000 + 150.0 * i;
}
double requests_b(int i) {
  return i <= 120 ? 7000 + 450.0 * i : 61000 + 750.0 * (i - 120);
}

// rate(x[1m]) evaluated at sample j: Prometheus 2.42 takes the samples in [t - 60 s, t], which
// are j - 4 .. j (15 s apart); they reach both ends of the range, so rate() extrapolates nothing
// and is the increase over those 60 s divided by 60.
double rate_1m(double (*counter)(int), int j) {
  return (counter(j) - counter(j - 4)) / 60.0;
}

// The query: every 60 s from sample 42 (kStart + 630 s) to sample 202 (kStart + 3030 s), 41
// points. Starting at j = 42 rather than a multiple of 4 puts one window, j = 122, across the
// change of slope at i = 120.
constexpr double kQueryStart = kStart + 630.0;
constexpr double kQueryEnd = kStart + 3030.0;
constexpr double kStep = 60.0;
constexpr int kPoints = 41;

std::string prometheus_url() {
  if (const char* url = std::getenv("PODSIZER_PROMETHEUS_URL"); url && *url) return url;
  const char* file = std::getenv("PODSIZER_PROMETHEUS_URL_FILE");
  if (!file || !*file) return "";
  std::ifstream in(file);
  std::string url;
  std::getline(in, url);
  return url;
}

// The URL of the fixture's server; fails the test when there is none.
std::string require_url() {
  const std::string url = prometheus_url();
  if (url.empty()) {
    FAIL(
        "no Prometheus server: run these tests through ctest, whose prometheus_live_start "
        "fixture starts one, or set PODSIZER_PROMETHEUS_URL");
  }
  return url;
}

PrometheusQueries shop_queries() {
  return default_queries(R"(namespace="shop")", "1m");
}

}  // namespace

TEST_CASE("traces::query_prometheus: imports the backfilled series exactly", "[prometheus]") {
  const std::string url = require_url();
  ReadReport report;
  const Trace trace =
      query_prometheus(url, shop_queries(), kQueryStart, kQueryEnd, kStep, "checkout", {}, &report);
  REQUIRE(trace.size() == kPoints);
  CHECK(report.warnings.empty());
  CHECK(trace.meta.interval_s == 60.0);

  // Hand-checked points (rates in cores, 1 core = 1000 m):
  //   j = 42:  a (1157.5 - 1142.5) / 60 = 0.25, b (2315 - 2285) / 60 = 0.5 -> mean 375 m;
  //            memory a 256 MiB + (42 mod 4 = 2) MiB = 270532608, b 536870912 -> 403701760;
  //            requests 600 / 60 + 1800 / 60 = 10 + 30 = 40 /s.
  //   j = 122: a 2 x 3.75 + 2 x 11.25 = 30 over 60 s = 0.5, b 0.5 -> 500 m;
  //            requests 10 + (2 x 450 + 2 x 750) / 60 = 10 + 40 = 50 /s.
  //   j = 126: a 0.75, b 0.5 -> 625 m; requests 10 + 50 = 60 /s.
  CHECK(trace.time_s[0] == kQueryStart);
  CHECK(trace.cpu_millicores[0] == 375.0);
  CHECK(trace.memory_bytes[0] == 403701760.0);
  CHECK(trace.request_rate[0] == 40.0);
  CHECK(trace.time_s[20] == kStart + 15.0 * 122);
  CHECK(trace.cpu_millicores[20] == 500.0);
  CHECK(trace.request_rate[20] == 50.0);
  CHECK(trace.cpu_millicores[21] == 625.0);
  CHECK(trace.request_rate[21] == 60.0);

  // Every point against the counters. The pod-level series (container="") and the pod of
  // namespace "other" are left out by the queries, so two pods are counted at each time.
  for (int k = 0; k < kPoints; ++k) {
    const int j = 42 + 4 * k;
    INFO("point " << k << ", sample " << j);
    CHECK(trace.time_s[k] == kStart + 15.0 * j);
    CHECK(trace.cpu_millicores[k] ==
          Approx((rate_1m(cpu_a, j) + rate_1m(cpu_b, j)) / 2 * 1000).epsilon(1e-12));
    CHECK(trace.memory_bytes[k] == (memory_a(j) + memory_b(j)) / 2);
    CHECK(trace.request_rate[k] ==
          Approx(rate_1m(requests_a, j) + rate_1m(requests_b, j)).epsilon(1e-12));
    CHECK(trace.replicas[k] == 2.0);
  }
}

TEST_CASE("traces::query_prometheus: splits a long range without changing the result",
          "[prometheus]") {
  const std::string url = require_url();
  const Trace whole = query_prometheus(url, shop_queries(), kQueryStart, kQueryEnd, kStep, "w");

  // 41 points at 7 per request: 6 requests per query (5 x 7 + 6); the pieces must meet on the
  // same grid, with no point lost or repeated.
  PrometheusQueryOptions options;
  options.max_points_per_request = 7;
  const Trace split =
      query_prometheus(url, shop_queries(), kQueryStart, kQueryEnd, kStep, "w", options);
  CHECK(split.time_s == whole.time_s);
  CHECK(split.cpu_millicores == whole.cpu_millicores);
  CHECK(split.memory_bytes == whole.memory_bytes);
  CHECK(split.request_rate == whole.request_rate);
  CHECK(split.replicas == whole.replicas);

  // One point per request is the extreme case.
  options.max_points_per_request = 1;
  CHECK(query_prometheus(url, shop_queries(), kQueryStart, kQueryEnd, kStep, "w", options)
            .cpu_millicores == whole.cpu_millicores);
}

TEST_CASE("traces::query_prometheus: surfaces what the server refuses", "[prometheus]") {
  const std::string url = require_url();
  PrometheusQueries broken = shop_queries();
  broken.cpu = "sum(rate(container_cpu_usage_seconds_total[1m]";
  try {
    query_prometheus(url, broken, kQueryStart, kQueryEnd, kStep, "w");
    FAIL("the server accepted a broken query");
  } catch (const InputError& error) {
    INFO(error.what());
    CHECK_THAT(error.file(), Catch::StartsWith(url + "/api/v1/query_range?query="));
    CHECK_THAT(error.what(), Catch::Contains("Prometheus refused the cpu query: bad_data"));
  }

  // More than 11000 points in one request is refused by the server itself.
  PrometheusQueryOptions options;
  options.max_points_per_request = 20000;
  CHECK_THROWS_WITH(
      query_prometheus(url, shop_queries(), kStart, kStart + 12000, 1.0, "w", options),
      Catch::Contains("11,000 points"));
}

TEST_CASE("traces::query_prometheus: a metric the server lacks leaves its column empty",
          "[prometheus]") {
  const std::string url = require_url();
  PrometheusQueries queries = shop_queries();
  queries.request_rate = "sum(rate(grpc_server_handled_total{namespace=\"shop\"}[1m]))";
  ReadReport report;
  const Trace trace =
      query_prometheus(url, queries, kQueryStart, kQueryEnd, kStep, "w", {}, &report);
  CHECK_FALSE(trace.has_request_rate());
  CHECK(trace.size() == kPoints);
  REQUIRE(report.warnings.size() == 1);
  CHECK_THAT(report.warnings[0], Catch::Contains("returned no series"));

  queries.cpu = "sum by (pod) (rate(container_cpu_usage_seconds_total{namespace=\"none\"}[1m]))";
  CHECK_THROWS_WITH(query_prometheus(url, queries, kQueryStart, kQueryEnd, kStep, "w"),
                    Catch::Contains("the cpu query returned no series"));
}
