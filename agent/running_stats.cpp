#include "agent/running_stats.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <stdexcept>

namespace podsizer::agent {

RunningMeanStd::RunningMeanStd(std::size_t size)
    : mean_(size, 0.0), var_(size, 1.0), batch_mean_(size), batch_var_(size) {}

void RunningMeanStd::update(std::span<const float> batch, std::size_t rows) {
  assert(batch.size() == rows * size() && "RunningMeanStd::update: batch is not rows × size");
  if (rows == 0) return;
  const std::size_t dims = size();

  // Two passes over the batch: its mean first, then its population variance around that mean,
  // which keeps the variance accurate even when the values sit far from zero.
  std::fill(batch_mean_.begin(), batch_mean_.end(), 0.0);
  std::fill(batch_var_.begin(), batch_var_.end(), 0.0);
  for (std::size_t r = 0; r < rows; ++r) {
    const float* row = batch.data() + r * dims;
    for (std::size_t d = 0; d < dims; ++d) batch_mean_[d] += row[d];
  }
  for (std::size_t d = 0; d < dims; ++d) batch_mean_[d] /= static_cast<double>(rows);
  for (std::size_t r = 0; r < rows; ++r) {
    const float* row = batch.data() + r * dims;
    for (std::size_t d = 0; d < dims; ++d) {
      const double deviation = row[d] - batch_mean_[d];
      batch_var_[d] += deviation * deviation;
    }
  }
  for (std::size_t d = 0; d < dims; ++d) batch_var_[d] /= static_cast<double>(rows);

  merge(batch_mean_, batch_var_, static_cast<double>(rows));
}

void RunningMeanStd::merge(std::span<const double> batch_mean, std::span<const double> batch_var,
                           double batch_count) {
  assert(batch_mean.size() == size() && batch_var.size() == size() &&
         "RunningMeanStd::merge: statistics of another dimension");
  if (batch_count <= 0.0) return;

  // The first sample is taken as it is; later ones are merged with Chan et al.'s formula:
  // M2 = M2_a + M2_b + δ² n_a n_b / n, where δ is the difference of the two means.
  if (count_ == 0.0) {
    std::copy(batch_mean.begin(), batch_mean.end(), mean_.begin());
    std::copy(batch_var.begin(), batch_var.end(), var_.begin());
    count_ = batch_count;
    return;
  }
  const double total = count_ + batch_count;
  for (std::size_t d = 0; d < size(); ++d) {
    const double delta = batch_mean[d] - mean_[d];
    const double m2 = var_[d] * count_ + batch_var[d] * batch_count +
                      delta * delta * count_ * batch_count / total;
    mean_[d] += delta * batch_count / total;
    var_[d] = m2 / total;
  }
  count_ = total;
}

void RunningMeanStd::set(double count, std::vector<double> mean, std::vector<double> var) {
  if (mean.size() != size() || var.size() != size()) {
    throw std::invalid_argument("RunningMeanStd::set: expected " + std::to_string(size()) +
                                " dimensions");
  }
  count_ = count;
  mean_ = std::move(mean);
  var_ = std::move(var);
}

ObservationNormalizer::ObservationNormalizer(std::size_t size, double clip, double epsilon)
    : stats_(size), clip_(clip), epsilon_(epsilon) {}

void ObservationNormalizer::normalize(std::span<const float> in, std::span<float> out) const {
  assert(in.size() == out.size() && in.size() % stats_.size() == 0 &&
         "ObservationNormalizer::normalize: rows of another size");
  const std::size_t dims = stats_.size();
  const auto& mean = stats_.mean();
  const auto& var = stats_.var();
  for (std::size_t i = 0; i < in.size(); ++i) {
    const std::size_t d = i % dims;
    const double z = (in[i] - mean[d]) / std::sqrt(var[d] + epsilon_);
    out[i] = static_cast<float>(std::clamp(z, -clip_, clip_));
  }
}

std::vector<double> ObservationNormalizer::scale() const {
  std::vector<double> result(stats_.size());
  for (std::size_t d = 0; d < result.size(); ++d) {
    result[d] = std::sqrt(stats_.var()[d] + epsilon_);
  }
  return result;
}

ReturnScaler::ReturnScaler(std::size_t num_envs, double gamma, double clip, double epsilon)
    : stats_(1), returns_(num_envs, 0.0), gamma_(gamma), clip_(clip), epsilon_(epsilon) {}

void ReturnScaler::scale(std::span<const float> rewards, std::span<const std::uint8_t> dones,
                         std::span<float> out) {
  assert(rewards.size() == num_envs() && dones.size() == num_envs() && out.size() == num_envs() &&
         "ReturnScaler::scale: one value per copy expected");

  // The discounted return of each copy accumulates this step's reward; the spread of those
  // returns, not of single rewards, sets the scale, so sparse and dense rewards land alike.
  // Both passes stay in double: the returns never round through float.
  double mean = 0.0;
  for (std::size_t i = 0; i < num_envs(); ++i) {
    returns_[i] = returns_[i] * gamma_ + rewards[i];
    mean += returns_[i];
  }
  mean /= static_cast<double>(num_envs());
  double var = 0.0;
  for (const double value : returns_) var += (value - mean) * (value - mean);
  var /= static_cast<double>(num_envs());
  stats_.merge(std::span<const double>(&mean, 1), std::span<const double>(&var, 1),
               static_cast<double>(num_envs()));

  const double divisor = std::sqrt(stats_.var()[0] + epsilon_);
  for (std::size_t i = 0; i < num_envs(); ++i) {
    out[i] = static_cast<float>(std::clamp(rewards[i] / divisor, -clip_, clip_));
    if (dones[i]) returns_[i] = 0.0;
  }
}

void ReturnScaler::set_returns(std::vector<double> returns) {
  if (returns.size() != num_envs()) {
    throw std::invalid_argument("ReturnScaler::set_returns: expected " +
                                std::to_string(num_envs()) + " copies");
  }
  returns_ = std::move(returns);
}

}  // namespace podsizer::agent
