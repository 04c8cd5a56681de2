#include "scenarios/evaluate.h"

#include <algorithm>
#include <cassert>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <stdexcept>
#include <utility>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include "policies/recommend.h"
#include "report/format.h"
#include "traces/log.h"

namespace podsizer::scenarios {
namespace {

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The measures of the table, in column order, with how to read each from a run.
struct Measure {
  const char* header;
  report::Unit unit;
  double RunSummary::*member;
};
constexpr Measure kMeasures[] = {
    {"Cost", report::Unit::kDollars, &RunSummary::cost},
    {"CPU slack", report::Unit::kMillicores, &RunSummary::cpu_slack_millicores},
    {"Memory slack", report::Unit::kBytes, &RunSummary::memory_slack_bytes},
    {"OOM kills", report::Unit::kCount, &RunSummary::oom_kills},
    {"Evictions", report::Unit::kCount, &RunSummary::evictions},
    {"Throttled", report::Unit::kPercent, &RunSummary::throttled_percent},
    {"SLO violated", report::Unit::kSeconds, &RunSummary::slo_violation_s},
    {"p95 latency", report::Unit::kMilliseconds, &RunSummary::p95_latency_ms},
    {"Changes", report::Unit::kCount, &RunSummary::resource_changes},
};

}  // namespace

std::vector<PolicyEntry> resolve_policies(const std::vector<std::string>& names) {
  std::vector<PolicyEntry> entries;
  const std::vector<std::string> known = policies::known_policies();
  for (const std::string& name : names) {
    PolicyEntry entry;
    if (ends_with(name, ".pt")) {
      // A TorchScript file goes to the loader the learned-policy library registers
      // (policies/recommend.h), which checks its card once here; each run then builds its own
      // instance. Without a loader the build has no LibTorch policies, which the message says.
      if (!policies::has_policy_loader()) {
        throw std::invalid_argument(
            "policy " + name +
            ": learned policies (.pt files) need the learned-policy support, "
            "which this build of podsizer does not include");
      }
      entry = {std::filesystem::path(name).stem().string(), policies::load_policy(name).make};
    } else {
      if (std::find(known.begin(), known.end(), name) == known.end()) {
        std::string list;
        for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
        throw std::invalid_argument("unknown policy '" + name + "'; known: " + list);
      }
      entry = {name, [name] { return policies::make_policy(name); }};
    }
    for (const auto& e : entries) {
      if (e.label == entry.label) {
        throw std::invalid_argument("policy '" + entry.label + "' is named twice");
      }
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

const RunResult& Evaluation::run(std::size_t scenario, std::size_t policy, int seed) const {
  std::size_t index = 0;
  for (std::size_t s = 0; s < scenario; ++s) index += policies.size() * seeds[s];
  index += policy * seeds[scenario] + static_cast<std::size_t>(seed);
  assert(index < runs.size() && "run indices in range");
  return runs[index];
}

Evaluation evaluate(const std::vector<Scenario>& scenarios,
                    const std::vector<PolicyEntry>& policies, const EvaluationOptions& options) {
  auto log = traces::named_logger("scenarios");
  const auto started = std::chrono::steady_clock::now();
  // Names become groups of the results file: each must be unique.
  for (std::size_t i = 0; i < scenarios.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (scenarios[i].name == scenarios[j].name) {
        throw std::invalid_argument("scenario name '" + scenarios[i].name + "' is used by both " +
                                    scenarios[j].file + " and " + scenarios[i].file);
      }
    }
  }
  Evaluation e;
  e.scenarios = scenarios;
  for (const auto& p : policies) e.policies.push_back(p.label);

  // The slots: one applied scenario per (scenario, seed), one run per (scenario, policy, seed).
  struct Task {
    std::size_t applied;  // index into `applied`
    std::size_t policy;
    int seed;
  };
  std::vector<std::pair<std::size_t, int>> applied_keys;
  std::vector<Task> tasks;
  for (std::size_t s = 0; s < scenarios.size(); ++s) {
    const int seeds = options.seeds > 0 ? options.seeds : scenarios[s].seeds;
    e.seeds.push_back(seeds);
    const std::size_t first = applied_keys.size();
    for (int k = 0; k < seeds; ++k) applied_keys.emplace_back(s, k);
    for (std::size_t p = 0; p < policies.size(); ++p) {
      for (int k = 0; k < seeds; ++k) tasks.push_back({first + static_cast<std::size_t>(k), p, k});
    }
  }
  std::vector<AppliedScenario> applied(applied_keys.size());
  e.runs.resize(tasks.size());

  tbb::task_arena arena(options.threads > 0 ? options.threads : tbb::task_arena::automatic);
  arena.execute([&] {
    // Apply every (scenario, seed) first, so a bad input fails before hours of replay.
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, applied.size(), 1), [&](const auto& r) {
      for (std::size_t i = r.begin(); i != r.end(); ++i) {
        applied[i] = apply_scenario(scenarios[applied_keys[i].first], applied_keys[i].second);
      }
    });
    log->info("evaluating {} policies on {} scenario runs: {} replays", policies.size(),
              applied.size(), tasks.size());

    // Then every replay into its own slot.
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, tasks.size(), 1), [&](const auto& r) {
      for (std::size_t i = r.begin(); i != r.end(); ++i) {
        const Task& t = tasks[i];
        std::unique_ptr<policies::Policy> policy = policies[t.policy].make();
        RunResult result = replay(applied[t.applied], *policy);
        result.policy = policies[t.policy].label;
        result.seed_index = t.seed;
        e.runs[i] = std::move(result);
      }
    });
  });
  e.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  log->info("evaluated {} replays in {:.2f} s", tasks.size(), e.wall_s);
  return e;
}

