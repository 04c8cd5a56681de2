#include <catch2/catch.hpp>

#include "sim/resources.h"
#include "traces/quantity.h"

using namespace podsizer::sim;
using podsizer::traces::ContainerResources;
using podsizer::traces::kGiB;
using podsizer::traces::kMiB;

namespace {

ContainerResources res(std::optional<double> cpu_req, std::optional<double> mem_req,
                       std::optional<double> cpu_lim, std::optional<double> mem_lim) {
  ContainerResources r;
  r.requests.cpu_millicores = cpu_req;
  r.requests.memory_bytes = mem_req;
  r.limits.cpu_millicores = cpu_lim;
  r.limits.memory_bytes = mem_lim;
  return r;
}

}  // namespace

TEST_CASE("sim::qos_class: Guaranteed, Burstable and BestEffort", "[sim]") {
  PodTemplate pod;
  SECTION("requests equal to limits for both resources are Guaranteed") {
    pod.main = res(500, 1 * kGiB, 500, 1 * kGiB);
    CHECK(qos_class(pod) == QosClass::kGuaranteed);
  }
  SECTION("limits alone are Guaranteed: the requests default to them") {
    pod.main = res(std::nullopt, std::nullopt, 500, 1 * kGiB);
    CHECK(qos_class(pod) == QosClass::kGuaranteed);
  }
  SECTION("a request below its limit is Burstable") {
    pod.main = res(250, 512 * kMiB, 500, 1 * kGiB);
    CHECK(qos_class(pod) == QosClass::kBurstable);
  }
  SECTION("nothing set is BestEffort") {
    pod.main = res(std::nullopt, std::nullopt, std::nullopt, std::nullopt);
    CHECK(qos_class(pod) == QosClass::kBestEffort);
  }
  SECTION("a Guaranteed main container with a Burstable sidecar is Burstable") {
    pod.main = res(500, 1 * kGiB, 500, 1 * kGiB);
    pod.sidecars.push_back({"proxy", res(100, 64 * kMiB, std::nullopt, std::nullopt)});
    CHECK(qos_class(pod) == QosClass::kBurstable);
  }
  SECTION("a BestEffort main container with a sidecar that sets requests is Burstable") {
    pod.main = res(std::nullopt, std::nullopt, std::nullopt, std::nullopt);
    pod.sidecars.push_back({"proxy", res(100, 64 * kMiB, std::nullopt, std::nullopt)});
    CHECK(qos_class(pod) == QosClass::kBurstable);
  }
}

TEST_CASE("sim::derive_resources: the scheduler adds up every container's requests", "[sim]") {
  PodTemplate pod;
  pod.main = res(250, 512 * kMiB, 500, 1 * kGiB);
  pod.sidecars.push_back({"proxy", res(100, 64 * kMiB, 200, 128 * kMiB)});
  PodResources r = derive_resources(pod);
  // 250m + 100m = 350m; 512Mi + 64Mi = 576Mi.
  CHECK(r.cpu_request == 350);
  CHECK(r.memory_request == 576 * kMiB);
  CHECK(r.main_cpu_limit == 500);
  CHECK(r.main_memory_limit == 1 * kGiB);
  CHECK(r.sidecar_cpu_usage == 100);
  CHECK(r.qos == QosClass::kBurstable);
}

TEST_CASE("sim::oom_score_adjust: the kubelet's values per QoS class", "[sim]") {
  const double capacity = 8 * kGiB;
  CHECK(oom_score_adjust(QosClass::kGuaranteed, 1 * kGiB, capacity) == -997);
  CHECK(oom_score_adjust(QosClass::kBestEffort, 0, capacity) == 1000);
  // Burstable, 1 GiB of 8 GiB: 1000 - 1000 x 1/8 = 875.
  CHECK(oom_score_adjust(QosClass::kBurstable, 1 * kGiB, capacity) == 875);
  // 3 GiB of 8: 1000 x 3/8 = 375 -> 625.
  CHECK(oom_score_adjust(QosClass::kBurstable, 3 * kGiB, capacity) == 625);
  // A request of the whole node: 1000 - 1000 = 0, raised to the floor 2.
  CHECK(oom_score_adjust(QosClass::kBurstable, capacity, capacity) == 2);
  // A tiny request: 1000 - floor(1000 x 1Mi/8Gi) = 1000 - 0 = 1000, capped at 999.
  CHECK(oom_score_adjust(QosClass::kBurstable, 1 * kMiB, capacity) == 999);
}

TEST_CASE("sim::cpu_shares: 1024 per core, at least 2", "[sim]") {
  CHECK(cpu_shares(1000) == 1024);
  CHECK(cpu_shares(250) == 256);
  CHECK(cpu_shares(0) == 2);  // BestEffort
  CHECK(cpu_shares(1) == 2);  // 1.024 is under the kernel's minimum
}

TEST_CASE("sim::least_allocated_score: mean free share of CPU and memory", "[sim]") {
  // 4 cores and 8 GiB; after placing, 1 core and 2 GiB requested: (75 + 75) / 2 = 75.
  CHECK(least_allocated_score(4000, 8 * kGiB, 1000, 2 * kGiB) == Approx(75));
  // 3 cores and 2 GiB requested: CPU 25 % free, memory 75 % free -> 50.
  CHECK(least_allocated_score(4000, 8 * kGiB, 3000, 2 * kGiB) == Approx(50));
  // An emptier node scores higher.
  CHECK(least_allocated_score(4000, 8 * kGiB, 500, 1 * kGiB) >
        least_allocated_score(4000, 8 * kGiB, 2500, 1 * kGiB));
}
