#include "policies/recommend.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <mutex>
#include <random>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_group.h>

#include "policies/autopilot.h"
#include "policies/autopilot_ml.h"
#include "policies/krr.h"
#include "policies/vpa.h"
#include "sim/simulation.h"
#include "sim/workload_model.h"
#include "traces/errors.h"
#include "traces/log.h"
#include "traces/quantity.h"

namespace podsizer::policies {
namespace {

constexpr double kDay = 86400.0;
constexpr double kMonth = 30.0 * kDay;
constexpr double kHistoryHalfDays = 3.0;  // days of history that give a history factor of 0.5
constexpr double kSpreadScale = 0.2;      // a spread of 20 % gives a stability of 1/e

std::mutex& loader_mutex() {
  static std::mutex mutex;
  return mutex;
}

PolicyLoader& loader_slot() {
  static PolicyLoader loader;
  return loader;
}

// A number as a card shows it: the shortest form that reads back the same to six digits.
std::string number_text(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.6g", value);
  return buffer;
}

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string percent_change(double from, double to) {
  if (from == 0.0) return to == 0.0 ? "no change" : "new";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%+.0f %%", 100.0 * (to - from) / from);
  return buffer;
}

std::string quantity_text(const std::optional<double>& value, bool cpu) {
  if (!value) return "unset";
  return cpu ? traces::format_cpu(*value) : traces::format_memory(*value);
}

// Signed (b - a) / max(|a|, |b|, floor): in [-1, 1] and defined when a is zero (0 -> 12 OOM
// kills is +1, the most there is). The floor keeps changes too small to matter from looking
// large: 0.00 % -> 0.04 % of SLO violation time is not a +100 % change.
double symmetric_change(double a, double b, double floor) {
  const double scale = std::max({std::abs(a), std::abs(b), floor});
  return scale > 0.0 ? (b - a) / scale : 0.0;
}

std::string format_line(const char* format, auto... args) {
  char buffer[512];
  std::snprintf(buffer, sizeof buffer, format, args...);
  return buffer;
}

}  // namespace

bool register_policy_loader(PolicyLoader loader) {
  std::lock_guard lock(loader_mutex());
  loader_slot() = std::move(loader);
  return true;
}

bool has_policy_loader() {
  std::lock_guard lock(loader_mutex());
  return static_cast<bool>(loader_slot());
}

PolicyCard baseline_card(const std::string& name, const PolicyOptions& options) {
  // Podsizer's own version stands for a baseline's: the code is the version.
  PolicyCard card;
  card.name = name;
  card.version = PODSIZER_VERSION;
  card.kind = "baseline";

  // Parameters in the units their option names use, defaults filled in.
  auto& p = card.parameters;
  if (name == "vpa") {
    const VpaOptions o = VpaOptions::from(options);
    p["cpu_half_life_h"] = number_text(o.cpu_half_life_s / 3600);
    p["memory_half_life_h"] = number_text(o.memory_half_life_s / 3600);
    p["target_percentile"] = number_text(o.target_percentile);
    p["lower_percentile"] = number_text(o.lower_percentile);
    p["upper_percentile"] = number_text(o.upper_percentile);
    p["safety_margin"] = number_text(o.safety_margin);
    p["min_cpu_millicores"] = number_text(o.min_cpu_millicores);
    p["min_memory_mib"] = number_text(o.min_memory_bytes / traces::kMiB);
    p["memory_interval_h"] = number_text(o.memory_interval_s / 3600);
    p["memory_intervals"] = number_text(o.memory_intervals);
  } else if (name == "krr") {
    const KrrOptions o = KrrOptions::from(options);
    p["history_h"] = number_text(o.history_s / 3600);
    p["min_history_h"] = number_text(o.min_history_s / 3600);
    p["points_required"] = number_text(o.points_required);
    p["cpu_percentile"] = number_text(o.cpu_percentile);
    p["memory_buffer"] = number_text(o.memory_buffer);
    p["min_cpu_millicores"] = number_text(o.min_cpu_millicores);
    p["min_memory_mib"] = number_text(o.min_memory_bytes / traces::kMiB);
  } else if (name == "autopilot") {
    const AutopilotOptions o = AutopilotOptions::from(options);
    p["cpu_half_life_h"] = number_text(o.cpu_half_life_s / 3600);
    p["cpu_percentile"] = number_text(o.cpu_percentile);
    p["cpu_margin"] = number_text(o.cpu_margin);
    p["memory_window_h"] = number_text(o.memory_window_s / 3600);
    p["memory_margin"] = number_text(o.memory_margin);
    p["stabilization_h"] = number_text(o.stabilization_s / 3600);
  } else if (name == "autopilot-ml") {
    const AutopilotMlOptions o = AutopilotMlOptions::from(options);
    p["cpu_overrun_weight"] = number_text(o.cpu_overrun_weight);
    p["memory_overrun_weight"] = number_text(o.memory_overrun_weight);
    p["underrun_weight"] = number_text(o.underrun_weight);
    p["change_weight"] = number_text(o.change_weight);
    p["switch_weight"] = number_text(o.switch_weight);
    p["ensemble_half_life_h"] = number_text(o.ensemble_half_life_s / 3600);
  } else {
    for (const auto& [key, value] : options) p[key] = number_text(value);
  }
  return card;
}

LoadedPolicy load_policy(const std::string& policy, const PolicyOptions& options) {
  // A TorchScript file: check it exists before asking a loader, so a typo reads as one.
  if (ends_with(policy, ".pt")) {
    std::error_code error;
    if (!std::filesystem::is_regular_file(policy, error)) {
      throw traces::InputError(policy, 0, "--policy", "policy file not found");
    }
    PolicyLoader loader;
    {
      std::lock_guard lock(loader_mutex());
      loader = loader_slot();
    }
    if (!loader) {
      throw RecommendError("cannot load '" + policy +
                           "': this build has no loader for learned policies (.pt); use a "
                           "baseline (vpa, krr, autopilot, autopilot-ml)");
    }
    return loader(policy);
  }

  // A name: build one instance now so that an unknown name or option fails at once.
  make_policy(policy, options);
  LoadedPolicy loaded;
  loaded.make = [policy, options] { return make_policy(policy, options); };
  loaded.card = baseline_card(policy, options);
  return loaded;
}

DefaultPolicy default_policy(const std::vector<std::filesystem::path>& search_folders) {
  // The pre-trained file wins when it is there and something can read it.
  for (const auto& folder : search_folders) {
    const std::filesystem::path candidate = folder / kPretrainedPolicy;
    std::error_code error;
    if (!std::filesystem::is_regular_file(candidate, error)) continue;
    if (has_policy_loader()) return {candidate.string(), ""};
    return {kFallbackPolicy, "the pre-trained policy " + candidate.string() +
                                 " exists but this build has no loader for it; using '" +
                                 kFallbackPolicy + "'"};
  }
  return {kFallbackPolicy, std::string("no pre-trained policy (") + kPretrainedPolicy +
                               ") found; using '" + kFallbackPolicy + "'"};
}

std::vector<std::filesystem::path> default_policy_search_folders(
    const std::filesystem::path& executable) {
  // This file is policies/recommend.cpp in the source tree it was compiled from.
  std::vector<std::filesystem::path> folders;
  folders.push_back(std::filesystem::path(__FILE__).parent_path().parent_path());
  if (!executable.empty()) {
    folders.push_back(executable.parent_path().parent_path() / "share" / "podsizer");
  }
  return folders;
}

Decision decide_on_history(Policy& policy, const traces::AppSpec& app,
                           const traces::Trace& history) {
  // Every sample in time order, as a metrics system would have shown it.
  policy.reset();
  Sample sample;
  for (std::size_t i = 0; i < history.size(); ++i) {
    sample.time_s = history.time_s[i];
    if (history.has_cpu()) sample.cpu_millicores = history.cpu_millicores[i];
    if (history.has_memory()) sample.memory_bytes = history.memory_bytes[i];
    if (history.has_request_rate()) sample.request_rate = history.request_rate[i];
    sample.replicas = history.has_replicas() ? history.replicas[i] : 1.0;
    policy.observe(sample);
  }
  DecisionContext ctx;
  ctx.now_s = history.time_s.back();
  ctx.current = app.current;
  ctx.app = &app;
  return policy.decide(ctx);
}

double confidence_value(double history_days, double spread) {
  const double h = history_days > 0.0 ? history_days / (history_days + kHistoryHalfDays) : 0.0;
  const double s = std::exp(-std::max(0.0, spread) / kSpreadScale);
  return std::clamp(h * s, 0.0, 1.0);
}

namespace {

// Proposals of the policy over day-resampled histories (see the header), one row per resample.
struct BootstrapDraws {
  std::vector<double> cpu_requests;
  std::vector<double> memory_requests;
};

BootstrapDraws bootstrap(const LoadedPolicy& loaded, const traces::AppSpec& app,
                         const traces::Trace& history, const RecommendOptions& options) {
  // Blocks: sample index ranges of whole days counted from the first sample.
  const double t0 = history.time_s.front();
  std::vector<std::size_t> starts;
  for (std::size_t i = 0; i < history.size(); ++i) {
    const auto block = static_cast<std::size_t>((history.time_s[i] - t0) /
                                                options.bootstrap_block_s);
    while (starts.size() <= block) starts.push_back(i);
  }
  starts.push_back(history.size());
  const std::size_t blocks = starts.size() - 1;

  // Each resample draws `blocks` days with replacement and lays them end to end, each keeping
  // its offset inside its day. Resample b has its own engine seeded from (seed, b), and the
  // engine's raw output is used rather than a distribution, so the draws are the same on every
  // standard library and whatever the threads' order. Resamples run in parallel, one policy
  // instance per chunk.
  const auto count = static_cast<std::size_t>(options.bootstrap_resamples);
  std::vector<std::optional<double>> cpu(count), memory(count);
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, count), [&](const auto& range) {
    std::unique_ptr<Policy> policy = loaded.make();
    DecisionContext ctx;
    ctx.current = app.current;
    ctx.app = &app;
    Sample sample;
    for (std::size_t b = range.begin(); b != range.end(); ++b) {
      std::mt19937_64 rng(options.seed * 0x9E3779B97F4A7C15ULL + b + 1);
      policy->reset();
      for (std::size_t d = 0; d < blocks; ++d) {
        const std::size_t k = static_cast<std::size_t>(rng() % blocks);
        const double shift = (static_cast<double>(d) - static_cast<double>(k)) *
                             options.bootstrap_block_s;
        for (std::size_t i = starts[k]; i < starts[k + 1]; ++i) {
          sample.time_s = history.time_s[i] + shift;
          if (history.has_cpu()) sample.cpu_millicores = history.cpu_millicores[i];
          if (history.has_memory()) sample.memory_bytes = history.memory_bytes[i];
          if (history.has_request_rate()) sample.request_rate = history.request_rate[i];
          sample.replicas = history.has_replicas() ? history.replicas[i] : 1.0;
          policy->observe(sample);
          ctx.now_s = sample.time_s;
        }
      }
      const Decision decision = policy->decide(ctx);
      cpu[b] = decision.resources.requests.cpu_millicores;
      memory[b] = decision.resources.requests.memory_bytes;
    }
  });

