#include "policies/histogram.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace podsizer::policies {

namespace {

// Past this exponent the decaying histogram moves its reference forward, as VPA does, so that
// 2^exponent never overflows.
constexpr double kMaxDecayExponent = 100.0;

}  // namespace

ExponentialBuckets::ExponentialBuckets(double max_value, double first_bucket_size, double ratio)
    : first_(first_bucket_size), ratio_(ratio), log_ratio_(std::log(ratio)) {
  assert(max_value > 0 && first_bucket_size > 0 && ratio > 1 && "bucket scheme must grow");

  // Enough buckets for the last one to start at or above max_value.
  const auto count = static_cast<std::size_t>(
      std::ceil(std::log(max_value * (ratio - 1) / first_bucket_size + 1) / log_ratio_) + 1);
  starts_.resize(count);
  starts_[0] = 0.0;
  for (std::size_t n = 1; n < count; ++n) {
    starts_[n] = first_ * (std::pow(ratio_, static_cast<double>(n)) - 1) / (ratio_ - 1);
  }
}

std::size_t ExponentialBuckets::find(double value) const {
  if (!(value >= first_)) return 0;  // also catches NaN
  // Inverse of start(): n = floor(log(value (ratio - 1) / first + 1) / log(ratio)).
  const double index = std::floor(std::log(value * (ratio_ - 1) / first_ + 1) / log_ratio_);
  auto bucket = static_cast<std::size_t>(index);
  if (bucket >= starts_.size()) return starts_.size() - 1;
  // Guard against rounding at an exact bucket boundary.
  if (bucket + 1 < starts_.size() && value >= starts_[bucket + 1]) ++bucket;
  if (bucket > 0 && value < starts_[bucket]) --bucket;
  return bucket;
}

double ExponentialBuckets::end(std::size_t bucket) const {
  return bucket + 1 < starts_.size() ? starts_[bucket + 1] : starts_[bucket];
}

Histogram::Histogram(const ExponentialBuckets* buckets, double epsilon)
    : buckets_(buckets),
      epsilon_(epsilon),
      weights_(buckets->size(), 0.0),
      min_bucket_(buckets->size() - 1) {}

void Histogram::add_to_bucket(std::size_t bucket, double weight) {
  assert(weight >= 0 && "sample weights are never negative");
  weights_[bucket] += weight;
  total_ += weight;
  if (weights_[bucket] >= epsilon_) {
    min_bucket_ = std::min(min_bucket_, bucket);
    max_bucket_ = std::max(max_bucket_, bucket);
  }
}

void Histogram::scale(double factor) {
  assert(factor >= 0 && "scale factors are never negative");
  for (std::size_t b = min_bucket_; b <= max_bucket_ && b < weights_.size(); ++b) {
    weights_[b] *= factor;
  }
  total_ *= factor;
  update_min_max();
}

void Histogram::clear() {
  std::fill(weights_.begin(), weights_.end(), 0.0);
  total_ = 0.0;
  min_bucket_ = weights_.size() - 1;
  max_bucket_ = 0;
}

bool Histogram::empty() const {
  return weights_[min_bucket_] < epsilon_;
}

double Histogram::percentile(double p) const {
  if (empty()) return 0.0;

  // Walk up from the first non-empty bucket until the running weight reaches p x total.
  const double threshold = p * total_;
  double running = 0.0;
  std::size_t bucket = min_bucket_;
  for (; bucket < max_bucket_; ++bucket) {
    running += weights_[bucket];
    if (running >= threshold) break;
  }
  return buckets_->end(bucket);
}

void Histogram::update_min_max() {
  const std::size_t last = weights_.size() - 1;
  while (weights_[min_bucket_] < epsilon_ && min_bucket_ < last) ++min_bucket_;
  while (weights_[max_bucket_] < epsilon_ && max_bucket_ > 0) --max_bucket_;
}

DecayingHistogram::DecayingHistogram(const ExponentialBuckets* buckets, double half_life_s,
                                     double epsilon)
    : histogram_(buckets, epsilon), half_life_s_(half_life_s) {
  assert(half_life_s > 0 && "a half-life must be positive");
}

void DecayingHistogram::add(double value, double weight, double time_s) {
  histogram_.add(value, weight * decay_factor(time_s));
}

void DecayingHistogram::add_to_bucket(std::size_t bucket, double weight, double time_s) {
  histogram_.add_to_bucket(bucket, weight * decay_factor(time_s));
}

void DecayingHistogram::clear() {
  histogram_.clear();
  has_reference_ = false;
}

double DecayingHistogram::decay_factor(double time_s) {
  // The first sample fixes the reference; one too far ahead moves it (and rescales weights).
  if (!has_reference_ || time_s > reference_s_ + kMaxDecayExponent * half_life_s_) {
    shift_reference(time_s);
  }
  return std::exp2((time_s - reference_s_) / half_life_s_);
}

void DecayingHistogram::shift_reference(double time_s) {
  // The reference stays a whole number of half-lives, so rescaling is by a power of two.
  const double new_reference = std::round(time_s / half_life_s_) * half_life_s_;
  if (has_reference_) {
    const double exponent = std::round((reference_s_ - new_reference) / half_life_s_);
    histogram_.scale(std::ldexp(1.0, static_cast<int>(exponent)));
  }
  reference_s_ = new_reference;
  has_reference_ = true;
}

const ExponentialBuckets& vpa_cpu_buckets() {
  static const ExponentialBuckets buckets(1000.0, 0.01, 1.05);
  return buckets;
}

const ExponentialBuckets& vpa_memory_buckets() {
  static const ExponentialBuckets buckets(1e12, 1e7, 1.05);
  return buckets;
}

}  // namespace podsizer::policies
