#include "agent/ppo_loss.h"

namespace podsizer::agent {

torch::Tensor clipped_surrogate_loss(const torch::Tensor& new_log_prob,
                                     const torch::Tensor& old_log_prob,
                                     const torch::Tensor& advantages, double clip_range) {
  // The minimum takes the pessimistic of the two objectives, so moving the ratio outside
  // [1-ε, 1+ε] in the direction the advantage favours earns nothing more.
  const torch::Tensor ratio = torch::exp(new_log_prob - old_log_prob);
  const torch::Tensor unclipped = ratio * advantages;
  const torch::Tensor clipped =
      torch::clamp(ratio, 1.0 - clip_range, 1.0 + clip_range) * advantages;
  return -torch::min(unclipped, clipped).mean();
}

torch::Tensor clipped_value_loss(const torch::Tensor& values, const torch::Tensor& old_values,
                                 const torch::Tensor& returns, double value_clip_range) {
  const torch::Tensor unclipped = (values - returns).pow(2);
  if (value_clip_range <= 0.0) return 0.5 * unclipped.mean();

  // As with the policy, the larger of the two errors is kept so the value cannot profit from
  // jumping further than ε_v from where it was when the rollout was collected.
  const torch::Tensor moved =
      old_values + torch::clamp(values - old_values, -value_clip_range, value_clip_range);
  const torch::Tensor clipped = (moved - returns).pow(2);
  return 0.5 * torch::max(unclipped, clipped).mean();
}

torch::Tensor approx_kl(const torch::Tensor& new_log_prob, const torch::Tensor& old_log_prob) {
  const torch::Tensor log_ratio = new_log_prob - old_log_prob;
  return (torch::exp(log_ratio) - 1.0 - log_ratio).mean();
}

torch::Tensor clip_fraction(const torch::Tensor& new_log_prob, const torch::Tensor& old_log_prob,
                            double clip_range) {
  const torch::Tensor ratio = torch::exp(new_log_prob - old_log_prob);
  return (torch::abs(ratio - 1.0) > clip_range).to(torch::kFloat).mean();
}

}  // namespace podsizer::agent
