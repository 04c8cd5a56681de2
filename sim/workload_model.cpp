#include "sim/workload_model.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace podsizer::sim {

namespace {

double mean_of(const std::vector<double>& v) {
  if (v.empty()) return 0.0;
  return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

// CV of in-sample demand from the spread of consecutive samples' log-ratios (see the header).
double estimate_burst_cv(const std::vector<double>& cpu, const CalibrationOptions& options) {
  std::vector<double> d;
  d.reserve(cpu.size());
  for (std::size_t k = 1; k < cpu.size(); ++k) {
    if (cpu[k] > 0 && cpu[k - 1] > 0) d.push_back(std::log(cpu[k] / cpu[k - 1]));
  }
  double cv = 0;
  if (d.size() >= 3) {
    double m = mean_of(d);
    double var = 0;
    for (double x : d) var += (x - m) * (x - m);
    var /= static_cast<double>(d.size() - 1);
    double sigma2 = var / 2.0;
    cv = std::sqrt(std::expm1(sigma2));
  }
  return std::clamp(cv, options.burst_cv_floor, options.burst_cv_max);
}

// The latency parameters: CPU per request and the fixed part (see sim/README.md).
LatencyParams calibrate_latency(const WorkloadModel& m, const traces::AppSpec& spec,
                                const traces::LoadTest* lt, const CalibrationOptions& options) {
  LatencyParams p;
  p.timeout_s = options.timeout_s;
  p.base_millicores = m.cpu_base;
  p.cpu_ms = m.cpu_ms_per_request > 0 ? m.cpu_ms_per_request : options.default_cpu_ms_per_request;
  double slo = spec.response_time_slo_ms > 0 ? spec.response_time_slo_ms : 200.0;
  p.fixed_ms = options.fixed_latency_share * slo;
  if (!lt || lt->max_rps <= 0 || lt->avg_latency_ms <= 0) return p;

  // The load test's point: lambda = max_rps on one pod using cpu_lt. Its work per request is
  // (cpu_lt - a)/max_rps; its capacity is the CPU limit when that is above cpu_lt, otherwise
  // cpu_lt / loadtest_utilization. The fixed part is what remains of the measured mean after
  // the M/M/1 mean 1/(mu - lambda), kept at least a tenth of the measurement.
  double work = lt->cpu_usage_milli_cores - m.cpu_base;
  if (work > 0) p.cpu_ms = work / lt->max_rps;
  double limit = spec.current.limits.cpu_millicores.value_or(0.0);
  double capacity = limit > lt->cpu_usage_milli_cores
                        ? limit
                        : lt->cpu_usage_milli_cores / options.loadtest_utilization;
  double mu = service_rate(p, capacity);
  double queue_ms = mu > lt->max_rps ? 1000.0 / (mu - lt->max_rps) : 0.0;
  p.fixed_ms = std::max(0.1 * lt->avg_latency_ms, lt->avg_latency_ms - queue_ms);
  return p;
}

}  // namespace

LineFit fit_line(const std::vector<double>& x, const std::vector<double>& y) {
  LineFit f;
  std::size_t n = std::min(x.size(), y.size());
  if (n == 0) return f;
  double mx = 0, my = 0;
  for (std::size_t i = 0; i < n; ++i) {
    mx += x[i];
    my += y[i];
  }
  mx /= static_cast<double>(n);
  my /= static_cast<double>(n);
  double sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < n; ++i) {
    sxx += (x[i] - mx) * (x[i] - mx);
    sxy += (x[i] - mx) * (y[i] - my);
  }
  if (sxx <= 1e-12 * std::max(1.0, mx * mx) * static_cast<double>(n)) {
    f.a = my;
    return f;
  }
  f.b = sxy / sxx;
  f.a = my - f.b * mx;
  return f;
}

double WorkloadModel::cpu_per_pod(std::size_t k, int n) const {
  return std::max(cpu_floor, cpu_fixed[k] + cpu_shared[k] / std::max(n, 1));
}

double WorkloadModel::memory_per_pod(std::size_t k, int n) const {
  return std::max(memory_floor, memory_fixed[k] + memory_shared[k] / std::max(n, 1));
}

