#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "traces/reader_test_support.h"
#include "traces/readers.h"

using podsizer::traces::read_request_rates;
using podsizer::traces::Trace;
using podsizer::traces::testing::input_error_of;
using podsizer::traces::testing::require_names;
using podsizer::traces::testing::TempFile;

TEST_CASE("traces::read_request_rates: reads one count per second from the start", "[traces]") {
  TempFile file("1 0 3\n5\t7 \n", "rates", ".txt");
  const Trace trace = read_request_rates(file.path(), 100.0);
  CHECK(trace.request_rate == std::vector<double>{1, 0, 3, 5, 7});
  CHECK(trace.time_s == std::vector<double>{100, 101, 102, 103, 104});
  CHECK_FALSE(trace.has_cpu());
  CHECK_FALSE(trace.has_memory());
  CHECK(trace.meta.interval_s == 1.0);
  CHECK(trace.meta.name == file.stem());
  CHECK(trace.meta.source == "requests:" + file.path());
}

TEST_CASE("traces::read_request_rates: reads a last value without a line end", "[traces]") {
  TempFile file("4 2 18446744073709551615", "rates", ".txt");
  const Trace trace = read_request_rates(file.path());
  CHECK(trace.request_rate == std::vector<double>{4, 2, 18446744073709551615.0});
  CHECK(trace.time_s == std::vector<double>{0, 1, 2});
}

TEST_CASE("traces::read_request_rates: refuses tokens that are not counts", "[traces]") {
  auto refused = [](const std::string& content) {
    TempFile file(content, "bad", ".txt");
    return std::make_pair(file.path(), input_error_of([&] { read_request_rates(file.path()); }));
  };
  SECTION("a word") {
    const auto [path, error] = refused("1 2 x 4\n");
    require_names(error, path, 1, "value 3", "'x' is not a non-negative integer");
  }
  SECTION("a negative count, on a later line") {
    const auto [path, error] = refused("1\n2\n-3\n");
    require_names(error, path, 3, "value 3", "'-3' is negative");
  }
  SECTION("a fraction") {
    const auto [path, error] = refused("1 1.5 2");
    require_names(error, path, 1, "value 2", "'1.5'");
  }
  SECTION("NaN") {
    const auto [path, error] = refused("1 nan");
    require_names(error, path, 1, "value 2", "'nan'");
  }
  SECTION("a count too large for 64 bits") {
    const auto [path, error] = refused("18446744073709551616");
    require_names(error, path, 1, "value 1", "not a non-negative integer");
  }
  SECTION("a separator that is not white space") {
    const auto [path, error] = refused("1,2,3\n");
    require_names(error, path, 1, "value 1", "'1,2,3'");
  }
  SECTION("an empty file") {
    const auto [path, error] = refused("");
    require_names(error, path, 1, "value 1", "no request counts");
  }
  SECTION("only white space") {
    const auto [path, error] = refused(" \n\t\n");
    require_names(error, path, 1, "value 1", "no request counts");
  }
}
