// `podsizer inspect`: what an HDF5 trace store holds, trace by trace.
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/trace_summary.h"
#include "traces/store.h"

namespace podsizer::cli {
namespace {

struct InspectOptions {
  std::string store_path;
  bool json = false;
};

nlohmann::json stats_json(const ColumnStats& stats, const std::string& p50, const std::string& p95,
                          const std::string& max) {
  return {{"mean", stats.mean},  {"p50", stats.p50},    {"p95", stats.p95},   {"max", stats.max},
          {"p50_quantity", p50}, {"p95_quantity", p95}, {"max_quantity", max}};
}

nlohmann::json trace_json(const traces::Trace& trace, const TraceSummary& s) {
  nlohmann::json out = {{"name", trace.meta.name},
                        {"source", trace.meta.source},
                        {"samples", s.samples},
                        {"span_s", s.span_s},
                        {"interval_s", s.interval_s}};
  if (s.samples > 0) out["start"] = format_utc(s.first_time_s);
  if (s.cpu_millicores) {
    const ColumnStats& c = *s.cpu_millicores;
    out["cpu_millicores"] = stats_json(c, format_cpu_rounded(c.p50), format_cpu_rounded(c.p95),
                                       format_cpu_rounded(c.max));
  }
  if (s.memory_bytes) {
    const ColumnStats& m = *s.memory_bytes;
    out["memory_bytes"] = stats_json(m, format_memory_rounded(m.p50), format_memory_rounded(m.p95),
                                     format_memory_rounded(m.max));
  }
  if (s.request_rate) {
    out["request_rate"] = {
        {"mean", s.request_rate->mean}, {"p95", s.request_rate->p95}, {"max", s.request_rate->max}};
  }
  return out;
}

void print_trace(const traces::Trace& trace, const TraceSummary& s) {
  std::printf("%s (%s)\n", trace.meta.name.c_str(), trace.meta.source.c_str());
  std::printf("  samples   %zu over %s, every %s", s.samples, format_duration(s.span_s).c_str(),
              format_duration(s.interval_s).c_str());
  if (s.samples > 0) std::printf(", from %s", format_utc(s.first_time_s).c_str());
  std::printf("\n");
  if (s.cpu_millicores) {
    const ColumnStats& c = *s.cpu_millicores;
    std::printf("  cpu       p50 %-8s p95 %-8s max %s\n", format_cpu_rounded(c.p50).c_str(),
                format_cpu_rounded(c.p95).c_str(), format_cpu_rounded(c.max).c_str());
  }
  if (s.memory_bytes) {
    const ColumnStats& m = *s.memory_bytes;
    std::printf("  memory    p50 %-8s p95 %-8s max %s\n", format_memory_rounded(m.p50).c_str(),
                format_memory_rounded(m.p95).c_str(), format_memory_rounded(m.max).c_str());
  }
  if (s.request_rate) std::printf("  requests  mean %.2f req/s\n", s.request_rate->mean);
}

void inspect(const InspectOptions& options) {
  nlohmann::json all = nlohmann::json::array();
  for (const std::string& name : traces::list_traces(options.store_path)) {
    const traces::Trace trace = traces::read_trace(options.store_path, name);
    const TraceSummary summary = summarize(trace);
    if (options.json) {
      all.push_back(trace_json(trace, summary));
    } else {
      print_trace(trace, summary);
    }
  }
  if (options.json) std::cout << nlohmann::json{{"traces", all}}.dump(2) << "\n";
}

}  // namespace

void add_inspect_command(CLI::App& app) {
  auto options = std::make_shared<InspectOptions>();
  CLI::App* command = app.add_subcommand("inspect", "Describe every trace of an HDF5 trace store");
  command->footer(
      "For each trace: samples, time span, sampling interval, CPU and memory per pod at p50, "
      "p95 and max as Kubernetes quantities (memory rounded to MiB), and the mean request rate "
      "when the trace has one. --json prints the same with exact numbers.");
  command->add_option("store", options->store_path, "HDF5 trace store")->required();
  command->add_flag("--json", options->json, "Print JSON instead of text");
  command->callback([options] { inspect(*options); });
}

}  // namespace podsizer::cli