WorkloadModel calibrate_workload(const traces::Trace& trace, const traces::AppSpec& spec,
                                 const traces::LoadTest* load_test,
                                 const CalibrationOptions& options) {
  if (trace.empty()) throw std::invalid_argument("trace '" + trace.meta.name + "' has no samples");
  if (!trace.has_cpu() && !trace.has_request_rate()) {
    throw std::invalid_argument("trace '" + trace.meta.name +
                                "' has neither CPU usage nor a request rate to drive the pods");
  }
  const std::size_t n = trace.size();
  WorkloadModel m;
  m.name = trace.meta.name.empty() ? spec.app_name : trace.meta.name;

  // Time runs from the first sample; the last sample lasts one nominal interval.
  double t0 = trace.time_s.front();
  m.time_s.resize(n);
  for (std::size_t k = 0; k < n; ++k) m.time_s[k] = trace.time_s[k] - t0;
  double interval =
      trace.meta.interval_s > 0 ? trace.meta.interval_s : traces::median_interval(trace.time_s);
  if (!(interval > 0)) interval = 60.0;
  m.end_s = m.time_s.back() + interval;

  std::vector<double> replicas(n, 1.0);
  if (trace.has_replicas()) {
    for (std::size_t k = 0; k < n; ++k) replicas[k] = std::max(1.0, trace.replicas[k]);
  }
  m.observed_replicas_mean = mean_of(replicas);
  m.cpu_fixed.resize(n);
  m.cpu_shared.resize(n);
  m.memory_fixed.resize(n);
  m.memory_shared.resize(n);
  m.rate.assign(n, 0.0);

  if (trace.has_request_rate()) {
    // Per-pod rate, CPU and memory; missing columns from the generator's defaults.
    m.rate_from_trace = true;
    std::vector<double> r(n), c(n), mem(n);
    for (std::size_t k = 0; k < n; ++k) {
      m.rate[k] = std::max(0.0, trace.request_rate[k]);
      r[k] = m.rate[k] / replicas[k];
    }
    double cpu_ms = options.default_cpu_ms_per_request;
    double cpu_base = options.default_cpu_base_millicores;
    if (load_test && load_test->max_rps > 0 && load_test->cpu_usage_milli_cores > cpu_base) {
      cpu_ms = (load_test->cpu_usage_milli_cores - cpu_base) / load_test->max_rps;
    }
    for (std::size_t k = 0; k < n; ++k) {
      c[k] = trace.has_cpu() ? trace.cpu_millicores[k] : cpu_base + cpu_ms * r[k];
      mem[k] = trace.has_memory() ? trace.memory_bytes[k]
                                  : options.default_memory_base_bytes +
                                        options.default_memory_per_rps_bytes * r[k];
    }

    // Fitted lines, slopes kept non-negative and intercepts within the data.
    LineFit cf = fit_line(r, c);
    if (cf.b < 0) cf = {mean_of(c), 0.0};
    LineFit mf = fit_line(r, mem);
    if (mf.b < 0) mf = {mean_of(mem), 0.0};
    double c_min = *std::min_element(c.begin(), c.end());
    double m_min = *std::min_element(mem.begin(), mem.end());
    m.cpu_base = std::clamp(cf.a, 0.0, std::max(0.0, c_min));
    m.cpu_ms_per_request = cf.b;
    m.memory_base = std::clamp(mf.a, 0.5 * m_min, std::max(0.5 * m_min, m_min));
    m.memory_per_rps = mf.b;
    for (std::size_t k = 0; k < n; ++k) {
      m.cpu_fixed[k] = c[k] - cf.b * r[k];
      m.cpu_shared[k] = cf.b * m.rate[k];
      m.memory_fixed[k] = mem[k] - mf.b * r[k];
      m.memory_shared[k] = mf.b * m.rate[k];
    }
    m.cpu_floor = std::max(1.0, 0.5 * m.cpu_base);
    m.memory_floor = m.memory_base;
    m.idle_cpu = std::max(1.0, m.cpu_base);
    m.idle_memory = m.memory_base;
    m.burst_cv = estimate_burst_cv(c, options);
    m.method = "request rate from the trace; cpu = a + b x rate per pod fitted by least squares";
  } else {
    // The trace drives the pods: total CPU split over the simulated pods, memory as measured.
    // The spec's average rate is spread in proportion to the total CPU for the latency model.
    std::vector<double> total(n);
    for (std::size_t k = 0; k < n; ++k) total[k] = trace.cpu_millicores[k] * replicas[k];
    double mean_total = mean_of(total);
    std::vector<double> sorted_cpu = trace.cpu_millicores;
    std::vector<double> mem(n);
    for (std::size_t k = 0; k < n; ++k) {
      m.cpu_fixed[k] = 0.0;
      m.cpu_shared[k] = total[k];
      mem[k] = trace.has_memory() ? trace.memory_bytes[k] : options.default_memory_base_bytes;
      m.memory_fixed[k] = mem[k];
      m.memory_shared[k] = 0.0;
      m.rate[k] = mean_total > 0 ? spec.avg_request_per_sec * total[k] / mean_total : 0.0;
    }
    m.cpu_base = traces::percentile(sorted_cpu, 0.05);
    m.cpu_ms_per_request =
        spec.avg_request_per_sec > 0 ? mean_total / spec.avg_request_per_sec : 0.0;
    m.memory_base = traces::percentile(mem, 0.05);
    m.cpu_floor = 1.0;
    m.memory_floor = 0.0;
    m.idle_cpu = std::max(1.0, m.cpu_base);
    m.idle_memory = m.memory_base;
    m.burst_cv = estimate_burst_cv(trace.cpu_millicores, options);
    m.method = "no request rate: total CPU split over ready pods, memory per pod as measured";
  }

  m.latency = calibrate_latency(m, spec, load_test, options);
  if (!m.rate_from_trace) m.latency.base_millicores = 0.0;
  return m;
}

}  // namespace podsizer::sim
