#include "traces/app_spec.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstring>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <utility>

#include <yaml-cpp/yaml.h>

#include "traces/errors.h"
#include "traces/quantity.h"

namespace podsizer::traces {
namespace {

// 1-based line of a node, or 0 when yaml-cpp kept no position for it.
std::size_t line_of(const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  return mark.is_null() ? 0 : static_cast<std::size_t>(mark.line) + 1;
}

// What a node holds, in words, for messages such as "expected a number, got a list".
std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "'" + node.Scalar() + "'";
    default:
      return "nothing";
  }
}

// Edit distance between two keys, to suggest the key a user probably meant.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string join_path(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

// A node of the YAML with the dotted path and the line that name it in messages. The line of a
// map's value is that of its key, which is where a user looks (an empty value or a block below
// a key has its own position elsewhere).
struct Field {
  YAML::Node node;
  std::string path;
  std::size_t line = 0;
};

Field list_entry(const Field& list, std::size_t index) {
  const YAML::Node node = list.node[index];
  return Field{node, list.path + "[" + std::to_string(index) + "]", line_of(node)};
}

// Turns YAML nodes into checked values; every problem becomes an InputError naming the file,
// the node's line and its path.
class SpecReader {
 public:
  explicit SpecReader(std::string file) : file_(std::move(file)) {}

  [[noreturn]] void fail(const Field& field, const std::string& problem) const {
    throw InputError(file_, field.line, field.path, problem);
  }

  [[noreturn]] void fail_at(std::size_t line, const std::string& path,
                            const std::string& problem) const {
    throw InputError(file_, line, path, problem);
  }

  // A scalar's text; refuses maps, lists and empty values.
  std::string scalar(const Field& field, std::string_view expected) const {
    if (!field.node.IsScalar()) {
      fail(field, "expected " + std::string(expected) + ", got " + describe(field.node));
    }
    return field.node.Scalar();
  }

  std::string text(const Field& field) const {
    std::string value = scalar(field, "text");
    if (value.empty()) fail(field, "must not be empty");
    return value;
  }

  // A finite number written as a YAML number or as text holding one ("200", 1e3, "0.5").
  double number(const Field& field) const {
    const std::string value = scalar(field, "a number");
    std::string_view digits = value;
    if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
    double parsed = 0.0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), parsed);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() ||
        !std::isfinite(parsed)) {
      fail(field, "expected a number, got '" + value + "'");
    }
    return parsed;
  }

  double non_negative(const Field& field) const {
    const double value = number(field);
    if (value < 0.0) fail(field, "must not be negative, got " + field.node.Scalar());
    return value;
  }

  int integer(const Field& field) const {
    const double value = number(field);
    if (value != std::floor(value) || value < INT_MIN || value > INT_MAX) {
      fail(field, "expected a whole number, got " + field.node.Scalar());
    }
    return static_cast<int>(value);
  }

  bool boolean(const Field& field) const {
    bool value = false;
    if (!field.node.IsScalar() || !YAML::convert<bool>::decode(field.node, value)) {
      fail(field, "expected true or false, got " + describe(field.node));
    }
    return value;
  }

  double cpu(const Field& field) const {
    const std::string value = scalar(field, "a CPU quantity such as \"250m\" or 0.5");
    try {
      return parse_cpu_millicores(value);
    } catch (const QuantityError& error) {
      fail(field, error.what());
    }
  }

  double memory(const Field& field) const {
    const std::string value = scalar(field, "a memory quantity such as \"512Mi\" or \"1Gi\"");
    try {
      return parse_memory_bytes(value);
    } catch (const QuantityError& error) {
      fail(field, error.what());
    }
  }

  const std::string& file() const { return file_; }

 private:
  std::string file_;
};

