#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "traces/app_spec.h"
#include "traces/errors.h"

namespace {

using podsizer::traces::AppSpec;
using podsizer::traces::InputError;
using podsizer::traces::Objective;
using podsizer::traces::parse_app_spec;
using podsizer::traces::WorkloadType;

constexpr double kMi = 1024.0 * 1024.0;
constexpr double kGi = 1024.0 * kMi;

// The design's example without comments, one field per line, so that a test can swap one line
// and know the line number the error must name.
const char* const kBaseLines[] = {
    "app_name: my-service",                            // 1
    "workload_type: web_service",                      // 2
    "avg_request_per_sec: 200",                        // 3
    "peak_request_per_sec: 1000",                      // 4
    "response_time_slo_ms: 200",                       // 5
    "current_resources:",                              // 6
    "  requests: {cpu: \"250m\", memory: \"512Mi\"}",  // 7
    "  limits:   {cpu: \"500m\", memory: \"1Gi\"}",    // 8
    "cluster_node:",                                   // 9
    "  cpu_per_node: \"8\"",                           // 10
    "  memory_per_node: \"32Gi\"",                     // 11
    "hpa_policy:",                                     // 12
    "  min_replicas: 2",                               // 13
    "  max_replicas: 10",                              // 14
    "  cpu_target_utilization_percentage: 80",         // 15
};

// The base spec with some lines (1-based) replaced and `extra` appended.
std::string spec_with_lines(const std::map<int, std::string>& replaced,
                            const std::string& extra = "") {
  std::string yaml;
  int line = 1;
  for (const char* base : kBaseLines) {
    const auto found = replaced.find(line);
    yaml += (found == replaced.end() ? std::string(base) : found->second) + "\n";
    ++line;
  }
  return yaml + extra;
}

std::string spec_with(int number = 0, const std::string& text = "", const std::string& extra = "") {
  return spec_with_lines({{number, text}}, extra);
}

// Parses `yaml` as "spec.yaml" and checks that it is refused at `line` for `field`, with
// `words` in the message, which also starts with "spec.yaml:line".
void require_refusal(const std::string& yaml, std::size_t line, const std::string& field,
                     const std::string& words) {
  try {
    parse_app_spec(yaml, "spec.yaml");
    FAIL("accepted:\n" << yaml);
  } catch (const InputError& error) {
    INFO(error.what());
    CHECK(error.file() == "spec.yaml");
    CHECK(error.line() == line);
    CHECK(error.field() == field);
    if (!field.empty()) CHECK_THAT(error.what(), Catch::Contains("field '" + field + "': "));
    CHECK_THAT(error.what(), Catch::Contains(words));
    const std::string prefix =
        line == 0 ? std::string("spec.yaml: ") : "spec.yaml:" + std::to_string(line) + ":";
    CHECK_THAT(error.what(), Catch::StartsWith(prefix));
  }
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Every value of examples/my-service.yaml, in base units: 250m = 250 millicores, 512Mi =
// 512 x 2^20 = 536870912 bytes, 1Gi = 2^30 = 1073741824 bytes, "8" cores = 8000 millicores,
// 32Gi = 34359738368 bytes, 80 % = 0.8.
void check_example(const AppSpec& spec) {
  CHECK(spec.app_name == "my-service");
  CHECK(spec.workload_type == WorkloadType::kWebService);
  CHECK(spec.avg_request_per_sec == 200.0);
  CHECK(spec.peak_request_per_sec == 1000.0);
  CHECK(spec.response_time_slo_ms == 200.0);
  CHECK(spec.current.requests.cpu_millicores == 250.0);
  CHECK(spec.current.requests.memory_bytes == 536870912.0);
  CHECK(spec.current.limits.cpu_millicores == 500.0);
  CHECK(spec.current.limits.memory_bytes == 1073741824.0);
  REQUIRE(spec.node_groups.size() == 1);
  CHECK(spec.node_groups[0].name == "default");
  CHECK(spec.node_groups[0].cpu_millicores == 8000.0);
  CHECK(spec.node_groups[0].memory_bytes == 34359738368.0);
  CHECK(spec.node_groups[0].price_per_hour == 0.0);
  CHECK(spec.node_groups[0].count == 0);
  CHECK(spec.node_groups[0].max_count == 0);
  CHECK(spec.hpa.enabled);
  CHECK(spec.hpa.min_replicas == 2);
  CHECK(spec.hpa.max_replicas == 10);
  CHECK(spec.hpa.cpu_target_utilization == Approx(0.8));
  CHECK(spec.objective == Objective::kBalanced);
  CHECK(spec.memory_safety_margin == Approx(1.2));
  CHECK(spec.slo_percentile == Approx(0.95));
  CHECK(spec.sidecars.empty());
}

}  // namespace

TEST_CASE("traces::AppSpec: reads the design's example with every value", "[traces]") {
  const std::string path = std::string(PODSIZER_SOURCE_DIR) + "/examples/my-service.yaml";
  const AppSpec spec = podsizer::traces::load_app_spec(path);
  check_example(spec);
  CHECK(spec.source_file == path);

  SECTION("the embedded default is the same example") {
    CHECK(podsizer::traces::default_app_spec_yaml() == read_text(path));
    check_example(podsizer::traces::default_app_spec());
  }
  SECTION("the bare required fields give the documented defaults") {
    check_example(parse_app_spec(spec_with(), "spec.yaml"));
  }
}

TEST_CASE("traces::AppSpec: reads every optional field", "[traces]") {
  // Quantities in each notation: 0.5 as a YAML number = 500m; "1e3" bytes = 1000; 1.5 cores =
  // 1500m; 64Gi = 68719476736; 100m; 64Mi = 67108864; 200m; 128Mi = 134217728.
  const std::string yaml = R"(app_name: checkout
workload_type: worker
avg_request_per_sec: 0
peak_request_per_sec: 1e3
response_time_slo_ms: 50.5
current_resources:
  requests: {cpu: 0.5, memory: 1e3}
  limits: {cpu: "1.5", memory: 2Gi}
cluster_node:
  name: general
  cpu_per_node: 8
  memory_per_node: 32Gi
  price_per_hour: 0.38
  count: 3
  max_count: 6
node_groups:
  - name: highmem
    cpu_per_node: "4"
    memory_per_node: 64Gi
    price_per_hour: 0.5
    max_count: 4
hpa_policy:
  enabled: false
  min_replicas: 3
objective: reliability
memory_safety_margin: 1.5
slo_percentile: 99
sidecars:
  - name: envoy
    resources:
      requests: {cpu: 100m, memory: 64Mi}
      limits: {cpu: 200m, memory: 128Mi}
  - name: log-shipper
    resources:
      limits: {cpu: 50m}
  - name: bare
)";
  const AppSpec spec = parse_app_spec(yaml, "full.yaml");
  CHECK(spec.app_name == "checkout");
  CHECK(spec.workload_type == WorkloadType::kWorker);
  CHECK(spec.avg_request_per_sec == 0.0);
  CHECK(spec.peak_request_per_sec == 1000.0);
  CHECK(spec.response_time_slo_ms == 50.5);
  CHECK(spec.current.requests.cpu_millicores == 500.0);
  CHECK(spec.current.requests.memory_bytes == 1000.0);
  CHECK(spec.current.limits.cpu_millicores == 1500.0);
  CHECK(spec.current.limits.memory_bytes == 2 * kGi);

