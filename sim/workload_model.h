// WorkloadModel: a trace turned into the per-pod demand a Deployment replays, and the latency
// parameters it is served with.
//
// Demand. The workload's total request rate R is split evenly across its ready replicas, so a
// ready pod among n sees R/n. Per pod and per trace sample k:
//   cpu(k, n)    = max(cpu_floor,    cpu_fixed[k] + cpu_shared[k] / n)      millicores
//   memory(k, n) = max(memory_floor, memory_fixed[k] + memory_shared[k] / n)  bytes
// With a request rate in the trace, a line is fitted by least squares to per-pod CPU against
// per-pod rate (cpu = a + b r) and another to memory (m = m0 + beta r); the trace is then replayed
// as measured and corrected by the slope for the rate the simulated pods see:
//   cpu = c_k + b (R_k/n - r_k), i.e. cpu_fixed = c_k - b r_k, cpu_shared = b R_k,
// and the same for memory with beta, so the shape of the trace (noise, garbage-collection
// sawtooth, leaks) is kept and a pod with the measured load gets exactly the measured usage.
// Without a request rate the trace drives the pods directly: the total CPU measured (per-pod CPU
// x measured replicas) is split over the n simulated pods, memory per pod is as measured.
// Without CPU or memory columns, the synthetic generator's defaults stand in (documented in
// sim/README.md).
//
// Burstiness. The coefficient of variation of CPU demand inside a sample (see sim/kubelet.h) is
// estimated from the trace: consecutive samples' log-ratios have standard deviation sigma sqrt 2
// for lognormal noise, so cv = sqrt(exp(sigma^2) - 1); averaging over a sample hides burstiness
// at 100 ms, so cv is kept at least `burst_cv_floor`.
//
// Latency. CPU per request is b (or the load test's (cpu - a)/max_rps when it is given); the fixed
// part of the response time comes from the load test's (rate, latency, CPU) point, or, without
// one, is a documented share of the SLO. See sim/latency.h.
//
// A calibrated model is immutable and can be shared read-only by many simulations and threads.
#pragma once

#include <string>
#include <vector>

#include "sim/latency.h"
#include "traces/app_spec.h"
#include "traces/readers.h"
#include "traces/trace.h"

namespace podsizer::sim {

struct CalibrationOptions {
  double burst_cv_floor = 0.25;  // least in-sample CV of CPU demand
  double burst_cv_max = 2.0;
  double fixed_latency_share = 0.5;   // without a load test: d = this x the SLO
  double timeout_s = 30;              // client timeout (a common load-balancer default)
  double loadtest_utilization = 0.8;  // assumed utilization of the load-tested pod's CPU
  // Stand-ins when a column is missing (the synthetic generator's defaults, traces/synthetic.h).
  double default_cpu_base_millicores = 40;
  double default_cpu_ms_per_request = 1.2;
  double default_memory_base_bytes = 220.0 * 1024 * 1024;
  double default_memory_per_rps_bytes = 0.35 * 1024 * 1024;
};

struct WorkloadModel {
  std::string name;
  std::vector<double> time_s;                 // sample starts, seconds from the first sample
  double end_s = 0;                           // end of the last sample
  std::vector<double> rate;                   // total requests/s
  std::vector<double> cpu_fixed, cpu_shared;  // see the header comment
  std::vector<double> memory_fixed, memory_shared;
  double cpu_floor = 1;     // millicores
  double memory_floor = 0;  // bytes
  double idle_cpu = 0;      // a pod starting up or without traffic, millicores
  double idle_memory = 0;   // bytes
  double burst_cv = 0.25;
  LatencyParams latency;
  double observed_replicas_mean = 1;  // of the trace, for reports

  // How the model was obtained, for logs and reports.
  bool rate_from_trace = false;
  double cpu_base = 0;            // a, millicores
  double cpu_ms_per_request = 0;  // b
  double memory_base = 0;         // m0, bytes
  double memory_per_rps = 0;      // beta, bytes per request/s
  std::string method;

  std::size_t size() const { return time_s.size(); }
  double cpu_per_pod(std::size_t k, int n) const;
  double memory_per_pod(std::size_t k, int n) const;
};

// Calibrates from a trace, the app spec (rates, SLO) and an optional load test.
// Throws std::invalid_argument for a trace with no samples or neither CPU nor request rate.
WorkloadModel calibrate_workload(const traces::Trace& trace, const traces::AppSpec& spec,
                                 const traces::LoadTest* load_test = nullptr,
                                 const CalibrationOptions& options = {});

// Least-squares line y = a + b x; b = 0 and a = mean(y) when x has no spread.
struct LineFit {
  double a = 0;
  double b = 0;
};
LineFit fit_line(const std::vector<double>& x, const std::vector<double>& y);

}  // namespace podsizer::sim
