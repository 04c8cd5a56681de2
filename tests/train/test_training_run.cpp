#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "policies/policy.h"
#include "sim/results.h"
#include "traces/errors.h"
#include "train/train_config.h"
#include "train/trainer.h"
#include "train/validation.h"
#include "support/test_files.h"

namespace fs = std::filesystem;
using namespace podsizer;

namespace {

// Two copies, 8 steps each per iteration, 4 iterations in all, six-hour episodes.
train::TrainConfig tiny_config() {
  train::TrainConfig config;
  config.num_envs = 2;
  config.total_env_steps = 64;
  config.episode_days = 0.25;
  config.warmup_hours = 2;
  config.eval_every = 2;
  config.eval_episodes = 2;
  config.checkpoint_every = 2;
  config.patience = 0;
  config.ppo.steps_per_env = 8;
  config.ppo.minibatch_size = 8;
  config.ppo.epochs = 2;
  config.ppo.hidden_sizes = {16};
  return config;
}

fs::path fresh_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / name;
  fs::remove_all(dir);
  return dir;
}

// Every column of both tables except the measured speed, which depends on the machine's load.
std::map<std::string, std::vector<double>> metric_log(const fs::path& dir) {
  auto all = train::read_metrics((dir / "metrics.h5").string(), "/iterations");
  all.erase("steps_per_second");
  for (auto& [name, values] : train::read_metrics((dir / "metrics.h5").string(), "/evaluations")) {
    all["evaluation_" + name] = values;
  }
  return all;
}

}  // namespace

TEST_CASE("train::TrainConfig: the validation section and its errors", "[train]") {
  const train::TrainConfig c = train::parse_train_config(
      "validation:\n  traces: [a.csv, b.csv]\n  patience: 3\n", "v.yaml");
  CHECK(c.validation_paths == std::vector<std::string>{"a.csv", "b.csv"});
  CHECK(c.patience == 3);
  CHECK(train::TrainConfig{}.patience == 5);  // the documented default

  try {
    train::parse_train_config("seed: 2\nvalidation:\n  patience: soon\n", "v.yaml");
    FAIL("no error");
  } catch (const traces::InputError& e) {
    CHECK(e.line() == 3);
    CHECK(e.field() == "validation.patience");
  }
  try {
    train::parse_train_config("validation:\n  trace: [a.csv]\n", "v.yaml");
    FAIL("no error");
  } catch (const traces::InputError& e) {
    CHECK(e.line() == 2);
    CHECK(e.field() == "validation.trace");
  }
}

TEST_CASE("train::TrainConfig: a learner check names the ppo field and its line", "[train]") {
  try {
    train::parse_train_config("seed: 1\nppo:\n  epochs: 3\n  gamma: 2\n", "p.yaml");
    FAIL("no error");
  } catch (const traces::InputError& e) {
    CHECK(e.line() == 4);
    CHECK(e.field() == "ppo.gamma");
  }
}

TEST_CASE("train::backtest_score: footprint relative to VPA plus weighted risk", "[train]") {
  policies::BacktestScore vpa;
  vpa.samples = 100;
  vpa.mean_cpu_request_millicores = 1000;  // 1 core
  vpa.mean_memory_request_mib = 2048;      // 2 GiB = 0.5 core-equivalent at 4 GiB per core
  policies::BacktestScore s;
  s.samples = 100;
  s.mean_cpu_request_millicores = 500;   // 0.5 core
  s.mean_memory_request_mib = 1024;      // 0.25 core-equivalent; footprint 0.75 / 1.5 = 0.5
  s.oom_samples = 2;                     // 2 / 100 = 0.02
  s.memory_over_request_percent = 8;     // 0.08 / 4 = 0.02
  s.cpu_throttled_percent = 4;           // 0.04 / 4 = 0.01; risk 0.05
  // balanced: 0.5 + 10 · 0.05 = 1.0; savings: 0.5 + 2 · 0.05 = 0.6; reliability: 0.5 + 2.5 = 3.0
  CHECK(train::backtest_score(s, vpa, traces::Objective::kBalanced) == Approx(1.0));
  CHECK(train::backtest_score(s, vpa, traces::Objective::kSavings) == Approx(0.6));
  CHECK(train::backtest_score(s, vpa, traces::Objective::kReliability) == Approx(3.0));
  // VPA against itself, no risk: exactly 1.
  CHECK(train::backtest_score(vpa, vpa, traces::Objective::kBalanced) == Approx(1.0));
}