// The keys of one YAML map, checked against the keys it may hold: each known, none twice.
class MapView {
 public:
  MapView(const SpecReader& reader, Field self, std::initializer_list<std::string_view> known)
      : reader_(reader), self_(std::move(self)) {
    // A map is required here; name what came instead.
    if (!self_.node.IsMap()) {
      reader_.fail(self_, "expected a map of `key: value` lines, got " + describe(self_.node));
    }

    // Every key must be one this map knows, and appear once.
    for (auto it = self_.node.begin(); it != self_.node.end(); ++it) {
      const YAML::Node key = it->first;
      const std::string name = key.IsScalar() ? key.Scalar() : describe(key);
      const std::string path = join_path(self_.path, name);
      if (std::find(known.begin(), known.end(), name) == known.end()) {
        reader_.fail_at(line_of(key), path, "unknown key" + hint(name, known));
      }
      for (const Entry& earlier : entries_) {
        if (earlier.key == name) {
          reader_.fail_at(
              line_of(key), path,
              "appears twice (first on line " + std::to_string(line_of(earlier.key_node)) + ")");
        }
      }
      entries_.push_back({name, it->first, it->second});
    }
  }

  std::optional<Field> get(std::string_view key) const {
    for (const Entry& entry : entries_) {
      if (entry.key == key) {
        return Field{entry.value, join_path(self_.path, key), line_of(entry.key_node)};
      }
    }
    return std::nullopt;
  }

  Field require(std::string_view key) const {
    if (auto field = get(key)) return *field;
    const std::string where = self_.path.empty() ? "" : " from '" + self_.path + "'";
    // A missing top-level key is not tied to a line; a nested one points at its parent.
    reader_.fail_at(self_.path.empty() ? 0 : self_.line, join_path(self_.path, key),
                    "required field is missing" + where);
  }

  const Field& self() const { return self_; }

 private:
  struct Entry {
    std::string key;
    YAML::Node key_node;
    YAML::Node value;
  };

  // " (did you mean 'x'?)" for a near miss, else the list of keys this map accepts.
  static std::string hint(const std::string& name, std::initializer_list<std::string_view> known) {
    std::string_view closest;
    std::size_t best = SIZE_MAX;
    for (std::string_view candidate : known) {
      const std::size_t distance = edit_distance(name, candidate);
      if (distance < best) best = distance, closest = candidate;
    }
    if (best <= std::max<std::size_t>(2, name.size() / 4)) {
      return " (did you mean '" + std::string(closest) + "'?)";
    }
    std::string list;
    for (std::string_view candidate : known) {
      list += list.empty() ? "" : ", ";
      list += candidate;
    }
    return " (known keys: " + list + ")";
  }

  const SpecReader& reader_;
  Field self_;
  std::vector<Entry> entries_;
};

WorkloadType parse_workload_type(const SpecReader& reader, const Field& field) {
  const std::string value = reader.text(field);
  if (value == "web_service") return WorkloadType::kWebService;
  if (value == "batch") return WorkloadType::kBatch;
  if (value == "streaming") return WorkloadType::kStreaming;
  if (value == "worker") return WorkloadType::kWorker;
  reader.fail(field,
              "unknown workload type '" + value + "' (web_service, batch, streaming or worker)");
}

Objective parse_objective(const SpecReader& reader, const Field& field) {
  const std::string value = reader.text(field);
  if (value == "savings") return Objective::kSavings;
  if (value == "balanced") return Objective::kBalanced;
  if (value == "reliability") return Objective::kReliability;
  reader.fail(field, "unknown objective '" + value + "' (savings, balanced or reliability)");
}

double parse_slo_percentile(const SpecReader& reader, const Field& field) {
  const std::string value = reader.scalar(field, "p95 or p99");
  if (value == "p95" || value == "95") return 0.95;
  if (value == "p99" || value == "99") return 0.99;
  reader.fail(field, "unknown percentile '" + value + "' (p95 or p99)");
}

// `{cpu, memory}` under requests or limits, with the fields kept for later messages.
struct ResourceFields {
  ResourceValues values;
  std::optional<Field> cpu;
  std::optional<Field> memory;
};

ResourceFields parse_resource_values(const SpecReader& reader, const Field& field) {
  const MapView map(reader, field, {"cpu", "memory"});
  ResourceFields parsed{{}, map.get("cpu"), map.get("memory")};
  if (parsed.cpu) parsed.values.cpu_millicores = reader.cpu(*parsed.cpu);
  if (parsed.memory) parsed.values.memory_bytes = reader.memory(*parsed.memory);
  return parsed;
}

