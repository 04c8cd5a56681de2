#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <vector>

#include "agent/running_stats.h"

using namespace podsizer::agent;

TEST_CASE("agent::RunningMeanStd: merging batches equals the statistics of all rows", "[agent]") {
  // Two dimensions. Batch 1: rows (1, 10), (3, 10); batch 2: row (5, 40).
  // Dimension 0: all rows 1, 3, 5 → mean 3, population variance (4 + 0 + 4)/3 = 8/3.
  //   Merge: δ = 5 − 2 = 3, n = 3, mean = 2 + 3·1/3 = 3, M2 = 1·2 + 0·1 + 9·2·1/3 = 8,
  //   so 8/3.
  // Dimension 1: rows 10, 10, 40 → mean 20, variance (100 + 100 + 400)/3 = 200.
  RunningMeanStd stats(2);
  const std::vector<float> first{1.0f, 10.0f, 3.0f, 10.0f};
  const std::vector<float> second{5.0f, 40.0f};
  stats.update(first, 2);
  CHECK(stats.mean()[0] == Approx(2.0));
  CHECK(stats.var()[0] == Approx(1.0));

  stats.update(second, 1);

  CHECK(stats.count() == 3.0);
  CHECK(stats.mean()[0] == Approx(3.0));
  CHECK(stats.var()[0] == Approx(8.0 / 3.0));
  CHECK(stats.mean()[1] == Approx(20.0));
  CHECK(stats.var()[1] == Approx(200.0));
}

TEST_CASE("agent::ObservationNormalizer: centres, scales and clips each dimension", "[agent]") {
  // Statistics as above: mean (3, 20), variance (8/3, 200), ε = 1e-8, clip 5.
  //   (4 − 3)/√(8/3) = 1/1.632993 = 0.612372;  (30 − 20)/√200 = 0.707107
  //   (100 − 3)/1.632993 = 59.4 → clipped to 5;  (−1000 − 20)/14.142 = −72.1 → −5
  ObservationNormalizer normalizer(2, 5.0, 1e-8);
  normalizer.update(std::vector<float>{1.0f, 10.0f, 3.0f, 10.0f, 5.0f, 40.0f}, 3);
  const std::vector<float> raw{4.0f, 30.0f, 100.0f, -1000.0f};
  std::vector<float> out(4);

  normalizer.normalize(raw, out);

  CHECK(out[0] == Approx(0.612372).margin(1e-6));
  CHECK(out[1] == Approx(0.707107).margin(1e-6));
  CHECK(out[2] == 5.0f);
  CHECK(out[3] == -5.0f);
  CHECK(normalizer.scale()[1] == Approx(std::sqrt(200.0)));
}

TEST_CASE("agent::ReturnScaler: divides rewards by the spread of discounted returns", "[agent]") {
  // Two copies, γ = 0.5. Step 1: r = (1, 3), copy 1 ends. Returns (1, 3): mean 2, var 1,
  //   divisor 1 → scaled (1, 3); copy 1's return is then forgotten → (1, 0).
  // Step 2: r = (2, 2). Returns (0.5·1 + 2, 0 + 2) = (2.5, 2): batch mean 2.25, var 0.0625.
  //   Merge with (mean 2, var 1, n 2): δ = 0.25, n = 4, mean 2.125,
  //   M2 = 2 + 0.125 + 0.0625·2·2/4 = 2.1875 → var 0.546875, divisor 0.739510
  //   → scaled 2/0.739510 = 2.704494 for both.
  ReturnScaler scaler(2, 0.5, 10.0, 1e-12);
  std::vector<float> out(2);

  scaler.scale(std::vector<float>{1.0f, 3.0f}, std::vector<std::uint8_t>{0, 1}, out);
  CHECK(out[0] == Approx(1.0));
  CHECK(out[1] == Approx(3.0));
  CHECK(scaler.returns()[1] == 0.0);

  scaler.scale(std::vector<float>{2.0f, 2.0f}, std::vector<std::uint8_t>{0, 0}, out);
  CHECK(scaler.stats().var()[0] == Approx(0.546875));
  CHECK(out[0] == Approx(2.704494).margin(1e-5));
  CHECK(out[1] == Approx(2.704494).margin(1e-5));
}
