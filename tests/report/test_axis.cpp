#include "report/axis.h"

#include <cmath>
#include <limits>
#include <vector>

#include <catch2/catch.hpp>

using podsizer::report::axis_scale;
using podsizer::report::nice_step;
using podsizer::report::nice_ticks;
using podsizer::report::time_ticks;
using podsizer::report::Unit;

namespace {

void require_values(const std::vector<double>& actual, const std::vector<double>& expected) {
  REQUIRE(actual.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    CHECK(actual[i] == Approx(expected[i]).margin(1e-12));
  }
}

constexpr double kHour = 3600;
constexpr double kDay = 86400;

}  // namespace

TEST_CASE("report::nice_step: rounds up to 1, 2 or 5 times a power of ten", "[report]") {
  // 0.3 = 3 x 0.1 -> 5 x 0.1; 246.8 = 2.468 x 100 -> 5 x 100; 7 -> 10 x 1.
  CHECK(nice_step(0.3) == Approx(0.5));
  CHECK(nice_step(246.8) == Approx(500));
  CHECK(nice_step(7) == Approx(10));
  CHECK(nice_step(0.0185) == Approx(0.02));
  // Exact nice numbers stay as they are.
  CHECK(nice_step(1000) == Approx(1000));
  CHECK(nice_step(2) == Approx(2));
  CHECK(nice_step(5e-3) == Approx(5e-3));
}

TEST_CASE("report::nice_ticks: widens the range to whole 1-2-5 steps", "[report]") {
  SECTION("0..1234 in five intervals steps by 500 and ends at 1500") {
    // 1234 / 5 = 246.8 -> 500; floor(0/500) = 0, ceil(1234/500) = 3 -> 0, 500, 1000, 1500.
    const auto ticks = nice_ticks(0, 1234, 5);
    CHECK(ticks.step == Approx(500));
    CHECK(ticks.lo == 0);
    CHECK(ticks.hi == Approx(1500));
    CHECK(ticks.decimals == 0);
    require_values(ticks.values, {0, 500, 1000, 1500});
  }
  SECTION("the step nearer the requested count wins over the larger one") {
    // 1.01 / 5 = 0.202: 0.5 covers 0..1.5 in 3 intervals (2 off), 0.2 covers 0..1.2 in
    // ceil(5.05) = 6 intervals (1 off), so 0.2 wins.
    const auto ticks = nice_ticks(0, 1.01, 5);
    CHECK(ticks.step == Approx(0.2));
    CHECK(ticks.decimals == 1);
    require_values(ticks.values, {0, 0.2, 0.4, 0.6, 0.8, 1.0, 1.2});
  }
  SECTION("0..1234: a tie between 200 (7 intervals) and 500 (3) goes to 500") {
    CHECK(nice_ticks(0, 1234, 5).step == Approx(500));
  }
  SECTION("0..95 in five intervals steps by 20") {
    // 95 / 5 = 19 -> 20; ceil(95/20) = 5 -> 0 .. 100.
    require_values(nice_ticks(0, 95, 5).values, {0, 20, 40, 60, 80, 100});
  }
  SECTION("a range across zero keeps zero as a tick") {
    // 10 / 5 = 2 -> 2; floor(-3/2) = -2 -> -4; ceil(7/2) = 4 -> 8.
    require_values(nice_ticks(-3, 7, 5).values, {-4, -2, 0, 2, 4, 6, 8});
  }
  SECTION("small fractions get the decimals their step needs") {
    // 0.074 / 4 = 0.0185 -> 0.02; floor(0.65) = 0, ceil(4.35) = 5 -> 0 .. 0.1, two decimals.
    const auto ticks = nice_ticks(0.013, 0.087, 4);
    CHECK(ticks.decimals == 2);
    require_values(ticks.values, {0, 0.02, 0.04, 0.06, 0.08, 0.1});
  }
  SECTION("an empty range is widened around its value") {
    // 5 +- 5/4 -> 3.75..6.25; 2.5 / 5 = 0.5 -> 0.5; floor(7.5) = 7, ceil(12.5) = 13.
    const auto ticks = nice_ticks(5, 5, 5);
    CHECK(ticks.decimals == 1);
    require_values(ticks.values, {3.5, 4, 4.5, 5, 5.5, 6, 6.5});
  }
  SECTION("non-finite input falls back to 0..1") {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    require_values(nice_ticks(nan, 3, 5).values, {0, 0.2, 0.4, 0.6, 0.8, 1});
  }
}

TEST_CASE("report::time_ticks: steps by clock and calendar spacings", "[report]") {
  SECTION("three days in eight intervals tick every 12 hours") {
    // 3 d / 8 = 9 h; the first spacing >= 9 h is 12 h; 0, 12 h, ..., 72 h.
    const auto ticks = time_ticks(0, 3 * kDay, 8);
    CHECK(ticks.step == 12 * kHour);
    CHECK(ticks.lo == 0);
    CHECK(ticks.hi == 3 * kDay);
    REQUIRE(ticks.values.size() == 7);
    CHECK(ticks.values.back() == 3 * kDay);
  }
  SECTION("ticks fall on whole multiples inside the range") {
    // 3600 / 6 = 600 s -> 10 min; ceil(100/600) = 1, floor(3700/600) = 6 -> 600 .. 3600.
    require_values(time_ticks(100, 3700, 6).values, {600, 1200, 1800, 2400, 3000, 3600});
  }
  SECTION("thirty days tick weekly") {
    // 30 d / 8 = 3.75 d -> 7 d; 0, 7, 14, 21, 28 days.
    const auto ticks = time_ticks(0, 30 * kDay, 8);
    CHECK(ticks.step == 7 * kDay);
    CHECK(ticks.values.size() == 5);
  }
  SECTION("a year ticks every ten weeks") {
    // 365 d / 8 = 45.6 d = 6.52 weeks -> 10 weeks (1-2-5 on weeks) = 70 d; 0 .. 350 d.
    const auto ticks = time_ticks(0, 365 * kDay, 8);
    CHECK(ticks.step == 70 * kDay);
    CHECK(ticks.values.size() == 6);
  }
}

TEST_CASE("report::axis_scale: picks the unit a reader expects", "[report]") {
  constexpr double kMiB = 1024.0 * 1024.0;
  CHECK(axis_scale(Unit::kBytes, 1.5 * 1024 * kMiB).label == "GiB");
  CHECK(axis_scale(Unit::kBytes, 900 * kMiB).label == "MiB");
  CHECK(axis_scale(Unit::kBytes, 900 * kMiB).divisor == kMiB);
  CHECK(axis_scale(Unit::kBytes, 512).label == "bytes");
  CHECK(axis_scale(Unit::kMillicores, 1999).label == "millicores");
  CHECK(axis_scale(Unit::kMillicores, 2000).divisor == 1000);
  CHECK(axis_scale(Unit::kMilliseconds, 9999).label == "ms");
  CHECK(axis_scale(Unit::kMilliseconds, 10000).label == "s");
  CHECK(axis_scale(Unit::kSeconds, 7200).label == "h");
  CHECK(axis_scale(Unit::kSeconds, 119).label == "s");
}