TEST_CASE("train::closed_loop_risk: SLO share, kills and evictions per day on a log scale",
          "[train]") {
  podsizer::sim::WorkloadSummary w;
  w.duration_s = 2 * 86400.0;
  w.slo_violation_seconds = 8640;  // 0.05 of the time
  w.error_rate = 0.02;             // smaller than the violated share: the share counts
  w.oom_kills = 6;                 // 3 a day: ln 4 / 40 = 0.0346574
  w.evictions = 2;                 // 1 a day: ln 2 / 80 = 0.0086643
  CHECK(train::closed_loop_risk(w) == Approx(0.05 + 0.0346574 + 0.0086643));

  // Dropped requests count when they exceed the violated share; nothing happened: no risk.
  w.error_rate = 0.3;
  CHECK(train::closed_loop_risk(w) == Approx(0.3 + 0.0346574 + 0.0086643));
  CHECK(train::closed_loop_risk(podsizer::sim::WorkloadSummary{}) == 0.0);
}

TEST_CASE("train::validate_policy: the closed loop adds its risk to the score", "[train]") {
  // Three synthetic week-long histories; vpa against itself scores 1 + w · risk per trace.
  const train::ValidationSet set = train::make_validation_set(train::TrainConfig{});
  auto vpa = [] { return policies::make_policy("vpa"); };
  const train::PolicyValidation open =
      train::validate_policy("vpa", vpa, set, traces::Objective::kBalanced, nullptr, 3600);
  const train::PolicyValidation closed =
      train::validate_policy("vpa", vpa, set, traces::Objective::kBalanced, nullptr, 3600, true);
  REQUIRE(closed.closed_loop.size() == set.traces.size());
  CHECK(open.closed_loop.empty());
  double added = 0;
  for (const auto& w : closed.closed_loop) added += 10 * train::closed_loop_risk(w);
  CHECK(closed.score == Approx(open.score + added / set.traces.size()));
  CHECK(closed.figures.contains("closed_loop_oom_kills"));
  CHECK_FALSE(open.figures.contains("closed_loop_oom_kills"));
}

TEST_CASE("train::run_training: the same seed gives the same metric log", "[train]") {
  const fs::path a = fresh_dir("podsizer_train_same_a"), b = fresh_dir("podsizer_train_same_b");
  const auto config = tiny_config();
  train::run_training(config, {a.string(), false, 0});
  train::run_training(config, {b.string(), false, 0});
  const auto log_a = metric_log(a), log_b = metric_log(b);
  REQUIRE(log_a.at("iteration").size() == 4);
  REQUIRE(log_a.at("evaluation_validation_score").size() == 2);  // iterations 2 and 4
  CHECK(log_a == log_b);

  // Another seed gives another run, so the comparison above can fail.
  auto other = config;
  other.seed = 2;
  other.ppo.seed = 2;
  const fs::path c = fresh_dir("podsizer_train_same_c");
  train::run_training(other, {c.string(), false, 0});
  CHECK(metric_log(c).at("policy_loss") != log_a.at("policy_loss"));
  fs::remove_all(a);
  fs::remove_all(b);
  fs::remove_all(c);
}

TEST_CASE("train::run_training: stopped after a checkpoint and resumed equals uninterrupted",
          "[train]") {
  const fs::path whole = fresh_dir("podsizer_train_whole");
  const fs::path split = fresh_dir("podsizer_train_split");
  const auto config = tiny_config();
  const auto uninterrupted = train::run_training(config, {whole.string(), false, 0});

  // Stop after the first checkpoint (iteration 2), then resume in a new call.
  const auto first = train::run_training(config, {split.string(), false, 2});
  CHECK(first.iterations == 2);
  const auto second = train::run_training(config, {split.string(), true, 0});
  CHECK(second.resumed);
  CHECK(second.iterations == uninterrupted.iterations);
  CHECK(metric_log(split) == metric_log(whole));
  REQUIRE(second.best_validation_score.has_value());
  CHECK(*second.best_validation_score == *uninterrupted.best_validation_score);
  fs::remove_all(whole);
  fs::remove_all(split);
}

