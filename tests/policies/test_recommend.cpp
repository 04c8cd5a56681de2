// recommend(): policy loading, bad inputs, the confidence's behaviour and the counterfactual
// replay, on small synthetic histories.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>

#include "policies/policy.h"
#include "policies/recommend.h"
#include "sim/simulation.h"
#include "sim/workload_model.h"
#include "traces/app_spec.h"
#include "traces/errors.h"
#include "traces/quantity.h"
#include "traces/synthetic.h"

namespace {

namespace fs = std::filesystem;
using podsizer::policies::load_policy;
using podsizer::policies::recommend;
using podsizer::policies::RecommendOptions;
using podsizer::traces::kMiB;

// A history of `days` days at 5-minute samples from the example app's generator. Without
// weekends and trend every day comes from the same process, so more days is more of the same.
podsizer::traces::Trace history(double days, double noise = 0.08, std::uint64_t seed = 7) {
  auto options = podsizer::traces::synthetic_options_for(podsizer::traces::default_app_spec());
  options.weekend_factor = 1.0;
  options.trend_per_day = 0.0;
  options.duration_s = days * 86400.0;
  options.step_s = 300.0;
  options.noise = noise;
  options.seed = seed;
  return podsizer::traces::generate_synthetic(options);
}

RecommendOptions quick() {
  RecommendOptions o;
  o.counterfactual = false;
  o.bootstrap_resamples = 8;
  return o;
}

fs::path temp_folder(const std::string& name) {
  const fs::path folder = fs::temp_directory_path() / ("podsizer-test-recommend-" + name);
  fs::remove_all(folder);
  fs::create_directories(folder);
  return folder;
}

// A policy that answers a CPU request above its limit, to check the guardrail end to end.
class InvertedPolicy : public podsizer::policies::Policy {
 public:
  std::string name() const override { return "test-inverted"; }

 protected:
  void on_observe(const podsizer::policies::Sample&) override {}
  podsizer::policies::Decision on_decide(const podsizer::policies::DecisionContext&) override {
    podsizer::policies::Decision d;
    d.resources.requests.cpu_millicores = 500;
    d.resources.limits.cpu_millicores = 300;
    d.resources.requests.memory_bytes = 2048 * kMiB;
    d.resources.limits.memory_bytes = 2048 * kMiB;
    return d;
  }
  void on_reset() override {}
};

// Loaded directly rather than registered by name, so other tests see the factory unchanged.
podsizer::policies::LoadedPolicy inverted_policy() {
  podsizer::policies::LoadedPolicy p;
  p.make = [] { return std::make_unique<InvertedPolicy>(); };
  p.card = {"test-inverted", "1", "baseline", "", {}};
  return p;
}

}  // namespace

TEST_CASE("policies::load_policy: bad policy names and files give clear errors", "[policies]") {
  SECTION("an unknown name lists the known ones") {
    try {
      load_policy("no-such-policy");
      FAIL("expected UnknownPolicyError");
    } catch (const podsizer::policies::UnknownPolicyError& e) {
      CHECK(std::string(e.what()).find("autopilot") != std::string::npos);
    }
  }
  SECTION("a missing .pt file names the file and the flag") {
    try {
      load_policy("/nonexistent/folder/policy.pt");
      FAIL("expected InputError");
    } catch (const podsizer::traces::InputError& e) {
      CHECK(e.file() == "/nonexistent/folder/policy.pt");
      CHECK(e.field() == "--policy");
    }
  }
  SECTION("a .pt file without a registered loader says so") {
    podsizer::policies::register_policy_loader(nullptr);
    const fs::path file = temp_folder("noloader") / "policy.pt";
    std::ofstream(file) << "not a model";
    CHECK_THROWS_AS(load_policy(file.string()), podsizer::policies::RecommendError);
  }
  SECTION("a baseline's card holds its parameters with defaults") {
    const auto loaded = load_policy("autopilot", {{"cpu_percentile", 0.9}});
    CHECK(loaded.card.kind == "baseline");
    CHECK(loaded.card.parameters.at("cpu_percentile") == "0.9");
    CHECK(loaded.card.parameters.at("cpu_half_life_h") == "12");
  }
}

