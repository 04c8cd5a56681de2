// Rounding and guardrails of a recommendation, each at its edges, with numbers worked by hand.
#include <catch2/catch.hpp>

#include <stdexcept>

#include "policies/guardrails.h"
#include "traces/quantity.h"

namespace {

using podsizer::policies::apply_guardrails;
using podsizer::policies::GuardedResources;
using podsizer::policies::GuardrailInputs;
using podsizer::policies::Rounding;
using podsizer::policies::round_cpu_millicores;
using podsizer::policies::round_memory_bytes;
using podsizer::traces::ContainerResources;
using podsizer::traces::kGiB;
using podsizer::traces::kMiB;

// One 8-core, 32Gi node group, no sidecars, a floor of 600Mi (margin 1.2 x a 500Mi peak).
GuardrailInputs inputs_with_floor() {
  GuardrailInputs in;
  in.node_groups.push_back({"default", 8000.0, 32 * kGiB, 0.0, 0, 0});
  in.memory_floor_bytes = 1.2 * 500 * kMiB;  // 600Mi exactly
  return in;
}

ContainerResources resources(double cpu_request, double memory_request, double cpu_limit,
                             double memory_limit) {
  ContainerResources r;
  r.requests.cpu_millicores = cpu_request;
  r.requests.memory_bytes = memory_request;
  r.limits.cpu_millicores = cpu_limit;
  r.limits.memory_bytes = memory_limit;
  return r;
}

const podsizer::policies::GuardrailOverride* find(const GuardedResources& g,
                                                   const std::string& guardrail,
                                                   const std::string& field) {
  for (const auto& o : g.overrides) {
    if (o.guardrail == guardrail && o.field == field) return &o;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("policies::round_cpu_millicores: 5m, 10m and 50m steps by size", "[policies]") {
  // 93m: below 100m, step 5: nearest 95, down 90, up 95.
  CHECK(round_cpu_millicores(93.0) == 95.0);
  CHECK(round_cpu_millicores(93.0, Rounding::kDown) == 90.0);
  // 987m: step 10: up 990. 1234m: step 50: 24.68 steps -> 25 -> 1250.
  CHECK(round_cpu_millicores(987.0, Rounding::kUp) == 990.0);
  CHECK(round_cpu_millicores(1234.0) == 1250.0);
  // A value on the grid stays; a positive value never rounds to zero; zero stays zero.
  CHECK(round_cpu_millicores(250.0, Rounding::kUp) == 250.0);
  CHECK(round_cpu_millicores(2.0) == 5.0);
  CHECK(round_cpu_millicores(0.0) == 0.0);
}

TEST_CASE("policies::round_memory_bytes: whole Mi below 1Gi, 64Mi steps above, up by default",
          "[policies]") {
  // 300.2Mi -> 301Mi; 1034.24Mi (1.01Gi) -> 17 x 64Mi = 1088Mi; 1Gi stays 1Gi.
  CHECK(round_memory_bytes(300.2 * kMiB) == 301 * kMiB);
  CHECK(round_memory_bytes(1.01 * kGiB) == 1088 * kMiB);
  CHECK(round_memory_bytes(kGiB) == kGiB);
  CHECK(round_memory_bytes(1.01 * kGiB, Rounding::kDown) == kGiB);
  CHECK(round_memory_bytes(10.0) == kMiB);
}

TEST_CASE("policies::apply_guardrails: memory exactly at the floor passes untouched",
          "[policies]") {
  // Floor 1.2 x 500Mi = 600Mi; a request of exactly 600Mi is not overridden.
  const auto g = apply_guardrails(resources(200, 600 * kMiB, 400, 600 * kMiB),
                                  inputs_with_floor());
  CHECK(g.overrides.empty());
  CHECK(*g.resources.requests.memory_bytes == 600 * kMiB);
}

TEST_CASE("policies::apply_guardrails: memory one Mi under the floor is raised to it",
          "[policies]") {
  const auto g = apply_guardrails(resources(200, 599 * kMiB, 400, 599 * kMiB),
                                  inputs_with_floor());
  REQUIRE(g.overrides.size() == 2);
  const auto* request = find(g, "memory-floor", "requests.memory");
  REQUIRE(request != nullptr);
  CHECK(*request->from == 599 * kMiB);
  CHECK(request->to == 600 * kMiB);
  CHECK(find(g, "memory-floor", "limits.memory") != nullptr);
  CHECK(*g.resources.limits.memory_bytes == 600 * kMiB);
}

TEST_CASE("policies::apply_guardrails: an unset memory request is set to the floor",
          "[policies]") {
  ContainerResources proposed;
  proposed.requests.cpu_millicores = 100;
  const auto g = apply_guardrails(proposed, inputs_with_floor());
  CHECK(*g.resources.requests.memory_bytes == 600 * kMiB);
  CHECK_FALSE(g.resources.limits.memory_bytes.has_value());  // no limit stays no limit
  REQUIRE(find(g, "memory-floor", "requests.memory") != nullptr);
  CHECK_FALSE(find(g, "memory-floor", "requests.memory")->from.has_value());
}

TEST_CASE("policies::apply_guardrails: nothing above a node's allocatable minus the sidecars",
          "[policies]") {
  // Node 2 cores and 4Gi; a sidecar requests 100m and 128Mi: the room is 1900m and 3968Mi
  // (4096 - 128 = 3968 = 62 x 64, on the grid).
  GuardrailInputs in;
  in.node_groups.push_back({"small", 2000.0, 4 * kGiB, 0.0, 0, 0});
  podsizer::traces::Sidecar proxy;
  proxy.name = "proxy";
  proxy.resources.requests.cpu_millicores = 100;
  proxy.resources.requests.memory_bytes = 128 * kMiB;
  in.sidecars.push_back(proxy);
  const auto g = apply_guardrails(resources(2500, 5 * kGiB, 3000, 6 * kGiB), in);
  CHECK(*g.resources.requests.cpu_millicores == 1900);
  CHECK(*g.resources.limits.cpu_millicores == 1900);
  CHECK(*g.resources.requests.memory_bytes == 3968 * kMiB);
  CHECK(*g.resources.limits.memory_bytes == 3968 * kMiB);
  CHECK(g.room.group == "small");
  CHECK(g.overrides.size() == 4);
  CHECK(*find(g, "node-capacity", "requests.cpu")->from == 2500);

  // Exactly at the room nothing is overridden.
  const auto at = apply_guardrails(resources(1900, 3968 * kMiB, 1900, 3968 * kMiB), in);
  CHECK(at.overrides.empty());
}

TEST_CASE("policies::apply_guardrails: a floor above node capacity loses and says so",
          "[policies]") {
  // Floor 600Mi on a node of 512Mi: the pod must fit, so 512Mi, with the floor named.
  GuardrailInputs in = inputs_with_floor();
  in.node_groups = {{"tiny", 1000.0, 512 * kMiB, 0.0, 0, 0}};
  const auto g = apply_guardrails(resources(100, 300 * kMiB, 200, 300 * kMiB), in);
  CHECK(*g.resources.requests.memory_bytes == 512 * kMiB);
  const auto* o = find(g, "node-capacity", "requests.memory");
  REQUIRE(o != nullptr);
  CHECK(*o->from == 600 * kMiB);  // the floor raised it first
  CHECK(o->reason.find("cannot be met") != std::string::npos);
}

TEST_CASE("policies::apply_guardrails: a second node group is used when the first is too small",
          "[policies]") {
  GuardrailInputs in;
  in.node_groups = {{"small", 1000.0, 2 * kGiB, 0.0, 0, 0}, {"big", 16000.0, 64 * kGiB, 0, 0, 0}};
  const auto g = apply_guardrails(resources(4000, 8 * kGiB, 4000, 8 * kGiB), in);
  CHECK(g.room.group == "big");
  CHECK(g.overrides.empty());
}

TEST_CASE("policies::apply_guardrails: a request above its limit raises the limit",
          "[policies]") {
  // CPU request 500m with limit 300m: the limit becomes 500m.
  const auto g = apply_guardrails(resources(500, 600 * kMiB, 300, 700 * kMiB),
                                  inputs_with_floor());
  CHECK(*g.resources.limits.cpu_millicores == 500);
  const auto* o = find(g, "request-within-limit", "limits.cpu");
  REQUIRE(o != nullptr);
  CHECK(*o->from == 300);
  CHECK(o->to == 500);
  CHECK(g.overrides.size() == 1);
}

TEST_CASE("policies::apply_guardrails: the change cap bounds each value around the current one",
          "[policies]") {
  // Current CPU request 250m, cap 20 %: band [200m, 300m]. 100m -> 200m, 400m -> 300m.
  GuardrailInputs in = inputs_with_floor();
  in.current = resources(250, 1 * kGiB, 500, 1 * kGiB);
  in.max_change_percent = 20.0;
  const auto down = apply_guardrails(resources(100, 1 * kGiB, 500, 1 * kGiB), in);
  CHECK(*down.resources.requests.cpu_millicores == 200);
  CHECK(*find(down, "max-change", "requests.cpu")->from == 100);
  const auto up = apply_guardrails(resources(400, 1 * kGiB, 500, 1 * kGiB), in);
  CHECK(*up.resources.requests.cpu_millicores == 300);
  const auto inside = apply_guardrails(resources(260, 1 * kGiB, 500, 1 * kGiB), in);
  CHECK(inside.overrides.empty());

  // Memory 1Gi with 20 %: 819.2Mi rounds inwards up to 820Mi; a 300Mi proposal becomes 820Mi,
  // above the 600Mi floor, so only the cap acts.
  const auto memory = apply_guardrails(resources(250, 300 * kMiB, 500, 1 * kGiB), in);
  CHECK(*memory.resources.requests.memory_bytes == 820 * kMiB);
  CHECK(memory.overrides.size() == 1);
}

TEST_CASE("policies::apply_guardrails: the memory floor wins over the change cap",
          "[policies]") {
  // Current 512Mi, cap 10 %: lowest 460.8Mi -> 461Mi; the floor 600Mi then raises it.
  GuardrailInputs in = inputs_with_floor();
  in.current = resources(250, 512 * kMiB, 500, 512 * kMiB);
  in.max_change_percent = 10.0;
  const auto g = apply_guardrails(resources(250, 300 * kMiB, 500, 300 * kMiB), in);
  CHECK(*g.resources.requests.memory_bytes == 600 * kMiB);
  CHECK(find(g, "max-change", "requests.memory")->to == 461 * kMiB);
  CHECK(find(g, "memory-floor", "requests.memory")->to == 600 * kMiB);
}

TEST_CASE("policies::guardrail_inputs: refuses a change cap that is not positive", "[policies]") {
  podsizer::traces::AppSpec app;
  app.node_groups.push_back({});
  CHECK_THROWS_AS(podsizer::policies::guardrail_inputs(app, 1e6, 0.0), std::invalid_argument);
  const auto in = podsizer::policies::guardrail_inputs(app, 500 * kMiB, 25.0);
  CHECK(in.memory_floor_bytes == Approx(600 * kMiB));  // default margin 1.2
}
