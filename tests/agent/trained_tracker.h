// A small learner with non-trivial weights and normalisation statistics, for the export tests:
// three PPO iterations on the tracking environment (toy_environments.h), seeded.
#pragma once

#include <cstdint>

#include "agent/ppo.h"
#include "toy_environments.h"

namespace podsizer::agent::testing {

struct TrainedTracker {
  TrackingEnvironment env{4, 5};
  PpoLearner learner;

  explicit TrainedTracker(std::uint64_t seed) : learner(config(seed), env) {
    for (int i = 0; i < 3; ++i) learner.iterate(env);
  }

  static PpoConfig config(std::uint64_t seed) {
    PpoConfig c;
    c.hidden_sizes = {16, 16};
    c.steps_per_env = 16;
    c.minibatch_size = 32;
    c.learning_rate = 1e-2;
    c.seed = seed;
    return c;
  }
};

}  // namespace podsizer::agent::testing
