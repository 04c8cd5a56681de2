// The main job (`podsizer run`) and the single-run pages of `simulate --report` and
// `recommend --report`, run as subprocesses; their files are read back with the project's own
// readers (HDF5), yaml-cpp and, for one page, headless Chromium.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "scenarios/results_file.h"
#include "support/test_files.h"

namespace fs = std::filesystem;
namespace scenarios = podsizer::scenarios;
using podsizer::testing::count_of;
using podsizer::testing::Outcome;
using podsizer::testing::quoted;
using podsizer::testing::read_text;
using podsizer::testing::run_podsizer;

namespace {

// Each case's folder: podsizer-test-run-TAG-N.
struct TempDir : podsizer::testing::TempDir {
  explicit TempDir(const std::string& tag) : podsizer::testing::TempDir("run", tag) {}
};

// A two-day history of the example app, written by `podsizer generate`.
std::string two_day_history(const TempDir& dir) {
  const std::string csv = dir.file("history.csv");
  REQUIRE(run_podsizer(dir, "generate --seed 3 --days 2 --step 300 --out " + quoted(csv)).status ==
          0);
  return csv;
}

// Every file a folder holds, recursively, as paths relative to it.
std::set<std::string> files_under(const fs::path& folder) {
  std::set<std::string> names;
  for (const auto& entry : fs::recursive_directory_iterator(folder)) {
    if (entry.is_regular_file()) names.insert(fs::relative(entry.path(), folder).string());
  }
  return names;
}

}  // namespace

TEST_CASE("cli::run: --quick writes every output, they read back, and the same seed repeats",
          "[cli]") {
  TempDir dir("quick");
  const std::string first = dir.file("first");
  const std::string second = dir.file("second");
  // The second run on one evaluation thread: the slots of the results do not depend on it.
  const Outcome a = run_podsizer(dir, "run --quick --seed 5 --out " + quoted(first));
  INFO(a.err);
  REQUIRE(a.status == 0);
  const Outcome b = run_podsizer(dir, "run --quick --seed 5 --threads 1 --out " + quoted(second));
  INFO(b.err);
  REQUIRE(b.status == 0);

  // Every output is there, and the closing list names each.
  for (const char* name :
       {"history.csv", "traces.h5", "train/train.yaml", "train/checkpoint.pt", "train/metrics.h5",
        "policy/learned.pt", "policy/learned.card.yaml", "results.h5", "report.html",
        "recommendation.yaml", "scenarios/flash-crowd.yaml", "scenarios/night-batch-shape.csv"}) {
    INFO(name);
    CHECK(fs::is_regular_file(fs::path(first) / name));
    if (fs::path(name).parent_path().empty() || fs::path(name).parent_path() == "policy") {
      CHECK_THAT(a.out, Catch::Contains((fs::path(first) / name).string()));
    }
  }
  // Steps numbered on the log, the evaluation's tables and the recommendation on stdout.
  for (const char* step : {"[1/6]", "[2/6] train", "[3/6]", "[4/6] evaluate", "[5/6]", "[6/6]"}) {
    CHECK_THAT(a.err, Catch::Contains(step));
  }
  CHECK_THAT(a.out, Catch::Contains("flash-crowd") && Catch::Contains("learned") &&
                        Catch::Contains("recommendation") && Catch::Contains("total"));

  // The results: 10 scenarios x 5 policies x 1 seed = 50 runs, each 5 days long under --quick.
  const std::vector<scenarios::SummaryRow> rows =
      scenarios::read_summary_rows(first + "/results.h5");
  REQUIRE(rows.size() == 50);
  std::set<std::string> scenario_names, policy_names;
  for (const scenarios::SummaryRow& row : rows) {
    scenario_names.insert(row.scenario);
    policy_names.insert(row.policy);
    CHECK(row.summary.duration_s == Approx(5 * 86400.0).margin(3600.0));
  }
  CHECK(scenario_names.size() == 10);
  CHECK(policy_names == std::set<std::string>{"static", "vpa", "krr", "autopilot", "learned"});

  // The page: 5 charts per scenario (4 over time and cost against risk) and 4 for the
  // recommendation = 54 charts, self-contained.
  const std::string html = read_text(first + "/report.html");
  CHECK(count_of(html, "<svg class=\"chart") == 10 * 5 + 4);
  CHECK_THAT(html, Catch::Contains("Recommendation for my-service") &&
                       Catch::Contains("flash-crowd") && Catch::Contains("Reasons"));
  CHECK(html.find("<script") == std::string::npos);

  // The recommendation parses and carries resources, a confidence and reasons.
  const YAML::Node yaml = YAML::LoadFile(first + "/recommendation.yaml");
  CHECK(yaml["app"].as<std::string>() == "my-service");
  CHECK(yaml["resources"].IsMap());
  const double confidence = yaml["confidence"]["value"].as<double>();
  CHECK(confidence >= 0.0);
  CHECK(confidence <= 1.0);
  CHECK(yaml["reasons"].size() > 0);

  // Same seed, same figures: every summary of every run, and the recommendation.
  const std::vector<scenarios::SummaryRow> again =
      scenarios::read_summary_rows(second + "/results.h5");
  REQUIRE(again.size() == rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    INFO(rows[i].scenario << " " << rows[i].policy);
    CHECK(again[i].scenario == rows[i].scenario);
    CHECK(again[i].policy == rows[i].policy);
    CHECK(again[i].summary.cost == rows[i].summary.cost);
    CHECK(again[i].summary.p95_latency_ms == rows[i].summary.p95_latency_ms);
    CHECK(again[i].summary.slo_violation_s == rows[i].summary.slo_violation_s);
    CHECK(again[i].summary.oom_kills == rows[i].summary.oom_kills);
    CHECK(again[i].summary.resource_changes == rows[i].summary.resource_changes);
  }
  const YAML::Node yaml_again = YAML::LoadFile(second + "/recommendation.yaml");
  CHECK(YAML::Dump(yaml_again["resources"]) == YAML::Dump(yaml["resources"]));
  CHECK(YAML::Dump(yaml_again["counterfactual"]) == YAML::Dump(yaml["counterfactual"]));
  CHECK(yaml_again["confidence"]["value"].as<double>() == confidence);
  CHECK(read_text(second + "/history.csv") == read_text(first + "/history.csv"));
}

