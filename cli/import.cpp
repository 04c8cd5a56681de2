// `podsizer import`: reads measured histories in one of the supported formats into an HDF5
// trace store, one trace per input named after the file's stem.
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/trace_summary.h"
#include "traces/log.h"
#include "traces/prometheus.h"
#include "traces/readers.h"
#include "traces/store.h"

namespace podsizer::cli {
namespace {

struct ImportOptions {
  std::string format;
  std::string out_path;
  std::vector<std::string> inputs;
  std::string name;   // trace name for Prometheus imports
  std::string start;  // requests: time of the first value; prometheus: range start
  // Google 2019 scale.
  double google_cpu_cores_per_unit = traces::Google2019Scale{}.cpu_cores_per_unit;
  double google_memory_gib_per_unit =
      traces::Google2019Scale{}.memory_bytes_per_unit / (1024.0 * 1024 * 1024);
  // Prometheus from files.
  std::string prom_cpu;
  std::string prom_memory;
  std::string prom_rate;
  // Prometheus live.
  std::string prom_url;
  std::string prom_selector;
  std::string end;
  double step_s = 60.0;
};

std::string stem_of(const std::string& path) {
  return std::filesystem::path(path).stem().string();
}

// One input file read with the reader of its format.
traces::Trace read_one(const ImportOptions& options, const std::string& path) {
  if (options.format == "csv") return traces::read_history_csv(path);
  if (options.format == "bitbrains") return traces::read_bitbrains(path);
  if (options.format == "google2019") {
    traces::Google2019Scale scale;
    scale.cpu_cores_per_unit = options.google_cpu_cores_per_unit;
    scale.memory_bytes_per_unit = options.google_memory_gib_per_unit * 1024.0 * 1024 * 1024;
    return traces::read_google2019(path, scale);
  }
  if (options.format == "requests") {
    const double start = options.start.empty() ? 0.0 : parse_time(options.start, "--start");
    return traces::read_request_rates(path, start);
  }
  throw std::logic_error("unhandled format " + options.format);
}

// The Prometheus import: three answers from files, or the same queries sent to a live server.
traces::Trace read_prometheus(const ImportOptions& options) {
  const bool from_files =
      !options.prom_cpu.empty() || !options.prom_memory.empty() || !options.prom_rate.empty();
  const bool live = !options.prom_url.empty();
  if (!options.inputs.empty()) {
    throw std::invalid_argument(
        "--format prometheus takes no INPUT files; give --prom-cpu and "
        "--prom-memory files, or --prom-url for a live server");
  }
  if (from_files == live) {
    throw std::invalid_argument(
        "--format prometheus needs either --prom-cpu F --prom-memory F "
        "[--prom-rate F] or --prom-url URL --prom-selector SEL --start T "
        "--end T");
  }
  if (from_files) {
    if (options.prom_cpu.empty() || options.prom_memory.empty()) {
      throw std::invalid_argument("--prom-cpu and --prom-memory are both required");
    }
    const std::string name = options.name.empty() ? stem_of(options.prom_cpu) : options.name;
    return traces::read_prometheus_files(options.prom_cpu, options.prom_memory, options.prom_rate,
                                         name);
  }
  if (options.prom_selector.empty() || options.start.empty() || options.end.empty()) {
    throw std::invalid_argument("--prom-url needs --prom-selector, --start and --end");
  }
  const double start = parse_time(options.start, "--start");
  const double end = parse_time(options.end, "--end");
  if (!(end > start)) throw std::invalid_argument("--end must be after --start");
  const std::string name = options.name.empty() ? "prometheus" : options.name;
  traces::named_logger("cli")->info("querying {} for {} from {} to {} every {} s", options.prom_url,
                                    options.prom_selector, format_utc(start), format_utc(end),
                                    options.step_s);
  return traces::query_prometheus(options.prom_url, traces::default_queries(options.prom_selector),
                                  start, end, options.step_s, name);
}

void import(const ImportOptions& options) {
  auto log = traces::named_logger("cli");
  std::vector<traces::Trace> traces;

  // Read everything first, so that a bad input leaves the store untouched.
  if (options.format == "prometheus") {
    traces.push_back(read_prometheus(options));
  } else {
    if (options.inputs.empty()) throw std::invalid_argument("no INPUT files given");
    if (!options.prom_cpu.empty() || !options.prom_memory.empty() || !options.prom_rate.empty() ||
        !options.prom_url.empty()) {
      throw std::invalid_argument("--prom-* options only apply to --format prometheus");
    }
    traces.reserve(options.inputs.size());
    for (std::size_t i = 0; i < options.inputs.size(); ++i) {
      const std::string& path = options.inputs[i];
      traces::Trace trace = read_one(options, path);
      trace.meta.name = stem_of(path);
      log->info("read {}/{}: {} ({} samples)", i + 1, options.inputs.size(), path, trace.size());
      traces.push_back(std::move(trace));
    }
  }

  traces::write_traces(options.out_path, traces);
  log->info("stored {} trace(s) in {}", traces.size(), options.out_path);
}

}  // namespace

void add_import_command(CLI::App& app) {
  auto options = std::make_shared<ImportOptions>();
  CLI::App* command =
      app.add_subcommand("import", "Read measured histories into an HDF5 trace store");
  command->footer(
      "The store is created if absent; a trace of the same name is replaced. Every INPUT file "
      "becomes one trace named after the file without its extension. Formats: csv (the history "
      "CSV: timestamp,cpu_usage_milli_cores,memory_usage_megabytes[,request_per_sec]"
      "[,replicas]), bitbrains (one VM of GWA-T-12), google2019 (one task's instance_usage of "
      "the 2019 Borg trace), requests (requests per second, one integer per second), prometheus "
      "(range-query JSON answers given as files, or queried from a live server). Every input is "
      "read before the store is written, so a bad file changes nothing.\n\n"
      "Examples:\n"
      "  podsizer import --format csv --out store.h5 checkout.csv search.csv\n"
      "  podsizer import --format prometheus --out store.h5 --prom-cpu cpu.json "
      "--prom-memory mem.json\n"
      "  podsizer import --format prometheus --out store.h5 --prom-url http://localhost:9090 "
      "--prom-selector 'namespace=\"shop\"' --start 2024-05-01T00:00:00Z "
      "--end 2024-05-08T00:00:00Z --step 60");
  command->add_option("--format", options->format, "Input format")
      ->required()
      ->check(CLI::IsMember({"csv", "bitbrains", "google2019", "requests", "prometheus"}));
  command->add_option("--out", options->out_path, "HDF5 store to create or add to")->required();
  command->add_option("inputs", options->inputs, "Input files (not for prometheus)");
  command->add_option("--name", options->name,
                      "Trace name for prometheus (default: the CPU file's stem, or "
                      "'prometheus' for a live query)");
  command->add_option("--start", options->start,
                      "Unix seconds or RFC 3339: the first value's time for requests "
                      "(default 0), the range start for a live prometheus query");
  command
      ->add_option("--google-cpu-cores-per-unit", options->google_cpu_cores_per_unit,
                   "google2019: CPU cores of normalised usage 1.0")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  command
      ->add_option("--google-memory-gib-per-unit", options->google_memory_gib_per_unit,
                   "google2019: memory in GiB of normalised usage 1.0")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  command->add_option("--prom-cpu", options->prom_cpu,
                      "prometheus: JSON answer of the CPU query (cores per pod)");
  command->add_option("--prom-memory", options->prom_memory,
                      "prometheus: JSON answer of the memory query (working set bytes)");
  command->add_option("--prom-rate", options->prom_rate,
                      "prometheus: JSON answer of the request-rate query (optional)");
  command->add_option("--prom-url", options->prom_url,
                      "prometheus: base URL of a live server, e.g. http://localhost:9090");
  command->add_option("--prom-selector", options->prom_selector,
                      "prometheus: label matchers of the workload's pods, e.g. "
                      "namespace=\"shop\",pod=~\"checkout-.*\"");
  command->add_option("--end", options->end, "prometheus: range end (Unix seconds or RFC 3339)");
  command->add_option("--step", options->step_s, "prometheus: query resolution in seconds")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  command->callback([options] { import(*options); });
}

}  // namespace podsizer::cli