  // In resample order, so the spread does not depend on the threads.
  BootstrapDraws draws;
  for (std::size_t b = 0; b < count; ++b) {
    if (cpu[b]) draws.cpu_requests.push_back(*cpu[b]);
    if (memory[b]) draws.memory_requests.push_back(*memory[b]);
  }
  return draws;
}

// Coefficient of variation (sample standard deviation over mean); nullopt for fewer than two
// values or a zero mean.
std::optional<double> spread_of(const std::vector<double>& values) {
  if (values.size() < 2) return std::nullopt;
  double mean = 0.0;
  for (double v : values) mean += v;
  mean /= static_cast<double>(values.size());
  if (mean <= 0.0) return std::nullopt;
  double squares = 0.0;
  for (double v : values) squares += (v - mean) * (v - mean);
  return std::sqrt(squares / static_cast<double>(values.size() - 1)) / mean;
}

Confidence measure_confidence(const LoadedPolicy& policy, const traces::AppSpec& app,
                              const traces::Trace& history, double days,
                              const RecommendOptions& options) {
  Confidence c;
  c.history_days = days;
  c.history_factor = days / (days + kHistoryHalfDays);
  c.resamples = std::max(0, options.bootstrap_resamples);
  if (c.resamples > 0) {
    const BootstrapDraws draws = bootstrap(policy, app, history, options);
    c.cpu_request_spread = spread_of(draws.cpu_requests);
    c.memory_request_spread = spread_of(draws.memory_requests);
  }
  const double spread = std::max(c.cpu_request_spread.value_or(0.0),
                                 c.memory_request_spread.value_or(0.0));
  c.stability = std::exp(-spread / kSpreadScale);
  c.value = confidence_value(days, spread);

  // One line a user can check: both factors and what they came from.
  auto spread_text = [](const std::optional<double>& s) {
    return s ? format_line("%.1f %%", 100.0 * *s) : std::string("n/a");
  };
  c.explanation = format_line(
      "%.2f = history %.2f (%.1f days; 3 days count for half) x stability %.2f (the CPU request "
      "varies by %s and the memory request by %s over %d histories resampled by day)",
      c.value, c.history_factor, days, c.stability, spread_text(c.cpu_request_spread).c_str(),
      spread_text(c.memory_request_spread).c_str(), c.resamples);
  return c;
}

