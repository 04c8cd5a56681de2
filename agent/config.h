// Hyperparameters of the actor-critic network and the PPO learner, in one struct.
//
// The defaults are the values that are commonly reported to work for continuous control with
// PPO (clip 0.2, GAE λ 0.95, Adam 3e-4 with ε 1e-5, 10 epochs, gradient norm 0.5), scaled down
// for short rollouts. validate() throws std::invalid_argument naming the first bad field, so a
// training configuration read from a file can be checked before anything runs.
// A plain value type: copy freely.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace podsizer::agent {

struct PpoConfig {
  // Network. Two separate tanh MLPs, one for the policy mean and one for the value.
  std::vector<std::size_t> hidden_sizes{64, 64};
  double initial_log_std = -0.5;  // state-independent log standard deviation at start (σ≈0.61)

  // Rollout: each iteration collects steps_per_env steps from each copy of the environment.
  std::size_t steps_per_env = 128;

  // Returns and advantages.
  double gamma = 0.99;       // discount
  double gae_lambda = 0.95;  // λ of generalised advantage estimation

  // Optimisation.
  std::size_t epochs = 10;           // passes over the rollout per iteration
  std::size_t minibatch_size = 64;   // samples per gradient step (the last one may be smaller)
  double learning_rate = 3e-4;       // Adam step size at iteration 0
  bool anneal_learning_rate = true;  // linear decay to 0 over total_iterations
  std::size_t total_iterations = 0;  // horizon of the decay; 0 keeps the rate constant
  double adam_epsilon = 1e-5;
  double max_grad_norm = 0.5;  // global gradient-norm clip; <= 0 disables it

  // Loss.
  double clip_range = 0.2;           // ε of the clipped surrogate: ratio kept in [1-ε, 1+ε]
  double value_clip_range = 0.2;     // clip of the value change around the old value; <= 0 off
  double value_coef = 0.5;           // weight of the value loss
  double entropy_coef = 0.0;         // weight of the entropy bonus
  double target_kl = 0.03;           // stop the epochs when approx KL > 1.5 × this; <= 0 off
  bool normalize_advantages = true;  // per minibatch: zero mean, unit standard deviation

  // Normalisation of inputs and rewards.
  bool normalize_observations = true;
  double observation_clip = 10.0;  // normalised observations are clipped to ±this
  bool scale_rewards = true;       // divide rewards by the running std of the discounted return
  double reward_clip = 10.0;       // scaled rewards are clipped to ±this
  double normalizer_epsilon = 1e-8;

  // Determinism. The seed drives the weight initialisation, the action noise and the minibatch
  // shuffles; num_threads is passed to torch::set_num_threads when the learner is built (1 makes
  // results independent of the machine's core count, which is what checkpoint resumption and
  // reproducible comparisons rely on).
  std::uint64_t seed = 1;
  int num_threads = 1;

  // Throws std::invalid_argument("PpoConfig.<field>: ...") for the first out-of-range field.
  void validate() const;
};

}  // namespace podsizer::agent
