// The request-latency model: how long requests take on replicas given their arrival rate and the
// CPU they actually get.
//
// A replica is a processor-sharing server (M/G/1-PS in the textbook; the reference's queueing
// facts) whose capacity for requests is the CPU it can get (its limit, or its share of a busy
// node) minus the CPU it spends idle (`base`). A request costs `cpu_ms` CPU-milliseconds, so the
// service rate is mu = (capacity - base) / cpu_ms per second and the utilization rho = lambda/mu.
// Response time = a fixed part d (network, I/O, downstream calls, which CPU does not speed up)
// + a CPU part, exponential with rate mu - lambda (mean 1/(mu - lambda), p-quantile
// -ln(1 - p)/(mu - lambda))
// + a throttling wait: a share f x s of requests arrives while the CFS quota is exhausted
//   (f throttled periods, s the stalled share of such a period) and waits uniformly up to
//   s x 100 ms for the next period, which shows in the tail long before the mean
// + a backlog wait: when lambda >= mu over a stretch of time, the backlog grows by
//   (lambda - mu) dt and every request waits backlog/mu to reach the front; requests that would
//   wait longer than the client timeout are dropped and count as errors.
// The p-quantile of a replica adds the quantiles of its parts (an upper bound of the true
// quantile of the sum); the quantile of a workload whose replicas differ comes from the mixture
// of their distributions weighted by arrival rate, each taken as a shifted exponential.
// Formulas and calibration are written out in sim/README.md. Pure functions; thread-safe.
#pragma once

#include <array>
#include <cstddef>

namespace podsizer::sim {

struct LatencyParams {
  double fixed_ms = 100;          // d: the part of a response CPU does not affect
  double cpu_ms = 1;              // CPU-milliseconds of work per request
  double base_millicores = 0;     // CPU a replica uses with no traffic
  double timeout_s = 30;          // client timeout: longer waits are errors
  double max_utilization = 0.99;  // rho is capped here for the steady-state part
};

// One replica over one stretch of time with constant inputs.
struct ReplicaLatency {
  double service_rate = 0;  // mu, requests/s
  double utilization = 0;   // lambda/mu, uncapped
  double mean_ms = 0;
  double quantile_ms[3] = {0, 0, 0};  // p50, p95, p99
  double slo_quantile_ms = 0;         // at the SLO's percentile
};

// The throttle-wait p-quantile in ms: f x s of requests wait U(0, s x 100 ms).
double throttle_wait_quantile_ms(double throttled_fraction, double stall_fraction, double p);

// Backlog of one replica after `dt_s` with arrivals `lambda` and service rate `mu`, starting at
// `backlog`; `dropped` receives the requests dropped for waiting past the timeout and
// `mean_backlog` the time-average backlog over the stretch. Returns the new backlog.
double advance_backlog(double backlog, double lambda, double mu, double dt_s, double timeout_s,
                       double* dropped, double* mean_backlog);

// The service rate mu of a replica that can get `capacity_millicores` of CPU.
inline double service_rate(const LatencyParams& p, double capacity_millicores) {
  double spare = capacity_millicores - p.base_millicores;
  return spare > 0 ? spare / p.cpu_ms : 0.0;
}

// Latency of one replica: arrival rate `lambda`, service rate `mu`, time-average backlog,
// throttling of its quota. `slo_p` is the SLO's percentile (0.95 or 0.99).
ReplicaLatency replica_latency(const LatencyParams& p, double lambda, double mu,
                               double mean_backlog, double throttled_fraction,
                               double stall_fraction, double slo_p);

// A group of identical replicas: weight (arrivals per second), rate of the exponential part and
// the shift (fixed, backlog and throttle parts at each percentile).
struct LatencyClass {
  double weight = 0;
  double rate_per_ms = 0;             // mu - lambda in 1/ms
  double shift_ms[4] = {0, 0, 0, 0};  // at p50, p95, p99, slo_p
};

// Up to kMaxClasses groups; beyond that a replica joins the group of the nearest rate.
class LatencyMixture {
 public:
  static constexpr std::size_t kMaxClasses = 8;
  void clear() { n_ = 0; }
  void add(const LatencyClass& c);
  std::size_t size() const { return n_; }
  // The p-quantile of the mixture for percentile index i (0: p50, 1: p95, 2: p99, 3: slo_p).
  double quantile_ms(int i, double p) const;

 private:
  std::array<LatencyClass, kMaxClasses> classes_{};
  std::size_t n_ = 0;
};

}  // namespace podsizer::sim