TEST_CASE("cli::run: names its options and refuses a bad one before writing anything",
          "[cli]") {
  // (The run above works in an empty temporary folder: the app and the scenarios come from the
  // binary.)
  TempDir dir("help");
  const Outcome help = run_podsizer(dir, "run --help");
  REQUIRE(help.status == 0);
  for (const char* option : {"--out", "--seed", "--train-steps", "--quick", "--scenario-days"}) {
    CHECK_THAT(help.out, Catch::Contains(option));
  }
  const Outcome bad = run_podsizer(dir, "run --train-steps 0");
  CHECK(bad.status != 0);
  CHECK(files_under(dir.path) == std::set<std::string>{"stderr.txt", "stdout.txt"});
}

TEST_CASE("cli::simulate: --report draws the replay with its OOM kills marked", "[cli]") {
  TempDir dir("simulate-report");
  const std::string csv = two_day_history(dir);

  // 100Mi is under every pod's base memory: the containers are OOM-killed again and again.
  const std::string page = dir.file("replay.html");
  const Outcome outcome =
      run_podsizer(dir, "simulate --memory-request 64Mi --memory-limit 100Mi --history " +
                            quoted(csv) + " --report " + quoted(page));
  INFO(outcome.err);
  REQUIRE(outcome.status == 0);
  const std::string html = read_text(page);
  CHECK(count_of(html, "<svg class=\"chart") == 4);
  for (const char* title : {"CPU per pod", "Memory per pod", "Replicas", "Latency against the SLO",
                            "Summary", "OOM kill(s)", "100Mi", "Simulation of my-service"}) {
    INFO(title);
    CHECK(html.find(title) != std::string::npos);
  }

  // The same app with its own resources has no OOM kill to mark.
  const Outcome healthy =
      run_podsizer(dir, "simulate --history " + quoted(csv) + " --report " + quoted(page));
  REQUIRE(healthy.status == 0);
  CHECK(read_text(page).find("OOM kill(s)") == std::string::npos);
}

TEST_CASE("cli::recommend: --report sets the current settings beside the recommendation", "[cli]") {
  TempDir dir("recommend-report");
  const std::string csv = two_day_history(dir);
  const std::string page = dir.file("recommendation.html");
  const Outcome outcome = run_podsizer(dir, "recommend --policy vpa --resamples 2 --history " +
                                                quoted(csv) + " --report " + quoted(page));
  INFO(outcome.err);
  REQUIRE(outcome.status == 0);
  const std::string html = read_text(page);
  CHECK(count_of(html, "<svg class=\"chart") == 4);
  for (const char* text :
       {"current usage", "recommended usage", "current request", "recommended request", "Replays",
        "Guardrails", "Reasons", "Confidence", "Cost saved a month"}) {
    INFO(text);
    CHECK(html.find(text) != std::string::npos);
  }

  // Without the replay the page still holds the settings and the reasons, and no chart.
  const Outcome bare = run_podsizer(dir,
                                    "recommend --policy vpa --resamples 0 --no-replay "
                                    "--history " +
                                        quoted(csv) + " --report " + quoted(page));
  REQUIRE(bare.status == 0);
  const std::string bare_html = read_text(page);
  CHECK(count_of(bare_html, "<svg class=\"chart") == 0);
  CHECK(bare_html.find("Settings") != std::string::npos);
}

