#include "scenarios/results_file.h"

#include <filesystem>
#include <map>

#include <H5Cpp.h>

#include "traces/atomic_file.h"
#include "traces/errors.h"

namespace podsizer::scenarios {
namespace {

// The interval columns under the names sim/results.h gives them.
struct IntervalColumn {
  const char* name;
  double sim::IntervalRow::*member;
};
constexpr IntervalColumn kIntervalColumns[] = {
    {"start_s", &sim::IntervalRow::start_s},
    {"end_s", &sim::IntervalRow::end_s},
    {"cpu_request_millicores", &sim::IntervalRow::cpu_request_millicores},
    {"cpu_limit_millicores", &sim::IntervalRow::cpu_limit_millicores},
    {"cpu_usage_millicores", &sim::IntervalRow::cpu_usage_millicores},
    {"cpu_demand_millicores", &sim::IntervalRow::cpu_demand_millicores},
    {"memory_request_bytes", &sim::IntervalRow::memory_request_bytes},
    {"memory_limit_bytes", &sim::IntervalRow::memory_limit_bytes},
    {"memory_usage_bytes", &sim::IntervalRow::memory_usage_bytes},
    {"cpu_slack_millicores", &sim::IntervalRow::cpu_slack_millicores},
    {"memory_slack_bytes", &sim::IntervalRow::memory_slack_bytes},
    {"throttled_seconds", &sim::IntervalRow::throttled_seconds},
    {"throttled_cpu_millicore_seconds", &sim::IntervalRow::throttled_cpu_millicore_seconds},
    {"oom_kills", &sim::IntervalRow::oom_kills},
    {"evictions", &sim::IntervalRow::evictions},
    {"restarts", &sim::IntervalRow::restarts},
    {"pending_seconds", &sim::IntervalRow::pending_seconds},
    {"replicas_mean", &sim::IntervalRow::replicas_mean},
    {"replicas_max", &sim::IntervalRow::replicas_max},
    {"ready_mean", &sim::IntervalRow::ready_mean},
    {"requests", &sim::IntervalRow::requests},
    {"errors", &sim::IntervalRow::errors},
    {"latency_p50_ms", &sim::IntervalRow::latency_p50_ms},
    {"latency_p95_ms", &sim::IntervalRow::latency_p95_ms},
    {"latency_p99_ms", &sim::IntervalRow::latency_p99_ms},
    {"latency_slo_ms", &sim::IntervalRow::latency_slo_ms},
    {"slo_violation_seconds", &sim::IntervalRow::slo_violation_seconds},
    {"cost", &sim::IntervalRow::cost},
};

struct SummaryField {
  const char* name;
  double RunSummary::*member;
};
constexpr SummaryField kSummaryFields[] = {
    {"cost", &RunSummary::cost},
    {"node_cost", &RunSummary::node_cost},
    {"cpu_slack_millicores", &RunSummary::cpu_slack_millicores},
    {"memory_slack_bytes", &RunSummary::memory_slack_bytes},
    {"oom_kills", &RunSummary::oom_kills},
    {"evictions", &RunSummary::evictions},
    {"restarts", &RunSummary::restarts},
    {"throttled_percent", &RunSummary::throttled_percent},
    {"slo_violation_s", &RunSummary::slo_violation_s},
    {"p95_latency_ms", &RunSummary::p95_latency_ms},
    {"error_rate", &RunSummary::error_rate},
    {"mean_replicas", &RunSummary::mean_replicas},
    {"resource_changes", &RunSummary::resource_changes},
    {"duration_s", &RunSummary::duration_s},
};

void write_attribute(const H5::Group& group, const char* name, double value) {
  const H5::Attribute a =
      group.createAttribute(name, H5::PredType::IEEE_F64LE, H5::DataSpace(H5S_SCALAR));
  a.write(H5::PredType::NATIVE_DOUBLE, &value);
}

void write_doubles(const H5::Group& group, const char* name, const std::vector<double>& values) {
  const hsize_t rows = values.size();
  const H5::DataSpace space(1, &rows);
  const H5::DataSet d = group.createDataSet(name, H5::PredType::IEEE_F64LE, space);
  if (rows > 0) d.write(values.data(), H5::PredType::NATIVE_DOUBLE);
}

void write_strings(const H5::Group& group, const char* name,
                   const std::vector<std::string>& values) {
  const H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
  const hsize_t rows = values.size();
  const H5::DataSpace space(1, &rows);
  const H5::DataSet d = group.createDataSet(name, type, space);
  std::vector<const char*> pointers;
  for (const auto& v : values) pointers.push_back(v.c_str());
  if (rows > 0) d.write(pointers.data(), type);
}

std::vector<double> read_doubles(const H5::Group& group, const std::string& name) {
  const H5::DataSet d = group.openDataSet(name);
  hsize_t rows = 0;
  d.getSpace().getSimpleExtentDims(&rows);
  std::vector<double> values(rows);
  if (rows > 0) d.read(values.data(), H5::PredType::NATIVE_DOUBLE);
  return values;
}

std::vector<std::string> read_strings(const H5::Group& group, const std::string& name) {
  const H5::DataSet d = group.openDataSet(name);
  hsize_t rows = 0;
  const H5::DataSpace space = d.getSpace();
  space.getSimpleExtentDims(&rows);
  const H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
  std::vector<char*> pointers(rows, nullptr);
  if (rows > 0) d.read(pointers.data(), type);
  std::vector<std::string> values;
  for (char* p : pointers) values.emplace_back(p ? p : "");
  if (rows > 0) H5::DataSet::vlenReclaim(pointers.data(), type, space);
  return values;
}

}  // namespace

void write_evaluation_hdf5(const std::string& path, const Evaluation& e) {
  const std::string tmp = traces::temporary_path_beside(path);
  try {
    H5::Exception::dontPrint();
    H5::H5File file(tmp, H5F_ACC_TRUNC);
    write_attribute(file.openGroup("/"), "podsizer_evaluation_version", 1.0);

    // One group per run with its series and summary; groups of a scenario and policy are
    // created on first use.
    H5::Group runs = file.createGroup("runs");
    std::map<std::string, H5::Group> groups;
    auto group_at = [&](const std::string& key, const H5::Group& parent, const std::string& name) {
      auto it = groups.find(key);
      if (it == groups.end()) it = groups.emplace(key, parent.createGroup(name)).first;
      return it->second;
    };
    std::vector<double> column;
    for (const RunResult& r : e.runs) {
      const H5::Group scenario = group_at(r.scenario, runs, r.scenario);
      const H5::Group policy = group_at(r.scenario + "/" + r.policy, scenario, r.policy);
      const H5::Group g = policy.createGroup("seed_" + std::to_string(r.seed_index));
      column.resize(r.intervals.size());
      for (const IntervalColumn& c : kIntervalColumns) {
        for (std::size_t i = 0; i < r.intervals.size(); ++i) column[i] = r.intervals[i].*(c.member);
        write_doubles(g, c.name, column);
      }
      for (const SummaryField& f : kSummaryFields)
        write_attribute(g, f.name, r.summary.*(f.member));
      write_attribute(g, "seed", static_cast<double>(r.seed));
      write_attribute(g, "slo_ms", r.slo_ms);
    }

    // The summary as columns, one row per run.
    H5::Group summary = file.createGroup("summary");
    std::vector<std::string> scenario_names, policy_names;
    std::vector<double> seed_index, seed;
    for (const RunResult& r : e.runs) {
      scenario_names.push_back(r.scenario);
      policy_names.push_back(r.policy);
      seed_index.push_back(r.seed_index);
      seed.push_back(static_cast<double>(r.seed));
    }
    write_strings(summary, "scenario", scenario_names);
    write_strings(summary, "policy", policy_names);
    write_doubles(summary, "seed_index", seed_index);
    write_doubles(summary, "seed", seed);
    for (const SummaryField& f : kSummaryFields) {
      column.clear();
      for (const RunResult& r : e.runs) column.push_back(r.summary.*(f.member));
      write_doubles(summary, f.name, column);
    }
    groups.clear();
    file.close();
  } catch (const H5::Exception& ex) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    throw traces::InputError(path, 0, "", "cannot write evaluation results: " + ex.getDetailMsg());
  }
  traces::commit_temporary(tmp, path);
}

