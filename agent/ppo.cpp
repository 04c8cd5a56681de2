#include "agent/ppo.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

#include <ATen/CPUGeneratorImpl.h>

#include "agent/gae.h"
#include "agent/ppo_impl.h"
#include "agent/ppo_loss.h"
#include "traces/log.h"

namespace podsizer::agent {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// SplitMix64's finaliser: spreads a seed and a counter into an unrelated 64-bit seed.
std::uint64_t mix_seed(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Fisher-Yates with Lemire's multiply-shift for the index: the order depends on the generator's
// outputs alone, not on a standard library's distribution code.
void shuffle(std::vector<std::int64_t>& order, std::mt19937_64& rng) {
  for (std::size_t i = order.size(); i > 1; --i) {
    const auto j = static_cast<std::size_t>(
        (static_cast<unsigned __int128>(rng()) * static_cast<unsigned __int128>(i)) >> 64);
    std::swap(order[i - 1], order[j]);
  }
}

std::span<float> float_span(torch::Tensor& tensor) {
  return {tensor.data_ptr<float>(), static_cast<std::size_t>(tensor.numel())};
}

double variance(const std::vector<double>& values) {
  const double mean =
      std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
  double sum = 0.0;
  for (const double value : values) sum += (value - mean) * (value - mean);
  return sum / static_cast<double>(values.size());
}

}  // namespace

PpoLearner::Impl::Impl(const PpoConfig& config_in, std::size_t observation_size_in,
                       std::size_t action_size_in, std::size_t num_envs_in)
    : config(config_in),
      observation_size(observation_size_in),
      action_size(action_size_in),
      num_envs(num_envs_in),
      generator(at::make_generator<at::CPUGeneratorImpl>(config_in.seed)),
      shuffle_rng(mix_seed(config_in.seed)),
      observation_normalizer(observation_size_in, config_in.observation_clip,
                             config_in.normalizer_epsilon),
      return_scaler(num_envs_in, config_in.gamma, config_in.reward_clip,
                    config_in.normalizer_epsilon) {
  // Threads first: the initialisation below already runs LibTorch kernels.
  torch::set_num_threads(config.num_threads);
  model = ActorCritic(observation_size, action_size, config.hidden_sizes, config.initial_log_std,
                      generator);
  optimizer = std::make_unique<torch::optim::Adam>(
      model->parameters(),
      torch::optim::AdamOptions(config.learning_rate).eps(config.adam_epsilon));

  // Buffers sized once for the whole run.
  const auto steps = static_cast<std::int64_t>(config.steps_per_env);
  const auto n = static_cast<std::int64_t>(num_envs);
  rollout_observations =
      torch::zeros({steps, n, static_cast<std::int64_t>(observation_size)}, torch::kFloat);
  rollout_actions = torch::zeros({steps, n, static_cast<std::int64_t>(action_size)});
  rollout_log_probs = torch::zeros({steps, n});
  rollout_values = torch::zeros({steps, n});
  const std::size_t samples = config.steps_per_env * num_envs;
  rollout_rewards.resize(samples);
  rollout_dones.resize(samples);
  advantages.resize(samples);
  returns.resize(samples);
  sample_order.resize(samples);
  observations.assign(num_envs * observation_size, 0.0f);
  env_actions.resize(num_envs * action_size);
  scaled_rewards.resize(num_envs);
  normalized_scratch.resize(num_envs * observation_size);
}

void PpoLearner::Impl::normalize(std::span<const float> raw, std::span<float> out) const {
  if (config.normalize_observations) {
    observation_normalizer.normalize(raw, out);
  } else {
    std::copy(raw.begin(), raw.end(), out.begin());
  }
}

void PpoLearner::Impl::collect_rollout(env::VectorEnvironment& env, IterationStats& stats) {
  const std::size_t info_count = stats.info_names.size();
  const std::size_t steps = config.steps_per_env;
  const std::size_t n = num_envs;
  const auto n64 = static_cast<std::int64_t>(n);
  double return_sum = 0.0;
  double length_sum = 0.0;

  for (std::size_t t = 0; t < steps; ++t) {
    // Normalise this step's observations into the rollout, after counting them in the stats.
    const auto t64 = static_cast<std::int64_t>(t);
    torch::Tensor step_observations = rollout_observations[t64];
    if (config.normalize_observations) observation_normalizer.update(observations, n);
    normalize(observations, float_span(step_observations));

    // Sample a ~ N(μ, σ²) and remember its log-probability and the state's value.
    torch::Tensor action;
    {
      torch::NoGradGuard no_grad;
      const torch::Tensor mean = model->mean(step_observations);
      const torch::Tensor noise =
          torch::randn({n64, static_cast<std::int64_t>(action_size)}, generator, torch::kFloat);
      action = mean + torch::exp(model->log_std()) * noise;
      rollout_actions[t64].copy_(action);
      rollout_log_probs[t64].copy_(model->log_prob(mean, action));
      rollout_values[t64].copy_(model->value(step_observations));
    }
    const float* sampled = action.data_ptr<float>();
    for (std::size_t i = 0; i < env_actions.size(); ++i) {
      env_actions[i] = std::clamp(sampled[i], -1.0f, 1.0f);
    }

    // Step every copy; scale the rewards by the running return spread.
    env.step(env_actions, step_result);
    env_steps += static_cast<std::int64_t>(n);
    if (config.scale_rewards) {
      return_scaler.scale(step_result.rewards, step_result.dones, scaled_rewards);
    } else {
      std::copy(step_result.rewards.begin(), step_result.rewards.end(), scaled_rewards.begin());
    }

    // A time limit is not a terminal state: add γ V(final observation) to the last reward.
    std::size_t cut = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (!step_result.truncated[i]) continue;
      normalize(
          std::span<const float>(step_result.final_observations)
              .subspan(i * observation_size, observation_size),
          std::span<float>(normalized_scratch).subspan(cut * observation_size, observation_size));
      ++cut;
    }
    if (cut > 0) {
      torch::NoGradGuard no_grad;
      const torch::Tensor finals = torch::from_blob(
          normalized_scratch.data(),
          {static_cast<std::int64_t>(cut), static_cast<std::int64_t>(observation_size)},
          torch::kFloat);
      const torch::Tensor final_values = model->value(finals).contiguous();
      const float* value = final_values.data_ptr<float>();
      for (std::size_t i = 0, j = 0; i < n; ++i) {
        if (step_result.truncated[i]) {
          scaled_rewards[i] += static_cast<float>(config.gamma * value[j++]);
        }
      }
    }

    // Record the step and the episodes that ended in it.
    for (std::size_t i = 0; i < n; ++i) {
      rollout_rewards[t * n + i] = scaled_rewards[i];
      rollout_dones[t * n + i] = step_result.dones[i];
      if (step_result.dones[i]) {
        ++stats.episodes;
        return_sum += step_result.episode_returns[i];
        length_sum += static_cast<double>(step_result.episode_lengths[i]);
      }
    }
    for (std::size_t k = 0; k < info_count * n; ++k) {
      stats.info_means[k % info_count] += step_result.info_values[k];
    }
    std::copy(step_result.observations.begin(), step_result.observations.end(),
              observations.begin());
  }

