// Evaluation: every policy on every scenario and seed, in closed loop, and the tables of results.
//
// The runs are the product scenario x policy x seed. Each scenario is applied once per seed
// (scenarios/scenario.h: the seed derives from the scenario's seed and the seed's index only),
// and every policy replays that same applied scenario (scenarios/replay.h), so policies are
// compared on identical load. Runs execute in parallel with TBB; each writes its result into a
// slot fixed in advance (scenario-major, then policy, then seed), so the output is the same
// whatever the number of threads and the order they finish in.
//
// The per-scenario table has one row per policy and one column per measure, each the mean over
// the seeds; every measure is better lower, and the best cell of a column is marked when at least
// two rows have a number and they are not all equal (ties are all marked). The same rule marks
// the terminal table and the HTML report (report/html_report.h).
//
// Functions here are re-entrant. A PolicyMaker may be called from several threads at once.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "policies/policy.h"
#include "report/report_model.h"
#include "scenarios/replay.h"
#include "scenarios/scenario.h"

namespace podsizer::scenarios {

using PolicyMaker = std::function<std::unique_ptr<policies::Policy>()>;

struct PolicyEntry {
  std::string label;  // the name in tables and files: "vpa", or a .pt file's stem
  PolicyMaker make;
};

// The policies named on a command line: a name make_policy() knows, or a TorchScript file
// (ending in .pt, labelled by its stem, its card checked now). Throws std::invalid_argument for
// an unknown or repeated name, and for a .pt file when no loader for learned policies is
// registered, saying so; what policies::load_policy() throws for a bad file or card.
std::vector<PolicyEntry> resolve_policies(const std::vector<std::string>& names);

struct EvaluationOptions {
  int seeds = 0;    // runs per scenario and policy; 0: each scenario's own `seeds`
  int threads = 0;  // TBB threads; 0: TBB's default
};

struct Evaluation {
  std::vector<Scenario> scenarios;
  std::vector<std::string> policies;  // labels, in the order given
  std::vector<int> seeds;             // per scenario, how many seeds ran
  std::vector<RunResult> runs;        // scenario-major, then policy, then seed index
  double wall_s = 0;

  // The run of (scenario, policy, seed); REQUIRES: indices in range.
  const RunResult& run(std::size_t scenario, std::size_t policy, int seed) const;
};

// Runs everything. Throws what applying a scenario throws (InputError) before any replay starts,
// and std::invalid_argument when two scenarios share a name.
Evaluation evaluate(const std::vector<Scenario>& scenarios,
                    const std::vector<PolicyEntry>& policies,
                    const EvaluationOptions& options = {});

// The per-scenario table: rows per policy (means over seeds), columns as the file comment says.
report::Table scenario_table(const Evaluation& evaluation, std::size_t scenario);

// Per row and column, whether the cell is the best of its column (see the file comment).
std::vector<std::vector<bool>> best_cells(const report::Table& table);

// The table as aligned plain text, the best cells marked with '*'.
std::string format_table(const report::Table& table);

// Every scenario's table, one after the other, for the terminal.
std::string format_evaluation(const Evaluation& evaluation);

}  // namespace podsizer::scenarios
