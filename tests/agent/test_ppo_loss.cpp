// LibTorch (through c10's logging header) defines a CHECK macro of its own; it is included
// first and that macro removed, so Catch's CHECK is the one these tests use.
#include "agent/ppo_loss.h"
#undef CHECK

#include <catch2/catch.hpp>

#include <cmath>

using namespace podsizer::agent;

TEST_CASE("agent::clipped_surrogate_loss: equals the clipped objective worked by hand", "[agent]") {
  // ε = 0.2; ratios r = (1.5, 0.5, 1.1, 0.7), advantages A = (2, 1, −1, −3).
  //   r·A          = (3.0, 0.5, −1.1, −2.1)
  //   clip(r)·A    = (1.2·2, 0.8·1, 1.1·−1, 0.8·−3) = (2.4, 0.8, −1.1, −2.4)
  //   min          = (2.4, 0.5, −1.1, −2.4), mean = −0.6/4 = −0.15 → loss 0.15
  // Clip fraction: |r − 1| > 0.2 for 1.5, 0.5, 0.7 → 3/4.
  // Approx KL: mean(r − 1 − ln r) = (0.094535 + 0.193147 + 0.004690 + 0.056675)/4 = 0.087262.
  const torch::Tensor old_log_prob = torch::tensor({-1.0, -2.0, -0.5, -1.5}, torch::kDouble);
  const torch::Tensor ratio = torch::tensor({1.5, 0.5, 1.1, 0.7}, torch::kDouble);
  const torch::Tensor new_log_prob = old_log_prob + torch::log(ratio);
  const torch::Tensor advantages = torch::tensor({2.0, 1.0, -1.0, -3.0}, torch::kDouble);

  const double loss =
      clipped_surrogate_loss(new_log_prob, old_log_prob, advantages, 0.2).item<double>();
  const double fraction = clip_fraction(new_log_prob, old_log_prob, 0.2).item<double>();
  const double kl = approx_kl(new_log_prob, old_log_prob).item<double>();

  CHECK(loss == Approx(0.15).margin(1e-12));
  CHECK(fraction == Approx(0.75));
  CHECK(kl == Approx(0.087262).margin(1e-6));
}

TEST_CASE("agent::clipped_value_loss: keeps the larger of clipped and unclipped errors",
          "[agent]") {
  // V = (1, 2), V_old = (0.5, 2), R = (2, 1), ε_v = 0.2.
  //   unclipped (V − R)²: (1, 1)
  //   clipped: V_old + clip(V − V_old, ±0.2) = (0.7, 2) → (1.69, 1)
  //   0.5 · mean(max) = 0.5 · (1.69 + 1)/2 = 0.6725;  without clipping 0.5 · 1 = 0.5
  const torch::Tensor values = torch::tensor({1.0, 2.0}, torch::kDouble);
  const torch::Tensor old_values = torch::tensor({0.5, 2.0}, torch::kDouble);
  const torch::Tensor returns = torch::tensor({2.0, 1.0}, torch::kDouble);

  CHECK(clipped_value_loss(values, old_values, returns, 0.2).item<double>() ==
        Approx(0.6725).margin(1e-12));
  CHECK(clipped_value_loss(values, old_values, returns, 0.0).item<double>() ==
        Approx(0.5).margin(1e-12));
}
