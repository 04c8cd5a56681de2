#include <catch2/catch.hpp>

#include "policies/histogram.h"

using podsizer::policies::DecayingHistogram;
using podsizer::policies::ExponentialBuckets;
using podsizer::policies::Histogram;
using podsizer::policies::vpa_cpu_buckets;
using podsizer::policies::vpa_memory_buckets;

TEST_CASE("policies::ExponentialBuckets: VPA's CPU and memory bucket edges", "[policies]") {
  const ExponentialBuckets& cpu = vpa_cpu_buckets();
  // count = ceil(log_1.05(1000 x 0.05 / 0.01 + 1)) + 1 = ceil(ln 5001 / ln 1.05) + 1
  //       = ceil(8.51739 / 0.0487902) + 1 = ceil(174.57) + 1 = 176; the same for memory.
  CHECK(cpu.size() == 176);
  CHECK(vpa_memory_buckets().size() == 176);

  // start(n) = 0.01 (1.05^n - 1) / 0.05: 0, 0.01, 0.0205, 0.031525.
  CHECK(cpu.start(0) == 0.0);
  CHECK(cpu.start(1) == Approx(0.01));
  CHECK(cpu.start(2) == Approx(0.0205));
  CHECK(cpu.start(3) == Approx(0.031525));
  CHECK(cpu.end(2) == Approx(0.031525));

  // find: below the first size is bucket 0; boundaries belong to the bucket they start.
  CHECK(cpu.find(0.005) == 0);
  CHECK(cpu.find(0.01) == 1);
  CHECK(cpu.find(0.02) == 1);
  CHECK(cpu.find(0.0205) == 2);
  // 0.1 cores: floor(ln(0.1 x 0.05 / 0.01 + 1) / ln 1.05) = floor(0.405465 / 0.0487902) = 8.
  CHECK(cpu.find(0.1) == 8);
  // start(9) = 0.2 (1.05^9 - 1) = 0.2 x 0.551328 = 0.1102656.
  CHECK(cpu.end(8) == Approx(0.1102656).epsilon(1e-6));
  // Far beyond the range: the last bucket, whose end is its start.
  CHECK(cpu.find(1e9) == 175);
  CHECK(cpu.end(175) == cpu.start(175));
  CHECK(cpu.start(175) >= 1000.0);
}

TEST_CASE("policies::Histogram: percentiles answer the end of the bucket reached", "[policies]") {
  Histogram h(&vpa_cpu_buckets());
  CHECK(h.empty());
  CHECK(h.percentile(0.5) == 0.0);

  // 0.015 in bucket 1 = [0.01, 0.0205), 0.025 in bucket 2 = [0.0205, 0.031525), weight 1 each.
  h.add(0.015, 1.0);
  h.add(0.025, 1.0);
  // P50: threshold 1; the running weight reaches 1 in bucket 1, whose end is 0.0205.
  CHECK(h.percentile(0.5) == Approx(0.0205));
  CHECK(h.percentile(0.0) == Approx(0.0205));
  // P90: threshold 1.8 is only reached in bucket 2: its end 0.031525.
  CHECK(h.percentile(0.9) == Approx(0.031525));

  // Weights: three times as much in bucket 1 moves P60 down (threshold 0.6 x 4 = 2.4 <= 3).
  h.add(0.015, 2.0);
  CHECK(h.percentile(0.6) == Approx(0.0205));
  CHECK(h.percentile(0.8) == Approx(0.031525));
}

TEST_CASE("policies::DecayingHistogram: weights double every half-life of recency", "[policies]") {
  const ExponentialBuckets& buckets = vpa_cpu_buckets();
  DecayingHistogram h(&buckets, 3600.0);

  // A at t = 0 weighs 2^0 = 1, B one half-life later 2^1 = 2.
  h.add(0.015, 1.0, 0.0);
  h.add(0.025, 1.0, 3600.0);
  CHECK(h.raw().weight(buckets.find(0.015)) == Approx(1.0));
  CHECK(h.raw().weight(buckets.find(0.025)) == Approx(2.0));
  // P50: threshold 1.5 of 3 is not reached by A's 1, so B's bucket end. Without decay the
  // threshold 1 would stop at A.
  CHECK(h.percentile(0.5) == Approx(0.031525));
  CHECK(h.decay_factor(7200.0) == Approx(4.0));

  // 101 half-lives later the reference moves: old weights scale by 2^-101 and drop below
  // epsilon, so only the new sample is left.
  h.add(0.2, 1.0, 101 * 3600.0);
  CHECK(h.percentile(0.0) == Approx(buckets.end(buckets.find(0.2))));
  CHECK(h.raw().weight(buckets.find(0.025)) < 1e-20);
}
