// Tests of the `podsizer` executable, run as a subprocess on small files the tests write.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/test_files.h"
#include "traces/app_spec.h"
#include "traces/quantity.h"
#include "traces/store.h"
#include "traces/synthetic.h"
#include "traces/trace.h"

namespace fs = std::filesystem;
namespace traces = podsizer::traces;
using podsizer::testing::count_of;
using podsizer::testing::Outcome;
using podsizer::testing::quoted;
using podsizer::testing::read_text;
using podsizer::testing::run_podsizer;

namespace {

// Each case's folder: podsizer-test-cli-TAG-N.
struct TempDir : podsizer::testing::TempDir {
  explicit TempDir(const std::string& tag) : podsizer::testing::TempDir("cli", tag) {}
};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace

TEST_CASE("cli: --version prints the version", "[cli]") {
  TempDir dir("version");
  const Outcome outcome = run_podsizer(dir, "--version");
  CHECK(outcome.status == 0);
  CHECK_THAT(outcome.out, Catch::Contains(std::string("podsizer ") + PODSIZER_VERSION));
}

TEST_CASE("cli: every command explains itself with --help", "[cli]") {
  TempDir dir("help");
  const std::vector<std::pair<std::string, std::vector<std::string>>> commands = {
      {"run", {"--out", "example application", "requests and limits"}},
      {"generate", {"--app", "--seed", "--days", "--step", "--leak-mib-per-day", "--out"}},
      {"import",
       {"--format", "--out", "--google-cpu-cores-per-unit", "--prom-cpu", "--prom-url",
        "--prom-selector", "--start", "--end", "--step", "bitbrains"}},
      {"inspect", {"--json", "p95", "Kubernetes quantities"}},
  };
  for (const auto& [command, expected] : commands) {
    INFO(command);
    const Outcome outcome = run_podsizer(dir, command + " --help");
    CHECK(outcome.status == 0);
    for (const std::string& text : expected) CHECK_THAT(outcome.out, Catch::Contains(text));
  }
  const Outcome top = run_podsizer(dir, "--help");
  CHECK(top.status == 0);
  for (const char* command : {"run", "generate", "import", "inspect"}) {
    CHECK_THAT(top.out, Catch::Contains(command));
  }
}

TEST_CASE("cli: generate, import csv and inspect agree with the generator", "[cli]") {
  TempDir dir("roundtrip");
  const std::string csv = dir.file("checkout.csv");
  const std::string store = dir.file("store.h5");

  // Two days at 600 s: 2 * 86400 / 600 = 288 samples.
  Outcome outcome = run_podsizer(dir, "generate --seed 7 --days 2 --step 600 --out " + quoted(csv));
  REQUIRE(outcome.status == 0);
  const std::vector<std::string> lines = lines_of(read_text(csv));
  REQUIRE(lines.size() == 289);
  CHECK(lines[0] ==
        "timestamp,cpu_usage_milli_cores,memory_usage_megabytes,request_per_sec,replicas");
  CHECK(lines[1].rfind("1700000000,", 0) == 0);

  outcome = run_podsizer(dir, "import --format csv --out " + quoted(store) + " " + quoted(csv));
  REQUIRE(outcome.status == 0);
  CHECK(traces::list_traces(store) == std::vector<std::string>{"checkout"});

  outcome = run_podsizer(dir, "inspect --json " + quoted(store));
  REQUIRE(outcome.status == 0);
  const nlohmann::json json = nlohmann::json::parse(outcome.out);
  REQUIRE(json["traces"].size() == 1);
  const nlohmann::json& trace = json["traces"][0];
  CHECK(trace["name"] == "checkout");
  CHECK(trace["samples"] == 288);
  CHECK(trace["interval_s"] == 600.0);
  CHECK(trace["span_s"] == 287 * 600.0);

  // The same trace made in this process: the CSV rounds CPU to 0.001 millicores summed over
  // two pods, so per-pod values agree within 0.0005 / 2 plus a little.
  traces::SyntheticOptions options = traces::synthetic_options_for(traces::default_app_spec());
  options.seed = 7;
  options.duration_s = 2 * 86400.0;
  options.step_s = 600.0;
  const traces::Trace expected = traces::generate_synthetic(options);
  const double cpu_p95 = traces::percentile(expected.cpu_millicores, 0.95);
  const double memory_max = traces::percentile(expected.memory_bytes, 1.0);
  double rate_mean = 0.0;
  for (double r : expected.request_rate) rate_mean += r / 288.0;
  CHECK(trace["cpu_millicores"]["p95"].get<double>() == Approx(cpu_p95).margin(0.001));
  CHECK(trace["memory_bytes"]["max"].get<double>() == Approx(memory_max).margin(2.0));
  CHECK(trace["request_rate"]["mean"].get<double>() == Approx(rate_mean).margin(0.001));
  CHECK(trace["cpu_millicores"]["p95_quantity"] == traces::format_cpu(std::round(cpu_p95)));

  // The text form names the trace and its source.
  outcome = run_podsizer(dir, "inspect " + quoted(store));
  REQUIRE(outcome.status == 0);
  CHECK_THAT(outcome.out, Catch::Contains("checkout (csv:") && Catch::Contains("288 over") &&
                              Catch::Contains("every 10 min"));
}

TEST_CASE("cli: a bad input file fails naming the file and line, and writes nothing", "[cli]") {
  TempDir dir("bad");
  const std::string good = dir.file("good.csv");
  const std::string bad = dir.file("bad.csv");
  const std::string store = dir.file("store.h5");
  std::ofstream(good) << "timestamp,cpu_usage_milli_cores,memory_usage_megabytes,request_per_sec\n"
                         "1700000000,100,256,10\n1700000060,110,260,12\n";
  std::ofstream(bad) << "timestamp,cpu_usage_milli_cores,memory_usage_megabytes,request_per_sec\n"
                        "1700000000,100,256,10\n1700000060,lots,260,12\n";

  const Outcome outcome = run_podsizer(
      dir, "import --format csv --out " + quoted(store) + " " + quoted(good) + " " + quoted(bad));
  CHECK(outcome.status != 0);
  CHECK_THAT(outcome.err, Catch::Contains("podsizer: error:") && Catch::Contains(bad + ":3") &&
                              Catch::Contains("cpu_usage_milli_cores"));
  // Inputs are all read before the store is written: the good file was not stored either.
  CHECK_FALSE(fs::exists(store));
}

TEST_CASE("cli: errors from missing files and wrong options are one clear line", "[cli]") {
  TempDir dir("errors");
  Outcome outcome = run_podsizer(dir, "inspect " + quoted(dir.file("none.h5")));
  CHECK(outcome.status != 0);
  CHECK_THAT(outcome.err, Catch::Contains("podsizer: error:") && Catch::Contains("none.h5"));

  outcome = run_podsizer(dir, "generate --days 0.001 --out " + quoted(dir.file("x.csv")));
  CHECK(outcome.status != 0);
  CHECK_THAT(outcome.err, Catch::Contains("--days"));
  CHECK_FALSE(fs::exists(dir.file("x.csv")));

  outcome = run_podsizer(dir, "import --format prometheus --out " + quoted(dir.file("s.h5")));
  CHECK(outcome.status != 0);
  CHECK_THAT(outcome.err, Catch::Contains("--prom-cpu"));

  outcome = run_podsizer(dir, "import --format excel --out s.h5 a.csv");
  CHECK(outcome.status != 0);
}

TEST_CASE("cli: run writes the history and the store and summarises them", "[cli]") {
  TempDir dir("run");
  const std::string out = dir.file("out");
  const Outcome outcome = run_podsizer(dir, "run --quick --out " + quoted(out));
  REQUIRE(outcome.status == 0);

  // The default load: 14 days at 300 s = 4032 samples, written as CSV rows and one stored trace.
  CHECK(lines_of(read_text(out + "/history.csv")).size() == 4033);
  CHECK(traces::list_traces(out + "/traces.h5") == std::vector<std::string>{"my-service"});
  CHECK(traces::read_trace(out + "/traces.h5", "my-service").size() == 4032);

  CHECK_THAT(outcome.out, Catch::Contains("my-service: 4032 samples over 14.0 d, every 5 min"));
  // The example app's current setting appears beside the usage.
  CHECK_THAT(outcome.out, Catch::Contains("250m") && Catch::Contains("500m") &&
                              Catch::Contains("512Mi") && Catch::Contains("1Gi") &&
                              Catch::Contains("> limit"));
  CHECK_THAT(outcome.err, Catch::Contains("[1/6]"));
}

TEST_CASE("cli: import reads request-rate files and Prometheus answers", "[cli]") {
  TempDir dir("formats");
  const std::string store = dir.file("store.h5");

  // Request rates: one value per second from --start; mean (5 + 7 + 9) / 3 = 7.
  std::ofstream(dir.file("rates.txt")) << "5 7\n9\n";
  Outcome outcome =
      run_podsizer(dir, "import --format requests --start 2023-11-14T22:13:20Z --out " +
                            quoted(store) + " " + quoted(dir.file("rates.txt")));
  REQUIRE(outcome.status == 0);
  const traces::Trace rates = traces::read_trace(store, "rates");
  CHECK(rates.time_s == std::vector<double>{1700000000, 1700000001, 1700000002});
  CHECK(rates.request_rate == std::vector<double>{5, 7, 9});

  // Prometheus range answers from files: two pods' CPU (cores) and memory (bytes).
  const auto matrix = [](const std::string& a, const std::string& b) {
    return R"({"status":"success","data":{"resultType":"matrix","result":[)"
           R"({"metric":{"pod":"web-1"},"values":[[1700000000,")" +
           a + R"("],[1700000060,")" + a +
           R"("]]},)"
           R"({"metric":{"pod":"web-2"},"values":[[1700000000,")" +
           b + R"("],[1700000060,")" + b + R"("]]}]}})";
  };
  std::ofstream(dir.file("cpu.json")) << matrix("0.2", "0.4");
  std::ofstream(dir.file("memory.json")) << matrix("100000000", "300000000");
  outcome = run_podsizer(dir, "import --format prometheus --name web --out " + quoted(store) +
                                  " --prom-cpu " + quoted(dir.file("cpu.json")) +
                                  " --prom-memory " + quoted(dir.file("memory.json")));
  REQUIRE(outcome.status == 0);
  CHECK(traces::list_traces(store) == std::vector<std::string>{"rates", "web"});
  // Per pod: CPU (0.2 + 0.4) / 2 cores = 300 millicores, memory (1e8 + 3e8) / 2 = 2e8 bytes.
  const traces::Trace web = traces::read_trace(store, "web");
  REQUIRE(web.size() == 2);
  CHECK(web.cpu_millicores[0] == Approx(300.0));
  CHECK(web.memory_bytes[1] == Approx(2e8));
}

