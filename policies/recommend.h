// Recommend: one recommendation for production from an app spec and its measured history.
//
// The path a recommendation takes:
//   1. The policy watches the whole history (every sample through Policy::observe, in time order)
//      and decides once, at the last sample, with the app's current resources in force.
//   2. The proposal is rounded and passed through the guardrails (policies/guardrails.h), which
//      always hold; every value a guardrail changed is reported.
//   3. Confidence, from two measurable things:
//        history factor  h = days / (days + 3)      three days of history count for one half;
//                                                    30 days give 0.91
//        stability       s = exp(-spread / 0.2)     spread: the larger coefficient of variation
//                                                    (standard deviation / mean) of the CPU and
//                                                    the memory request the policy proposes over
//                                                    `bootstrap_resamples` histories resampled by
//                                                    whole days (a block bootstrap: the days are
//                                                    drawn with replacement and laid end to end,
//                                                    each keeping its time of day, so daily cycles
//                                                    survive); a 20 % spread gives 1/e
//        confidence      c = h x s, in [0, 1]
//      The resampling is seeded (RecommendOptions::seed, one engine per resample) and its results
//      are gathered in resample order: the same inputs give the same number on any thread count.
//      The resamples and the two replays of step 4 run in parallel (oneTBB).
//   4. A counterfactual replay: the history is calibrated into a sim::WorkloadModel and replayed
//      twice through sim::Simulation with the same seed, once with the current settings and once
//      with the recommendation (and its HPA target when the policy gives one), and the reasons
//      are written from the two summaries: OOM kills, throttled time, latency at the SLO's
//      percentile against the SLO, replicas, cost per month (the replay's workload cost scaled
//      to 30 days), and what changed most (the largest symmetric relative change
//      |b - a| / max(|a|, |b|, floor) among them; the floors, one OOM kill, one throttled
//      pod-hour, 1 ms, 1 % of the time, half a replica, one currency unit a month, keep changes
//      too small to matter from ranking first).
//
// A history must hold memory usage and span at least one day (one daily cycle), or recommend()
// refuses it with an InputError naming the history file.
//
// Policies are named as make_policy() knows them ("vpa", "krr", "autopilot", "autopilot-ml",
// ...) or given as a TorchScript file "*.pt". A file is read by the policy loader that a library
// with LibTorch registers through register_policy_loader(); without one, loading a file fails
// with a clear error. The default policy is chosen in one place, default_policy().
//
// Re-entrant; the loader registry is safe to use from several threads.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "policies/guardrails.h"
#include "policies/policy.h"
#include "traces/app_spec.h"
#include "traces/readers.h"
#include "traces/trace.h"

