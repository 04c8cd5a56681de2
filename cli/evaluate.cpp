// `podsizer evaluate`: every policy on every what-if scenario and seed, in closed loop through
// the simulated cluster; a table per scenario, the time series and summaries in HDF5, and an
// optional HTML report.
#include <cstdio>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "report/html_report.h"
#include "scenarios/evaluate.h"
#include "scenarios/evaluation_report.h"
#include "scenarios/results_file.h"
#include "scenarios/scenario.h"
#include "traces/errors.h"
#include "traces/log.h"

namespace podsizer::cli {
namespace {

struct EvaluateOptions {
  std::vector<std::string> scenario_paths;
  std::string policies = "static,vpa,krr,autopilot";
  int seeds = 0;
  int threads = 0;
  std::string out_path;
  std::string report_path;
};

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> names;
  std::stringstream in(text);
  std::string name;
  while (std::getline(in, name, ',')) {
    if (!name.empty()) names.push_back(name);
  }
  return names;
}

void evaluate(const EvaluateOptions& o) {
  auto log = traces::named_logger("cli");

  // Inputs first, so that a typo fails before any replay.
  std::vector<scenarios::Scenario> list;
  for (const auto& path : o.scenario_paths) list.push_back(scenarios::load_scenario(path));
  for (std::size_t i = 0; i < list.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (list[i].name == list[j].name) {
        throw traces::InputError(
            list[i].file, 0, "name",
            "scenario name '" + list[i].name + "' is also used by " + list[j].file);
      }
    }
  }
  std::vector<scenarios::PolicyEntry> policies;
  try {
    policies = scenarios::resolve_policies(split_list(o.policies));
  } catch (const std::invalid_argument& e) {
    throw traces::InputError("command line", 0, "--policies", e.what());
  }
  if (policies.empty())
    throw traces::InputError("command line", 0, "--policies", "no policy given");

  // The runs, then every output.
  scenarios::EvaluationOptions options;
  options.seeds = o.seeds;
  options.threads = o.threads;
  const scenarios::Evaluation evaluation = scenarios::evaluate(list, policies, options);
  std::printf("%s", scenarios::format_evaluation(evaluation).c_str());
  scenarios::write_evaluation_hdf5(o.out_path, evaluation);
  log->info("wrote {} runs to {}", evaluation.runs.size(), o.out_path);
  if (!o.report_path.empty()) {
    report::write_html_report(scenarios::build_report(evaluation), o.report_path);
    log->info("wrote the report to {}", o.report_path);
  }
}

}  // namespace

void add_evaluate_command(CLI::App& app) {
  auto o = std::make_shared<EvaluateOptions>();
  CLI::App* command = app.add_subcommand(
      "evaluate",
      "Run every policy on every what-if scenario (scenario YAML files, see scenarios/README.md) "
      "and seed in closed loop through the simulated cluster; print a table per scenario with the "
      "best of each column marked, write every time series and summary to HDF5 and optionally an "
      "HTML report.");
  command->add_option("--scenarios", o->scenario_paths, "Scenario files (YAML)")
      ->required()
      ->expected(1, -1);
  command
      ->add_option("--policies", o->policies,
                   "Comma-separated policies: static, vpa, krr, autopilot, autopilot-ml, or a "
                   "learned policy file (.pt)")
      ->capture_default_str();
  command->add_option("--seeds", o->seeds, "Seeds per scenario; default: each scenario's `seeds`")
      ->check(CLI::PositiveNumber);
  command->add_option("--threads", o->threads, "Threads; default: every core")
      ->check(CLI::PositiveNumber);
  command->add_option("--out", o->out_path, "HDF5 file for time series and summaries")->required();
  command->add_option("--report", o->report_path, "HTML report to write");
  command->callback([o] { evaluate(*o); });
}

}  // namespace podsizer::cli
