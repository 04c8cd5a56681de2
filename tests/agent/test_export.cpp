// LibTorch (through c10's logging header) defines a CHECK macro of its own; it is included
// first and that macro removed, so Catch's CHECK is the one these tests use.
#include <torch/script.h>
#undef CHECK

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
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
  Trained() : TrainedTracker(5) {}
};

// Three outputs driven by the single action: a log-space "request" around feature 1 scaled
// like a resource, a "limit" at least the request, and a "grown" output whose centre adds
// feature 0 (as a log ratio) and which steps up to 100 × e^(centre + feature 0) whenever
// feature 0 is positive (the step wins then: 50 · e^(0.5 a) < 100 for every a), and a "held"
// output of 10 · e^a around feature 1 that stays at least 20 × e^(centre + feature 0) (the hold)
// and at least 15 × the centre (the floor).
ExportOptions options() {
  ExportOptions result;
  OutputMapping request{.name = "request",
                        .action_index = 0,
                        .centre_feature = 1,
                        .feature_floor = 0.05,
                        .offset = std::log(100.0),
                        .scale = std::log(3.0),
                        .min_value = 1.0,
                        .max_value = 1000.0};
  OutputMapping limit{.name = "limit",
                      .action_index = 0,
                      .offset = std::log(150.0),
                      .scale = 0.1,
                      .at_least_output = 0};
  OutputMapping grown{.name = "grown",
                      .action_index = 0,
                      .centre_feature = 1,
                      .feature_floor = 0.05,
                      .offset = std::log(50.0),
                      .scale = 0.5,
                      .extra_centre_feature = 0,
                      .raise_when_feature = 0,
                      .raise_from_feature = 0,
                      .raise_factor = 100.0};
  OutputMapping held{.name = "held",
                     .action_index = 0,
                     .centre_feature = 1,
                     .feature_floor = 0.05,
                     .offset = std::log(10.0),
                     .scale = 1.0,
                     .raise_from_feature = 0,
                     .hold_factor = 20.0,
                     .centre_floor = 15.0};
  result.mapping.outputs = {request, limit, grown, held};
  result.feature_names = {"target", "episode_fraction"};
  result.metadata = {{"objective", "balanced"}};
  return result;
}

// Rows of raw features, including values outside the training range.
std::vector<float> sample_features() {
  return {0.3f, 0.0f, -0.7f, 0.4f, 0.05f, 0.8f, 2.5f, 0.2f, -3.0f, 1.0f, 0.0f, 0.6f};
}

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / name).string();
}

}  // namespace

