// The policy card: the YAML file beside an exported policy (POLICY.card.yaml next to POLICY.pt)
// that says what the policy is and what it needs to run correctly.
//
//   format: 1
//   podsizer_version: 0.1.0          # the podsizer that exported it; loading requires the same
//   policy_file: policy.pt
//   sha256: <hex digest of policy_file>
//   objective: balanced
//   training_data: ...                # free text: scenarios and trace files
//   validation_data: ...              # free text: the traces the evaluation table used
//   feature_bin_s: 300
//   decision_interval_s: 3600
//   change_tolerance: 0.05
//   env_steps: 123456
//   features: [cpu_ref_log_millicores, ...]   # order and units (in the names), env/README.md
//   outputs: [cpu_request_millicores, ...]
//   evaluation:                       # one row per policy, validation backtests (lower is better)
//     - {policy: learned, score: 1.02, mean_cpu_request_millicores: ..., ...}
//
// check_card() compares a card with the running podsizer and the file it sits beside, and
// refuses a mismatch with an InputError naming the card and the field. Plain functions over
// values; safe to call from several threads.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace podsizer::policies::learned {

struct EvaluationRow {
  std::string policy;
  std::map<std::string, double> values;  // "score" and the backtest figures
};

struct PolicyCardFile {
  int format = 1;
  std::string podsizer_version;
  std::string policy_file;  // file name, relative to the card's folder
  std::string sha256;
  std::string objective;
  std::string training_data;
  std::string validation_data;
  double feature_bin_s = 300;
  double decision_interval_s = 3600;
  double change_tolerance = 0.05;
  double env_steps = 0;
  std::vector<std::string> features;
  std::vector<std::string> outputs;
  std::vector<EvaluationRow> evaluation;
};

// POLICY.pt -> POLICY.card.yaml (the extension replaced; ".card.yaml" appended otherwise).
std::string card_path_for(const std::string& policy_path);

// Lower-case hex SHA-256 of a file's bytes. Throws traces::InputError when it cannot be read.
std::string sha256_file(const std::string& path);

std::string card_to_yaml(const PolicyCardFile& card);
// Writes atomically (traces/atomic_file.h).
void write_card(const std::string& path, const PolicyCardFile& card);
// Throws traces::InputError (file, line, field) for a missing file or a malformed card.
PolicyCardFile read_card(const std::string& path);

// Refuses (traces::InputError naming `card_path` and the field) a card whose podsizer version,
// features or feature bin differ from the running podsizer's, or whose sha256 is not that of
// `policy_path`.
void check_card(const PolicyCardFile& card, const std::string& card_path,
                const std::string& policy_path);

}  // namespace podsizer::policies::learned
