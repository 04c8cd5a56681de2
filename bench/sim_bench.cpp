// sim_bench: how fast the cluster simulator runs.
//
// 1. The event queue alone: pushes and pops of events at scrambled times, events per second.
// 2. A 30-day replay at 1 s resolution (2,592,000 samples) of one service with a fixed number of
//    replicas (10, 100, 1000; HPA off so the count stays put), with a daily load cycle, CPU
//    throttling, memory checks, node contention checks, metrics collection and results intervals
//    all active: pod-samples per second (replicas x trace samples / wall time), wall time and
//    the process's peak resident memory (getrusage). One core.
//
// 3. Closed-loop control: one-hour decisions that change the resources over a 5-minute trace,
//    decisions per second (what a reinforcement-learning environment asks of the simulator).
//
// Usage: sim_bench [--quick] [--no-queue] [--no-loop] [--replicas N ...]
// (--quick: 3 days instead of 30; --replicas 0: no replay)
#include <sys/resource.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <vector>

#include "sim/event_queue.h"
#include "sim/simulation.h"
#include "traces/quantity.h"

using namespace podsizer;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// CPU time of this process (user + system): steadier than wall time on a shared machine.
double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

double peak_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

void bench_event_queue() {
  // A working set of 64 pending events, as in a replay: pop one, push one a little later.
  sim::EventQueue q;
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> ahead(0.0, 30.0);
  double now = 0;
  for (int i = 0; i < 64; ++i) q.push(ahead(rng), sim::EventKind::kTraceSample, i);
  const long n = 20'000'000;
  auto t0 = Clock::now();
  double c0 = cpu_seconds();
  double checksum = 0;
  for (long i = 0; i < n; ++i) {
    sim::Event e = q.pop();
    now = e.time_s;
    checksum += now;
    q.push(now + ahead(rng), static_cast<sim::EventKind>(i % 11), e.a);
  }
  double wall = seconds_since(t0);
  double cpu = cpu_seconds() - c0;
  std::printf(
      "event queue: %ld pop+push in %.3f s wall, %.3f s CPU = %.1f M events/s of CPU "
      "(checksum %.0f)\n",
      n, wall, cpu, n / cpu / 1e6, checksum);
}

// A service at 1 s resolution: a daily cycle around `rate_per_pod` per replica with a second
// faster wave, 40m idle + 1.2 ms per request, memory 300Mi + 0.4Mi per request/s.
std::shared_ptr<const sim::WorkloadModel> service_model(double days, int replicas) {
  auto m = std::make_shared<sim::WorkloadModel>();
  const std::size_t n = static_cast<std::size_t>(days * 86400);
  m->name = "service";
  m->time_s.resize(n);
  m->rate.resize(n);
  m->cpu_fixed.assign(n, 40.0);
  m->cpu_shared.resize(n);
  m->memory_fixed.assign(n, 300 * traces::kMiB);
  m->memory_shared.resize(n);
  for (std::size_t k = 0; k < n; ++k) {
    double day = 2 * M_PI * static_cast<double>(k) / 86400.0;
    double rate = replicas * (100.0 + 60.0 * std::sin(day) + 10.0 * std::sin(37 * day));
    m->time_s[k] = static_cast<double>(k);
    m->rate[k] = rate;
    m->cpu_shared[k] = 1.2 * rate;
    m->memory_shared[k] = 0.4 * traces::kMiB * rate;
  }
  m->end_s = static_cast<double>(n);
  m->idle_cpu = 40;
  m->idle_memory = 300 * traces::kMiB;
  m->burst_cv = 0.3;
  m->latency.fixed_ms = 100;
  m->latency.cpu_ms = 1.2;
  m->latency.base_millicores = 40;
  return m;
}

void bench_replay(double days, int replicas) {
  auto model = service_model(days, replicas);
  sim::ClusterSpec cluster;
  traces::NodeGroup g;
  g.cpu_millicores = 8000;
  g.memory_bytes = 32 * traces::kGiB;
  g.count = 0;  // sized to the replicas
  cluster.groups.push_back(g);
  sim::SimulationOptions options;
  options.results_interval_s = 300;
  sim::Simulation s(cluster, options);
  sim::WorkloadSpec spec;
  spec.name = "service";
  spec.pod.main.requests.cpu_millicores = 250;
  spec.pod.main.requests.memory_bytes = 512 * traces::kMiB;
  spec.pod.main.limits.cpu_millicores = 500;
  spec.pod.main.limits.memory_bytes = 1 * traces::kGiB;
  spec.hpa_enabled = false;
  spec.replicas = replicas;
  auto w = s.add_workload(spec, model);

  auto t0 = Clock::now();
  double c0 = cpu_seconds();
  s.run();
  double wall = seconds_since(t0);
  double cpu = cpu_seconds() - c0;
  double pod_samples = static_cast<double>(s.pod_samples());
  auto sum = s.summary(w);
  std::printf(
      "replay %4.0f days x 1 s, %4d replicas: %.3g pod-samples, %6.2f s wall, %6.2f s CPU = "
      "%6.1f M pod-samples/s of CPU, %.2f M events, peak RSS %.0f MiB (p95 %.1f ms, "
      "throttled %.0f pod-s)\n",
      days, replicas, pod_samples, wall, cpu, pod_samples / cpu / 1e6,
      static_cast<double>(s.events_processed()) / 1e6, peak_rss_mib(), sum.p95_latency_ms,
      sum.throttled_seconds);
}

