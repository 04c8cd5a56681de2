// `podsizer run`: the whole job on the embedded example application, from nothing but the binary.
//
// The job is a list of steps that share one RunState; each is announced as "[k/n] what" and
// timed, and the train and evaluate steps add their own progress lines. The steps:
//   1. the example app (examples/my-service.yaml, built in) and its default synthetic load,
//      written as history.csv and traces.h5, and summarised against the app's current requests
//      and limits;
//   2. a training run with the quick configuration (what `podsizer train` uses without
//      arguments; examples/train-quick.yaml writes it out), seeded by --seed, in OUT/train;
//   3. its export: OUT/policy/learned.pt and the policy card beside it;
//   4. the learned policy against static, vpa, krr and autopilot on the example scenarios
//      (scenarios/examples/, built in and written to OUT/scenarios so a reader sees what ran),
//      in closed loop: the tables printed, every series in OUT/results.h5;
//   5. the learned policy's recommendation for the example app from its load: the text printed,
//      the YAML in OUT/recommendation.yaml;
//   6. one HTML page, OUT/report.html: the evaluation and the recommendation.
// At the end it prints the time of each step and every path it wrote.
//
// Determinism: the load, the training run and the recommendation are seeded by --seed and the
// evaluation by the scenarios' own seeds, and each of those is deterministic on any number of
// threads, so the same seed gives the same results file and recommendation. Wall times and the
// training log's steps-per-second differ between runs.
//
// --quick trains a tiny configuration for a few seconds and shortens the scenarios, for tests
// and a first look; its policy is not meant to be good.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "cli/commands.h"
#include "cli/trace_summary.h"
#include "policies/formats.h"
#include "policies/learned/policy_card.h"
#include "policies/learned/torchscript_policy.h"
#include "policies/recommend.h"
#include "report/html_report.h"
#include "scenarios/evaluate.h"
#include "scenarios/evaluation_report.h"
#include "scenarios/example_scenarios.h"
#include "scenarios/results_file.h"
#include "scenarios/scenario.h"
#include "scenarios/single_run_report.h"
#include "sim/workload_model.h"
#include "traces/app_spec.h"
#include "traces/atomic_file.h"
#include "traces/errors.h"
#include "traces/history_csv_writer.h"
#include "traces/log.h"
#include "traces/store.h"
#include "traces/synthetic.h"
#include "train/train_config.h"
#include "train/trainer.h"

