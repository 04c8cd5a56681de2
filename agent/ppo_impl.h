// The state of a PpoLearner: everything a checkpoint saves and an export reads.
//
// Internal to agent/ (includes LibTorch). Rollout buffers are time-major tensors
// [steps_per_env, num_envs, ...] allocated once; `observations` holds the raw observations the
// environment returned last, from which the next rollout continues.
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <vector>

#include <torch/torch.h>

#include "agent/actor_critic.h"
#include "agent/config.h"
#include "agent/ppo.h"
#include "agent/running_stats.h"
#include "env/environment.h"

namespace podsizer::agent {

struct PpoLearner::Impl {
  Impl(const PpoConfig& config, std::size_t observation_size, std::size_t action_size,
       std::size_t num_envs);

  // Normalises raw rows (or copies them when normalisation is off) into `out`.
  void normalize(std::span<const float> raw, std::span<float> out) const;

  // Runs one PPO iteration; see agent/ppo.h.
  IterationStats iterate(env::VectorEnvironment& env);

  // The steps of an iteration. collect_rollout() fills the rollout buffers from `env` and the
  // episode figures of `stats`; compute_advantages() turns them into advantages and value
  // targets; update() runs the epochs of minibatch steps and fills the loss figures.
  void collect_rollout(env::VectorEnvironment& env, IterationStats& stats);
  void compute_advantages(IterationStats& stats);
  void update(IterationStats& stats);

  PpoConfig config;
  std::size_t observation_size;
  std::size_t action_size;
  std::size_t num_envs;

  // Randomness: the torch generator feeds initial weights and action noise, the mt19937_64 the
  // minibatch order.
  torch::Generator generator;
  std::mt19937_64 shuffle_rng;

  ActorCritic model{nullptr};
  std::unique_ptr<torch::optim::Adam> optimizer;
  ObservationNormalizer observation_normalizer;
  ReturnScaler return_scaler;

  // Where the experience stream stands.
  std::vector<float> observations;  // raw, [num_envs × observation_size]
  bool needs_reset = true;
  std::size_t iteration = 0;
  std::int64_t env_steps = 0;

  // Rollout buffers, reused every iteration.
  torch::Tensor rollout_observations;  // [T, N, O] normalised
  torch::Tensor rollout_actions;       // [T, N, A] raw Gaussian samples
  torch::Tensor rollout_log_probs;     // [T, N]
  torch::Tensor rollout_values;        // [T, N]
  std::vector<float> rollout_rewards;  // [T × N] scaled, bootstrap included
  std::vector<std::uint8_t> rollout_dones;
  std::vector<float> advantages;
  std::vector<float> returns;
  env::StepResult step_result;
  std::vector<float> env_actions;  // clamped actions handed to the environment
  std::vector<float> scaled_rewards;
  std::vector<float> normalized_scratch;
  std::vector<std::int64_t> sample_order;
};

}  // namespace podsizer::agent