TEST_CASE("policies::load_policy: a registered loader serves .pt files", "[policies]") {
  podsizer::policies::register_policy_loader([](const std::string& path) {
    podsizer::policies::LoadedPolicy p;
    p.make = [] { return podsizer::policies::make_policy("krr"); };
    p.card = {"learned-general", "3", "learned", path, {}};
    return p;
  });
  const fs::path file = temp_folder("loader") / "policy.pt";
  std::ofstream(file) << "weights";
  const auto loaded = load_policy(file.string());
  CHECK(loaded.card.name == "learned-general");
  CHECK(loaded.card.source == file.string());
  const auto r = recommend(podsizer::traces::default_app_spec(), history(2), nullptr, loaded,
                           quick());
  CHECK(r.policy.version == "3");
  podsizer::policies::register_policy_loader(nullptr);
}

TEST_CASE("policies::default_policy: the pre-trained file when readable, else autopilot",
          "[policies]") {
  const fs::path empty = temp_folder("default-empty");
  podsizer::policies::register_policy_loader(nullptr);
  auto choice = podsizer::policies::default_policy({empty});
  CHECK(choice.policy == "autopilot");
  CHECK(choice.notice.find("no pre-trained policy") != std::string::npos);

  const fs::path shipped = temp_folder("default-shipped");
  fs::create_directories(shipped / "policies" / "pretrained");
  std::ofstream(shipped / podsizer::policies::kPretrainedPolicy) << "weights";
  choice = podsizer::policies::default_policy({empty, shipped});
  CHECK(choice.policy == "autopilot");  // the file is there, but nothing can read it
  CHECK(choice.notice.find("no loader") != std::string::npos);

  podsizer::policies::register_policy_loader(
      [](const std::string&) { return podsizer::policies::LoadedPolicy{}; });
  choice = podsizer::policies::default_policy({empty, shipped});
  CHECK(choice.policy == (shipped / podsizer::policies::kPretrainedPolicy).string());
  CHECK(choice.notice.empty());
  podsizer::policies::register_policy_loader(nullptr);
}

TEST_CASE("policies::recommend: empty and short histories are refused", "[policies]") {
  const auto app = podsizer::traces::default_app_spec();
  const auto policy = load_policy("autopilot");
  podsizer::traces::Trace empty;
  empty.meta.source = "csv:empty.csv";
  try {
    recommend(app, empty, nullptr, policy, quick());
    FAIL("expected InputError");
  } catch (const podsizer::traces::InputError& e) {
    CHECK(e.file() == "empty.csv");  // the reader's "csv:" prefix is dropped
  }

  // 12 hours of 5-minute samples: 144 samples cover 12 h < 24 h.
  try {
    recommend(app, history(0.5), nullptr, policy, quick());
    FAIL("expected InputError");
  } catch (const podsizer::traces::InputError& e) {
    CHECK(e.field() == "timestamp");
    CHECK(std::string(e.what()).find("12.0 h") != std::string::npos);
  }
}

TEST_CASE("policies::recommend: the memory floor and request <= limit hold end to end",
          "[policies]") {
  const auto app = podsizer::traces::default_app_spec();
  const auto trace = history(2);
  const auto r = recommend(app, trace, nullptr, inverted_policy(), quick());

  // The policy's CPU limit 300m is below its request 500m: the limit is raised.
  CHECK(*r.resources.limits.cpu_millicores == 500);
  bool limit_override = false;
  for (const auto& o : r.overrides) limit_override |= o.guardrail == "request-within-limit";
  CHECK(limit_override);

  // The memory request is at least margin x peak.
  CHECK(*r.resources.requests.memory_bytes >= app.memory_safety_margin *
                                                  r.observed_peak_memory_bytes);
  CHECK(r.memory_floor_bytes == Approx(app.memory_safety_margin * r.observed_peak_memory_bytes));
}

TEST_CASE("policies::confidence_value: history factor times stability", "[policies]") {
  // 3 days, no spread: 3 / (3 + 3) x e^0 = 0.5. 3 days, 20 % spread: 0.5 / e = 0.18394.
  CHECK(podsizer::policies::confidence_value(3.0, 0.0) == Approx(0.5));
  CHECK(podsizer::policies::confidence_value(3.0, 0.2) == Approx(0.5 * std::exp(-1.0)));
  // 30 days, no spread: 30 / 33 = 0.90909.
  CHECK(podsizer::policies::confidence_value(30.0, 0.0) == Approx(30.0 / 33.0));
  CHECK(podsizer::policies::confidence_value(0.0, 0.0) == 0.0);
}

