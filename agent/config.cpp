#include "agent/config.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace podsizer::agent {

namespace {

void require(bool ok, const char* field, const char* rule) {
  if (!ok) throw std::invalid_argument(std::string("PpoConfig.") + field + ": " + rule);
}

}  // namespace

void PpoConfig::validate() const {
  // Network shape and the sizes of a rollout.
  require(!hidden_sizes.empty(), "hidden_sizes", "needs at least one hidden layer");
  for (const std::size_t width : hidden_sizes) {
    require(width > 0, "hidden_sizes", "every layer needs a positive width");
  }
  require(std::isfinite(initial_log_std), "initial_log_std", "must be finite");
  require(steps_per_env > 0, "steps_per_env", "must be positive");
  require(epochs > 0, "epochs", "must be positive");
  require(minibatch_size > 0, "minibatch_size", "must be positive");

  // Coefficients: ranges where the algorithm is defined.
  require(gamma >= 0.0 && gamma <= 1.0, "gamma", "must lie in [0, 1]");
  require(gae_lambda >= 0.0 && gae_lambda <= 1.0, "gae_lambda", "must lie in [0, 1]");
  require(learning_rate > 0.0 && std::isfinite(learning_rate), "learning_rate", "must be positive");
  require(adam_epsilon > 0.0, "adam_epsilon", "must be positive");
  require(clip_range > 0.0 && clip_range < 1.0, "clip_range", "must lie in (0, 1)");
  require(value_coef >= 0.0, "value_coef", "must not be negative");
  require(entropy_coef >= 0.0, "entropy_coef", "must not be negative");
  require(observation_clip > 0.0, "observation_clip", "must be positive");
  require(reward_clip > 0.0, "reward_clip", "must be positive");
  require(normalizer_epsilon > 0.0, "normalizer_epsilon", "must be positive");
  require(num_threads > 0, "num_threads", "must be positive");
}

}  // namespace podsizer::agent
