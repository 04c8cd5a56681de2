// The charts shared by every replay page, the single-run pages of simulate and recommend, and
// the embedded example scenarios.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <variant>
#include <vector>

#include "policies/recommend.h"
#include "report/html_report.h"
#include "scenarios/example_scenarios.h"
#include "scenarios/run_charts.h"
#include "scenarios/scenario.h"
#include "scenarios/single_run_report.h"
#include "sim/workload_model.h"
#include "support/test_files.h"
#include "traces/app_spec.h"
#include "traces/synthetic.h"

namespace fs = std::filesystem;
using namespace podsizer::scenarios;
namespace report = podsizer::report;
namespace sim = podsizer::sim;
namespace policies = podsizer::policies;
namespace traces = podsizer::traces;
using podsizer::testing::count_of;
using podsizer::testing::read_text;

namespace {

// Each case's folder: podsizer-test-single-run-TAG-N.
struct TempDir : podsizer::testing::TempDir {
  explicit TempDir(const std::string& tag) : podsizer::testing::TempDir("single-run", tag) {}
};

// Three hour-long rows: two pods, then none (all crashed), then four with an OOM kill and an
// eviction in the same hour.
std::vector<sim::IntervalRow> three_rows() {
  std::vector<sim::IntervalRow> rows(3);
  for (int i = 0; i < 3; ++i) {
    rows[i].start_s = 3600.0 * i;
    rows[i].end_s = 3600.0 * (i + 1);
  }
  rows[0].replicas_mean = 2;
  rows[0].cpu_usage_millicores = 300;
  rows[0].cpu_request_millicores = 500;
  rows[0].cpu_limit_millicores = 500;
  rows[0].memory_usage_bytes = 600.0 * 1024 * 1024;
  rows[0].memory_request_bytes = 1024.0 * 1024 * 1024;
  rows[0].latency_slo_ms = 120;
  rows[0].requests = 7200;
  rows[1].replicas_mean = 0;
  rows[1].requests = 3600;
  rows[1].errors = 3600;
  rows[2].replicas_mean = 4;
  rows[2].cpu_usage_millicores = 1000;
  rows[2].cpu_request_millicores = 1000;
  rows[2].oom_kills = 2;
  rows[2].evictions = 1;
  rows[2].latency_slo_ms = 450;
  rows[2].requests = 7200;
  rows[2].errors = 10;
  return rows;
}

const report::Line& line_labelled(const report::TimeSeriesChart& chart, const std::string& label) {
  for (const report::Line& line : chart.lines) {
    if (line.label == label) return line;
  }
  FAIL("no line labelled " << label);
  throw;
}

}  // namespace

TEST_CASE("scenarios::run_charts: per-pod values are the sums over the mean replica count",
          "[scenarios]") {
  const std::vector<sim::IntervalRow> rows = three_rows();
  const report::TimeSeriesChart cpu = cpu_per_pod_chart({{"replay", &rows}});
  REQUIRE(cpu.lines.size() == 3);

  // Usage 300m over 2 pods = 150m; no pod in hour 2 is a gap; 1000m over 4 pods = 250m.
  const report::Line& usage = line_labelled(cpu, "replay usage");
  CHECK(usage.times == std::vector<double>{0, 3600, 7200});
  CHECK(usage.values[0] == 150.0);
  CHECK(std::isnan(usage.values[1]));
  CHECK(usage.values[2] == 250.0);
  CHECK(usage.style == report::LineStyle::kSolid);

  // Request 500m over 2 = 250m, then 1000m over 4 = 250m; the limit is one pod's: 500m, and
  // unset (0) afterwards is a gap.
  const report::Line& request = line_labelled(cpu, "replay request");
  CHECK(request.values[0] == 250.0);
  CHECK(request.values[2] == 250.0);
  CHECK(request.step);
  const report::Line& limit = line_labelled(cpu, "replay limit");
  CHECK(limit.values[0] == 500.0);
  CHECK(std::isnan(limit.values[2]));

  // Memory: 600 MiB over 2 pods = 300 MiB; request 1 GiB over 2 = 512 MiB.
  const report::TimeSeriesChart memory = memory_per_pod_chart({{"replay", &rows}});
  CHECK(line_labelled(memory, "replay usage").values[0] == 300.0 * 1024 * 1024);
  CHECK(line_labelled(memory, "replay request").values[0] == 512.0 * 1024 * 1024);
}

