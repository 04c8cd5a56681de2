// Validation of a policy during and after training: walk-forward backtests (policies/backtest.h)
// on traces the learner never trained on, scored against VPA's recommender on the same traces.
//
// The validation set is either the files listed under `validation.traces` in the training YAML
// (split by file: those files are removed from the training pool) or, without any, a few
// synthetic histories seeded from eval_seed (distinct from the environment's scenario seeds).
//
// Score of one backtest, lower is better, relative to VPA on the same trace:
//   footprint = (cpu cores requested + memory GiB requested / 4) / (VPA's same)
//   risk      = share of samples above the memory limit (an OOM kill)
//             + share of samples whose memory exceeds the request (eviction exposure) / 4
//             + share of samples above the CPU limit (throttling) / 4
//   score     = footprint + w · risk,   w = 2, 10, 50 for savings, balanced, reliability
// 4 GiB per core is the usual ratio of cloud list prices for memory and CPU. VPA's own score is
// 1 + w · its risk.
//
// A backtest cannot show what a setting causes: a tight memory request packs nodes until the
// kernel kills, a crash loop hides the memory that caused it. With `closed_loop` each trace is
// also replayed in closed loop (policies/closed_loop.h, seed 1) and its outcome adds
//   closed-loop risk = max(SLO-violated share of the time, share of requests dropped)
//                    + ln(1 + OOM kills per day) / 40 + ln(1 + evictions per day) / 80
// times the same w to the trace's score: one kill a day weighs 1.7 % of the footprint at
// balanced, a crash loop of a hundred a day 12 %, an SLO broken all the time 10 footprints.
// The validation score is the mean over traces. Re-entrant.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "policies/backtest.h"
#include "policies/learned/learned_policy.h"
#include "sim/results.h"
#include "traces/app_spec.h"
#include "traces/trace.h"
#include "train/train_config.h"

namespace podsizer::train {

struct ValidationSet {
  std::vector<traces::Trace> traces;
  std::string description;  // which files (or which synthetic histories)
};

// Reads one trace file, recognising its format by its header: Bitbrains (`Timestamp [ms];`),
// Google 2019 (`avg_cpu_usage` column) or the history CSV. Throws traces::InputError.
traces::Trace read_trace_file(const std::string& path);

// The files named by `paths`: a directory stands for its regular files, sorted by name.
std::vector<std::string> expand_trace_paths(const std::vector<std::string>& paths);

ValidationSet make_validation_set(const TrainConfig& config);

// One policy's backtests on every trace, and their mean score.
struct PolicyValidation {
  std::string policy;
  double score = 0;
  std::vector<policies::BacktestScore> per_trace;
  std::vector<sim::WorkloadSummary> closed_loop;  // per trace; empty without closed loop
  // Means over traces of the backtest figures (policies::BacktestScore), for the card and log.
  std::map<std::string, double> figures;
};

// The backtest score of `s` relative to the footprint of `reference` (see the file comment).
double backtest_score(const policies::BacktestScore& s, const policies::BacktestScore& reference,
                      traces::Objective objective);

// The closed-loop risk of one replay (see the file comment), before the objective's weight.
double closed_loop_risk(const sim::WorkloadSummary& replay);

// Backtests the policy `make` builds on every trace of `set`; `reference` holds VPA's backtests
// of the same traces (in order) and scores are relative to it. Pass an empty `reference` to
// backtest the reference itself (then every footprint is 1).
PolicyValidation validate_policy(const std::string& name,
                                 const std::function<std::unique_ptr<policies::Policy>()>& make,
                                 const ValidationSet& set, traces::Objective objective,
                                 const PolicyValidation* reference, double decision_interval_s,
                                 bool closed_loop = false);

}  // namespace podsizer::train