TEST_CASE("cli: simulate reports the replay as JSON, and a small memory limit OOM-kills", "[cli]") {
  TempDir dir("simulate");
  const std::string csv = dir.file("history.csv");
  REQUIRE(run_podsizer(dir, "generate --seed 3 --days 2 --step 300 --out " + quoted(csv)).status ==
          0);

  // The example app's own resources (512Mi request, 1Gi limit) hold the synthetic service,
  // whose pods use a few hundred MiB.
  const Outcome fixed = run_podsizer(dir, "simulate --json --history " + quoted(csv));
  REQUIRE(fixed.status == 0);
  const nlohmann::json base = nlohmann::json::parse(fixed.out);
  for (const char* key :
       {"oom_kills", "evictions", "restarts", "throttled_seconds", "pending_seconds",
        "slo_violation_seconds", "p95_latency_ms", "mean_replicas", "max_replicas",
        "cpu_request_core_hours", "memory_request_gib_hours", "cost"}) {
    INFO(key);
    CHECK(base.contains(key));
  }
  CHECK(base["oom_kills"].get<double>() == 0.0);
  CHECK(base["duration_s"].get<double>() == Approx(2 * 86400.0).margin(600.0));

  // 100Mi is below every pod's base memory, so the containers are killed again and again.
  const Outcome starved = run_podsizer(
      dir, "simulate --json --memory-request 64Mi --memory-limit 100Mi --history " + quoted(csv));
  REQUIRE(starved.status == 0);
  CHECK(nlohmann::json::parse(starved.out)["oom_kills"].get<double>() > 0.0);
}

