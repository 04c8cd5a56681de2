#include <catch2/catch.hpp>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "agent/ppo.h"
#include "toy_environments.h"

using namespace podsizer::agent;
using podsizer::agent::testing::BanditEnvironment;
using podsizer::agent::testing::TrackingEnvironment;

namespace {

PpoConfig small_config() {
  PpoConfig config;
  config.hidden_sizes = {16, 16};
  config.steps_per_env = 16;
  config.minibatch_size = 64;
  config.epochs = 4;
  config.learning_rate = 3e-3;
  config.seed = 7;
  return config;
}

}  // namespace

TEST_CASE("agent::PpoLearner: finds the optimum of a continuous bandit", "[agent]") {
  // Reward −(a₀ − 0.3)² − (a₁ + 0.5)²: the best deterministic action is (0.3, −0.5).
  // The mean starts near 0 (head gain 0.01), so 0.3 and 0.5 must be travelled; 40 iterations of
  // 16 copies × 16 steps are ample, and 0.05 is well below the initial error.
  BanditEnvironment env(16, {0.3f, -0.5f});
  PpoConfig config = small_config();
  config.total_iterations = 40;
  PpoLearner learner(config, env);
  std::vector<float> action(2);
  learner.act(std::vector<float>{1.0f}, action);
  const double initial_error = std::abs(action[0] - 0.3) + std::abs(action[1] + 0.5);

  IterationStats stats;
  for (int i = 0; i < 40; ++i) stats = learner.iterate(env);
  learner.act(std::vector<float>{1.0f}, action);

  INFO("mean action " << action[0] << ", " << action[1] << "; last return "
                      << stats.mean_episode_return);
  CHECK(initial_error > 0.7);
  CHECK(action[0] == Approx(0.3).margin(0.05));
  CHECK(action[1] == Approx(-0.5).margin(0.05));
  CHECK(stats.iteration == 40);
  CHECK(stats.env_steps == 40 * 16 * 16);
  CHECK(stats.episodes == 16 * 16);
  CHECK(stats.mean_episode_return > -0.2);
}

TEST_CASE("agent::PpoLearner: the same seed gives bit-identical parameters", "[agent]") {
  auto run = [](std::uint64_t seed) {
    TrackingEnvironment env(4, 5);
    PpoConfig config = small_config();
    config.seed = seed;
    PpoLearner learner(config, env);
    for (int i = 0; i < 3; ++i) learner.iterate(env);
    return learner.parameters();
  };
  const std::vector<float> first = run(11);
  const std::vector<float> second = run(11);
  const std::vector<float> other = run(12);

  REQUIRE(first.size() == second.size());
  CHECK(first == second);
  CHECK(first != other);
}

TEST_CASE("agent::PpoLearner: reports episodes and the environment's scalars", "[agent]") {
  // 4 copies × 16 steps with episodes of 5 steps: each copy ends episodes at steps 5, 10, 15,
  // so 3 × 4 = 12 episodes of length 5 end in the first rollout.
  TrackingEnvironment env(4, 5);
  PpoLearner learner(small_config(), env);

  const IterationStats stats = learner.iterate(env);

  CHECK(stats.episodes == 12);
  CHECK(stats.mean_episode_length == 5.0);
  CHECK(stats.mean_episode_return < 0.0);
  REQUIRE(stats.info_names == std::vector<std::string>{"abs_miss"});
  CHECK(stats.info_means[0] > 0.0);
  CHECK(stats.minibatch_steps > 0);
  CHECK(std::isfinite(stats.value_loss));
}

TEST_CASE("agent::PpoLearner: refuses a bad configuration or a mismatched environment", "[agent]") {
  TrackingEnvironment env(2, 5);
  PpoConfig config = small_config();
  config.clip_range = 1.5;
  CHECK_THROWS_WITH(PpoLearner(config, env), Catch::Contains("PpoConfig.clip_range"));

  PpoLearner learner(small_config(), env);
  TrackingEnvironment wider(3, 5);
  CHECK_THROWS_AS(learner.iterate(wider), std::invalid_argument);
}
