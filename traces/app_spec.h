// AppSpec: what a platform engineer tells podsizer about one application.
//
// Read from the YAML of the design's "Inputs a user brings": the required fields exactly as
// written there, plus optional sections (objective, memory safety margin, node price and node
// groups, sidecar containers, the SLO's latency percentile, the HPA switch). Quantities use
// Kubernetes notation and are converted to millicores and bytes on reading. The reader checks
// types and consistency (min <= max replicas, requests <= limits, SLO > 0, requests fit a node,
// a known workload_type) and reports the first problem with file, line and field.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace podsizer::traces {

enum class WorkloadType { kWebService, kBatch, kStreaming, kWorker };
enum class Objective { kSavings, kBalanced, kReliability };

// Requests or limits of one container; an unset value means the field was not given.
struct ResourceValues {
  std::optional<double> cpu_millicores;
  std::optional<double> memory_bytes;
};

struct ContainerResources {
  ResourceValues requests;
  ResourceValues limits;
};

struct Sidecar {
  std::string name;
  ContainerResources resources;
};

// One group of identical nodes. `cluster_node` in the YAML gives the first group; an optional
// `node_groups` list gives more.
struct NodeGroup {
  std::string name = "default";
  double cpu_millicores = 0.0;     // allocatable CPU of one node
  double memory_bytes = 0.0;       // allocatable memory of one node
  double price_per_hour = 0.0;     // currency units per node-hour; 0 when not given
  int count = 0;                   // nodes at the start; 0 lets the simulator size the group
  int max_count = 0;               // cap for a cluster autoscaler; 0 means no autoscaling
};

struct HpaPolicy {
  bool enabled = true;
  int min_replicas = 1;            // Kubernetes' default when the field is absent
  int max_replicas = 1;
  double cpu_target_utilization = 0.8;  // a fraction: 80 % in the YAML is 0.8 here
};

struct AppSpec {
  std::string app_name;
  WorkloadType workload_type = WorkloadType::kWebService;
  double avg_request_per_sec = 0.0;
  double peak_request_per_sec = 0.0;
  double response_time_slo_ms = 0.0;
  double slo_percentile = 0.95;    // `slo_percentile: p95 | p99` (or 95, 99)
  ContainerResources current;      // `current_resources`
  std::vector<NodeGroup> node_groups;  // at least one
  HpaPolicy hpa;
  Objective objective = Objective::kBalanced;
  double memory_safety_margin = 1.2;   // recommendations keep memory >= margin x observed peak
  std::vector<Sidecar> sidecars;
  std::string source_file;         // where the spec was read from, for messages
};

// Reads and validates an app spec file. Throws InputError naming file, line and field.
AppSpec load_app_spec(const std::string& path);

// The same from text; `file_name` is used in error messages.
AppSpec parse_app_spec(std::string_view yaml_text, const std::string& file_name);

// The embedded default: the example application that ships under examples/.
AppSpec default_app_spec();
std::string_view default_app_spec_yaml();

std::string to_string(WorkloadType type);
std::string to_string(Objective objective);

}  // namespace podsizer::traces
