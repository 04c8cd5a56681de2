// `podsizer backtest`: what a policy would have recommended over a history, walking forward, and
// how it would have fared in Kubernetes terms.
#include <charconv>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "policies/backtest.h"
#include "policies/policy.h"
#include "traces/app_spec.h"
#include "traces/log.h"
#include "traces/readers.h"

namespace podsizer::cli {
namespace {

struct BacktestCommandOptions {
  std::string policy;
  std::string history_path;
  std::string app_path;
  std::string interval = "1h";
  std::string out_path;
  std::vector<std::string> settings;  // KEY=VALUE policy options
};

// "cpu_percentile=0.99" -> {"cpu_percentile", 0.99}.
policies::PolicyOptions parse_settings(const std::vector<std::string>& settings) {
  policies::PolicyOptions options;
  for (const std::string& setting : settings) {
    const auto equals = setting.find('=');
    double value = 0.0;
    const char* begin = setting.data() + (equals == std::string::npos ? 0 : equals + 1);
    const char* end = setting.data() + setting.size();
    const auto [rest, error] = std::from_chars(begin, end, value);
    if (equals == std::string::npos || equals == 0 || error != std::errc() || rest != end) {
      throw std::invalid_argument("--set '" + setting + "': expected KEY=NUMBER");
    }
    options[setting.substr(0, equals)] = value;
  }
  return options;
}

void run_backtest_command(const BacktestCommandOptions& options) {
  // Build the policy first so that a misspelt name fails before any reading.
  auto policy = policies::make_policy(options.policy, parse_settings(options.settings));
  policies::BacktestOptions backtest;
  backtest.interval_s = policies::parse_duration_s(options.interval);

  // The history, and the app spec or the defaults drawn from the history's first day.
  const traces::Trace history = traces::read_history_csv(options.history_path);
  const traces::AppSpec app = options.app_path.empty() ? policies::default_app_for_history(history)
                                                       : traces::load_app_spec(options.app_path);
  if (options.app_path.empty()) {
    traces::named_logger("policies")
        ->info("no --app: current resources taken from the first day of {}", options.history_path);
  }

  // Walk forward, write the timeline, print the score.
  const policies::BacktestResult result = policies::run_backtest(history, *policy, app, backtest);
  policies::write_timeline_csv(options.out_path, result.timeline);
  std::fputs(policies::format_score_table({result}).c_str(), stdout);
}

}  // namespace

void add_backtest_command(CLI::App& app) {
  auto options = std::make_shared<BacktestCommandOptions>();
  CLI::App* command = app.add_subcommand(
      "backtest",
      "Replay a history through a policy, walking forward, and write what it would have set");
  command
      ->add_option("--policy", options->policy, "Policy: static, vpa, krr, autopilot, autopilot-ml")
      ->required();
  command
      ->add_option("--history", options->history_path,
                   "History CSV: timestamp,cpu_usage_milli_cores,memory_usage_megabytes"
                   "[,request_per_sec][,replicas]")
      ->required();
  command->add_option("--app", options->app_path,
                      "App spec YAML; without it the current resources come from the history's "
                      "first day (CPU request = its P95, limit 2x; memory request = its peak, "
                      "limit 1.2x)");
  command
      ->add_option("--interval", options->interval, "Time between decisions, such as 1h, 30m, 1d")
      ->capture_default_str();
  command->add_option("--out", options->out_path, "Timeline CSV to write")->required();
  command->add_option("--set", options->settings,
                      "Policy option KEY=NUMBER, for example --set cpu_percentile=0.99");
  command->callback([options] { run_backtest_command(*options); });
}

}  // namespace podsizer::cli
