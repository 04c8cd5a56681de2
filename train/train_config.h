// TrainConfig: everything a training run needs, read from a YAML file with documented defaults.
//
// The file has three parts; every key is optional and unknown keys are refused with the file,
// line and dotted field (a misspelt key would otherwise silently change the run):
//
//   seed: 1                      # drives the learner and the environment's scenarios
//   total_env_steps: 200000      # environment steps over all copies (a few minutes on 2 cores)
//   num_envs: 16                 # copies stepped in parallel
//   env_threads: 2               # TBB threads for the environment (0: all cores)
//   checkpoint_every: 10         # iterations between checkpoints (and metric log writes)
//   eval_every: 10               # iterations between evaluations; 0: only at the end
//   eval_episodes: 8             # evaluation copies, one episode each, fixed seed eval_seed
//   eval_seed: 1000003
//   environment:
//     app: examples/my-service.yaml   # app spec (SLO, prices, objective); default: embedded
//     objective: balanced             # savings | balanced | reliability; default: the app's
//     decision_interval_s: 3600
//     episode_days: 7
//     warmup_hours: 6
//     hpa: false                      # true: HPA on, its target a fifth action
//     scrape_interval_s: 60
//     traces: [a.csv, store.h5]       # optional pool of real traces (history CSV or HDF5 store)
//   validation:
//     traces: [v.csv, dir/]           # held-out files (a directory: its files); removed from the
//                                     # training pool; default: 3 synthetic histories
//     patience: 5                     # evaluations without a better validation score before
//                                     # training stops; 0: never stop early
//     closed_loop: true               # also replay each trace in closed loop and score what the
//                                     # policy's settings caused (train/validation.h)
//   ppo:                              # agent::PpoConfig, same names and defaults (agent/config.h)
//     hidden_sizes: [64, 64]
//     steps_per_env: 128
//     ...
//
// Plain functions over values; safe to call from several threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/config.h"
#include "env/sim_environment.h"
#include "traces/app_spec.h"

namespace podsizer::train {

struct TrainConfig {
  std::uint64_t seed = 1;
  std::int64_t total_env_steps = 200'000;
  std::size_t num_envs = 16;
  int env_threads = 2;
  std::size_t checkpoint_every = 10;
  std::size_t eval_every = 10;
  std::size_t eval_episodes = 8;
  std::uint64_t eval_seed = 1'000'003;

  std::string app_path;  // empty: the embedded default app
  std::optional<traces::Objective> objective;
  double decision_interval_s = 3600;
  double episode_days = 7;
  double warmup_hours = 6;
  bool hpa = false;
  double scrape_interval_s = 60;
  std::vector<std::string> trace_paths;

  std::vector<std::string> validation_paths;
  std::size_t patience = 5;
  bool closed_loop_validation = true;

  agent::PpoConfig ppo;

  std::string source_file;  // for messages
};

// Reads and checks a configuration. Throws traces::InputError naming file, line and field.
TrainConfig load_train_config(const std::string& path);
TrainConfig parse_train_config(std::string_view yaml_text, const std::string& file_name);

// The configuration as YAML, every key written (so a run directory records what it used).
std::string to_yaml(const TrainConfig& config);

// The environment a configuration describes, with `copies` copies: reads the app spec and the
// trace pool. Throws traces::InputError for unreadable files.
env::SimEnvironmentConfig environment_config(const TrainConfig& config, std::size_t copies);

}  // namespace podsizer::train