TEST_CASE("scenarios::run_charts: one line per replay, events marked once per interval",
          "[scenarios]") {
  const std::vector<sim::IntervalRow> a = three_rows();
  std::vector<sim::IntervalRow> b = three_rows();
  b[2].oom_kills = 0;
  b[2].evictions = 0;

  const report::TimeSeriesChart latency = latency_chart({{"current", &a}, {"next", &b}}, 200);
  REQUIRE(latency.lines.size() == 2);
  CHECK(latency.lines[0].key == "current");
  CHECK(latency.lines[1].key == "next");
  // Hour 2 served nothing (every request failed): a gap, not a latency of 0.
  const std::vector<double>& ms = latency.lines[0].values;
  REQUIRE(ms.size() == 3);
  CHECK(ms[0] == 120);
  CHECK(std::isnan(ms[1]));
  CHECK(ms[2] == 450);

  // Only `current` had events: 2 OOM kills and 1 eviction in the hour starting at 7200 s, one
  // marker each, in its colour.
  REQUIRE(latency.events.size() == 2);
  CHECK(latency.events[0].time == 7200);
  CHECK(latency.events[0].kind == report::EventKind::kOomKill);
  CHECK(latency.events[0].key == "current");
  CHECK(latency.events[0].label == "current: 2 OOM kill(s)");
  CHECK(latency.events[1].kind == report::EventKind::kEviction);
  REQUIRE(latency.references.size() == 1);
  CHECK(latency.references[0].value == 200);

  // Replicas: the mean count, stepped; three lines per replay on the resource charts.
  const report::TimeSeriesChart replicas = replicas_chart({{"current", &a}, {"next", &b}});
  CHECK(replicas.lines[1].values == std::vector<double>{2, 0, 4});
  CHECK(cpu_per_pod_chart({{"current", &a}, {"next", &b}}).lines.size() == 6);
  CHECK(run_charts({{"current", &a}}, 200).size() == 4);
}

TEST_CASE("scenarios::build_simulation_report: headlines, four charts and the summary",
          "[scenarios]") {
  SimulationRun run;
  run.app = traces::default_app_spec();
  run.load = "history.csv";
  run.resources = run.app.current;
  run.seed = 7;
  run.intervals = three_rows();
  run.summary.duration_s = 7200;
  run.summary.slo_violation_seconds = 1800;
  run.summary.oom_kills = 2;
  run.summary.cost = 1.25;

  const report::Report page = build_simulation_report(run);
  // SLO violated: 1800 s of 7200 s = 25 %; OOM kills 2, a bad sign.
  REQUIRE(page.headlines.size() == 4);
  CHECK(page.headlines[0].value == 25.0);
  CHECK(page.headlines[0].tone == report::Tone::kBad);
  CHECK(page.headlines[1].value == 2.0);
  REQUIRE(page.sections.size() == 1);
  CHECK(page.sections[0].charts.size() == 4);
  REQUIRE(page.sections[0].tables.size() == 2);

  // The resources as set (250m, 500m, 512Mi, 1Gi), written as a manifest writes them.
  const report::Table& resources = page.sections[0].tables[0];
  REQUIRE(resources.rows.size() == 1);
  CHECK(resources.rows[0].cells[0].value == 250.0);
  CHECK(resources.rows[0].cells[1].value == 500.0);
  CHECK(resources.rows[0].cells[2].value == 512.0 * 1024 * 1024);
  CHECK(resources.rows[0].cells[3].value == 1024.0 * 1024 * 1024);
  CHECK(resources.columns[3].kubernetes_quantity);

  // Then the outcomes, ending with the cost.
  const report::Table& summary = page.sections[0].tables[1];
  REQUIRE(summary.rows.size() == 1);
  REQUIRE(summary.rows[0].cells.size() == summary.columns.size());
  CHECK(summary.columns.back().header == "Cost");
  CHECK(summary.rows[0].cells.back().value == 1.25);

  const std::string html = report::render_html(page);
  CHECK(count_of(html, "<svg class=\"chart") == 4);
  CHECK(html.find("Simulation of my-service") != std::string::npos);
  CHECK(html.find("512Mi") != std::string::npos);
}