TEST_CASE("cli: simulate --policy runs a baseline in closed loop", "[cli]") {
  TempDir dir("simulate-policy");
  const std::string csv = dir.file("history.csv");
  REQUIRE(run_podsizer(dir, "generate --seed 5 --days 2 --step 300 --out " + quoted(csv)).status ==
          0);

  // Two days with a decision every hour: one decision per hour after the first.
  const Outcome vpa = run_podsizer(dir, "simulate --json --policy vpa --history " + quoted(csv));
  REQUIRE(vpa.status == 0);
  const nlohmann::json json = nlohmann::json::parse(vpa.out);
  CHECK(json["policy"] == "vpa");
  CHECK(json["decisions"].get<int>() >= 46);
  CHECK(json["decisions"].get<int>() <= 48);

  const Outcome unknown = run_podsizer(dir, "simulate --policy nope --history " + quoted(csv));
  CHECK(unknown.status != 0);
  CHECK_THAT(unknown.err, Catch::Contains("unknown policy 'nope'") && Catch::Contains("vpa"));
}

TEST_CASE("cli: recommend without --policy uses the shipped pre-trained policy", "[cli]") {
  // The file under policies/pretrained/ must load in this build: its card names this version,
  // these features and the sha256 of the file beside it. A change to the features without a new
  // export fails here rather than in a user's first recommendation.
  TempDir dir("recommend-default");
  const Outcome outcome = run_podsizer(dir, "recommend --format json --no-replay --resamples 2");
  REQUIRE(outcome.status == 0);
  CHECK(outcome.err.find("no pre-trained policy") == std::string::npos);
  const nlohmann::json json = nlohmann::json::parse(outcome.out);
  CHECK(json["policy"]["kind"] == "learned");
  CHECK(json["policy"]["name"] == "podsizer-general.pt");
  const fs::path shipped =
      fs::path(PODSIZER_SOURCE_DIR) / "policies" / "pretrained" / "podsizer-general.pt";
  CHECK(fs::equivalent(fs::path(json["policy"]["source"].get<std::string>()), shipped));
  CHECK(json["resources"]["requests"]["memory_bytes"].get<double>() > 0);
}

