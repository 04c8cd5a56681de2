// A training run: PPO over SimEnvironment, with progress, checkpoints, a metric log, periodic
// evaluation and export.
//
// A run lives in one directory:
//   train.yaml     the configuration actually used (every key written)
//   checkpoint.pt  the learner (agent/checkpoint.h), replaced atomically every checkpoint_every
//                  iterations and at the end
//   metrics.h5     the per-iteration log (/iterations, one float64 dataset per column) and the
//                  evaluations (/evaluations), rewritten atomically with each checkpoint
//   policy.pt      after export_run(): the TorchScript policy (agent/export.h)
//
// Resume: with TrainOptions::resume and a checkpoint in the directory, the learner and the
// metric log are restored and training continues to total_env_steps. SimEnvironment keeps no
// savable state, so after a reload the learner restarts episodes with a seed derived from
// (seed, iteration) (agent/ppo.h). An uninterrupted run reloads its own checkpoint after writing
// it, so it takes the same path: a run stopped at any point and resumed from its last
// checkpoint gives the same metric log, bit for bit, as a run never stopped (apart from the
// measured steps_per_second).
//
// Evaluation: the deterministic policy (mean action) and the reference rule (action 0: CPU
// request at the 24 h p95, memory request at 1.2 × the 24 h peak, the centres of
// env/action_space.h, close to what VPA's recommender sets) each play one episode on
// eval_episodes copies seeded with eval_seed, so both see identical scenarios; the log records
// their mean returns and reward terms. Comparisons against the policies of policies/ (vpa, krr)
// belong to `podsizer evaluate`, which may depend on train/; train/ may not depend on policies/.
//
// Validation (train/validation.h): at every evaluation the deterministic policy is also
// backtested on the validation traces and scored against VPA's recommender (backtested once at
// the start); the log records both scores. A better validation score saves the learner to
// best.pt; after `patience` evaluations without one the run stops early. Export takes best.pt
// when present, and writes the policy card (policies/learned/policy_card.h) beside the policy
// with the validation table of the exported policy, vpa, krr and autopilot.
//
// Not synchronised: one run per directory at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/action_mapping.h"
#include "agent/ppo.h"
#include "env/action_space.h"
#include "train/train_config.h"

namespace podsizer::train {

struct Evaluation {
  std::size_t iteration = 0;
  std::int64_t env_steps = 0;
  double policy_return = 0, reference_return = 0;  // mean undiscounted episode return
  double policy_cost_term = 0, reference_cost_term = 0;  // mean per step (env/reward.h)
  double policy_slo_term = 0, reference_slo_term = 0;
  double policy_oom_kills = 0, reference_oom_kills = 0;  // mean per episode
  double validation_score = 0, vpa_validation_score = 0;  // train/validation.h; lower is better
};

struct TrainOptions {
  std::string out_dir;
  bool resume = false;
  std::size_t max_iterations = 0;  // stop after this many iterations in this call; 0: no limit
};

struct TrainSummary {
  std::size_t iterations = 0;  // of the learner, resumed ones included
  std::int64_t env_steps = 0;
  double seconds = 0;          // wall time of this call
  bool resumed = false;
  std::optional<Evaluation> last_evaluation;
  std::optional<double> best_validation_score;
  double vpa_validation_score = 0;
  bool stopped_early = false;  // patience ran out
};

// Runs (or resumes) training. Throws traces::InputError for unreadable inputs or an output
// directory that cannot be written, std::invalid_argument for a bad configuration.
TrainSummary run_training(const TrainConfig& config, const TrainOptions& options);

// Reads one table ("/iterations" or "/evaluations") of a metric log, column by column.
std::map<std::string, std::vector<double>> read_metrics(const std::string& path,
                                                        const std::string& table);

// Plays the evaluation described above.
Evaluation evaluate(const agent::PpoLearner& learner, const TrainConfig& config);

// The action space as the exported module's mapping (field for field).
agent::ActionMapping to_action_mapping(const env::ActionSpace& space);

// Exports the policy of the run in `run_dir` to `out_path` (default run_dir/policy.pt) with the
// feature names, the mapping and metadata (objective, scenario description, last evaluation).
void export_run(const std::string& run_dir, const std::string& out_path = "");

// Exports the learner saved in `checkpoint` (its run directory's train.yaml describes it) to
// `out_path` and writes the policy card beside it (POLICY.card.yaml), then loads the result back
// through the learned-policy loader as a check. Returns the card's path.
std::string export_checkpoint(const std::string& checkpoint, const std::string& out_path);

}  // namespace podsizer::train
