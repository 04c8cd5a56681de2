#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "policies/backtest.h"
#include "policies/policy.h"
#include "traces/trace.h"

namespace pp = podsizer::policies;
using podsizer::traces::AppSpec;
using podsizer::traces::Trace;

namespace {

constexpr double kMib = 1024.0 * 1024.0;

// Three days of five-minute samples with a daily cycle and a few spikes, deterministic.
Trace make_trace(double days = 3.0) {
  Trace t;
  t.meta.name = "unit";
  const double start = 1'700'000'000.0;
  for (int k = 0; k * 300.0 <= days * 86400.0; ++k) {
    const double phase = std::sin(2 * M_PI * k * 300.0 / 86400.0);
    t.time_s.push_back(start + k * 300.0);
    t.cpu_millicores.push_back(200.0 + 120.0 * phase + (k % 37 == 0 ? 300.0 : 0.0));
    t.memory_bytes.push_back((400.0 + 60.0 * phase + (k % 101 == 0 ? 250.0 : 0.0)) * kMib);
  }
  return t;
}

AppSpec make_app() {
  AppSpec app;
  app.app_name = "unit";
  app.current.requests = {250.0, 512 * kMib};
  app.current.limits = {500.0, 1024 * kMib};
  return app;
}

// A policy that records what it is shown, to check the walk itself.
class RecordingPolicy : public pp::Policy {
 public:
  std::string name() const override { return "recording"; }
  std::vector<pp::Sample> seen;
  std::vector<std::size_t> seen_at_decision;

 protected:
  void on_observe(const pp::Sample& s) override { seen.push_back(s); }
  pp::Decision on_decide(const pp::DecisionContext& ctx) override {
    seen_at_decision.push_back(seen.size());
    pp::Decision d;
    d.resources = ctx.current;
    d.resources.limits.memory_bytes = 100 * kMib;
    return d;
  }
  void on_reset() override {
    seen.clear();
    seen_at_decision.clear();
  }
};

}  // namespace

TEST_CASE("policies::Backtest: a decision at T sees exactly the samples up to T", "[policies]") {
  // Samples every 5 minutes from 0 to 4 h; decisions at 1, 2, 3 and 4 h.
  Trace t;
  for (int k = 0; k <= 48; ++k) {
    t.time_s.push_back(k * 300.0);
    t.cpu_millicores.push_back(100.0);
    t.memory_bytes.push_back(k >= 30 ? 150 * kMib : 50 * kMib);
  }
  RecordingPolicy policy;
  const auto result = pp::run_backtest(t, policy, make_app());
  REQUIRE(result.timeline.size() == 4);
  CHECK(result.timeline[0].time_s == 3600.0);
  CHECK(result.timeline[3].time_s == 4 * 3600.0);
  // At 1 h the samples 0, 300, ..., 3600 (13 of them) have been seen; at 4 h all 49.
  CHECK(policy.seen_at_decision == std::vector<std::size_t>{13, 25, 37, 49});

  // The policy sets a 100 MiB limit from 1 h; samples from 150 minutes on use 150 MiB, so they
  // are reported with an OOM kill. Before 1 h the spec's 1 GiB limit held.
  for (const auto& s : policy.seen) CHECK(s.oom_kills == (s.time_s >= 150 * 60.0 ? 1 : 0));
}

TEST_CASE("policies::Backtest: recommendations never depend on later samples", "[policies]") {
  const Trace original = make_trace();
  const double cut = original.time_s.front() + 1.5 * 86400.0 + 17 * 60.0;
  Trace changed = original;
  for (std::size_t i = 0; i < changed.size(); ++i) {
    if (changed.time_s[i] <= cut) continue;
    changed.cpu_millicores[i] *= 3.0;
    changed.memory_bytes[i] *= 0.5;
  }

  for (const auto& name : pp::known_policies()) {
    INFO("policy " << name);
    const auto a = pp::run_backtest(original, name, make_app());
    const auto b = pp::run_backtest(changed, name, make_app());
    REQUIRE(a.timeline.size() == b.timeline.size());
    std::size_t compared = 0;
    bool later_differs = false;
    for (std::size_t k = 0; k < a.timeline.size(); ++k) {
      const auto& ra = a.timeline[k].resources;
      const auto& rb = b.timeline[k].resources;
      const bool equal = ra.requests.cpu_millicores == rb.requests.cpu_millicores &&
                         ra.requests.memory_bytes == rb.requests.memory_bytes &&
                         ra.limits.cpu_millicores == rb.limits.cpu_millicores &&
                         ra.limits.memory_bytes == rb.limits.memory_bytes;
      if (a.timeline[k].time_s <= cut) {
        CHECK(equal);
        ++compared;
      } else if (!equal) {
        later_differs = true;
      }
    }
    CHECK(compared == 36);
    // The change is large enough that every policy but "static" reacts to it afterwards, so
    // the comparison above is not vacuous.
    if (name != "static") CHECK(later_differs);
  }
}

