// `podsizer run`: the main job on the embedded example application.
//
// The job is a list of steps, each logged as it starts, that share one RunState. Today they
// take the example app spec, generate its default synthetic load, write it to the output folder
// and print what the load means against the app's current requests and limits; the simulation,
// training and comparison steps join the list as they become available.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/trace_summary.h"
#include "traces/app_spec.h"
#include "traces/history_csv_writer.h"
#include "traces/log.h"
#include "traces/quantity.h"
#include "traces/store.h"
#include "traces/synthetic.h"

namespace podsizer::cli {
namespace {

struct RunOptions {
  std::string out_dir = "podsizer-out";
  std::uint64_t seed = 42;
};

// What the steps hand to each other.
struct RunState {
  RunOptions options;
  traces::AppSpec spec;
  traces::Trace history;
};

struct Step {
  const char* what;
  std::function<void(RunState&)> run;
};

void load_app(RunState& state) {
  state.spec = traces::default_app_spec();
  traces::named_logger("cli")->info("app '{}': {} req/s on average, {} at peak, {} replicas",
                                    state.spec.app_name, state.spec.avg_request_per_sec,
                                    state.spec.peak_request_per_sec, state.spec.hpa.min_replicas);
}

void generate_load(RunState& state) {
  traces::SyntheticOptions options = traces::synthetic_options_for(state.spec);
  options.seed = state.options.seed;
  state.history = traces::generate_synthetic(options);
  state.history.meta.name = state.spec.app_name;
}

void write_history(RunState& state) {
  const std::filesystem::path folder(state.options.out_dir);
  std::error_code error;
  std::filesystem::create_directories(folder, error);
  if (error) {
    throw std::runtime_error("cannot create the output folder '" + folder.string() +
                             "': " + error.message());
  }
  const std::string csv = (folder / "history.csv").string();
  const std::string store = (folder / "traces.h5").string();
  traces::write_history_csv(csv, state.history);
  traces::write_traces(store, {state.history});
  traces::named_logger("cli")->info("wrote {} and {}", csv, store);
}

// The share of `values` above `threshold`, as a percentage text; "-" when there is no
// threshold.
std::string share_above(const std::vector<double>& values, const std::optional<double>& threshold) {
  if (!threshold) return "-";
  std::size_t above = 0;
  for (double value : values) above += value > *threshold;
  char text[32];
  std::snprintf(text, sizeof text, "%.1f %%",
                100.0 * static_cast<double>(above) / static_cast<double>(values.size()));
  return text;
}

template <typename Format>
std::string optional_quantity(const std::optional<double>& value, Format format) {
  return value ? format(*value) : std::string("unset");
}

void print_summary(RunState& state) {
  const traces::Trace& trace = state.history;
  const traces::AppSpec& spec = state.spec;
  const TraceSummary summary = summarize(trace);

  std::printf("%s: %zu samples over %s, every %s, from %s\n", spec.app_name.c_str(),
              summary.samples, format_duration(summary.span_s).c_str(),
              format_duration(summary.interval_s).c_str(),
              format_utc(summary.first_time_s).c_str());
  if (summary.request_rate) {
    std::printf(
        "request rate: mean %.1f req/s, p95 %.1f, max %.1f (app spec: %g average, %g "
        "peak)\n",
        summary.request_rate->mean, summary.request_rate->p95, summary.request_rate->max,
        spec.avg_request_per_sec, spec.peak_request_per_sec);
  }

  // Per pod usage beside the current setting: over the request the pod borrows from its node;
  // over the CPU limit it is throttled; over the memory limit it is OOM-killed.
  const int replicas = trace.has_replicas() ? static_cast<int>(trace.replicas.front()) : 1;
  std::printf(
      "\nper pod (%d replicas)   p50       p95       max       request   limit     "
      "> request  > limit\n",
      replicas);
  if (summary.cpu_millicores) {
    const ColumnStats& cpu = *summary.cpu_millicores;
    std::printf("  cpu                 %-9s %-9s %-9s %-9s %-9s %-10s %s\n",
                format_cpu_rounded(cpu.p50).c_str(), format_cpu_rounded(cpu.p95).c_str(),
                format_cpu_rounded(cpu.max).c_str(),
                optional_quantity(spec.current.requests.cpu_millicores, format_cpu_rounded).c_str(),
                optional_quantity(spec.current.limits.cpu_millicores, format_cpu_rounded).c_str(),
                share_above(trace.cpu_millicores, spec.current.requests.cpu_millicores).c_str(),
                share_above(trace.cpu_millicores, spec.current.limits.cpu_millicores).c_str());
  }
  if (summary.memory_bytes) {
    const ColumnStats& memory = *summary.memory_bytes;
    std::printf(
        "  memory              %-9s %-9s %-9s %-9s %-9s %-10s %s\n",
        format_memory_rounded(memory.p50).c_str(), format_memory_rounded(memory.p95).c_str(),
        format_memory_rounded(memory.max).c_str(),
        optional_quantity(spec.current.requests.memory_bytes, format_memory_rounded).c_str(),
        optional_quantity(spec.current.limits.memory_bytes, format_memory_rounded).c_str(),
        share_above(trace.memory_bytes, spec.current.requests.memory_bytes).c_str(),
        share_above(trace.memory_bytes, spec.current.limits.memory_bytes).c_str());
  }
  std::printf(
      "\nCPU above its limit is throttled; memory above its limit is OOM-killed.\n"
      "Outputs: %s/history.csv, %s/traces.h5\n",
      state.options.out_dir.c_str(), state.options.out_dir.c_str());
}

void run(const RunOptions& options) {
  const std::vector<Step> steps = {
      {"load the application spec", load_app},
      {"generate its load", generate_load},
      {"write the load history", write_history},
      {"summarise the load against the current resources", print_summary},
  };
  RunState state;
  state.options = options;
  auto log = traces::named_logger("cli");
  for (std::size_t i = 0; i < steps.size(); ++i) {
    log->info("step {}/{}: {}", i + 1, steps.size(), steps[i].what);
    steps[i].run(state);
  }
}

}  // namespace

void add_run_command(CLI::App& app) {
  auto options = std::make_shared<RunOptions>();
  CLI::App* command =
      app.add_subcommand("run", "Run the whole job on the built-in example application");
  command->footer(
      "Takes the example application (examples/my-service.yaml, built in), generates its "
      "default synthetic load (two weeks at 5-minute steps with daily and weekly cycles, noise "
      "and bursts), writes it to the output folder as history.csv and traces.h5, and prints its "
      "CPU and memory per pod beside the app's current requests and limits, with the share of "
      "samples above each.");
  command->add_option("--out", options->out_dir, "Output folder, created if needed")
      ->capture_default_str();
  command->add_option("--seed", options->seed, "Seed of the synthetic load")->capture_default_str();
  command->callback([options] { run(*options); });
}

}  // namespace podsizer::cli