namespace podsizer::policies {

// What a recommendation tells about the policy that made it: for a learned policy the card's
// name and version, for a baseline its name, podsizer's version and its parameters.
struct PolicyCard {
  std::string name;
  std::string version;
  std::string kind;    // "baseline" or "learned"
  std::string source;  // the file a learned policy came from; empty for a baseline
  std::map<std::string, std::string> parameters;
};

// A policy ready to use: a factory that builds fresh instances (the bootstrap needs several,
// built and used on several threads at once, so `make` must be safe to call concurrently and the
// instances must not share mutable state) and its card.
struct LoadedPolicy {
  std::function<std::unique_ptr<Policy>()> make;
  PolicyCard card;
};

// Reads a policy file (a TorchScript export with its policy card). Throws on a file it cannot
// read, naming the file.
using PolicyLoader = std::function<LoadedPolicy(const std::string& path)>;

// Installs the loader for "*.pt" files, replacing any earlier one. Returns true so that a library
// can register at static initialisation.
bool register_policy_loader(PolicyLoader loader);
bool has_policy_loader();

// A failure to produce a recommendation that is not the user's input: no loader linked in.
class RecommendError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Resolves `policy`: a file ending in ".pt" goes to the loader (InputError naming the file when
// it does not exist, RecommendError when no loader is registered); anything else to
// make_policy() (UnknownPolicyError listing the known names; std::invalid_argument for an
// unknown option).
LoadedPolicy load_policy(const std::string& policy, const PolicyOptions& options = {});

// The card of a baseline built by make_policy(name, options): its parameters with the defaults
// filled in, for the policies whose options are known here.
PolicyCard baseline_card(const std::string& name, const PolicyOptions& options);

// The default policy, decided here only. The shipped pre-trained policy when its file
// (kPretrainedPolicy, relative to a search folder) exists and a loader is registered;
// otherwise kFallbackPolicy, with `notice` saying why.
inline constexpr const char* kPretrainedPolicy = "policies/pretrained/podsizer-general.pt";
inline constexpr const char* kFallbackPolicy = "autopilot";

struct DefaultPolicy {
  std::string policy;
  std::string notice;  // empty when the pre-trained policy was found
};

DefaultPolicy default_policy(const std::vector<std::filesystem::path>& search_folders);

// Where the pre-trained policy is looked for: the source tree this library was compiled from
// (policies/.. of this file), and the installed share folder beside an executable at
// `executable` (<prefix>/bin/podsizer -> <prefix>/share/podsizer), when given.
std::vector<std::filesystem::path> default_policy_search_folders(
    const std::filesystem::path& executable = {});

struct RecommendOptions {
  std::string container;  // the container's name in the Deployment; empty: the app's name
  std::optional<double> max_change_percent;
  int bootstrap_resamples = 16;     // 0 skips the bootstrap (stability 1)
  double bootstrap_block_s = 86400;  // one day
  bool counterfactual = true;
  std::uint64_t seed = 1;  // of the bootstrap and of both replays
};

// One replay's numbers, as the reasons quote them.
struct ReplayNumbers {
  traces::ContainerResources resources;
  std::optional<double> hpa_target_utilization;
  double oom_kills = 0;
  double restarts = 0;
  double throttled_hours = 0;  // pod-hours in throttled CFS periods
  double slo_latency_ms = 0;   // mean latency at the SLO's percentile
  double slo_violation_percent = 0;
  double error_rate = 0;
  double mean_replicas = 0;
  double max_replicas = 0;
  double cost_per_month = 0;  // workload cost scaled to 30 days
};

struct Counterfactual {
  double days = 0;
  ReplayNumbers current;
  ReplayNumbers recommended;
  std::string most_changed;  // "cost per month", "OOM kills", ...
  double most_changed_relative = 0;  // signed (b - a) / max(|a|, |b|)
};

struct Confidence {
  double value = 0;
  double history_days = 0;
  double history_factor = 0;
  std::optional<double> cpu_request_spread;     // coefficient of variation over resamples
  std::optional<double> memory_request_spread;
  double stability = 1;
  int resamples = 0;
  std::string explanation;  // one line
};

struct Recommendation {
  std::string app_name;
  std::string container;
  PolicyCard policy;
  std::size_t history_samples = 0;
  double history_days = 0;
  traces::ContainerResources current;
  traces::ContainerResources proposed;   // what the policy said, before rounding and guardrails
  traces::ContainerResources resources;  // the recommendation
  std::optional<double> hpa_target_utilization;  // a fraction; only when the HPA is enabled
  std::optional<double> current_hpa_target_utilization;  // the app spec's, when enabled
  double observed_peak_memory_bytes = 0;
  double observed_p95_cpu_millicores = 0;
  double memory_floor_bytes = 0;
  std::optional<double> max_change_percent;
  NodeRoom node_room;
  std::vector<GuardrailOverride> overrides;
  Confidence confidence;
  std::optional<Counterfactual> counterfactual;
  double slo_ms = 0;
  double slo_percentile = 0.95;
  std::vector<std::string> reasons;  // plain sentences
};

// The recommendation for `app` from `history` with `policy` (see the file comment). Throws
// traces::InputError for a history without samples, without memory, or shorter than one day.
Recommendation recommend(const traces::AppSpec& app, const traces::Trace& history,
                         const traces::LoadTest* load_test, const LoadedPolicy& policy,
                         const RecommendOptions& options = {});

// The policy's decision at the end of `history`, fed sample by sample. Exposed for tests.
Decision decide_on_history(Policy& policy, const traces::AppSpec& app,
                           const traces::Trace& history);

// The replay's numbers for `resources`; the same calibration and seed as recommend() uses.
// Exposed so that tests can compare with a direct simulation.
ReplayNumbers replay(const traces::AppSpec& app, const traces::Trace& history,
                     const traces::LoadTest* load_test, const traces::ContainerResources& resources,
                     std::optional<double> hpa_target_utilization, std::uint64_t seed);

// The confidence's formula on its measured inputs (see the file comment).
double confidence_value(double history_days, double spread);

}  // namespace podsizer::policies