// Refuses a request above its limit, then lets a lone limit stand for the request too:
// Kubernetes copies a container's limit into its unset request (kubernetes/website,
// concepts/configuration/manage-resources-containers.md).
void settle_request(const SpecReader& reader, const std::optional<Field>& request_field,
                    std::optional<double>& request, const std::optional<double>& limit,
                    bool is_cpu) {
  if (request && limit && *request > *limit) {
    const std::string shown_request = is_cpu ? format_cpu(*request) : format_memory(*request);
    const std::string shown_limit = is_cpu ? format_cpu(*limit) : format_memory(*limit);
    reader.fail(*request_field, "the request " + shown_request + " is above the limit " +
                                    shown_limit + "; a request may not exceed its limit");
  }
  if (!request && limit) request = limit;
}

// `{requests: {...}, limits: {...}}` of one container, checked and settled; the request
// fields stay with it so that a pod too large for every node can point at them.
struct ContainerFields {
  ContainerResources values;
  Field self;
  std::optional<Field> request_cpu;
  std::optional<Field> request_memory;
};

ContainerFields parse_container_resources(const SpecReader& reader, const Field& field) {
  const MapView map(reader, field, {"requests", "limits"});
  ContainerFields parsed{{}, field, std::nullopt, std::nullopt};
  if (auto requests = map.get("requests")) {
    ResourceFields values = parse_resource_values(reader, *requests);
    parsed.values.requests = values.values;
    parsed.request_cpu = values.cpu;
    parsed.request_memory = values.memory;
  }
  if (auto limits = map.get("limits")) {
    parsed.values.limits = parse_resource_values(reader, *limits).values;
  }

  ContainerResources& resources = parsed.values;
  settle_request(reader, parsed.request_cpu, resources.requests.cpu_millicores,
                 resources.limits.cpu_millicores, true);
  settle_request(reader, parsed.request_memory, resources.requests.memory_bytes,
                 resources.limits.memory_bytes, false);
  return parsed;
}

// The keys of `cluster_node` and of each `node_groups` entry.
NodeGroup parse_node_group(const SpecReader& reader, const Field& field, bool name_required) {
  const MapView map(
      reader, field,
      {"name", "cpu_per_node", "memory_per_node", "price_per_hour", "count", "max_count"});
  NodeGroup group;
  if (name_required || map.get("name")) group.name = reader.text(map.require("name"));

  const Field cpu = map.require("cpu_per_node");
  group.cpu_millicores = reader.cpu(cpu);
  if (group.cpu_millicores <= 0.0) reader.fail(cpu, "a node needs some CPU");
  const Field memory = map.require("memory_per_node");
  group.memory_bytes = reader.memory(memory);
  if (group.memory_bytes <= 0.0) reader.fail(memory, "a node needs some memory");

  if (auto price = map.get("price_per_hour")) group.price_per_hour = reader.non_negative(*price);
  if (auto count = map.get("count")) {
    group.count = reader.integer(*count);
    if (group.count < 0) reader.fail(*count, "must not be negative");
  }
  if (auto max_count = map.get("max_count")) {
    group.max_count = reader.integer(*max_count);
    if (group.max_count < 0) reader.fail(*max_count, "must not be negative");
    if (group.max_count > 0 && group.count > group.max_count) {
      reader.fail(*max_count, "is below count " + std::to_string(group.count));
    }
  }
  return group;
}

HpaPolicy parse_hpa_policy(const SpecReader& reader, const Field& field) {
  const MapView map(
      reader, field,
      {"enabled", "min_replicas", "max_replicas", "cpu_target_utilization_percentage"});
  HpaPolicy hpa;
  if (auto enabled = map.get("enabled")) hpa.enabled = reader.boolean(*enabled);

  // Replicas: at least one pod, and a maximum the HPA may not pass.
  const std::optional<Field> min_field = map.get("min_replicas");
  if (min_field) {
    hpa.min_replicas = reader.integer(*min_field);
    if (hpa.min_replicas < 1) reader.fail(*min_field, "must be at least 1");
  }
  std::optional<Field> max_field = map.get("max_replicas");
  if (hpa.enabled && !max_field) max_field = map.require("max_replicas");
  hpa.max_replicas = max_field ? reader.integer(*max_field) : hpa.min_replicas;
  if (max_field && hpa.max_replicas < 1) reader.fail(*max_field, "must be at least 1");
  if (hpa.min_replicas > hpa.max_replicas) {
    reader.fail(min_field ? *min_field : *max_field,
                "min_replicas " + std::to_string(hpa.min_replicas) + " is above max_replicas " +
                    std::to_string(hpa.max_replicas));
  }

  // The target is a percentage of the request in the YAML and a fraction here.
  if (auto target = map.get("cpu_target_utilization_percentage")) {
    const double percent = reader.number(*target);
    if (percent <= 0.0 || percent > 100.0) {
      reader.fail(*target, "must be above 0 and at most 100, got " + target->node.Scalar());
    }
    hpa.cpu_target_utilization = percent / 100.0;
  }
  return hpa;
}

