#include "sim/kubelet.h"

#include <algorithm>
#include <cassert>
#include <cmath>

#include "sim/resources.h"

namespace podsizer::sim {

double normal_cdf(double z) {
  return 0.5 * std::erfc(-z / std::sqrt(2.0));
}

ThrottleStats cfs_throttle(double mean_millicores, double cv, double limit_millicores) {
  assert(mean_millicores >= 0 && cv >= 0 && limit_millicores > 0 && "invalid throttle input");
  ThrottleStats s;
  s.used = mean_millicores;
  if (!(limit_millicores < kUnlimited) || mean_millicores <= 0) return s;

  // Flat demand is throttled in every period once it exceeds the quota, and never below it.
  if (cv <= 0) {
    if (mean_millicores > limit_millicores) {
      s.used = limit_millicores;
      s.lost = mean_millicores - limit_millicores;
      s.throttled_fraction = 1.0;
      s.stall_fraction = 1.0 - limit_millicores / mean_millicores;
    }
    return s;
  }

  // Lognormal D with E[D] = mean: sigma^2 = ln(1 + cv^2), mu = ln(mean) - sigma^2 / 2. With
  // z = (ln L - mu) / sigma, P(D > L) = 1 - Phi(z) and E[(D - L)+] = mean Phi(sigma - z) -
  // L Phi(-z) (the lognormal partial expectation).
  double sigma2 = std::log1p(cv * cv);
  double sigma = std::sqrt(sigma2);
  double mu = std::log(mean_millicores) - 0.5 * sigma2;
  double z = (std::log(limit_millicores) - mu) / sigma;
  double p_over = normal_cdf(-z);
  double tail_mass = mean_millicores * normal_cdf(sigma - z);  // E[D; D > L]
  double lost = std::max(0.0, tail_mass - limit_millicores * p_over);
  s.lost = lost;
  s.used = mean_millicores - lost;
  s.throttled_fraction = p_over;

  // In a throttled period the container runs L/D of the period and waits for the rest; the
  // expected demand of such a period is E[D | D > L].
  if (p_over > 0 && tail_mass > 0) {
    double over_mean = tail_mass / p_over;
    s.stall_fraction = std::max(0.0, 1.0 - limit_millicores / over_mean);
  }
  return s;
}

void divide_by_shares(const double* demand, const double* shares, double* granted, std::size_t n,
                      double capacity) {
  // Everyone is served when the node has enough.
  double total = 0;
  for (std::size_t i = 0; i < n; ++i) total += demand[i];
  if (total <= capacity) {
    std::copy(demand, demand + n, granted);
    return;
  }

  // Water-filling: pods whose demand is under their weighted share of what is left are served
  // in full and leave the rest to the others; repeat until no such pod remains, then split
  // what is left in proportion to shares.
  std::fill(granted, granted + n, -1.0);
  double left = capacity;
  bool changed = true;
  while (changed) {
    changed = false;
    double weight = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (granted[i] < 0) weight += shares[i];
    }
    if (weight <= 0) break;
    for (std::size_t i = 0; i < n; ++i) {
      if (granted[i] >= 0) continue;
      if (demand[i] <= left * shares[i] / weight) {
        granted[i] = demand[i];
        left -= demand[i];
        changed = true;
      }
    }
  }
  double weight = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (granted[i] < 0) weight += shares[i];
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (granted[i] < 0) granted[i] = weight > 0 ? left * shares[i] / weight : 0.0;
  }
}

double restart_back_off(int crash_count) {
  assert(crash_count >= 1 && "back-off is defined from the first crash");
  double delay = kBackOffInitialS;
  for (int i = 1; i < crash_count && delay < kBackOffMaxS; ++i) delay *= 2;
  return std::min(delay, kBackOffMaxS);
}

void rank_for_eviction(std::vector<EvictionCandidate>& candidates) {
  // Over-request pods first; among each group lower priority first, then the larger excess of
  // usage over request; ties by pod id keep the order reproducible.
  std::sort(candidates.begin(), candidates.end(),
            [](const EvictionCandidate& x, const EvictionCandidate& y) {
              bool x_over = x.memory_usage > x.memory_request;
              bool y_over = y.memory_usage > y.memory_request;
              if (x_over != y_over) return x_over;
              if (x.priority != y.priority) return x.priority < y.priority;
              double x_excess = x.memory_usage - x.memory_request;
              double y_excess = y.memory_usage - y.memory_request;
              if (x_excess != y_excess) return x_excess > y_excess;
              return x.pod < y.pod;
            });
}

}  // namespace podsizer::sim
