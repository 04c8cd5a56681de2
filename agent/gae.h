// Generalised advantage estimation (Schulman et al., 2016) over a time-major rollout.
//
// For copy n at step t, with d_t = 1 when the episode ended after step t:
//   δ_t = r_t + γ (1 - d_t) V(s_{t+1}) - V(s_t)
//   A_t = δ_t + γ λ (1 - d_t) A_{t+1}
//   R_t = A_t + V(s_t)                      (the value target)
// V(s_T) is `last_values`, the value of the observation after the rollout's last step. An episode
// cut by a time limit is not a terminal state: the caller adds γ V(final observation) to that
// step's reward and marks it done, which keeps the bootstrap without crossing into the next
// episode. Pure function, thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace podsizer::agent {

// All rollout arrays are [steps × num_envs], row t holding every copy's value at step t.
// REQUIRES: rewards, values, dones, advantages and returns have the same size, a multiple of
// num_envs; last_values has num_envs elements.
void compute_gae(std::span<const float> rewards, std::span<const float> values,
                 std::span<const std::uint8_t> dones, std::span<const float> last_values,
                 std::size_t num_envs, double gamma, double lambda, std::span<float> advantages,
                 std::span<float> returns);

}  // namespace podsizer::agent
