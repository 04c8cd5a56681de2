#include "train/commands.h"

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "policies/learned/policy_card.h"
#include "policies/learned/torchscript_policy.h"
#include "train/train_config.h"
#include "train/trainer.h"

namespace podsizer::train {

namespace {

// The card's evaluation table as plain text, one row per policy.
void print_evaluation(const std::string& card_path) {
  const auto card = policies::learned::read_card(card_path);
  std::printf("validation on %s (objective %s; lower score is better)\n",
              card.validation_data.c_str(), card.objective.c_str());
  std::printf("%-12s %8s %12s %12s %10s %10s %10s %10s\n", "policy", "score", "cpu_req_m",
              "mem_req_MiB", "oom/day", "mem>req%", "throttle%", "changes/d");
  for (const auto& row : card.evaluation) {
    auto v = [&](const char* key) {
      const auto found = row.values.find(key);
      return found == row.values.end() ? 0.0 : found->second;
    };
    std::printf("%-12s %8.3f %12.1f %12.1f %10.2f %10.2f %10.2f %10.2f\n", row.policy.c_str(),
                v("score"), v("mean_cpu_request_millicores"), v("mean_memory_request_mib"),
                v("oom_samples_per_day"), v("memory_over_request_percent"),
                v("cpu_throttled_percent"), v("changes_per_day"));
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

}  // namespace podsizer::train