TEST_CASE("cli: features gives the policy's input by name, worked out by hand", "[cli]") {
  // Two days of one pod at a steady 200 m and 300 MiB: the references are those values, every
  // window's log ratio to them is 0, and the resources in force are the app's first-day ones
  // (CPU request = p95 = 200 m, memory request = the peak = 300 MiB).
  TempDir dir("features");
  {
    std::ofstream csv(dir.file("steady.csv"));
    csv << "timestamp,cpu_usage_milli_cores,memory_usage_megabytes\n";
    for (int k = 0; k < 2 * 288; ++k) csv << 1700000000 + 300 * k << ",200,300\n";
  }
  const Outcome outcome = run_podsizer(dir, "features --history steady.csv --out f.json");
  REQUIRE(outcome.status == 0);
  const nlohmann::ordered_json f = nlohmann::ordered_json::parse(read_text(dir.file("f.json")));
  REQUIRE(f.size() == 53);
  CHECK(f.begin().key() == "cpu_ref_log_millicores");
  CHECK(f["cpu_ref_log_millicores"].get<double>() == Approx(std::log(200.0)).epsilon(1e-6));
  CHECK(f["memory_ref_log_bytes"].get<double>() ==
        Approx(std::log(300.0 * 1024 * 1024)).epsilon(1e-6));
  CHECK(f["cpu_p95_24h_log_ratio"].get<double>() == Approx(0.0).margin(1e-6));
  CHECK(f["memory_max_7d_log_ratio"].get<double>() == Approx(0.0).margin(1e-6));
  CHECK(f["memory_request_log_ratio"].get<double>() == Approx(0.0).margin(1e-6));
  CHECK(f["memory_limit_log_ratio"].get<double>() == Approx(std::log(1.2)).epsilon(1e-6));
}