TEST_CASE("policies::Backtest: the timeline CSV format", "[policies]") {
  std::vector<pp::TimelineRow> rows(3);
  rows[0].time_s = 1'700'000'000.0;
  rows[0].resources.requests = {250.0, 512 * kMib};
  rows[0].resources.limits = {std::nullopt, 1024 * kMib};
  rows[1].time_s = 1'700'003'600.0;
  rows[1].resources.requests = {287.5, 100.5 * kMib};
  rows[1].resources.limits = {575.25, std::nullopt};
  rows[2].time_s = 1'700'007'200.0;
  rows[2].resources.requests = {1.0 / 3.0, std::nullopt};
  const std::string expected =
      "timestamp,cpu_request_millicores,cpu_limit_millicores,memory_request_mib,"
      "memory_limit_mib\n"
      "1700000000,250,,512,1024\n"
      "1700003600,287.5,575.25,100.5,\n"
      "1700007200,0.333,,,\n";
  CHECK(pp::timeline_csv(rows) == expected);

  // Written atomically to a file with the same bytes.
  const auto path = std::filesystem::temp_directory_path() / "podsizer_policies_timeline.csv";
  pp::write_timeline_csv(path.string(), rows);
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  CHECK(text.str() == expected);
  std::filesystem::remove(path);
}

TEST_CASE("policies::Backtest: the score arithmetic on a hand-made case", "[policies]") {
  Trace t;
  t.time_s = {0, 100, 200, 300, 400};
  t.cpu_millicores = {100, 450, 100, 500, 200};
  for (double mib : {100.0, 150.0, 250.0, 90.0, 300.0}) t.memory_bytes.push_back(mib * kMib);
  std::vector<pp::TimelineRow> rows(2);
  rows[0].time_s = 0;
  rows[0].resources.requests = {200.0, 200 * kMib};
  rows[0].resources.limits = {400.0, 260 * kMib};
  rows[1].time_s = 250;
  rows[1].resources.requests = {300.0, 100 * kMib};
  rows[1].resources.limits = {std::nullopt, 280 * kMib};

  const pp::BacktestScore s = pp::score_timeline(t, rows);
  // Scored: t = 100, 200 under row 0; t = 300, 400 under row 1.
  CHECK(s.samples == 4);
  // CPU requests (200 + 200 + 300 + 300) / 4 = 250; memory (200 + 200 + 100 + 100) / 4 = 150.
  CHECK(*s.mean_cpu_request_millicores == Approx(250.0));
  CHECK(*s.mean_memory_request_mib == Approx(150.0));
  // Slack: (200 - 150) / 200 = 0.25, 0 (250 > 200), (100 - 90) / 100 = 0.1, 0 -> 0.35 / 4.
  CHECK(*s.memory_slack == Approx(0.0875));
  // Over the memory request: 250 > 200 and 300 > 100 -> 2 of 4 = 50 %.
  CHECK(s.memory_over_request_percent == Approx(50.0));
  // Over the CPU limit: 450 > 400 at t = 100; row 1 has no CPU limit -> 1 of 4 = 25 %.
  CHECK(s.cpu_throttled_percent == Approx(25.0));
  // OOM: 300 > 280 at t = 400 only. Days = (400 - 0) / 86400; 1 / days = 216 per day.
  CHECK(s.oom_samples == 1);
  CHECK(s.days == Approx(400.0 / 86400.0));
  CHECK(s.oom_samples_per_day == Approx(216.0));
  // One change between the two decisions: 216 per day.
  CHECK(s.changes == 1);
  CHECK(s.changes_per_day == Approx(216.0));
}

