// The embedded default load: a seeded generator of realistic web-service traffic.
//
// The request rate is a deterministic profile times noise times bursts:
//
//   rate(t) = A * daily(t) * weekly(t) * trend(t) * noise(t) * burst(t)
//
// - daily(t) = b + (1 - b) * s(t)^k, where s is a raised cosine of the hour of day (1 at
//   `peak_hour`, 0 twelve hours later): a trough at night and a peak in the afternoon. The floor
//   b and the sharpness k are calibrated (below); b never drops under `night_floor`.
// - weekly(t) is 1 on weekdays and `weekend_factor` on Saturday and Sunday, with two-hour linear
//   ramps around midnight so the load does not jump.
// - trend(t) = 1 + trend_per_day * days since the start (never below 5 % of the start).
// - noise(t) = exp(noise * z - noise^2 / 2), with z a stationary AR(1) standard normal whose
//   correlation time is `noise_correlation_s`: multiplicative, mean 1, never negative.
// - burst(t) is the largest multiplier of the bursts active at t. Bursts arrive as a Poisson
//   process (`bursts_per_day`), last an exponential time (mean `burst_duration_s`) and multiply
//   the load by 1 + (burst_factor - 1) * Exp(1), whose mean is `burst_factor`.
//
// Calibration: A puts the noise-free weekday peak, at the trend of the trace's midpoint, at
// `peak_request_per_sec`; b and k are then chosen so that the profile's mean over the sample
// grid times the expected burst uplift equals `avg_request_per_sec`. First k = 1 (a broad day)
// and b solved; if b would fall below `night_floor`, b = night_floor and k is raised (a sharper
// afternoon peak) until the mean matches. When the average is too close to the peak for any
// daily shape (b would exceed 1) the day is flat and A is set from the average alone, so the
// mean is kept and the peak is not reached.
//
// Per pod, with load = rate / replicas:
//   cpu    = (cpu_base + cpu_per_request * load) * (1 + cpu_jitter * N(0,1))
//   memory = (memory_base + memory_per_rps * smoothed load + gc_sawtooth * phase
//             + leak_bytes_per_day * days) * (1 + memory_jitter * N(0,1))
// where the smoothed load follows the load with time constant `memory_smoothing_s` (heaps and
// caches grow and shrink slowly) and the garbage-collection phase rises from 0 to 1 and drops,
// faster under load (its period is `gc_period_s` at the average load). Both are clamped at 0.
// The `replicas` column holds the constant `replicas`.
//
// Determinism: everything random comes from one std::mt19937_64 seeded by `seed`, turned into
// uniforms, exponentials and normals here (not by <random>'s distributions, whose algorithms
// differ between standard libraries), and drawn in a fixed order: first every burst (gap,
// length, size, until the end of the trace), then per sample the rate, CPU and memory normals,
// three draws each whatever the options. The same options give the same trace on every machine
// whose libm rounds exp/log/cos alike (glibc does so on every architecture it supports).
//
// Plain functions over values; safe to call from several threads.
#pragma once

#include <cstdint>

#include "traces/app_spec.h"
#include "traces/trace.h"

namespace podsizer::traces {

struct SyntheticOptions {
  std::uint64_t seed = 42;
  double duration_s = 14 * 86400.0;
  double step_s = 300.0;
  double start_time_s = 1'700'000'000.0;  // a Tuesday, 22:13 UTC, so cycles start mid-week
  double avg_request_per_sec = 200.0;
  double peak_request_per_sec = 1000.0;
  int replicas = 2;                         // pods the load is spread over for per-pod usage
  double peak_hour = 15.0;                  // hour of day (UTC of the trace's clock) of the peak
  double night_floor = 0.08;                // lowest night load as a fraction of the daily peak
  double weekend_factor = 0.6;              // weekend load relative to weekdays
  double trend_per_day = 0.005;             // relative growth of the load per day
  double noise = 0.08;                      // standard deviation of multiplicative noise
  double noise_correlation_s = 1200.0;      // correlation time of the noise
  double bursts_per_day = 1.5;              // mean number of bursts per day (Poisson)
  double burst_factor = 1.8;                // mean load multiplier during a burst
  double burst_duration_s = 900.0;          // mean burst length
  double cpu_base_millicores = 40.0;        // per pod, idle
  double cpu_per_request_millicores = 1.2;  // CPU-milliseconds of work per request
  double cpu_jitter = 0.03;                 // relative measurement noise of CPU
  double memory_base_bytes = 220.0 * 1024 * 1024;
  double memory_per_rps_bytes = 0.35 * 1024 * 1024;  // resident growth per request/s per pod
  double memory_smoothing_s = 600.0;                 // time constant of memory following the load
  double gc_sawtooth_bytes = 40.0 * 1024 * 1024;     // garbage that builds up before a collection
  double gc_period_s = 1800.0;      // time between collections at the average load; 0: none
  double memory_jitter = 0.01;      // relative measurement noise of memory
  double leak_bytes_per_day = 0.0;  // 0: no leak
};

// Options matching an app spec: its average and peak rates, its HPA minimum as the replica
// count, and a weekend factor by workload type (web services quiet down most at weekends;
// streaming, batch and worker loads much less).
SyntheticOptions synthetic_options_for(const AppSpec& spec);

// The trace, named "synthetic" with source "synthetic:seed=N", time in the options' clock.
// Throws std::invalid_argument naming the first option out of range (step_s <= 0, duration
// shorter than a step, negative rates, replicas < 1, ...).
Trace generate_synthetic(const SyntheticOptions& options);

}  // namespace podsizer::traces
