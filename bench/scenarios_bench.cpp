// scenarios/: wall time of a full evaluation, 5 policies x the 10 example scenarios x 30 days,
// one seed, on a given number of threads (2 by default), plus applying the scenarios alone.
//
//   scenarios_bench [--threads N] [--days D] [--policies a,b,c] [--out RESULTS.h5]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "scenarios/evaluate.h"
#include "scenarios/results_file.h"
#include "scenarios/scenario.h"

namespace fs = std::filesystem;
using namespace podsizer::scenarios;

int main(int argc, char** argv) {
  int threads = 2;
  double days = 30;
  std::string out;
  std::string policy_list = "static,vpa,krr,autopilot,autopilot-ml";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--threads") threads = std::atoi(argv[i + 1]);
    if (flag == "--days") days = std::atof(argv[i + 1]);
    if (flag == "--out") out = argv[i + 1];
    if (flag == "--policies") policy_list = argv[i + 1];
  }

  // The example scenarios, stretched to the benchmark's length, in name order.
  std::vector<fs::path> files;
  for (const auto& entry :
       fs::directory_iterator(fs::path(PODSIZER_SOURCE_DIR) / "scenarios" / "examples")) {
    if (entry.path().extension() == ".yaml") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<Scenario> scenarios;
  for (const auto& f : files) {
    Scenario s = load_scenario(f.string());
    s.duration_s = days * 86400.0;
    s.seeds = 1;
    scenarios.push_back(std::move(s));
  }
  std::vector<std::string> names;
  for (std::size_t at = 0; at <= policy_list.size();) {
    const std::size_t comma = std::min(policy_list.find(',', at), policy_list.size());
    if (comma > at) names.push_back(policy_list.substr(at, comma - at));
    at = comma + 1;
  }
  const auto policies = resolve_policies(names);

  // Applying alone (synthetic generation and the load changes), then the whole evaluation.
  auto t0 = std::chrono::steady_clock::now();
  for (const auto& s : scenarios) apply_scenario(s, 0);
  const double apply_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  EvaluationOptions options;
  options.threads = threads;
  const Evaluation e = evaluate(scenarios, policies, options);
  std::printf("%s\n", format_evaluation(e).c_str());
  std::printf("scenarios: %zu, policies: %zu, days: %.0f, threads: %d\n", scenarios.size(),
              policies.size(), days, threads);
  std::printf("apply all scenarios (one thread): %.3f s\n", apply_s);
  std::printf("evaluation: %zu replays in %.2f s wall (%.2f s per replay per thread)\n",
              e.runs.size(), e.wall_s, e.wall_s * threads / static_cast<double>(e.runs.size()));
  if (!out.empty()) {
    t0 = std::chrono::steady_clock::now();
    write_evaluation_hdf5(out, e);
    std::printf("HDF5 write: %.2f s, %.1f MB\n",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
                static_cast<double>(fs::file_size(out)) / 1e6);
  }
  return 0;
}