// Closed-loop control as the RL environment drives it: a 5-minute trace, HPA 2..10, and every
// simulated hour a decision that changes the CPU request (which rolls the pods). Decisions per
// second of CPU, one thread.
void bench_closed_loop(double days) {
  auto fine = service_model(1, 1);
  auto m = std::make_shared<sim::WorkloadModel>();
  const std::size_t n = static_cast<std::size_t>(days * 288);
  for (std::size_t k = 0; k < n; ++k) {
    std::size_t src = (k * 300) % fine->size();
    m->time_s.push_back(300.0 * static_cast<double>(k));
    m->rate.push_back(3 * fine->rate[src]);
    m->cpu_fixed.push_back(40);
    m->cpu_shared.push_back(1.2 * m->rate.back());
    m->memory_fixed.push_back(300 * traces::kMiB);
    m->memory_shared.push_back(0.4 * traces::kMiB * m->rate.back());
  }
  m->end_s = 300.0 * static_cast<double>(n);
  m->idle_cpu = 40;
  m->idle_memory = 300 * traces::kMiB;
  m->latency = fine->latency;
  std::shared_ptr<const sim::WorkloadModel> model = m;

  sim::ClusterSpec cluster;
  traces::NodeGroup g;
  g.cpu_millicores = 8000;
  g.memory_bytes = 32 * traces::kGiB;
  g.count = 2;
  cluster.groups.push_back(g);
  sim::WorkloadSpec spec;
  spec.name = "service";
  spec.pod.main.requests.cpu_millicores = 250;
  spec.pod.main.requests.memory_bytes = 512 * traces::kMiB;
  spec.pod.main.limits.cpu_millicores = 500;
  spec.pod.main.limits.memory_bytes = 1 * traces::kGiB;
  spec.hpa.min_replicas = 2;
  spec.hpa.max_replicas = 10;
  spec.replicas = 2;
  sim::SimulationOptions options;
  options.results_interval_s = 3600;
  sim::Simulation s(cluster, options);
  auto w = s.add_workload(spec, model);

  auto t0 = Clock::now();
  double c0 = cpu_seconds();
  long steps = 0;
  while (!s.finished()) {
    auto r = s.resources(w);
    r.requests.cpu_millicores = (steps % 2 == 0) ? 300.0 : 250.0;
    s.set_resources(w, r);
    s.advance_to(s.now() + 3600);
    ++steps;
  }
  double wall = seconds_since(t0);
  double cpu = cpu_seconds() - c0;
  std::printf(
      "closed loop: %ld one-hour decisions over a 5-min trace in %.3f s wall, %.3f s CPU "
      "= %.0f decisions/s of CPU (%.2f M events)\n",
      steps, wall, cpu, steps / cpu, static_cast<double>(s.events_processed()) / 1e6);
}

}  // namespace

int main(int argc, char** argv) {
  double days = 30;
  bool queue = true, loop = true;
  std::vector<int> replicas;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) {
      days = 3;
    } else if (std::strcmp(argv[i], "--no-queue") == 0) {
      queue = false;
    } else if (std::strcmp(argv[i], "--no-loop") == 0) {
      loop = false;
    } else if (std::strcmp(argv[i], "--replicas") == 0 && i + 1 < argc) {
      replicas.push_back(std::atoi(argv[++i]));
    } else {
      std::fprintf(stderr,
                   "usage: sim_bench [--quick] [--no-queue] [--no-loop] [--replicas N ...]\n");
      return 2;
    }
  }
  if (replicas.empty()) replicas = {10, 100, 1000};
  if (replicas.size() == 1 && replicas[0] == 0) replicas.clear();
  if (queue) bench_event_queue();
  if (loop) bench_closed_loop(days * 10);
  for (int r : replicas) bench_replay(days, r);
  return 0;
}