namespace podsizer::cli {
namespace {

namespace fs = std::filesystem;

// The label of the trained policy in tables, files and the report.
constexpr const char* kLearnedLabel = "learned";

// The shortest replay every example scenario accepts: flash-crowd's echo ends at 4 d 16 h.
constexpr double kQuickScenarioDays = 5;

struct RunOptions {
  std::string out_dir = "podsizer-out";
  std::uint64_t seed = 42;
  std::int64_t train_steps = 0;  // 0: the quick configuration's total_env_steps
  double scenario_days = 0;      // 0: each scenario's own duration
  bool quick = false;
  int threads = 0;  // evaluation threads; 0: every core
};

// What the steps hand to each other, and the paths they wrote.
struct RunState {
  RunOptions options;
  fs::path out;
  traces::AppSpec spec;
  traces::Trace history;
  std::string run_dir;
  std::string policy_path;
  scenarios::Evaluation evaluation;
  scenarios::RecommendationRun recommendation;
  train::TrainSummary training;
  std::vector<std::pair<std::string, std::string>> written;  // what, path
};

struct Step {
  const char* what;
  std::function<void(RunState&)> run;
};

std::string path_in(const RunState& state, const std::string& name) {
  return (state.out / name).string();
}

void create_folder(const fs::path& folder) {
  std::error_code error;
  fs::create_directories(folder, error);
  if (error) {
    throw traces::InputError(folder.string(), 0, "--out",
                             "cannot create the output folder: " + error.message());
  }
}

// The share of `values` above `threshold`, as a percentage text; "-" when there is no
// threshold.
std::string share_above(const std::vector<double>& values, const std::optional<double>& threshold) {
  if (!threshold) return "-";
  std::size_t above = 0;
  for (double value : values) above += value > *threshold;
  char text[32];
  std::snprintf(text, sizeof text, "%.1f %%",
                100.0 * static_cast<double>(above) / static_cast<double>(values.size()));
  return text;
}

template <typename Format>
std::string optional_quantity(const std::optional<double>& value, Format format) {
  return value ? format(*value) : std::string("unset");
}

// The load beside the app's current requests and limits: what the rest of the job improves on.
void print_load_summary(const RunState& state) {
  const traces::Trace& trace = state.history;
  const traces::AppSpec& spec = state.spec;
  const TraceSummary summary = summarize(trace);

  std::printf("%s: %zu samples over %s, every %s, from %s\n", spec.app_name.c_str(),
              summary.samples, format_duration(summary.span_s).c_str(),
              format_duration(summary.interval_s).c_str(),
              format_utc(summary.first_time_s).c_str());
  if (summary.request_rate) {
    std::printf(
        "request rate: mean %.1f req/s, p95 %.1f, max %.1f (app spec: %g average, %g "
        "peak)\n",
        summary.request_rate->mean, summary.request_rate->p95, summary.request_rate->max,
        spec.avg_request_per_sec, spec.peak_request_per_sec);
  }

  // Per pod usage beside the current setting: over the request the pod borrows from its node;
  // over the CPU limit it is throttled; over the memory limit it is OOM-killed.
  const int replicas = trace.has_replicas() ? static_cast<int>(trace.replicas.front()) : 1;
  std::printf(
      "\nper pod (%d replicas)   p50       p95       max       request   limit     "
      "> request  > limit\n",
      replicas);
  if (summary.cpu_millicores) {
    const ColumnStats& cpu = *summary.cpu_millicores;
    std::printf("  cpu                 %-9s %-9s %-9s %-9s %-9s %-10s %s\n",
                format_cpu_rounded(cpu.p50).c_str(), format_cpu_rounded(cpu.p95).c_str(),
                format_cpu_rounded(cpu.max).c_str(),
                optional_quantity(spec.current.requests.cpu_millicores, format_cpu_rounded).c_str(),
                optional_quantity(spec.current.limits.cpu_millicores, format_cpu_rounded).c_str(),
                share_above(trace.cpu_millicores, spec.current.requests.cpu_millicores).c_str(),
                share_above(trace.cpu_millicores, spec.current.limits.cpu_millicores).c_str());
  }
  if (summary.memory_bytes) {
    const ColumnStats& memory = *summary.memory_bytes;
    std::printf(
        "  memory              %-9s %-9s %-9s %-9s %-9s %-10s %s\n",
        format_memory_rounded(memory.p50).c_str(), format_memory_rounded(memory.p95).c_str(),
        format_memory_rounded(memory.max).c_str(),
        optional_quantity(spec.current.requests.memory_bytes, format_memory_rounded).c_str(),
        optional_quantity(spec.current.limits.memory_bytes, format_memory_rounded).c_str(),
        share_above(trace.memory_bytes, spec.current.requests.memory_bytes).c_str(),
        share_above(trace.memory_bytes, spec.current.limits.memory_bytes).c_str());
  }
  std::printf("\nCPU above its limit is throttled; memory above its limit is OOM-killed.\n\n");
  std::fflush(stdout);
}

void generate_load(RunState& state) {
  // The example app, its synthetic load seeded by the run's seed.
  state.spec = traces::default_app_spec();
  traces::SyntheticOptions options = traces::synthetic_options_for(state.spec);
  options.seed = state.options.seed;
  state.history = traces::generate_synthetic(options);
  state.history.meta.name = state.spec.app_name;
  state.history.meta.source = "synthetic";
  traces::named_logger("cli")->info(
      "app '{}': {} req/s on average, {} at peak; {} samples over {:.0f} days", state.spec.app_name,
      state.spec.avg_request_per_sec, state.spec.peak_request_per_sec, state.history.size(),
      state.history.span_s() / 86400.0);

  // Both forms a user would bring: the history CSV and the HDF5 store.
  create_folder(state.out);
  const std::string csv = path_in(state, "history.csv");
  const std::string store = path_in(state, "traces.h5");
  traces::write_history_csv(csv, state.history);
  traces::write_traces(store, {state.history});
  state.written.push_back({"load history (CSV)", csv});
  state.written.push_back({"trace store (HDF5)", store});
  print_load_summary(state);
}

// The quick configuration, or a tiny one that trains in seconds.
train::TrainConfig training_config(const RunOptions& o) {
  train::TrainConfig config;
  config.seed = o.seed;
  if (o.quick) {
    // Two copies, 32 steps each, one iteration: enough to exercise every part of the path.
    config.num_envs = 2;
    config.ppo.steps_per_env = 32;
    config.ppo.minibatch_size = 32;
    config.ppo.epochs = 2;
    config.total_env_steps = 64;
    config.eval_every = 0;
    config.eval_episodes = 1;
    config.episode_days = 2;
  }
  if (o.train_steps > 0) config.total_env_steps = o.train_steps;
  return config;
}

void train_policy(RunState& state) {
  // A fresh run: checkpoints of an earlier job in this folder would be resumed or exported.
  state.run_dir = path_in(state, "train");
  for (const char* stale : {"checkpoint.pt", "best.pt", "metrics.h5"}) {
    std::error_code ignored;
    fs::remove(fs::path(state.run_dir) / stale, ignored);
  }
  const train::TrainConfig config = training_config(state.options);
  state.training = train::run_training(config, {state.run_dir, false, 0});
  traces::named_logger("cli")->info(
      "trained {} iterations, {} environment steps in {:.0f} s{}", state.training.iterations,
      state.training.env_steps, state.training.seconds,
      state.training.stopped_early ? " (stopped early: no better validation score)" : "");
  state.written.push_back({"training run (config, checkpoints, metric log)", state.run_dir});
}

void export_policy(RunState& state) {
  create_folder(state.out / "policy");
  state.policy_path = path_in(state, "policy/learned.pt");
  train::export_run(state.run_dir, state.policy_path);
  state.written.push_back({"policy (TorchScript)", state.policy_path});
  state.written.push_back({"policy card", policies::learned::card_path_for(state.policy_path)});
}

void evaluate_policies(RunState& state) {
  // The example scenarios, written out so that they find their files and a reader sees them.
  const std::vector<std::string> paths =
      scenarios::write_example_scenarios(state.out / "scenarios");
  std::vector<scenarios::Scenario> list;
  const double days = state.options.scenario_days > 0 ? state.options.scenario_days
                      : state.options.quick           ? kQuickScenarioDays
                                                      : 0.0;
  for (const std::string& path : paths) {
    list.push_back(scenarios::load_scenario(path));
    if (days > 0) list.back().duration_s = days * 86400.0;
  }

  // The baselines, then the trained policy under its own label.
  std::vector<scenarios::PolicyEntry> entries =
      scenarios::resolve_policies({"static", "vpa", "krr", "autopilot"});
  const policies::LoadedPolicy learned = policies::load_policy(state.policy_path);
  entries.push_back({kLearnedLabel, learned.make});

  scenarios::EvaluationOptions options;
  options.threads = state.options.threads;
  state.evaluation = scenarios::evaluate(list, entries, options);
  std::printf("%s", scenarios::format_evaluation(state.evaluation).c_str());
  std::fflush(stdout);

  const std::string results = path_in(state, "results.h5");
  scenarios::write_evaluation_hdf5(results, state.evaluation);
  state.written.push_back({"example scenarios", path_in(state, "scenarios")});
  state.written.push_back({"evaluation results (HDF5)", results});
}

void recommend_resources(RunState& state) {
  // The trained policy on the app's own load, with the counterfactual replays.
  const policies::LoadedPolicy learned = policies::load_policy(state.policy_path);
  policies::RecommendOptions options;
  options.seed = state.options.seed;
  if (state.options.quick) options.bootstrap_resamples = 4;
  const policies::Recommendation r =
      policies::recommend(state.spec, state.history, nullptr, learned, options);
  std::printf("\n%s", policies::format_recommendation(r, policies::OutputFormat::kText).c_str());
  std::fflush(stdout);

  const std::string yaml = path_in(state, "recommendation.yaml");
  traces::write_file_atomically(yaml,
                                policies::format_recommendation(r, policies::OutputFormat::kYaml));
  state.written.push_back({"recommendation (YAML)", yaml});

  // The replays again with their rows, for the report's charts.
  auto model = std::make_shared<const sim::WorkloadModel>(
      sim::calibrate_workload(state.history, state.spec));
  state.recommendation.recommendation = r;
  state.recommendation.current =
      scenarios::replay_intervals(state.spec, model, r.current, std::nullopt, options.seed);
  state.recommendation.recommended = scenarios::replay_intervals(
      state.spec, model, r.resources, r.hpa_target_utilization, options.seed);
}

void write_report(RunState& state) {
  // The evaluation's page with the training's headline and the recommendation's section.
  report::Report page = scenarios::build_report(state.evaluation);
  page.title = "podsizer: " + state.spec.app_name;
  page.subtitle = "A policy trained for " + std::to_string(state.training.env_steps) +
                  " environment steps (seed " + std::to_string(state.options.seed) +
                  "), compared with static, vpa, krr and autopilot on " +
                  std::to_string(state.evaluation.scenarios.size()) +
                  " what-if scenarios replayed in closed loop, and its recommendation for " +
                  state.spec.app_name + ".";
  page.headlines.push_back({"Training", static_cast<double>(state.training.env_steps),
                            report::Unit::kCount, "environment steps", "", report::Tone::kNeutral});
  page.headlines.push_back({"Confidence", state.recommendation.recommendation.confidence.value,
                            report::Unit::kNumber, "of the recommendation", "",
                            report::Tone::kNeutral});
  page.sections.insert(page.sections.begin(),
                       scenarios::recommendation_section(state.recommendation));
  page.key_order.push_back("current");
  page.key_order.push_back("recommended");

  const std::string html = path_in(state, "report.html");
  report::write_html_report(page, html);
  state.written.push_back({"report (HTML)", html});
}

void run(const RunOptions& options) {
  const std::vector<Step> steps = {
      {"generate the example app's load", generate_load},
      {"train a policy", train_policy},
      {"export it", export_policy},
      {"evaluate it against static, vpa, krr and autopilot", evaluate_policies},
      {"recommend resources for the example app", recommend_resources},
      {"write the report", write_report},
  };
  RunState state;
  state.options = options;
  state.out = fs::path(options.out_dir);
  auto log = traces::named_logger("cli");

  // Each step announced, timed, and the times kept for the closing summary.
  std::vector<double> seconds;
  const auto job_start = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < steps.size(); ++i) {
    log->info("[{}/{}] {} ...", i + 1, steps.size(), steps[i].what);
    const auto start = std::chrono::steady_clock::now();
    steps[i].run(state);
    seconds.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    log->info("[{}/{}] {}: done in {:.1f} s", i + 1, steps.size(), steps[i].what, seconds.back());
  }
  const double total =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - job_start).count();

