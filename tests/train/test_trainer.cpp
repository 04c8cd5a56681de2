#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <vector>

#include "agent/action_mapping.h"
#include "env/action_space.h"
#include "env/features.h"
#include "train/trainer.h"

namespace fs = std::filesystem;
using namespace podsizer;

TEST_CASE("train::to_action_mapping: the exported mapping computes what the environment does",
          "[train]") {
  env::ActionSpaceConfig config;
  config.hpa = true;
  config.max_cpu_millicores = 4000;
  const env::ActionSpace space(config);
  const agent::ActionMapping mapping = train::to_action_mapping(space);
  mapping.validate(env::kFeatureCount, space.action_size());

  // A few references and actions, including out-of-range ones: the same numbers both ways.
  std::vector<float> features(env::kFeatureCount, 0.0f);
  const std::vector<std::vector<float>> actions = {
      {0, 0, 0, 0, 0}, {1, -1, -1, -1, 1}, {-3, 2, 0.5f, -0.25f, -0.7f}};
  // The 7-day peaks and the limit in force set, with and without an OOM kill in the last hour,
  // so the extra centres and the step up are compared too.
  features[env::kCpuMax7dFeature] = 0.4f;
  features[env::kMemoryMax7dFeature] = 0.25f;
  features[env::kMemoryLimitFeature] = 0.9f;
  for (double cpu : {1.0, 250.0, 7000.0}) {
    for (const auto& a : actions) {
      features[env::kOomKills1hFeature] = cpu > 100.0 ? 0.0f : 0.6931f;
      features[env::kCpuRefFeature] = static_cast<float>(std::log(cpu));
      features[env::kMemoryRefFeature] = static_cast<float>(std::log(700.0 * 1024 * 1024));
      std::vector<double> ours(space.action_size()), theirs(space.action_size());
      space.apply(features, a, ours);
      mapping.apply(features, a, theirs);
      for (std::size_t k = 0; k < ours.size(); ++k) {
        INFO("cpu ref " << cpu << " output " << k);
        CHECK(theirs[k] == Approx(ours[k]).epsilon(1e-9));
      }
    }
  }
}

TEST_CASE("train::run_training: a tiny run checkpoints, logs, resumes and exports", "[train]") {
  const fs::path dir = fs::temp_directory_path() / "podsizer_train_test";
  fs::remove_all(dir);

  // Two copies, 8 steps each per iteration, 4 iterations in all, one-day episodes.
  train::TrainConfig config;
  config.num_envs = 2;
  config.total_env_steps = 64;
  config.episode_days = 0.25;
  config.warmup_hours = 2;
  config.eval_every = 2;
  config.eval_episodes = 2;
  config.checkpoint_every = 1;
  config.ppo.steps_per_env = 8;
  config.ppo.minibatch_size = 8;
  config.ppo.epochs = 2;
  config.ppo.hidden_sizes = {16};

  // Half the run, then the rest from the checkpoint.
  const auto first = train::run_training(config, {dir.string(), false, 2});
  CHECK(first.iterations == 2);
  CHECK(first.env_steps == 32);
  CHECK(fs::exists(dir / "checkpoint.pt"));
  CHECK(fs::exists(dir / "metrics.h5"));
  CHECK(fs::exists(dir / "train.yaml"));
  REQUIRE(first.last_evaluation.has_value());
  CHECK(std::isfinite(first.last_evaluation->policy_return));
  CHECK(first.last_evaluation->policy_return < 0);

  const auto second = train::run_training(config, {dir.string(), true, 0});
  CHECK(second.resumed);
  CHECK(second.iterations == 4);
  CHECK(second.env_steps == 64);

  // Export from the run directory.
  train::export_run(dir.string());
  CHECK(fs::file_size(dir / "policy.pt") > 1000);
  fs::remove_all(dir);
}
