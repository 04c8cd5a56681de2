// Output formats of a recommendation, each parsed back, and the patch applied by the real
// `kubectl kustomize`.
#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "policies/formats.h"
#include "traces/quantity.h"

namespace {

namespace fs = std::filesystem;
using podsizer::policies::Recommendation;
using podsizer::traces::kGiB;
using podsizer::traces::kMiB;

// A recommendation written by hand: requests 200m / 512Mi, CPU limit unset, memory limit 768Mi,
// floor 450Mi, a node room of 7900m / 31Gi, one guardrail override.
Recommendation sample() {
  Recommendation r;
  r.app_name = "my-service";
  r.container = "app";
  r.policy = {"autopilot", "0.1.0", "baseline", "", {{"cpu_percentile", "0.95"}}};
  r.current.requests.cpu_millicores = 250;
  r.current.requests.memory_bytes = 512 * kMiB;
  r.current.limits.cpu_millicores = 500;
  r.current.limits.memory_bytes = 1 * kGiB;
  r.resources.requests.cpu_millicores = 200;
  r.resources.requests.memory_bytes = 512 * kMiB;
  r.resources.limits.memory_bytes = 768 * kMiB;
  r.hpa_target_utilization = 0.7;
  r.current_hpa_target_utilization = 0.8;
  r.memory_floor_bytes = 450 * kMiB;
  r.node_room = {"default", 7900, 31 * kGiB};
  r.overrides.push_back({"memory-floor", "requests.memory", 400 * kMiB, 450 * kMiB, "floor"});
  r.confidence.value = 0.75;
  r.confidence.explanation = "0.75 = history 0.82 x stability 0.91";
  r.confidence.cpu_request_spread = 0.02;
  r.reasons = {"CPU request 250m -> 200m (-20 %)."};
  podsizer::policies::Counterfactual c;
  c.days = 14;
  c.current.oom_kills = 3;
  c.recommended.cost_per_month = 12.5;
  c.most_changed = "OOM kills";
  c.most_changed_relative = -1.0;
  r.counterfactual = c;
  return r;
}

// Runs a command and returns its standard output and exit status.
std::pair<std::string, int> run(const std::string& command) {
  std::string output;
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::array<char, 4096> buffer{};
  while (std::fgets(buffer.data(), buffer.size(), pipe)) output += buffer.data();
  const int status = pclose(pipe);
  return {output, status};
}

}  // namespace

TEST_CASE("policies::format_json: every number reads back", "[policies]") {
  const auto j = nlohmann::json::parse(podsizer::policies::format_json(sample()));
  CHECK(j["app"] == "my-service");
  CHECK(j["resources"]["requests"]["cpu"] == "200m");
  CHECK(j["resources"]["requests"]["cpu_millicores"] == 200.0);
  CHECK(j["resources"]["requests"]["memory"] == "512Mi");
  CHECK(j["resources"]["limits"]["cpu"].is_null());
  CHECK(j["resources"]["limits"]["memory_bytes"] == 768 * kMiB);
  CHECK(j["hpa_target_utilization"] == 0.7);
  CHECK(j["policy"]["name"] == "autopilot");
  CHECK(j["policy"]["parameters"]["cpu_percentile"] == "0.95");
  CHECK(j["confidence"]["value"] == 0.75);
  CHECK(j["confidence"]["memory_request_spread"].is_null());
  CHECK(j["guardrails"]["overrides"][0]["guardrail"] == "memory-floor");
  CHECK(j["guardrails"]["overrides"][0]["to"] == 450 * kMiB);
  CHECK(j["counterfactual"]["current"]["oom_kills"] == 3.0);
  CHECK(j["counterfactual"]["recommended"]["cost_per_month"] == 12.5);
  CHECK(j["counterfactual"]["most_changed"] == "OOM kills");
  CHECK(j["reasons"].size() == 1);
}

TEST_CASE("policies::format_yaml: the json tree reads back through yaml-cpp", "[policies]") {
  const YAML::Node y = YAML::Load(podsizer::policies::format_yaml(sample()));
  CHECK(y["resources"]["requests"]["cpu"].as<std::string>() == "200m");
  CHECK(y["resources"]["requests"]["cpu_millicores"].as<double>() == 200.0);
  CHECK(y["resources"]["limits"]["memory_bytes"].as<double>() == 768 * kMiB);
  CHECK(y["resources"]["limits"]["cpu"].IsNull());
  CHECK(y["hpa_target_utilization"].as<double>() == Approx(0.7));
  CHECK(y["confidence"]["value"].as<double>() == Approx(0.75));
  CHECK(y["confidence"]["cpu_request_spread"].as<double>() == Approx(0.02));
  CHECK(y["policy"]["version"].as<std::string>() == "0.1.0");
  CHECK(y["guardrails"]["node_group"].as<std::string>() == "default");
  CHECK(y["counterfactual"]["recommended"]["cost_per_month"].as<double>() == Approx(12.5));
  CHECK(y["reasons"][0].as<std::string>() == "CPU request 250m -> 200m (-20 %).");
}

TEST_CASE("policies::format_patch: a strategic-merge patch of the Deployment's container",
          "[policies]") {
  const YAML::Node p = YAML::Load(podsizer::policies::format_patch(sample()));
  CHECK(p["apiVersion"].as<std::string>() == "apps/v1");
  CHECK(p["kind"].as<std::string>() == "Deployment");
  CHECK(p["metadata"]["name"].as<std::string>() == "my-service");
  const YAML::Node c = p["spec"]["template"]["spec"]["containers"][0];
  CHECK(c["name"].as<std::string>() == "app");
  CHECK(c["resources"]["requests"]["cpu"].as<std::string>() == "200m");
  CHECK(c["resources"]["requests"]["memory"].as<std::string>() == "512Mi");
  CHECK(c["resources"]["limits"]["memory"].as<std::string>() == "768Mi");
  CHECK(c["resources"]["limits"]["cpu"].IsNull());  // deletes a stale limit when merged
}

