// The HDF5 file of an evaluation: every run's time series and every run's summary.
//
// Layout (any HDF5 reader opens it; h5py: f["runs/flash-crowd/vpa/seed_0/cpu_usage_millicores"]):
//   /                             attribute podsizer_evaluation_version = 1
//   /runs/<scenario>/<policy>/seed_<k>
//       one float64 dataset per interval column (the names of sim/results.h: start_s, end_s,
//       cpu_request_millicores, ..., cost), and the run's summary as float64 attributes
//       (cost, node_cost, cpu_slack_millicores, ..., resource_changes), plus `seed` (the run's
//       derived seed) and `slo_ms`
//   /summary                      one row per run, in the evaluation's order, as 1-D datasets:
//       scenario, policy (variable-length strings), seed_index, seed, and every summary field
//
// Written to a temporary file beside the target and renamed over it (traces/atomic_file.h), so
// a failure leaves the old file as it was. HDF5's C++ calls are serialised by the library; call
// these from one thread.
#pragma once

#include <string>
#include <vector>

#include "scenarios/evaluate.h"

namespace podsizer::scenarios {

// Writes `evaluation` to `path` atomically. Throws traces::InputError naming the path on failure.
void write_evaluation_hdf5(const std::string& path, const Evaluation& evaluation);

// One row of /summary as read back.
struct SummaryRow {
  std::string scenario;
  std::string policy;
  int seed_index = 0;
  RunSummary summary;
};

// Reads /summary back (for tests and later reports). Throws traces::InputError naming the path.
std::vector<SummaryRow> read_summary_rows(const std::string& path);

// Reads one column of one run's time series, e.g. ("traffic-x2", "vpa", 0, "replicas_mean").
std::vector<double> read_run_series(const std::string& path, const std::string& scenario,
                                    const std::string& policy, int seed_index,
                                    const std::string& column);

}  // namespace podsizer::scenarios