  // Per-step and per-episode averages; NaN marks a rollout in which no episode ended.
  for (double& mean : stats.info_means) mean /= static_cast<double>(steps * n);
  const double no_episode = std::numeric_limits<double>::quiet_NaN();
  stats.mean_episode_return =
      stats.episodes > 0 ? return_sum / static_cast<double>(stats.episodes) : no_episode;
  stats.mean_episode_length =
      stats.episodes > 0 ? length_sum / static_cast<double>(stats.episodes) : no_episode;
}

void PpoLearner::Impl::compute_advantages(IterationStats& stats) {
  const std::size_t steps = config.steps_per_env;
  const std::size_t n = num_envs;
  const auto n64 = static_cast<std::int64_t>(n);

  // Bootstrap from the observation after the last step, then GAE.
  std::vector<float> last_values(n);
  {
    torch::NoGradGuard no_grad;
    normalize(observations, normalized_scratch);
    const torch::Tensor last =
        torch::from_blob(normalized_scratch.data(),
                         {n64, static_cast<std::int64_t>(observation_size)}, torch::kFloat);
    const torch::Tensor values = model->value(last).contiguous();
    std::copy_n(values.data_ptr<float>(), n, last_values.begin());
  }
  const std::span<const float> values_flat(rollout_values.data_ptr<float>(), steps * n);
  compute_gae(rollout_rewards, values_flat, rollout_dones, last_values, n, config.gamma,
              config.gae_lambda, advantages, returns);

  // How much of the return the value function already explains (1 perfect, 0 none).
  {
    std::vector<double> target(returns.begin(), returns.end());
    std::vector<double> residual(returns.size());
    for (std::size_t i = 0; i < returns.size(); ++i) residual[i] = returns[i] - values_flat[i];
    const double target_var = variance(target);
    stats.explained_variance = target_var > 0.0 ? 1.0 - variance(residual) / target_var
                                                : std::numeric_limits<double>::quiet_NaN();
  }
}