TEST_CASE("cli: a --report path that cannot be written fails clearly and leaves no file", "[cli]") {
  TempDir dir("bad-report");
  const std::string csv = two_day_history(dir);
  const std::set<std::string> before = files_under(dir.path);

  // A folder that does not exist: refused before any work, naming the option and the path.
  const std::string missing = dir.file("no-such-folder/page.html");
  for (const std::string command : {"simulate", "recommend --policy vpa --resamples 0"}) {
    INFO(command);
    const Outcome outcome =
        run_podsizer(dir, command + " --history " + quoted(csv) + " --report " + quoted(missing));
    CHECK(outcome.status != 0);
    CHECK_THAT(outcome.err, Catch::Contains("--report") && Catch::Contains("no-such-folder"));
  }

  // A path that is a folder: the page cannot replace it; the error names it and no temporary
  // file is left beside it.
  fs::create_directories(dir.path / "taken.html");
  const Outcome taken = run_podsizer(
      dir, "simulate --history " + quoted(csv) + " --report " + quoted(dir.file("taken.html")));
  CHECK(taken.status != 0);
  CHECK_THAT(taken.err, Catch::Contains("taken.html"));
  std::set<std::string> after = files_under(dir.path);
  after.erase("stdout.txt");
  after.erase("stderr.txt");
  std::set<std::string> expected = before;
  expected.erase("stdout.txt");
  expected.erase("stderr.txt");
  CHECK(after == expected);
  CHECK(fs::is_empty(dir.path / "taken.html"));

  // A policy run in closed loop has no page; it says so rather than drawing something else.
  const Outcome policy = run_podsizer(dir, "simulate --policy vpa --history " + quoted(csv) +
                                               " --report " + quoted(dir.file("p.html")));
  CHECK(policy.status != 0);
  CHECK_THAT(policy.err, Catch::Contains("--report"));
  CHECK(!fs::exists(dir.path / "p.html"));
}

TEST_CASE("cli::simulate: headless Chromium renders the replay page", "[cli]") {
  // The browser belongs to the toolchain this project requires; its absence is a failure.
  const fs::path chromium = "/usr/bin/chromium";
  REQUIRE(fs::exists(chromium));
  TempDir dir("chromium");
  const std::string csv = two_day_history(dir);
  const fs::path page = dir.path / "replay.html";
  REQUIRE(run_podsizer(dir, "simulate --memory-limit 300Mi --history " + quoted(csv) +
                                " --report " + quoted(page.string()))
              .status == 0);

  // A fresh profile, nothing reaching the network; the DOM as the browser built it.
  const std::string command =
      chromium.string() +
      " --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking"
      " --disable-component-update --disable-sync --enable-logging=stderr --v=0"
      " --user-data-dir=" +
      quoted((dir.path / "profile").string()) +
      " --screenshot=" + quoted((dir.path / "shot.png").string()) + " --window-size=1280,1600 " +
      quoted("file://" + page.string()) + " >" + quoted(dir.file("chromium.out")) + " 2>" +
      quoted(dir.file("chromium.err"));
  REQUIRE(std::system(command.c_str()) == 0);
  const std::string dom_command =
      chromium.string() +
      " --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking"
      " --disable-component-update --disable-sync --user-data-dir=" +
      quoted((dir.path / "profile-dom").string()) + " --dump-dom " +
      quoted("file://" + page.string()) + " >" + quoted(dir.file("dom.html")) + " 2>/dev/null";
  REQUIRE(std::system(dom_command.c_str()) == 0);

  // A PNG with content: the four charts and the table make it far larger than a blank window
  // of this size (about 10 KiB).
  const std::string image = read_text(dir.path / "shot.png");
  REQUIRE(image.size() > 8);
  CHECK(image.substr(0, 8) == "\x89PNG\r\n\x1a\n");
  CHECK(image.size() > 40 * 1024);
  CHECK(read_text(dir.file("chromium.err")).find("CONSOLE") == std::string::npos);
  const std::string dom = read_text(dir.file("dom.html"));
  CHECK(count_of(dom, "<svg class=\"chart") == 4);
  CHECK(dom.find("Latency against the SLO") != std::string::npos);
}