TEST_CASE("scenarios::build_recommendation_report: two series, numbers, guardrails, reasons",
          "[scenarios]") {
  RecommendationRun run;
  policies::Recommendation& r = run.recommendation;
  r.app_name = "my-service";
  r.container = "my-service";
  r.policy.name = "vpa";
  r.history_days = 14;
  r.slo_ms = 200;
  r.current.requests.cpu_millicores = 250;
  r.resources.requests.cpu_millicores = 180;
  r.overrides.push_back({"memory floor", "requests.memory", 400.0, 600.0, "kept above the peak"});
  r.reasons = {"CPU request 250m -> 180m", "no OOM kill in either replay"};
  r.confidence.value = 0.8;
  policies::Counterfactual c;
  c.current.cost_per_month = 100;
  c.recommended.cost_per_month = 75;
  c.current.oom_kills = 3;
  c.recommended.oom_kills = 0;
  c.current.resources = r.current;
  c.recommended.resources = r.resources;
  r.counterfactual = c;
  run.current = three_rows();
  run.recommended = three_rows();

  const report::Report page = build_recommendation_report(run);
  // Cost saved: (100 - 75) / 100 = 25 %; OOM kills 3 -> 0 is good news.
  REQUIRE(page.headlines.size() == 4);
  CHECK(page.headlines[0].value == 0.8);
  CHECK(page.headlines[1].value == 25.0);
  CHECK(page.headlines[1].tone == report::Tone::kGood);
  CHECK(page.headlines[2].tone == report::Tone::kGood);
  CHECK(page.key_order == std::vector<std::string>{"current", "recommended"});

  const report::Section& section = page.sections.at(0);
  REQUIRE(section.charts.size() == 4);
  const auto& cpu = std::get<report::TimeSeriesChart>(section.charts[0]);
  CHECK(cpu.lines.size() == 6);  // usage, request, limit for each replay
  REQUIRE(section.tables.size() == 4);

  // Settings: current, what the policy proposed, what is recommended after the guardrails.
  const report::Table& settings = section.tables[0];
  CHECK(settings.title == "Settings");
  REQUIRE(settings.rows.size() == 3);
  CHECK(settings.rows[0].label == "current");
  CHECK(settings.rows[0].cells[0].value == 250.0);
  CHECK(settings.rows[2].label == "recommended");
  CHECK(settings.rows[2].cells[0].value == 180.0);

  // The two replays: OOM kills 3 against 0, cost a month 100 against 75.
  const report::Table& replays = section.tables[1];
  CHECK(replays.title == "Replays");
  REQUIRE(replays.rows.size() == 2);
  CHECK(replays.rows[0].cells[0].value == 3.0);
  CHECK(replays.rows[1].cells[0].value == 0.0);
  CHECK(replays.rows[1].cells.back().value == 75.0);

  CHECK(section.tables[2].rows.size() == 1);
  CHECK(section.tables[2].rows[0].cells[1].text == "kept above the peak");
  CHECK(section.tables[3].rows.size() == 2);

  // Without the replays the page keeps its tables and leaves the charts out.
  run.current.clear();
  r.counterfactual.reset();
  const report::Section bare = recommendation_section(run);
  CHECK(bare.charts.empty());
  CHECK(bare.tables[0].title == "Settings");
}

TEST_CASE("scenarios::replay_intervals: the rows add up to the recommendation's replay",
          "[scenarios]") {
  // Two days of the example app's load with a memory limit under its working set, so the replay
  // has OOM kills for both to count.
  traces::AppSpec app = traces::default_app_spec();
  traces::SyntheticOptions options = traces::synthetic_options_for(app);
  options.duration_s = 2 * 86400.0;
  const traces::Trace history = traces::generate_synthetic(options);
  traces::ContainerResources tight = app.current;
  tight.limits.memory_bytes = 200.0 * 1024 * 1024;

  const policies::ReplayNumbers numbers =
      policies::replay(app, history, nullptr, tight, std::nullopt, 3);
  auto model = std::make_shared<const sim::WorkloadModel>(sim::calibrate_workload(history, app));
  const std::vector<sim::IntervalRow> rows = replay_intervals(app, model, tight, std::nullopt, 3);
  REQUIRE(!rows.empty());
  double oom_kills = 0;
  for (const sim::IntervalRow& row : rows) oom_kills += row.oom_kills;
  CHECK(numbers.oom_kills > 0);
  CHECK(oom_kills == numbers.oom_kills);
}

TEST_CASE("scenarios::example_scenarios: the embedded files are scenarios/examples/",
          "[scenarios]") {
  // Every file of the folder, byte for byte, and nothing else.
  const fs::path source = fs::path(PODSIZER_SOURCE_DIR) / "scenarios" / "examples";
  std::size_t on_disk = 0;
  for (const auto& entry : fs::directory_iterator(source)) {
    const std::string ext = entry.path().extension().string();
    if (ext == ".yaml" || ext == ".csv") ++on_disk;
  }
  REQUIRE(example_files().size() == on_disk);
  for (const ExampleFile& file : example_files()) {
    INFO(file.name);
    CHECK(read_text(source / std::string(file.name)) == file.text);
  }

  // Written out, every scenario loads and finds the files it names.
  TempDir dir("examples");
  const std::vector<std::string> paths = write_example_scenarios(dir.path / "scenarios");
  CHECK(paths.size() == 10);
  for (const std::string& path : paths) {
    INFO(path);
    const Scenario scenario = load_scenario(path);
    CHECK(fs::path(path).stem().string() == scenario.name);
  }
  CHECK(fs::exists(dir.path / "scenarios" / "night-batch-shape.csv"));
}
