// The terms of the PPO loss (Schulman et al., 2017), each a scalar tensor to minimise.
//
//   ratio       r = exp(log π_new(a|s) - log π_old(a|s))
//   policy loss     -mean(min(r A, clip(r, 1-ε, 1+ε) A))   (the clipped surrogate, negated)
//   value loss      0.5 mean(max((V - R)², (V_old + clip(V - V_old, ±ε_v) - R)²))
//   approx KL       mean((r - 1) - log r)   (unbiased, never negative estimate of KL(old‖new))
//   clip fraction   share of samples with |r - 1| > ε
//
// Internal to agent/ (includes LibTorch). Pure functions of their arguments.
#pragma once

#include <torch/torch.h>

namespace podsizer::agent {

torch::Tensor clipped_surrogate_loss(const torch::Tensor& new_log_prob,
                                     const torch::Tensor& old_log_prob,
                                     const torch::Tensor& advantages, double clip_range);

// With value_clip_range <= 0 this is the plain 0.5 mean((V - R)²).
torch::Tensor clipped_value_loss(const torch::Tensor& values, const torch::Tensor& old_values,
                                 const torch::Tensor& returns, double value_clip_range);

torch::Tensor approx_kl(const torch::Tensor& new_log_prob, const torch::Tensor& old_log_prob);

torch::Tensor clip_fraction(const torch::Tensor& new_log_prob, const torch::Tensor& old_log_prob,
                            double clip_range);

}  // namespace podsizer::agent
