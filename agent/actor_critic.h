// The actor-critic network: two tanh MLPs over the normalised observation, one for the mean of
// a Gaussian policy and one for the state value, plus a state-independent log standard deviation.
//
// Actions: the policy samples a ~ N(mean, σ²) per dimension and the learner stores that raw
// sample (its log-probability is the exact Gaussian one); the environment receives
// clamp(a, -1, 1). Clamping rather than tanh-squashing keeps the likelihood exact and the mean
// itself is the deterministic action, which is what an exported policy returns (clamped too).
// Initialisation: orthogonal weights (gain √2 in hidden layers, 0.01 for the policy head, 1 for
// the value head), zero biases, all drawn from the generator passed in, so a seed fixes them.
//
// Internal to agent/: this header includes LibTorch; code outside agent/ uses agent/ppo.h.
// Not synchronised: forward passes may run concurrently only when no update is running.
#pragma once

#include <cstddef>
#include <vector>

#include <torch/torch.h>

namespace podsizer::agent {

class ActorCriticImpl : public torch::nn::Module {
 public:
  ActorCriticImpl(std::size_t observation_size, std::size_t action_size,
                  const std::vector<std::size_t>& hidden_sizes, double initial_log_std,
                  torch::Generator& generator);

  // Unbounded policy mean, [B, action_size], for normalised observations [B, observation_size].
  torch::Tensor mean(const torch::Tensor& observations) const;

  // State value, [B].
  torch::Tensor value(const torch::Tensor& observations) const;

  // Log-density of `actions` under N(mean, exp(log_std)²), summed over dimensions: [B].
  torch::Tensor log_prob(const torch::Tensor& mean, const torch::Tensor& actions) const;

  // Entropy of the policy, which does not depend on the state: a scalar.
  torch::Tensor entropy() const;

  const std::vector<torch::nn::Linear>& actor_layers() const { return actor_; }
  const std::vector<torch::nn::Linear>& critic_layers() const { return critic_; }
  const torch::Tensor& log_std() const { return log_std_; }

 private:
  std::vector<torch::nn::Linear> actor_;
  std::vector<torch::nn::Linear> critic_;
  torch::Tensor log_std_;
};

TORCH_MODULE(ActorCritic);

}  // namespace podsizer::agent