  // What it took and what it wrote.
  std::printf("\nsteps\n");
  for (std::size_t i = 0; i < steps.size(); ++i) {
    std::printf("  [%zu/%zu] %-52s %7.1f s\n", i + 1, steps.size(), steps[i].what, seconds[i]);
  }
  std::printf("  %-58s %7.1f s\n", "total", total);
  std::printf("\nwritten\n");
  for (const auto& [what, path] : state.written) {
    std::printf("  %-48s %s\n", what.c_str(), path.c_str());
  }
}

}  // namespace

void add_run_command(CLI::App& app) {
  policies::learned::register_learned_policy();
  auto options = std::make_shared<RunOptions>();
  CLI::App* command = app.add_subcommand(
      "run",
      "Run the whole job on the built-in example application: load, training, export, "
      "evaluation, recommendation, report");
  command->footer(
      "Takes the example application (examples/my-service.yaml, built in) and its default "
      "synthetic load (two weeks at 5-minute steps), trains a policy with the quick training "
      "configuration (examples/train-quick.yaml), exports it with its policy card, evaluates it "
      "against static, vpa, krr and autopilot on the example what-if scenarios (built in), "
      "recommends requests and limits for the app with it, and writes one HTML report. Needs no "
      "file of yours; everything goes to the output folder.");
  command->add_option("--out", options->out_dir, "Output folder, created if needed")
      ->capture_default_str();
  command->add_option("--seed", options->seed, "Seed of the load, the training and the bootstrap")
      ->capture_default_str();
  command
      ->add_option("--train-steps", options->train_steps,
                   "Environment steps to train; default: the quick configuration's")
      ->check(CLI::PositiveNumber);
  command
      ->add_option("--scenario-days", options->scenario_days,
                   "Replay every scenario for this many days; default: each scenario's duration")
      ->check(CLI::PositiveNumber);
  command->add_flag("--quick", options->quick,
                    "A tiny training run and 5-day scenarios: seconds instead of minutes, for "
                    "tests and a first look (the policy is not meant to be good)");
  command->add_option("--threads", options->threads, "Evaluation threads; default: every core")
      ->check(CLI::PositiveNumber);
  command->callback([options] { run(*options); });
}

}  // namespace podsizer::cli