  REQUIRE(spec.node_groups.size() == 2);
  CHECK(spec.node_groups[0].name == "general");
  CHECK(spec.node_groups[0].cpu_millicores == 8000.0);
  CHECK(spec.node_groups[0].memory_bytes == 32 * kGi);
  CHECK(spec.node_groups[0].price_per_hour == 0.38);
  CHECK(spec.node_groups[0].count == 3);
  CHECK(spec.node_groups[0].max_count == 6);
  CHECK(spec.node_groups[1].name == "highmem");
  CHECK(spec.node_groups[1].cpu_millicores == 4000.0);
  CHECK(spec.node_groups[1].memory_bytes == 64 * kGi);
  CHECK(spec.node_groups[1].price_per_hour == 0.5);
  CHECK(spec.node_groups[1].count == 0);
  CHECK(spec.node_groups[1].max_count == 4);

  // A switched-off HPA keeps min_replicas pods: max_replicas defaults to it, the target to 80 %.
  CHECK_FALSE(spec.hpa.enabled);
  CHECK(spec.hpa.min_replicas == 3);
  CHECK(spec.hpa.max_replicas == 3);
  CHECK(spec.hpa.cpu_target_utilization == Approx(0.8));

  CHECK(spec.objective == Objective::kReliability);
  CHECK(spec.memory_safety_margin == 1.5);
  CHECK(spec.slo_percentile == Approx(0.99));

