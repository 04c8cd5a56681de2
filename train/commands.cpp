#include "train/commands.h"

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "policies/learned/policy_card.h"
#include "policies/learned/torchscript_policy.h"
#include "policies/backtest.h"
#include "traces/errors.h"
#include "train/fleet.h"
#include "train/train_config.h"
#include "train/trainer.h"

namespace podsizer::train {

namespace {

// The card's evaluation table as plain text, one row per policy; the closed-loop columns when
// the validation replayed the traces in closed loop.
void print_evaluation(const std::string& card_path) {
  const auto card = policies::learned::read_card(card_path);
  std::printf("validation on %s (objective %s; lower score is better)\n",
              card.validation_data.c_str(), card.objective.c_str());
  const bool closed_loop = !card.evaluation.empty() &&
                           card.evaluation.front().values.contains("closed_loop_oom_kills");
  std::printf("%-12s %8s %12s %12s %10s %10s %10s %10s", "policy", "score", "cpu_req_m",
              "mem_req_MiB", "oom/day", "mem>req%", "throttle%", "changes/d");
  if (closed_loop) std::printf(" | %10s %8s %8s", "OOM kills", "evict", "SLO h");
  std::printf("\n");
  for (const auto& row : card.evaluation) {
    auto v = [&](const char* key) {
      const auto found = row.values.find(key);
      return found == row.values.end() ? 0.0 : found->second;
    };
    std::printf("%-12s %8.3f %12.1f %12.1f %10.2f %10.2f %10.2f %10.2f", row.policy.c_str(),
                v("score"), v("mean_cpu_request_millicores"), v("mean_memory_request_mib"),
                v("oom_samples_per_day"), v("memory_over_request_percent"),
                v("cpu_throttled_percent"), v("changes_per_day"));
    if (closed_loop) {
      std::printf(" | %10.0f %8.0f %8.1f", v("closed_loop_oom_kills"), v("closed_loop_evictions"),
                  v("closed_loop_slo_violation_hours"));
    }
    std::printf("\n");
  }
}

}  // namespace

void add_train_command(CLI::App& app) {
  policies::learned::register_learned_policy();
  struct Options {
    std::string config;
    std::string out = "runs/train";
    bool resume = false;
    bool no_export = false;
    std::size_t max_iterations = 0;
  };
  auto options = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "train", "Train a PPO policy on simulated replays (progress, checkpoints, metric log), "
               "then export it and compare it with the baselines on the validation traces");
  cmd->add_option("--config", options->config,
                  "Training YAML (train/train_config.h lists every key and default); "
                  "default: the embedded defaults")
      ->check(CLI::ExistingFile);
  cmd->add_option("--out", options->out,
                  "Run directory (train.yaml, checkpoint.pt, best.pt, metrics.h5, policy.pt)")
      ->capture_default_str();
  cmd->add_flag("--resume", options->resume, "Continue from the run directory's checkpoint");
  cmd->add_option("--max-iterations", options->max_iterations,
                  "Stop after this many iterations in this call (0: run to the end)");
  cmd->add_flag("--no-export", options->no_export,
                "Do not export RUN/policy.pt and its card at the end");
  cmd->callback([options] {
    const TrainConfig config =
        options->config.empty() ? TrainConfig{} : load_train_config(options->config);
    const TrainSummary summary =
        run_training(config, {options->out, options->resume, options->max_iterations});
    std::printf("trained %zu iterations, %lld environment steps in %.0f s (%.0f steps/s)%s\n",
                summary.iterations, static_cast<long long>(summary.env_steps), summary.seconds,
                summary.seconds > 0 ? static_cast<double>(summary.env_steps) / summary.seconds
                                    : 0.0,
                summary.stopped_early ? ", stopped early" : "");
    if (options->no_export) return;
    const std::string policy = options->out + "/policy.pt";
    export_run(options->out, policy);
    print_evaluation(policies::learned::card_path_for(policy));
  });
}

void add_export_command(CLI::App& app) {
  policies::learned::register_learned_policy();
  struct Options {
    std::string checkpoint;
    std::string run;
    std::string out;
  };
  auto options = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "export", "Write a trained policy as TorchScript with its policy card (POLICY.card.yaml)");
  cmd->add_option("--checkpoint", options->checkpoint,
                  "Checkpoint written by `podsizer train` (its folder holds train.yaml)");
  cmd->add_option("--run", options->run,
                  "Run directory instead of --checkpoint: its best.pt, else checkpoint.pt");
  cmd->add_option("--out", options->out, "Output policy file, e.g. POLICY.pt (default: "
                                         "RUN/policy.pt, or policy.pt beside the checkpoint)");
  cmd->callback([options] {
    if (options->checkpoint.empty() == options->run.empty()) {
      throw CLI::ValidationError("export", "give exactly one of --checkpoint and --run");
    }
    std::string card;
    if (!options->run.empty()) {
      const std::string out = options->out.empty() ? options->run + "/policy.pt" : options->out;
      export_run(options->run, out);
      card = policies::learned::card_path_for(out);
    } else {
      const std::string out =
          options->out.empty()
              ? (std::filesystem::path(options->checkpoint).parent_path() / "policy.pt").string()
              : options->out;
      card = export_checkpoint(options->checkpoint, out);
    }
    print_evaluation(card);
  });
}

