#include "policies/guardrails.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "traces/quantity.h"

namespace podsizer::policies {
namespace {

// Rounds `value` to a multiple of `step` in the asked direction. A tiny tolerance keeps a value
// that is already on the grid (up to floating-point noise) where it is.
double round_to_step(double value, double step, Rounding rounding) {
  const double units = value / step;
  const double nearest = std::round(units);
  if (std::abs(units - nearest) < 1e-9) return nearest * step;
  switch (rounding) {
    case Rounding::kUp:
      return std::ceil(units) * step;
    case Rounding::kDown:
      return std::floor(units) * step;
    case Rounding::kNearest:
      break;
  }
  return nearest * step;
}

std::string cpu_text(double millicores) { return traces::format_cpu(millicores); }
std::string memory_text(double bytes) { return traces::format_memory(bytes); }

std::string value_text(bool cpu, double value) {
  return cpu ? cpu_text(value) : memory_text(value);
}

// The four values of a container, addressed by index (requests cpu, memory; limits cpu, memory)
// so that each rule reads as one loop.
std::optional<double>& slot_value(traces::ContainerResources& r, int index) {
  switch (index) {
    case 0:
      return r.requests.cpu_millicores;
    case 1:
      return r.requests.memory_bytes;
    case 2:
      return r.limits.cpu_millicores;
    default:
      return r.limits.memory_bytes;
  }
}

const std::optional<double>& slot_value(const traces::ContainerResources& r, int index) {
  return slot_value(const_cast<traces::ContainerResources&>(r), index);
}

constexpr const char* kFields[4] = {"requests.cpu", "requests.memory", "limits.cpu",
                                    "limits.memory"};
constexpr bool kIsCpu[4] = {true, false, true, false};

double round_value(bool cpu, double value, Rounding rounding) {
  return cpu ? round_cpu_millicores(value, rounding) : round_memory_bytes(value, rounding);
}

}  // namespace

double cpu_step_millicores(double millicores) {
  if (millicores < 100.0) return 5.0;
  if (millicores < 1000.0) return 10.0;
  return 50.0;
}

double memory_step_bytes(double bytes) {
  return bytes < traces::kGiB ? traces::kMiB : 64.0 * traces::kMiB;
}

double round_cpu_millicores(double millicores, Rounding rounding) {
  if (!(millicores > 0.0)) return 0.0;
  const double step = cpu_step_millicores(millicores);
  return std::max(step, round_to_step(millicores, step, rounding));
}

double round_memory_bytes(double bytes, Rounding rounding) {
  if (!(bytes > 0.0)) return 0.0;
  const double step = memory_step_bytes(bytes);
  return std::max(traces::kMiB, round_to_step(bytes, step, rounding));
}

GuardrailInputs guardrail_inputs(const traces::AppSpec& app, double observed_peak_memory_bytes,
                                 std::optional<double> max_change_percent) {
  if (!(observed_peak_memory_bytes >= 0.0)) {
    throw std::invalid_argument("guardrails: the observed peak memory must be >= 0");
  }
  if (max_change_percent && !(*max_change_percent > 0.0)) {
    throw std::invalid_argument("guardrails: --max-change-percent must be > 0");
  }
  GuardrailInputs inputs;
  inputs.current = app.current;
  inputs.node_groups = app.node_groups;
  inputs.sidecars = app.sidecars;
  inputs.memory_floor_bytes = app.memory_safety_margin * observed_peak_memory_bytes;
  inputs.max_change_percent = max_change_percent;
  return inputs;
}

NodeRoom choose_node_room(const GuardrailInputs& inputs, const traces::ResourceValues& requests) {
  // The sidecars' requests come out of every node's allocatable first.
  double sidecar_cpu = 0.0;
  double sidecar_memory = 0.0;
  for (const traces::Sidecar& s : inputs.sidecars) {
    sidecar_cpu += s.resources.requests.cpu_millicores.value_or(0.0);
    sidecar_memory += s.resources.requests.memory_bytes.value_or(0.0);
  }

  // The first group that holds the requests; otherwise the one needing the smallest cut, that
  // is the largest min(room / request) over the two resources.
  const double cpu = requests.cpu_millicores.value_or(0.0);
  const double memory = requests.memory_bytes.value_or(0.0);
  std::optional<NodeRoom> best;
  double best_ratio = -1.0;
  for (const traces::NodeGroup& g : inputs.node_groups) {
    NodeRoom room{g.name, g.cpu_millicores - sidecar_cpu, g.memory_bytes - sidecar_memory};
    if (room.cpu_millicores <= 0.0 || room.memory_bytes <= 0.0) continue;
    if (cpu <= room.cpu_millicores && memory <= room.memory_bytes) return room;
    const double ratio = std::min(cpu > 0.0 ? room.cpu_millicores / cpu : 1.0,
                                  memory > 0.0 ? room.memory_bytes / memory : 1.0);
    if (ratio > best_ratio) {
      best_ratio = ratio;
      best = room;
    }
  }
  if (!best) {
    throw std::invalid_argument(
        "guardrails: no node group has room for the container once the sidecars' requests are "
        "placed");
  }
  return *best;
}

GuardedResources apply_guardrails(const traces::ContainerResources& proposed,
                                  const GuardrailInputs& inputs) {
  GuardedResources out;
  traces::ContainerResources& r = out.resources;
  r = proposed;
  auto note = [&](const char* guardrail, int slot, std::optional<double> from, double to,
                  std::string reason) {
    out.overrides.push_back({guardrail, kFields[slot], from, to, std::move(reason)});
  };

  // A request left unset beside a set limit means the limit, as Kubernetes defaults it; then
  // every value is put on its rounding grid.
  if (!r.requests.cpu_millicores && r.limits.cpu_millicores) {
    r.requests.cpu_millicores = r.limits.cpu_millicores;
  }
  if (!r.requests.memory_bytes && r.limits.memory_bytes) {
    r.requests.memory_bytes = r.limits.memory_bytes;
  }
  for (int i = 0; i < 4; ++i) {
    auto& v = slot_value(r, i);
    if (v) v = round_value(kIsCpu[i], *v, kIsCpu[i] ? Rounding::kNearest : Rounding::kUp);
  }

  // 1. max-change: each value stays within the band around the current one, rounded inwards.
  if (inputs.max_change_percent) {
    const double f = *inputs.max_change_percent / 100.0;
    for (int i = 0; i < 4; ++i) {
      auto& v = slot_value(r, i);
      const auto& now = slot_value(inputs.current, i);
      if (!v || !now || *now <= 0.0) continue;
      const double low = round_value(kIsCpu[i], *now * (1.0 - f), Rounding::kUp);
      const double high = round_value(kIsCpu[i], *now * (1.0 + f), Rounding::kDown);
      const double capped = std::clamp(*v, std::min(low, high), std::max(low, high));
      if (capped == *v) continue;
      const std::string percent = std::to_string(std::lround(f * 100));
      note("max-change", i, v, capped,
           "the policy's " + value_text(kIsCpu[i], *v) + " is more than " + percent +
               " % away from the current " + value_text(kIsCpu[i], *now));
      v = capped;
    }
  }

  // 2. memory-floor: memory never below margin x observed peak.
  if (inputs.memory_floor_bytes > 0.0) {
    const double floor = round_memory_bytes(inputs.memory_floor_bytes, Rounding::kUp);
    for (int i : {1, 3}) {
      auto& v = slot_value(r, i);
      if (i == 3 && !v) continue;  // no limit is no risk of an OOM kill at the limit
      if (v && *v >= inputs.memory_floor_bytes) continue;
      note("memory-floor", i, v, floor,
           "memory must stay at or above the safety floor " + memory_text(floor) +
               " (memory_safety_margin x the observed peak per pod)");
      v = floor;
    }
  }

  // 3. node-capacity: nothing above what one node leaves for the container.
  out.room = choose_node_room(inputs, r.requests);
  const double room_cpu = round_cpu_millicores(out.room.cpu_millicores, Rounding::kDown);
  const double room_memory = round_memory_bytes(out.room.memory_bytes, Rounding::kDown);
  for (int i = 0; i < 4; ++i) {
    auto& v = slot_value(r, i);
    const double cap = kIsCpu[i] ? room_cpu : room_memory;
    const double exact_cap = kIsCpu[i] ? out.room.cpu_millicores : out.room.memory_bytes;
    if (!v || *v <= exact_cap) continue;
    std::string reason = "a node of group '" + out.room.group + "' leaves " +
                         value_text(kIsCpu[i], cap) + " for this container after the sidecars";
    if (!kIsCpu[i] && inputs.memory_floor_bytes > cap) {
      reason += "; the memory safety floor of " + memory_text(inputs.memory_floor_bytes) +
                " cannot be met on this cluster";
    }
    note("node-capacity", i, v, cap, std::move(reason));
    v = cap;
  }

  // 4. request-within-limit: a request above its limit raises the limit.
  for (int i : {0, 1}) {
    auto& request = slot_value(r, i);
    auto& limit = slot_value(r, i + 2);
    if (!request || !limit || *request <= *limit) continue;
    note("request-within-limit", i + 2, limit, *request,
         "a limit below its request (" + value_text(kIsCpu[i], *limit) + " < " +
             value_text(kIsCpu[i], *request) + ") is refused by Kubernetes; the limit is raised");
    limit = *request;
  }
  return out;
}

}  // namespace podsizer::policies
