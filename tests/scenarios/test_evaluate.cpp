#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <limits>
#include <string>

#include "report/html_report.h"
#include "scenarios/evaluate.h"
#include "scenarios/evaluation_report.h"
#include "scenarios/results_file.h"
#include "scenarios/scenario.h"

namespace fs = std::filesystem;
using namespace podsizer::scenarios;
using podsizer::report::Better;
using podsizer::report::Cell;
using podsizer::report::Column;
using podsizer::report::Row;
using podsizer::report::Table;

namespace {

// Two tiny scenarios: 8 hours of synthetic load decided every hour.
std::vector<Scenario> tiny_scenarios() {
  return {parse_scenario("name: base\nduration: 8h\nseeds: 2\n", "base.yaml", "."),
          parse_scenario(
              "name: double\nduration: 8h\nseeds: 2\n"
              "changes:\n  load_scale: 2\n  spikes: [{start: 4h, duration: 1h, factor: 3}]\n",
              "double.yaml", ".")};
}

void require_identical(const Evaluation& a, const Evaluation& b) {
  REQUIRE(a.runs.size() == b.runs.size());
  for (std::size_t i = 0; i < a.runs.size(); ++i) {
    const RunResult& x = a.runs[i];
    const RunResult& y = b.runs[i];
    CHECK(x.scenario == y.scenario);
    CHECK(x.policy == y.policy);
    CHECK(x.seed == y.seed);
    CHECK(x.summary.cost == y.summary.cost);
    CHECK(x.summary.p95_latency_ms == y.summary.p95_latency_ms);
    CHECK(x.summary.cpu_slack_millicores == y.summary.cpu_slack_millicores);
    CHECK(x.summary.oom_kills == y.summary.oom_kills);
    CHECK(x.summary.resource_changes == y.summary.resource_changes);
    REQUIRE(x.intervals.size() == y.intervals.size());
    for (std::size_t k = 0; k < x.intervals.size(); ++k) {
      CHECK(x.intervals[k].cpu_usage_millicores == y.intervals[k].cpu_usage_millicores);
      CHECK(x.intervals[k].memory_request_bytes == y.intervals[k].memory_request_bytes);
    }
  }
}

Row row(const std::string& label, std::vector<Cell> cells) {
  Row r;
  r.label = label;
  r.cells = std::move(cells);
  return r;
}

}  // namespace

TEST_CASE("scenarios::evaluate: same seeds give the same numbers on 1 or 2 threads",
          "[scenarios]") {
  const auto scenarios = tiny_scenarios();
  const auto policies = resolve_policies({"static", "vpa"});
  EvaluationOptions one;
  one.threads = 1;
  EvaluationOptions two;
  two.threads = 2;
  const Evaluation a = evaluate(scenarios, policies, one);
  const Evaluation b = evaluate(scenarios, policies, two);
  const Evaluation c = evaluate(scenarios, policies, two);

  // 2 scenarios x 2 policies x 2 seeds, in scenario, policy, seed order.
  REQUIRE(a.runs.size() == 8);
  CHECK(a.run(1, 0, 1).scenario == "double");
  CHECK(a.run(1, 0, 1).policy == "static");
  CHECK(a.run(1, 0, 1).seed_index == 1);
  require_identical(a, b);
  require_identical(b, c);

  // Seeds differ from each other, and doubled traffic costs more than the base.
  CHECK(a.run(0, 0, 0).seed != a.run(0, 0, 1).seed);
  CHECK(a.run(0, 0, 0).summary.cost != a.run(0, 0, 1).summary.cost);
  CHECK(a.run(1, 0, 0).summary.cost > a.run(0, 0, 0).summary.cost);

  // Both policies met the same load: the same seed per (scenario, seed index).
  CHECK(a.run(0, 0, 0).seed == a.run(0, 1, 0).seed);
  // Static never changes the resources; the 8 h replay has 8 hourly decisions.
  CHECK(a.run(0, 0, 0).summary.resource_changes == 0);
  CHECK(a.run(0, 0, 0).summary.duration_s == 8 * 3600.0);
}

