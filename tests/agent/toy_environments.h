// Two tiny VectorEnvironments with known optimal policies, for the learner's tests.
//
// BanditEnvironment: one-step episodes, a constant observation,
// reward −Σ_j (a_j − target_j)². The best deterministic action is the target itself.
// TrackingEnvironment: each episode draws a target uniformly in [-0.8, 0.8] from the copy's own
// mt19937_64; the observation is (target, step / length); reward −(a − target)²;
// episodes are cut by a time limit after `length` steps (truncated, so the learner
// bootstraps). It offers save_state()/load_state() so checkpoints can continue its stream exactly.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iomanip>
#include <optional>
#include <random>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "env/environment.h"

namespace podsizer::agent::testing {

class BanditEnvironment : public env::VectorEnvironment {
 public:
  BanditEnvironment(std::size_t copies, std::vector<float> targets)
      : copies_(copies), targets_(std::move(targets)) {}

  std::size_t observation_size() const override { return 1; }
  std::size_t action_size() const override { return targets_.size(); }
  std::size_t num_envs() const override { return copies_; }

 protected:
  void reset_impl(std::uint64_t, std::span<float> observations) override {
    std::fill(observations.begin(), observations.end(), 1.0f);
  }

  void step_impl(std::span<const float> actions, env::StepResult& result) override {
    for (std::size_t i = 0; i < copies_; ++i) {
      double reward = 0.0;
      for (std::size_t j = 0; j < targets_.size(); ++j) {
        const double miss = actions[i * targets_.size() + j] - targets_[j];
        reward -= miss * miss;
      }
      result.rewards[i] = static_cast<float>(reward);
      result.dones[i] = 1;
      result.observations[i] = 1.0f;
      result.final_observations[i] = 1.0f;
      result.episode_returns[i] = reward;
      result.episode_lengths[i] = 1;
    }
  }

 private:
  std::size_t copies_;
  std::vector<float> targets_;
};

class TrackingEnvironment : public env::VectorEnvironment {
 public:
  TrackingEnvironment(std::size_t copies, int length)
      : copies_(copies),
        length_(length),
        rngs_(copies),
        targets_(copies),
        steps_(copies),
        returns_(copies) {}

  std::size_t observation_size() const override { return 2; }
  std::size_t action_size() const override { return 1; }
  std::size_t num_envs() const override { return copies_; }

  const std::vector<std::string>& info_names() const override { return info_names_; }

  std::optional<std::string> save_state() const override {
    std::ostringstream out;
    out << std::setprecision(17);
    for (std::size_t i = 0; i < copies_; ++i) {
      out << rngs_[i] << ' ' << targets_[i] << ' ' << steps_[i] << ' ' << returns_[i] << ' ';
    }
    return out.str();
  }

  void load_state(std::string_view state) override {
    std::istringstream in{std::string(state)};
    for (std::size_t i = 0; i < copies_; ++i) {
      in >> rngs_[i] >> targets_[i] >> steps_[i] >> returns_[i];
    }
    if (!in) throw std::invalid_argument("TrackingEnvironment: bad state");
  }

 protected:
  void reset_impl(std::uint64_t seed, std::span<float> observations) override {
    for (std::size_t i = 0; i < copies_; ++i) {
      rngs_[i].seed(seed * 1000003ULL + i);
      start_episode(i, observations);
    }
  }

  void step_impl(std::span<const float> actions, env::StepResult& result) override {
    for (std::size_t i = 0; i < copies_; ++i) {
      const double miss = actions[i] - targets_[i];
      const double reward = -miss * miss;
      result.rewards[i] = static_cast<float>(reward);
      result.info_values[i] = std::abs(miss);
      returns_[i] += reward;
      ++steps_[i];
      write_observation(i, result.observations);
      if (steps_[i] == length_) {
        std::copy_n(result.observations.begin() + 2 * i, 2,
                    result.final_observations.begin() + 2 * i);
        result.dones[i] = 1;
        result.truncated[i] = 1;
        result.episode_returns[i] = returns_[i];
        result.episode_lengths[i] = length_;
        start_episode(i, result.observations);
      }
    }
  }

 private:
  void start_episode(std::size_t i, std::span<float> observations) {
    // 53 random bits scaled to [0, 1): independent of the standard library's distributions.
    const double unit = static_cast<double>(rngs_[i]() >> 11) * 0x1.0p-53;
    targets_[i] = -0.8 + 1.6 * unit;
    steps_[i] = 0;
    returns_[i] = 0.0;
    write_observation(i, observations);
  }

  void write_observation(std::size_t i, std::span<float> observations) const {
    observations[2 * i] = static_cast<float>(targets_[i]);
    observations[2 * i + 1] = static_cast<float>(steps_[i]) / static_cast<float>(length_);
  }

  std::size_t copies_;
  int length_;
  std::vector<std::mt19937_64> rngs_;
  std::vector<double> targets_;
  std::vector<int> steps_;
  std::vector<double> returns_;
  std::vector<std::string> info_names_{"abs_miss"};
};

}  // namespace podsizer::agent::testing
