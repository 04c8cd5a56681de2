// Export of a trained policy as a self-contained TorchScript file, written from C++ alone.
//
// The module takes the raw feature vector the shared feature extractor produces and does the
// rest inside: observation normalisation with the training statistics, the actor network, the
// deterministic action (the policy mean clamped to [-1, 1]) and the caller's ActionMapping
// (agent/action_mapping.h) in float64. Its methods:
//
//   forward(features)   -> float64 [B, outputs]  resources in the mapping's units
//   action(features)    -> float32 [B, actions]  the clamped mean action
//   normalize(features) -> float32 [B, features] what the network sees
//
// `features` is float32 or float64, [B, F] or a single [F] row (then the result has no batch
// dimension either). The module also carries the attributes `feature_names`, `output_names`
// (lists of strings) and `format_version` (int), and an extra file "metadata.json" with the
// same names, the mapping, the network shape, training counters, the podsizer version and the
// caller's free-form metadata. LibTorch's torch::jit::load and Python's torch.jit.load (1.13)
// both run it; Python reads the extra file with `_extra_files={"metadata.json": ""}`.
// The file is written to a temporary name and renamed. Thread-safe with respect to other readers
// of the learner only if no iterate() runs meanwhile.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "agent/action_mapping.h"
#include "agent/ppo.h"

namespace podsizer::agent {

inline constexpr const char* kExportMetadataFile = "metadata.json";
inline constexpr int kExportFormatVersion = 2;

struct ExportOptions {
  ActionMapping mapping;                        // validated against the learner's sizes
  std::vector<std::string> feature_names;       // empty: "feature_0", "feature_1", ...
  std::map<std::string, std::string> metadata;  // e.g. objective, training data, evaluation
};

// Writes the policy of `learner` to `path`. Throws std::invalid_argument for a mapping or name
// list that does not fit the learner, traces::InputError when the file cannot be written.
void export_policy(const PpoLearner& learner, const std::string& path,
                   const ExportOptions& options);

}  // namespace podsizer::agent
