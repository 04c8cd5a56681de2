#include "env/sim_environment.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <stdexcept>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include "sim/simulation.h"
#include "sim/workload_model.h"
#include "traces/log.h"
#include "traces/quantity.h"
#include "traces/synthetic.h"

namespace podsizer::env {

namespace {

constexpr double kHour = 3600.0;
// A Unix time on the hour (2023-11-14 21:00 UTC); synthetic episodes start 0–167 hours later.
constexpr double kEpochOnTheHour = 1'699'995'600.0;

const std::vector<std::string> kInfoNames = {
    "cost",         "cost_term",        "slo_term",
    "oom_kills",    "evictions",        "changes",
    "cpu_request_over_ref", "memory_request_over_ref"};

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

// Draws built here from the engine's raw bits, not by <random>'s distributions, whose algorithms
// differ between standard libraries.
double uniform01(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }
double uniform(std::mt19937_64& rng, double lo, double hi) {
  return lo + (hi - lo) * uniform01(rng);
}
double log_uniform(std::mt19937_64& rng, double lo, double hi) {
  return std::exp(uniform(rng, std::log(lo), std::log(hi)));
}
int uniform_int(std::mt19937_64& rng, int lo, int hi) {  // inclusive
  return lo + static_cast<int>(uniform01(rng) * (hi - lo + 1) * (1 - 1e-12));
}
template <typename T>
const T& pick(std::mt19937_64& rng, const std::vector<T>& values) {
  return values[static_cast<std::size_t>(uniform01(rng) * values.size() * (1 - 1e-12))];
}

}  // namespace

std::uint64_t copy_seed(std::uint64_t seed, std::uint64_t copy) {
  return splitmix64(splitmix64(seed) ^ (copy + 1) * 0xD1B54A32D192ED03ULL);
}

// Everything one copy owns. Only the thread stepping this copy touches it.
struct SimEnvironment::Copy {
  std::mt19937_64 rng;
  std::unique_ptr<sim::Simulation> sim;
  std::shared_ptr<const sim::WorkloadModel> model;
  sim::WorkloadId workload = 0;
  FeatureExtractor features;
  std::optional<SimSeriesAdapter> adapter;
  std::optional<ActionSpace> actions;
  std::vector<MetricsPoint> points;
  std::vector<float> observation = std::vector<float>(kFeatureCount);
  std::vector<double> outputs;
  traces::ContainerResources current;
  double hpa_target = 0.8;
  double time_offset_s = 0;
  double end_s = 0;  // simulated time at which the episode is truncated
  std::size_t rows_read = 0;
  std::int64_t steps = 0;
  double episode_return = 0;

