// The embedded default load: a seeded generator of realistic web-service traffic.
//
// The request rate follows a daily cycle (a trough at night, a peak in the afternoon) scaled so
// that its mean is the app's average rate and its highest regular peak nears the app's peak rate,
// a weekly cycle (quieter weekends), a slow linear trend, multiplicative noise and occasional
// bursts. CPU per pod is a base plus a cost per request, memory a base plus a load-dependent
// part with a garbage-collection sawtooth and an optional leak. Everything random comes from one
// std::mt19937_64 seeded by `seed`, drawn in a fixed order: the same options give the same trace
// on every machine.
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
  int replicas = 2;                    // pods the load is spread over for per-pod usage
  double weekend_factor = 0.6;         // weekend load relative to weekdays
  double trend_per_day = 0.005;        // relative growth of the load per day
  double noise = 0.08;                 // standard deviation of multiplicative noise
  double bursts_per_day = 1.5;         // mean number of bursts per day (Poisson)
  double burst_factor = 1.8;           // mean load multiplier during a burst
  double burst_duration_s = 900.0;     // mean burst length
  double cpu_base_millicores = 40.0;   // per pod, idle
  double cpu_per_request_millicores = 1.2;  // CPU-milliseconds of work per request
  double memory_base_bytes = 220.0 * 1024 * 1024;
  double memory_per_rps_bytes = 0.35 * 1024 * 1024;  // resident growth per request/s per pod
  double gc_sawtooth_bytes = 40.0 * 1024 * 1024;     // garbage that builds up before a collection
  double gc_period_s = 1800.0;
  double leak_bytes_per_day = 0.0;     // 0: no leak
};

// Options matching an app spec: its average and peak rates and HPA minimum.
SyntheticOptions synthetic_options_for(const AppSpec& spec);

Trace generate_synthetic(const SyntheticOptions& options);

}  // namespace podsizer::traces
