#include "agent/gae.h"

#include <cassert>

namespace podsizer::agent {

void compute_gae(std::span<const float> rewards, std::span<const float> values,
                 std::span<const std::uint8_t> dones, std::span<const float> last_values,
                 std::size_t num_envs, double gamma, double lambda, std::span<float> advantages,
                 std::span<float> returns) {
  assert(num_envs > 0 && rewards.size() % num_envs == 0 && "compute_gae: ragged rollout");
  assert(values.size() == rewards.size() && dones.size() == rewards.size() &&
         advantages.size() == rewards.size() && returns.size() == rewards.size() &&
         "compute_gae: rollout arrays of different sizes");
  assert(last_values.size() == num_envs && "compute_gae: one bootstrap value per copy");
  const std::size_t steps = rewards.size() / num_envs;

  // Walk backwards in time; each copy carries its running advantage in double so long rollouts
  // with γλ near 1 do not accumulate float rounding.
  for (std::size_t n = 0; n < num_envs; ++n) {
    double next_value = last_values[n];
    double next_advantage = 0.0;
    for (std::size_t t = steps; t-- > 0;) {
      const std::size_t i = t * num_envs + n;
      const double not_done = dones[i] ? 0.0 : 1.0;
      const double delta = rewards[i] + gamma * not_done * next_value - values[i];
      const double advantage = delta + gamma * lambda * not_done * next_advantage;
      advantages[i] = static_cast<float>(advantage);
      returns[i] = static_cast<float>(advantage + values[i]);
      next_value = values[i];
      next_advantage = advantage;
    }
  }
}

}  // namespace podsizer::agent
