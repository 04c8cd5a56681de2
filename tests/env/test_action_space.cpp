#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

#include "env/action_space.h"
#include "env/features.h"
#include "traces/quantity.h"

using namespace podsizer::env;
using podsizer::traces::kGiB;

namespace {

// Features with only the two references set: CPU 200 m and memory 1 GiB (as natural logs).
std::vector<float> features(double cpu_ref, double memory_ref) {
  std::vector<float> f(kFeatureCount, 0.0f);
  f[kCpuRefFeature] = static_cast<float>(std::log(cpu_ref));
  f[kMemoryRefFeature] = static_cast<float>(std::log(memory_ref));
  return f;
}

}  // namespace

TEST_CASE("env::ActionSpace: a zero action sits at the documented centres", "[env]") {
  ActionSpace space;
  REQUIRE(space.action_size() == 4);
  std::vector<double> out(4);
  const std::vector<float> action = {0, 0, 0, 0};
  space.apply(features(200, kGiB), action, out);

  // cpu 200 m; the 7-day peaks equal the references (their log ratios are 0), so the CPU
  // limit is 1.5 × 200 = 300 m and the memory limit 1.8 × 1 GiB; memory request 1.2 GiB.
  CHECK(out[kCpuRequest] == Approx(200).epsilon(1e-6));
  CHECK(out[kCpuLimit] == Approx(300).epsilon(1e-6));
  CHECK(out[kMemoryRequest] == Approx(1.2 * kGiB).epsilon(1e-6));
  CHECK(out[kMemoryLimit] == Approx(1.8 * kGiB).epsilon(1e-6));
}

TEST_CASE("env::ActionSpace: scales, limit at least request, clamps", "[env]") {
  ActionSpace space;
  std::vector<double> out(4);

  // (1, −1, −1, −1): request 200·e^1.5 = 896.34 m; limit 300·e^−0.5 = 181.96 m is
  // raised to the request; memory 1.2·e^−0.5 = 0.72784 GiB is raised to the 24 h peak, 1 GiB;
  // limit 1.8·e^−0.4 = 1.20658 GiB.
  space.apply(features(200, kGiB), std::vector<float>{1, -1, -1, -1}, out);
  CHECK(out[kCpuRequest] == Approx(896.34).epsilon(1e-4));
  CHECK(out[kCpuLimit] == out[kCpuRequest]);
  CHECK(out[kMemoryRequest] == Approx(1.0 * kGiB).epsilon(1e-6));
  CHECK(out[kMemoryLimit] == Approx(1.20658 * kGiB).epsilon(1e-4));
  // Above the floor the action decides: 1.2·e^0.5·(−0.2) = 1.2·e^−0.1 = 1.085805 GiB.
  std::vector<double> above(4);
  space.apply(features(200, kGiB), std::vector<float>{0, 0, -0.2f, 0}, above);
  CHECK(above[kMemoryRequest] == Approx(1.085805 * kGiB).epsilon(1e-5));

  // Out of range actions clamp to ±1 and NaN counts as 0: 5 gives the same as 1.
  std::vector<double> again(4);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  space.apply(features(200, kGiB), std::vector<float>{5, -7, nan, -1}, again);
  CHECK(again[kCpuRequest] == out[kCpuRequest]);
  CHECK(again[kMemoryRequest] == Approx(1.2 * kGiB).epsilon(1e-6));

  // A 1 m reference with −1: 1·e^−1.5 = 0.22 m is raised to the 10 m minimum; memory 1 MiB
  // reference gives 1.2 MiB·e^−0.5, raised to 32 MiB, and a limit of 1.8 MiB·e^−0.4 raised to
  // the limit's own floor of 256 MiB.
  space.apply(features(1, 1024 * 1024), std::vector<float>{-1, -1, -1, -1}, out);
  CHECK(out[kCpuRequest] == 10);
  CHECK(out[kMemoryRequest] == 32.0 * 1024 * 1024);
  CHECK(out[kMemoryLimit] == 256.0 * 1024 * 1024);

  // A node of 500 m caps the request and the limit.
  ActionSpaceConfig small;
  small.max_cpu_millicores = 500;
  ActionSpace capped(small);
  capped.apply(features(200, kGiB), std::vector<float>{1, 1, 0, 0}, out);
  CHECK(out[kCpuRequest] == 500);
  CHECK(out[kCpuLimit] == 500);
}