std::vector<SummaryRow> read_summary_rows(const std::string& path) {
  try {
    H5::Exception::dontPrint();
    const H5::H5File file(path, H5F_ACC_RDONLY);
    const H5::Group g = file.openGroup("summary");
    const auto scenarios = read_strings(g, "scenario");
    const auto policies = read_strings(g, "policy");
    const auto seed_index = read_doubles(g, "seed_index");
    std::vector<SummaryRow> rows(scenarios.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
      rows[i].scenario = scenarios[i];
      rows[i].policy = policies.at(i);
      rows[i].seed_index = static_cast<int>(seed_index.at(i));
    }
    for (const SummaryField& f : kSummaryFields) {
      const auto values = read_doubles(g, f.name);
      for (std::size_t i = 0; i < rows.size(); ++i) rows[i].summary.*(f.member) = values.at(i);
    }
    return rows;
  } catch (const H5::Exception& ex) {
    throw traces::InputError(path, 0, "summary",
                             "cannot read evaluation results: " + ex.getDetailMsg());
  } catch (const std::out_of_range&) {
    throw traces::InputError(path, 0, "summary", "the summary columns differ in length");
  }
}

std::vector<double> read_run_series(const std::string& path, const std::string& scenario,
                                    const std::string& policy, int seed_index,
                                    const std::string& column) {
  const std::string group =
      "runs/" + scenario + "/" + policy + "/seed_" + std::to_string(seed_index);
  try {
    H5::Exception::dontPrint();
    const H5::H5File file(path, H5F_ACC_RDONLY);
    return read_doubles(file.openGroup(group), column);
  } catch (const H5::Exception& ex) {
    throw traces::InputError(path, 0, group + "/" + column,
                             "cannot read evaluation results: " + ex.getDetailMsg());
  }
}

}  // namespace podsizer::scenarios