  explicit Copy(const FeatureConfig& config) : features(config) {}
};

SimEnvironment::SimEnvironment(SimEnvironmentConfig config) : config_(std::move(config)) {
  // Sizes and intervals the episode loop relies on.
  const auto& c = config_;
  if (c.num_envs == 0) throw std::invalid_argument("SimEnvironment: num_envs must be > 0");
  if (!(c.decision_interval_s > 0) || !(c.warmup_s >= 0) || !(c.scrape_interval_s > 0) ||
      !(c.hpa_sync_s > 0)) {
    throw std::invalid_argument("SimEnvironment: intervals must be positive");
  }
  if (!(c.episode_s >= c.decision_interval_s)) {
    throw std::invalid_argument("SimEnvironment: episode_s is shorter than one decision");
  }
  if (std::fmod(c.decision_interval_s, c.features.bin_s) != 0 ||
      std::fmod(c.warmup_s, c.features.bin_s) != 0) {
    throw std::invalid_argument(
        "SimEnvironment: decision_interval_s and warmup_s must be multiples of features.bin_s");
  }
  if (c.scenario.node_cores.empty() || c.scenario.node_gib_per_core.empty() ||
      c.scenario.replicas_min < 1 || c.scenario.replicas_max < c.scenario.replicas_min) {
    throw std::invalid_argument("SimEnvironment: empty node sizes or bad replica range");
  }
  for (const auto& t : c.trace_pool) {
    if (!t || t->empty() || !t->has_cpu()) {
      throw std::invalid_argument("SimEnvironment: a pool trace has no samples or no CPU");
    }
    if (t->span_s() < c.warmup_s + c.decision_interval_s) {
      throw std::invalid_argument("SimEnvironment: pool trace '" + t->meta.name +
                                  "' is shorter than the warm-up and one decision");
    }
  }

  weights_ = c.weights.value_or(reward_weights(c.app.objective));
  ActionSpaceConfig actions = c.actions;
  actions.hpa = c.hpa;
  action_size_ = ActionSpace(actions).action_size();
  for (std::size_t i = 0; i < c.num_envs; ++i) {
    copies_.push_back(std::make_unique<Copy>(c.features));
  }
}

SimEnvironment::~SimEnvironment() = default;

const std::vector<std::string>& SimEnvironment::info_names() const { return kInfoNames; }

ActionSpace SimEnvironment::export_action_space() const {
  ActionSpaceConfig a = config_.actions;
  a.hpa = config_.hpa;
  const auto& s = config_.scenario;
  const double cores = *std::max_element(s.node_cores.begin(), s.node_cores.end());
  const double gib = *std::max_element(s.node_gib_per_core.begin(), s.node_gib_per_core.end());
  a.max_cpu_millicores = cores * 1000.0;
  a.max_memory_bytes = cores * gib * traces::kGiB;
  return ActionSpace(a);
}

std::int64_t SimEnvironment::episode_steps() const {
  return static_cast<std::int64_t>(std::ceil(config_.episode_s / config_.decision_interval_s));
}

void SimEnvironment::reset_impl(std::uint64_t seed, std::span<float> observations) {
  const std::size_t obs = observation_size();
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, copies_.size(), 1),
                    [&](const tbb::blocked_range<std::size_t>& range) {
                      for (std::size_t i = range.begin(); i != range.end(); ++i) {
                        Copy& c = *copies_[i];
                        c.rng.seed(copy_seed(seed, i));
                        start_episode(c, observations.subspan(i * obs, obs));
                      }
                    });
}

void SimEnvironment::step_impl(std::span<const float> actions, StepResult& result) {
  const std::size_t k = action_size();
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, copies_.size(), 1),
                    [&](const tbb::blocked_range<std::size_t>& range) {
                      for (std::size_t i = range.begin(); i != range.end(); ++i) {
                        step_copy(i, actions.subspan(i * k, k), result);
                      }
                    });
}

