#include "policies/formats.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <tuple>

#include <yaml-cpp/yaml.h>

#include "traces/quantity.h"

namespace podsizer::policies {
namespace {

nlohmann::json optional_number(const std::optional<double>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

nlohmann::json quantity_json(const std::optional<double>& value, bool cpu) {
  if (!value) return nullptr;
  return cpu ? traces::format_cpu(*value) : traces::format_memory(*value);
}

nlohmann::json values_json(const traces::ResourceValues& v) {
  return {{"cpu", quantity_json(v.cpu_millicores, true)},
          {"cpu_millicores", optional_number(v.cpu_millicores)},
          {"memory", quantity_json(v.memory_bytes, false)},
          {"memory_bytes", optional_number(v.memory_bytes)}};
}

nlohmann::json resources_json(const traces::ContainerResources& r) {
  return {{"requests", values_json(r.requests)}, {"limits", values_json(r.limits)}};
}

nlohmann::json replay_json(const ReplayNumbers& n) {
  return {{"resources", resources_json(n.resources)},
          {"hpa_target_utilization", optional_number(n.hpa_target_utilization)},
          {"oom_kills", n.oom_kills},
          {"restarts", n.restarts},
          {"throttled_pod_hours", n.throttled_hours},
          {"slo_latency_ms", n.slo_latency_ms},
          {"slo_violation_percent", n.slo_violation_percent},
          {"error_rate", n.error_rate},
          {"mean_replicas", n.mean_replicas},
          {"max_replicas", n.max_replicas},
          {"cost_per_month", n.cost_per_month}};
}

// Writes a JSON tree as YAML: maps in key order, nulls as `~`, numbers as numbers. Whole numbers
// are written without a fraction so that counts read as integers.
void emit_json(YAML::Emitter& out, const nlohmann::json& j) {
  if (j.is_object()) {
    out << YAML::BeginMap;
    for (const auto& [key, value] : j.items()) {
      out << YAML::Key << key << YAML::Value;
      emit_json(out, value);
    }
    out << YAML::EndMap;
  } else if (j.is_array()) {
    out << YAML::BeginSeq;
    for (const auto& value : j) emit_json(out, value);
    out << YAML::EndSeq;
  } else if (j.is_null()) {
    out << YAML::Null;
  } else if (j.is_boolean()) {
    out << j.get<bool>();
  } else if (j.is_number_integer()) {
    out << j.get<long long>();
  } else if (j.is_number()) {
    const double v = j.get<double>();
    if (std::abs(v) < 1e15 && v == std::floor(v)) {
      out << static_cast<long long>(v);
    } else {
      out << v;
    }
  } else {
    // Quantities such as "2" or "1e3" must stay strings, so every string is quoted.
    out << YAML::DoubleQuoted << j.get<std::string>();
  }
}

void emit_quantity(YAML::Emitter& out, const char* key, const std::optional<double>& value,
                   bool cpu) {
  out << YAML::Key << key << YAML::Value;
  if (value) {
    out << YAML::DoubleQuoted << (cpu ? traces::format_cpu(*value) : traces::format_memory(*value));
  } else {
    out << YAML::Null;
  }
}

std::string text_of(const std::optional<double>& value, bool cpu) {
  if (!value) return "unset";
  return cpu ? traces::format_cpu(*value) : traces::format_memory(*value);
}

std::string line(const char* format, auto... args) {
  char buffer[512];
  std::snprintf(buffer, sizeof buffer, format, args...);
  return buffer;
}

}  // namespace

OutputFormat parse_output_format(const std::string& name) {
  if (name == "text") return OutputFormat::kText;
  if (name == "yaml") return OutputFormat::kYaml;
  if (name == "json") return OutputFormat::kJson;
  if (name == "patch") return OutputFormat::kPatch;
  if (name == "vpa") return OutputFormat::kVpa;
  throw std::invalid_argument("unknown format '" + name +
                              "'; known formats: text, yaml, json, patch, vpa");
}

void check_vpa_update_mode(const std::string& mode) {
  // The modes of the VPA's v1 API (kubernetes/autoscaler vertical-pod-autoscaler
  // pkg/apis/autoscaling.k8s.io/v1/types.go, UpdateMode).
  if (mode == "Off" || mode == "Initial" || mode == "Recreate" || mode == "Auto") return;
  throw std::invalid_argument("unknown VPA update mode '" + mode +
                              "'; known modes: Off, Initial, Recreate, Auto");
}

nlohmann::json recommendation_json(const Recommendation& r) {
  // The policy and what it said.
  nlohmann::json j;
  j["app"] = r.app_name;
  j["container"] = r.container;
  j["policy"] = {{"name", r.policy.name},
                 {"version", r.policy.version},
                 {"kind", r.policy.kind},
                 {"source", r.policy.source},
                 {"parameters", r.policy.parameters}};
  j["resources"] = resources_json(r.resources);
  j["hpa_target_utilization"] = optional_number(r.hpa_target_utilization);
  j["current"] = resources_json(r.current);
  j["current_hpa_target_utilization"] = optional_number(r.current_hpa_target_utilization);
  j["proposed"] = resources_json(r.proposed);
  j["history"] = {{"samples", r.history_samples},
                  {"days", r.history_days},
                  {"peak_memory_bytes", r.observed_peak_memory_bytes},
                  {"p95_cpu_millicores", r.observed_p95_cpu_millicores}};

  // How sure, and which guardrails acted.
  const Confidence& c = r.confidence;
  j["confidence"] = {{"value", c.value},
                     {"history_days", c.history_days},
                     {"history_factor", c.history_factor},
                     {"cpu_request_spread", optional_number(c.cpu_request_spread)},
                     {"memory_request_spread", optional_number(c.memory_request_spread)},
                     {"stability", c.stability},
                     {"resamples", c.resamples},
                     {"explanation", c.explanation}};
  nlohmann::json overrides = nlohmann::json::array();
  for (const GuardrailOverride& o : r.overrides) {
    overrides.push_back({{"guardrail", o.guardrail},
                         {"field", o.field},
                         {"from", optional_number(o.from)},
                         {"to", o.to},
                         {"reason", o.reason}});
  }
  j["guardrails"] = {{"memory_floor_bytes", r.memory_floor_bytes},
                     {"max_change_percent", optional_number(r.max_change_percent)},
                     {"node_group", r.node_room.group},
                     {"node_room_cpu_millicores", r.node_room.cpu_millicores},
                     {"node_room_memory_bytes", r.node_room.memory_bytes},
                     {"overrides", overrides}};

  // What the replay showed, and the reasons in words.
  if (r.counterfactual) {
    const Counterfactual& cf = *r.counterfactual;
    j["counterfactual"] = {{"days", cf.days},
                           {"slo_ms", r.slo_ms},
                           {"slo_percentile", r.slo_percentile},
                           {"current", replay_json(cf.current)},
                           {"recommended", replay_json(cf.recommended)},
                           {"most_changed", cf.most_changed},
                           {"most_changed_relative", cf.most_changed_relative}};
  } else {
    j["counterfactual"] = nullptr;
  }
  j["reasons"] = r.reasons;
  return j;
}

std::string format_json(const Recommendation& r) { return recommendation_json(r).dump(2) + "\n"; }

std::string format_yaml(const Recommendation& r) {
  YAML::Emitter out;
  out.SetDoublePrecision(10);
  emit_json(out, recommendation_json(r));
  return std::string(out.c_str()) + "\n";
}

std::string format_patch(const Recommendation& r) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "apiVersion" << YAML::Value << "apps/v1";
  out << YAML::Key << "kind" << YAML::Value << "Deployment";
  out << YAML::Key << "metadata" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << r.app_name << YAML::EndMap;
  out << YAML::Key << "spec" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "template" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "spec" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "containers" << YAML::Value << YAML::BeginSeq << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << r.container;
  out << YAML::Key << "resources" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "requests" << YAML::Value << YAML::BeginMap;
  emit_quantity(out, "cpu", r.resources.requests.cpu_millicores, true);
  emit_quantity(out, "memory", r.resources.requests.memory_bytes, false);
  out << YAML::EndMap;
  out << YAML::Key << "limits" << YAML::Value << YAML::BeginMap;
  emit_quantity(out, "cpu", r.resources.limits.cpu_millicores, true);
  emit_quantity(out, "memory", r.resources.limits.memory_bytes, false);
  out << YAML::EndMap;
  out << YAML::EndMap << YAML::EndMap << YAML::EndSeq;  // resources, container, containers
  out << YAML::EndMap << YAML::EndMap << YAML::EndMap;  // pod spec, template, spec
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

std::string format_vpa(const Recommendation& r, const VpaFormatOptions& options) {
  check_vpa_update_mode(options.update_mode);
  if (!(options.lower_fraction >= 0.0 && options.lower_fraction < 1.0) ||
      !(options.upper_fraction >= 0.0)) {
    throw std::invalid_argument("vpa band: lower_fraction must be in [0, 1), upper >= 0");
  }

  // The band around each request (see the header).
  const auto& cpu = r.resources.requests.cpu_millicores;
  const auto& memory = r.resources.requests.memory_bytes;
  std::optional<double> min_cpu, max_cpu, min_memory, max_memory;
  if (cpu) {
    min_cpu = round_cpu_millicores(*cpu * (1.0 - options.lower_fraction), Rounding::kDown);
    max_cpu = round_cpu_millicores(
        std::min(*cpu * (1.0 + options.upper_fraction), r.node_room.cpu_millicores),
        Rounding::kDown);
    max_cpu = std::max(*max_cpu, *cpu);
  }
  if (memory) {
    min_memory = round_memory_bytes(
        std::max(*memory * (1.0 - options.lower_fraction), r.memory_floor_bytes), Rounding::kUp);
    min_memory = std::min(*min_memory, *memory);
    max_memory = round_memory_bytes(
        std::min(*memory * (1.0 + options.upper_fraction), r.node_room.memory_bytes),
        Rounding::kDown);
    max_memory = std::max(*max_memory, *memory);
  }

  // The object.
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "apiVersion" << YAML::Value << "autoscaling.k8s.io/v1";
  out << YAML::Key << "kind" << YAML::Value << "VerticalPodAutoscaler";
  out << YAML::Key << "metadata" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << r.app_name << YAML::EndMap;
  out << YAML::Key << "spec" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "targetRef" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "apiVersion" << YAML::Value << "apps/v1";
  out << YAML::Key << "kind" << YAML::Value << "Deployment";
  out << YAML::Key << "name" << YAML::Value << r.app_name << YAML::EndMap;
  out << YAML::Key << "updatePolicy" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "updateMode" << YAML::Value << YAML::DoubleQuoted << options.update_mode
      << YAML::EndMap;
  out << YAML::Key << "resourcePolicy" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "containerPolicies" << YAML::Value << YAML::BeginSeq << YAML::BeginMap;
  out << YAML::Key << "containerName" << YAML::Value << r.container;
  for (const auto& [key, c, m] : {std::tuple{"minAllowed", min_cpu, min_memory},
                                  std::tuple{"maxAllowed", max_cpu, max_memory}}) {
    if (!c && !m) continue;
    out << YAML::Key << key << YAML::Value << YAML::BeginMap;
    if (c) emit_quantity(out, "cpu", c, true);
    if (m) emit_quantity(out, "memory", m, false);
    out << YAML::EndMap;
  }
  out << YAML::Key << "controlledValues" << YAML::Value << "RequestsAndLimits";
  out << YAML::EndMap << YAML::EndSeq << YAML::EndMap;  // policy, list, resourcePolicy
  out << YAML::EndMap << YAML::EndMap;                  // spec, object
  return std::string(out.c_str()) + "\n";
}

std::string format_text(const Recommendation& r) {
  std::string s;
  s += "podsizer recommendation for " + r.app_name + " (container " + r.container + ")\n";
  s += "policy " + r.policy.name + " " + r.policy.version + " (" + r.policy.kind + ")\n\n";

  // The table of values.
  s += line("  %-16s %-12s %-12s\n", "", "current", "recommended");
  const char* names[4] = {"CPU request", "CPU limit", "memory request", "memory limit"};
  const std::optional<double>* now[4] = {
      &r.current.requests.cpu_millicores, &r.current.limits.cpu_millicores,
      &r.current.requests.memory_bytes, &r.current.limits.memory_bytes};
  const std::optional<double>* next[4] = {
      &r.resources.requests.cpu_millicores, &r.resources.limits.cpu_millicores,
      &r.resources.requests.memory_bytes, &r.resources.limits.memory_bytes};
  for (int i = 0; i < 4; ++i) {
    const bool cpu = i < 2;
    s += line("  %-16s %-12s %-12s\n", names[i], text_of(*now[i], cpu).c_str(),
              text_of(*next[i], cpu).c_str());
  }
  if (r.current_hpa_target_utilization) {
    s += line("  %-16s %-12s %-12s\n", "HPA CPU target",
              line("%.0f %%", 100.0 * *r.current_hpa_target_utilization).c_str(),
              r.hpa_target_utilization
                  ? line("%.0f %%", 100.0 * *r.hpa_target_utilization).c_str()
                  : "unchanged");
  }

  // Confidence, guardrails, reasons.
  s += "\nconfidence " + r.confidence.explanation + "\n";
  if (!r.overrides.empty()) {
    s += "\nguardrails that overrode the policy:\n";
    for (const GuardrailOverride& o : r.overrides) {
      const bool cpu = o.field.find("cpu") != std::string::npos;
      s += "  - " + o.guardrail + ": " + o.field + " " + text_of(o.from, cpu) + " -> " +
           text_of(o.to, cpu) + " (" + o.reason + ")\n";
    }
  }
  s += "\nreasons:\n";
  for (const std::string& reason : r.reasons) s += "  - " + reason + "\n";
  return s;
}

std::string format_recommendation(const Recommendation& r, OutputFormat format,
                                  const VpaFormatOptions& vpa) {
  switch (format) {
    case OutputFormat::kText:
      return format_text(r);
    case OutputFormat::kYaml:
      return format_yaml(r);
    case OutputFormat::kJson:
      return format_json(r);
    case OutputFormat::kPatch:
      return format_patch(r);
    case OutputFormat::kVpa:
      return format_vpa(r, vpa);
  }
  return format_text(r);
}

}  // namespace podsizer::policies
