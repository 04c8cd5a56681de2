#include <catch2/catch.hpp>

#include <string>

#include "traces/errors.h"
#include "train/train_config.h"

using namespace podsizer::train;
using podsizer::traces::InputError;

TEST_CASE("train::TrainConfig: an empty file keeps every default", "[train]") {
  const TrainConfig c = parse_train_config("", "empty.yaml");
  CHECK(c.seed == 1);
  CHECK(c.total_env_steps == 200'000);
  CHECK(c.num_envs == 16);
  CHECK(c.eval_every == 10);
  CHECK(c.patience == 5);
  CHECK(c.validation_paths.empty());
  CHECK(c.decision_interval_s == 3600);
  CHECK(c.episode_days == 7);
  CHECK_FALSE(c.hpa);
  CHECK(c.ppo.steps_per_env == 128);
}

TEST_CASE("train::TrainConfig: reads every section", "[train]") {
  const TrainConfig c = parse_train_config(R"(seed: 9
total_env_steps: 5000
num_envs: 4
environment:
  objective: reliability
  episode_days: 2
  hpa: true
ppo:
  hidden_sizes: [32, 16]
  learning_rate: 0.001
)",
                                           "run.yaml");
  CHECK(c.seed == 9);
  CHECK(c.ppo.seed == 9);  // the learner follows the run's seed
  CHECK(c.total_env_steps == 5000);
  CHECK(c.num_envs == 4);
  REQUIRE(c.objective.has_value());
  CHECK(*c.objective == podsizer::traces::Objective::kReliability);
  CHECK(c.episode_days == 2);
  CHECK(c.hpa);
  CHECK(c.ppo.hidden_sizes == std::vector<std::size_t>{32, 16});
  CHECK(c.ppo.learning_rate == 0.001);

  // The environment it describes: two-day episodes, HPA on, reliability weights.
  const auto e = environment_config(c, 3);
  CHECK(e.num_envs == 3);
  CHECK(e.episode_s == 2 * 86400.0);
  CHECK(e.hpa);
  CHECK(e.app.objective == podsizer::traces::Objective::kReliability);
}

TEST_CASE("train::TrainConfig: errors name the file, line and field", "[train]") {
  // An unknown key on line 3 of the environment section.
  try {
    parse_train_config("seed: 1\nenvironment:\n  episode_dayz: 3\n", "bad.yaml");
    FAIL("no error");
  } catch (const InputError& e) {
    CHECK(e.file() == "bad.yaml");
    CHECK(e.line() == 3);
    CHECK(e.field() == "environment.episode_dayz");
  }

  // A number that is not one, on line 2.
  try {
    parse_train_config("seed: 1\nnum_envs: many\n", "bad.yaml");
    FAIL("no error");
  } catch (const InputError& e) {
    CHECK(e.line() == 2);
    CHECK(e.field() == "num_envs");
  }

  // The learner's own checks surface against the ppo section.
  CHECK_THROWS_AS(parse_train_config("ppo:\n  gamma: 1.5\n", "bad.yaml"), InputError);
  CHECK_THROWS_AS(parse_train_config("environment:\n  objective: cheap\n", "bad.yaml"),
                  InputError);
  CHECK_THROWS_AS(parse_train_config("environment:\n  decision_interval_s: 100\n", "bad.yaml"),
                  InputError);
}

TEST_CASE("train::TrainConfig: to_yaml reads back to the same values", "[train]") {
  TrainConfig c;
  c.seed = 17;
  c.num_envs = 5;
  c.objective = podsizer::traces::Objective::kSavings;
  c.hpa = true;
  c.ppo.hidden_sizes = {8, 8, 8};
  c.ppo.clip_range = 0.1;
  const TrainConfig back = parse_train_config(to_yaml(c), "round.yaml");
  CHECK(back.seed == 17);
  CHECK(back.num_envs == 5);
  CHECK(back.objective == c.objective);
  CHECK(back.hpa);
  CHECK(back.ppo.hidden_sizes == c.ppo.hidden_sizes);
  CHECK(back.ppo.clip_range == 0.1);
}