TEST_CASE("train::run_training: early stopping ends the run when validation stalls", "[train]") {
  // A learning rate of ~0 and no observation normaliser keep the policy still, so after the
  // first evaluation no later one is strictly better: patience 1 stops at the second
  // evaluation, iteration 2 of 8.
  const fs::path dir = fresh_dir("podsizer_train_early");
  auto config = tiny_config();
  config.total_env_steps = 128;
  config.eval_every = 1;
  config.patience = 1;
  config.ppo.learning_rate = 1e-12;
  config.ppo.normalize_observations = false;
  const auto summary = train::run_training(config, {dir.string(), false, 0});
  CHECK(summary.stopped_early);
  CHECK(summary.iterations == 2);
  CHECK(fs::exists(dir / "best.pt"));
  fs::remove_all(dir);
}

TEST_CASE("train::TrainConfig: the example recipes parse and the quick one is the default",
          "[train]") {
  const std::string dir = std::string(PODSIZER_SOURCE_DIR) + "/examples/";
  const train::TrainConfig quick = train::load_train_config(dir + "train-quick.yaml");
  const train::TrainConfig defaults;
  CHECK(train::to_yaml(quick) == train::to_yaml([&] {
          auto d = defaults;
          d.objective = traces::Objective::kBalanced;  // written out in the recipe
          return d;
        }()));
  const train::TrainConfig corpus = train::load_train_config(dir + "train-corpus.yaml");
  CHECK(corpus.trace_paths.size() == 2);
  CHECK(corpus.validation_paths.size() == 17);  // 12 Bitbrains VMs, 5 Google tasks
}

TEST_CASE("podsizer train: a process killed by SIGKILL and resumed gives the uninterrupted log",
          "[train]") {
  // Two copies of 8 steps per iteration and 60 iterations, a checkpoint every 2: the kill lands
  // long before the end, wherever in an iteration, a checkpoint or an evaluation it falls.
  const testing::TempDir dir("train", "sigkill");
  std::ofstream(dir.file("tiny.yaml")) << "seed: 3\n"
                                          "total_env_steps: 960\n"
                                          "num_envs: 2\n"
                                          "checkpoint_every: 2\n"
                                          "eval_every: 5\n"
                                          "eval_episodes: 2\n"
                                          "environment: {episode_days: 0.25, warmup_hours: 2}\n"
                                          "validation: {patience: 0, closed_loop: false}\n"
                                          "ppo: {hidden_sizes: [16], steps_per_env: 8,\n"
                                          "      minibatch_size: 8, epochs: 2}\n";
  const std::string train = "train --config tiny.yaml --no-export --out ";
  const auto whole = testing::run_podsizer(dir, train + "whole");
  REQUIRE(whole.status == 0);
  const auto uninterrupted = metric_log(dir.path / "whole");
  REQUIRE(uninterrupted.at("iteration").size() == 60);

  // The same run in a process of its own, killed without warning soon after its first checkpoint.
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    if (chdir(dir.path.c_str()) != 0) _exit(127);
    if (std::freopen("/dev/null", "w", stderr) == nullptr) _exit(127);
    if (std::freopen("/dev/null", "w", stdout) == nullptr) _exit(127);
    execl(PODSIZER_BINARY, "podsizer", "train", "--config", "tiny.yaml", "--no-export", "--out",
          "split", static_cast<char*>(nullptr));
    _exit(127);
  }
  const fs::path checkpoint = dir.path / "split" / "checkpoint.pt";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (!fs::exists(checkpoint) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  REQUIRE(WIFSIGNALED(status));
  REQUIRE(WTERMSIG(status) == SIGKILL);
  REQUIRE(fs::exists(checkpoint));
  const auto cut = metric_log(dir.path / "split");
  REQUIRE(cut.at("iteration").size() < 60);  // it was stopped mid-run

  const auto resumed = testing::run_podsizer(dir, train + "split --resume");
  REQUIRE(resumed.status == 0);
  CHECK(resumed.err.find("resuming") != std::string::npos);
  CHECK(metric_log(dir.path / "split") == uninterrupted);
}