TEST_CASE("policies::recommend: more history gives more confidence, noise gives less",
          "[policies]") {
  const auto app = podsizer::traces::default_app_spec();
  for (const char* name : {"autopilot", "krr"}) {
    INFO(name);
    const auto short_run = recommend(app, history(3), nullptr, load_policy(name), quick());
    const auto long_run = recommend(app, history(21), nullptr, load_policy(name), quick());
    CHECK(long_run.confidence.value > short_run.confidence.value);
    CHECK(long_run.confidence.history_factor > short_run.confidence.history_factor);
  }

  const auto policy = load_policy("autopilot");
  const auto calm = recommend(app, history(10, 0.05), nullptr, policy, quick());
  const auto noisy = recommend(app, history(10, 0.6), nullptr, policy, quick());
  CHECK(noisy.confidence.value < calm.confidence.value);
  CHECK(*noisy.confidence.cpu_request_spread > *calm.confidence.cpu_request_spread);

  // The same inputs give the same confidence (the bootstrap is seeded).
  const auto again = recommend(app, history(10, 0.05), nullptr, policy, quick());
  CHECK(again.confidence.value == calm.confidence.value);
  CHECK(calm.confidence.explanation.find("resampled by day") != std::string::npos);
}

TEST_CASE("policies::recommend: the counterfactual replay matches a direct simulation",
          "[policies]") {
  const auto app = podsizer::traces::default_app_spec();
  const auto trace = history(2);
  RecommendOptions options;
  options.bootstrap_resamples = 2;
  options.seed = 5;
  const auto r = recommend(app, trace, nullptr, load_policy("autopilot"), options);
  REQUIRE(r.counterfactual);

  // The same replay built by hand: calibrate, one workload with the recommended resources.
  auto model = std::make_shared<const podsizer::sim::WorkloadModel>(
      podsizer::sim::calibrate_workload(trace, app));
  podsizer::sim::SimulationOptions sim_options;
  sim_options.seed = 5;
  podsizer::sim::Simulation simulation(podsizer::sim::cluster_spec_from_app(app), sim_options);
  auto workload = podsizer::sim::workload_spec_from_app(app);
  workload.pod.main = r.resources;
  const auto id = simulation.add_workload(workload, model);
  simulation.run();
  const auto s = simulation.summary(id);

  const auto& rec = r.counterfactual->recommended;
  CHECK(rec.oom_kills == s.oom_kills);
  CHECK(rec.throttled_hours == Approx(s.throttled_seconds / 3600.0));
  CHECK(rec.slo_latency_ms == Approx(s.p95_latency_ms));
  CHECK(rec.mean_replicas == Approx(s.mean_replicas));
  CHECK(rec.cost_per_month == Approx(s.cost / s.duration_s * 30 * 86400));

  // And the current side equals a replay() with the app's own resources.
  const auto current = podsizer::policies::replay(app, trace, nullptr, app.current, std::nullopt,
                                                  5);
  CHECK(r.counterfactual->current.cost_per_month == Approx(current.cost_per_month));
  CHECK(r.counterfactual->current.oom_kills == current.oom_kills);

  // What changed most: recomputed from the two replays with the documented floors.
  const auto& a = r.counterfactual->current;
  const auto& b = r.counterfactual->recommended;
  auto change = [](double x, double y, double floor) {
    return (y - x) / std::max({std::abs(x), std::abs(y), floor});
  };
  const double changes[] = {change(a.oom_kills, b.oom_kills, 1),
                            change(a.throttled_hours, b.throttled_hours, 1),
                            change(a.slo_latency_ms, b.slo_latency_ms, 1),
                            change(a.slo_violation_percent, b.slo_violation_percent, 1),
                            change(a.mean_replicas, b.mean_replicas, 0.5),
                            change(a.cost_per_month, b.cost_per_month, 1)};
  double largest = 0;
  for (double c : changes) largest = std::max(largest, std::abs(c));
  CHECK(std::abs(r.counterfactual->most_changed_relative) == Approx(largest));
  CHECK_FALSE(r.counterfactual->most_changed.empty());
  CHECK(r.reasons.size() >= 5);
}
