// Guardrails: the rules a recommendation obeys whatever the policy behind it proposed, and the
// rounding that turns its numbers into the quantities a manifest holds.
//
// Rounding (applied to the policy's proposal before the guardrails, and by every guardrail to
// the value it sets, in the direction that keeps the guardrail true):
//   CPU     below 100m: 5m steps; below 1 core: 10m steps; from 1 core: 50m steps.
//           A proposal is rounded to the nearest step (cost and throttling weigh alike).
//   memory  below 1Gi: whole Mi; from 1Gi: 64Mi steps (1Gi is 16 of them, so the grids meet).
//           A proposal is rounded up: running short of memory kills the container.
// The step is chosen by the value being rounded, and a positive value never rounds to zero
// (at least one step).
//
// The guardrails, in the order they are applied; a later one wins over an earlier one:
//   1. max-change      with --max-change-percent P, each value the current settings also set
//                      stays within current x (1 +- P/100), rounded towards the inside of that
//                      band. Unset values on either side are not capped (there is no step).
//   2. memory-floor    the memory request, and the memory limit when set, are at least
//                      memory_safety_margin x the observed peak memory per pod (the app spec's
//                      margin, 1.2 by default). An unset memory request is set to the floor.
//   3. node-capacity   requests and limits are at most what one node of the chosen group can
//                      give the container: its allocatable CPU and memory minus the requests of
//                      the sidecars (a pod's containers share one node). The group is the first,
//                      in the app spec's order, whose room holds the proposed requests; when none
//                      does, the one that needs the smallest relative cut. When even the memory
//                      floor does not fit, capacity wins (a pod that fits nowhere never runs) and
//                      the override says so.
//   4. request-within-limit  a request above its limit raises the limit to the request
//                      (Kubernetes refuses a container whose request exceeds its limit:
//                      kubernetes/kubernetes pkg/apis/core/validation/validation.go,
//                      ValidateResourceRequirements).
// Before them, a request the policy left unset while setting the limit takes the limit's value,
// as Kubernetes' defaulting does (kubernetes/website concepts/configuration/
// manage-resources-containers.md).
//
// Every time a guardrail changes a value it adds a GuardrailOverride saying which rule, which
// field, from what and to what. Plain functions over values; safe from several threads.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "traces/app_spec.h"

namespace podsizer::policies {

enum class Rounding { kNearest, kUp, kDown };

// The rounding step for a value of that size (see the file comment).
double cpu_step_millicores(double millicores);
double memory_step_bytes(double bytes);

// `value` rounded to its step; a positive value rounds to at least one step, 0 stays 0.
double round_cpu_millicores(double millicores, Rounding rounding = Rounding::kNearest);
double round_memory_bytes(double bytes, Rounding rounding = Rounding::kUp);

// What the guardrails need to know about the application.
struct GuardrailInputs {
  traces::ContainerResources current;
  std::vector<traces::NodeGroup> node_groups;  // at least one
  std::vector<traces::Sidecar> sidecars;
  double memory_floor_bytes = 0.0;  // 0: no floor
  std::optional<double> max_change_percent;
};

// The inputs for `app` with an observed peak memory per pod. Throws std::invalid_argument for a
// negative peak or a change cap that is not positive.
GuardrailInputs guardrail_inputs(const traces::AppSpec& app, double observed_peak_memory_bytes,
                                 std::optional<double> max_change_percent = std::nullopt);

// One value a guardrail changed. Fields are "requests.cpu", "requests.memory", "limits.cpu",
// "limits.memory"; guardrails "max-change", "memory-floor", "node-capacity",
// "request-within-limit". CPU in millicores, memory in bytes; `from` is unset when the policy
// left the value unset.
struct GuardrailOverride {
  std::string guardrail;
  std::string field;
  std::optional<double> from;
  double to = 0.0;
  std::string reason;  // one plain sentence
};

// The room one node gives the main container, and which node group it is.
struct NodeRoom {
  std::string group;
  double cpu_millicores = 0.0;
  double memory_bytes = 0.0;
};

struct GuardedResources {
  traces::ContainerResources resources;
  std::vector<GuardrailOverride> overrides;
  NodeRoom room;
};

// The node group whose room caps `requests` (see rule 3). Throws std::invalid_argument when no
// group has room left after the sidecars.
NodeRoom choose_node_room(const GuardrailInputs& inputs, const traces::ResourceValues& requests);

// Rounds `proposed` and applies the guardrails. The result always satisfies: memory request >=
// floor (unless the node cannot hold it; then an override says so), every value <= the room,
// request <= limit for each resource, and the change cap where it applies and does not conflict
// with the rules after it.
GuardedResources apply_guardrails(const traces::ContainerResources& proposed,
                                  const GuardrailInputs& inputs);

}  // namespace podsizer::policies
