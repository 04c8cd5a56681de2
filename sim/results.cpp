#include "sim/results.h"

#include <cstdio>
#include <filesystem>

#include <H5Cpp.h>

#include "traces/atomic_file.h"
#include "traces/errors.h"

namespace podsizer::sim {

namespace {

// The interval columns, in the order they are written.
struct Column {
  const char* name;
  double IntervalRow::*member;
};
constexpr Column kColumns[] = {
    {"start_s", &IntervalRow::start_s},
    {"end_s", &IntervalRow::end_s},
    {"cpu_request_millicores", &IntervalRow::cpu_request_millicores},
    {"cpu_limit_millicores", &IntervalRow::cpu_limit_millicores},
    {"cpu_usage_millicores", &IntervalRow::cpu_usage_millicores},
    {"cpu_demand_millicores", &IntervalRow::cpu_demand_millicores},
    {"memory_request_bytes", &IntervalRow::memory_request_bytes},
    {"memory_limit_bytes", &IntervalRow::memory_limit_bytes},
    {"memory_usage_bytes", &IntervalRow::memory_usage_bytes},
    {"cpu_slack_millicores", &IntervalRow::cpu_slack_millicores},
    {"memory_slack_bytes", &IntervalRow::memory_slack_bytes},
    {"throttled_seconds", &IntervalRow::throttled_seconds},
    {"throttled_cpu_millicore_seconds", &IntervalRow::throttled_cpu_millicore_seconds},
    {"memory_over_request_seconds", &IntervalRow::memory_over_request_seconds},
    {"oom_kills", &IntervalRow::oom_kills},
    {"evictions", &IntervalRow::evictions},
    {"restarts", &IntervalRow::restarts},
    {"pending_seconds", &IntervalRow::pending_seconds},
    {"replicas_mean", &IntervalRow::replicas_mean},
    {"replicas_max", &IntervalRow::replicas_max},
    {"ready_mean", &IntervalRow::ready_mean},
    {"requests", &IntervalRow::requests},
    {"errors", &IntervalRow::errors},
    {"latency_p50_ms", &IntervalRow::latency_p50_ms},
    {"latency_p95_ms", &IntervalRow::latency_p95_ms},
    {"latency_p99_ms", &IntervalRow::latency_p99_ms},
    {"latency_slo_ms", &IntervalRow::latency_slo_ms},
    {"slo_violation_seconds", &IntervalRow::slo_violation_seconds},
    {"cost", &IntervalRow::cost},
};

struct SummaryField {
  const char* name;
  double WorkloadSummary::*member;
};
constexpr SummaryField kSummary[] = {
    {"duration_s", &WorkloadSummary::duration_s},
    {"oom_kills", &WorkloadSummary::oom_kills},
    {"evictions", &WorkloadSummary::evictions},
    {"restarts", &WorkloadSummary::restarts},
    {"throttled_seconds", &WorkloadSummary::throttled_seconds},
    {"memory_over_request_seconds", &WorkloadSummary::memory_over_request_seconds},
    {"pending_seconds", &WorkloadSummary::pending_seconds},
    {"slo_violation_seconds", &WorkloadSummary::slo_violation_seconds},
    {"p50_latency_ms", &WorkloadSummary::p50_latency_ms},
    {"p95_latency_ms", &WorkloadSummary::p95_latency_ms},
    {"p99_latency_ms", &WorkloadSummary::p99_latency_ms},
    {"max_interval_p95_ms", &WorkloadSummary::max_interval_p95_ms},
    {"mean_replicas", &WorkloadSummary::mean_replicas},
    {"max_replicas", &WorkloadSummary::max_replicas},
    {"requests", &WorkloadSummary::requests},
    {"errors", &WorkloadSummary::errors},
    {"error_rate", &WorkloadSummary::error_rate},
    {"cpu_request_core_hours", &WorkloadSummary::cpu_request_core_hours},
    {"memory_request_gib_hours", &WorkloadSummary::memory_request_gib_hours},
    {"cpu_usage_core_hours", &WorkloadSummary::cpu_usage_core_hours},
    {"memory_usage_gib_hours", &WorkloadSummary::memory_usage_gib_hours},
    {"mean_cpu_slack_millicores", &WorkloadSummary::mean_cpu_slack_millicores},
    {"mean_memory_slack_bytes", &WorkloadSummary::mean_memory_slack_bytes},
    {"cost", &WorkloadSummary::cost},
};

void write_double(const H5::Group& group, const char* name, double value) {
  H5::Attribute a =
      group.createAttribute(name, H5::PredType::IEEE_F64LE, H5::DataSpace(H5S_SCALAR));
  a.write(H5::PredType::NATIVE_DOUBLE, &value);
}

void write_vector(const H5::Group& group, const char* name, const std::vector<double>& values) {
  hsize_t rows = values.size();
  H5::DataSpace space(1, &rows);
  H5::DataSet d = group.createDataSet(name, H5::PredType::IEEE_F64LE, space);
  if (rows > 0) d.write(values.data(), H5::PredType::NATIVE_DOUBLE);
}

}  // namespace

void write_results_hdf5(const std::string& path, const SimulationResults& results) {
  std::string tmp = traces::temporary_path_beside(path);
  try {
    H5::Exception::dontPrint();
    H5::H5File file(tmp, H5F_ACC_TRUNC);
    H5::Group root = file.openGroup("/");
    write_double(root, "seed", static_cast<double>(results.seed));

    // The cluster's totals.
    H5::Group cluster = file.createGroup("cluster");
    write_double(cluster, "node_hours", results.cluster.node_hours);
    write_double(cluster, "node_cost", results.cluster.node_cost);
    write_double(cluster, "max_nodes", results.cluster.max_nodes);
    write_double(cluster, "nodes_added", results.cluster.nodes_added);
    write_double(cluster, "nodes_removed", results.cluster.nodes_removed);

    // One group per workload: interval columns and summary attributes.
    H5::Group workloads = file.createGroup("workloads");
    for (std::size_t w = 0; w < results.workload_names.size(); ++w) {
      H5::Group g = workloads.createGroup(results.workload_names[w]);
      const auto& rows = results.intervals[w];
      std::vector<double> column(rows.size());
      for (const Column& c : kColumns) {
        for (std::size_t i = 0; i < rows.size(); ++i) column[i] = rows[i].*(c.member);
        write_vector(g, c.name, column);
      }
      for (const SummaryField& f : kSummary)
        write_double(g, f.name, results.summaries[w].*(f.member));
    }
    file.close();
  } catch (const H5::Exception& e) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    throw traces::InputError(path, 0, "", "cannot write results: " + e.getDetailMsg());
  }
  traces::commit_temporary(tmp, path);
}

std::vector<IntervalRow> read_interval_rows(const std::string& path, const std::string& workload) {
  std::vector<IntervalRow> rows;
  try {
    H5::Exception::dontPrint();
    H5::H5File file(path, H5F_ACC_RDONLY);
    H5::Group g = file.openGroup("workloads/" + workload);
    for (const Column& c : kColumns) {
      H5::DataSet d = g.openDataSet(c.name);
      hsize_t n = 0;
      d.getSpace().getSimpleExtentDims(&n);
      std::vector<double> values(n);
      if (n > 0) d.read(values.data(), H5::PredType::NATIVE_DOUBLE);
      rows.resize(n);
      for (std::size_t i = 0; i < n; ++i) rows[i].*(c.member) = values[i];
    }
  } catch (const H5::Exception& e) {
    throw traces::InputError(path, 0, workload, "cannot read results: " + e.getDetailMsg());
  }
  return rows;
}

}  // namespace podsizer::sim
