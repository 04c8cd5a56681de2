// SimEnvironment: the batched reinforcement-learning environment over the cluster simulator.
//
// N copies run in lock step. Each copy plays episodes; an episode is one workload on one small
// cluster replaying one trace in a sim::Simulation:
//   1. Scenario. From the copy's own random stream: a trace (the synthetic generator with a fresh
//      seed and randomised load level, peak-to-average ratio, bursts, noise, per-request CPU,
//      memory footprint and time of day; or a window of a trace from the pool, its CPU scaled),
//      the replica count, the node size, whether the request rate is known to the policy, and
//      the starting requests and limits (around the trace's usage, deliberately off by up to
//      a few times so the policy learns to correct both ways).
//   2. Warm-up. The simulation runs `warmup_s` with the starting resources so the feature windows
//      have history before the first decision.
//   3. Steps. Each step applies one decision (env/action_space.h), advances the simulation by
//      `decision_interval_s`, feeds the new bins to the copy's FeatureExtractor through the
//      SimSeriesAdapter (what Prometheus would hold, env/features.h) and scores the interval
//      (env/reward.h). A decision whose every value lies within `change_tolerance` of the values
//      in force is not applied, so jitter does not roll the pods every hour.
//   4. End. After `episode_s` the episode is truncated (a time limit, never a terminal state) and
//      the copy starts its next episode inside the same step (auto-reset, env/environment.h).
//
// Speed. The simulator processes every scrape, HPA sync and eviction check as an event, so the
// training configuration keeps them few: scrapes every 60 s and no HPA by default (fixed
// replicas); `hpa = true` turns on the HPA with its target as a fifth action. Same sim/ code.
//
// Determinism: copy i draws from a std::mt19937_64 seeded by splitmix64(seed, i) only, in a fixed
// order per episode; the simulations are seeded from it; copies touch only their own state and
// rows, so tbb::parallel_for's scheduling cannot change any number (tests/env checks 1 vs 2
// threads). save_state() is not offered (std::nullopt): a reload restarts episodes.
// Thread-safety: as VectorEnvironment; copies step in parallel inside step().
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "env/action_space.h"
#include "env/environment.h"
#include "env/features.h"
#include "env/reward.h"
#include "traces/app_spec.h"
#include "traces/trace.h"

namespace podsizer::env {

// Ranges the scenario of each episode is drawn from (uniform, or log-uniform where noted).
struct ScenarioRanges {
  double load_scale_min = 0.05, load_scale_max = 5.0;  // × the app's average rate; log-uniform
  double peak_ratio_min = 1.5, peak_ratio_max = 6.0;   // peak / average rate
  double bursts_per_day_min = 0.0, bursts_per_day_max = 4.0;
  double burst_factor_min = 1.2, burst_factor_max = 3.0;
  double noise_min = 0.03, noise_max = 0.2;
  double cpu_per_request_min = 0.3, cpu_per_request_max = 5.0;  // CPU-ms; log-uniform
  double cpu_base_min = 5.0, cpu_base_max = 200.0;              // millicores; log-uniform
  double memory_base_min = 64.0 * 1024 * 1024;                  // bytes; log-uniform
  double memory_base_max = 2.0 * 1024 * 1024 * 1024;
  double memory_per_rps_max = 2.0 * 1024 * 1024;  // bytes per request/s; uniform from 0
  double leak_probability = 0.2;                  // a memory leak of up to 5 % of base a day
  int replicas_min = 1, replicas_max = 6;
  std::vector<double> node_cores = {2, 4, 8, 16};           // allocatable cores, one drawn
  std::vector<double> node_gib_per_core = {2, 4, 8};        // allocatable memory per core
  double rate_known_probability = 0.5;
  double initial_spread = 1.0;  // ln: starting requests within e^±1 of the usage centre
  double trace_pool_probability = 0.5;  // with a pool: share of episodes replaying it
};

struct SimEnvironmentConfig {
  std::size_t num_envs = 16;
  traces::AppSpec app = traces::default_app_spec();  // SLO, prices, workload type, objective
  double decision_interval_s = 3600;
  double episode_s = 7 * 86400.0;
  double warmup_s = 6 * 3600.0;
  FeatureConfig features;
  ActionSpaceConfig actions;  // max CPU and memory are set per episode from the node size
  std::optional<RewardWeights> weights;  // default: reward_weights(app.objective)
  bool hpa = false;
  double scrape_interval_s = 60;
  double hpa_sync_s = 60;
  double change_tolerance = 0.05;
  ScenarioRanges scenario;
  std::vector<std::shared_ptr<const traces::Trace>> trace_pool;  // optional real traces
};

class SimEnvironment : public VectorEnvironment {
 public:
  // Throws std::invalid_argument for zero copies, non-positive intervals or an episode shorter
  // than one decision, or a pool trace without CPU or shorter than the warm-up plus one decision.
  explicit SimEnvironment(SimEnvironmentConfig config);
  ~SimEnvironment() override;

  std::size_t observation_size() const override { return kFeatureCount; }
  std::size_t action_size() const override { return action_size_; }
  std::size_t num_envs() const override { return config_.num_envs; }
  std::vector<std::string> observation_names() const override { return feature_names(); }
  const std::vector<std::string>& info_names() const override;

  const SimEnvironmentConfig& config() const { return config_; }
  // The action space with the largest node size of the scenario ranges as its upper clamp: the
  // mapping an exported policy carries.
  ActionSpace export_action_space() const;
  std::int64_t episode_steps() const;

 protected:
  void reset_impl(std::uint64_t seed, std::span<float> observations) override;
  void step_impl(std::span<const float> actions, StepResult& result) override;

 private:
  struct Copy;
  void start_episode(Copy& c, std::span<float> observation) const;
  void step_copy(std::size_t i, std::span<const float> action, StepResult& result) const;

  SimEnvironmentConfig config_;
  RewardWeights weights_;
  std::size_t action_size_;
  std::vector<std::unique_ptr<Copy>> copies_;
};

// Seeds of copy i under `seed`: splitmix64 of both, so nearby seeds give unrelated streams.
std::uint64_t copy_seed(std::uint64_t seed, std::uint64_t copy);

}  // namespace podsizer::env
