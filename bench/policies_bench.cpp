// policies/: how long a walk-forward backtest takes, and how the baselines fare on the shared
// traces.
//
//   policies_bench            backtest a 30-day, 5-minute synthetic history with every baseline
//                             (median of 5 runs each; the goal for vpa is under 0.2 s)
//   policies_bench --shared   mean scores of every baseline over the shared public traces
//   policies_bench --tune     the sweep that chose autopilot-ml's overrun weights (see
//                             policies/autopilot_ml.h)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "policies/backtest.h"
#include "policies/policy.h"
#include "traces/log.h"
#include "traces/readers.h"
#include "traces/synthetic.h"

namespace pp = podsizer::policies;
namespace pt = podsizer::traces;

namespace {

void time_backtests() {
  pt::SyntheticOptions options;
  options.duration_s = 30 * 86400.0;
  options.step_s = 300.0;
  const pt::Trace history = pt::generate_synthetic(options);
  const pt::AppSpec app = pt::default_app_spec();
  std::printf("backtest of %zu samples (30 days every 5 min), decisions every 1 h\n",
              history.size());
  std::printf("%-14s %12s %12s\n", "policy", "median (s)", "samples/s");

  for (const std::string& name : pp::known_policies()) {
    std::vector<double> seconds;
    for (int run = 0; run < 5; ++run) {
      auto policy = pp::make_policy(name);
      const auto begin = std::chrono::steady_clock::now();
      const auto result = pp::run_backtest(history, *policy, app);
      const auto end = std::chrono::steady_clock::now();
      if (result.timeline.empty()) std::printf("no decisions\n");
      seconds.push_back(std::chrono::duration<double>(end - begin).count());
    }
    std::sort(seconds.begin(), seconds.end());
    const double median = seconds[seconds.size() / 2];
    std::printf("%-14s %12.4f %12.0f\n", name.c_str(), median,
                static_cast<double>(history.size()) / median);
  }
}

// Every shared trace of at least two days (Bitbrains VMs and Google 2019 tasks).
std::vector<pt::Trace> shared_traces() {
  std::vector<pt::Trace> traces;
  const std::filesystem::path root = PODSIZER_SHARED_TRACES;
  std::vector<std::filesystem::path> files;
  for (const char* folder : {"bitbrains-rnd", "google2019"}) {
    if (!std::filesystem::exists(root / folder)) continue;
    for (const auto& entry : std::filesystem::directory_iterator(root / folder)) {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    try {
      pt::Trace trace = file.parent_path().filename() == "bitbrains-rnd"
                            ? pt::read_bitbrains(file.string())
                            : pt::read_google2019(file.string());
      if (trace.span_s() >= 2 * 86400.0) traces.push_back(std::move(trace));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "skipped %s: %s\n", file.c_str(), e.what());
    }
  }
  return traces;
}

void mean_scores(const std::vector<pt::Trace>& traces, const std::string& name,
                 const pp::PolicyOptions& options, const std::string& label) {
  double throttled = 0, ooms = 0, slack = 0, cpu = 0, memory = 0, changes = 0;
  int n = 0;
  for (const auto& trace : traces) {
    const auto r = pp::run_backtest(trace, name, pp::default_app_for_history(trace), {}, options);
    throttled += r.score.cpu_throttled_percent;
    ooms += r.score.oom_samples_per_day;
    slack += r.score.memory_slack.value_or(0.0);
    cpu += r.score.mean_cpu_request_millicores.value_or(0.0);
    memory += r.score.mean_memory_request_mib.value_or(0.0);
    changes += r.score.changes_per_day;
    ++n;
  }
  if (n == 0) return;
  std::printf("%-26s %8.2f %9.3f %8.1f %10.1f %10.1f %8.2f\n", label.c_str(), throttled / n,
              ooms / n, 100 * slack / n, cpu / n, memory / n, changes / n);
  std::fflush(stdout);
}

void print_header(std::size_t traces) {
  std::printf("means over %zu shared traces (default app from each trace's first day)\n", traces);
  std::printf("%-26s %8s %9s %8s %10s %10s %8s\n", "policy", "thr. %", "OOM/day", "slack %",
              "CPU req m", "mem MiB", "chg/day");
}

}  // namespace

int main(int argc, char** argv) {
  pt::set_log_level("warn");
  const std::string mode = argc > 1 ? argv[1] : "";

  if (mode.empty()) {
    time_backtests();
    return 0;
  }
  const auto traces = shared_traces();
  print_header(traces.size());
  if (mode == "--shared") {
    for (const auto& name : pp::known_policies()) mean_scores(traces, name, {}, name);
  } else if (mode == "--tune") {
    mean_scores(traces, "autopilot", {}, "autopilot");
    for (double w : {3.0, 10.0, 30.0, 100.0, 300.0}) {
      char label[64];
      std::snprintf(label, sizeof label, "autopilot-ml w_o=%g", w);
      mean_scores(traces, "autopilot-ml", {{"cpu_overrun_weight", w}, {"memory_overrun_weight", w}},
                  label);
    }
  } else {
    std::fprintf(stderr, "usage: policies_bench [--shared | --tune]\n");
    return 2;
  }
  return 0;
}