TEST_CASE("scenarios::evaluate: results file and report hold every run", "[scenarios]") {
  const auto scenarios = tiny_scenarios();
  EvaluationOptions options;
  options.seeds = 1;
  const Evaluation e = evaluate(scenarios, resolve_policies({"static", "krr"}), options);
  REQUIRE(e.runs.size() == 4);

  const fs::path dir = fs::temp_directory_path() / "podsizer-scenarios-results";
  fs::create_directories(dir);
  const std::string path = (dir / "results.h5").string();
  write_evaluation_hdf5(path, e);
  const auto rows = read_summary_rows(path);
  REQUIRE(rows.size() == 4);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    CHECK(rows[i].scenario == e.runs[i].scenario);
    CHECK(rows[i].policy == e.runs[i].policy);
    CHECK(rows[i].summary.cost == e.runs[i].summary.cost);
    CHECK(rows[i].summary.slo_violation_s == e.runs[i].summary.slo_violation_s);
  }
  const auto replicas = read_run_series(path, "double", "krr", 0, "replicas_mean");
  const RunResult& run = e.run(1, 1, 0);
  REQUIRE(replicas.size() == run.intervals.size());
  REQUIRE(!replicas.empty());
  CHECK(replicas.back() == run.intervals.back().replicas_mean);

  // The report: one section per scenario with four time charts, the scatter and the table.
  const auto report = build_report(e);
  REQUIRE(report.sections.size() == 2);
  CHECK(report.sections[1].charts.size() == 5);
  CHECK(report.sections[1].tables.size() == 1);
  const std::string html = podsizer::report::render_html(report);
  CHECK(html.find("Cost against risk") != std::string::npos);
}

TEST_CASE("scenarios::resolve_policies: unknown names and learned files are refused clearly",
          "[scenarios]") {
  CHECK_THROWS_WITH(resolve_policies({"static", "magic"}), Catch::Contains("unknown policy"));
  CHECK_THROWS_WITH(resolve_policies({"policy.pt"}), Catch::Contains("learned"));
  CHECK_THROWS_WITH(resolve_policies({"vpa", "vpa"}), Catch::Contains("twice"));
  CHECK(resolve_policies({"static", "vpa", "krr", "autopilot"}).size() == 4);
}

TEST_CASE("scenarios::evaluate: two scenarios of one name are refused", "[scenarios]") {
  const auto one = parse_scenario("name: same\nduration: 2h\n", "a.yaml", ".");
  const auto two = parse_scenario("name: same\nduration: 3h\n", "b.yaml", ".");
  CHECK_THROWS_WITH(evaluate({one, two}, resolve_policies({"static"})),
                    Catch::Contains("a.yaml") && Catch::Contains("b.yaml"));
}

TEST_CASE("scenarios::best_cells: the lowest of each column, ties all marked", "[scenarios]") {
  Table t;
  t.columns = {Column{"cost", {}, Better::kLower}, Column{"same", {}, Better::kLower},
               Column{"score", {}, Better::kHigher}, Column{"none", {}, Better::kNone},
               Column{"lonely", {}, Better::kLower}};
  const double nan = std::numeric_limits<double>::quiet_NaN();
  t.rows.push_back(row("a", {3.0, 1.0, 5.0, 1.0, nan}));
  t.rows.push_back(row("b", {1.0, 1.0, Cell("n/a"), 0.0, 2.0}));
  t.rows.push_back(row("c", {1.0, 1.0, 4.0, 2.0, nan}));
  const auto marks = best_cells(t);

  // cost: 1 is lowest, b and c tie. same: all equal, nothing marked. score: higher is better,
  // 5 beats 4 and text takes no part. none: no direction. lonely: one number only.
  CHECK(marks[0] == std::vector<bool>{false, false, true, false, false});
  CHECK(marks[1] == std::vector<bool>{true, false, false, false, false});
  CHECK(marks[2] == std::vector<bool>{true, false, false, false, false});

  // The text table carries the marks.
  t.title = "t";
  const std::string text = format_table(t);
  CHECK(text.find("1 *") != std::string::npos);
  CHECK(text.find("5 *") != std::string::npos);
  CHECK(text.find("3 *") == std::string::npos);
}
