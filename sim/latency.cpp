#include "sim/latency.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace podsizer::sim {

namespace {

constexpr double kPercentiles[3] = {0.50, 0.95, 0.99};

// -ln(1 - p): the p-quantile of a unit-rate exponential.
double exp_quantile(double p) {
  return -std::log1p(-p);
}

}  // namespace

double throttle_wait_quantile_ms(double throttled_fraction, double stall_fraction, double p) {
  // A request waits with probability pi = f x s; its wait is uniform on [0, s x 100 ms]. The
  // p-quantile is 0 while the waiting share is under 1 - p.
  double pi = throttled_fraction * stall_fraction;
  double tail = 1.0 - p;
  if (pi <= tail || stall_fraction <= 0) return 0.0;
  return stall_fraction * 100.0 * (1.0 - tail / pi);
}

double advance_backlog(double backlog, double lambda, double mu, double dt_s, double timeout_s,
                       double* dropped, double* mean_backlog) {
  // The backlog moves linearly at lambda - mu, floored at zero; requests beyond what the
  // replica can serve within the timeout (mu x timeout) are dropped.
  double slope = lambda - mu;
  double cap = mu * timeout_s;
  double end = backlog + slope * dt_s;
  double mean = 0;
  if (end <= 0) {
    // Drains to zero at time backlog / -slope, then stays empty.
    double t0 = slope < 0 ? std::min(dt_s, backlog / -slope) : 0.0;
    mean = dt_s > 0 ? 0.5 * backlog * t0 / dt_s : 0.0;
    end = 0;
  } else {
    mean = 0.5 * (backlog + end);
  }
  double drop = 0;
  if (end > cap) {
    drop = end - cap;
    end = cap;
    mean = std::min(mean, cap);
  }
  *dropped = drop;
  *mean_backlog = mean;
  return end;
}

ReplicaLatency replica_latency(const LatencyParams& p, double lambda, double mu,
                               double mean_backlog, double throttled_fraction,
                               double stall_fraction, double slo_p) {
  ReplicaLatency r;
  r.service_rate = mu;
  r.utilization =
      mu > 0 ? lambda / mu : (lambda > 0 ? std::numeric_limits<double>::infinity() : 0.0);

  // Steady-state CPU part with rho capped: in overload the backlog term carries the growth.
  double rho = std::min(mu > 0 ? lambda / mu : 1.0, p.max_utilization);
  double rate = mu > 0 ? mu * (1.0 - rho) : 0.0;  // mu - lambda, per second
  double cpu_mean_ms = rate > 0 ? 1000.0 / rate : p.timeout_s * 1000.0;
  double backlog_ms = mu > 0 ? 1000.0 * mean_backlog / mu : 0.0;
  double pi = throttled_fraction * stall_fraction;
  double throttle_mean_ms = pi * stall_fraction * 50.0;

  r.mean_ms = p.fixed_ms + cpu_mean_ms + throttle_mean_ms + backlog_ms;
  for (int i = 0; i < 3; ++i) {
    double q = kPercentiles[i];
    r.quantile_ms[i] = p.fixed_ms + cpu_mean_ms * exp_quantile(q) +
                       throttle_wait_quantile_ms(throttled_fraction, stall_fraction, q) +
                       backlog_ms;
  }
  r.slo_quantile_ms = p.fixed_ms + cpu_mean_ms * exp_quantile(slo_p) +
                      throttle_wait_quantile_ms(throttled_fraction, stall_fraction, slo_p) +
                      backlog_ms;
  return r;
}

void LatencyMixture::add(const LatencyClass& c) {
  // An identical group absorbs the weight; past the capacity, the nearest rate does.
  for (std::size_t i = 0; i < n_; ++i) {
    LatencyClass& k = classes_[i];
    if (k.rate_per_ms == c.rate_per_ms && k.shift_ms[1] == c.shift_ms[1] &&
        k.shift_ms[3] == c.shift_ms[3]) {
      k.weight += c.weight;
      return;
    }
  }
  if (n_ < kMaxClasses) {
    classes_[n_++] = c;
    return;
  }
  std::size_t nearest = 0;
  double best = std::abs(classes_[0].rate_per_ms - c.rate_per_ms);
  for (std::size_t i = 1; i < n_; ++i) {
    double d = std::abs(classes_[i].rate_per_ms - c.rate_per_ms);
    if (d < best) {
      best = d;
      nearest = i;
    }
  }
  classes_[nearest].weight += c.weight;
}

double LatencyMixture::quantile_ms(int i, double p) const {
  if (n_ == 0) return 0.0;

  // One group: the shifted exponential's quantile in closed form.
  if (n_ == 1) {
    const LatencyClass& c = classes_[0];
    return c.shift_ms[i] + (c.rate_per_ms > 0 ? exp_quantile(p) / c.rate_per_ms : 0.0);
  }

  // Several: bisect F(x) = sum w_c (1 - exp(-r_c (x - shift_c))) / sum w_c = p between the
  // smallest and the largest single-group quantile, which bracket the mixture's.
  double total = 0, lo = 1e300, hi = 0;
  for (std::size_t k = 0; k < n_; ++k) {
    const LatencyClass& c = classes_[k];
    total += c.weight;
    double q = c.shift_ms[i] + (c.rate_per_ms > 0 ? exp_quantile(p) / c.rate_per_ms : 0.0);
    lo = std::min(lo, q);
    hi = std::max(hi, q);
  }
  if (total <= 0) return hi;
  for (int iter = 0; iter < 50 && hi - lo > 1e-6 * std::max(1.0, hi); ++iter) {
    double mid = 0.5 * (lo + hi);
    double f = 0;
    for (std::size_t k = 0; k < n_; ++k) {
      const LatencyClass& c = classes_[k];
      double x = mid - c.shift_ms[i];
      if (x <= 0) continue;
      f += c.weight * (c.rate_per_ms > 0 ? -std::expm1(-c.rate_per_ms * x) : 1.0);
    }
    if (f / total < p) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return 0.5 * (lo + hi);
}

}  // namespace podsizer::sim