void PpoLearner::Impl::update(IterationStats& stats) {
  const std::size_t steps = config.steps_per_env;
  const std::size_t n = num_envs;

  // The learning rate of this iteration: linear decay to zero over total_iterations.
  double learning_rate = config.learning_rate;
  if (config.anneal_learning_rate && config.total_iterations > 0) {
    const double done =
        static_cast<double>(iteration) / static_cast<double>(config.total_iterations);
    learning_rate = config.learning_rate * std::max(0.0, 1.0 - done);
  }
  for (auto& group : optimizer->param_groups()) {
    static_cast<torch::optim::AdamOptions&>(group.options()).lr(learning_rate);
  }
  stats.learning_rate = learning_rate;

  // Flat views of the rollout for minibatch gathering.
  const auto samples = static_cast<std::int64_t>(steps * n);
  const torch::Tensor all_observations =
      rollout_observations.view({samples, static_cast<std::int64_t>(observation_size)});
  const torch::Tensor all_actions =
      rollout_actions.view({samples, static_cast<std::int64_t>(action_size)});
  const torch::Tensor all_log_probs = rollout_log_probs.view({samples});
  const torch::Tensor all_values = rollout_values.view({samples});
  const torch::Tensor all_advantages =
      torch::from_blob(advantages.data(), {samples}, torch::kFloat);
  const torch::Tensor all_returns = torch::from_blob(returns.data(), {samples}, torch::kFloat);

  // Epochs of shuffled minibatches, each one Adam step unless the KL limit is crossed.
  std::iota(sample_order.begin(), sample_order.end(), std::int64_t{0});
  double policy_sum = 0.0;
  double value_sum = 0.0;
  double entropy_sum = 0.0;
  double clip_sum = 0.0;
  double grad_sum = 0.0;
  const double grad_limit =
      config.max_grad_norm > 0.0 ? config.max_grad_norm : std::numeric_limits<double>::infinity();
  for (std::size_t epoch = 0; epoch < config.epochs && !stats.stopped_early; ++epoch) {
    shuffle(sample_order, shuffle_rng);
    for (std::int64_t start = 0; start < samples;
         start += static_cast<std::int64_t>(config.minibatch_size)) {
      // Gather the minibatch and evaluate the current policy on it.
      const std::int64_t length =
          std::min<std::int64_t>(static_cast<std::int64_t>(config.minibatch_size), samples - start);
      const torch::Tensor index =
          torch::from_blob(sample_order.data() + start, {length}, torch::kLong);
      const torch::Tensor batch_observations = all_observations.index_select(0, index);
      const torch::Tensor old_log_probs = all_log_probs.index_select(0, index);
      const torch::Tensor mean = model->mean(batch_observations);
      const torch::Tensor new_log_probs = model->log_prob(mean, all_actions.index_select(0, index));

      // Stop before a step that would take the policy too far from the one that collected data.
      stats.approx_kl = approx_kl(new_log_probs.detach(), old_log_probs).item<double>();
      if (config.target_kl > 0.0 && stats.approx_kl > 1.5 * config.target_kl) {
        stats.stopped_early = true;
        break;
      }

      // Advantages normalised within the minibatch keep the step size independent of the
      // reward scale.
      torch::Tensor batch_advantages = all_advantages.index_select(0, index);
      if (config.normalize_advantages && length > 1) {
        batch_advantages =
            (batch_advantages - batch_advantages.mean()) / (batch_advantages.std() + 1e-8);
      }

      // The loss, its gradient, the global norm clip and one Adam step.
      const torch::Tensor policy_loss =
          clipped_surrogate_loss(new_log_probs, old_log_probs, batch_advantages, config.clip_range);
      const torch::Tensor value_loss =
          clipped_value_loss(model->value(batch_observations), all_values.index_select(0, index),
                             all_returns.index_select(0, index), config.value_clip_range);
      const torch::Tensor entropy = model->entropy();
      const torch::Tensor loss =
          policy_loss + config.value_coef * value_loss - config.entropy_coef * entropy;
      optimizer->zero_grad();
      loss.backward();
      grad_sum += torch::nn::utils::clip_grad_norm_(model->parameters(), grad_limit);
      optimizer->step();

      policy_sum += policy_loss.item<double>();
      value_sum += value_loss.item<double>();
      entropy_sum += entropy.item<double>();
      clip_sum +=
          clip_fraction(new_log_probs.detach(), old_log_probs, config.clip_range).item<double>();
      ++stats.minibatch_steps;
    }
  }

  // Averages over the steps that were applied.
  if (stats.minibatch_steps > 0) {
    const auto count = static_cast<double>(stats.minibatch_steps);
    stats.policy_loss = policy_sum / count;
    stats.value_loss = value_sum / count;
    stats.entropy = entropy_sum / count;
    stats.clip_fraction = clip_sum / count;
    stats.grad_norm = grad_sum / count;
  }
}

