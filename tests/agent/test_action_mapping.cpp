#include <catch2/catch.hpp>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "agent/action_mapping.h"

using namespace podsizer::agent;

namespace {

// Features: 0 = CPU p95 in millicores (linear), 1 = memory peak as ln(MiB).
ActionMapping resources_mapping() {
  ActionMapping mapping;
  OutputMapping cpu_request{.name = "cpu_request_millicores",
                            .action_index = 0,
                            .centre_feature = 0,
                            .offset = std::log(1.2),
                            .scale = std::log(2.0),
                            .min_value = 10.0,
                            .max_value = 4000.0};
  OutputMapping cpu_limit{.name = "cpu_limit_millicores",
                          .action_index = 0,
                          .centre_feature = 0,
                          .offset = std::log(2.0),
                          .scale = 0.0,
                          .at_least_output = 0};
  OutputMapping memory_request{.name = "memory_request_mib",
                               .action_index = 1,
                               .centre_feature = 1,
                               .feature_is_log = true,
                               .scale = std::log(4.0),
                               .min_value = 300.0};
  OutputMapping memory_limit{.name = "memory_limit_mib",
                             .action_index = 1,
                             .centre_feature = 1,
                             .feature_is_log = true,
                             .scale = std::log(8.0),
                             .min_value = 64.0,
                             .at_least_output = 2};
  OutputMapping hpa_target{.name = "hpa_target_fraction",
                           .action_index = 0,
                           .offset = 0.7,
                           .scale = 0.2,
                           .log_space = false,
                           .max_value = 0.9};
  mapping.outputs = {cpu_request, cpu_limit, memory_request, memory_limit, hpa_target};
  return mapping;
}

}  // namespace

TEST_CASE("agent::ActionMapping: maps actions around features in log space", "[agent]") {
  // Features (500 millicores, ln 1024), action (0.5, −1):
  //   cpu request  = 1.2 · 500 · 2^0.5 = 848.528            (inside [10, 4000])
  //   cpu limit    = 2 · 500 · 2^0 = 1000, ≥ request          → 1000
  //   mem request  = 1024 · 4^−1 = 256 → raised to min 300    → 300
  //   mem limit    = 1024 · 8^−1 = 128 (≥ min 64), ≥ request → 300
  //   hpa target   = 0.7 + 0.2 · 0.5 = 0.8 (≤ 0.9)
  const ActionMapping mapping = resources_mapping();
  mapping.validate(2, 2);
  const std::vector<float> features{500.0f, static_cast<float>(std::log(1024.0))};
  std::vector<double> out(5);

  mapping.apply(features, std::vector<float>{0.5f, -1.0f}, out);

  CHECK(out[0] == Approx(848.528).epsilon(1e-6));
  CHECK(out[1] == Approx(1000.0).epsilon(1e-6));
  CHECK(out[2] == Approx(300.0));
  CHECK(out[3] == Approx(300.0));
  CHECK(out[4] == Approx(0.8));
}

TEST_CASE("agent::ActionMapping: clamps actions to [-1, 1] and outputs to their range", "[agent]") {
  // Action 1.7 acts as 1: cpu request = 1.2 · 500 · 2 = 1200; hpa = 0.7 + 0.2 = 0.9 (at max).
  // A feature of 0 is floored at 1e-9 before the log: request = 1.2e-9 · 2 → min 10.
  const ActionMapping mapping = resources_mapping();
  std::vector<double> out(5);
  mapping.apply(std::vector<float>{500.0f, 7.0f}, std::vector<float>{1.7f, 0.0f}, out);
  CHECK(out[0] == Approx(1200.0));
  CHECK(out[4] == Approx(0.9));

  mapping.apply(std::vector<float>{0.0f, 7.0f}, std::vector<float>{1.0f, 0.0f}, out);
  CHECK(out[0] == 10.0);
}

TEST_CASE("agent::ActionMapping: rejects descriptions that cannot work", "[agent]") {
  ActionMapping mapping = resources_mapping();
  SECTION("an action index beyond the action is refused") {
    CHECK_THROWS_AS(mapping.validate(2, 1), std::invalid_argument);
  }
  SECTION("a centre feature beyond the features is refused") {
    CHECK_THROWS_AS(mapping.validate(1, 2), std::invalid_argument);
  }
  SECTION("a chain of orderings is refused, since they apply in one pass") {
    mapping.outputs[2].at_least_output = 0;
    CHECK_THROWS_WITH(mapping.validate(2, 2), Catch::Contains("lower bound itself"));
  }
  SECTION("an inverted range is refused") {
    mapping.outputs[0].min_value = 5000.0;
    CHECK_THROWS_WITH(mapping.validate(2, 2), Catch::Contains("cpu_request_millicores"));
  }
  SECTION("a step up needs both of its features and a feature that exists") {
    mapping.outputs[0].raise_when_feature = 1;
    CHECK_THROWS_WITH(mapping.validate(2, 2), Catch::Contains("raise_from_feature"));
    mapping.outputs[0].raise_from_feature = 7;
    CHECK_THROWS_WITH(mapping.validate(2, 2), Catch::Contains("beyond the 2 features"));
  }
  SECTION("a hold needs the value in force, and a floor a log-space centre") {
    mapping.outputs[0].hold_factor = 0.9;
    CHECK_THROWS_WITH(mapping.validate(2, 2), Catch::Contains("hold_factor"));
    mapping.outputs[0].raise_from_feature = 1;
    CHECK_NOTHROW(mapping.validate(2, 2));
    mapping.outputs[0].hold_factor = 0.0;  // the value in force read by nothing
    CHECK_THROWS_WITH(mapping.validate(2, 2), Catch::Contains("read only by a raise or a hold"));
    mapping.outputs[0].raise_from_feature = -1;
    mapping.outputs[0].centre_floor = -1.0;
    CHECK_THROWS_WITH(mapping.validate(2, 2), Catch::Contains("centre_floor"));
    mapping.outputs[0].centre_floor = 1.0;
    mapping.outputs[0].log_space = false;
    CHECK_THROWS_WITH(mapping.validate(2, 2), Catch::Contains("centre_floor"));
  }
  SECTION("an extra centre on a linear output is refused") {
    mapping.outputs[0].log_space = false;
    mapping.outputs[0].extra_centre_feature = 1;
    CHECK_THROWS_WITH(mapping.validate(2, 2), Catch::Contains("log-space output"));
  }
}
