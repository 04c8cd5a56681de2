#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

#include <tbb/global_control.h>

#include "env/sim_environment.h"
#include "traces/synthetic.h"

using namespace podsizer::env;

namespace {

// Three copies, 6-hour episodes after a 2-hour warm-up, hourly decisions.
SimEnvironmentConfig small_config() {
  SimEnvironmentConfig c;
  c.num_envs = 3;
  c.episode_s = 6 * 3600.0;
  c.warmup_s = 2 * 3600.0;
  return c;
}

// Actions that vary by step and copy, the same on every run.
std::vector<float> actions_for(int step, std::size_t n, std::size_t k) {
  std::vector<float> a(n * k);
  for (std::size_t i = 0; i < a.size(); ++i) {
    a[i] = static_cast<float>(std::sin(0.7 * step + 1.3 * static_cast<double>(i)));
  }
  return a;
}

struct Trajectory {
  std::vector<float> observations;
  std::vector<float> rewards;
  std::vector<std::uint8_t> dones;
};

Trajectory run(const SimEnvironmentConfig& config, std::uint64_t seed, int steps) {
  SimEnvironment env(config);
  Trajectory t;
  t.observations = env.reset(seed);
  StepResult r;
  for (int s = 0; s < steps; ++s) {
    env.step(actions_for(s, env.num_envs(), env.action_size()), r);
    t.observations.insert(t.observations.end(), r.observations.begin(), r.observations.end());
    t.rewards.insert(t.rewards.end(), r.rewards.begin(), r.rewards.end());
    t.dones.insert(t.dones.end(), r.dones.begin(), r.dones.end());
  }
  return t;
}

bool bit_identical(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

}  // namespace

TEST_CASE("env::SimEnvironment: sizes, names and finite first observations", "[env]") {
  SimEnvironment env(small_config());
  CHECK(env.observation_size() == kFeatureCount);
  CHECK(env.action_size() == 4);
  CHECK(env.observation_names().size() == kFeatureCount);
  CHECK(env.episode_steps() == 6);
  const auto obs = env.reset(1);
  REQUIRE(obs.size() == 3 * kFeatureCount);
  for (float v : obs) CHECK(std::isfinite(v));
  CHECK_THROWS_AS(env.step(std::vector<float>(5)), std::invalid_argument);

  auto hpa = small_config();
  hpa.hpa = true;
  CHECK(SimEnvironment(hpa).action_size() == 5);
}

TEST_CASE("env::SimEnvironment: the same seed gives the same trajectory bit for bit", "[env]") {
  const auto a = run(small_config(), 42, 8);
  const auto b = run(small_config(), 42, 8);
  CHECK(bit_identical(a.observations, b.observations));
  CHECK(bit_identical(a.rewards, b.rewards));
  CHECK(a.dones == b.dones);

  // Another seed gives other scenarios.
  const auto c = run(small_config(), 43, 8);
  CHECK_FALSE(bit_identical(a.observations, c.observations));
}

TEST_CASE("env::SimEnvironment: one thread and two give identical experience", "[env]") {
  Trajectory one, two;
  {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, 1);
    one = run(small_config(), 7, 8);
  }
  {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, 2);
    two = run(small_config(), 7, 8);
  }
  CHECK(bit_identical(one.observations, two.observations));
  CHECK(bit_identical(one.rewards, two.rewards));
}

TEST_CASE("env::SimEnvironment: an episode ends after its steps and restarts at once", "[env]") {
  SimEnvironment env(small_config());
  env.reset(5);
  StepResult r;
  double summed = 0;
  const std::size_t history = [] {
    const auto& names = feature_names();
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (names[i] == "history_log1p_hours") return i;
    }
    return std::size_t{0};
  }();

  // Steps 1–5 run on; step 6 ends every copy's 6-hour episode (truncated, not terminal).
  for (int s = 0; s < 6; ++s) {
    env.step(actions_for(s, env.num_envs(), env.action_size()), r);
    summed += r.rewards[0];
    const std::uint8_t expected = s == 5 ? 1 : 0;
    for (std::size_t i = 0; i < env.num_envs(); ++i) {
      CHECK(r.dones[i] == expected);
      CHECK(r.truncated[i] == expected);
    }
  }
  CHECK(r.episode_lengths[0] == 6);
  CHECK(r.episode_returns[0] == Approx(summed).epsilon(1e-5));

  // The final observation has 2 h warm-up + 6 h of history (ln 9); the returned one is the new
  // episode's first, after its 2-hour warm-up (ln 3).
  CHECK(r.final_observations[history] == Approx(std::log(9.0)));
  CHECK(r.observations[history] == Approx(std::log(3.0)));

  // Rewards are O(1): finite and within the documented range for these scenarios.
  for (float v : r.rewards) {
    CHECK(std::isfinite(v));
    CHECK(v < 0);
    CHECK(v > -20);
  }
}

TEST_CASE("env::SimEnvironment: replays windows of a trace pool", "[env]") {
  // A one-day trace stands in for real data; every episode replays a window of it.
  podsizer::traces::SyntheticOptions o;
  o.duration_s = 86400;
  o.seed = 3;
  auto trace = std::make_shared<podsizer::traces::Trace>(podsizer::traces::generate_synthetic(o));
  auto config = small_config();
  config.trace_pool.push_back(trace);
  config.scenario.trace_pool_probability = 1.0;
  SimEnvironment env(config);
  const auto obs = env.reset(2);
  for (float v : obs) CHECK(std::isfinite(v));
  StepResult r;
  for (int s = 0; s < 7; ++s) env.step(actions_for(s, env.num_envs(), env.action_size()), r);
  for (float v : r.rewards) CHECK(std::isfinite(v));
  CHECK(r.dones[0] == 0);  // step 7 is the first of the second episode

  // A pool trace shorter than the warm-up and one decision is refused.
  podsizer::traces::SyntheticOptions short_options;
  short_options.duration_s = 2 * 3600.0;
  config.trace_pool = {std::make_shared<podsizer::traces::Trace>(
      podsizer::traces::generate_synthetic(short_options))};
  CHECK_THROWS_AS(SimEnvironment(config), std::invalid_argument);
}