ReplayNumbers replay_model(const traces::AppSpec& app,
                           const std::shared_ptr<const sim::WorkloadModel>& model,
                           const traces::ContainerResources& resources,
                           std::optional<double> hpa_target, std::uint64_t seed) {
  // The app's cluster and workload with only the resources (and the HPA target) changed.
  sim::SimulationOptions options;
  options.seed = seed;
  options.record_intervals = false;
  sim::Simulation simulation(sim::cluster_spec_from_app(app), options);
  sim::WorkloadSpec workload = sim::workload_spec_from_app(app);
  workload.pod.main = resources;
  if (hpa_target && workload.hpa_enabled) workload.hpa.target_utilization = *hpa_target;
  const sim::WorkloadId id = simulation.add_workload(workload, model);
  simulation.run();

  // The summary in the units the reasons use.
  const sim::WorkloadSummary s = simulation.summary(id);
  ReplayNumbers n;
  n.resources = resources;
  n.hpa_target_utilization = workload.hpa_enabled ? std::optional(workload.hpa.target_utilization)
                                                  : std::nullopt;
  n.oom_kills = s.oom_kills;
  n.restarts = s.restarts;
  n.throttled_hours = s.throttled_seconds / 3600.0;
  n.slo_latency_ms = app.slo_percentile >= 0.99 ? s.p99_latency_ms : s.p95_latency_ms;
  n.slo_violation_percent = s.duration_s > 0 ? 100.0 * s.slo_violation_seconds / s.duration_s : 0;
  n.error_rate = s.error_rate;
  n.mean_replicas = s.mean_replicas;
  n.max_replicas = s.max_replicas;
  n.cost_per_month = s.duration_s > 0 ? s.cost / s.duration_s * kMonth : 0.0;
  return n;
}