  // A limit without its request also sets the request, as Kubernetes does.
  REQUIRE(spec.sidecars.size() == 3);
  CHECK(spec.sidecars[0].name == "envoy");
  CHECK(spec.sidecars[0].resources.requests.cpu_millicores == 100.0);
  CHECK(spec.sidecars[0].resources.requests.memory_bytes == 64 * kMi);
  CHECK(spec.sidecars[0].resources.limits.cpu_millicores == 200.0);
  CHECK(spec.sidecars[0].resources.limits.memory_bytes == 128 * kMi);
  CHECK(spec.sidecars[1].resources.requests.cpu_millicores == 50.0);
  CHECK(spec.sidecars[1].resources.limits.cpu_millicores == 50.0);
  CHECK_FALSE(spec.sidecars[1].resources.requests.memory_bytes.has_value());
  CHECK_FALSE(spec.sidecars[2].resources.requests.cpu_millicores.has_value());
  CHECK_FALSE(spec.sidecars[2].resources.limits.memory_bytes.has_value());
}

TEST_CASE("traces::AppSpec: reads each spelling of the enumerations", "[traces]") {
  const std::vector<std::pair<std::string, WorkloadType>> workloads = {
      {"web_service", WorkloadType::kWebService},
      {"batch", WorkloadType::kBatch},
      {"streaming", WorkloadType::kStreaming},
      {"worker", WorkloadType::kWorker}};
  for (const auto& [text, type] : workloads) {
    CHECK(parse_app_spec(spec_with(2, "workload_type: " + text), "s").workload_type == type);
    CHECK(podsizer::traces::to_string(type) == text);
  }
  const std::vector<std::pair<std::string, Objective>> objectives = {
      {"savings", Objective::kSavings},
      {"balanced", Objective::kBalanced},
      {"reliability", Objective::kReliability}};
  for (const auto& [text, objective] : objectives) {
    CHECK(parse_app_spec(spec_with(0, "", "objective: " + text), "s").objective == objective);
    CHECK(podsizer::traces::to_string(objective) == text);
  }
  CHECK(parse_app_spec(spec_with(0, "", "slo_percentile: p99"), "s").slo_percentile == 0.99);
  CHECK(parse_app_spec(spec_with(0, "", "slo_percentile: 95"), "s").slo_percentile == 0.95);
  CHECK(parse_app_spec(spec_with(0, "", "slo_percentile: p95"), "s").slo_percentile == 0.95);
  CHECK(parse_app_spec(spec_with(15, "  cpu_target_utilization_percentage: 100"), "s")
            .hpa.cpu_target_utilization == 1.0);
  CHECK(parse_app_spec(spec_with(0, "", "memory_safety_margin: 1"), "s").memory_safety_margin ==
        1.0);
}

TEST_CASE("traces::AppSpec: refuses wrong types naming line and field", "[traces]") {
  require_refusal(spec_with(3, "avg_request_per_sec: lots"), 3, "avg_request_per_sec",
                  "expected a number, got 'lots'");
  require_refusal(spec_with(3, "avg_request_per_sec: [1, 2]"), 3, "avg_request_per_sec",
                  "got a list");
  require_refusal(spec_with(1, "app_name: {a: 1}"), 1, "app_name", "got a map");
  require_refusal(spec_with(1, "app_name:"), 1, "app_name", "got nothing");
  require_refusal(
      spec_with_lines({{6, "current_resources: [\"250m\", \"512Mi\"]"}, {7, "#"}, {8, "#"}}), 6,
      "current_resources", "expected a map");
  require_refusal(spec_with_lines({{12, "hpa_policy: [2, 10]"}, {13, "#"}, {14, "#"}, {15, "#"}}),
                  12, "hpa_policy", "expected a map");
  require_refusal(spec_with(13, "  min_replicas: 2.5"), 13, "hpa_policy.min_replicas",
                  "whole number");
  require_refusal(spec_with(0, "", "hpa_policy_x: 1\n"), 16, "hpa_policy_x", "unknown key");
  require_refusal(spec_with(0, "", "node_groups: {name: a}\n"), 16, "node_groups",
                  "expected a list");
  require_refusal(spec_with(0, "", "sidecars: envoy\n"), 16, "sidecars", "expected a list");
  require_refusal(spec_with(7, "  requests: {cpu: [1], memory: \"512Mi\"}"), 7,
                  "current_resources.requests.cpu", "expected a CPU quantity");
  require_refusal(spec_with(7, "  requests: {cpu: \"250m\", memory: \"512MB\"}"), 7,
                  "current_resources.requests.memory", "unknown suffix 'MB'");
  require_refusal(spec_with(10, "  cpu_per_node: eight"), 10, "cluster_node.cpu_per_node",
                  "invalid quantity 'eight'");
}