report::Table scenario_table(const Evaluation& e, std::size_t scenario) {
  report::Table table;
  const Scenario& s = e.scenarios[scenario];
  table.title = s.name;
  table.caption = "Means over " + std::to_string(e.seeds[scenario]) +
                  " seed(s); lower is better in every column. Slack is request minus usage.";
  for (const Measure& m : kMeasures)
    table.columns.push_back({m.header, m.unit, report::Better::kLower});

  for (std::size_t p = 0; p < e.policies.size(); ++p) {
    report::Row row;
    row.label = e.policies[p];
    row.key = e.policies[p];
    for (const Measure& m : kMeasures) {
      double sum = 0;
      for (int k = 0; k < e.seeds[scenario]; ++k) sum += e.run(scenario, p, k).summary.*(m.member);
      row.cells.emplace_back(sum / e.seeds[scenario]);
    }
    table.rows.push_back(std::move(row));
  }
  return table;
}

std::vector<std::vector<bool>> best_cells(const report::Table& table) {
  std::vector<std::vector<bool>> marks(table.rows.size(),
                                       std::vector<bool>(table.columns.size(), false));
  for (std::size_t c = 0; c < table.columns.size(); ++c) {
    const report::Better better = table.columns[c].better;
    if (better == report::Better::kNone) continue;

    // The range of the column's numbers; text and NaN cells take no part.
    int numbers = 0;
    double low = 0, high = 0;
    for (const report::Row& row : table.rows) {
      if (c >= row.cells.size() || !row.cells[c].text.empty()) continue;
      const double v = row.cells[c].value;
      if (!std::isfinite(v)) continue;
      low = numbers == 0 ? v : std::min(low, v);
      high = numbers == 0 ? v : std::max(high, v);
      ++numbers;
    }

    // Marked only when it tells something: two numbers at least, not all equal.
    if (numbers < 2 || !(low < high)) continue;
    const double best = better == report::Better::kLower ? low : high;
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
      const auto& cells = table.rows[r].cells;
      marks[r][c] = c < cells.size() && cells[c].text.empty() && cells[c].value == best;
    }
  }
  return marks;
}

std::string format_table(const report::Table& table) {
  // Every cell's text first, the best ones marked, then the widths.
  const auto marks = best_cells(table);
  std::vector<std::vector<std::string>> grid;
  std::vector<std::string> header{table.label_header};
  for (const auto& c : table.columns) header.push_back(c.header);
  grid.push_back(header);
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    std::vector<std::string> line{table.rows[r].label};
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
      const report::Cell& cell =
          c < table.rows[r].cells.size() ? table.rows[r].cells[c] : report::Cell{};
      // Percentages with two decimals: a terminal has no room for 0.0000000144 %.
      const report::Unit unit = table.columns[c].unit;
      std::string text = !cell.text.empty()       ? cell.text
                         : std::isnan(cell.value) ? std::string("-")
                         : unit == report::Unit::kPercent
                             ? report::format_fixed(cell.value, 2) + " %"
                             : report::format_value(cell.value, unit);
      line.push_back(text + (marks[r][c] ? " *" : "  "));
    }
    grid.push_back(line);
  }
  std::vector<std::size_t> width(header.size(), 0);
  for (const auto& line : grid) {
    for (std::size_t c = 0; c < line.size(); ++c) {
      // Width in characters, not bytes: the formatter writes a few multi-byte signs (an en dash).
      std::size_t chars = 0;
      for (unsigned char ch : line[c]) chars += (ch & 0xC0) != 0x80;
      width[c] = std::max(width[c], chars);
    }
  }

  // The label column left-aligned, the numbers right-aligned.
  std::string out = table.title + "\n";
  for (std::size_t i = 0; i < grid.size(); ++i) {
    const auto& line = grid[i];
    for (std::size_t c = 0; c < line.size(); ++c) {
      std::size_t chars = 0;
      for (unsigned char ch : line[c]) chars += (ch & 0xC0) != 0x80;
      const std::string pad(width[c] - chars, ' ');
      out += c == 0 ? line[c] + pad : "  " + pad + line[c];
    }
    out += "\n";
  }
  out += "(* best in its column; " + table.caption + ")\n";
  return out;
}

std::string format_evaluation(const Evaluation& e) {
  std::string out;
  for (std::size_t s = 0; s < e.scenarios.size(); ++s) {
    if (s > 0) out += "\n";
    out += format_table(scenario_table(e, s));
  }
  return out;
}

}  // namespace podsizer::scenarios