IterationStats PpoLearner::Impl::iterate(env::VectorEnvironment& env) {
  if (env.observation_size() != observation_size || env.action_size() != action_size ||
      env.num_envs() != num_envs) {
    throw std::invalid_argument(
        "PpoLearner::iterate: the environment's sizes differ from the learner's");
  }
  IterationStats stats;
  stats.info_names = env.info_names();
  stats.info_means.assign(stats.info_names.size(), 0.0);

  // A fresh stream starts from the configured seed; one that cannot be continued after a reload
  // starts from a seed tied to the iteration so it is still reproducible.
  if (needs_reset) {
    const std::uint64_t reset_seed =
        iteration == 0 ? config.seed : mix_seed(config.seed ^ mix_seed(iteration));
    env.reset(reset_seed, observations);
    return_scaler.set_returns(std::vector<double>(num_envs, 0.0));
    needs_reset = false;
  }

  // Experience first, then what it teaches.
  const auto rollout_start = Clock::now();
  collect_rollout(env, stats);
  compute_advantages(stats);
  stats.rollout_seconds = seconds_since(rollout_start);
  const auto update_start = Clock::now();
  update(stats);
  stats.update_seconds = seconds_since(update_start);
  ++iteration;
  stats.iteration = iteration;
  stats.env_steps = env_steps;

  auto log = traces::named_logger("agent");
  if (log->should_log(spdlog::level::debug)) {
    log->debug(
        "iteration {}: {} env steps, return {:.4g} over {} episodes, kl {:.3g}, "
        "{} minibatch steps{}",
        iteration, env_steps, stats.mean_episode_return, stats.episodes, stats.approx_kl,
        stats.minibatch_steps, stats.stopped_early ? " (stopped by KL)" : "");
  }
  return stats;
}

PpoLearner::PpoLearner(const PpoConfig& config, const env::VectorEnvironment& env) {
  config.validate();
  if (env.observation_size() == 0 || env.action_size() == 0 || env.num_envs() == 0) {
    throw std::invalid_argument(
        "PpoLearner: the environment has an empty observation, action or batch");
  }
  impl_ = std::make_unique<Impl>(config, env.observation_size(), env.action_size(), env.num_envs());
}

PpoLearner::~PpoLearner() = default;

IterationStats PpoLearner::iterate(env::VectorEnvironment& env) {
  return impl_->iterate(env);
}

void PpoLearner::act(std::span<const float> observations, std::span<float> actions) const {
  const std::size_t rows = observations.size() / impl_->observation_size;
  if (observations.size() != rows * impl_->observation_size ||
      actions.size() != rows * impl_->action_size) {
    throw std::invalid_argument("PpoLearner::act: observation and action sizes do not match");
  }
  if (rows == 0) return;

  // Same normalisation as in training, then the clamped mean.
  std::vector<float> normalized(observations.size());
  impl_->normalize(observations, normalized);
  torch::NoGradGuard no_grad;
  const torch::Tensor input = torch::from_blob(
      normalized.data(),
      {static_cast<std::int64_t>(rows), static_cast<std::int64_t>(impl_->observation_size)},
      torch::kFloat);
  const torch::Tensor mean = torch::clamp(impl_->model->mean(input), -1.0, 1.0).contiguous();
  std::copy_n(mean.data_ptr<float>(), actions.size(), actions.begin());
}

std::vector<float> PpoLearner::parameters() const {
  std::vector<float> flat;
  for (const torch::Tensor& parameter : impl_->model->parameters()) {
    const torch::Tensor values = parameter.detach().contiguous();
    flat.insert(flat.end(), values.data_ptr<float>(), values.data_ptr<float>() + values.numel());
  }
  return flat;
}

std::vector<float> PpoLearner::action_std() const {
  const torch::Tensor std = torch::exp(impl_->model->log_std().detach()).contiguous();
  return {std.data_ptr<float>(), std.data_ptr<float>() + std.numel()};
}

const PpoConfig& PpoLearner::config() const {
  return impl_->config;
}
std::size_t PpoLearner::observation_size() const {
  return impl_->observation_size;
}
std::size_t PpoLearner::action_size() const {
  return impl_->action_size;
}
std::size_t PpoLearner::num_envs() const {
  return impl_->num_envs;
}
std::size_t PpoLearner::iteration() const {
  return impl_->iteration;
}
std::int64_t PpoLearner::env_steps() const {
  return impl_->env_steps;
}

}  // namespace podsizer::agent