TEST_CASE("cli: the README's Python example on `features` gives what recommend proposes", "[cli]") {
  // The real program: Debian's python3 with torch runs the README's own block on the shipped
  // policy and the features podsizer computed; its answer must be the policy's proposal that
  // `recommend` reports before rounding and guardrails.
  TempDir dir("features-python");
  REQUIRE(run_podsizer(dir, "generate --seed 3 --days 3 --out h.csv").status == 0);
  REQUIRE(run_podsizer(dir, "features --history h.csv --out f.json").status == 0);
  const std::string policy =
      (fs::path(PODSIZER_SOURCE_DIR) / "policies" / "pretrained" / "podsizer-general.pt").string();
  const Outcome recommended = run_podsizer(
      dir, "recommend --history h.csv --format json --no-replay --resamples 2 --policy " +
               quoted(policy));
  REQUIRE(recommended.status == 0);
  const nlohmann::json proposed = nlohmann::json::parse(recommended.out)["proposed"];
  std::ofstream(dir.file("expected.json")) << nlohmann::json{
      {"cpu_request_millicores", proposed["requests"]["cpu_millicores"]},
      {"cpu_limit_millicores", proposed["limits"]["cpu_millicores"]},
      {"memory_request_bytes", proposed["requests"]["memory_bytes"]},
      {"memory_limit_bytes",
       proposed["limits"]["memory_bytes"]}}.dump();

  const std::string source = PODSIZER_SOURCE_DIR;
  const std::string command = "/usr/bin/python3 " +
                              quoted(source + "/tests/agent/check_readme_python.py") + " " +
                              quoted(source + "/README.md") + " " + quoted(policy) + " " +
                              quoted(dir.file("f.json")) + " " + quoted(dir.file("expected.json")) +
                              " 1e-6 > " + quoted(dir.file("check.txt")) + " 2>&1";
  const int status = std::system(command.c_str());
  INFO(read_text(dir.file("check.txt")));
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(read_text(dir.file("check.txt")).find("largest difference") != std::string::npos);
}

TEST_CASE("cli: evaluate runs an exported policy file beside the baselines", "[cli]") {
  TempDir dir("evaluate-learned");
  std::ofstream(dir.file("short.yaml")) << "name: short\nduration: 2d\nseed: 1\nchanges: {}\n";
  const std::string policy =
      (fs::path(PODSIZER_SOURCE_DIR) / "policies" / "pretrained" / "podsizer-general.pt").string();
  const Outcome outcome =
      run_podsizer(dir, "evaluate --scenarios short.yaml --seeds 1 --out r.h5 --policies vpa," +
                            quoted(policy));
  INFO(outcome.err);
  REQUIRE(outcome.status == 0);
  // One row per policy in the scenario's table, the file labelled by its stem.
  CHECK(count_of(outcome.out, "\nvpa ") == 1);
  CHECK(count_of(outcome.out, "\npodsizer-general ") == 1);

  // A file that is no exported policy fails with its name.
  std::ofstream(dir.file("broken.pt")) << "not a policy";
  const Outcome broken =
      run_podsizer(dir, "evaluate --scenarios short.yaml --out r2.h5 --policies vpa,broken.pt");
  CHECK(broken.status != 0);
  CHECK_THAT(broken.err, Catch::Contains("broken"));
}
