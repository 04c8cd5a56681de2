// `podsizer generate`: writes a synthetic load history as the design's history CSV.
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "cli/commands.h"
#include "cli/trace_summary.h"
#include "traces/app_spec.h"
#include "traces/history_csv_writer.h"
#include "traces/log.h"
#include "traces/quantity.h"
#include "traces/synthetic.h"

namespace podsizer::cli {
namespace {

struct GenerateOptions {
  std::string app_path;  // empty: the built-in example
  std::uint64_t seed = 42;
  double days = 14.0;
  double step_s = 300.0;
  double leak_mib_per_day = 0.0;
  std::string out_path;
};

void generate(const GenerateOptions& options) {
  // The app decides the rates and replicas; the flags the length, resolution and leak.
  const traces::AppSpec spec = options.app_path.empty() ? traces::default_app_spec()
                                                        : traces::load_app_spec(options.app_path);
  traces::SyntheticOptions synthetic = traces::synthetic_options_for(spec);
  synthetic.seed = options.seed;
  synthetic.duration_s = options.days * 86400.0;
  synthetic.step_s = options.step_s;
  synthetic.leak_bytes_per_day = options.leak_mib_per_day * traces::kMiB;

  if (synthetic.duration_s < synthetic.step_s) {
    throw std::invalid_argument("--days " + std::to_string(options.days) +
                                " is shorter than one --step of " + std::to_string(options.step_s) +
                                " s");
  }

  auto log = traces::named_logger("cli");
  log->info("generating {} days at {} s steps for '{}' (seed {})", options.days, options.step_s,
            spec.app_name, options.seed);
  traces::Trace trace = traces::generate_synthetic(synthetic);
  trace.meta.name = spec.app_name;
  traces::write_history_csv(options.out_path, trace);
  log->info("wrote {} samples to {}", trace.size(), options.out_path);
}

}  // namespace

void add_generate_command(CLI::App& app) {
  auto options = std::make_shared<GenerateOptions>();
  CLI::App* command =
      app.add_subcommand("generate", "Write a synthetic load history CSV for an application");
  command->footer(
      "The CSV has the columns timestamp,cpu_usage_milli_cores,memory_usage_megabytes,"
      "request_per_sec,replicas (Unix seconds, millicores and MiB summed over the replicas, "
      "requests per second). The load has daily and weekly cycles, a slow trend, noise and "
      "bursts around the app's average and peak request rates; CPU and memory per pod follow "
      "from it. The same seed gives the same file.");
  command->add_option("--app", options->app_path,
                      "Application spec (YAML); default: the built-in example my-service");
  command->add_option("--seed", options->seed, "Seed of the random parts")->capture_default_str();
  command->add_option("--days", options->days, "Length of the history in days")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  command->add_option("--step", options->step_s, "Seconds between samples")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  command
      ->add_option("--leak-mib-per-day", options->leak_mib_per_day,
                   "Memory leak per pod in MiB per day; 0 for none")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  command->add_option("--out", options->out_path, "CSV file to write (replaced atomically)")
      ->required();
  command->callback([options] { generate(*options); });
}

}  // namespace podsizer::cli