std::shared_ptr<const sim::WorkloadModel> calibrate(const traces::AppSpec& app,
                                                    const traces::Trace& history,
                                                    const traces::LoadTest* load_test) {
  return std::make_shared<const sim::WorkloadModel>(
      sim::calibrate_workload(history, app, load_test));
}

// The metric that moved most between the two replays.
void find_most_changed(Counterfactual& c) {
  const ReplayNumbers& a = c.current;
  const ReplayNumbers& b = c.recommended;
  // Floors: one OOM kill, one pod-hour throttled, 1 ms, 1 % of the time, half a replica, one
  // currency unit a month.
  const std::pair<const char*, double> changes[] = {
      {"OOM kills", symmetric_change(a.oom_kills, b.oom_kills, 1.0)},
      {"throttled time", symmetric_change(a.throttled_hours, b.throttled_hours, 1.0)},
      {"latency at the SLO percentile", symmetric_change(a.slo_latency_ms, b.slo_latency_ms, 1.0)},
      {"SLO violation time",
       symmetric_change(a.slo_violation_percent, b.slo_violation_percent, 1.0)},
      {"mean replicas", symmetric_change(a.mean_replicas, b.mean_replicas, 0.5)},
      {"cost per month", symmetric_change(a.cost_per_month, b.cost_per_month, 1.0)},
  };
  for (const auto& [name, change] : changes) {
    if (std::abs(change) > std::abs(c.most_changed_relative) || c.most_changed.empty()) {
      c.most_changed = name;
      c.most_changed_relative = change;
    }
  }
}

