// Running statistics that normalise what the learner sees: observations and rewards.
//
// RunningMeanStd keeps a per-dimension mean and population variance over every row ever added,
// merging each batch with the parallel form of Welford's update (Chan, Golub and LeVeque), so the
// result does not depend on how the rows were split into batches beyond rounding. All sums are
// in double; inputs and outputs are float because that is what the networks consume.
// ObservationNormalizer maps x to clip((x - mean) / sqrt(var + ε), ±clip).
// ReturnScaler divides each reward by the running standard deviation of the discounted return of
// its environment copy, the usual way to bring rewards of any magnitude near unit scale without
// moving their mean (which would change which policy is optimal).
// None of these is synchronised: one learner owns each.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace podsizer::agent {

class RunningMeanStd {
 public:
  explicit RunningMeanStd(std::size_t size);

  // Adds `rows` rows of size() values each, stored row-major in `batch`.
  // REQUIRES: batch.size() == rows * size().
  void update(std::span<const float> batch, std::size_t rows);

  // Merges statistics of another sample (mean, population variance, count) into these.
  void merge(std::span<const double> batch_mean, std::span<const double> batch_var,
             double batch_count);

  std::size_t size() const { return mean_.size(); }
  double count() const { return count_; }
  const std::vector<double>& mean() const { return mean_; }
  const std::vector<double>& var() const { return var_; }

  // Replaces the statistics wholesale (checkpoint restore). REQUIRES: sizes equal size().
  void set(double count, std::vector<double> mean, std::vector<double> var);

 private:
  double count_ = 0.0;
  std::vector<double> mean_;
  std::vector<double> var_;
  std::vector<double> batch_mean_;  // scratch reused by update()
  std::vector<double> batch_var_;
};

class ObservationNormalizer {
 public:
  ObservationNormalizer(std::size_t size, double clip, double epsilon);

  void update(std::span<const float> batch, std::size_t rows) { stats_.update(batch, rows); }

  // Writes the normalised rows of `in` to `out` (same size, may not alias).
  void normalize(std::span<const float> in, std::span<float> out) const;

  // The divisor sqrt(var + ε) per dimension, as exported policies need it.
  std::vector<double> scale() const;

  double clip() const { return clip_; }
  double epsilon() const { return epsilon_; }
  RunningMeanStd& stats() { return stats_; }
  const RunningMeanStd& stats() const { return stats_; }

 private:
  RunningMeanStd stats_;
  double clip_;
  double epsilon_;
};

class ReturnScaler {
 public:
  ReturnScaler(std::size_t num_envs, double gamma, double clip, double epsilon);

  // Scales one step's rewards (one per copy) into `out`, then forgets the discounted return of
  // every copy whose episode ended. REQUIRES: all spans have num_envs() elements.
  void scale(std::span<const float> rewards, std::span<const std::uint8_t> dones,
             std::span<float> out);

  std::size_t num_envs() const { return returns_.size(); }
  const std::vector<double>& returns() const { return returns_; }
  void set_returns(std::vector<double> returns);
  RunningMeanStd& stats() { return stats_; }
  const RunningMeanStd& stats() const { return stats_; }

 private:
  RunningMeanStd stats_;  // of the discounted returns, one dimension
  std::vector<double> returns_;
  double gamma_;
  double clip_;
  double epsilon_;
};

}  // namespace podsizer::agent
