// Speed of the learner and of an exported policy.
//
// BM_PpoIteration: full PPO iterations (rollout + 10 epochs of updates) on a synthetic
// environment the size podsizer's will have (40 features, 5 actions, 8 copies, 2 × 64 hidden),
// reported as environment samples per second. The environment costs a few hundred nanoseconds a
// step, so the figure is the learner's own.
// BM_ExportedForward: one observation through the exported TorchScript module (normalisation,
// network, action mapping), as `recommend` will call it; the goal is under 100 µs. The batch
// variant shows the per-observation cost when a backtest asks for many at once.
// BM_LearnerAct: the same through PpoLearner::act, for comparison.
#include <benchmark/benchmark.h>

#include <cmath>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <torch/script.h>

#include "agent/export.h"
#include "agent/ppo.h"
#include "env/environment.h"

namespace {

using namespace podsizer;

constexpr std::size_t kFeatures = 40;
constexpr std::size_t kActions = 5;
constexpr std::size_t kCopies = 8;

// Each copy's features drift as a damped oscillation; the reward asks the actions to follow
// tanh of the first five features. Episodes are cut after 200 steps.
class SyntheticEnvironment : public env::VectorEnvironment {
 public:
  std::size_t observation_size() const override { return kFeatures; }
  std::size_t action_size() const override { return kActions; }
  std::size_t num_envs() const override { return kCopies; }

 protected:
  void reset_impl(std::uint64_t seed, std::span<float> observations) override {
    steps_.assign(kCopies, 0);
    returns_.assign(kCopies, 0.0);
    for (std::size_t i = 0; i < observations.size(); ++i) {
      observations[i] = static_cast<float>(std::sin(0.37 * static_cast<double>(i + seed)));
    }
    state_.assign(observations.begin(), observations.end());
  }

  void step_impl(std::span<const float> actions, env::StepResult& result) override {
    for (std::size_t n = 0; n < kCopies; ++n) {
      float* x = state_.data() + n * kFeatures;
      double reward = 0.0;
      for (std::size_t j = 0; j < kActions; ++j) {
        const double miss = actions[n * kActions + j] - std::tanh(x[j]);
        reward -= miss * miss;
      }
      for (std::size_t d = 0; d < kFeatures; ++d) {
        x[d] = 0.95f * x[d] + 0.3f * x[(d + 1) % kFeatures] * (d % 2 ? 1.0f : -1.0f);
      }
      result.rewards[n] = static_cast<float>(reward);
      returns_[n] += reward;
      if (++steps_[n] == 200) {
        result.dones[n] = 1;
        result.truncated[n] = 1;
        result.episode_returns[n] = returns_[n];
        result.episode_lengths[n] = 200;
        std::copy_n(x, kFeatures, result.final_observations.begin() + n * kFeatures);
        steps_[n] = 0;
        returns_[n] = 0.0;
      }
    }
    std::copy(state_.begin(), state_.end(), result.observations.begin());
  }

 private:
  std::vector<float> state_;
  std::vector<int> steps_;
  std::vector<double> returns_;
};

agent::PpoConfig bench_config() {
  agent::PpoConfig config;
  config.hidden_sizes = {64, 64};
  config.steps_per_env = 256;
  config.minibatch_size = 256;
  config.epochs = 10;
  config.target_kl = 0.0;  // always all epochs, so every iteration does the same work
  return config;
}

void BM_PpoIteration(benchmark::State& state) {
  SyntheticEnvironment env;
  agent::PpoLearner learner(bench_config(), env);
  double rollout = 0.0;
  double update = 0.0;
  for (auto _ : state) {
    const agent::IterationStats stats = learner.iterate(env);
    rollout += stats.rollout_seconds;
    update += stats.update_seconds;
  }
  const double samples = static_cast<double>(kCopies * bench_config().steps_per_env);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * samples));
  state.counters["rollout_samples_per_s"] =
      benchmark::Counter(samples * static_cast<double>(state.iterations()) / rollout);
  state.counters["update_samples_per_s"] =
      benchmark::Counter(samples * static_cast<double>(state.iterations()) / update);
}
BENCHMARK(BM_PpoIteration)->Unit(benchmark::kMillisecond)->MinTime(3.0);

// A learner with one iteration behind it, so the normaliser holds real statistics.
struct Trained {
  SyntheticEnvironment env;
  agent::PpoLearner learner{small_config(), env};

  Trained() { learner.iterate(env); }

  static agent::PpoConfig small_config() {
    agent::PpoConfig config = bench_config();
    config.steps_per_env = 32;
    return config;
  }
};

agent::PpoLearner& trained_learner() {
  static Trained trained;
  return trained.learner;
}

// The exported module of trained_learner(), loaded back as `recommend` will load it.
torch::jit::Module& exported_module() {
  static torch::jit::Module module = [] {
    agent::ExportOptions options;
    for (std::size_t j = 0; j < kActions; ++j) {
      options.mapping.outputs.push_back({.name = "output_" + std::to_string(j),
                                         .action_index = j,
                                         .centre_feature = static_cast<std::int64_t>(j),
                                         .feature_floor = 1e-3,
                                         .scale = std::log(2.0),
                                         .min_value = 1.0,
                                         .max_value = 1e5});
    }
    const std::string path =
        (std::filesystem::temp_directory_path() / "podsizer_agent_bench.pt").string();
    agent::export_policy(trained_learner(), path, options);
    torch::jit::Module loaded = torch::jit::load(path);
    std::filesystem::remove(path);
    return loaded;
  }();
  return module;
}

// One observation at a time; range(0) = 1 runs under c10::InferenceMode, 0 under NoGradGuard.
void BM_ExportedForward(benchmark::State& state) {
  torch::jit::Module& module = exported_module();
  const bool inference_mode = state.range(0) == 1;
  std::optional<c10::InferenceMode> inference;
  std::optional<torch::NoGradGuard> no_grad;
  if (inference_mode) {
    inference.emplace();
  } else {
    no_grad.emplace();
  }
  const torch::Tensor features = torch::rand({static_cast<long>(kFeatures)});
  std::vector<torch::jit::IValue> inputs{features};
  for (auto _ : state) {
    benchmark::DoNotOptimize(module.forward(inputs).toTensor());
  }
}
BENCHMARK(BM_ExportedForward)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

// A batch of 64 observations in one call, per call; the per-observation cost is this / 64.
void BM_ExportedForwardBatch64(benchmark::State& state) {
  torch::jit::Module& module = exported_module();
  c10::InferenceMode inference;
  const torch::Tensor features = torch::rand({64, static_cast<long>(kFeatures)});
  std::vector<torch::jit::IValue> inputs{features};
  for (auto _ : state) {
    benchmark::DoNotOptimize(module.forward(inputs).toTensor());
  }
  state.SetItemsProcessed(state.iterations() * 64);
}
BENCHMARK(BM_ExportedForwardBatch64)->Unit(benchmark::kMicrosecond);

void BM_LearnerAct(benchmark::State& state) {
  agent::PpoLearner& learner = trained_learner();
  std::vector<float> features(kFeatures, 0.5f);
  std::vector<float> actions(kActions);
  for (auto _ : state) {
    learner.act(features, actions);
    benchmark::DoNotOptimize(actions.data());
  }
}
BENCHMARK(BM_LearnerAct)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
