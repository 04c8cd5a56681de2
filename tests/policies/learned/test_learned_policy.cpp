#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "agent/checkpoint.h"
#include "agent/ppo.h"
#include "env/action_space.h"
#include "env/features.h"
#include "env/sim_environment.h"
#include "policies/backtest.h"
#include "policies/learned/learned_policy.h"
#include "policies/learned/policy_card.h"
#include "policies/learned/torchscript_policy.h"
#include "traces/errors.h"
#include "traces/synthetic.h"
#include "train/train_config.h"
#include "train/trainer.h"

namespace fs = std::filesystem;
using namespace podsizer;
using policies::learned::LearnedPolicy;

namespace {

// Per-pod samples every 60 s: CPU 100 + 50 · (minute mod 2) millicores, memory 200 MiB.
std::vector<policies::Sample> samples(int minutes) {
  std::vector<policies::Sample> out;
  for (int m = 0; m < minutes; ++m) {
    policies::Sample s;
    s.time_s = 1'700'000'000.0 + 60.0 * m;
    s.cpu_millicores = 100.0 + 50.0 * (m % 2);
    s.memory_bytes = 200.0 * 1024 * 1024;
    s.replicas = 2;
    out.push_back(s);
  }
  return out;
}

// A tiny run trained once for the tests of this file, exported with its card.
struct Exported {
  fs::path dir, policy;
};
const Exported& exported() {
  static const Exported e = [] {
    Exported out;
    out.dir = fs::temp_directory_path() / "podsizer_learned_policy_test";
    fs::remove_all(out.dir);
    train::TrainConfig config;
    config.num_envs = 2;
    config.total_env_steps = 16;
    config.episode_days = 0.25;
    config.warmup_hours = 2;
    config.eval_every = 0;
    config.eval_episodes = 1;
    config.checkpoint_every = 1;
    config.ppo.steps_per_env = 8;
    config.ppo.minibatch_size = 8;
    config.ppo.epochs = 1;
    config.ppo.hidden_sizes = {16};
    train::run_training(config, {out.dir.string(), false, 0});
    out.policy = out.dir / "x.pt";
    train::export_checkpoint((out.dir / "checkpoint.pt").string(), out.policy.string());
    return out;
  }();
  return e;
}

fs::path copy_of_export(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::copy_file(exported().policy, dir / "x.pt");
  fs::copy_file(policies::learned::card_path_for(exported().policy.string()), dir / "x.card.yaml");
  return dir;
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_text(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

}  // namespace

TEST_CASE("policies::learned::LearnedPolicy: sees the features the extractor gives for the trace",
          "[policies]") {
  // The policy's function records what it is given and proposes fixed resources.
  std::vector<float> seen;
  LearnedPolicy policy("probe", [&](std::span<const float> f, std::span<double> out) {
    seen.assign(f.begin(), f.end());
    out[0] = 250;
    out[1] = 500;
    out[2] = 300.0 * 1024 * 1024;
    out[3] = 400.0 * 1024 * 1024;
  });
  const auto input = samples(180);  // three hours
  for (const auto& s : input) policy.observe(s);
  policies::DecisionContext ctx;
  ctx.now_s = input.back().time_s;
  const policies::Decision d = policy.decide(ctx);
  REQUIRE(seen.size() == env::kFeatureCount);
  CHECK(*d.resources.requests.cpu_millicores == 250);
  CHECK(*d.resources.limits.memory_bytes == 400.0 * 1024 * 1024);

  // The same samples as a Trace prefix through env's adapter and extractor: the same vector.
  traces::Trace trace;
  trace.meta.interval_s = 60;
  for (const auto& s : input) {
    trace.time_s.push_back(s.time_s);
    trace.cpu_millicores.push_back(*s.cpu_millicores);
    trace.memory_bytes.push_back(*s.memory_bytes);
    trace.replicas.push_back(s.replicas);
  }
  env::FeatureExtractor extractor;
  extractor.add(env::points_from_trace(trace, trace.size(), 300));
  std::vector<float> expected(env::kFeatureCount);
  extractor.extract(ctx.now_s, ctx.current, expected);
  for (std::size_t k = 0; k < expected.size(); ++k) {
    INFO("feature " << k << " " << env::feature_names()[k]);
    if (std::isnan(expected[k])) {
      CHECK(std::isnan(seen[k]));
    } else {
      CHECK(seen[k] == Approx(expected[k]).margin(1e-6));
    }
  }
  // The CPU reference is the 24 h p95 of 5-minute means: each bin holds 2.5 samples of 100
  // and 150 alternating, so every bin mean lies in [120, 130] and ln(ref) in [4.79, 4.87].
  CHECK(seen[env::kCpuRefFeature] > std::log(119.0));
  CHECK(seen[env::kCpuRefFeature] < std::log(131.0));
}

TEST_CASE("policies::learned::LearnedPolicy: keeps the resources in force within the tolerance",
          "[policies]") {
  double factor = 1.03;
  LearnedPolicy policy("scaled", [&](std::span<const float>, std::span<double> out) {
    out[0] = 100 * factor;
    out[1] = 200 * factor;
    out[2] = 1e8 * factor;
    out[3] = 2e8 * factor;
  });
  policies::DecisionContext ctx;
  ctx.now_s = 10;
  ctx.current.requests = {100.0, 1e8};
  ctx.current.limits = {200.0, 2e8};
  // 3 % away from every value in force: within 5 %, kept.
  CHECK(*policy.decide(ctx).resources.requests.cpu_millicores == 100);
  // 20 % away: applied (120 = 100 · 1.2).
  factor = 1.2;
  CHECK(*policy.decide(ctx).resources.requests.cpu_millicores == Approx(120));
}

TEST_CASE("policies::learned: make_policy(\"x.pt\") gives the network's outputs", "[policies]") {
  const Exported& e = exported();
  policies::learned::register_learned_policy();
  auto policy = policies::make_policy(e.policy.string());
  auto* learned = dynamic_cast<LearnedPolicy*>(policy.get());
  REQUIRE(learned != nullptr);
  for (const auto& s : samples(600)) policy->observe(s);
  policies::DecisionContext ctx;
  ctx.now_s = 1'700'000'000.0 + 600 * 60;
  const policies::Decision d = policy->decide(ctx);

  // The same features through the restored learner and the environment's action space.
  const train::TrainConfig config = train::load_train_config((e.dir / "train.yaml").string());
  env::SimEnvironment environment(train::environment_config(config, config.num_envs));
  agent::PpoLearner learner(config.ppo, environment);
  agent::load_checkpoint(learner, (e.dir / "checkpoint.pt").string());
  const env::ActionSpace space = environment.export_action_space();
  std::vector<float> action(space.action_size());
  std::vector<double> out(space.action_size());
  learner.act(learned->last_features(), action);
  space.apply(learned->last_features(), action, out);
  CHECK(*d.resources.requests.cpu_millicores == Approx(out[env::kCpuRequest]).epsilon(1e-5));
  CHECK(*d.resources.limits.cpu_millicores == Approx(out[env::kCpuLimit]).epsilon(1e-5));
  CHECK(*d.resources.requests.memory_bytes == Approx(out[env::kMemoryRequest]).epsilon(1e-5));
  CHECK(*d.resources.limits.memory_bytes == Approx(out[env::kMemoryLimit]).epsilon(1e-5));
}

TEST_CASE("policies::learned: a card that does not match is refused", "[policies]") {
  const fs::path dir = copy_of_export("podsizer_learned_card_test");
  const fs::path card = dir / "x.card.yaml";
  const std::string original = read_text(card);
  auto field_of_error = [&] {
    try {
      policies::learned::load_torchscript_policy((dir / "x.pt").string());
    } catch (const traces::InputError& e) {
      return e.field();
    }
    return std::string("no error");
  };
  CHECK(field_of_error() == "no error");

  // Another podsizer version.
  std::string text = original;
  const std::string version = std::string("podsizer_version: ") + PODSIZER_VERSION;
  text.replace(text.find(version), version.size(), "podsizer_version: 0.0.1-other");
  write_text(card, text);
  CHECK(field_of_error() == "podsizer_version");

  // A renamed feature.
  text = original;
  const std::string first = env::feature_names()[0];
  text.replace(text.find("- " + first), 2 + first.size(), "- renamed_feature");
  write_text(card, text);
  CHECK(field_of_error() == "features");

  // A policy file that is not the one the card describes.
  write_text(card, original);
  {
    std::ofstream(dir / "x.pt", std::ios::app) << "tampered";
  }
  CHECK(field_of_error() == "sha256");

  // No card at all.
  fs::remove(card);
  CHECK_THROWS_AS(policies::learned::load_torchscript_policy((dir / "x.pt").string()),
                  traces::InputError);
  fs::remove_all(dir);
}

TEST_CASE("policies::learned: a backtest runs with a .pt policy", "[policies]") {
  const Exported& e = exported();
  policies::learned::register_learned_policy();
  traces::SyntheticOptions o;
  o.duration_s = 3 * 86400.0;
  const traces::Trace trace = traces::generate_synthetic(o);
  const auto app = policies::default_app_for_history(trace);
  const auto result = policies::run_backtest(trace, e.policy.string(), app);
  // Hourly decisions over three days of 5-minute samples: 71 after the first sample's hour.
  CHECK(result.timeline.size() >= 70);
  CHECK(result.score.samples > 800);
  REQUIRE(result.score.mean_cpu_request_millicores.has_value());
  CHECK(*result.score.mean_cpu_request_millicores > 0);
}

TEST_CASE("policies::learned::sha256_file: the digest of known bytes", "[policies]") {
  // SHA-256("abc") from FIPS 180-2, appendix B.1.
  const fs::path p = fs::temp_directory_path() / "podsizer_sha256_abc";
  write_text(p, "abc");
  CHECK(policies::learned::sha256_file(p.string()) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  fs::remove(p);
}