TEST_CASE("traces::AppSpec: refuses missing required fields", "[traces]") {
  // A missing top-level field has no line; a nested one points at its parent's key.
  require_refusal(spec_with(1, "# no name"), 0, "app_name", "required field is missing");
  require_refusal(spec_with(5, "# no SLO"), 0, "response_time_slo_ms", "missing");
  require_refusal(spec_with(14, "  # no maximum"), 12, "hpa_policy.max_replicas",
                  "missing from 'hpa_policy'");
  require_refusal(spec_with(10, "  # no CPU"), 9, "cluster_node.cpu_per_node", "missing");
  require_refusal(spec_with(0, "", "sidecars:\n  - resources: {}\n"), 17, "sidecars[0].name",
                  "missing");
  require_refusal(spec_with(0, "", "node_groups:\n  - cpu_per_node: 4\n    memory_per_node: 1Gi\n"),
                  17, "node_groups[0].name", "missing");
  require_refusal("", 0, "", "the file is empty");
  require_refusal("# only a comment\n", 0, "", "the file is empty");
}

TEST_CASE("traces::AppSpec: refuses values out of range", "[traces]") {
  require_refusal(spec_with(2, "workload_type: webservice"), 2, "workload_type",
                  "unknown workload type 'webservice'");
  require_refusal(spec_with(0, "", "objective: cheapest\n"), 16, "objective",
                  "unknown objective 'cheapest'");
  require_refusal(spec_with(0, "", "slo_percentile: p90\n"), 16, "slo_percentile",
                  "unknown percentile");
  require_refusal(spec_with(0, "", "memory_safety_margin: 0.9\n"), 16, "memory_safety_margin",
                  "at least 1.0");
  require_refusal(spec_with(13, "  min_replicas: 12"), 13, "hpa_policy.min_replicas",
                  "min_replicas 12 is above max_replicas 10");
  require_refusal(spec_with(13, "  min_replicas: 0"), 13, "hpa_policy.min_replicas", "at least 1");
  require_refusal(spec_with(14, "  max_replicas: -3"), 14, "hpa_policy.max_replicas", "at least 1");
  require_refusal(spec_with(15, "  cpu_target_utilization_percentage: 0"), 15,
                  "hpa_policy.cpu_target_utilization_percentage", "above 0 and at most 100");
  require_refusal(spec_with(15, "  cpu_target_utilization_percentage: 120"), 15,
                  "hpa_policy.cpu_target_utilization_percentage", "above 0 and at most 100");
  require_refusal(spec_with(5, "response_time_slo_ms: 0"), 5, "response_time_slo_ms", "above 0");
  require_refusal(spec_with(5, "response_time_slo_ms: -200"), 5, "response_time_slo_ms", "above 0");
  require_refusal(spec_with(3, "avg_request_per_sec: -5"), 3, "avg_request_per_sec",
                  "must not be negative");
  require_refusal(spec_with(4, "peak_request_per_sec: 100"), 4, "peak_request_per_sec",
                  "the peak 100 is below avg_request_per_sec 200");
  require_refusal(spec_with(7, "  requests: {cpu: \"-250m\", memory: \"512Mi\"}"), 7,
                  "current_resources.requests.cpu", "negative");
  require_refusal(spec_with(0, "", "cluster_node_x: 1\n"), 16, "cluster_node_x", "unknown key");
  require_refusal(spec_with(11, "  memory_per_node: 0"), 11, "cluster_node.memory_per_node",
                  "needs some memory");
  require_refusal(spec_with(0, "",
                            "node_groups:\n  - {name: a, cpu_per_node: 4, "
                            "memory_per_node: 8Gi, count: 5, max_count: 2}\n"),
                  17, "node_groups[0].max_count", "below count 5");
  require_refusal(spec_with(0, "",
                            "node_groups:\n  - {name: default, cpu_per_node: 4, "
                            "memory_per_node: 8Gi}\n"),
                  17, "node_groups[0]", "already defined");
  require_refusal(spec_with(0, "", "hpa_policy:\n  enabled: maybe\n"), 16, "hpa_policy",
                  "appears twice");
}

TEST_CASE("traces::AppSpec: refuses requests above limits", "[traces]") {
  require_refusal(spec_with(7, "  requests: {cpu: \"750m\", memory: \"512Mi\"}"), 7,
                  "current_resources.requests.cpu", "the request 750m is above the limit 500m");
  require_refusal(spec_with(7, "  requests: {cpu: \"250m\", memory: \"2Gi\"}"), 7,
                  "current_resources.requests.memory", "the request 2Gi is above the limit 1Gi");
  require_refusal(spec_with(0, "",
                            "sidecars:\n  - name: envoy\n    resources:\n"
                            "      requests: {memory: 256Mi}\n"
                            "      limits: {memory: 128Mi}\n"),
                  19, "sidecars[0].resources.requests.memory", "above the limit 128Mi");
}

