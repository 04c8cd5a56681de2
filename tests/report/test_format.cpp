#include "report/format.h"

#include <limits>
#include <string>

#include <catch2/catch.hpp>

using namespace podsizer::report;

namespace {
constexpr double kMiB = 1024.0 * 1024.0;
constexpr double kGiB = 1024.0 * kMiB;
}  // namespace

TEST_CASE("report::escape_text: makes text safe in HTML and XML", "[report]") {
  SECTION("markup characters become entities") {
    CHECK(escape_text("<a href=\"x\">Tom & Jerry's</a>") ==
          "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;");
  }
  SECTION("control characters other than tab and newline are dropped") {
    CHECK(escape_text(std::string("a\x01"
                                  "b\tc\nd\x7f",
                                  8)) == "ab\tc\nd");
    CHECK(escape_text(std::string("x\0y", 3)) == "xy");
  }
  SECTION("valid UTF-8 passes and broken bytes become U+FFFD") {
    CHECK(escape_text("traffic \u00d72 \u00b5s \u2193") == "traffic \u00d72 \u00b5s \u2193");
    CHECK(escape_text("\xff") == "\uFFFD");
    // A sequence cut short: the lead byte and the lone continuation byte are both replaced.
    CHECK(escape_text("\xe2\x82") == "\uFFFD\uFFFD");
    // An overlong "/" and a UTF-16 surrogate are not valid UTF-8.
    CHECK(escape_text("\xc0\xaf") == "\uFFFD\uFFFD");
    CHECK(escape_text("\xed\xa0\x80") == "\uFFFD\uFFFD\uFFFD");
  }
}

TEST_CASE("report::format_fixed: groups thousands and never shows -0", "[report]") {
  CHECK(format_fixed(1234.5, 1) == "1,234.5");
  CHECK(format_fixed(1234567, 0) == "1,234,567");
  CHECK(format_fixed(-9876.54, 0) == "-9,877");
  CHECK(format_fixed(999.96, 1) == "1,000.0");
  CHECK(format_fixed(-0.04, 1) == "0.0");
  CHECK(format_fixed(12, 0) == "12");
  CHECK(format_fixed(std::numeric_limits<double>::infinity(), 1) == "\u2013");
}

TEST_CASE("report::format_readable: three significant digits, whole part kept", "[report]") {
  CHECK(format_readable(1234.6) == "1,235");
  CHECK(format_readable(12.345) == "12.3");
  CHECK(format_readable(0.012345) == "0.0123");
  CHECK(format_readable(2.50) == "2.5");
  CHECK(format_readable(0) == "0");
  CHECK(format_readable(-3.14159) == "-3.14");
  CHECK(format_readable(std::numeric_limits<double>::quiet_NaN()) == "\u2013");
}

TEST_CASE("report::format_value: numbers with the unit a reader expects", "[report]") {
  CHECK(format_value(250, Unit::kMillicores) == "250m");
  CHECK(format_value(1000, Unit::kMillicores) == "1 core");
  CHECK(format_value(1500, Unit::kMillicores) == "1.5 cores");
  CHECK(format_value(1.5 * kGiB, Unit::kBytes) == "1.5 GiB");
  CHECK(format_value(512 * kMiB, Unit::kBytes) == "512 MiB");
  CHECK(format_value(1023, Unit::kBytes) == "1,023 B");
  CHECK(format_value(180, Unit::kMilliseconds) == "180 ms");
  CHECK(format_value(2500, Unit::kMilliseconds) == "2.5 s");
  CHECK(format_value(90, Unit::kSeconds) == "1m 30s");
  CHECK(format_value(12.5, Unit::kPercent) == "12.5 %");
  CHECK(format_value(1234.6, Unit::kDollars) == "$1,235");
  CHECK(format_value(12.3, Unit::kDollars) == "$12.30");
  CHECK(format_value(-5, Unit::kDollars) == "-$5.00");
  CHECK(format_value(3, Unit::kCount) == "3");
  CHECK(format_value(2.5, Unit::kReplicas) == "2.5");
}

TEST_CASE("report::format_kubernetes: CPU and memory as a manifest writes them", "[report]") {
  CHECK(format_kubernetes(1500, Unit::kMillicores) == "1500m");
  CHECK(format_kubernetes(2000, Unit::kMillicores) == "2");
  CHECK(format_kubernetes(1.5 * kGiB, Unit::kBytes) == "1536Mi");
  CHECK(format_kubernetes(180, Unit::kMilliseconds) == "180 ms");
}

TEST_CASE("report::format_duration: at most two units, rounded to the smaller", "[report]") {
  CHECK(format_duration(0) == "0");
  CHECK(format_duration(4.5) == "4.5s");
  CHECK(format_duration(45) == "45s");
  CHECK(format_duration(90) == "1m 30s");
  CHECK(format_duration(5400) == "1h 30m");
  CHECK(format_duration(86400) == "1d");
  CHECK(format_duration(129600) == "1d 12h");
  // 59.7 s rounds to 60 s = 1m; 3599.6 s rounds to 60 min = 1h.
  CHECK(format_duration(59.7) == "1m");
  CHECK(format_duration(3599.6) == "1h");
  CHECK(format_duration(-90) == "-1m 30s");
}

TEST_CASE("report::format_utc: dates and times in UTC", "[report]") {
  // 2026-12-03 00:00:00 UTC is 20,790 days after 1970-01-01: 20790 x 86400 = 1,796,256,000.
  const double midnight = 1796256000;
  CHECK(format_utc(0) == "1970-01-01 00:00:00 UTC");
  CHECK(format_utc(midnight + 6 * 3600 + 30) == "2026-12-03 06:00:30 UTC");
  CHECK(format_utc_tick(midnight, 6 * 3600) == "Dec 3");
  CHECK(format_utc_tick(midnight + 6 * 3600, 6 * 3600) == "06:00");
  CHECK(format_utc_tick(midnight + 6 * 3600 + 30, 30) == "06:00:30");
  CHECK(format_utc_tick(midnight + 86400, 86400) == "Dec 4");
}
