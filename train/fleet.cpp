#include "train/fleet.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include <tbb/parallel_for.h>

#include "policies/backtest.h"
#include "policies/closed_loop.h"
#include "traces/errors.h"
#include "traces/store.h"
#include "train/validation.h"

namespace podsizer::train {

namespace {

std::string source_of(const traces::Trace& trace, const std::string& path) {
  if (path.ends_with(".h5") || path.ends_with(".hdf5")) return "store";
  // The readers name the format before the path: "bitbrains:PATH", "google2019:PATH", ...
  const std::string& origin = trace.meta.source;
  if (origin.starts_with("bitbrains")) return "bitbrains";
  if (origin.starts_with("google")) return "google2019";
  return "history";
}

FleetRun run_one(const traces::Trace& trace, policies::Policy& policy,
                 const FleetOptions& options) {
  // Both replays start from the same app: the trace's first day sets today's resources.
  const traces::AppSpec app = policies::default_app_for_history(trace);
  FleetRun run;
  policies::BacktestOptions backtest;
  backtest.interval_s = options.interval_s;
  const policies::BacktestScore s = policies::run_backtest(trace, policy, app, backtest).score;
  run.cpu_request_millicores = s.mean_cpu_request_millicores.value_or(0);
  run.memory_request_mib = s.mean_memory_request_mib.value_or(0);
  run.oom_samples_per_day = s.oom_samples_per_day;
  run.memory_over_request_percent = s.memory_over_request_percent;
  run.cpu_throttled_percent = s.cpu_throttled_percent;
  run.changes_per_day = s.changes_per_day;
  if (!options.closed_loop) return run;

  policies::ClosedLoopOptions loop;
  loop.interval_s = options.interval_s;
  loop.seed = options.seed;
  const sim::WorkloadSummary w = policies::run_closed_loop(trace, policy, app, loop).summary;
  run.oom_kills = w.oom_kills;
  run.evictions = w.evictions;
  run.slo_violation_hours = w.slo_violation_seconds / 3600.0;
  run.p95_latency_ms = w.p95_latency_ms;
  run.cost = w.cost;
  return run;
}

// Backtest figures and latency average over the group's traces; events and cost add up.
FleetRun aggregate(const std::vector<const FleetRun*>& runs) {
  FleetRun g;
  for (const FleetRun* r : runs) {
    g.cpu_request_millicores += r->cpu_request_millicores;
    g.memory_request_mib += r->memory_request_mib;
    g.oom_samples_per_day += r->oom_samples_per_day;
    g.memory_over_request_percent += r->memory_over_request_percent;
    g.cpu_throttled_percent += r->cpu_throttled_percent;
    g.changes_per_day += r->changes_per_day;
    g.p95_latency_ms += r->p95_latency_ms;
    g.oom_kills += r->oom_kills;
    g.evictions += r->evictions;
    g.slo_violation_hours += r->slo_violation_hours;
    g.cost += r->cost;
  }
  const double n = std::max<double>(1.0, static_cast<double>(runs.size()));
  for (double* mean : {&g.cpu_request_millicores, &g.memory_request_mib, &g.oom_samples_per_day,
                       &g.memory_over_request_percent, &g.cpu_throttled_percent,
                       &g.changes_per_day, &g.p95_latency_ms}) {
    *mean /= n;
  }
  return g;
}

}  // namespace

std::vector<FleetTrace> read_fleet(const std::vector<std::string>& paths) {
  std::vector<FleetTrace> fleet;
  for (const auto& path : expand_trace_paths(paths)) {
    if (path.ends_with(".h5") || path.ends_with(".hdf5")) {
      for (const auto& name : traces::list_traces(path)) {
        traces::Trace t = traces::read_trace(path, name);
        fleet.push_back({path + ":" + name, "store", std::move(t)});
      }
      continue;
    }
    traces::Trace t = read_trace_file(path);
    const std::string source = source_of(t, path);
    fleet.push_back({path, source, std::move(t)});
  }
  return fleet;
}

const FleetGroup& FleetComparison::group(const std::string& source,
                                         const std::string& policy) const {
  for (const auto& g : groups) {
    if (g.source == source && g.policy == policy) return g;
  }
  throw std::out_of_range("no fleet group " + source + " / " + policy);
}

FleetComparison compare_fleet(
    const std::vector<FleetTrace>& fleet, const std::vector<std::string>& policies,
    const FleetOptions& options,
    const std::function<std::unique_ptr<policies::Policy>(const std::string&)>& make) {
  FleetComparison out;
  out.policies = policies;
  out.runs.assign(policies.size(), std::vector<FleetRun>(fleet.size()));

  // Every (policy, trace) pair is independent; each writes its own slot.
  const std::size_t pairs = policies.size() * fleet.size();
  tbb::parallel_for(std::size_t{0}, pairs, [&](std::size_t k) {
    const std::size_t p = k / fleet.size();
    const std::size_t t = k % fleet.size();
    std::unique_ptr<policies::Policy> policy =
        make ? make(policies[p]) : policies::make_policy(policies[p]);
    out.runs[p][t] = run_one(fleet[t].trace, *policy, options);
  });

  // Groups: each source in order of first appearance, then the whole fleet.
  for (const auto& f : fleet) {
    if (std::find(out.sources.begin(), out.sources.end(), f.source) == out.sources.end()) {
      out.sources.push_back(f.source);
    }
  }
  out.sources.push_back("all");
  for (const auto& source : out.sources) {
    for (std::size_t p = 0; p < policies.size(); ++p) {
      std::vector<const FleetRun*> members;
      for (std::size_t t = 0; t < fleet.size(); ++t) {
        if (source == "all" || fleet[t].source == source) members.push_back(&out.runs[p][t]);
      }
      out.groups.push_back({source, policies[p], members.size(), aggregate(members)});
    }
  }
  return out;
}

std::vector<BarCheck> check_bar(const FleetComparison& comparison, const std::string& policy,
                                const std::string& reference, double min_saving,
                                bool closed_loop) {
  std::vector<BarCheck> checks;
  for (const auto& source : comparison.sources) {
    const FleetRun& p = comparison.group(source, policy).mean;
    const FleetRun& r = comparison.group(source, reference).mean;
    auto add = [&](std::string what, double value, double limit, bool passed) {
      checks.push_back({source, std::move(what), value, limit, passed});
    };
    // Savings as a fraction of the reference's request; a reference of 0 cannot be beaten.
    const double cpu_saving =
        r.cpu_request_millicores > 0 ? 1.0 - p.cpu_request_millicores / r.cpu_request_millicores
                                     : 0.0;
    const double memory_saving =
        r.memory_request_mib > 0 ? 1.0 - p.memory_request_mib / r.memory_request_mib : 0.0;
    add("CPU request saving vs " + reference, cpu_saving, min_saving, cpu_saving >= min_saving);
    add("memory request saving vs " + reference, memory_saving, min_saving,
        memory_saving >= min_saving);
    add("OOM samples/day (at most " + reference + "'s)", p.oom_samples_per_day,
        r.oom_samples_per_day, p.oom_samples_per_day <= r.oom_samples_per_day);
    add("memory over request %", p.memory_over_request_percent, 1.0,
        p.memory_over_request_percent < 1.0);
    if (!closed_loop) continue;
    add("closed-loop OOM kills", p.oom_kills, r.oom_kills, p.oom_kills <= r.oom_kills);
    add("closed-loop evictions", p.evictions, r.evictions, p.evictions <= r.evictions);
    add("closed-loop SLO-violation hours", p.slo_violation_hours, r.slo_violation_hours,
        p.slo_violation_hours <= r.slo_violation_hours + 1e-9);
  }
  return checks;
}

std::string format_fleet(const FleetComparison& comparison, const std::string& reference,
                         bool closed_loop) {
  std::string out;
  char line[512];
  for (const auto& source : comparison.sources) {
    const FleetRun* ref = nullptr;
    for (const auto& g : comparison.groups) {
      if (g.source == source && g.policy == reference) ref = &g.mean;
    }
    std::snprintf(line, sizeof line, "\n%s (%zu traces)\n", source.c_str(),
                  comparison.group(source, comparison.policies.front()).traces);
    out += line;
    out +=
        "  policy           CPU req m  vs ref   mem req MiB  vs ref   OOM/day  >req %  "
        "thr %   chg/day";
    out += closed_loop ? "   | OOM kills  evict  SLO h    p95 ms\n" : "\n";
    for (const auto& policy : comparison.policies) {
      const FleetRun& m = comparison.group(source, policy).mean;
      auto versus = [](double value, double base) {
        char text[16];
        if (base > 0) {
          std::snprintf(text, sizeof text, "%+.1f%%", 100.0 * (value / base - 1.0));
        } else {
          std::snprintf(text, sizeof text, "-");
        }
        return std::string(text);
      };
      const std::string cpu_vs = ref ? versus(m.cpu_request_millicores,
                                              ref->cpu_request_millicores)
                                     : "-";
      const std::string mem_vs = ref ? versus(m.memory_request_mib, ref->memory_request_mib)
                                     : "-";
      const std::string name = policy.size() > 16 ? "..." + policy.substr(policy.size() - 13)
                                                  : policy;
      std::snprintf(line, sizeof line,
                    "  %-16s %9.1f  %-7s  %11.1f  %-7s  %7.2f  %6.2f  %6.2f  %7.2f", name.c_str(),
                    m.cpu_request_millicores, cpu_vs.c_str(), m.memory_request_mib,
                    mem_vs.c_str(), m.oom_samples_per_day, m.memory_over_request_percent,
                    m.cpu_throttled_percent, m.changes_per_day);
      out += line;
      if (closed_loop) {
        std::snprintf(line, sizeof line, "   | %9.0f  %5.0f  %6.1f  %8.1f", m.oom_kills,
                      m.evictions, m.slo_violation_hours, m.p95_latency_ms);
        out += line;
      }
      out += "\n";
    }
  }
  return out;
}

std::string format_fleet_traces(const FleetComparison& comparison,
                                const std::vector<FleetTrace>& fleet) {
  std::string out =
      "\n  history                       policy        CPU req m  mem req MiB  OOM/day  >req %  "
      "| OOM kills  evict  SLO h\n";
  char line[512];
  for (std::size_t t = 0; t < fleet.size(); ++t) {
    const std::string& name = fleet[t].trace.meta.name;
    const std::string shown = name.size() > 28 ? name.substr(0, 28) : name;
    for (std::size_t p = 0; p < comparison.policies.size(); ++p) {
      const FleetRun& r = comparison.runs[p][t];
      const std::string& policy = comparison.policies[p];
      const std::string short_policy =
          policy.size() > 12 ? "..." + policy.substr(policy.size() - 9) : policy;
      std::snprintf(line, sizeof line,
                    "  %-28s  %-12s  %9.1f  %11.1f  %7.2f  %6.2f  | %9.0f  %5.0f  %6.1f\n",
                    p == 0 ? shown.c_str() : "", short_policy.c_str(), r.cpu_request_millicores,
                    r.memory_request_mib, r.oom_samples_per_day, r.memory_over_request_percent,
                    r.oom_kills, r.evictions, r.slo_violation_hours);
      out += line;
    }
  }
  return out;
}

std::string format_bar(const std::vector<BarCheck>& checks) {
  std::string out;
  char line[256];
  for (const auto& c : checks) {
    const bool saving = c.what.find("saving") != std::string::npos;
    if (saving) {
      std::snprintf(line, sizeof line, "  %-4s  %-11s %-44s %6.1f %%  (need >= %.0f %%)\n",
                    c.passed ? "pass" : "FAIL", c.source.c_str(), c.what.c_str(),
                    100.0 * c.value, 100.0 * c.limit);
    } else {
      std::snprintf(line, sizeof line, "  %-4s  %-11s %-44s %8.2f  (limit %.2f)\n",
                    c.passed ? "pass" : "FAIL", c.source.c_str(), c.what.c_str(), c.value,
                    c.limit);
    }
    out += line;
  }
  return out;
}

}  // namespace podsizer::train