void add_validate_command(CLI::App& app) {
  policies::learned::register_learned_policy();
  struct Options {
    std::string config;
    std::vector<std::string> traces;
    std::string policies = "vpa,krr,autopilot";
    std::string reference = "vpa";
    std::string bar_policy;
    std::string interval = "1h";
    bool no_closed_loop = false;
    bool require_bar = false;
    bool per_trace = false;
  };
  auto options = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "validate", "Compare policies over many histories (backtest and closed loop), by source, "
                  "and check one against the bar: requests 15 % under the reference's with no "
                  "more OOM kills, evictions or SLO violation");
  cmd->add_option("--config", options->config,
                  "Training YAML whose validation.traces are the histories")
      ->check(CLI::ExistingFile);
  cmd->add_option("--traces", options->traces,
                  "History files or folders (history CSV, Bitbrains, Google 2019, .h5 store)");
  cmd->add_option("--policies", options->policies,
                  "Comma-separated policies: vpa, krr, autopilot, autopilot-ml, static, "
                  "POLICY.pt")
      ->capture_default_str();
  cmd->add_option("--reference", options->reference, "The policy to beat")->capture_default_str();
  cmd->add_option("--bar", options->bar_policy,
                  "Policy to check against the bar (default: the first .pt of --policies)");
  cmd->add_option("--interval", options->interval, "Time between decisions")
      ->capture_default_str();
  cmd->add_flag("--no-closed-loop", options->no_closed_loop, "Backtests only");
  cmd->add_flag("--per-trace", options->per_trace, "Also a row per history and policy");
  cmd->add_flag("--require-bar", options->require_bar,
                "Exit with an error when the checked policy misses a criterion over all the "
                "histories");
  cmd->callback([options] {
    // The histories: named files, or the validation split of a training configuration.
    std::vector<std::string> paths = options->traces;
    if (!options->config.empty()) {
      const TrainConfig config = load_train_config(options->config);
      paths.insert(paths.end(), config.validation_paths.begin(), config.validation_paths.end());
    }
    if (paths.empty()) {
      throw CLI::ValidationError("validate", "give --traces or a --config with validation.traces");
    }
    std::vector<std::string> names;
    for (std::size_t start = 0; start <= options->policies.size();) {
      const std::size_t comma = std::min(options->policies.find(',', start),
                                         options->policies.size());
      if (comma > start) names.push_back(options->policies.substr(start, comma - start));
      start = comma + 1;
    }
    if (std::find(names.begin(), names.end(), options->reference) == names.end()) {
      names.insert(names.begin(), options->reference);
    }
    std::string bar = options->bar_policy;
    for (const auto& name : names) {
      if (bar.empty() && name.ends_with(".pt")) bar = name;
    }
    if (!bar.empty() && std::find(names.begin(), names.end(), bar) == names.end()) {
      names.push_back(bar);
    }

    FleetOptions fleet_options;
    try {
      fleet_options.interval_s = policies::parse_duration_s(options->interval);
    } catch (const std::invalid_argument& e) {
      throw traces::InputError("command line", 0, "--interval", e.what());
    }
    fleet_options.closed_loop = !options->no_closed_loop;
    const std::vector<FleetTrace> fleet = read_fleet(paths);
    const FleetComparison comparison = compare_fleet(fleet, names, fleet_options);
    std::printf("%zu histories, decisions every %s; request figures are means over histories, "
                "closed-loop events sums\n",
                fleet.size(), options->interval.c_str());
    std::printf("%s", format_fleet(comparison, options->reference, fleet_options.closed_loop)
                          .c_str());
    if (options->per_trace) std::printf("%s", format_fleet_traces(comparison, fleet).c_str());
    if (bar.empty()) return;
    const auto checks =
        check_bar(comparison, bar, options->reference, 0.15, fleet_options.closed_loop);
    std::printf("\nthe bar for %s against %s:\n%s", bar.c_str(), options->reference.c_str(),
                format_bar(checks).c_str());
    // The verdict is over the whole set of histories; a source's own misses are named.
    bool passed = true;
    std::string missed_by_source;
    for (const BarCheck& c : checks) {
      if (c.passed) continue;
      if (c.source == "all") {
        passed = false;
      } else {
        missed_by_source += (missed_by_source.empty() ? "" : ", ") + c.source + " " + c.what;
      }
    }
    std::printf("the bar is %s over all %zu histories\n", passed ? "met" : "missed",
                fleet.size());
    if (!missed_by_source.empty()) {
      std::printf("by source, missed: %s\n", missed_by_source.c_str());
    }
    if (options->require_bar && !passed) {
      throw std::runtime_error(bar + " misses the bar against " + options->reference);
    }
  });
}

}  // namespace podsizer::train
