// Checkpoints of a PpoLearner: everything needed to continue training exactly where it stopped.
//
// A checkpoint holds the network parameters, the Adam state, both normalisers (observation
// statistics, return statistics and each copy's running discounted return), the torch generator
// state and the mt19937_64 state, the iteration and step counters, the last raw observations and,
// when the environment offers one (env::VectorEnvironment::save_state), the environment's state.
// Loading it into a learner built with the same configuration and continuing to train gives
// parameters bit-identical to a run that never stopped (under the determinism conditions of
// agent/ppo.h). Without an environment state the learner restarts episodes on its next
// iteration instead, which is reproducible but not identical.
//
// The file is LibTorch's archive format, written to a temporary file and renamed over `path`.
// Errors: traces::InputError naming the file and the field that is missing or does not match.
#pragma once

#include <string>

#include "agent/ppo.h"
#include "env/environment.h"

namespace podsizer::agent {

// Writes `learner` (and `env`'s state when it is given and offers one) to `path` atomically.
void save_checkpoint(const PpoLearner& learner, const std::string& path,
                     const env::VectorEnvironment* env = nullptr);

// Restores `learner` from `path`; restores `env` too when both the file holds an environment
// state and `env` is given. Returns whether the environment was restored. REQUIRES: `learner`
// was built with the configuration and sizes of the one saved (sizes are checked).
bool load_checkpoint(PpoLearner& learner, const std::string& path,
                     env::VectorEnvironment* env = nullptr);

}  // namespace podsizer::agent
