#include "agent/actor_critic.h"

#include <cmath>
#include <numbers>
#include <string>

namespace podsizer::agent {

namespace {

// An orthogonal matrix [rows, cols] times `gain`: the Q of a QR decomposition of a Gaussian
// matrix, with column signs fixed by R's diagonal so the result is uniform over orthogonal
// matrices and drawn only from `generator`.
torch::Tensor orthogonal(std::int64_t rows, std::int64_t cols, double gain,
                         torch::Generator& generator) {
  const std::int64_t tall = std::max(rows, cols);
  const std::int64_t wide = std::min(rows, cols);
  const torch::Tensor gaussian = torch::randn({tall, wide}, generator, torch::kFloat);
  auto [q, r] = torch::linalg_qr(gaussian);
  q = q * torch::sign(torch::diagonal(r));
  if (rows < cols) q = q.t();
  return (q * gain).contiguous();
}

// Builds the layers of one MLP, registers them under `prefix`_<i> and initialises them.
std::vector<torch::nn::Linear> make_mlp(torch::nn::Module& owner, const std::string& prefix,
                                        std::size_t in, const std::vector<std::size_t>& hidden,
                                        std::size_t out, double head_gain,
                                        torch::Generator& generator) {
  std::vector<torch::nn::Linear> layers;
  std::size_t width = in;
  for (std::size_t i = 0; i <= hidden.size(); ++i) {
    const bool head = i == hidden.size();
    const std::size_t next = head ? out : hidden[i];
    auto layer = owner.register_module(
        prefix + "_" + std::to_string(i),
        torch::nn::Linear(static_cast<std::int64_t>(width), static_cast<std::int64_t>(next)));
    torch::NoGradGuard no_grad;
    layer->weight.copy_(orthogonal(static_cast<std::int64_t>(next),
                                   static_cast<std::int64_t>(width),
                                   head ? head_gain : std::sqrt(2.0), generator));
    layer->bias.zero_();
    layers.push_back(layer);
    width = next;
  }
  return layers;
}

torch::Tensor run_mlp(const std::vector<torch::nn::Linear>& layers, torch::Tensor x) {
  for (std::size_t i = 0; i + 1 < layers.size(); ++i) {
    x = torch::tanh(layers[i].ptr()->forward(x));
  }
  return layers.back().ptr()->forward(x);
}

}  // namespace

ActorCriticImpl::ActorCriticImpl(std::size_t observation_size, std::size_t action_size,
                                 const std::vector<std::size_t>& hidden_sizes,
                                 double initial_log_std, torch::Generator& generator) {
  // The actor is built first, then the critic: the order fixes which random numbers each gets.
  actor_ = make_mlp(*this, "actor", observation_size, hidden_sizes, action_size, 0.01, generator);
  critic_ = make_mlp(*this, "critic", observation_size, hidden_sizes, 1, 1.0, generator);
  log_std_ = register_parameter(
      "log_std", torch::full({static_cast<std::int64_t>(action_size)}, initial_log_std));
}

torch::Tensor ActorCriticImpl::mean(const torch::Tensor& observations) const {
  return run_mlp(actor_, observations);
}

torch::Tensor ActorCriticImpl::value(const torch::Tensor& observations) const {
  return run_mlp(critic_, observations).squeeze(-1);
}

torch::Tensor ActorCriticImpl::log_prob(const torch::Tensor& mean,
                                        const torch::Tensor& actions) const {
  // log N(a; μ, σ) = -((a - μ)/σ)²/2 - log σ - log(2π)/2, summed over the action dimensions.
  const double half_log_two_pi = 0.5 * std::log(2.0 * std::numbers::pi);
  const torch::Tensor z = (actions - mean) * torch::exp(-log_std_);
  return (-0.5 * z * z - log_std_ - half_log_two_pi).sum(-1);
}

torch::Tensor ActorCriticImpl::entropy() const {
  // H = Σ (1/2 + log(2π)/2 + log σ) for independent Gaussian dimensions.
  const double constant = 0.5 + 0.5 * std::log(2.0 * std::numbers::pi);
  return (log_std_ + constant).sum();
}

}  // namespace podsizer::agent