std::vector<NodeGroup> parse_node_groups(const SpecReader& reader, const Field& cluster_node,
                                         const std::optional<Field>& node_groups) {
  std::vector<NodeGroup> groups{parse_node_group(reader, cluster_node, false)};
  if (!node_groups) return groups;
  if (!node_groups->node.IsSequence()) {
    reader.fail(*node_groups, "expected a list of node groups, got " + describe(node_groups->node));
  }
  for (std::size_t i = 0; i < node_groups->node.size(); ++i) {
    const Field entry = list_entry(*node_groups, i);
    NodeGroup group = parse_node_group(reader, entry, true);
    for (const NodeGroup& earlier : groups) {
      if (earlier.name == group.name) {
        reader.fail(entry, "a node group named '" + group.name + "' is already defined");
      }
    }
    groups.push_back(std::move(group));
  }
  return groups;
}

std::vector<Sidecar> parse_sidecars(const SpecReader& reader, const Field& field) {
  if (!field.node.IsSequence()) {
    reader.fail(field, "expected a list of containers, got " + describe(field.node));
  }
  std::vector<Sidecar> sidecars;
  for (std::size_t i = 0; i < field.node.size(); ++i) {
    const Field entry = list_entry(field, i);
    const MapView map(reader, entry, {"name", "resources"});
    Sidecar sidecar;
    const Field name = map.require("name");
    sidecar.name = reader.text(name);
    for (const Sidecar& earlier : sidecars) {
      if (earlier.name == sidecar.name) reader.fail(name, "two sidecars are named " + sidecar.name);
    }
    if (auto resources = map.get("resources")) {
      sidecar.resources = parse_container_resources(reader, *resources).values;
    }
    sidecars.push_back(std::move(sidecar));
  }
  return sidecars;
}

// A pod is placed by the sum of its containers' requests, and only where that sum fits a
// node's allocatable CPU and memory together (kubernetes/website,
// concepts/configuration/manage-resources-containers.md). A pod that fits no node group would
// stay Pending forever, so such a spec is refused.
void check_pod_fits(const SpecReader& reader, const AppSpec& spec, const ContainerFields& current) {
  double cpu = spec.current.requests.cpu_millicores.value_or(0.0);
  double memory = spec.current.requests.memory_bytes.value_or(0.0);
  for (const Sidecar& sidecar : spec.sidecars) {
    cpu += sidecar.resources.requests.cpu_millicores.value_or(0.0);
    memory += sidecar.resources.requests.memory_bytes.value_or(0.0);
  }
  double largest_cpu = 0.0;
  double largest_memory = 0.0;
  for (const NodeGroup& group : spec.node_groups) {
    if (cpu <= group.cpu_millicores && memory <= group.memory_bytes) return;
    largest_cpu = std::max(largest_cpu, group.cpu_millicores);
    largest_memory = std::max(largest_memory, group.memory_bytes);
  }

  // Point at the request that is too large, or at the resources as a whole.
  const std::string pod = spec.sidecars.empty() ? "the pod" : "the pod with its sidecars";
  if (cpu > largest_cpu) {
    reader.fail(current.request_cpu.value_or(current.self),
                pod + " requests " + format_cpu(cpu) + " CPU, more than any node's " +
                    "allocatable " + format_cpu(largest_cpu) + "; it would never be scheduled");
  }
  if (memory > largest_memory) {
    reader.fail(current.request_memory.value_or(current.self),
                pod + " requests " + format_memory(memory) + " of memory, more than any " +
                    "node's allocatable " + format_memory(largest_memory) +
                    "; it would never be scheduled");
  }
  reader.fail(current.self, pod + " requests " + format_cpu(cpu) + " CPU and " +
                                format_memory(memory) + ", which no single node group has; " +
                                "it would never be scheduled");
}

