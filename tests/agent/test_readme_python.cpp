// LibTorch (through c10's logging header) defines a CHECK macro of its own; it is included
// first and that macro removed, so Catch's CHECK is the one these tests use.
#include <torch/script.h>
#undef CHECK

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/export.h"
#include "agent/ppo.h"
#include "toy_environments.h"
#include "trained_tracker.h"

using namespace podsizer::agent;
using podsizer::agent::testing::TrackingEnvironment;

namespace {

// Three iterations of the tracking environment, seeded.
struct Trained : podsizer::agent::testing::TrainedTracker {
  Trained() : TrainedTracker(11) {}
};

// Two outputs shaped like the real CPU rules (env/README.md): a request of
// e^(feature 0) x e^(1.5 a) millicores, at least 10, and a limit of twice that, at least the
// request. Feature 0 is a log, as cpu_ref_log_millicores is.
ExportOptions options() {
  ExportOptions result;
  OutputMapping request{.name = "cpu_request_millicores",
                        .action_index = 0,
                        .centre_feature = 0,
                        .feature_is_log = true,
                        .scale = 1.5,
                        .min_value = 10.0};
  OutputMapping limit{.name = "cpu_limit_millicores",
                      .action_index = 0,
                      .centre_feature = 0,
                      .feature_is_log = true,
                      .offset = std::log(2.0),
                      .scale = 1.5,
                      .min_value = 10.0,
                      .at_least_output = 0};
  result.mapping.outputs = {request, limit};
  result.feature_names = {"cpu_ref_log_millicores", "cpu_p95_24h_log_ratio"};
  return result;
}

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / name).string();
}

// Runs check_readme_python.py on the checkout's README; its output and exit status.
struct ScriptResult {
  std::string output;
  int status = -1;
};

ScriptResult run_check(const std::string& model, const std::string& features,
                       const std::string& expected) {
  const std::string command = std::string("/usr/bin/python3 ") + PODSIZER_SOURCE_DIR +
                              "/tests/agent/check_readme_python.py " + PODSIZER_SOURCE_DIR +
                              "/README.md " + model + " " + features + " " + expected +
                              " 1e-5 2>&1";
  ScriptResult result;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[512];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) result.output += buffer;
  result.status = ::pclose(pipe);
  return result;
}

}  // namespace

TEST_CASE("agent::export_policy: the README's Python example reads what C++ computes",
          "[agent]") {
  // The real program: /usr/bin/python3 with Debian's torch runs the README's own code block.
  Trained trained;
  const ExportOptions export_options = options();
  const std::string model = temp_path("podsizer_agent_readme.pt");
  const std::string features_path = temp_path("podsizer_agent_readme_features.json");
  const std::string expected_path = temp_path("podsizer_agent_readme_expected.json");
  export_policy(trained.learner, model, export_options);

  // One workload: a 24 h p95 of e^5.5 = 244.7 millicores, recent p95 at e^-0.4 = 0.67 of it.
  // Swapped, the centre would be e^-0.4 = 0.67 m and the request its floor of 10 m instead of
  // roughly 245 m x e^(1.5 a): the example must take the features in the card's order.
  const std::vector<float> row = {5.5f, -0.4f};
  std::vector<float> action(1);
  trained.learner.act(row, action);
  std::vector<double> outputs(2);
  export_options.mapping.apply(row, action, outputs);
  // e^(5.5 - 1.5) = 54.6 m at a = -1 and e^(5.5 + 1.5) = 1097 m at a = +1: well above 10 m.
  REQUIRE(outputs[0] > 50.0);
  REQUIRE(outputs[1] == Approx(2.0 * outputs[0]).epsilon(1e-9));

  // The features written in the reverse of the card's order, as a JSON object would be built
  // by a service that does not care about order.
  {
    std::ofstream features(features_path);
    features << nlohmann::json{{"cpu_p95_24h_log_ratio", row[1]},
                               {"cpu_ref_log_millicores", row[0]}}
                    .dump();
  }

  SECTION("the outputs match to 1e-5") {
    {
      std::ofstream expected(expected_path);
      // nlohmann's dump writes doubles to the digits that read back exactly.
      expected << nlohmann::json{{"cpu_request_millicores", outputs[0]},
                                 {"cpu_limit_millicores", outputs[1]}}
                      .dump();
    }
    const ScriptResult result = run_check(model, features_path, expected_path);
    INFO(result.output);
    CHECK(result.status == 0);
    CHECK(result.output.find("largest difference") != std::string::npos);
  }

  SECTION("the check fails when the C++ figures differ by 1e-3") {
    {
      std::ofstream expected(expected_path);
      expected << nlohmann::json{{"cpu_request_millicores", outputs[0] * 1.001},
                                 {"cpu_limit_millicores", outputs[1]}}
                      .dump();
    }
    const ScriptResult result = run_check(model, features_path, expected_path);
    INFO(result.output);
    CHECK(result.status != 0);
    CHECK(result.output.find("largest difference") != std::string::npos);
  }
  for (const std::string& file : {model, features_path, expected_path}) {
    std::filesystem::remove(file);
  }
}
