// Histograms with exponentially growing buckets and exponentially decaying sample weights, the
// data structure of the VPA recommender and of Autopilot's moving-window recommender.
//
// Buckets (after kubernetes/autoscaler vertical-pod-autoscaler/pkg/recommender/util/
// histogram_options.go): bucket 0 covers [0, first); bucket n >= 1 starts at
// first * (ratio^n - 1) / (ratio - 1), so each bucket is `ratio` times wider than the one before;
// there are just enough buckets for the last one to start at or above `max_value`, and values
// beyond fall into the last bucket. VPA uses first = 0.01 cores, max 1000 cores for CPU and
// first = 1e7 bytes, max 1e12 bytes for memory, both with ratio 1.05 (model/
// aggregations_config.go); either gives 176 buckets.
//
// Percentile (util/histogram.go): walk the buckets from the smallest non-empty one, adding
// weights until the running sum reaches p x total; answer the END of that bucket (the start of
// the next), or the start of the last bucket when it is the last. A bucket holding less weight
// than epsilon counts as empty; an empty histogram answers 0.
//
// Decay (util/decaying_histogram.go): a sample at time t is added with weight
// w x 2^((t - reference) / half_life). Only relative weights matter, so older samples lose half
// their weight every half-life relative to new ones, without touching the stored buckets. When
// the exponent would pass 100 the reference moves forward and all weights are rescaled.
//
// Plain values; not synchronised.
#pragma once

#include <cstddef>
#include <vector>

namespace podsizer::policies {

class ExponentialBuckets {
 public:
  // REQUIRES: max_value > 0, first_bucket_size > 0, ratio > 1.
  ExponentialBuckets(double max_value, double first_bucket_size, double ratio);

  std::size_t size() const { return starts_.size(); }
  // The bucket holding `value` (values below 0 go to bucket 0, beyond the range to the last).
  std::size_t find(double value) const;
  double start(std::size_t bucket) const { return starts_[bucket]; }
  // The end of a bucket, which is the start of the next; the last bucket's own start.
  double end(std::size_t bucket) const;

 private:
  double first_;
  double ratio_;
  double log_ratio_;
  std::vector<double> starts_;
};

class Histogram {
 public:
  explicit Histogram(const ExponentialBuckets* buckets, double epsilon = 1e-4);

  void add(double value, double weight) { add_to_bucket(buckets_->find(value), weight); }
  void add_to_bucket(std::size_t bucket, double weight);
  // Multiplies every weight by `factor` (percentiles unchanged).
  void scale(double factor);
  void clear();

  bool empty() const;
  double total_weight() const { return total_; }
  double weight(std::size_t bucket) const { return weights_[bucket]; }
  const ExponentialBuckets& buckets() const { return *buckets_; }

  // The p-quantile (0 <= p <= 1) as described in the file comment; 0 when empty.
  double percentile(double p) const;

 private:
  void update_min_max();

  const ExponentialBuckets* buckets_;
  double epsilon_;
  std::vector<double> weights_;
  double total_ = 0.0;
  std::size_t min_bucket_;
  std::size_t max_bucket_ = 0;
};

class DecayingHistogram {
 public:
  DecayingHistogram(const ExponentialBuckets* buckets, double half_life_s, double epsilon = 1e-4);

  // Adds `value` with weight `weight` as of time `time_s`. Samples may come in any order.
  void add(double value, double weight, double time_s);
  // The same for a value whose bucket is already known (several histograms, one lookup).
  void add_to_bucket(std::size_t bucket, double weight, double time_s);
  void clear();

  bool empty() const { return histogram_.empty(); }
  double percentile(double p) const { return histogram_.percentile(p); }
  // The weight a sample of weight 1 at `time_s` carries, relative to the current reference.
  double decay_factor(double time_s);
  const Histogram& raw() const { return histogram_; }
  double half_life_s() const { return half_life_s_; }

 private:
  void shift_reference(double time_s);

  Histogram histogram_;
  double half_life_s_;
  double reference_s_ = 0.0;
  bool has_reference_ = false;
};

// The VPA bucket schemes, built once.
const ExponentialBuckets& vpa_cpu_buckets();     // in cores
const ExponentialBuckets& vpa_memory_buckets();  // in bytes

}  // namespace podsizer::policies
