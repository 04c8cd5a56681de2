// `podsizer simulate`: replays a workload's history through the cluster simulator with the
// app's current resources (or those given) and prints what happened.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "policies/backtest.h"
#include "policies/closed_loop.h"
#include "policies/policy.h"
#include "report/html_report.h"
#include "scenarios/single_run_report.h"
#include "sim/simulation.h"
#include "sim/workload_model.h"
#include "traces/app_spec.h"
#include "traces/errors.h"
#include "traces/log.h"
#include "traces/quantity.h"
#include "traces/readers.h"
#include "traces/store.h"
#include "traces/synthetic.h"

namespace podsizer::cli {
namespace {

struct SimulateOptions {
  std::string app_path;
  std::string history_path;
  std::string store_path;
  std::string trace_name;
  std::string loadtest_path;
  std::string cpu_request, cpu_limit, memory_request, memory_limit;
  std::uint64_t seed = 1;
  double interval_s = 0;
  std::string out_path;
  bool json = false;
  std::string policy;               // empty: the resources stay fixed
  std::string decision_interval = "1h";
  std::string report_path;          // HTML page of the replay
};

// A quantity from the command line; bad text names the flag.
std::optional<double> flag_quantity(const std::string& text, const char* flag, bool cpu) {
  if (text.empty()) return std::nullopt;
  try {
    return cpu ? traces::parse_cpu_millicores(text) : traces::parse_memory_bytes(text);
  } catch (const traces::QuantityError& e) {
    throw traces::InputError("command line", 0, flag, e.what());
  }
}

// A page's folder must exist before the replay starts, so a typo fails at once.
void check_report_path(const std::string& path) {
  if (path.empty()) return;
  const std::filesystem::path folder = std::filesystem::path(path).parent_path();
  if (!folder.empty() && !std::filesystem::is_directory(folder)) {
    throw traces::InputError("command line", 0, "--report",
                             "the folder of '" + path + "' does not exist");
  }
}

// Where the load came from, in words, for the page.
std::string load_description(const SimulateOptions& o) {
  if (!o.history_path.empty()) return o.history_path;
  if (!o.store_path.empty()) return o.store_path + " (" + o.trace_name + ")";
  return "the app's synthetic load";
}

traces::Trace load_trace(const SimulateOptions& o, const traces::AppSpec& spec) {
  // A history CSV, a stored trace, or the embedded synthetic default.
  if (!o.history_path.empty()) return traces::read_history_csv(o.history_path);
  if (!o.store_path.empty()) {
    if (o.trace_name.empty()) {
      throw traces::InputError("command line", 0, "--trace", "--store needs --trace NAME");
    }
    return traces::read_trace(o.store_path, o.trace_name);
  }
  traces::Trace t = traces::generate_synthetic(traces::synthetic_options_for(spec));
  if (t.meta.name.empty()) t.meta.name = spec.app_name;
  return t;
}

// The summary as JSON; `m` is the calibrated model when the caller has it.
nlohmann::json summary_json(const sim::WorkloadSummary& s, const sim::ClusterSummary& c,
                            const sim::WorkloadModel* m) {
  nlohmann::json j;
  j["workload"] = s.name;
  j["duration_s"] = s.duration_s;
  j["oom_kills"] = s.oom_kills;
  j["evictions"] = s.evictions;
  j["restarts"] = s.restarts;
  j["throttled_seconds"] = s.throttled_seconds;
  j["pending_seconds"] = s.pending_seconds;
  j["slo_violation_seconds"] = s.slo_violation_seconds;
  j["p50_latency_ms"] = s.p50_latency_ms;
  j["p95_latency_ms"] = s.p95_latency_ms;
  j["p99_latency_ms"] = s.p99_latency_ms;
  j["max_interval_p95_ms"] = s.max_interval_p95_ms;
  j["mean_replicas"] = s.mean_replicas;
  j["max_replicas"] = s.max_replicas;
  j["requests"] = s.requests;
  j["errors"] = s.errors;
  j["error_rate"] = s.error_rate;
  j["cpu_request_core_hours"] = s.cpu_request_core_hours;
  j["memory_request_gib_hours"] = s.memory_request_gib_hours;
  j["cpu_usage_core_hours"] = s.cpu_usage_core_hours;
  j["memory_usage_gib_hours"] = s.memory_usage_gib_hours;
  j["cost"] = s.cost;
  j["node_hours"] = c.node_hours;
  j["node_cost"] = c.node_cost;
  j["max_nodes"] = c.max_nodes;
  if (m == nullptr) return j;
  j["model"] = {{"method", m->method},
                {"cpu_base_millicores", m->cpu_base},
                {"cpu_ms_per_request", m->cpu_ms_per_request},
                {"memory_base_bytes", m->memory_base},
                {"memory_bytes_per_rps", m->memory_per_rps},
                {"burst_cv", m->burst_cv},
                {"latency_fixed_ms", m->latency.fixed_ms},
                {"latency_cpu_ms", m->latency.cpu_ms}};
  return j;
}

void print_table(const sim::WorkloadSummary& s, const sim::ClusterSummary& c,
                 const traces::AppSpec& spec, const traces::ContainerResources& r) {
  auto q = [](const std::optional<double>& v, bool cpu) {
    if (!v) return std::string("unset");
    return cpu ? traces::format_cpu(*v) : traces::format_memory(*v);
  };
  std::printf("workload %s over %.1f h\n", s.name.c_str(), s.duration_s / 3600.0);
  std::printf("  resources     requests cpu=%s memory=%s, limits cpu=%s memory=%s\n",
              q(r.requests.cpu_millicores, true).c_str(), q(r.requests.memory_bytes, false).c_str(),
              q(r.limits.cpu_millicores, true).c_str(), q(r.limits.memory_bytes, false).c_str());
  std::printf("  replicas      mean %.2f, max %.0f\n", s.mean_replicas, s.max_replicas);
  std::printf("  latency       p50 %.1f ms, p95 %.1f ms, p99 %.1f ms (SLO %.0f ms at p%.0f)\n",
              s.p50_latency_ms, s.p95_latency_ms, s.p99_latency_ms, spec.response_time_slo_ms,
              spec.slo_percentile * 100);
  std::printf("  SLO violated  %.0f s (%.2f %% of the time)\n", s.slo_violation_seconds,
              s.duration_s > 0 ? 100.0 * s.slo_violation_seconds / s.duration_s : 0.0);
  std::printf("  errors        %.0f of %.0f requests (%.4f %%)\n", s.errors, s.requests,
              100.0 * s.error_rate);
  std::printf("  OOM kills     %.0f, restarts %.0f, evictions %.0f\n", s.oom_kills, s.restarts,
              s.evictions);
  std::printf("  throttled     %.0f pod-seconds; pending %.0f pod-seconds\n", s.throttled_seconds,
              s.pending_seconds);
  std::printf("  requested     %.1f core-hours, %.1f GiB-hours (used %.1f, %.1f)\n",
              s.cpu_request_core_hours, s.memory_request_gib_hours, s.cpu_usage_core_hours,
              s.memory_usage_gib_hours);
  if (c.max_nodes > 0) {
    std::printf("  cost          workload %.2f; nodes %.2f over %.1f node-hours (max %.0f nodes)\n",
                s.cost, c.node_cost, c.node_hours, c.max_nodes);
  } else {
    std::printf("  cost          workload %.2f\n", s.cost);
  }
}

// Closed loop: the policy decides every interval from what a metrics system would show, and
// what it set shapes what it sees next. The replay starts from `resources`.
void simulate_with_policy(const SimulateOptions& o, traces::AppSpec spec,
                          const traces::Trace& trace, const traces::ContainerResources& resources) {
  auto log = traces::named_logger("cli");
  if (!o.out_path.empty()) {
    throw traces::InputError("command line", 0, "--out",
                             "per-interval results are written for fixed resources only; "
                             "use `podsizer evaluate` for a policy's time series");
  }
  if (!o.report_path.empty()) {
    throw traces::InputError("command line", 0, "--report",
                             "the page draws fixed-resource replays only; use `podsizer "
                             "evaluate --report` for a policy's time series");
  }
  if (!o.loadtest_path.empty()) {
    log->warn("--loadtest calibrates fixed-resource replays only; the closed loop ignores it");
  }
  spec.current = resources;
  auto policy = policies::make_policy(o.policy);
  policies::ClosedLoopOptions options;
  options.interval_s = policies::parse_duration_s(o.decision_interval);
  options.seed = o.seed;

  const auto t0 = std::chrono::steady_clock::now();
  const policies::ClosedLoopResult result =
      policies::run_closed_loop(trace, *policy, spec, options);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  log->info("closed loop with '{}': {} decisions over {:.1f} h in {:.2f} s", result.policy,
            result.timeline.size(), result.summary.duration_s / 3600.0, wall);

  // The summary has no cluster part in closed loop; the last decision stands for resources.
  const traces::ContainerResources last =
      result.timeline.empty() ? resources : result.timeline.back().resources;
  if (o.json) {
    nlohmann::json j = summary_json(result.summary, sim::ClusterSummary{}, nullptr);
    j["policy"] = result.policy;
    j["decisions"] = result.timeline.size();
    std::printf("%s\n", j.dump().c_str());
  } else {
    std::printf("policy %s, deciding every %s (%zu decisions); last setting below\n",
                result.policy.c_str(), o.decision_interval.c_str(), result.timeline.size());
    print_table(result.summary, sim::ClusterSummary{}, spec, last);
  }
}

void simulate(const SimulateOptions& o) {
  auto log = traces::named_logger("cli");

  // Inputs: the app, its history, the optional load test, resources from the flags.
  check_report_path(o.report_path);
  traces::AppSpec spec =
      o.app_path.empty() ? traces::default_app_spec() : traces::load_app_spec(o.app_path);
  traces::Trace trace = load_trace(o, spec);
  std::optional<traces::LoadTest> load_test;
  if (!o.loadtest_path.empty()) load_test = traces::read_load_test(o.loadtest_path);
  traces::ContainerResources resources = spec.current;
  if (auto v = flag_quantity(o.cpu_request, "--cpu-request", true))
    resources.requests.cpu_millicores = v;
  if (auto v = flag_quantity(o.cpu_limit, "--cpu-limit", true)) resources.limits.cpu_millicores = v;
  if (auto v = flag_quantity(o.memory_request, "--memory-request", false)) {
    resources.requests.memory_bytes = v;
  }
  if (auto v = flag_quantity(o.memory_limit, "--memory-limit", false)) {
    resources.limits.memory_bytes = v;
  }

  if (!o.policy.empty()) {
    simulate_with_policy(o, spec, trace, resources);
    return;
  }

  // Calibrate and build the cluster.
  auto model = std::make_shared<const sim::WorkloadModel>(
      sim::calibrate_workload(trace, spec, load_test ? &*load_test : nullptr));
  log->info("calibrated '{}' from {} samples: {}; cpu {:.1f}m + {:.3f} ms/request, burst CV {:.2f}",
            model->name, model->size(), model->method, model->cpu_base, model->cpu_ms_per_request,
            model->burst_cv);
  sim::SimulationOptions options;
  options.seed = o.seed;
  options.results_interval_s = o.interval_s;
  sim::Simulation simulation(sim::cluster_spec_from_app(spec), options);
  sim::WorkloadSpec workload = sim::workload_spec_from_app(spec);
  workload.pod.main = resources;
  sim::WorkloadId id = simulation.add_workload(workload, model);

  // Replay, with a progress line on long runs.
  auto t0 = std::chrono::steady_clock::now();
  auto sim_log = traces::named_logger("sim");
  simulation.run([&](double fraction) {
    double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    double eta = fraction > 0 ? wall * (1.0 - fraction) / fraction : 0.0;
    sim_log->info("[t={:.0f}s] {:.1f} % replayed, {:.2f} M pod-samples/s, ETA {:.0f} s",
                  simulation.now(), 100.0 * fraction,
                  static_cast<double>(simulation.pod_samples()) / wall / 1e6, eta);
  });
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  log->info("replayed {:.1f} h in {:.2f} s ({} events)", simulation.now() / 3600.0, wall,
            simulation.events_processed());

  // Results.
  sim::WorkloadSummary s = simulation.summary(id);
  sim::ClusterSummary c = simulation.cluster_summary();
  if (!o.out_path.empty()) {
    sim::write_results_hdf5(o.out_path, simulation.results());
    log->info("wrote results to {}", o.out_path);
  }
  if (!o.report_path.empty()) {
    scenarios::SimulationRun run;
    run.app = spec;
    run.load = load_description(o);
    run.resources = resources;
    run.seed = o.seed;
    run.summary = s;
    run.cluster = c;
    run.intervals = simulation.results().intervals.at(id);
    report::write_html_report(scenarios::build_simulation_report(run), o.report_path);
    log->info("wrote the page to {}", o.report_path);
  }
  if (o.json) {
    std::printf("%s\n", summary_json(s, c, model.get()).dump().c_str());
  } else {
    print_table(s, c, spec, resources);
  }
}

}  // namespace

void add_simulate_command(CLI::App& app) {
  auto o = std::make_shared<SimulateOptions>();
  CLI::App* command = app.add_subcommand(
      "simulate",
      "Replay an application's history through the simulated cluster (scheduler, kubelet, HPA, "
      "latency, cost) with its current resources or those given, and print OOM kills, "
      "throttling, latency against the SLO and cost. Without arguments: the built-in example "
      "app on its synthetic load.");
  command->add_option("--app", o->app_path, "Application spec (YAML); default: built-in example");
  auto* history = command->add_option("--history", o->history_path, "History CSV to replay");
  auto* store = command->add_option("--store", o->store_path, "HDF5 trace store");
  command->add_option("--trace", o->trace_name, "Name of the trace in --store");
  history->excludes(store);
  command->add_option("--loadtest", o->loadtest_path, "Load-test result JSON (latency model)");
  command->add_option("--cpu-request", o->cpu_request, "CPU request, e.g. 250m");
  command->add_option("--cpu-limit", o->cpu_limit, "CPU limit, e.g. 500m");
  command->add_option("--memory-request", o->memory_request, "Memory request, e.g. 512Mi");
  command->add_option("--memory-limit", o->memory_limit, "Memory limit, e.g. 1Gi");
  command->add_option("--seed", o->seed, "Seed of the simulator's random parts")
      ->capture_default_str();
  command
      ->add_option("--interval", o->interval_s,
                   "Seconds per results row; 0: the trace's interval, at least 60")
      ->check(CLI::NonNegativeNumber);
  command->add_option("--out", o->out_path, "HDF5 file for the per-interval results");
  command->add_flag("--json", o->json, "Print the summary as one JSON object");
  command->add_option("--policy", o->policy,
                      "Let a policy (static, vpa, krr, autopilot, autopilot-ml or POLICY.pt) "
                      "set the resources in closed loop, starting from the ones above");
  command
      ->add_option("--decision-interval", o->decision_interval,
                   "Time between the policy's decisions, such as 1h, 30m")
      ->capture_default_str();
  command->add_option("--report", o->report_path,
                      "HTML page of the replay: usage against requests and limits, replicas, "
                      "latency against the SLO with OOM kills and evictions marked, the summary");
  command->callback([o] { simulate(*o); });
}

}  // namespace podsizer::cli
