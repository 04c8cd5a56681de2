// `podsizer features`: the feature vector a learned policy sees at the end of a history, by name,
// as JSON. A service that runs an exported policy outside podsizer (from Python, say) can take
// its input from here, or check its own feature code against it.
#include <cmath>
#include <cstdio>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/app_inputs.h"
#include "cli/commands.h"
#include "env/features.h"
#include "policies/learned/learned_policy.h"
#include "policies/recommend.h"
#include "traces/app_spec.h"
#include "traces/atomic_file.h"
#include "traces/errors.h"
#include "traces/log.h"

namespace podsizer::cli {
namespace {

struct FeaturesCommandOptions {
  std::string app_path;
  std::string history_path;
  std::string out_path;
};

void run_features_command(const FeaturesCommandOptions& o) {
  auto log = traces::named_logger("cli");

  // The history and the app, as `recommend` takes them.
  const AppInputs inputs = load_app_inputs(o.app_path, o.history_path);
  const traces::AppSpec& app = inputs.app;
  const traces::Trace& history = inputs.history;
  if (history.empty()) {
    throw traces::InputError(o.history_path, 0, "", "the history has no samples");
  }

  // A learned policy whose function only keeps what it is given and proposes no change: the
  // features are those of a decision right after the last sample, with the app's resources in
  // force, exactly as `recommend` computes them for a real policy.
  std::vector<float> features;
  const traces::ContainerResources& current = app.current;
  auto keep = [&features, &current](std::span<const float> row, std::span<double> outputs) {
    features.assign(row.begin(), row.end());
    outputs[0] = current.requests.cpu_millicores.value_or(0.0);
    outputs[1] = current.limits.cpu_millicores.value_or(outputs[0]);
    outputs[2] = current.requests.memory_bytes.value_or(0.0);
    outputs[3] = current.limits.memory_bytes.value_or(outputs[2]);
  };
  policies::learned::LearnedPolicy policy("features", keep);
  policies::decide_on_history(policy, app, history);

  // One JSON object, names in the policy card's order. The extractor writes finite values only
  // (unknown ones as 0 with a flag); anything else would be a defect, shown as null.
  nlohmann::ordered_json out;
  const std::vector<std::string>& names = env::feature_names();
  for (std::size_t k = 0; k < names.size() && k < features.size(); ++k) {
    if (std::isfinite(features[k])) {
      out[names[k]] = static_cast<double>(features[k]);
    } else {
      out[names[k]] = nullptr;
    }
  }
  const std::string text = out.dump(2) + "\n";
  if (o.out_path.empty()) {
    std::fputs(text.c_str(), stdout);
  } else {
    traces::write_file_atomically(o.out_path, text);
    log->info("wrote the {} features of {} to {}", features.size(),
              history.meta.name.empty() ? app.app_name : history.meta.name, o.out_path);
  }
}

}  // namespace

void add_features_command(CLI::App& app) {
  auto options = std::make_shared<FeaturesCommandOptions>();
  CLI::App* command = app.add_subcommand(
      "features",
      "Print the features a learned policy sees at the end of a history, by name, as JSON: the "
      "input an exported policy takes (env/README.md defines each)");
  command->add_option("--app", options->app_path,
                      "Application spec (YAML); default: current resources from the history's "
                      "first day, or the built-in example without --history");
  command->add_option("--history", options->history_path,
                      "History CSV; default: the app's synthetic load");
  command->add_option("--out", options->out_path, "JSON file to write; default: standard output");
  command->callback([options] { run_features_command(*options); });
}

}  // namespace podsizer::cli
