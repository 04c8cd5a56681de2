// Scenario: one "what if" over an application's load and cluster, read from YAML.
//
// A scenario names a base (what is measured or assumed today) and changes to it. Applying it
// gives what a replay needs: the AppSpec, the Trace and the simulator's cluster and options. The
// format is documented with examples in scenarios/README.md; in brief (every key optional
// except `name`):
//
//   name: traffic-x2                 a short name: letters, digits, '-', '_', '.'
//   description: text
//   base:                            absent: the embedded default app on synthetic load
//     app: my-service.yaml           app spec; absent: traces::default_app_spec()
//     history: history.csv           a history CSV to replay, or
//     store: traces.h5 + trace: NAME a trace of an HDF5 store; neither: synthetic load
//   duration: 14d                    replay length ("90m", "12h", "14d", or seconds)
//   seed: 1                          the scenario's seed; every run's seed derives from it
//   seeds: 3                         runs per policy, each with its own derived seed
//   decision_interval: 1h            how often a policy decides
//   changes:
//     load_scale: 2                  every request rate x 2
//     weekend_scale: 0.4             Saturday and Sunday (UTC) load x 0.4
//     spikes: [{start: 3d, duration: 2h, factor: 5}]   load x 5 over [start, start + duration)
//     traffic: {file: rates.txt, format: requests | history, keep_level: false}
//     memory_leak_per_day: 64Mi      per-pod memory grows by this much a day
//     nodes: {cpu_per_node, memory_per_node, count, price_per_hour}
//     hpa: {enabled, min_replicas, max_replicas, cpu_target_utilization_percentage}
//     slo: {response_time_ms, percentile}
//     cluster_autoscaler: true | false | {enabled, max_nodes}
//
// Load changes act on the trace as a factor f(t) >= 0 on the workload's request rate. The usage
// columns are per pod, measured over `replicas` pods; the rate and the replica count are both
// multiplied by f, so each measured pod keeps its load and its usage, and the simulator's fitted
// per-pod model (sim/workload_model.h) splits the changed total over the pods it runs. Where f
// would bring the replica count under one pod, the count is held at one and the per-pod CPU is
// scaled instead, so the total CPU still changes by f. Spikes act time-weighted: a sample
// [t, t + step) that a spike covers for a fraction c of its length gets 1 + (factor - 1) c.
// Factors of overlapping changes multiply.
//
// Seeds: the run with index i (0-based) uses seed derive_run_seed(seed, i), a SplitMix64 mix of
// the scenario's seed and i; the synthetic base load and the simulator are both seeded by it.
// The policy never enters a seed, so every policy of a scenario meets the same load.
//
// Errors: any problem of a scenario file (YAML syntax, wrong type, unknown key, negative factor,
// a spike outside the duration, a base file that does not exist) throws traces::InputError
// naming the scenario file, the 1-based line and the dotted field (e.g. `changes.spikes[1]
// .start`). Paths inside a scenario are relative to the scenario file's folder.
//
// Plain values and functions; safe to call from several threads on different scenarios.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/simulation.h"
#include "traces/app_spec.h"
#include "traces/trace.h"

namespace podsizer::scenarios {

// Load multiplied by `factor` over [start_s, start_s + duration_s) from the trace's start.
struct Spike {
  double start_s = 0;
  double duration_s = 0;
  double factor = 1;
  std::size_t line = 0;  // where it was written, for errors found when applying
};

enum class TrafficFormat { kRequests, kHistory };

// Another traffic shape: the request rate of another file replaces the base's, on the base's
// time grid (the file repeats when it is shorter). Unless `keep_level`, it is rescaled to the
// base's mean rate so only the shape changes.
struct TrafficShape {
  std::string path;  // resolved against the scenario's folder
  TrafficFormat format = TrafficFormat::kRequests;
  bool keep_level = false;
  std::size_t line = 0;
};

// Replaces the cluster's node groups with one group; unset fields keep the first group's.
struct NodeChange {
  std::optional<double> cpu_millicores;
  std::optional<double> memory_bytes;
  std::optional<int> count;
  std::optional<double> price_per_hour;
  std::size_t line = 0;
};

struct HpaChange {
  std::optional<bool> enabled;
  std::optional<int> min_replicas;
  std::optional<int> max_replicas;
  std::optional<double> target_utilization;  // a fraction
  std::size_t line = 0;
};

struct SloChange {
  std::optional<double> response_time_ms;
  std::optional<double> percentile;  // 0.95 or 0.99
};

struct AutoscalerChange {
  bool enabled = false;
  int max_nodes = 20;  // when enabled and not given
};

enum class BaseKind { kSynthetic, kHistory, kStore };

struct ScenarioBase {
  BaseKind kind = BaseKind::kSynthetic;
  std::string app_path;  // empty: the embedded default app spec
  std::string history_path;
  std::string store_path;
  std::string trace_name;
};

struct Scenario {
  std::string name;
  std::string description;
  std::string file;  // the scenario file, for messages
  ScenarioBase base;
  std::optional<double> duration_s;  // unset: the base's whole span (14 days when synthetic)
  std::size_t duration_line = 0;
  std::uint64_t seed = 1;
  int seeds = 1;
  double decision_interval_s = 3600;

  double load_scale = 1;
  double weekend_scale = 1;
  std::vector<Spike> spikes;
  std::optional<TrafficShape> traffic;
  double memory_leak_bytes_per_day = 0;
  std::size_t memory_leak_line = 0;
  std::optional<NodeChange> nodes;
  std::optional<HpaChange> hpa;
  std::optional<SloChange> slo;
  std::optional<AutoscalerChange> cluster_autoscaler;
};

// What a replay of one run needs.
struct AppliedScenario {
  std::string name;
  traces::AppSpec app;
  traces::Trace trace;
  sim::ClusterSpec cluster;
  sim::SimulationOptions options;  // seeded with the run's seed
  std::uint64_t seed = 0;          // the run's seed
  double decision_interval_s = 3600;
};

// Reads and checks a scenario file; InputError naming file, line and field on any problem.
Scenario load_scenario(const std::string& path);

// The same from text; relative paths resolve against `base_folder`.
Scenario parse_scenario(std::string_view yaml_text, const std::string& file_name,
                        const std::string& base_folder);

// The base with the changes for run `seed_index` (0-based). Reads the base's files; throws
// InputError naming the scenario file when they or the changes do not fit (a spike beyond the
// trace, a duration longer than a measured history, a pod larger than the changed nodes).
AppliedScenario apply_scenario(const Scenario& scenario, int seed_index = 0);

// The seed of run `index` of a scenario seeded `scenario_seed` (SplitMix64 of both).
std::uint64_t derive_run_seed(std::uint64_t scenario_seed, int index);

// The load changes on their own, exposed for tests. `factors` has one entry per sample.
std::vector<double> spike_factors(const traces::Trace& trace, const std::vector<Spike>& spikes);
std::vector<double> weekend_factors(const traces::Trace& trace, double weekend_scale);
void scale_load(traces::Trace& trace, const std::vector<double>& factors);
void add_memory_leak(traces::Trace& trace, double bytes_per_day);

}  // namespace podsizer::scenarios