void add_resource_reasons(Recommendation& r) {
  // One line per value that changed, with what the history showed beside the memory.
  const char* names[4] = {"CPU request", "memory request", "CPU limit", "memory limit"};
  const std::optional<double>* now[4] = {
      &r.current.requests.cpu_millicores, &r.current.requests.memory_bytes,
      &r.current.limits.cpu_millicores, &r.current.limits.memory_bytes};
  const std::optional<double>* next[4] = {
      &r.resources.requests.cpu_millicores, &r.resources.requests.memory_bytes,
      &r.resources.limits.cpu_millicores, &r.resources.limits.memory_bytes};
  for (int i = 0; i < 4; ++i) {
    const bool cpu = i % 2 == 0;
    if (*now[i] == *next[i]) continue;
    std::string line = std::string(names[i]) + " " + quantity_text(*now[i], cpu) + " -> " +
                       quantity_text(*next[i], cpu);
    if (*now[i] && *next[i]) line += " (" + percent_change(**now[i], **next[i]) + ")";
    if (i == 0) {
      line += "; the history's 95th percentile of CPU is " +
              traces::format_cpu(r.observed_p95_cpu_millicores) + " per pod";
    } else if (i == 1) {
      line += "; the history peaked at " + traces::format_memory(
                                               round_memory_bytes(r.observed_peak_memory_bytes)) +
              " per pod, safety floor " +
              traces::format_memory(round_memory_bytes(r.memory_floor_bytes));
    }
    r.reasons.push_back(line + ".");
  }
  if (r.hpa_target_utilization) {
    r.reasons.push_back(format_line("HPA target CPU utilization %.0f %% (now %.0f %%).",
                                    100.0 * *r.hpa_target_utilization,
                                    100.0 * r.current_hpa_target_utilization.value_or(0.0)));
  }
  for (const GuardrailOverride& o : r.overrides) {
    const bool cpu = o.field.find("cpu") != std::string::npos;
    r.reasons.push_back("Guardrail " + o.guardrail + " set " + o.field + " from " +
                        quantity_text(o.from, cpu) + " to " + quantity_text(o.to, cpu) + ": " +
                        o.reason + ".");
  }
}

void add_replay_reasons(Recommendation& r) {
  const Counterfactual& c = *r.counterfactual;
  const ReplayNumbers& a = c.current;
  const ReplayNumbers& b = c.recommended;
  const int p = static_cast<int>(std::lround(100.0 * r.slo_percentile));
  r.reasons.push_back(format_line(
      "Replaying the %.1f days of history: OOM kills %.0f -> %.0f; throttled time %.1f -> "
      "%.1f pod-hours.",
      c.days, a.oom_kills, b.oom_kills, a.throttled_hours, b.throttled_hours));
  r.reasons.push_back(format_line(
      "p%d latency %.1f -> %.1f ms against the SLO of %.0f ms (violated %.2f %% -> %.2f %% of "
      "the time).",
      p, a.slo_latency_ms, b.slo_latency_ms, r.slo_ms, a.slo_violation_percent,
      b.slo_violation_percent));
  r.reasons.push_back(format_line("Replicas: mean %.2f -> %.2f, max %.0f -> %.0f.",
                                  a.mean_replicas, b.mean_replicas, a.max_replicas,
                                  b.max_replicas));
  r.reasons.push_back(format_line("Cost %.2f -> %.2f per month (%s).", a.cost_per_month,
                                  b.cost_per_month,
                                  percent_change(a.cost_per_month, b.cost_per_month).c_str()));
  r.reasons.push_back(format_line("What changed most: %s (%+.0f %% of the larger of the two).",
                                  c.most_changed.c_str(), 100.0 * c.most_changed_relative));
}

}  // namespace

ReplayNumbers replay(const traces::AppSpec& app, const traces::Trace& history,
                     const traces::LoadTest* load_test,
                     const traces::ContainerResources& resources,
                     std::optional<double> hpa_target_utilization, std::uint64_t seed) {
  return replay_model(app, calibrate(app, history, load_test), resources, hpa_target_utilization,
                      seed);
}

