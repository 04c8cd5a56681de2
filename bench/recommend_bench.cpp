// policies/: how long `podsizer recommend` takes on a 30-day, 5-minute history, the goal being
// under 1 s including the counterfactual replay.
//
//   recommend_bench   for each baseline: the whole recommendation (policy, guardrails,
//                     16-resample bootstrap, two replays), and its parts alone: the policy with
//                     the bootstrap and no replay, and one replay. Median of 5 runs each.
#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "policies/recommend.h"
#include "traces/log.h"
#include "traces/synthetic.h"

namespace pp = podsizer::policies;
namespace pt = podsizer::traces;

namespace {

// CPU seconds used by this process so far, all threads together.
double process_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

struct Timing {
  double wall_s = 0;  // median wall time
  double cpu_s = 0;   // median CPU time over all threads
};

// Median wall and CPU time of `runs` calls of `work`. On a shared machine the wall time grows
// with the other load; the CPU time says what the work itself costs.
Timing median_timing(int runs, const std::function<void()>& work) {
  std::vector<double> wall, cpu;
  for (int run = 0; run < runs; ++run) {
    const auto begin = std::chrono::steady_clock::now();
    const double cpu_begin = process_cpu_seconds();
    work();
    cpu.push_back(process_cpu_seconds() - cpu_begin);
    wall.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count());
  }
  std::sort(wall.begin(), wall.end());
  std::sort(cpu.begin(), cpu.end());
  return {wall[wall.size() / 2], cpu[cpu.size() / 2]};
}

}  // namespace

int main() {
  pt::set_log_level("warn");

  // The example app on 30 days of its synthetic load, every 5 minutes.
  const pt::AppSpec app = pt::default_app_spec();
  pt::SyntheticOptions synthetic = pt::synthetic_options_for(app);
  synthetic.duration_s = 30 * 86400.0;
  synthetic.step_s = 300.0;
  const pt::Trace history = pt::generate_synthetic(synthetic);
  std::printf("recommend on %zu samples (30 days every 5 min), median of 5 runs\n",
              history.size());
  std::printf("wall time in seconds (CPU seconds of all threads in brackets)\n");
  std::printf("%-14s %18s %18s %18s %11s\n", "policy", "total", "without replay", "one replay",
              "confidence");
  auto cell = [](const Timing& t) {
    char text[40];
    std::snprintf(text, sizeof text, "%.3f (%.3f)", t.wall_s, t.cpu_s);
    return std::string(text);
  };
  for (const std::string name : {"vpa", "krr", "autopilot", "autopilot-ml"}) {
    const pp::LoadedPolicy policy = pp::load_policy(name);
    pp::RecommendOptions options;
    pp::Recommendation last;
    const Timing total = median_timing(5, [&] {
      last = pp::recommend(app, history, nullptr, policy, options);
    });
    options.counterfactual = false;
    const Timing without_replay = median_timing(5, [&] {
      pp::recommend(app, history, nullptr, policy, options);
    });
    const Timing one_replay = median_timing(5, [&] {
      pp::replay(app, history, nullptr, last.resources, last.hpa_target_utilization, 1);
    });
    std::printf("%-14s %18s %18s %18s %11.2f\n", name.c_str(), cell(total).c_str(),
                cell(without_replay).c_str(), cell(one_replay).c_str(), last.confidence.value);
  }
  return 0;
}
