// The reinforcement-learning environment as the learner sees it: an abstract, batched interface.
//
// A VectorEnvironment runs N independent copies of one environment in lock step. The learner
// (agent/) and the training loop (train/) see only this header, never the simulator behind it,
// so nothing here includes sim/ or LibTorch: observations, actions and rewards are flat float
// arrays, row-major, one row per copy.
//
// Contract every implementation keeps:
//  - Actions arrive in [-1, 1] per dimension (the learner clamps its Gaussian samples there).
//    An implementation maps them to its own units; it must still tolerate values outside the
//    range by clamping them, never by failing.
//  - A copy whose episode ends (terminated or truncated) starts its next episode inside the
//    same step() call ("auto-reset"): the observation returned for it is the first observation
//    of the new episode, and the last observation of the finished one is in final_observations.
//  - Determinism: the same seed given to reset() followed by the same actions gives the same
//    observations, rewards and dones bit for bit, whatever the number of threads the
//    implementation uses inside step(). Copy i draws its randomness from its own stream derived
//    from (seed, i) only, and results are written to copy i's row only, so no ordering between
//    copies can leak into the numbers.
//  - State: an implementation may offer save_state()/load_state() so that a training checkpoint
//    can resume the exact experience stream; one that does not returns std::nullopt and the
//    learner restarts episodes with a fresh seed after a reload (documented in agent/ppo.h).
//
// Thread-safety: one VectorEnvironment is driven by one thread at a time; the implementation may
// use threads of its own inside reset() and step().
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace podsizer::env {

// Everything one step() returns. Buffers are reused from call to call: VectorEnvironment sizes
// them before step_impl() runs and an implementation only writes values.
struct StepResult {
  std::vector<float> observations;            // [N × observation_size], after any auto-reset
  std::vector<float> rewards;                 // [N]
  std::vector<std::uint8_t> dones;            // [N] 1 when the copy's episode ended in this step
  std::vector<std::uint8_t> truncated;        // [N] 1 when it ended by a time limit, not a terminal
                                              //     state; implies dones; the learner bootstraps
  std::vector<float> final_observations;      // [N × observation_size], rows valid where dones
  std::vector<double> episode_returns;        // [N] undiscounted return, valid where dones
  std::vector<std::int64_t> episode_lengths;  // [N] steps in the episode, valid where dones
  std::vector<double> info_values;            // [N × info_names().size()] scalars for logging
};

class VectorEnvironment {
 public:
  virtual ~VectorEnvironment() = default;

  virtual std::size_t observation_size() const = 0;
  virtual std::size_t action_size() const = 0;
  virtual std::size_t num_envs() const = 0;

  // Names of the observation features in order, units in the name (e.g. "cpu_p95_log_millicores").
  // Training passes them to agent::ExportOptions so an exported policy documents its inputs; may
  // be empty for toy environments.
  virtual std::vector<std::string> observation_names() const { return {}; }

  // Names of the per-step scalars in StepResult::info_values (e.g. "cost_usd", "oom_kills").
  // Returned by reference because step() reads its size on every call.
  virtual const std::vector<std::string>& info_names() const {
    static const std::vector<std::string> kNone;
    return kNone;
  }

  // Serialises whatever the environment needs to continue the same experience stream from here
  // (RNG states, simulator state). std::nullopt when the environment cannot do so.
  virtual std::optional<std::string> save_state() const { return std::nullopt; }

  // Restores a state written by save_state() of an environment built the same way. Throws
  // std::invalid_argument when the blob does not fit. Only called when save_state() is offered.
  virtual void load_state(std::string_view state) {
    throw std::invalid_argument("this environment cannot restore a saved state");
  }

  // Starts a fresh episode in every copy from `seed`; writes [N × observation_size] values.
  void reset(std::uint64_t seed, std::vector<float>& observations) {
    observations.resize(num_envs() * observation_size());
    reset_impl(seed, std::span<float>(observations));
  }

  std::vector<float> reset(std::uint64_t seed) {
    std::vector<float> observations;
    reset(seed, observations);
    return observations;
  }

  // Advances every copy by one step with `actions` [N × action_size]. Throws
  // std::invalid_argument when the size is wrong, since that is a caller's mistake.
  void step(std::span<const float> actions, StepResult& result) {
    const std::size_t n = num_envs();
    if (actions.size() != n * action_size()) {
      throw std::invalid_argument("VectorEnvironment::step: expected " +
                                  std::to_string(n * action_size()) + " action values, got " +
                                  std::to_string(actions.size()));
    }
    prepare(result);
    step_impl(actions, result);
  }

  StepResult step(std::span<const float> actions) {
    StepResult result;
    step(actions, result);
    return result;
  }

 protected:
  // Fills every row of `observations` (already sized N × observation_size).
  virtual void reset_impl(std::uint64_t seed, std::span<float> observations) = 0;

  // Fills `result`, whose buffers are sized and whose dones, truncated and info_values are zeroed.
  virtual void step_impl(std::span<const float> actions, StepResult& result) = 0;

 private:
  // Sizes the reused buffers; clears the flags so an implementation writes only what happened.
  void prepare(StepResult& result) const {
    const std::size_t n = num_envs();
    const std::size_t obs = observation_size();
    result.observations.resize(n * obs);
    result.rewards.resize(n);
    result.dones.assign(n, 0);
    result.truncated.assign(n, 0);
    result.final_observations.resize(n * obs);
    result.episode_returns.assign(n, 0.0);
    result.episode_lengths.assign(n, 0);
    result.info_values.assign(n * info_names().size(), 0.0);
  }
};

}  // namespace podsizer::env