AppSpec parse_root(const SpecReader& reader, const YAML::Node& root) {
  // An empty file is the likeliest mistake of all; say what was expected.
  if (root.IsNull()) {
    reader.fail_at(0, "",
                   "the file is empty; expected an app spec such as "
                   "examples/my-service.yaml");
  }
  const MapView map(
      reader, Field{root, "", line_of(root)},
      {"app_name", "workload_type", "avg_request_per_sec", "peak_request_per_sec",
       "response_time_slo_ms", "current_resources", "cluster_node", "hpa_policy", "objective",
       "memory_safety_margin", "slo_percentile", "node_groups", "sidecars"});
  AppSpec spec;
  spec.source_file = reader.file();

  // The application and its load.
  spec.app_name = reader.text(map.require("app_name"));
  spec.workload_type = parse_workload_type(reader, map.require("workload_type"));
  spec.avg_request_per_sec = reader.non_negative(map.require("avg_request_per_sec"));
  const Field peak = map.require("peak_request_per_sec");
  spec.peak_request_per_sec = reader.non_negative(peak);
  if (spec.peak_request_per_sec < spec.avg_request_per_sec) {
    reader.fail(peak, "the peak " + peak.node.Scalar() + " is below avg_request_per_sec " +
                          map.require("avg_request_per_sec").node.Scalar());
  }
  const Field slo = map.require("response_time_slo_ms");
  spec.response_time_slo_ms = reader.number(slo);
  if (spec.response_time_slo_ms <= 0.0) reader.fail(slo, "must be above 0 ms");

  // What the pods ask for, where they can run and how they scale.
  const ContainerFields current =
      parse_container_resources(reader, map.require("current_resources"));
  spec.current = current.values;
  spec.node_groups = parse_node_groups(reader, map.require("cluster_node"), map.get("node_groups"));
  spec.hpa = parse_hpa_policy(reader, map.require("hpa_policy"));
  if (auto sidecars = map.get("sidecars")) spec.sidecars = parse_sidecars(reader, *sidecars);
  check_pod_fits(reader, spec, current);

  // What the user wants traded against what.
  if (auto objective = map.get("objective")) spec.objective = parse_objective(reader, *objective);
  if (auto margin = map.get("memory_safety_margin")) {
    spec.memory_safety_margin = reader.number(*margin);
    if (spec.memory_safety_margin < 1.0) {
      reader.fail(*margin, "must be at least 1.0 (1.2 keeps memory 20 % above the peak)");
    }
  }
  if (auto percentile = map.get("slo_percentile")) {
    spec.slo_percentile = parse_slo_percentile(reader, *percentile);
  }
  return spec;
}

}  // namespace

AppSpec parse_app_spec(std::string_view yaml_text, const std::string& file_name) {
  const SpecReader reader(file_name);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::ParserException& error) {
    // yaml-cpp counts lines from 0.
    reader.fail_at(error.mark.is_null() ? 0 : static_cast<std::size_t>(error.mark.line) + 1, "",
                   "malformed YAML: " + error.msg);
  }
  return parse_root(reader, root);
}

AppSpec load_app_spec(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, 0, "", std::string("cannot open: ") + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  return parse_app_spec(text.str(), path);
}

AppSpec default_app_spec() {
  return parse_app_spec(default_app_spec_yaml(), "<embedded examples/my-service.yaml>");
}

std::string to_string(WorkloadType type) {
  switch (type) {
    case WorkloadType::kWebService:
      return "web_service";
    case WorkloadType::kBatch:
      return "batch";
    case WorkloadType::kStreaming:
      return "streaming";
    case WorkloadType::kWorker:
      return "worker";
  }
  return "unknown";
}

std::string to_string(Objective objective) {
  switch (objective) {
    case Objective::kSavings:
      return "savings";
    case Objective::kBalanced:
      return "balanced";
    case Objective::kReliability:
      return "reliability";
  }
  return "unknown";
}

}  // namespace podsizer::traces