Recommendation recommend(const traces::AppSpec& app, const traces::Trace& history,
                         const traces::LoadTest* load_test, const LoadedPolicy& policy,
                         const RecommendOptions& options) {
  auto log = traces::named_logger("policies");
  const auto started = std::chrono::steady_clock::now();
  // Errors name the file: the history CSV reader's source is "csv:<file>".
  std::string file = history.meta.source.empty() ? "history" : history.meta.source;
  if (file.rfind("csv:", 0) == 0) file = file.substr(4);

  // The history must show memory and a whole daily cycle.
  if (history.empty()) throw traces::InputError(file, 0, "", "the history has no samples");
  if (!history.has_memory()) {
    throw traces::InputError(file, 0, "memory_usage_megabytes",
                             "the history has no memory usage; the memory floor needs it");
  }
  const double covered_s = history.span_s() + history.meta.interval_s;
  if (covered_s < kDay - 1.0) {
    throw traces::InputError(
        file, 0, "timestamp",
        format_line("the history covers %.1f h; a recommendation needs at least 24 h (one daily "
                    "cycle)",
                    covered_s / 3600.0));
  }

  // What the history showed.
  Recommendation r;
  r.app_name = app.app_name;
  r.container = options.container.empty() ? app.app_name : options.container;
  r.policy = policy.card;
  r.history_samples = history.size();
  r.history_days = covered_s / kDay;
  r.current = app.current;
  r.slo_ms = app.response_time_slo_ms;
  r.slo_percentile = app.slo_percentile;
  r.observed_peak_memory_bytes =
      *std::max_element(history.memory_bytes.begin(), history.memory_bytes.end());
  if (history.has_cpu()) r.observed_p95_cpu_millicores = traces::percentile(
                             history.cpu_millicores, 0.95);

  // The policy's proposal at the end of the history.
  std::unique_ptr<Policy> instance = policy.make();
  const Decision decision = decide_on_history(*instance, app, history);
  r.proposed = decision.resources;
  if (app.hpa.enabled) {
    r.hpa_target_utilization = decision.hpa_target_utilization;
    r.current_hpa_target_utilization = app.hpa.cpu_target_utilization;
  }

  // Rounding and guardrails.
  const GuardrailInputs inputs =
      guardrail_inputs(app, r.observed_peak_memory_bytes, options.max_change_percent);
  GuardedResources guarded = apply_guardrails(r.proposed, inputs);
  r.resources = guarded.resources;
  r.overrides = std::move(guarded.overrides);
  r.node_room = guarded.room;
  r.memory_floor_bytes = inputs.memory_floor_bytes;
  r.max_change_percent = options.max_change_percent;
  for (const GuardrailOverride& o : r.overrides) {
    log->info("guardrail {} changed {}: {}", o.guardrail, o.field, o.reason);
  }

  // The two counterfactual replays and the bootstrap run side by side; the replays share the
  // calibrated model read-only, and each writes only its own result.
  std::optional<ReplayNumbers> replays[2];
  tbb::task_group tasks;
  if (options.counterfactual) {
    auto model = calibrate(app, history, load_test);
    tasks.run([&, model] {
      replays[0] = replay_model(app, model, r.current, std::nullopt, options.seed);
    });
    tasks.run([&, model] {
      replays[1] = replay_model(app, model, r.resources, r.hpa_target_utilization, options.seed);
    });
  }
  try {
    r.confidence = measure_confidence(policy, app, history, r.history_days, options);
  } catch (...) {
    tasks.wait();
    throw;
  }
  tasks.wait();  // rethrows a replay's exception

  // Reasons: what changed, which guardrail acted, and what the replay showed.
  add_resource_reasons(r);
  if (options.counterfactual && replays[0] && replays[1]) {
    Counterfactual c;
    c.days = history.span_s() / kDay;
    c.current = *replays[0];
    c.recommended = *replays[1];
    find_most_changed(c);
    r.counterfactual = c;
    add_replay_reasons(r);
  }
  log->info("recommendation for '{}' by {} in {:.2f} s; confidence {:.2f}", r.app_name,
            r.policy.name,
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(),
            r.confidence.value);
  return r;
}

}  // namespace podsizer::policies