TEST_CASE("policies::Backtest: too little history and unknown policies are clear errors",
          "[policies]") {
  Trace t;
  t.meta.name = "short";
  t.time_s = {0, 1800};
  t.cpu_millicores = {100, 100};
  CHECK_THROWS_AS(pp::run_backtest(t, "vpa", make_app()), pp::BacktestError);
  CHECK_THROWS_WITH(pp::run_backtest(t, "vpa", make_app()),
                    Catch::Contains("short") && Catch::Contains("less than one decision"));

  Trace one;
  one.time_s = {0};
  one.cpu_millicores = {1};
  CHECK_THROWS_AS(pp::run_backtest(one, "static", make_app()), pp::BacktestError);

  CHECK_THROWS_AS(pp::make_policy("hpa-magic"), pp::UnknownPolicyError);
  CHECK_THROWS_WITH(
      pp::make_policy("hpa-magic"),
      Catch::Contains("hpa-magic") && Catch::Contains("autopilot, autopilot-ml, krr, static, vpa"));
  CHECK_THROWS_AS(pp::make_policy("vpa", {{"no_such_option", 1.0}}), std::invalid_argument);
  CHECK_NOTHROW(pp::make_policy("krr", {{"cpu_percentile", 0.99}}));
}

TEST_CASE("policies::Policy: refuses samples out of order and decisions in the past",
          "[policies]") {
  auto policy = pp::make_policy("vpa");
  pp::Sample s;
  s.time_s = 100;
  s.cpu_millicores = 10;
  policy->observe(s);
  s.time_s = 50;
  CHECK_THROWS_AS(policy->observe(s), std::logic_error);
  pp::DecisionContext ctx;
  ctx.now_s = 99;
  CHECK_THROWS_AS(policy->decide(ctx), std::logic_error);
  policy->reset();
  CHECK_NOTHROW(policy->observe(s));
}

TEST_CASE("policies::Backtest: static keeps the spec and scores it", "[policies]") {
  const auto result = pp::run_backtest(make_trace(), "static", make_app());
  CHECK(result.timeline.size() == 72);
  for (const auto& row : result.timeline) {
    CHECK(*row.resources.requests.cpu_millicores == 250.0);
    CHECK(*row.resources.limits.memory_bytes == 1024 * kMib);
  }
  CHECK(result.score.changes == 0);
  CHECK(*result.score.mean_cpu_request_millicores == Approx(250.0));
  CHECK(result.score.oom_samples == 0);
  // The table names every line.
  const std::string table = pp::format_score_table({result});
  CHECK_THAT(table, Catch::Contains("CPU throttled (%)") && Catch::Contains("static"));
}

TEST_CASE("policies::Backtest: default resources come from the first day", "[policies]") {
  Trace t;
  // Day one: CPU 0..100 m (P95 = 95 m by interpolation over 101 values), memory peak 300 MiB.
  for (int k = 0; k <= 100; ++k) {
    t.time_s.push_back(k * 600.0);
    t.cpu_millicores.push_back(k);
    t.memory_bytes.push_back((k == 50 ? 300.0 : 200.0) * kMib);
  }
  // Day two is larger but ignored.
  t.time_s.push_back(2 * 86400.0);
  t.cpu_millicores.push_back(5000);
  t.memory_bytes.push_back(5000 * kMib);
  const AppSpec app = pp::default_app_for_history(t);
  CHECK(*app.current.requests.cpu_millicores == Approx(95.0));
  CHECK(*app.current.limits.cpu_millicores == Approx(190.0));
  CHECK(*app.current.requests.memory_bytes == Approx(300 * kMib));
  CHECK(*app.current.limits.memory_bytes == Approx(360 * kMib));

  // Without a request rate the history is one instance: one pod, no HPA.
  CHECK_FALSE(app.hpa.enabled);
  CHECK(app.hpa.min_replicas == 1);
  // With one, the example app's HPA scales it.
  t.request_rate.assign(t.time_s.size(), 10.0);
  const AppSpec served = pp::default_app_for_history(t);
  CHECK(served.hpa.enabled);
  CHECK(served.hpa.min_replicas == podsizer::traces::default_app_spec().hpa.min_replicas);
}

TEST_CASE("policies::Backtest: durations", "[policies]") {
  CHECK(pp::parse_duration_s("1h") == 3600.0);
  CHECK(pp::parse_duration_s("30m") == 1800.0);
  CHECK(pp::parse_duration_s("90") == 90.0);
  CHECK(pp::parse_duration_s("2d") == 172800.0);
  CHECK(pp::parse_duration_s("0.5h") == 1800.0);
  CHECK_THROWS_AS(pp::parse_duration_s("abc"), std::invalid_argument);
  CHECK_THROWS_AS(pp::parse_duration_s("0h"), std::invalid_argument);
  CHECK_THROWS_AS(pp::parse_duration_s("-1h"), std::invalid_argument);
  CHECK_THROWS_AS(pp::parse_duration_s("1w"), std::invalid_argument);
}
