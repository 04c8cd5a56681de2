#include "train/validation.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "policies/closed_loop.h"
#include "traces/errors.h"
#include "traces/readers.h"
#include "traces/store.h"
#include "traces/synthetic.h"

namespace podsizer::train {

namespace fs = std::filesystem;

namespace {

constexpr double kGiB = 1024.0 * 1024 * 1024;
constexpr double kGiBPerCore = 4.0;
constexpr std::size_t kSyntheticValidationTraces = 3;

double footprint(const policies::BacktestScore& s) {
  return s.mean_cpu_request_millicores.value_or(0) / 1000.0 +
         s.mean_memory_request_mib.value_or(0) * 1024.0 * 1024.0 / kGiB / kGiBPerCore;
}

double risk_weight(traces::Objective objective) {
  switch (objective) {
    case traces::Objective::kSavings: return 2;
    case traces::Objective::kBalanced: return 10;
    case traces::Objective::kReliability: return 50;
  }
  return 10;
}

}  // namespace

traces::Trace read_trace_file(const std::string& path) {
  // The first line tells the format apart.
  std::ifstream in(path);
  if (!in) throw traces::InputError(path, 0, "", "cannot open the trace");
  std::string header;
  std::getline(in, header);
  if (header.starts_with("Timestamp")) return traces::read_bitbrains(path);
  if (header.find("avg_cpu_usage") != std::string::npos) return traces::read_google2019(path);
  return traces::read_history_csv(path);
}

std::vector<std::string> expand_trace_paths(const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  for (const auto& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<std::string> files;
      for (const auto& entry : fs::directory_iterator(p)) {
        const std::string name = entry.path().filename().string();
        if (entry.is_regular_file() && !name.ends_with(".md")) files.push_back(entry.path());
      }
      std::sort(files.begin(), files.end());
      out.insert(out.end(), files.begin(), files.end());
    } else {
      out.push_back(p);
    }
  }
  return out;
}

ValidationSet make_validation_set(const TrainConfig& config) {
  ValidationSet set;

  // Named files, one trace each (a store contributes all its traces).
  if (!config.validation_paths.empty()) {
    for (const auto& path : expand_trace_paths(config.validation_paths)) {
      if (path.ends_with(".h5") || path.ends_with(".hdf5")) {
        for (const auto& name : traces::list_traces(path)) {
          set.traces.push_back(traces::read_trace(path, name));
        }
      } else {
        set.traces.push_back(read_trace_file(path));
      }
      set.description += (set.description.empty() ? "" : ", ") + path;
    }
    return set;
  }

  // Otherwise synthetic week-long histories at three load levels, seeded apart from training.
  const double loads[kSyntheticValidationTraces] = {20, 200, 1500};
  for (std::size_t k = 0; k < kSyntheticValidationTraces; ++k) {
    traces::SyntheticOptions o;
    o.seed = config.eval_seed + 7919 * (k + 1);
    o.duration_s = 7 * 86400.0;
    o.avg_request_per_sec = loads[k];
    o.peak_request_per_sec = loads[k] * 4;
    traces::Trace t = traces::generate_synthetic(o);
    t.meta.name = "synthetic-validation-" + std::to_string(k + 1);
    set.traces.push_back(std::move(t));
  }
  set.description = "3 synthetic week-long histories (traces/synthetic.h) at 20, 200 and 1500 "
                    "requests/s on average, seeds eval_seed + 7919 k";
  return set;
}

double closed_loop_risk(const sim::WorkloadSummary& w) {
  const double days = std::max(w.duration_s / 86400.0, 1.0 / 24.0);
  const double violated = w.duration_s > 0 ? w.slo_violation_seconds / w.duration_s : 0.0;
  return std::clamp(std::max(violated, w.error_rate), 0.0, 1.0) +
         std::log1p(std::max(w.oom_kills, 0.0) / days) / 40.0 +
         std::log1p(std::max(w.evictions, 0.0) / days) / 80.0;
}

double backtest_score(const policies::BacktestScore& s, const policies::BacktestScore& reference,
                      traces::Objective objective) {
  const double n = std::max<double>(1.0, static_cast<double>(s.samples));
  const double ref = footprint(reference);
  const double relative = ref > 0 ? footprint(s) / ref : 1.0;
  const double risk = static_cast<double>(s.oom_samples) / n +
                      s.memory_over_request_percent / 100.0 / 4.0 +
                      s.cpu_throttled_percent / 100.0 / 4.0;
  return relative + risk_weight(objective) * risk;
}

PolicyValidation validate_policy(const std::string& name,
                                 const std::function<std::unique_ptr<policies::Policy>()>& make,
                                 const ValidationSet& set, traces::Objective objective,
                                 const PolicyValidation* reference, double decision_interval_s,
                                 bool closed_loop) {
  PolicyValidation out;
  out.policy = name;
  policies::BacktestOptions options;
  options.interval_s = decision_interval_s;
  policies::ClosedLoopOptions loop;
  loop.interval_s = decision_interval_s;
  loop.seed = 1;
  for (std::size_t k = 0; k < set.traces.size(); ++k) {
    const traces::Trace& trace = set.traces[k];
    traces::AppSpec app = policies::default_app_for_history(trace);
    app.objective = objective;
    auto policy = make();
    const policies::BacktestResult r = policies::run_backtest(trace, *policy, app, options);
    out.per_trace.push_back(r.score);
    const policies::BacktestScore& ref = reference ? reference->per_trace.at(k) : r.score;
    out.score += backtest_score(r.score, ref, objective);
    out.figures["mean_cpu_request_millicores"] += r.score.mean_cpu_request_millicores.value_or(0);
    out.figures["mean_memory_request_mib"] += r.score.mean_memory_request_mib.value_or(0);
    out.figures["oom_samples_per_day"] += r.score.oom_samples_per_day;
    out.figures["memory_over_request_percent"] += r.score.memory_over_request_percent;
    out.figures["cpu_throttled_percent"] += r.score.cpu_throttled_percent;
    out.figures["changes_per_day"] += r.score.changes_per_day;

    // The same policy, afresh, driving the simulated cluster.
    if (closed_loop) {
      auto driver = make();
      const sim::WorkloadSummary w = policies::run_closed_loop(trace, *driver, app, loop).summary;
      out.closed_loop.push_back(w);
      out.score += risk_weight(objective) * closed_loop_risk(w);
      out.figures["closed_loop_oom_kills"] += w.oom_kills;
      out.figures["closed_loop_evictions"] += w.evictions;
      out.figures["closed_loop_slo_violation_hours"] += w.slo_violation_seconds / 3600.0;
    }
  }
  const double n = std::max<double>(1.0, static_cast<double>(set.traces.size()));
  out.score /= n;
  // Backtest figures are means over traces; closed-loop events stay sums, as validate shows them.
  for (auto& [key, value] : out.figures) {
    if (!key.starts_with("closed_loop_")) value /= n;
  }
  out.figures["score"] = out.score;
  return out;
}

}  // namespace podsizer::train
