// The PPO learner: collects rollouts from a VectorEnvironment and updates an actor-critic.
//
// One iterate() call is one PPO iteration:
//   1. Rollout. steps_per_env steps from each of the N copies. Raw observations update the
//      running observation normaliser and are normalised; the policy samples a Gaussian action
//      (see agent/actor_critic.h), the environment receives it clamped to [-1, 1]. Rewards are
//      divided by the running standard deviation of the discounted return. An episode cut by a
//      time limit bootstraps: γ V(final observation) is added to its last reward.
//   2. Advantages by GAE(γ, λ) (agent/gae.h); value targets R = A + V.
//   3. Update. `epochs` passes over the rollout in minibatches shuffled by the learner's own
//      std::mt19937_64; per minibatch the advantages are normalised and the loss
//      policy + value_coef · value - entropy_coef · entropy (agent/ppo_loss.h) takes one
//      Adam step after the global gradient norm is clipped. The learning rate falls
//      linearly to zero over total_iterations. When a minibatch's approximate KL exceeds
//      1.5 × target_kl the iteration stops before applying that step.
//
// Determinism: every random number comes from two generators seeded by PpoConfig::seed (a
// torch CPU generator for initial weights and action noise, a mt19937_64 for shuffles), and the
// constructor calls torch::set_num_threads(num_threads), default 1, because LibTorch's reductions
// may sum in a different order with other thread counts. Under these conditions the same seed and
// environment give bit-identical parameters, and a checkpoint (agent/checkpoint.h) restores the
// learner exactly. The first iterate() resets the environment with PpoConfig::seed; after a
// checkpoint is loaded without an environment state, the next iterate() resets it with a seed
// derived from (seed, iteration), since the old episode cannot be continued.
//
// The definition lives in agent/ppo_impl.h (LibTorch); this header stays light so train/ and
// policies/ compile fast. Not synchronised: one thread drives a learner.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "agent/config.h"
#include "env/environment.h"

namespace podsizer::agent {

// What one iteration did, for logs and curves. Loss figures average the minibatches applied.
struct IterationStats {
  std::size_t iteration = 0;         // iterations completed, this one included
  std::int64_t env_steps = 0;        // environment steps over all copies so far
  double learning_rate = 0.0;        // used in this iteration
  std::size_t episodes = 0;          // episodes that ended during this rollout
  double mean_episode_return = 0.0;  // undiscounted, unscaled; NaN when no episode ended
  double mean_episode_length = 0.0;  // NaN when no episode ended
  double policy_loss = 0.0;
  double value_loss = 0.0;
  double entropy = 0.0;
  double approx_kl = 0.0;  // of the last minibatch considered
  double clip_fraction = 0.0;
  double explained_variance = 0.0;      // 1 - Var(R - V) / Var(R) over the rollout
  double grad_norm = 0.0;               // before clipping, mean over applied steps
  std::size_t minibatch_steps = 0;      // Adam steps applied
  bool stopped_early = false;           // the KL limit ended the epochs
  std::vector<std::string> info_names;  // the environment's logging scalars ...
  std::vector<double> info_means;       // ... averaged over every step of every copy
  double rollout_seconds = 0.0;
  double update_seconds = 0.0;
};

class PpoLearner {
 public:
  // Builds the networks for `env`'s sizes. Throws std::invalid_argument for a bad config.
  PpoLearner(const PpoConfig& config, const env::VectorEnvironment& env);
  ~PpoLearner();
  PpoLearner(const PpoLearner&) = delete;
  PpoLearner& operator=(const PpoLearner&) = delete;

  // One rollout and one update. REQUIRES: `env` has the sizes the learner was built for
  // (throws std::invalid_argument otherwise) and is the same environment on every call.
  IterationStats iterate(env::VectorEnvironment& env);

  // Deterministic actions (the policy mean clamped to [-1, 1]) for raw observations
  // [rows × observation_size] into `actions` [rows × action_size]. Does not move the normaliser.
  void act(std::span<const float> observations, std::span<float> actions) const;

  // Every parameter (network weights and log-std) concatenated in registration order.
  std::vector<float> parameters() const;

  // The policy's standard deviation per action dimension.
  std::vector<float> action_std() const;

  const PpoConfig& config() const;
  std::size_t observation_size() const;
  std::size_t action_size() const;
  std::size_t num_envs() const;
  std::size_t iteration() const;
  std::int64_t env_steps() const;

  // The learner's insides, for agent/checkpoint.cpp and agent/export.cpp only.
  struct Impl;
  Impl& impl() { return *impl_; }
  const Impl& impl() const { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace podsizer::agent
