#include "report/downsample.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include <catch2/catch.hpp>

using podsizer::report::downsample_for_drawing;
using podsizer::report::SamplePoint;

namespace {

std::vector<double> iota(std::size_t n) {
  std::vector<double> out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<double>(i);
  return out;
}

}  // namespace

TEST_CASE("report::downsample_for_drawing: keeps first, lowest, highest and last per column",
          "[report]") {
  // Ten points, two columns of five seconds each:
  //   column 0 (t 0..4): 3 1 4 1 5 -> first t0=3, lowest t1=1 (first of the two 1s), highest
  //   t4=5, last t4 -> (0,3) (1,1) (4,5);
  //   column 1 (t 5..9): 9 2 6 5 3 -> first and highest t5=9, lowest t6=2, last t9=3.
  const std::vector<double> times = iota(10);
  const std::vector<double> values = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3};
  const auto points = downsample_for_drawing(times, values, 0, 10, 2);
  REQUIRE(points.size() == 6);
  const std::vector<double> kept_times = {0, 1, 4, 5, 6, 9};
  const std::vector<double> kept_values = {3, 1, 5, 9, 2, 3};
  for (std::size_t i = 0; i < points.size(); ++i) {
    CHECK(points[i].time == kept_times[i]);
    CHECK(points[i].value == kept_values[i]);
  }
}

TEST_CASE("report::downsample_for_drawing: returns short series unchanged", "[report]") {
  // 8 points fit in 2 columns x 4 points, so nothing is dropped.
  const std::vector<double> times = iota(8);
  const std::vector<double> values = {5, 4, 3, 2, 1, 2, 3, 4};
  const auto points = downsample_for_drawing(times, values, 0, 8, 2);
  REQUIRE(points.size() == 8);
  CHECK(points[4].value == 1);
}

TEST_CASE("report::downsample_for_drawing: a one-sample spike in a long series survives",
          "[report]") {
  // A day at one sample a second (86,400 points) into 800 columns: at most 3,200 points, and the
  // single spike of 100 at t=50,000 and the single dip to -50 at t=70,001 are among them.
  const std::size_t n = 86400;
  const std::vector<double> times = iota(n);
  std::vector<double> values(n, 1.0);
  values[50000] = 100;
  values[70001] = -50;
  const auto points = downsample_for_drawing(times, values, 0, n, 800);
  CHECK(points.size() <= 4 * 800);
  CHECK(points.size() >= 800);
  const auto spike = std::find_if(points.begin(), points.end(),
                                  [](const SamplePoint& p) { return p.value == 100; });
  REQUIRE(spike != points.end());
  CHECK(spike->time == 50000);
  const auto dip = std::find_if(points.begin(), points.end(),
                                [](const SamplePoint& p) { return p.value == -50; });
  REQUIRE(dip != points.end());
  CHECK(dip->time == 70001);

  // The ends stay, and time order is kept.
  CHECK(points.front().time == 0);
  CHECK(points.back().time == n - 1);
  CHECK(std::is_sorted(points.begin(), points.end(),
                       [](const SamplePoint& a, const SamplePoint& b) { return a.time < b.time; }));
}

TEST_CASE("report::downsample_for_drawing: a gap stays one break in its place", "[report]") {
  // 1,000 points into 10 columns, NaN from t=400 to t=599: one NaN point at t=400, every point
  // before it earlier than 400 and every point after it at 600 or later.
  const std::size_t n = 1000;
  const std::vector<double> times = iota(n);
  std::vector<double> values(n);
  for (std::size_t i = 0; i < n; ++i) values[i] = std::sin(static_cast<double>(i) / 30);
  for (std::size_t i = 400; i < 600; ++i) values[i] = std::numeric_limits<double>::quiet_NaN();
  const auto points = downsample_for_drawing(times, values, 0, n, 10);
  const auto gaps = std::count_if(points.begin(), points.end(),
                                  [](const SamplePoint& p) { return std::isnan(p.value); });
  REQUIRE(gaps == 1);
  const auto gap = std::find_if(points.begin(), points.end(),
                                [](const SamplePoint& p) { return std::isnan(p.value); });
  CHECK(gap->time == 400);
  CHECK(std::prev(gap)->time < 400);
  CHECK(std::next(gap)->time >= 600);
}
