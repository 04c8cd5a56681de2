#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "scenarios/scenario.h"
#include "traces/errors.h"
#include "traces/quantity.h"

namespace fs = std::filesystem;
using podsizer::scenarios::apply_scenario;
using podsizer::scenarios::BaseKind;
using podsizer::scenarios::load_scenario;
using podsizer::scenarios::parse_scenario;
using podsizer::scenarios::Scenario;
using podsizer::scenarios::Spike;
using podsizer::traces::InputError;
using podsizer::traces::Trace;

namespace {

// A fresh folder under the system's temporary directory for files a scenario names.
fs::path temp_folder(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("podsizer-scenarios-" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

void write(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

Scenario parse(const std::string& yaml) {
  return parse_scenario(yaml, "what-if.yaml", ".");
}

// The InputError that parsing `yaml` throws; fails the test when it throws none.
InputError error_of(const std::string& yaml, const std::string& folder = ".") {
  try {
    parse_scenario(yaml, "what-if.yaml", folder);
  } catch (const InputError& e) {
    return e;
  }
  FAIL("no InputError for:\n" << yaml);
  throw std::logic_error("unreachable");
}

// A trace of `n` samples every 300 s from `t0`, 100 requests/s over 2 pods using 50m and 100 MiB.
Trace flat_trace(std::size_t n, double t0 = 0) {
  Trace t;
  t.meta.name = "flat";
  t.meta.interval_s = 300;
  for (std::size_t k = 0; k < n; ++k) {
    t.time_s.push_back(t0 + 300.0 * static_cast<double>(k));
    t.request_rate.push_back(100);
    t.cpu_millicores.push_back(50);
    t.memory_bytes.push_back(100 * podsizer::traces::kMiB);
    t.replicas.push_back(2);
  }
  return t;
}

}  // namespace

TEST_CASE("scenarios::Scenario: reads every field", "[scenarios]") {
  const Scenario s = parse(R"(
name: all-fields
description: every key once
duration: 3d12h
seed: 7
seeds: 3
decision_interval: 30m
changes:
  load_scale: 2.5
  weekend_scale: 0.5
  spikes:
    - {start: 1d, duration: 90m, factor: 4}
  memory_leak_per_day: 64Mi
  nodes: {cpu_per_node: "4", memory_per_node: 16Gi, count: 3, price_per_hour: 0.2}
  hpa: {enabled: true, min_replicas: 3, max_replicas: 12, cpu_target_utilization_percentage: 60}
  slo: {response_time_ms: 150, percentile: p99}
  cluster_autoscaler: {enabled: true, max_nodes: 9}
)");
  CHECK(s.name == "all-fields");
  CHECK(s.description == "every key once");
  CHECK(s.base.kind == BaseKind::kSynthetic);
  CHECK(*s.duration_s == 3 * 86400.0 + 12 * 3600.0);  // 302400 s
  CHECK(s.seed == 7);
  CHECK(s.seeds == 3);
  CHECK(s.decision_interval_s == 1800);
  CHECK(s.load_scale == 2.5);
  CHECK(s.weekend_scale == 0.5);
  REQUIRE(s.spikes.size() == 1);
  CHECK(s.spikes[0].start_s == 86400);
  CHECK(s.spikes[0].duration_s == 5400);
  CHECK(s.spikes[0].factor == 4);
  CHECK(s.memory_leak_bytes_per_day == 64 * 1024.0 * 1024.0);
  CHECK(*s.nodes->cpu_millicores == 4000);
  CHECK(*s.nodes->memory_bytes == 16 * 1024.0 * 1024.0 * 1024.0);
  CHECK(*s.nodes->count == 3);
  CHECK(*s.nodes->price_per_hour == 0.2);
  CHECK(*s.hpa->enabled);
  CHECK(*s.hpa->min_replicas == 3);
  CHECK(*s.hpa->max_replicas == 12);
  CHECK(*s.hpa->target_utilization == Approx(0.6));
  CHECK(*s.slo->response_time_ms == 150);
  CHECK(*s.slo->percentile == 0.99);
  CHECK(s.cluster_autoscaler->enabled);
  CHECK(s.cluster_autoscaler->max_nodes == 9);
}

TEST_CASE("scenarios::Scenario: defaults and the short forms", "[scenarios]") {
  const Scenario s = parse("name: plain\nduration: 7200\nchanges: {cluster_autoscaler: false}\n");
  CHECK(*s.duration_s == 7200);  // a bare number is seconds
  CHECK(s.seed == 1);
  CHECK(s.seeds == 1);
  CHECK(s.decision_interval_s == 3600);
  CHECK(s.load_scale == 1);
  CHECK(!s.cluster_autoscaler->enabled);
  CHECK(!s.nodes);
}

TEST_CASE("scenarios::Scenario: base files resolve against the scenario's folder", "[scenarios]") {
  const fs::path dir = temp_folder("base");
  write(dir / "history.csv", "timestamp,cpu_usage_milli_cores,memory_usage_megabytes\n0,1,1\n");
  write(dir / "app.yaml", "app_name: x\n");
  write(dir / "s.yaml", "name: measured\nbase: {app: app.yaml, history: history.csv}\n");
  const Scenario s = load_scenario((dir / "s.yaml").string());
  CHECK(s.base.kind == BaseKind::kHistory);
  CHECK(fs::path(s.base.history_path) == dir / "history.csv");
  CHECK(fs::path(s.base.app_path) == dir / "app.yaml");
}

TEST_CASE("scenarios::Scenario: invalid files name file, line and field", "[scenarios]") {
  SECTION("an unknown key, with the keys known there") {
    const InputError e = error_of("name: a\nchanges:\n  load_scael: 2\n");
    CHECK(e.file() == "what-if.yaml");
    CHECK(e.line() == 3);
    CHECK(e.field() == "changes.load_scael");
    CHECK_THAT(e.what(), Catch::Contains("load_scale"));
  }
  SECTION("a wrong type") {
    const InputError e = error_of("name: a\nchanges:\n  load_scale: [2]\n");
    CHECK(e.line() == 3);
    CHECK(e.field() == "changes.load_scale");
    CHECK_THAT(e.what(), Catch::Contains("expected a number"));
  }
  SECTION("a negative factor") {
    const InputError e = error_of(
        "name: a\nduration: 2d\nchanges:\n  spikes:\n    - {start: 1h, duration: 1h, factor: "
        "-2}\n");
    CHECK(e.line() == 5);
    CHECK(e.field() == "changes.spikes[0].factor");
    CHECK_THAT(e.what(), Catch::Contains("negative"));
  }
  SECTION("a spike beyond the duration") {
    // Starts at 1 d 23 h and lasts 2 h: ends at 49 h, after the 48 h replay.
    const InputError e = error_of(
        "name: a\nduration: 2d\nchanges:\n  spikes:\n"
        "    - {start: 1h, duration: 1h, factor: 2}\n"
        "    - {start: 1d23h, duration: 2h, factor: 2}\n");
    CHECK(e.line() == 6);
    CHECK(e.field() == "changes.spikes[1]");
    CHECK_THAT(e.what(), Catch::Contains("after the end"));
  }
  SECTION("a spike beyond the synthetic default of 14 days when no duration is given") {
    const InputError e =
        error_of("name: a\nchanges:\n  spikes: [{start: 14d, duration: 1h, factor: 2}]\n");
    CHECK(e.line() == 3);
    CHECK(e.field() == "changes.spikes[0]");
  }
  SECTION("a missing base file") {
    const fs::path dir = temp_folder("missing");
    const InputError e = error_of("name: a\nbase:\n  history: nowhere.csv\n", dir.string());
    CHECK(e.line() == 3);
    CHECK(e.field() == "base.history");
    CHECK_THAT(e.what(), Catch::Contains("nowhere.csv"));
  }
  SECTION("a store without its trace") {
    const fs::path dir = temp_folder("store");
    write(dir / "t.h5", "x");
    const InputError e = error_of("name: a\nbase:\n  store: t.h5\n", dir.string());
    CHECK(e.line() == 3);
    CHECK(e.field() == "base.store");
  }
  SECTION("YAML that does not parse") {
    const InputError e = error_of("name: a\nchanges: {load_scale: 2\n");
    CHECK(e.file() == "what-if.yaml");
    CHECK(e.line() >= 2);
  }
  SECTION("no name") {
    const InputError e = error_of("duration: 1d\n");
    CHECK(e.field() == "name");
  }
  SECTION("a name that cannot be a group of the results file") {
    const InputError e = error_of("name: a/b\n");
    CHECK(e.line() == 1);
    CHECK(e.field() == "name");
  }
  SECTION("a bad duration") {
    const InputError e = error_of("name: a\nduration: 3 weeks\n");
    CHECK(e.line() == 2);
    CHECK(e.field() == "duration");
  }
  SECTION("an HPA whose minimum exceeds its maximum") {
    const InputError e = error_of("name: a\nchanges:\n  hpa: {min_replicas: 5, max_replicas: 2}\n");
    CHECK(e.line() == 3);
    CHECK(e.field() == "changes.hpa");
  }
  SECTION("an HPA target out of range") {
    const InputError e =
        error_of("name: a\nchanges:\n  hpa:\n    cpu_target_utilization_percentage: 120\n");
    CHECK(e.line() == 4);
    CHECK(e.field() == "changes.hpa.cpu_target_utilization_percentage");
  }
  SECTION("an unknown SLO percentile") {
    const InputError e = error_of("name: a\nchanges:\n  slo: {percentile: p90}\n");
    CHECK(e.field() == "changes.slo.percentile");
  }
  SECTION("a node count of zero") {
    const InputError e = error_of("name: a\nchanges:\n  nodes: {count: 0}\n");
    CHECK(e.field() == "changes.nodes.count");
  }
}

TEST_CASE("scenarios::spike_factors: time-weighted over each sample", "[scenarios]") {
  // Samples [0,300), [300,600), ... A spike x3 over [600, 1050): sample [600,900) is covered
  // fully (1 + 2 x 1 = 3), [900,1200) for 150 of 300 s (1 + 2 x 0.5 = 2), the others not at all.
  const Trace t = flat_trace(6);
  const auto f = podsizer::scenarios::spike_factors(t, {Spike{600, 450, 3, 0}});
  REQUIRE(f.size() == 6);
  CHECK(f[0] == 1);
  CHECK(f[1] == 1);
  CHECK(f[2] == 3);
  CHECK(f[3] == 2);
  CHECK(f[4] == 1);
  CHECK(f[5] == 1);
}

TEST_CASE("scenarios::weekend_factors: Saturday and Sunday in UTC", "[scenarios]") {
  // 1700265600 is Saturday 2023-11-18 00:00 UTC (day 19679 since 1970; (19679 + 4) mod 7 = 6).
  // A sample [-150, +150) around that midnight is half Friday: 1 + (0.5 - 1) x 0.5 = 0.75. A
  // Sunday-to-Monday midnight (two days later) the same, the Monday noon sample 1.
  const double saturday = 1700265600;
  Trace t = flat_trace(1, saturday - 150);
  CHECK(podsizer::scenarios::weekend_factors(t, 0.5)[0] == Approx(0.75));
  t = flat_trace(1, saturday + 86400 * 2 - 150);
  CHECK(podsizer::scenarios::weekend_factors(t, 0.5)[0] == Approx(0.75));
  t = flat_trace(1, saturday + 86400 * 2.5);
  CHECK(podsizer::scenarios::weekend_factors(t, 0.5)[0] == 1);
  t = flat_trace(1, saturday + 3600);
  CHECK(podsizer::scenarios::weekend_factors(t, 0.5)[0] == 0.5);
}

TEST_CASE("scenarios::scale_load: rate and replicas move together", "[scenarios]") {
  Trace t = flat_trace(3);
  podsizer::scenarios::scale_load(t, {2.0, 1.0, 0.25});
  // x2: 200 requests/s over 4 pods, each still at 50m; x1 unchanged.
  CHECK(t.request_rate[0] == 200);
  CHECK(t.replicas[0] == 4);
  CHECK(t.cpu_millicores[0] == 50);
  CHECK(t.request_rate[1] == 100);
  CHECK(t.replicas[1] == 2);
  // x0.25: 25 requests/s; 2 x 0.25 = 0.5 pods is held at 1, whose CPU carries the change:
  // total 50m x 2 pods x 0.25 = 25m on one pod. Memory per pod unchanged.
  CHECK(t.request_rate[2] == 25);
  CHECK(t.replicas[2] == 1);
  CHECK(t.cpu_millicores[2] == 25);
  CHECK(t.memory_bytes[2] == 100 * podsizer::traces::kMiB);
}

TEST_CASE("scenarios::apply_scenario: load, spike and leak on the synthetic base", "[scenarios]") {
  const Scenario plain = parse("name: p\nduration: 1d\n");
  Scenario changed = parse(
      "name: c\nduration: 1d\nchanges:\n  load_scale: 2\n"
      "  spikes: [{start: 6h, duration: 30m, factor: 5}]\n  memory_leak_per_day: 48Mi\n");
  const auto a = apply_scenario(plain, 0);
  const auto b = apply_scenario(changed, 0);

  // The same seed gives the same synthetic base: 288 samples of 300 s.
  REQUIRE(a.trace.size() == 288);
  REQUIRE(b.trace.size() == 288);
  CHECK(a.seed == b.seed);

  // Sample 10 (50 min): load x2. Samples 72..77 (6 h to 6 h 30): x2 x5 = x10. Sample 78: x2.
  CHECK(b.trace.request_rate[10] == Approx(2 * a.trace.request_rate[10]));
  CHECK(b.trace.replicas[10] == Approx(2 * a.trace.replicas[10]));
  for (std::size_t k = 72; k < 78; ++k) {
    CHECK(b.trace.request_rate[k] == Approx(10 * a.trace.request_rate[k]));
  }
  CHECK(b.trace.request_rate[78] == Approx(2 * a.trace.request_rate[78]));

  // The leak: 48 MiB a day, so 12 h in (sample 144) adds 24 MiB.
  CHECK(b.trace.memory_bytes[144] - a.trace.memory_bytes[144] ==
        Approx(24 * podsizer::traces::kMiB));
}

TEST_CASE("scenarios::apply_scenario: node, HPA, SLO and autoscaler changes", "[scenarios]") {
  const Scenario s = parse(
      "name: n\nduration: 2h\nchanges:\n"
      "  nodes: {cpu_per_node: \"2\", memory_per_node: 4Gi, count: 3, price_per_hour: 0.1}\n"
      "  hpa: {min_replicas: 3, cpu_target_utilization_percentage: 60}\n"
      "  slo: {response_time_ms: 120}\n"
      "  cluster_autoscaler: {enabled: true, max_nodes: 7}\n");
  const auto a = apply_scenario(s, 0);
  REQUIRE(a.cluster.groups.size() == 1);
  CHECK(a.cluster.groups[0].cpu_millicores == 2000);
  CHECK(a.cluster.groups[0].memory_bytes == 4 * podsizer::traces::kGiB);
  CHECK(a.cluster.groups[0].count == 3);
  CHECK(a.cluster.groups[0].price_per_hour == 0.1);
  CHECK(a.cluster.groups[0].max_count == 7);
  CHECK(a.app.hpa.min_replicas == 3);
  CHECK(a.app.hpa.max_replicas == 10);  // the example app's own
  CHECK(a.app.hpa.cpu_target_utilization == Approx(0.6));
  CHECK(a.app.response_time_slo_ms == 120);
  CHECK(a.options.seed == a.seed);
}

TEST_CASE("scenarios::apply_scenario: changes that do not fit the base", "[scenarios]") {
  SECTION("nodes smaller than the pod") {
    // The example pod requests 250m and 512Mi; a 256Mi node cannot hold it.
    const Scenario s =
        parse("name: n\nduration: 2h\nchanges:\n  nodes: {memory_per_node: 256Mi}\n");
    try {
      apply_scenario(s, 0);
      FAIL("a pod larger than the nodes was accepted");
    } catch (const InputError& e) {
      CHECK(e.line() == 4);
      CHECK(e.field() == "changes.nodes");
    }
  }
  SECTION("an HPA maximum below the app's minimum") {
    // The example app's min_replicas is 2.
    const Scenario s = parse("name: n\nduration: 2h\nchanges:\n  hpa: {max_replicas: 1}\n");
    CHECK_THROWS_AS(apply_scenario(s, 0), InputError);
  }
  SECTION("a duration longer than a measured history") {
    const fs::path dir = temp_folder("short");
    write(dir / "h.csv",
          "timestamp,cpu_usage_milli_cores,memory_usage_megabytes,request_per_sec\n"
          "0,10,100,5\n300,10,100,5\n600,10,100,5\n");
    write(dir / "s.yaml", "name: s\nbase: {history: h.csv}\nduration: 1h\n");
    try {
      apply_scenario(load_scenario((dir / "s.yaml").string()), 0);
      FAIL("a 1 h duration over a 15 min history was accepted");
    } catch (const InputError& e) {
      CHECK(e.line() == 3);
      CHECK(e.field() == "duration");
    }
  }
}

TEST_CASE("scenarios::apply_scenario: another traffic shape, rescaled to the base's level",
          "[scenarios]") {
  // A base history of 4 samples at 100 requests/s and a shape file of 2 per-second values
  // alternating... on a 300 s grid: a requests file of 600 values, 300 at 10 then 300 at 30,
  // averages 10 and 30 per bin, mean 20; rescaled to the base mean 100: 50 and 150, so the
  // factors are 0.5, 1.5, 0.5, 1.5 (the shape repeats).
  const fs::path dir = temp_folder("traffic");
  write(dir / "h.csv",
        "timestamp,cpu_usage_milli_cores,memory_usage_megabytes,request_per_sec,replicas\n"
        "0,50,100,100,4\n300,50,100,100,4\n600,50,100,100,4\n900,50,100,100,4\n");
  std::string rates;
  for (int i = 0; i < 600; ++i) rates += i < 300 ? "10\n" : "30\n";
  write(dir / "rates.txt", rates);
  write(dir / "s.yaml",
        "name: s\nbase: {history: h.csv}\nchanges:\n  traffic: {file: rates.txt}\n");
  const auto a = apply_scenario(load_scenario((dir / "s.yaml").string()), 0);
  REQUIRE(a.trace.size() == 4);
  CHECK(a.trace.request_rate[0] == Approx(50));
  CHECK(a.trace.request_rate[1] == Approx(150));
  CHECK(a.trace.request_rate[2] == Approx(50));
  CHECK(a.trace.request_rate[3] == Approx(150));
  CHECK(a.trace.replicas[0] == Approx(2));  // 4 pods x 0.5
  CHECK(a.trace.replicas[1] == Approx(6));  // 4 pods x 1.5
}

TEST_CASE("scenarios::derive_run_seed: depends on the scenario's seed and the index only",
          "[scenarios]") {
  using podsizer::scenarios::derive_run_seed;
  CHECK(derive_run_seed(1, 0) == derive_run_seed(1, 0));
  CHECK(derive_run_seed(1, 0) != derive_run_seed(1, 1));
  CHECK(derive_run_seed(1, 0) != derive_run_seed(2, 0));
}

TEST_CASE("scenarios::examples: every example parses and applies", "[scenarios]") {
  const fs::path dir = fs::path(PODSIZER_SOURCE_DIR) / "scenarios" / "examples";
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".yaml") continue;
    const Scenario s = load_scenario(entry.path().string());
    CHECK(s.base.kind == BaseKind::kSynthetic);
    const auto applied = apply_scenario(s, 0);
    CHECK(applied.trace.size() > 100);
    names.push_back(s.name);
  }
  // traffic x2, flash crowd, node downsize, HPA target 60 %, memory leak, quiet weekend at least.
  for (const char* wanted : {"traffic-x2", "flash-crowd", "node-downsize", "hpa-target-60",
                             "memory-leak", "quiet-weekend"}) {
    CHECK(std::find(names.begin(), names.end(), wanted) != names.end());
  }
}