TEST_CASE("traces::AppSpec: refuses a pod that fits no node", "[traces]") {
  // 250m requested on nodes of 200m allocatable.
  require_refusal(spec_with(10, "  cpu_per_node: 200m"), 7, "current_resources.requests.cpu",
                  "the pod requests 250m CPU, more than any node's allocatable 200m");
  // 512Mi requested on nodes of 256Mi.
  require_refusal(spec_with(11, "  memory_per_node: 256Mi"), 7, "current_resources.requests.memory",
                  "requests 512Mi of memory");
  // 250m + 7800m = 8050m requested with the sidecar, above the 8000m of a node; with a sidecar
  // of 7750m the pod asks for exactly 8000m, which fits.
  const std::string sidecar =
      "sidecars:\n  - name: heavy\n    resources: {requests: {cpu: 7800m}}\n";
  require_refusal(spec_with(0, "", sidecar), 7, "current_resources.requests.cpu",
                  "the pod with its sidecars requests 8050m CPU");
  CHECK_NOTHROW(parse_app_spec(
      spec_with(0, "", "sidecars:\n  - name: heavy\n    resources: {requests: {cpu: 7750m}}\n"),
      "s"));
  // 8 cores and 32Gi on one group, 16 cores and 16Gi on the other: 10 cores with 20Gi fits
  // neither, though each resource alone fits one of them.
  const std::string two_groups =
      spec_with_lines({{7, "  requests: {cpu: \"10\", memory: \"20Gi\"}"},
                       {8, "  limits: {cpu: \"10\", memory: \"20Gi\"}"}},
                      "node_groups:\n  - {name: wide, cpu_per_node: 16, memory_per_node: 16Gi}\n");
  require_refusal(two_groups, 6, "current_resources", "10 CPU and 20Gi, which no single node");
}

TEST_CASE("traces::AppSpec: refuses unknown keys with a hint", "[traces]") {
  require_refusal(spec_with(0, "", "objectve: savings\n"), 16, "objectve",
                  "unknown key (did you mean 'objective'?)");
  require_refusal(spec_with(15, "  cpu_target_utilisation_percentage: 80"), 15,
                  "hpa_policy.cpu_target_utilisation_percentage",
                  "did you mean 'cpu_target_utilization_percentage'?");
  require_refusal(spec_with(0, "", "colour: blue\n"), 16, "colour",
                  "known keys: app_name, workload_type");
  require_refusal(spec_with(8, "  limit: {cpu: \"500m\"}"), 8, "current_resources.limit",
                  "did you mean 'limits'?");
}

TEST_CASE("traces::AppSpec: refuses malformed YAML with its line", "[traces]") {
  // The flow map opened on line 7 is never closed; yaml-cpp notices at the next token, line 8.
  require_refusal(spec_with(7, "  requests: {cpu: \"250m\", memory: \"512Mi\""), 8, "",
                  "malformed YAML");
  // A tab cannot indent YAML; the bad line is 13.
  require_refusal(spec_with(13, "\tmin_replicas: 2"), 13, "", "malformed YAML");
  require_refusal("app_name: my-service\nworkload_type: web: service\n", 2, "", "malformed YAML");
}

TEST_CASE("traces::AppSpec: names the file it could not open", "[traces]") {
  const auto missing = std::filesystem::temp_directory_path() / "podsizer-no-such-spec.yaml";
  try {
    podsizer::traces::load_app_spec(missing.string());
    FAIL("opened a missing file");
  } catch (const InputError& error) {
    CHECK(error.file() == missing.string());
    CHECK(error.line() == 0);
    CHECK_THAT(error.what(), Catch::Contains("cannot open"));
  }

  // A bad file on disk is named by its path.
  const auto path = std::filesystem::temp_directory_path() / "podsizer-test-bad-spec.yaml";
  {
    std::ofstream out(path);
    out << spec_with(13, "  min_replicas: 0");
  }
  try {
    podsizer::traces::load_app_spec(path.string());
    FAIL("accepted min_replicas 0");
  } catch (const InputError& error) {
    CHECK(error.file() == path.string());
    CHECK(error.line() == 13);
    CHECK(error.field() == "hpa_policy.min_replicas");
  }
  std::filesystem::remove(path);
}