void SimEnvironment::start_episode(Copy& c, std::span<float> observation) const {
  const SimEnvironmentConfig& cfg = config_;
  const ScenarioRanges& s = cfg.scenario;
  std::mt19937_64& rng = c.rng;
  const double bin = cfg.features.bin_s;
  const double length = cfg.warmup_s + cfg.episode_s + bin;

  // The cluster and the workload's shape: replicas, node size, what the policy may know.
  const int replicas = uniform_int(rng, s.replicas_min, s.replicas_max);
  const double cores = pick(rng, s.node_cores);
  const double gib_per_core = pick(rng, s.node_gib_per_core);
  const bool rate_known = uniform01(rng) < s.rate_known_probability;
  const bool from_pool = !cfg.trace_pool.empty() && uniform01(rng) < s.trace_pool_probability;

  // The trace: a window of a pool trace with its load scaled, or a fresh synthetic one.
  traces::AppSpec app = cfg.app;
  traces::Trace trace;
  if (from_pool) {
    const traces::Trace& source = *pick(rng, cfg.trace_pool);
    const double span = source.span_s();
    const double begin = source.time_s.front() + uniform01(rng) * std::max(0.0, span - length);
    trace = traces::slice(source, begin, begin + length);
    if (trace.size() < 2) trace = source;
    const double scale = log_uniform(rng, 0.5, 2.0);
    for (double& v : trace.cpu_millicores) v *= scale;
    for (double& v : trace.request_rate) v *= scale;
  } else {
    traces::SyntheticOptions o = traces::synthetic_options_for(app);
    o.seed = rng();
    o.duration_s = length;
    o.step_s = bin;
    o.start_time_s = kEpochOnTheHour + kHour * uniform_int(rng, 0, 167);
    o.replicas = replicas;
    o.avg_request_per_sec = app.avg_request_per_sec * log_uniform(rng, s.load_scale_min,
                                                                   s.load_scale_max);
    o.peak_request_per_sec =
        o.avg_request_per_sec * uniform(rng, s.peak_ratio_min, s.peak_ratio_max);
    o.peak_hour = uniform(rng, 0.0, 24.0);
    o.bursts_per_day = uniform(rng, s.bursts_per_day_min, s.bursts_per_day_max);
    o.burst_factor = uniform(rng, s.burst_factor_min, s.burst_factor_max);
    o.noise = uniform(rng, s.noise_min, s.noise_max);
    o.cpu_per_request_millicores = log_uniform(rng, s.cpu_per_request_min, s.cpu_per_request_max);
    o.cpu_base_millicores = log_uniform(rng, s.cpu_base_min, s.cpu_base_max);
    o.memory_base_bytes = log_uniform(rng, s.memory_base_min, s.memory_base_max);
    o.memory_per_rps_bytes = uniform(rng, 0.0, s.memory_per_rps_max);
    const bool leak = uniform01(rng) < s.leak_probability;
    o.leak_bytes_per_day = leak ? uniform(rng, 0.0, 0.05) * o.memory_base_bytes : 0.0;
    app.avg_request_per_sec = o.avg_request_per_sec;
    app.peak_request_per_sec = o.peak_request_per_sec;
    trace = traces::generate_synthetic(o);
  }
  c.time_offset_s = trace.time_s.front();
  auto model = std::make_shared<sim::WorkloadModel>(sim::calibrate_workload(trace, app));
  c.model = model;

  // Starting resources around the usage of the warm-up, off by up to e^±initial_spread.
  const auto warmup_samples = std::max<std::size_t>(
      1, std::min(model->size(), static_cast<std::size_t>(cfg.warmup_s / bin) + 1));
  std::vector<double> cpu(warmup_samples);
  double memory_peak = 0;
  for (std::size_t k = 0; k < warmup_samples; ++k) {
    cpu[k] = model->cpu_per_pod(k, replicas);
    memory_peak = std::max(memory_peak, model->memory_per_pod(k, replicas));
  }
  const double cpu_centre = std::max(traces::percentile(cpu, 0.9), 5.0);
  const double spread = s.initial_spread;
  traces::ContainerResources start;
  const double node_cpu = cores * 1000.0;
  const double node_memory = cores * gib_per_core * traces::kGiB;
  const double cpu_request = std::clamp(cpu_centre * std::exp(uniform(rng, -spread, spread)),
                                        cfg.actions.min_cpu_millicores, node_cpu);
  const double memory_request =
      std::clamp(std::max(memory_peak, 32 * traces::kMiB) * std::exp(uniform(rng, -0.2, spread)),
                 cfg.actions.min_memory_bytes, node_memory);
  start.requests.cpu_millicores = cpu_request;
  start.requests.memory_bytes = memory_request;
  if (uniform01(rng) < 0.5) start.limits.cpu_millicores = std::min(2 * cpu_request, node_cpu);
  start.limits.memory_bytes = std::min(memory_request * uniform(rng, 1.0, 2.0), node_memory);
  c.current = start;

  // The cluster: one group sized so the pods and a rollout's surge fit even at the largest
  // requests the action space allows (one pod per node).
  sim::ClusterSpec cluster;
  traces::NodeGroup group;
  group.cpu_millicores = node_cpu;
  group.memory_bytes = node_memory;
  group.count = static_cast<int>(std::ceil(1.25 * replicas)) + 1;
  group.price_per_hour = app.node_groups.empty() ? 0.0 : app.node_groups.front().price_per_hour;
  cluster.groups.push_back(group);

  sim::SimulationOptions options;
  options.seed = rng();
  options.results_interval_s = bin;
  options.metrics.scrape_interval_s = cfg.scrape_interval_s;
  options.metrics.rate_window_s = cfg.scrape_interval_s;
  options.metrics.visibility_delay_s = std::min(5.0, cfg.scrape_interval_s / 2);

  sim::WorkloadSpec spec = sim::workload_spec_from_app(app);
  spec.pod.main = start;
  spec.pod.sidecars.clear();
  spec.replicas = replicas;
  spec.hpa_enabled = cfg.hpa;
  spec.hpa.min_replicas = replicas;
  spec.hpa.max_replicas = std::max(replicas, 3 * replicas);
  spec.hpa.sync_period_s = cfg.hpa_sync_s;
  c.hpa_target = spec.hpa.target_utilization;

  c.sim = std::make_unique<sim::Simulation>(cluster, options);
  c.workload = c.sim->add_workload(spec, model);
  c.end_s = std::min(cfg.warmup_s + cfg.episode_s, model->end_s);

  ActionSpaceConfig actions = cfg.actions;
  actions.hpa = cfg.hpa;
  actions.max_cpu_millicores = node_cpu;
  actions.max_memory_bytes = node_memory;
  c.actions.emplace(actions);
  c.outputs.assign(c.actions->action_size(), 0.0);

  // Warm-up: run with the starting resources and fill the feature windows.
  c.features.clear();
  c.adapter.emplace(c.time_offset_s, spec.slo_ms, rate_known);
  c.rows_read = 0;
  c.steps = 0;
  c.episode_return = 0;
  c.sim->advance_to(std::min(cfg.warmup_s, c.end_s));
  c.points.clear();
  c.adapter->consume(c.sim->observed_series(c.workload), c.sim->intervals(c.workload), c.points);
  c.features.add(c.points);
  c.rows_read = c.sim->intervals(c.workload).size();
  c.features.extract(c.sim->now() + c.time_offset_s, c.current, c.observation);
  std::copy(c.observation.begin(), c.observation.end(), observation.begin());
}

