#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "agent/gae.h"

using podsizer::agent::compute_gae;

TEST_CASE("agent::compute_gae: matches a three-step rollout worked by hand", "[agent]") {
  // Two copies, time-major: index t*2 + n. γ = 0.9, λ = 0.8.
  // Copy 0: r = (1, 0, 2), V = (0.5, 1.0, 1.5), done after step 1, V(s_3) = 2.0.
  //   t=2: δ = 2 + 0.9·2.0 − 1.5 = 2.3                A = 2.3
  //   t=1: done, δ = 0 − 1.0 = −1.0 (no bootstrap)     A = −1.0 (nothing carried)
  //   t=0: δ = 1 + 0.9·1.0 − 0.5 = 1.4                A = 1.4 + 0.72·(−1.0) = 0.68
  //   R = A + V = (1.18, 0.0, 3.8)
  // Copy 1: r = (0, 0, 1), V = 0, no done, V(s_3) = 0: δ = (0, 0, 1)
  //   A = (0.72², 0.72, 1) = (0.5184, 0.72, 1), R = A.
  const std::vector<float> rewards{1.0f, 0.0f, 0.0f, 0.0f, 2.0f, 1.0f};
  const std::vector<float> values{0.5f, 0.0f, 1.0f, 0.0f, 1.5f, 0.0f};
  const std::vector<std::uint8_t> dones{0, 0, 1, 0, 0, 0};
  const std::vector<float> last_values{2.0f, 0.0f};
  std::vector<float> advantages(6);
  std::vector<float> returns(6);

  compute_gae(rewards, values, dones, last_values, 2, 0.9, 0.8, advantages, returns);

  CHECK(advantages[0] == Approx(0.68).margin(1e-6));
  CHECK(advantages[2] == Approx(-1.0).margin(1e-6));
  CHECK(advantages[4] == Approx(2.3).margin(1e-6));
  CHECK(returns[0] == Approx(1.18).margin(1e-6));
  CHECK(returns[2] == Approx(0.0).margin(1e-6));
  CHECK(returns[4] == Approx(3.8).margin(1e-6));
  CHECK(advantages[1] == Approx(0.5184).margin(1e-6));
  CHECK(advantages[3] == Approx(0.72).margin(1e-6));
  CHECK(advantages[5] == Approx(1.0).margin(1e-6));
  CHECK(returns[1] == Approx(0.5184).margin(1e-6));
}

TEST_CASE("agent::compute_gae: with λ = 0 the advantage is the one-step TD error", "[agent]") {
  // One copy, γ = 0.5, λ = 0: A_t = r_t + 0.5 V_{t+1} − V_t.
  //   t=0: 1 + 0.5·4 − 2 = 1;  t=1: 0 + 0.5·6 − 4 = −1.
  const std::vector<float> rewards{1.0f, 0.0f};
  const std::vector<float> values{2.0f, 4.0f};
  const std::vector<std::uint8_t> dones{0, 0};
  const std::vector<float> last_values{6.0f};
  std::vector<float> advantages(2);
  std::vector<float> returns(2);

  compute_gae(rewards, values, dones, last_values, 1, 0.5, 0.0, advantages, returns);

  CHECK(advantages[0] == Approx(1.0));
  CHECK(advantages[1] == Approx(-1.0));
  CHECK(returns[1] == Approx(3.0));
}