TEST_CASE("policies::format_vpa: a VPA bounded around the recommendation", "[policies]") {
  const YAML::Node v = YAML::Load(podsizer::policies::format_vpa(sample()));
  CHECK(v["apiVersion"].as<std::string>() == "autoscaling.k8s.io/v1");
  CHECK(v["kind"].as<std::string>() == "VerticalPodAutoscaler");
  CHECK(v["spec"]["targetRef"]["kind"].as<std::string>() == "Deployment");
  CHECK(v["spec"]["targetRef"]["name"].as<std::string>() == "my-service");
  CHECK(v["spec"]["updatePolicy"]["updateMode"].as<std::string>() == "Off");
  const YAML::Node c = v["spec"]["resourcePolicy"]["containerPolicies"][0];
  CHECK(c["containerName"].as<std::string>() == "app");
  CHECK(c["controlledValues"].as<std::string>() == "RequestsAndLimits");
  // CPU 200m: min 200 x 0.75 = 150m, max 200 x 1.5 = 300m.
  CHECK(c["minAllowed"]["cpu"].as<std::string>() == "150m");
  CHECK(c["maxAllowed"]["cpu"].as<std::string>() == "300m");
  // Memory 512Mi: 0.75 x 512 = 384Mi is under the 450Mi floor, so 450Mi; max 768Mi.
  CHECK(c["minAllowed"]["memory"].as<std::string>() == "450Mi");
  CHECK(c["maxAllowed"]["memory"].as<std::string>() == "768Mi");

  // Another update mode; a bad one is refused; the node room caps the top of the band.
  podsizer::policies::VpaFormatOptions options;
  options.update_mode = "Auto";
  auto r = sample();
  r.node_room.memory_bytes = 600 * kMiB;
  const YAML::Node auto_mode = YAML::Load(podsizer::policies::format_vpa(r, options));
  CHECK(auto_mode["spec"]["updatePolicy"]["updateMode"].as<std::string>() == "Auto");
  CHECK(auto_mode["spec"]["resourcePolicy"]["containerPolicies"][0]["maxAllowed"]["memory"]
            .as<std::string>() == "600Mi");
  options.update_mode = "Sometimes";
  CHECK_THROWS_AS(podsizer::policies::format_vpa(r, options), std::invalid_argument);
}

TEST_CASE("policies::format_text: a readable summary with the guardrails and reasons",
          "[policies]") {
  const std::string text = podsizer::policies::format_text(sample());
  CHECK(text.find("my-service (container app)") != std::string::npos);
  CHECK(text.find("200m") != std::string::npos);
  CHECK(text.find("768Mi") != std::string::npos);
  CHECK(text.find("confidence 0.75") != std::string::npos);
  CHECK(text.find("memory-floor") != std::string::npos);
  CHECK(text.find("70 %") != std::string::npos);
  CHECK_THROWS_AS(podsizer::policies::parse_output_format("xml"), std::invalid_argument);
  CHECK(podsizer::policies::parse_output_format("vpa") == podsizer::policies::OutputFormat::kVpa);
}

TEST_CASE("policies::format_patch: kubectl kustomize merges it into a Deployment",
          "[policies]") {
  // kubectl must be installed: this test fails, never skips, without it.
  const auto [version, version_status] = run("kubectl version --client 2>&1");
  REQUIRE(version_status == 0);

  // A Deployment with the app container (limits set, including a CPU limit the recommendation
  // removes) and a sidecar the patch must not touch.
  const fs::path folder = fs::temp_directory_path() / "podsizer-test-kustomize";
  fs::remove_all(folder);
  fs::create_directories(folder);
  std::ofstream(folder / "deployment.yaml") << R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: my-service
spec:
  replicas: 2
  selector:
    matchLabels: {app: my-service}
  template:
    metadata:
      labels: {app: my-service}
    spec:
      containers:
      - name: app
        image: example/app:1
        resources:
          requests: {cpu: 250m, memory: 512Mi}
          limits: {cpu: "1", memory: 1Gi}
      - name: proxy
        image: example/proxy:1
        resources:
          requests: {cpu: 50m, memory: 64Mi}
)";
  std::ofstream(folder / "kustomization.yaml") << "resources:\n- deployment.yaml\n"
                                                  "patches:\n- path: patch.yaml\n";
  std::ofstream(folder / "patch.yaml") << podsizer::policies::format_patch(sample());

  const auto [merged, status] = run("kubectl kustomize " + folder.string() + " 2>&1");
  INFO(merged);
  REQUIRE(status == 0);
  const YAML::Node d = YAML::Load(merged);
  const YAML::Node containers = d["spec"]["template"]["spec"]["containers"];
  REQUIRE(containers.size() == 2);
  for (const YAML::Node& c : containers) {
    const std::string name = c["name"].as<std::string>();
    if (name == "app") {
      CHECK(c["image"].as<std::string>() == "example/app:1");
      CHECK(c["resources"]["requests"]["cpu"].as<std::string>() == "200m");
      CHECK(c["resources"]["requests"]["memory"].as<std::string>() == "512Mi");
      CHECK(c["resources"]["limits"]["memory"].as<std::string>() == "768Mi");
      CHECK_FALSE(c["resources"]["limits"]["cpu"].IsDefined());
    } else {
      CHECK(name == "proxy");
      CHECK(c["resources"]["requests"]["cpu"].as<std::string>() == "50m");
    }
  }
  CHECK(d["spec"]["replicas"].as<int>() == 2);
}
