// AppSpec: what a platform engineer tells podsizer about one application.
//
// Read from the YAML of the design's "Inputs a user brings": the required fields exactly as
// written there, plus optional sections (objective, memory safety margin, node price and node
// groups, sidecar containers, the SLO's latency percentile, the HPA switch). Quantities use
// Kubernetes notation ("250m", 0.5, "8", "32Gi", 1e3) and are converted to millicores and bytes
// on reading. examples/my-service.yaml shows every field; the full grammar is:
//
//   app_name, workload_type (web_service | batch | streaming | worker), avg_request_per_sec,
//   peak_request_per_sec, response_time_slo_ms                                     required
//   current_resources: {requests: {cpu, memory}, limits: {cpu, memory}}            required map;
//       every leaf is optional, and a limit given without its request also sets the request
//       (Kubernetes does the same: kubernetes/website, manage-resources-containers.md)
//   cluster_node: {cpu_per_node, memory_per_node [, price_per_hour, count, max_count, name]}
//       required; the first node group, named "default" unless `name` says otherwise
//   hpa_policy: {max_replicas [, min_replicas = 1, cpu_target_utilization_percentage = 80,
//       enabled = true]}   required; the defaults are Kubernetes' own: minReplicas 1, and 80 %
//       CPU when an HPA names no metric (kubernetes/kubernetes
//       pkg/apis/autoscaling/v2/defaults.go).
//       With `enabled: false` the workload runs a fixed min_replicas pods and max_replicas may
//       be left out (it is then min_replicas).
//   objective: savings | balanced | reliability              optional, balanced
//   memory_safety_margin: >= 1.0                              optional, 1.2
//   slo_percentile: p95 | p99 | 95 | 99                       optional, p95
//   node_groups: [{name, cpu_per_node, memory_per_node [, price_per_hour, count, max_count]}]
//   sidecars: [{name, resources: {requests: {cpu, memory}, limits: {cpu, memory}}}]
//
// The reader checks types (a number where a number goes, a map where a map goes), ranges
// (non-negative rates and quantities, SLO > 0, 1 <= min <= max replicas, target utilization in
// (0, 100]) and consistency (avg <= peak rate, requests <= limits, the pod's requests with its
// sidecars fit the allocatable CPU and memory of at least one node group, a known workload_type
// and objective). Unknown keys are refused, with the closest known key as a hint, because a
// misspelt optional key would otherwise be dropped without a word and silently change the
// result. The first problem is reported as an InputError with the file, the 1-based YAML line
// and the dotted field path (e.g. `hpa_policy.min_replicas`, `sidecars[1].name`).
//
// Plain functions over values; safe to call from several threads.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace podsizer::traces {

enum class WorkloadType { kWebService, kBatch, kStreaming, kWorker };
enum class Objective { kSavings, kBalanced, kReliability };

// Requests or limits of one container; an unset value means the field was not given (a request
// whose limit was given holds the limit's value, as in Kubernetes).
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
  double cpu_millicores = 0.0;  // allocatable CPU of one node
  double memory_bytes = 0.0;    // allocatable memory of one node
  double price_per_hour = 0.0;  // currency units per node-hour; 0 when not given
  int count = 0;                // nodes at the start; 0 lets the simulator size the group
  int max_count = 0;            // cap for a cluster autoscaler; 0 means no autoscaling
};

struct HpaPolicy {
  bool enabled = true;
  int min_replicas = 1;  // Kubernetes' default when the field is absent
  int max_replicas = 1;
  double cpu_target_utilization = 0.8;  // a fraction: 80 % in the YAML is 0.8 here
};

struct AppSpec {
  std::string app_name;
  WorkloadType workload_type = WorkloadType::kWebService;
  double avg_request_per_sec = 0.0;
  double peak_request_per_sec = 0.0;
  double response_time_slo_ms = 0.0;
  double slo_percentile = 0.95;        // `slo_percentile: p95 | p99` (or 95, 99)
  ContainerResources current;          // `current_resources`
  std::vector<NodeGroup> node_groups;  // at least one
  HpaPolicy hpa;
  Objective objective = Objective::kBalanced;
  double memory_safety_margin = 1.2;  // recommendations keep memory >= margin x observed peak
  std::vector<Sidecar> sidecars;
  std::string source_file;  // where the spec was read from, for messages
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