TEST_CASE("env::ActionSpace: the HPA target is linear in [0.40, 0.95]", "[env]") {
  ActionSpaceConfig config;
  config.hpa = true;
  ActionSpace space(config);
  REQUIRE(space.action_size() == 5);
  std::vector<double> out(5);

  // Centre (0.40 + 0.95) / 2 = 0.675, half-range 0.275.
  space.apply(features(200, kGiB), std::vector<float>{0, 0, 0, 0, 0}, out);
  CHECK(out[kHpaTarget] == Approx(0.675));
  space.apply(features(200, kGiB), std::vector<float>{0, 0, 0, 0, -1}, out);
  CHECK(out[kHpaTarget] == Approx(0.40));
  space.apply(features(200, kGiB), std::vector<float>{0, 0, 0, 0, 0.5f}, out);
  CHECK(out[kHpaTarget] == Approx(0.8125));
  CHECK(space.hpa_target(out).value() == Approx(0.8125));
  CHECK(space.resources(out).limits.cpu_millicores.value() == Approx(300).epsilon(1e-6));
}

TEST_CASE("env::ActionSpace: limits follow the 7-day peaks, hold, and step up after an OOM kill",
          "[env]") {
  ActionSpace space;
  std::vector<double> out(4);
  // References 200 m and 1 GiB; 7-day peaks twice the CPU reference (C7 = 400 m) and 1.5× the
  // memory reference (M7 = 1.5 GiB). At a = 0: CPU limit 1.5 × 400 = 600 m, memory limit
  // 1.8 × 1.5 = 2.7 GiB; at a = −1 the memory limit is 2.7 · e^−0.4 = 1.809864 GiB.
  std::vector<float> f = features(200, kGiB);
  f[kCpuMax7dFeature] = static_cast<float>(std::log(2.0));
  f[kMemoryMax7dFeature] = static_cast<float>(std::log(1.5));
  space.apply(f, std::vector<float>{0, 0, 0, 0}, out);
  CHECK(out[kCpuLimit] == Approx(600).epsilon(1e-6));
  CHECK(out[kMemoryLimit] == Approx(2.7 * kGiB).epsilon(1e-6));
  space.apply(f, std::vector<float>{0, 0, 0, -1}, out);
  CHECK(out[kMemoryLimit] == Approx(1.809864 * kGiB).epsilon(1e-5));

  // The limit in force is 2 GiB (log ratio ln 2 to the reference). Without an OOM kill the hold
  // keeps it at 0.99 × 2 = 1.98 GiB at least, above the 1.81 GiB of the action; with one in the
  // last hour (ln(1 + 1) > 0) it is lifted to at least 2 × 2 = 4 GiB.
  f[kMemoryLimitFeature] = static_cast<float>(std::log(2.0));
  space.apply(f, std::vector<float>{0, 0, 0, -1}, out);
  CHECK(out[kMemoryLimit] == Approx(1.98 * kGiB).epsilon(1e-6));
  // A limit in force of 1.5 GiB holds only 1.485 GiB, under the action's 1.81 GiB.
  f[kMemoryLimitFeature] = static_cast<float>(std::log(1.5));
  space.apply(f, std::vector<float>{0, 0, 0, -1}, out);
  CHECK(out[kMemoryLimit] == Approx(1.809864 * kGiB).epsilon(1e-5));
  f[kMemoryLimitFeature] = static_cast<float>(std::log(2.0));
  f[kOomKills1hFeature] = static_cast<float>(std::log(2.0));
  space.apply(f, std::vector<float>{0, 0, 0, -1}, out);
  CHECK(out[kMemoryLimit] == Approx(4.0 * kGiB).epsilon(1e-6));
  // A larger action still wins over the step: 2.7 · e^0.4 = 4.027927 GiB.
  space.apply(f, std::vector<float>{0, 0, 0, 1}, out);
  CHECK(out[kMemoryLimit] == Approx(4.027927 * kGiB).epsilon(1e-5));
}

TEST_CASE("env::ActionSpace: refuses a minimum above its maximum", "[env]") {
  ActionSpaceConfig bad;
  bad.max_cpu_millicores = 5;  // below the 10 m minimum
  CHECK_THROWS_AS(ActionSpace(bad), std::invalid_argument);
}

TEST_CASE("env::differs: changes within the tolerance are not changes", "[env]") {
  podsizer::traces::ContainerResources a;
  a.requests.cpu_millicores = 100;
  a.requests.memory_bytes = 1000;
  auto b = a;
  b.requests.cpu_millicores = 104;  // 4 % < 5 %
  CHECK_FALSE(differs(a, b, 0.05));
  b.requests.cpu_millicores = 106;  // 6 % > 5 %
  CHECK(differs(a, b, 0.05));
  b = a;
  b.limits.memory_bytes = 1000;  // a limit appears
  CHECK(differs(a, b, 0.05));
}
