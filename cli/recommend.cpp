// `podsizer recommend`: requests and limits for production, with a confidence, the guardrails
// that acted and the reasons, as text, YAML, JSON, a kustomize patch or a VPA object.
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "cli/app_inputs.h"
#include "cli/commands.h"
#include "policies/formats.h"
#include "policies/recommend.h"
#include "report/html_report.h"
#include "scenarios/single_run_report.h"
#include "sim/workload_model.h"
#include "traces/app_spec.h"
#include "traces/atomic_file.h"
#include "traces/errors.h"
#include "traces/log.h"
#include "traces/readers.h"

namespace podsizer::cli {
namespace {

struct RecommendCommandOptions {
  std::string app_path;
  std::string history_path;
  std::string loadtest_path;
  std::string policy;  // empty: policies::default_policy()
  std::string format = "text";
  std::string container;
  std::string out_path;
  std::optional<double> max_change_percent;
  std::string vpa_update_mode = "Off";
  int resamples = 16;
  bool no_replay = false;
  std::uint64_t seed = 1;
  std::vector<std::string> settings;  // KEY=NUMBER policy options
  std::string report_path;            // HTML page of the recommendation and its replays
};

// "cpu_percentile=0.99" -> {"cpu_percentile", 0.99}; bad text names the flag.
policies::PolicyOptions parse_settings(const std::vector<std::string>& settings) {
  policies::PolicyOptions options;
  for (const std::string& setting : settings) {
    const auto equals = setting.find('=');
    double value = 0.0;
    const char* begin = setting.data() + (equals == std::string::npos ? 0 : equals + 1);
    const char* end = setting.data() + setting.size();
    const auto [rest, error] = std::from_chars(begin, end, value);
    if (equals == std::string::npos || equals == 0 || error != std::errc() || rest != end) {
      throw traces::InputError("command line", 0, "--set",
                               "'" + setting + "': expected KEY=NUMBER");
    }
    options[setting.substr(0, equals)] = value;
  }
  return options;
}

// The running executable, for the installed share folder; empty when it cannot be told.
std::filesystem::path executable_path() {
  std::error_code error;
  auto path = std::filesystem::read_symlink("/proc/self/exe", error);
  return error ? std::filesystem::path() : path;
}

// The page of a recommendation: its two replays run again with their rows kept (the same
// calibration and seed as recommend() used, so the charts match the numbers), then drawn.
void write_recommendation_page(const policies::Recommendation& r, const traces::AppSpec& app,
                               const traces::Trace& history, const traces::LoadTest* load_test,
                               std::uint64_t seed, const std::string& path) {
  scenarios::RecommendationRun run;
  run.recommendation = r;
  if (r.counterfactual) {
    auto model = std::make_shared<const sim::WorkloadModel>(
        sim::calibrate_workload(history, app, load_test));
    run.current = scenarios::replay_intervals(app, model, r.current, std::nullopt, seed);
    run.recommended =
        scenarios::replay_intervals(app, model, r.resources, r.hpa_target_utilization, seed);
  }
  report::write_html_report(scenarios::build_recommendation_report(run), path);
}

void run_recommend_command(const RecommendCommandOptions& o) {
  auto log = traces::named_logger("cli");

  // The page's folder must exist before any work, so a typo fails at once.
  if (!o.report_path.empty()) {
    const std::filesystem::path folder = std::filesystem::path(o.report_path).parent_path();
    if (!folder.empty() && !std::filesystem::is_directory(folder)) {
      throw traces::InputError("command line", 0, "--report",
                               "the folder of '" + o.report_path + "' does not exist");
    }
  }

  // Check the cheap things first: the format, the VPA mode, the policy.
  const policies::OutputFormat format = policies::parse_output_format(o.format);
  policies::VpaFormatOptions vpa;
  vpa.update_mode = o.vpa_update_mode;
  policies::check_vpa_update_mode(vpa.update_mode);
  std::string policy_name = o.policy;
  if (policy_name.empty()) {
    const policies::DefaultPolicy choice =
        policies::default_policy(policies::default_policy_search_folders(executable_path()));
    if (!choice.notice.empty()) log->info("{}", choice.notice);
    policy_name = choice.policy;
  }
  const policies::LoadedPolicy policy =
      policies::load_policy(policy_name, parse_settings(o.settings));

  // Inputs: app and history, each from a file or the embedded defaults.
  const AppInputs inputs = load_app_inputs(o.app_path, o.history_path);
  const traces::AppSpec& app = inputs.app;
  const traces::Trace& history = inputs.history;
  std::optional<traces::LoadTest> load_test;
  if (!o.loadtest_path.empty()) load_test = traces::read_load_test(o.loadtest_path);

  // Recommend, format, write.
  policies::RecommendOptions options;
  options.container = o.container;
  options.max_change_percent = o.max_change_percent;
  options.bootstrap_resamples = o.resamples;
  options.counterfactual = !o.no_replay;
  options.seed = o.seed;
  const policies::Recommendation r =
      policies::recommend(app, history, load_test ? &*load_test : nullptr, policy, options);
  const std::string text = policies::format_recommendation(r, format, vpa);
  if (o.out_path.empty()) {
    std::fputs(text.c_str(), stdout);
  } else {
    traces::write_file_atomically(o.out_path, text);
    log->info("wrote the {} recommendation to {}", o.format, o.out_path);
  }
  if (!o.report_path.empty()) {
    write_recommendation_page(r, app, history, load_test ? &*load_test : nullptr, o.seed,
                              o.report_path);
    log->info("wrote the page to {}", o.report_path);
  }
}

}  // namespace

void add_recommend_command(CLI::App& app) {
  auto o = std::make_shared<RecommendCommandOptions>();
  CLI::App* command = app.add_subcommand(
      "recommend",
      "Recommend requests and limits for production: a policy watches the history, guardrails "
      "keep the result safe, a day-resampled bootstrap gives a confidence, and a replay through "
      "the simulated cluster gives the reasons. Without arguments: the built-in example app on "
      "its synthetic load.");
  command->add_option("--app", o->app_path, "Application spec (YAML); default: built-in example");
  command->add_option("--history", o->history_path,
                      "History CSV: timestamp,cpu_usage_milli_cores,memory_usage_megabytes"
                      "[,request_per_sec][,replicas]; default: synthetic load of the app");
  command->add_option("--loadtest", o->loadtest_path, "Load-test result JSON (latency model)");
  command->add_option("--policy", o->policy,
                      std::string("vpa, krr, autopilot, autopilot-ml or a POLICY.pt file; "
                                  "default: the pre-trained ") +
                          policies::kPretrainedPolicy + " when present, else " +
                          policies::kFallbackPolicy);
  command->add_option("--format", o->format, "text, yaml, json, patch or vpa")
      ->capture_default_str();
  command->add_option("--container", o->container,
                      "Container name in the Deployment; default: the app's name");
  command->add_option("--out", o->out_path, "File to write; default: standard output");
  command
      ->add_option("--max-change-percent", o->max_change_percent,
                   "Cap on each value's change from the current settings, in percent")
      ->check(CLI::PositiveNumber);
  command
      ->add_option("--vpa-update-mode", o->vpa_update_mode,
                   "updateMode of the VPA object: Off, Initial, Recreate, Auto")
      ->capture_default_str();
  command
      ->add_option("--resamples", o->resamples,
                   "Day-resampled histories for the confidence (0: none)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  command->add_flag("--no-replay", o->no_replay, "Skip the counterfactual replay");
  command->add_option("--seed", o->seed, "Seed of the bootstrap and the replays")
      ->capture_default_str();
  command->add_option("--set", o->settings,
                      "Policy option KEY=NUMBER, for example --set cpu_percentile=0.99");
  command->add_option("--report", o->report_path,
                      "HTML page: the replay of the current settings beside the recommendation's "
                      "(usage, requests, limits, replicas, latency), the numbers, the guardrails, "
                      "the reasons and the confidence");
  command->callback([o] { run_recommend_command(*o); });
}

}  // namespace podsizer::cli