void SimEnvironment::step_copy(std::size_t i, std::span<const float> action,
                               StepResult& result) const {
  Copy& c = *copies_[i];
  const std::size_t obs = kFeatureCount;
  const double cpu_ref = c.features.cpu_reference();
  const double memory_ref = c.features.memory_reference();

  // The decision, from the observation the policy saw; applied only when it changes something.
  c.actions->apply(c.observation, action, c.outputs);
  const traces::ContainerResources next = c.actions->resources(c.outputs);
  double changes = 0;
  if (differs(c.current, next, config_.change_tolerance)) {
    c.sim->set_resources(c.workload, next);
    c.current = next;
    changes = 1;
  }
  if (const auto target = c.actions->hpa_target(c.outputs)) {
    if (std::abs(*target - c.hpa_target) > 0.01) {
      c.sim->set_hpa_target(c.workload, *target);
      c.hpa_target = *target;
    }
  }

  // One decision interval of simulated time, scored from the rows it closed.
  const double next_s = std::min(c.sim->now() + config_.decision_interval_s, c.end_s);
  c.sim->advance_to(next_s);
  const auto& rows = c.sim->intervals(c.workload);
  const auto new_rows = std::span<const sim::IntervalRow>(rows).subspan(c.rows_read);
  StepOutcome outcome = outcome_from_rows(new_rows, cpu_ref, memory_ref,
                                          sim::CostSpec{}.cpu_core_hour,
                                          sim::CostSpec{}.memory_gib_hour);
  outcome.changes = changes;
  const double r = reward(outcome, weights_);
  const RewardTerms terms = reward_terms(outcome);

  // The next observation, as the metrics system shows the new interval.
  c.points.clear();
  c.adapter->consume(c.sim->observed_series(c.workload), rows, c.points);
  c.rows_read = rows.size();
  c.features.add(c.points);
  c.features.extract(c.sim->now() + c.time_offset_s, c.current, c.observation);

  // Results for row i only.
  ++c.steps;
  c.episode_return += r;
  result.rewards[i] = static_cast<float>(r);
  double* info = result.info_values.data() + i * kInfoNames.size();
  info[0] = outcome.cost;
  info[1] = terms.cost;
  info[2] = terms.slo;
  info[3] = outcome.oom_kills;
  info[4] = outcome.evictions;
  info[5] = changes;
  info[6] = c.current.requests.cpu_millicores.value_or(0) / cpu_ref;
  info[7] = c.current.requests.memory_bytes.value_or(0) / memory_ref;
  std::span<float> out(result.observations.data() + i * obs, obs);
  std::copy(c.observation.begin(), c.observation.end(), out.begin());

  // A time limit ends the episode; the next one starts at once (auto-reset).
  if (c.sim->now() >= c.end_s) {
    result.dones[i] = 1;
    result.truncated[i] = 1;
    result.episode_returns[i] = c.episode_return;
    result.episode_lengths[i] = c.steps;
    std::copy(c.observation.begin(), c.observation.end(),
              result.final_observations.begin() + static_cast<std::ptrdiff_t>(i * obs));
    start_episode(c, out);
  }
}

}  // namespace podsizer::env