TEST_CASE("agent::export_policy: the loaded module computes what the learner does", "[agent]") {
  Trained trained;
  const ExportOptions export_options = options();
  const std::string path = temp_path("podsizer_agent_export.pt");
  export_policy(trained.learner, path, export_options);

  const std::vector<float> features = sample_features();
  const std::size_t rows = features.size() / 2;
  std::vector<float> actions(rows);
  trained.learner.act(features, actions);

  torch::jit::ExtraFilesMap extra{{kExportMetadataFile, ""}};
  torch::jit::Module module = torch::jit::load(path, c10::nullopt, extra);
  const torch::Tensor input =
      torch::from_blob(const_cast<float*>(features.data()), {static_cast<long>(rows), 2});

  SECTION("the action method matches the learner's deterministic action to 1e-6") {
    const torch::Tensor exported = module.get_method("action")({input}).toTensor().contiguous();
    REQUIRE(exported.numel() == static_cast<long>(rows));
    for (std::size_t r = 0; r < rows; ++r) {
      CHECK(exported.data_ptr<float>()[r] == Approx(actions[r]).margin(1e-6));
    }
  }

  SECTION("forward applies the mapping as ActionMapping::apply does") {
    const torch::Tensor outputs = module.forward({input}).toTensor().contiguous();
    REQUIRE(outputs.sizes() == torch::IntArrayRef({static_cast<long>(rows), 4}));
    int raised = 0, held = 0, floored = 0;
    for (std::size_t r = 0; r < rows; ++r) {
      std::vector<double> expected(4);
      export_options.mapping.apply(std::span<const float>(features).subspan(2 * r, 2),
                                   std::span<const float>(actions).subspan(r, 1), expected);
      for (int k = 0; k < 4; ++k) {
        CHECK(outputs[r][k].item<double>() == Approx(expected[k]).epsilon(1e-6));
      }
      CHECK(outputs[r][1].item<double>() >= outputs[r][0].item<double>());
      // Where feature 0 is positive the step decides "grown": 100 × max(f1, 0.05) × e^f0.
      if (features[2 * r] > 0) {
        ++raised;
        const double step = 100.0 * std::max(features[2 * r + 1], 0.05f) *
                            std::exp(static_cast<double>(features[2 * r]));
        CHECK(expected[2] == Approx(step).epsilon(1e-6));
      }
      // "held" is the largest of the action's value, the hold and the floor.
      const double centre = std::max(features[2 * r + 1], 0.05f);
      const double own = 10.0 * centre * std::exp(static_cast<double>(actions[r]));
      const double hold = 20.0 * centre * std::exp(static_cast<double>(features[2 * r]));
      const double floor = 15.0 * centre;
      CHECK(expected[3] == Approx(std::max({own, hold, floor})).epsilon(1e-6));
      held += hold > std::max(own, floor);
      floored += floor > std::max(own, hold);
    }
    CHECK(raised > 0);
    CHECK(raised < static_cast<int>(rows));
    CHECK(held > 0);
    CHECK(floored > 0);
    const torch::Tensor single = module.forward({input[0]}).toTensor();
    CHECK(single.dim() == 1);
    CHECK(single[0].item<double>() == Approx(outputs[0][0].item<double>()));
  }

  SECTION("the metadata describes features, outputs and the caller's notes") {
    const nlohmann::json metadata = nlohmann::json::parse(extra.at(kExportMetadataFile));
    CHECK(metadata["feature_names"] == nlohmann::json({"target", "episode_fraction"}));
    CHECK(metadata["output_names"] == nlohmann::json({"request", "limit", "grown", "held"}));
    CHECK(metadata["outputs"][2]["raise_factor"] == 100.0);
    CHECK(metadata["outputs"][3]["hold_factor"] == 20.0);
    CHECK(metadata["outputs"][3]["centre_floor"] == 15.0);
    CHECK(metadata["metadata"]["objective"] == "balanced");
    CHECK(metadata["outputs"][1]["max_value"].is_null());
    CHECK(metadata["training"]["iterations"] == 3);
    CHECK(module.attr("format_version").toInt() == kExportFormatVersion);
  }
  std::filesystem::remove(path);
}

TEST_CASE("agent::export_policy: Python's torch.jit.load runs the file to 1e-5", "[agent]") {
  // The real program: /usr/bin/python3 with Debian's torch. A missing interpreter or module
  // makes the script fail, and so the test.
  Trained trained;
  const ExportOptions export_options = options();
  const std::string model = temp_path("podsizer_agent_python.pt");
  const std::string inputs = temp_path("podsizer_agent_python_inputs.txt");
  const std::string expected = temp_path("podsizer_agent_python_expected.txt");
  export_policy(trained.learner, model, export_options);

  // Inputs and the outputs the C++ side expects, one row per line.
  const std::vector<float> features = sample_features();
  const std::size_t rows = features.size() / 2;
  std::vector<float> actions(rows);
  trained.learner.act(features, actions);
  {
    std::ofstream in(inputs);
    std::ofstream out(expected);
    in.precision(9);
    out.precision(17);
    for (std::size_t r = 0; r < rows; ++r) {
      std::vector<double> outputs(export_options.mapping.outputs.size());
      export_options.mapping.apply(std::span<const float>(features).subspan(2 * r, 2),
                                   std::span<const float>(actions).subspan(r, 1), outputs);
      in << features[2 * r] << ' ' << features[2 * r + 1] << '\n';
      for (std::size_t k = 0; k < outputs.size(); ++k) out << (k ? " " : "") << outputs[k];
      out << '\n';
    }
  }

  const std::string command = std::string("/usr/bin/python3 ") + PODSIZER_SOURCE_DIR +
                              "/tests/agent/check_export.py " + model + " " + inputs + " " +
                              expected + " 1e-5 2>&1";
  std::string output;
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[512];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
  const int status = ::pclose(pipe);

  INFO(output);
  CHECK(status == 0);
  CHECK(output.find("largest difference") != std::string::npos);
  for (const std::string& file : {model, inputs, expected}) std::filesystem::remove(file);
}

TEST_CASE("agent::export_policy: refuses a mapping that does not fit the policy", "[agent]") {
  Trained trained;
  ExportOptions bad = options();
  bad.mapping.outputs[0].action_index = 3;
  CHECK_THROWS_AS(export_policy(trained.learner, temp_path("podsizer_agent_bad.pt"), bad),
                  std::invalid_argument);
  bad = options();
  bad.feature_names = {"only_one"};
  CHECK_THROWS_AS(export_policy(trained.learner, temp_path("podsizer_agent_bad.pt"), bad),
                  std::invalid_argument);
}
