#include "sim/simulation.h"

#include <algorithm>
#include <cassert>
#include <chrono>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "sim/kubelet.h"
#include "traces/log.h"
#include "traces/quantity.h"

namespace podsizer::sim {

namespace {

// A pod's state as the hot arrays hold it; indexes the per-version rate tables.
enum SlotState : std::uint8_t {
  kSlotPending = 0,   // not bound: uses nothing
  kSlotCreating = 1,  // bound, pulling the image and starting containers: uses nothing yet
  kSlotRunning = 2,   // containers running, readiness not yet passed: idle usage
  kSlotReady = 3,     // receiving traffic
  kSlotBackOff = 4,   // main container dead, waiting to restart: sidecars only
};
constexpr int kSlotStates = 5;

// kube-scheduler's non-zero defaults for pods without requests, used in scoring only
// (pkg/scheduler/util/pod_resources.go: 100 millicores and 200 MiB).
constexpr double kScoreDefaultCpu = 100.0;
constexpr double kScoreDefaultMemory = 200.0 * 1024 * 1024;

// Deployment RollingUpdate defaults (concepts/workloads/controllers/deployment.md).
constexpr double kMaxSurge = 0.25;
constexpr double kMaxUnavailable = 0.25;

// cluster-autoscaler --scale-down-delay-after-add.
constexpr double kScaleDownDelayAfterAddS = 600.0;

constexpr double kPercentiles[4] = {0.50, 0.95, 0.99, 0.0};

// Adds the integrals of `o` (an interval's time-weighted sums and event counts) to `t`;
// the maximum of replicas is kept as a maximum. Interval rows and the summary both use it.
void add_integrals(IntervalRow& t, const IntervalRow& o) {
  t.cpu_request_millicores += o.cpu_request_millicores;
  t.cpu_usage_millicores += o.cpu_usage_millicores;
  t.cpu_demand_millicores += o.cpu_demand_millicores;
  t.memory_request_bytes += o.memory_request_bytes;
  t.memory_usage_bytes += o.memory_usage_bytes;
  t.throttled_seconds += o.throttled_seconds;
  t.throttled_cpu_millicore_seconds += o.throttled_cpu_millicore_seconds;
  t.memory_over_request_seconds += o.memory_over_request_seconds;
  t.oom_kills += o.oom_kills;
  t.evictions += o.evictions;
  t.restarts += o.restarts;
  t.pending_seconds += o.pending_seconds;
  t.replicas_mean += o.replicas_mean;
  t.replicas_max = std::max(t.replicas_max, o.replicas_max);
  t.ready_mean += o.ready_mean;
  t.requests += o.requests;
  t.errors += o.errors;
  t.latency_p50_ms += o.latency_p50_ms;
  t.latency_p95_ms += o.latency_p95_ms;
  t.latency_p99_ms += o.latency_p99_ms;
  t.latency_slo_ms += o.latency_slo_ms;
  t.slo_violation_seconds += o.slo_violation_seconds;
  t.cost += o.cost;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Internal state

struct Simulation::Node {
  NodeId id = kNoNode;
  int group = 0;
  double cpu_alloc = 0;
  double memory_alloc = 0;
  double price_per_hour = 0;
  double cpu_requested = 0;  // by bound pods
  double memory_requested = 0;
  double cpu_scored = 0;  // with the scheduler's non-zero defaults
  double memory_scored = 0;
  bool ready = false;
  bool removed = false;
  double created_s = 0;
  double unneeded_since_s = -1;
  std::vector<PodId> pods;           // bound pods, in binding order
  std::vector<std::uint8_t> images;  // per workload: its image is on the node
};

struct Simulation::Pod {
  WorkloadId workload = 0;
  std::uint32_t version = 0;
  NodeId node = kNoNode;
  PodPhase phase = PodPhase::kPending;
  bool ready = false;
  bool containers_running = false;
  bool recorded = false;         // known to the metrics pipeline
  std::uint32_t generation = 0;  // bumped to cancel queued lifecycle events
  std::uint32_t slot = 0;        // index in the workload's hot arrays
  int crash_count = 0;           // consecutive crashes, for the back-off
  double created_s = 0;
  double start_s = -1;           // bound to a node (status.startTime)
  double last_transition_s = 0;  // of the Ready condition
  double running_since_s = 0;    // main container started
  double last_record_s = 0;      // of the metrics pipeline
  double cpu_accum_at_record = 0;
  double memory_factor = 1;
};

struct Simulation::Workload {
  struct Version {
    PodTemplate pod;
    PodResources res;
    std::uint32_t live = 0;  // pods of this version not terminated
    ThrottleStats throttle;
    double throttle_shift_ms[4] = {0, 0, 0, 0};
  };

  WorkloadId id = 0;
  WorkloadSpec spec;
  std::shared_ptr<const WorkloadModel> model;
  std::vector<Version> versions;
  std::uint32_t current = 0;
  int desired = 1;
  std::unique_ptr<HorizontalPodAutoscaler> hpa;
  std::size_t sample = 0;
  int ready_count = 0;
  int existing = 0;  // pods not terminated
  int pending = 0;
  WorkloadCounters counters;

  // Hot arrays, one entry per pod not terminated, indexed by Pod::slot.
  std::vector<PodId> slot_pod;
  std::vector<std::uint8_t> slot_state;
  std::vector<std::uint32_t> slot_version;
  std::vector<NodeId> slot_node;
  std::vector<double> slot_factor;
  std::vector<double> slot_cpu;        // CPU the pod gets now, millicores
  std::vector<double> slot_memory;     // memory it uses now, bytes
  std::vector<double> slot_cpu_accum;  // millicore-seconds up to the last refresh
  std::vector<double> slot_backlog;    // requests waiting
  std::vector<double> slot_mu;         // service rate, requests/s (ready pods)

  // Per-version rate tables, flattened as version * kSlotStates + state.
  std::vector<int> ready_per_version;
  // What a pod of one version in one state uses and requests, indexed version x state.
  struct Rates {
    double cpu = 0, main_memory = 0, side_memory = 0, cpu_request = 0, memory_request = 0;
    double memory_limit = kUnlimited;
  };
  std::vector<Rates> tab;

  // Rates over the current stretch, set by refresh().
  double lambda_pod = 0;  // arrivals per ready pod
  double rate_total = 0;
  double cpu_used = 0, cpu_demand = 0, memory_used = 0;
  double cpu_request = 0, memory_request = 0;
  double throttled = 0;      // sum over ready pods of the throttled share of periods
  double throttled_cpu = 0;  // sum of CPU lost to the quota
  double over_request = 0;   // pods whose memory exceeds their memory request
  double cost_rate = 0;      // per second
  double latency_q[4] = {0, 0, 0, 0};
  double demand_per_pod = 0;
  bool backlog_active = false;
  LatencyMixture mixture;

  // Integrals over the open interval and over closed intervals.
  IntervalRow open;
  IntervalRow total;
  double open_latency_weight = 0;
  double total_latency_weight = 0;
  double total_max_replicas = 0;
  double total_max_interval_p95 = 0;
  std::vector<IntervalRow> rows;
};

// ---------------------------------------------------------------------------------------------
// Specs from an app

WorkloadSpec workload_spec_from_app(const traces::AppSpec& app) {
  WorkloadSpec w;
  w.name = app.app_name;
  w.pod.main = app.current;
  w.pod.sidecars = app.sidecars;
  w.hpa_enabled = app.hpa.enabled;
  w.hpa.min_replicas = std::max(1, app.hpa.min_replicas);
  w.hpa.max_replicas = std::max(w.hpa.min_replicas, app.hpa.max_replicas);
  w.hpa.target_utilization = app.hpa.cpu_target_utilization;
  w.replicas = w.hpa.min_replicas;
  w.slo_ms = app.response_time_slo_ms > 0 ? app.response_time_slo_ms : 200.0;
  w.slo_percentile = app.slo_percentile;
  return w;
}

ClusterSpec cluster_spec_from_app(const traces::AppSpec& app) {
  ClusterSpec c;
  c.groups = app.node_groups;
  return c;
}

// ---------------------------------------------------------------------------------------------
// Construction

Simulation::Simulation(ClusterSpec cluster, SimulationOptions options)
    : cluster_(std::move(cluster)),
      options_(options),
      metrics_(options.metrics),
      rng_(options.seed),
      log_(traces::named_logger("sim")) {
  if (cluster_.groups.empty()) throw std::invalid_argument("cluster has no node groups");
  for (const auto& g : cluster_.groups) {
    if (!(g.cpu_millicores > 0) || !(g.memory_bytes > 0)) {
      throw std::invalid_argument("node group '" + g.name + "' has no allocatable CPU or memory");
    }
    if (g.count < 0 || g.max_count < 0) {
      throw std::invalid_argument("node group '" + g.name + "' has a negative node count");
    }
  }
  queue_.reserve(64);
}

Simulation::~Simulation() = default;

WorkloadId Simulation::add_workload(const WorkloadSpec& spec,
                                    std::shared_ptr<const WorkloadModel> model) {
  assert(!started_ && "workloads are added before the replay starts");
  if (!model || model->size() == 0) throw std::invalid_argument("workload without a model");
  auto w = std::make_unique<Workload>();
  w->id = static_cast<WorkloadId>(workloads_.size());
  w->spec = spec;
  w->model = std::move(model);
  Workload::Version first;
  first.pod = spec.pod;
  first.res = derive_resources(spec.pod);
  w->versions.push_back(std::move(first));
  if (spec.hpa_enabled) {
    w->hpa = std::make_unique<HorizontalPodAutoscaler>(spec.hpa);
    w->desired = std::clamp(spec.replicas, spec.hpa.min_replicas, spec.hpa.max_replicas);
  } else {
    w->desired = std::max(0, spec.replicas);
  }
  workloads_.push_back(std::move(w));
  return workloads_.back()->id;
}

// ---------------------------------------------------------------------------------------------
// Randomness: one engine, drawn in event order. Uniforms are built from the raw 64-bit output
// (not std::uniform_real_distribution, whose algorithm differs between standard libraries).

double Simulation::uniform01() {
  return static_cast<double>(rng_() >> 11) * (1.0 / 9007199254740992.0);
}

double Simulation::jittered(double seconds) {
  double j = options_.startup.jitter;
  return seconds * (1.0 + j * (2.0 * uniform01() - 1.0));
}

double Simulation::standard_normal() {
  // Box-Muller from two uniforms; u1 is kept away from zero.
  double u1 = std::max(uniform01(), 1e-300);
  double u2 = uniform01();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

// ---------------------------------------------------------------------------------------------
// Start: nodes, the initial pods (already running: the replay joins a Deployment that was
// serving before the trace began), and the periodic events.

void Simulation::start() {
  started_ = true;
  if (workloads_.empty()) throw std::invalid_argument("simulation without workloads");

  // The replay ends with the shortest trace; results intervals follow the first workload's
  // sampling, at least one minute.
  end_s_ = workloads_.front()->model->end_s;
  for (const auto& w : workloads_) end_s_ = std::min(end_s_, w->model->end_s);
  interval_s_ = options_.results_interval_s;
  if (!(interval_s_ > 0)) {
    const auto& t = workloads_.front()->model->time_s;
    double step = t.size() > 1 ? traces::median_interval(t) : 60.0;
    interval_s_ = std::max(60.0, step);
  }

  // Nodes: the groups' counts; with every count at 0, the first group sized to hold every
  // workload's largest replica count by requests.
  bool any = false;
  for (const auto& g : cluster_.groups) any = any || g.count > 0;
  for (std::size_t gi = 0; gi < cluster_.groups.size(); ++gi) {
    const auto& g = cluster_.groups[gi];
    int count = g.count;
    if (!any && gi == 0) {
      double cpu = 0, memory = 0;
      for (const auto& w : workloads_) {
        int most = w->hpa ? w->spec.hpa.max_replicas : w->desired;
        cpu += most * w->versions[0].res.cpu_request;
        memory += most * w->versions[0].res.memory_request;
      }
      int nodes_for_cpu = static_cast<int>(std::ceil(cpu / g.cpu_millicores));
      int nodes_for_memory = static_cast<int>(std::ceil(memory / g.memory_bytes));
      count = std::max({1, nodes_for_cpu, nodes_for_memory});
      // Whole pods must fit: one more node absorbs what packing wastes.
      if (count > 1) ++count;
    }
    for (int i = 0; i < count; ++i) add_node(static_cast<int>(gi), 0.0, true);
    if (g.max_count > count) autoscaling_ = true;
  }

  // Initial pods, Ready at time zero.
  for (auto& wp : workloads_) {
    Workload& w = *wp;
    for (int i = 0; i < w.desired; ++i) {
      PodId id = create_pod(w, 0.0);
      Pod& p = pods_[id];
      if (p.phase != PodPhase::kPending) {
        ++p.generation;  // cancels the start-up the scheduler queued
        p.containers_running = true;
        p.running_since_s = 0;
        w.slot_state[p.slot] = kSlotRunning;
        set_ready(p, true, 0.0);
      }
    }
    queue_.push(w.model->time_s.size() > 1 ? w.model->time_s[1] : end_s_ + 1,
                EventKind::kTraceSample, w.id, 1);
    if (w.hpa) queue_.push(w.spec.hpa.sync_period_s, EventKind::kHpaSync, w.id);
  }

  // Periodic events.
  queue_.push(options_.metrics.phase_s, EventKind::kMetricsCollect);
  queue_.push(interval_s_, EventKind::kIntervalEnd);
  if (autoscaling_) queue_.push(cluster_.autoscaler_scan_s, EventKind::kAutoscalerScan);
  if (policy_) queue_.push(policy_period_s_, EventKind::kPolicy);
  interval_start_ = 0;
  dirty_ = true;
  refresh(0.0);
  if (log_->should_log(spdlog::level::debug)) {
    log_->debug("[t=0s] replay of {} workload(s) over {:.0f} s on {} node(s){}", workloads_.size(),
                end_s_, node_count(), autoscaling_ ? " with the cluster autoscaler" : "");
  }
}

// ---------------------------------------------------------------------------------------------
// The event loop

void Simulation::advance_to(double t_s) {
  if (!started_) start();
  double target = std::min(t_s, end_s_);
  if (target < now_) return;

  // Handle each instant's events as one batch, then refresh the rates once.
  while (!queue_.empty() && queue_.top().time_s <= target) {
    double t = queue_.top().time_s;
    integrate(t);
    now_ = t;
    while (!queue_.empty() && queue_.top().time_s == t) {
      Event e = queue_.pop();
      ++events_processed_;
      process(e);
    }
    if (dirty_) refresh(t);
  }
  integrate(target);
  now_ = target;

  // The last, partial interval closes with the replay.
  if (now_ >= end_s_ && interval_start_ < end_s_) on_interval_end(end_s_);
}

void Simulation::run(const std::function<void(double)>& progress, double progress_every_s) {
  if (!started_) start();
  if (!progress) {
    advance_to(end_s_);
    return;
  }

  // Advance in chunks so the caller hears how far along the replay is.
  using Clock = std::chrono::steady_clock;
  auto last = Clock::now();
  double chunk = std::max(interval_s_, (end_s_ - now_) / 1000.0);
  while (!finished()) {
    advance_to(now_ + chunk);
    auto t = Clock::now();
    if (std::chrono::duration<double>(t - last).count() >= progress_every_s) {
      progress(now_ / end_s_);
      last = t;
    }
  }
}

void Simulation::process(const Event& e) {
  switch (e.kind) {
    case EventKind::kIntervalEnd:
      on_interval_end(e.time_s);
      break;
    case EventKind::kTraceSample:
      on_trace_sample(e);
      break;
    case EventKind::kNodeReady: {
      Node& n = nodes_[e.a];
      if (n.removed) break;
      n.ready = true;
      if (log_->should_log(spdlog::level::debug)) {
        log_->debug("[t={:.1f}s] node {} ready", e.time_s, e.a);
      }
      schedule_pending(e.time_s);
      break;
    }
    case EventKind::kPodStarted: {
      Pod& p = pods_[e.a];
      if (p.generation != e.b || p.phase == PodPhase::kTerminated) break;
      // Containers run; the readiness probe passes after its initial delay.
      p.containers_running = true;
      p.running_since_s = e.time_s;
      p.phase = PodPhase::kStarting;
      workloads_[p.workload]->slot_state[p.slot] = kSlotRunning;
      queue_.push(e.time_s + jittered(options_.startup.readiness_delay_s), EventKind::kPodReady,
                  e.a, p.generation);
      dirty_ = true;
      break;
    }
    case EventKind::kPodReady: {
      Pod& p = pods_[e.a];
      if (p.generation != e.b || p.phase == PodPhase::kTerminated) break;
      set_ready(p, true, e.time_s);
      reconcile(*workloads_[p.workload], e.time_s);
      break;
    }
    case EventKind::kContainerRestart: {
      Pod& p = pods_[e.a];
      if (p.generation != e.b || p.phase == PodPhase::kTerminated) break;
      // restartPolicy Always: the image is on the node already.
      ++workloads_[p.workload]->counters.restarts;
      ++workloads_[p.workload]->open.restarts;
      start_containers(e.a, e.time_s, false);
      break;
    }
    case EventKind::kEvictionCheck:
      on_eviction_check(e);
      break;
    case EventKind::kMetricsCollect:
      on_metrics_collect(e.time_s);
      queue_.push(e.time_s + options_.metrics.scrape_interval_s, EventKind::kMetricsCollect);
      break;
    case EventKind::kHpaSync:
      on_hpa_sync(e);
      break;
    case EventKind::kAutoscalerScan:
      on_autoscaler_scan(e.time_s);
      queue_.push(e.time_s + cluster_.autoscaler_scan_s, EventKind::kAutoscalerScan);
      break;
    case EventKind::kPolicy:
      if (policy_) {
        policy_(*this);
        queue_.push(e.time_s + policy_period_s_, EventKind::kPolicy);
      }
      break;
  }
}

void Simulation::on_trace_sample(const Event& e) {
  Workload& w = *workloads_[e.a];
  w.sample = e.b;
  pod_samples_ += static_cast<std::uint64_t>(w.existing);
  if (e.b + 1 < w.model->size()) {
    queue_.push(w.model->time_s[e.b + 1], EventKind::kTraceSample, e.a, e.b + 1);
  }
  dirty_ = true;
}

// ---------------------------------------------------------------------------------------------
// Integration: the rates refreshed at the last batch, times the time since.

void Simulation::integrate(double t_s) {
  double dt = t_s - now_;
  if (!(dt > 0)) return;

  // Nodes cost from creation to removal.
  cluster_stats_.node_cost += node_price_rate_ * dt;
  cluster_stats_.node_hours += live_nodes_ * dt / 3600.0;

  for (auto& wp : workloads_) {
    Workload& w = *wp;
    const std::size_t n = w.slot_pod.size();

    // Backlogs move only when some replica is overloaded or still draining; the stretch's
    // latency then depends on them.
    double requests = w.rate_total * dt;
    double dropped = 0;
    if (w.backlog_active && w.ready_count > 0) {
      const auto& p = w.model->latency;
      w.mixture.clear();
      bool still = false;
      for (std::size_t i = 0; i < n; ++i) {
        if (w.slot_state[i] != kSlotReady) continue;
        double mu = w.slot_mu[i];
        double drop = 0, mean_backlog = 0;
        w.slot_backlog[i] = advance_backlog(w.slot_backlog[i], w.lambda_pod, mu, dt, p.timeout_s,
                                            &drop, &mean_backlog);
        dropped += drop;
        still = still || w.slot_backlog[i] > 0 || w.lambda_pod >= mu;
        const auto& v = w.versions[w.slot_version[i]];
        double rho = std::min(mu > 0 ? w.lambda_pod / mu : 1.0, p.max_utilization);
        LatencyClass c;
        c.weight = w.lambda_pod;
        c.rate_per_ms = mu * (1.0 - rho) / 1000.0;
        double wait_ms = mu > 0 ? 1000.0 * mean_backlog / mu : 1000.0 * p.timeout_s;
        for (int j = 0; j < 4; ++j) c.shift_ms[j] = p.fixed_ms + v.throttle_shift_ms[j] + wait_ms;
        w.mixture.add(c);
      }
      for (int j = 0; j < 4; ++j) {
        double q = j < 3 ? kPercentiles[j] : w.spec.slo_percentile;
        w.latency_q[j] = w.mixture.quantile_ms(j, q);
      }
      if (!still) {
        w.backlog_active = false;
        dirty_ = true;
      }
    }
    if (w.ready_count == 0) dropped = requests;

    // Interval integrals.
    IntervalRow& r = w.open;
    r.cpu_request_millicores += w.cpu_request * dt;
    r.cpu_usage_millicores += w.cpu_used * dt;
    r.cpu_demand_millicores += w.cpu_demand * dt;
    r.memory_request_bytes += w.memory_request * dt;
    r.memory_usage_bytes += w.memory_used * dt;
    r.throttled_seconds += w.throttled * dt;
    r.throttled_cpu_millicore_seconds += w.throttled_cpu * dt;
    r.memory_over_request_seconds += w.over_request * dt;
    r.pending_seconds += w.pending * dt;
    r.replicas_mean += w.existing * dt;
    r.replicas_max = std::max(r.replicas_max, static_cast<double>(w.existing));
    r.ready_mean += w.ready_count * dt;
    r.requests += requests;
    r.errors += dropped;
    r.cost += w.cost_rate * dt;
    double served = requests - dropped;
    if (w.ready_count > 0 && served > 0) {
      r.latency_p50_ms += w.latency_q[0] * served;
      r.latency_p95_ms += w.latency_q[1] * served;
      r.latency_p99_ms += w.latency_q[2] * served;
      r.latency_slo_ms += w.latency_q[3] * served;
      w.open_latency_weight += served;
    }
    bool violated =
        w.ready_count == 0 ? requests > 0 : (requests > 0 && w.latency_q[3] > w.spec.slo_ms);
    if (violated) r.slo_violation_seconds += dt;
  }
}

// ---------------------------------------------------------------------------------------------
// Refresh: every pod's CPU, memory and latency for the stretch that starts now, and the
// kubelet's memory rules on the result.

double Simulation::cpu_accum_now(const Workload& w, std::uint32_t slot, double now_s) const {
  // The counter holds CPU up to the last refresh; the rate since then is the pod's current one.
  return w.slot_cpu_accum[slot] + w.slot_cpu[slot] * (now_s - last_refresh_s_);
}

void Simulation::refresh(double now_s) {
  // The CPU counters move on to now at the old rates as the pods are visited.
  double elapsed = now_s - last_refresh_s_;
  last_refresh_s_ = now_s;

  // Memory kills change the rates, so refresh until nothing more is killed (each round kills at
  // least one container, so this ends).
  for (int round = 0; round < 1000; ++round) {
    dirty_ = false;
    std::fill(node_cpu_demand_.begin(), node_cpu_demand_.end(), 0.0);
    std::fill(node_memory_.begin(), node_memory_.end(), 0.0);
    scratch_pods_.clear();
    for (auto& w : workloads_) refresh_workload(*w, now_s, round == 0 ? elapsed : 0.0);

    // Containers over their memory limit are OOM-killed by the kernel of their cgroup.
    if (!scratch_pods_.empty()) {
      std::vector<PodId> over(scratch_pods_);
      for (PodId id : over) oom_kill(id, now_s);
      continue;
    }

    // A node out of memory: the kernel kills the process of highest badness
    // (oom_score_adj from sim/resources.h plus its share of memory).
    bool killed = false;
    for (Node& node : nodes_) {
      if (node.removed) continue;
      double capacity = node.memory_alloc + kEvictionThresholdBytes;
      if (node_memory_[node.id] <= capacity) continue;
      PodId victim = kNoPod;
      double worst = -1e300;
      for (PodId id : node.pods) {
        const Pod& p = pods_[id];
        if (!p.containers_running) continue;
        const Workload& w = *workloads_[p.workload];
        const auto& res = w.versions[p.version].res;
        double usage = w.slot_memory[p.slot];
        int adj = oom_score_adjust(res.qos, res.memory_request, capacity);
        double badness = oom_badness(usage, capacity, adj);
        if (badness > worst) {
          worst = badness;
          victim = id;
        }
      }
      if (victim != kNoPod) {
        if (log_->should_log(spdlog::level::debug)) {
          log_->debug(
              "[t={:.1f}s] node {} out of memory ({:.0f} MiB over): the kernel kills pod {}", now_s,
              node.id, (node_memory_[node.id] - capacity) / (1024.0 * 1024.0), victim);
        }
        oom_kill(victim, now_s);
        killed = true;
      }
    }
    if (killed) continue;

    // Under memory pressure the kubelet's next housekeeping (every 10 s) evicts.
    for (Node& node : nodes_) {
      if (node.removed || node_pressure_check_[node.id]) continue;
      if (node_memory_[node.id] > node.memory_alloc) {
        double next = std::ceil(now_s / kEvictionCheckPeriodS) * kEvictionCheckPeriodS;
        queue_.push(next, EventKind::kEvictionCheck, node.id);
        node_pressure_check_[node.id] = 1;
      }
    }
    if (!dirty_) break;
  }

  // CPU contention between the pods of each node, then latency.
  for (Node& node : nodes_) {
    if (node.removed || node_cpu_demand_[node.id] <= node.cpu_alloc) continue;
    std::size_t m = node.pods.size();
    scratch_a_.resize(m);
    scratch_b_.resize(m);
    scratch_c_.resize(m);
    for (std::size_t i = 0; i < m; ++i) {
      const Pod& p = pods_[node.pods[i]];
      const Workload& w = *workloads_[p.workload];
      scratch_a_[i] = w.slot_cpu[p.slot];
      scratch_b_[i] = cpu_shares(w.versions[p.version].res.cpu_request);
    }
    divide_by_shares(scratch_a_.data(), scratch_b_.data(), scratch_c_.data(), m, node.cpu_alloc);
    for (std::size_t i = 0; i < m; ++i) {
      const Pod& p = pods_[node.pods[i]];
      Workload& w = *workloads_[p.workload];
      w.cpu_used -= scratch_a_[i] - scratch_c_[i];
      w.slot_cpu[p.slot] = scratch_c_[i];
    }
  }

  // The CPU each node has left, for replicas that may use more than they do now.
  node_spare_.resize(nodes_.size());
  for (const Node& node : nodes_) {
    node_spare_[node.id] = std::max(0.0, node.cpu_alloc - node_cpu_demand_[node.id]);
  }

  for (auto& wp : workloads_) {
    Workload& w = *wp;
    const auto& p = w.model->latency;
    w.mixture.clear();
    bool overloaded = false;

    // Replicas of the same version with the same CPU capacity form one latency class; in the
    // common case every ready replica does, so the class is built once per run of them.
    std::uint32_t run_version = 0;
    double run_capacity = -1, run_mu = 0;
    int run_count = 0;
    auto flush = [&] {
      if (run_count == 0) return;
      const auto& v = w.versions[run_version];
      double rho = std::min(w.lambda_pod / run_mu, p.max_utilization);
      LatencyClass c;
      c.weight = w.lambda_pod * run_count;
      c.rate_per_ms = run_mu * (1.0 - rho) / 1000.0;
      for (int j = 0; j < 4; ++j) c.shift_ms[j] = p.fixed_ms + v.throttle_shift_ms[j];
      w.mixture.add(c);
      run_count = 0;
    };
    const std::size_t n = w.slot_pod.size();
    const std::uint8_t* state = w.slot_state.data();
    const std::uint32_t* version = w.slot_version.data();
    const NodeId* node = w.slot_node.data();
    const double* cpu = w.slot_cpu.data();
    const double* backlog = w.slot_backlog.data();
    const double* spare = node_spare_.data();
    double* mu_out = w.slot_mu.data();
    for (std::size_t i = 0; i < n; ++i) {
      if (state[i] != kSlotReady) continue;
      std::uint32_t ver = version[i];
      const auto& res = w.versions[ver].res;
      double main_cpu = cpu[i] - res.sidecar_cpu_usage;
      double capacity = std::min(res.main_cpu_limit, main_cpu + spare[node[i]]);
      if (capacity != run_capacity || ver != run_version) {
        flush();
        run_capacity = capacity;
        run_version = ver;
        run_mu = service_rate(p, capacity);
      }
      mu_out[i] = run_mu;
      if (backlog[i] > 0 || w.lambda_pod >= run_mu) {
        overloaded = true;
        continue;
      }
      ++run_count;
    }
    flush();
    w.backlog_active = overloaded && w.rate_total > 0;
    if (!w.backlog_active) {
      for (int j = 0; j < 4; ++j) {
        double q = j < 3 ? kPercentiles[j] : w.spec.slo_percentile;
        w.latency_q[j] = w.mixture.quantile_ms(j, q);
      }
    }
  }
  dirty_ = false;
}

void Simulation::refresh_workload(Workload& w, double now_s, double elapsed) {
  const WorkloadModel& m = *w.model;
  const std::size_t k = w.sample;
  const int n_ready = w.ready_count;

  // What one ready pod wants this sample: the trace's rate split evenly across ready replicas.
  w.rate_total = m.rate[k];
  w.lambda_pod = n_ready > 0 ? m.rate[k] / n_ready : 0.0;
  double demand = n_ready > 0 ? m.cpu_per_pod(k, n_ready) : m.idle_cpu;
  double memory = n_ready > 0 ? m.memory_per_pod(k, n_ready) : m.idle_memory;
  w.demand_per_pod = demand;

  // Per-version tables: CFS throttling of that demand under each version's limit.
  const std::size_t nv = w.versions.size();
  w.tab.assign(nv * kSlotStates, Workload::Rates{});
  for (std::size_t v = 0; v < nv; ++v) {
    auto& ver = w.versions[v];
    if (ver.live == 0) continue;
    const auto& res = ver.res;
    ver.throttle = cfs_throttle(demand, m.burst_cv, res.main_cpu_limit);
    for (int j = 0; j < 4; ++j) {
      double q = j < 3 ? kPercentiles[j] : w.spec.slo_percentile;
      ver.throttle_shift_ms[j] = throttle_wait_quantile_ms(ver.throttle.throttled_fraction,
                                                           ver.throttle.stall_fraction, q);
    }
    Workload::Rates* row = w.tab.data() + v * kSlotStates;
    double idle = std::min(m.idle_cpu, res.main_cpu_limit);
    row[kSlotRunning].cpu = idle + res.sidecar_cpu_usage;
    row[kSlotReady].cpu = ver.throttle.used + res.sidecar_cpu_usage;
    row[kSlotBackOff].cpu = res.sidecar_cpu_usage;
    row[kSlotRunning].main_memory = m.idle_memory;
    row[kSlotReady].main_memory = memory;
    for (int st = kSlotRunning; st <= kSlotBackOff; ++st) {
      row[st].side_memory = res.sidecar_memory_usage;
    }
    for (int st = kSlotCreating; st <= kSlotBackOff; ++st) {
      row[st].cpu_request = res.cpu_request;
      row[st].memory_request = res.memory_request;
    }
    row[kSlotRunning].memory_limit = res.main_memory_limit;
    row[kSlotReady].memory_limit = res.main_memory_limit;
  }

  // The per-pod pass: gather each pod's rates from its version and state, add them to its node,
  // and note containers over their memory limit. No allocation, no virtual call; every array is
  // read through a local pointer so the compiler keeps them in registers.
  const std::size_t n = w.slot_pod.size();
  const std::uint8_t* state = w.slot_state.data();
  const std::uint32_t* version = w.slot_version.data();
  const NodeId* node = w.slot_node.data();
  const double* factor = w.slot_factor.data();
  const Workload::Rates* tab = w.tab.data();
  double* cpu_out = w.slot_cpu.data();
  double* mem_out = w.slot_memory.data();
  double* accum = w.slot_cpu_accum.data();
  double* node_cpu = node_cpu_demand_.data();
  double* node_mem = node_memory_.data();
  w.ready_per_version.assign(nv, 0);
  int* ready_per_version = w.ready_per_version.data();
  double cpu_sum = 0, mem_sum = 0, cpu_req = 0, mem_req = 0, cost_cpu = 0, cost_mem = 0;
  int over_request = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const Workload::Rates& r = tab[version[i] * kSlotStates + state[i]];
    double cpu = r.cpu;
    accum[i] += cpu_out[i] * elapsed;
    ready_per_version[version[i]] += state[i] == kSlotReady;
    double main_memory = r.main_memory * factor[i];
    double mem = main_memory + r.side_memory;
    cpu_out[i] = cpu;
    mem_out[i] = mem;
    cpu_sum += cpu;
    mem_sum += mem;
    cpu_req += r.cpu_request;
    mem_req += r.memory_request;
    cost_cpu += std::max(r.cpu_request, cpu);
    cost_mem += std::max(r.memory_request, mem);
    // A pod using more memory than it requests is first in line for node-pressure eviction.
    over_request += mem > r.memory_request;
    NodeId nid = node[i];
    if (nid != kNoNode) {
      node_cpu[nid] += cpu;
      node_mem[nid] += mem;
    }
    if (main_memory > r.memory_limit) scratch_pods_.push_back(w.slot_pod[i]);
  }

  // Totals for the stretch.
  w.cpu_used = cpu_sum;
  w.cpu_demand = cpu_sum;
  w.memory_used = mem_sum;
  w.cpu_request = cpu_req;
  w.memory_request = mem_req;
  w.over_request = over_request;
  w.throttled = 0;
  w.throttled_cpu = 0;
  for (std::size_t v = 0; v < nv; ++v) {
    const auto& ver = w.versions[v];
    if (ver.live == 0) continue;
    int ready = ready_per_version[v];
    w.throttled += ready * ver.throttle.throttled_fraction;
    w.throttled_cpu += ready * ver.throttle.lost;
    w.cpu_demand += ready * ver.throttle.lost;
  }
  w.cost_rate = (cost_cpu / 1000.0 * options_.cost.cpu_core_hour +
                 cost_mem / traces::kGiB * options_.cost.memory_gib_hour) /
                3600.0;
}

// ---------------------------------------------------------------------------------------------
// The Deployment and ReplicaSet controllers

void Simulation::reconcile(Workload& w, double now_s) {
  // Counts of the current template's pods and of older ones.
  auto count = [&](int& fresh, int& fresh_ready, int& old, int& old_ready) {
    fresh = fresh_ready = old = old_ready = 0;
    for (std::size_t i = 0; i < w.slot_pod.size(); ++i) {
      bool ready = w.slot_state[i] == kSlotReady;
      if (w.slot_version[i] == w.current) {
        ++fresh;
        fresh_ready += ready;
      } else {
        ++old;
        old_ready += ready;
      }
    }
  };

  // Which pod of a set goes first when scaling down: unscheduled, then not ready, then the
  // newest (the ReplicaSet controller's ranking, simplified).
  auto victim = [&](bool of_current) {
    PodId best = kNoPod;
    int best_rank = -1;
    for (std::size_t i = 0; i < w.slot_pod.size(); ++i) {
      if ((w.slot_version[i] == w.current) != of_current) continue;
      int rank = w.slot_state[i] == kSlotPending ? 3 : (w.slot_state[i] != kSlotReady ? 2 : 1);
      PodId id = w.slot_pod[i];
      if (rank > best_rank || (rank == best_rank && id > best)) {
        best_rank = rank;
        best = id;
      }
    }
    return best;
  };

  const int desired = w.desired;
  for (int guard = 0; guard < 100000; ++guard) {
    int fresh, fresh_ready, old, old_ready;
    count(fresh, fresh_ready, old, old_ready);

    // No rollout in progress: scale the current ReplicaSet to the desired count.
    if (old == 0) {
      if (fresh < desired) {
        create_pod(w, now_s);
        continue;
      }
      if (fresh > desired) {
        delete_pod(victim(true), now_s);
        continue;
      }
      return;
    }

    // Rolling update: surge new pods, retire old ones while enough stay available.
    int surge = static_cast<int>(std::ceil(kMaxSurge * desired));
    int unavailable = static_cast<int>(std::floor(kMaxUnavailable * desired));
    if (surge == 0 && unavailable == 0) surge = 1;
    if (fresh < desired && fresh + old < desired + surge) {
      create_pod(w, now_s);
      continue;
    }
    if (fresh > desired) {
      delete_pod(victim(true), now_s);
      continue;
    }
    bool old_unready = old > old_ready;
    int min_available = desired - unavailable;
    if (old_unready || (old_ready > 0 && old_ready + fresh_ready - 1 >= min_available)) {
      delete_pod(victim(false), now_s);
      continue;
    }
    return;
  }
  assert(false && "the rollout converges in a bounded number of steps");
}

PodId Simulation::create_pod(Workload& w, double now_s) {
  PodId id = static_cast<PodId>(pods_.size());
  Pod p;
  p.workload = w.id;
  p.version = w.current;
  p.created_s = now_s;
  p.last_transition_s = now_s;
  p.slot = static_cast<std::uint32_t>(w.slot_pod.size());
  double spread = w.spec.memory_spread;
  if (spread > 0) {
    // Lognormal with mean 1 and CV `spread`.
    double s2 = std::log1p(spread * spread);
    p.memory_factor = std::exp(std::sqrt(s2) * standard_normal() - 0.5 * s2);
  }
  pods_.push_back(p);

  w.slot_pod.push_back(id);
  w.slot_state.push_back(kSlotPending);
  w.slot_version.push_back(w.current);
  w.slot_node.push_back(kNoNode);
  w.slot_factor.push_back(p.memory_factor);
  w.slot_cpu.push_back(0.0);
  w.slot_memory.push_back(0.0);
  w.slot_cpu_accum.push_back(0.0);
  w.slot_backlog.push_back(0.0);
  w.slot_mu.push_back(0.0);
  ++w.versions[w.current].live;
  ++w.existing;
  ++w.pending;
  ++w.counters.pods_created;
  w.open.replicas_max = std::max(w.open.replicas_max, static_cast<double>(w.existing));
  dirty_ = true;

  if (!try_schedule(id, now_s)) pending_.push_back(id);
  return id;
}

void Simulation::delete_pod(PodId id, double now_s) {
  assert(id != kNoPod && "a pod to delete exists");
  Pod& p = pods_[id];
  Workload& w = *workloads_[p.workload];
  if (p.phase == PodPhase::kTerminated) return;

  // The metrics pipeline hears the pod's last usage, then forgets it.
  if (p.recorded) {
    double elapsed = now_s - p.last_record_s;
    double accum = cpu_accum_now(w, p.slot, now_s);
    double avg = elapsed > 0 ? (accum - p.cpu_accum_at_record) / elapsed : 0;
    metrics_.record(id, p.last_record_s, avg, w.slot_memory[p.slot], w.id);
    metrics_.remove(id, now_s);
  }

  // Free its node.
  if (p.node != kNoNode) {
    Node& n = nodes_[p.node];
    const auto& res = w.versions[p.version].res;
    n.cpu_requested -= res.cpu_request;
    n.memory_requested -= res.memory_request;
    n.cpu_scored -= res.cpu_request > 0 ? res.cpu_request : kScoreDefaultCpu;
    n.memory_scored -= res.memory_request > 0 ? res.memory_request : kScoreDefaultMemory;
    n.pods.erase(std::find(n.pods.begin(), n.pods.end(), id));
  } else {
    pending_.erase(std::remove(pending_.begin(), pending_.end(), id), pending_.end());
    --w.pending;
  }
  if (p.ready) --w.ready_count;

  // Swap-remove from the hot arrays.
  std::uint32_t s = p.slot;
  std::uint32_t last = static_cast<std::uint32_t>(w.slot_pod.size() - 1);
  if (s != last) {
    w.slot_pod[s] = w.slot_pod[last];
    w.slot_state[s] = w.slot_state[last];
    w.slot_version[s] = w.slot_version[last];
    w.slot_node[s] = w.slot_node[last];
    w.slot_factor[s] = w.slot_factor[last];
    w.slot_cpu[s] = w.slot_cpu[last];
    w.slot_memory[s] = w.slot_memory[last];
    w.slot_cpu_accum[s] = w.slot_cpu_accum[last];
    w.slot_backlog[s] = w.slot_backlog[last];
    w.slot_mu[s] = w.slot_mu[last];
    pods_[w.slot_pod[s]].slot = s;
  }
  w.slot_pod.pop_back();
  w.slot_state.pop_back();
  w.slot_version.pop_back();
  w.slot_node.pop_back();
  w.slot_factor.pop_back();
  w.slot_cpu.pop_back();
  w.slot_memory.pop_back();
  w.slot_cpu_accum.pop_back();
  w.slot_backlog.pop_back();
  w.slot_mu.pop_back();

  --w.versions[p.version].live;
  --w.existing;
  p.phase = PodPhase::kTerminated;
  p.ready = false;
  p.containers_running = false;
  ++p.generation;
  p.node = kNoNode;
  dirty_ = true;
  schedule_pending(now_s);
}

bool Simulation::try_schedule(PodId id, double now_s) {
  Pod& p = pods_[id];
  Workload& w = *workloads_[p.workload];
  const auto& res = w.versions[p.version].res;

  // Filter by requests, score by LeastAllocated; ties to the lowest node id.
  double score_cpu = res.cpu_request > 0 ? res.cpu_request : kScoreDefaultCpu;
  double score_mem = res.memory_request > 0 ? res.memory_request : kScoreDefaultMemory;
  NodeId best = kNoNode;
  double best_score = -1e300;
  for (const Node& n : nodes_) {
    if (!n.ready || n.removed) continue;
    if (n.cpu_requested + res.cpu_request > n.cpu_alloc) continue;
    if (n.memory_requested + res.memory_request > n.memory_alloc) continue;
    double score = least_allocated_score(n.cpu_alloc, n.memory_alloc, n.cpu_scored + score_cpu,
                                         n.memory_scored + score_mem);
    if (score > best_score) {
      best_score = score;
      best = n.id;
    }
  }
  if (best == kNoNode) return false;

  // Bind; the kubelet pulls the image unless a pod of the same workload brought it already.
  Node& n = nodes_[best];
  n.cpu_requested += res.cpu_request;
  n.memory_requested += res.memory_request;
  n.cpu_scored += score_cpu;
  n.memory_scored += score_mem;
  n.pods.push_back(id);
  bool pull = !n.images[p.workload];
  n.images[p.workload] = 1;
  p.node = best;
  p.phase = PodPhase::kStarting;
  p.start_s = now_s;
  w.slot_node[p.slot] = best;
  w.slot_state[p.slot] = kSlotCreating;
  --w.pending;
  if (log_->should_log(spdlog::level::debug)) {
    log_->debug("[t={:.1f}s] pod {} of {} bound to node {}", now_s, id, w.spec.name, best);
  }
  start_containers(id, now_s, pull);
  dirty_ = true;
  return true;
}

void Simulation::schedule_pending(double now_s) {
  // Oldest first, as the scheduler's queue would order equal-priority pods.
  if (pending_.empty()) return;
  std::size_t kept = 0;
  for (std::size_t i = 0; i < pending_.size(); ++i) {
    PodId id = pending_[i];
    if (pods_[id].phase != PodPhase::kPending || try_schedule(id, now_s)) continue;
    pending_[kept++] = id;
  }
  pending_.resize(kept);
}

void Simulation::start_containers(PodId id, double now_s, bool pull_image) {
  Pod& p = pods_[id];
  Workload& w = *workloads_[p.workload];
  double delay = jittered(options_.startup.container_start_s);
  if (pull_image) delay += jittered(options_.startup.image_pull_s);
  p.phase = PodPhase::kStarting;
  p.containers_running = false;
  w.slot_state[p.slot] = kSlotCreating;

  // The pod is known to cAdvisor from the moment it is bound.
  if (!p.recorded) {
    p.recorded = true;
    p.last_record_s = now_s;
    p.cpu_accum_at_record = cpu_accum_now(w, p.slot, now_s);
  }
  queue_.push(now_s + delay, EventKind::kPodStarted, id, p.generation);
  dirty_ = true;
}

void Simulation::set_ready(Pod& p, bool ready, double now_s) {
  if (p.ready == ready) return;
  Workload& w = *workloads_[p.workload];
  p.ready = ready;
  p.last_transition_s = now_s;
  w.ready_count += ready ? 1 : -1;
  if (ready) {
    p.phase = PodPhase::kReady;
    w.slot_state[p.slot] = kSlotReady;
  }
  dirty_ = true;
}

void Simulation::oom_kill(PodId id, double now_s) {
  Pod& p = pods_[id];
  Workload& w = *workloads_[p.workload];
  if (!p.containers_running) return;

  // Requests queued on the replica are lost with it.
  w.open.errors += w.slot_backlog[p.slot];
  w.slot_backlog[p.slot] = 0;

  // The back-off restarts from 10 s when the container had run for 10 minutes.
  if (now_s - p.running_since_s >= kBackOffResetS) p.crash_count = 0;
  ++p.crash_count;
  double back_off = restart_back_off(p.crash_count);
  set_ready(p, false, now_s);
  p.containers_running = false;
  p.phase = PodPhase::kBackOff;
  ++p.generation;
  w.slot_state[p.slot] = kSlotBackOff;
  ++w.counters.oom_kills;
  ++w.open.oom_kills;
  queue_.push(now_s + back_off, EventKind::kContainerRestart, id, p.generation);
  if (log_->should_log(spdlog::level::debug)) {
    log_->debug("[t={:.1f}s] pod {} of {} OOM-killed (crash {}), restart in {:.0f} s", now_s, id,
                w.spec.name, p.crash_count, back_off);
  }
  dirty_ = true;
}

void Simulation::evict(PodId id, double now_s) {
  Pod& p = pods_[id];
  Workload& w = *workloads_[p.workload];
  w.open.errors += w.slot_backlog[p.slot];
  w.slot_backlog[p.slot] = 0;
  ++w.counters.evictions;
  ++w.open.evictions;
  if (log_->should_log(spdlog::level::debug)) {
    log_->debug("[t={:.1f}s] pod {} of {} evicted from node {} (memory pressure)", now_s, id,
                w.spec.name, p.node);
  }
  // The pod fails; its ReplicaSet replaces it.
  delete_pod(id, now_s);
  reconcile(w, now_s);
}

void Simulation::on_eviction_check(const Event& e) {
  Node& node = nodes_[e.a];
  node_pressure_check_[e.a] = 0;
  if (node.removed) return;

  // The node's memory at this instant (the rates of the last refresh).
  if (node_memory_[node.id] <= node.memory_alloc) return;
  std::vector<EvictionCandidate> candidates;
  for (PodId id : node.pods) {
    const Pod& p = pods_[id];
    const Workload& w = *workloads_[p.workload];
    candidates.push_back(
        {id, w.slot_memory[p.slot], w.versions[p.version].res.memory_request, w.spec.priority});
  }
  if (candidates.empty()) return;
  rank_for_eviction(candidates);
  evict(candidates.front().pod, e.time_s);
}

// ---------------------------------------------------------------------------------------------
// Controllers

void Simulation::on_metrics_collect(double now_s) {
  // Each running pod's average usage since its last record, as cAdvisor's counter would give.
  for (auto& wp : workloads_) {
    Workload& w = *wp;
    for (std::size_t i = 0; i < w.slot_pod.size(); ++i) {
      Pod& p = pods_[w.slot_pod[i]];
      if (!p.recorded) continue;
      double elapsed = now_s - p.last_record_s;
      if (!(elapsed > 0)) continue;
      double accum = cpu_accum_now(w, static_cast<std::uint32_t>(i), now_s);
      double avg = (accum - p.cpu_accum_at_record) / elapsed;
      metrics_.record(w.slot_pod[i], p.last_record_s, avg, w.slot_memory[i], w.id);
      p.last_record_s = now_s;
      p.cpu_accum_at_record = accum;
    }
  }
}

void Simulation::on_hpa_sync(const Event& e) {
  Workload& w = *workloads_[e.a];
  queue_.push(e.time_s + w.spec.hpa.sync_period_s, EventKind::kHpaSync, e.a);
  if (!w.hpa) return;

  // The pods as the controller lists them, with metrics-server's view of their usage.
  std::vector<HpaPodView>& views = hpa_views_;
  views.clear();
  for (std::size_t i = 0; i < w.slot_pod.size(); ++i) {
    const Pod& p = pods_[w.slot_pod[i]];
    const auto& res = w.versions[p.version].res;
    HpaPodView v;
    v.start_time_s = p.start_s >= 0 ? p.start_s : p.created_s;
    v.ready = p.ready;
    v.last_transition_s = p.last_transition_s;
    v.pending = p.phase == PodPhase::kPending;
    // Utilization needs a CPU request on every container (a limit alone defaults it).
    const PodTemplate& tmpl = w.versions[p.version].pod;
    bool every_request = tmpl.main.requests.cpu_millicores || tmpl.main.limits.cpu_millicores;
    for (const auto& sc : tmpl.sidecars) {
      every_request = every_request &&
                      (sc.resources.requests.cpu_millicores || sc.resources.limits.cpu_millicores);
    }
    if (every_request) v.cpu_request_millicores = res.cpu_request;
    if (auto m = metrics_.latest(w.slot_pod[i], e.time_s)) {
      v.cpu_usage_millicores = m->cpu_millicores;
      v.metric_timestamp_s = m->timestamp_s;
      v.metric_window_s = m->window_s;
    }
    views.push_back(v);
  }
  int desired = w.hpa->sync(e.time_s, w.desired, views);
  if (desired != w.desired) {
    if (log_->should_log(spdlog::level::debug)) {
      log_->debug("[t={:.1f}s] HPA of {}: {} -> {} replicas ({})", e.time_s, w.spec.name, w.desired,
                  desired, to_string(w.hpa->last_decision().reason));
    }
    w.desired = desired;
    reconcile(w, e.time_s);
  }
}

NodeId Simulation::add_node(int group, double now_s, bool ready) {
  const auto& g = cluster_.groups[group];
  Node n;
  n.id = static_cast<NodeId>(nodes_.size());
  n.group = group;
  n.cpu_alloc = g.cpu_millicores;
  n.memory_alloc = g.memory_bytes;
  n.price_per_hour = g.price_per_hour > 0
                         ? g.price_per_hour
                         : g.cpu_millicores / 1000.0 * options_.cost.cpu_core_hour +
                               g.memory_bytes / traces::kGiB * options_.cost.memory_gib_hour;
  n.ready = ready;
  n.created_s = now_s;
  n.images.assign(workloads_.size(), 0);
  nodes_.push_back(std::move(n));
  node_cpu_demand_.push_back(0.0);
  node_memory_.push_back(0.0);
  node_pressure_check_.push_back(0);
  node_price_rate_ += nodes_.back().price_per_hour / 3600.0;
  ++live_nodes_;
  cluster_stats_.max_nodes = std::max(cluster_stats_.max_nodes, static_cast<double>(node_count()));
  return nodes_.back().id;
}

void Simulation::remove_node(NodeId id, double now_s) {
  Node& n = nodes_[id];
  // Drain: the pods are deleted and their ReplicaSets create replacements elsewhere.
  std::vector<PodId> pods = n.pods;
  n.ready = false;
  for (PodId p : pods) delete_pod(p, now_s);
  n.removed = true;
  node_price_rate_ -= n.price_per_hour / 3600.0;
  --live_nodes_;
  ++cluster_stats_.nodes_removed;
  for (auto& w : workloads_) reconcile(*w, now_s);
  if (log_->should_log(spdlog::level::debug)) {
    log_->debug("[t={:.1f}s] cluster autoscaler removed node {}", now_s, id);
  }
}

std::vector<PodId> Simulation::pods_of(WorkloadId id) const {
  const Workload& w = *workloads_.at(id);
  std::vector<PodId> ids(w.slot_pod);
  std::sort(ids.begin(), ids.end());
  return ids;
}

NodeId Simulation::node_of(PodId id) const {
  return pods_.at(id).node;
}

PodPhase Simulation::phase_of(PodId id) const {
  return pods_.at(id).phase;
}

std::size_t Simulation::node_count() const {
  return static_cast<std::size_t>(live_nodes_);
}

void Simulation::on_autoscaler_scan(double now_s) {
  // Scale up: place Pending pods on nodes still provisioning, then on new empty nodes of the
  // cheapest group they fit (by price per hour, then group order), up to max_count.
  if (!pending_.empty()) {
    struct Bin {
      int group;
      double cpu, memory;
    };
    std::vector<Bin> bins;
    std::vector<int> group_nodes(cluster_.groups.size(), 0);
    for (const Node& n : nodes_) {
      if (n.removed) continue;
      ++group_nodes[n.group];
      if (!n.ready)
        bins.push_back(
            {n.group, n.cpu_alloc - n.cpu_requested, n.memory_alloc - n.memory_requested});
    }
    std::vector<int> added(cluster_.groups.size(), 0);
    for (PodId id : pending_) {
      const Pod& p = pods_[id];
      const auto& res = workloads_[p.workload]->versions[p.version].res;
      bool placed = false;
      for (Bin& b : bins) {
        if (res.cpu_request <= b.cpu && res.memory_request <= b.memory) {
          b.cpu -= res.cpu_request;
          b.memory -= res.memory_request;
          placed = true;
          break;
        }
      }
      if (placed) continue;
      int best = -1;
      for (std::size_t gi = 0; gi < cluster_.groups.size(); ++gi) {
        const auto& g = cluster_.groups[gi];
        if (group_nodes[gi] + added[gi] >= g.max_count) continue;
        if (res.cpu_request > g.cpu_millicores || res.memory_request > g.memory_bytes) continue;
        if (best < 0 || g.price_per_hour < cluster_.groups[best].price_per_hour) {
          best = static_cast<int>(gi);
        }
      }
      if (best < 0) continue;
      const auto& g = cluster_.groups[best];
      bins.push_back(
          {best, g.cpu_millicores - res.cpu_request, g.memory_bytes - res.memory_request});
      ++added[best];
    }
    for (std::size_t gi = 0; gi < added.size(); ++gi) {
      for (int i = 0; i < added[gi]; ++i) {
        NodeId id = add_node(static_cast<int>(gi), now_s, false);
        queue_.push(now_s + cluster_.provision_delay_s, EventKind::kNodeReady, id);
        ++cluster_stats_.nodes_added;
        last_scale_up_s_ = now_s;
        if (log_->should_log(spdlog::level::debug)) {
          log_->debug("[t={:.1f}s] cluster autoscaler adds node {} of group {}", now_s, id,
                      cluster_.groups[gi].name);
        }
      }
    }
  }

  // Scale down: a node under the utilization threshold for the unneeded time whose pods fit
  // on the other nodes goes, one per scan, never the last node and not within the delay after
  // a scale-up (which pauses removals, not the tracking of unneeded nodes).
  for (Node& n : nodes_) {
    if (n.removed || !n.ready) continue;
    double util = std::max(n.cpu_requested / n.cpu_alloc, n.memory_requested / n.memory_alloc);
    if (util >= cluster_.scale_down_utilization) {
      n.unneeded_since_s = -1;
      continue;
    }
    if (n.unneeded_since_s < 0) n.unneeded_since_s = now_s;
  }
  if (node_count() <= 1 || now_s - last_scale_up_s_ < kScaleDownDelayAfterAddS) return;
  for (Node& n : nodes_) {
    if (n.removed || !n.ready || n.unneeded_since_s < 0) continue;
    if (now_s - n.unneeded_since_s < cluster_.scale_down_unneeded_s) continue;

    // Would its pods fit elsewhere by requests (first fit in node order)?
    std::vector<std::pair<double, double>> free;
    for (const Node& o : nodes_) {
      free.emplace_back(
          o.removed || !o.ready || o.id == n.id ? -1.0 : o.cpu_alloc - o.cpu_requested,
          o.memory_alloc - o.memory_requested);
    }
    bool fits = true;
    for (PodId id : n.pods) {
      const Pod& p = pods_[id];
      const auto& res = workloads_[p.workload]->versions[p.version].res;
      bool placed = false;
      for (auto& f : free) {
        if (f.first >= res.cpu_request && f.second >= res.memory_request) {
          f.first -= res.cpu_request;
          f.second -= res.memory_request;
          placed = true;
          break;
        }
      }
      if (!placed) {
        fits = false;
        break;
      }
    }
    if (!fits) continue;
    remove_node(n.id, now_s);
    return;
  }
}

void Simulation::on_interval_end(double now_s) {
  // Close the open interval: averages from the integrals, latency per served request.
  double length = now_s - interval_start_;
  if (!(length > 0)) return;
  for (auto& wp : workloads_) {
    Workload& w = *wp;
    IntervalRow r = w.open;
    r.start_s = interval_start_;
    r.end_s = now_s;
    r.cpu_request_millicores /= length;
    r.cpu_usage_millicores /= length;
    r.cpu_demand_millicores /= length;
    r.memory_request_bytes /= length;
    r.memory_usage_bytes /= length;
    r.cpu_slack_millicores = r.cpu_request_millicores - r.cpu_usage_millicores;
    r.memory_slack_bytes = r.memory_request_bytes - r.memory_usage_bytes;
    r.replicas_mean /= length;
    r.ready_mean /= length;
    const auto& res = w.versions[w.current].res;
    r.cpu_limit_millicores = res.main_cpu_limit < kUnlimited ? res.main_cpu_limit : 0.0;
    r.memory_limit_bytes = res.main_memory_limit < kUnlimited ? res.main_memory_limit : 0.0;
    if (w.open_latency_weight > 0) {
      r.latency_p50_ms /= w.open_latency_weight;
      r.latency_p95_ms /= w.open_latency_weight;
      r.latency_p99_ms /= w.open_latency_weight;
      r.latency_slo_ms /= w.open_latency_weight;
    }
    if (options_.record_intervals) w.rows.push_back(r);

    // Totals keep the integrals.
    add_integrals(w.total, w.open);
    w.total.end_s = now_s;
    w.total_latency_weight += w.open_latency_weight;
    w.total_max_interval_p95 = std::max(w.total_max_interval_p95, r.latency_p95_ms);

    w.open = IntervalRow{};
    w.open.replicas_max = w.existing;
    w.open_latency_weight = 0;
  }
  interval_start_ = now_s;
  if (now_s < end_s_) {
    queue_.push(std::min(now_s + interval_s_, end_s_), EventKind::kIntervalEnd);
  }
}

// ---------------------------------------------------------------------------------------------
// Control

void Simulation::set_resources(WorkloadId id, const traces::ContainerResources& resources) {
  Workload& w = *workloads_.at(id);
  const auto& cur = w.versions[w.current].pod.main;
  auto same = [](const traces::ResourceValues& a, const traces::ResourceValues& b) {
    return a.cpu_millicores == b.cpu_millicores && a.memory_bytes == b.memory_bytes;
  };
  if (same(cur.requests, resources.requests) && same(cur.limits, resources.limits)) return;
  if (!started_) {
    // Before the replay the template simply changes.
    w.versions[0].pod.main = resources;
    w.versions[0].res = derive_resources(w.versions[0].pod);
    return;
  }

  // A new template version, rolled out by the Deployment controller. A version without pods
  // is reused, so the tables stay as small as the number of versions alive at once.
  Workload::Version v;
  v.pod = w.versions[w.current].pod;
  v.pod.main = resources;
  v.res = derive_resources(v.pod);
  std::uint32_t slot = static_cast<std::uint32_t>(w.versions.size());
  for (std::uint32_t i = 0; i < w.versions.size(); ++i) {
    if (i != w.current && w.versions[i].live == 0) {
      slot = i;
      break;
    }
  }
  if (slot == w.versions.size()) {
    w.versions.push_back(std::move(v));
  } else {
    w.versions[slot] = std::move(v);
  }
  w.current = slot;
  if (log_->should_log(spdlog::level::debug)) {
    log_->debug(
        "[t={:.1f}s] {}: new resources (requests cpu {:.0f}m memory {:.0f} MiB, limits "
        "cpu {:.0f}m memory {:.0f} MiB), rolling out version {}",
        now_, w.spec.name, resources.requests.cpu_millicores.value_or(0),
        resources.requests.memory_bytes.value_or(0) / 1048576.0,
        resources.limits.cpu_millicores.value_or(0),
        resources.limits.memory_bytes.value_or(0) / 1048576.0, w.current);
  }
  reconcile(w, now_);
  dirty_ = true;
  refresh(now_);
}

void Simulation::set_hpa_target(WorkloadId id, double utilization) {
  Workload& w = *workloads_.at(id);
  if (w.hpa) w.hpa->set_target_utilization(utilization);
}

void Simulation::set_replicas(WorkloadId id, int replicas) {
  Workload& w = *workloads_.at(id);
  w.desired = std::max(0, replicas);
  if (!started_) return;
  reconcile(w, now_);
  if (dirty_) refresh(now_);
}

void Simulation::set_policy(double period_s, std::function<void(Simulation&)> policy) {
  assert(!started_ && period_s > 0 && "a policy is set before the replay with a period");
  policy_period_s_ = period_s;
  policy_ = std::move(policy);
}

const traces::ContainerResources& Simulation::resources(WorkloadId id) const {
  const Workload& w = *workloads_.at(id);
  return w.versions[w.current].pod.main;
}

int Simulation::desired_replicas(WorkloadId id) const {
  return workloads_.at(id)->desired;
}
int Simulation::replicas(WorkloadId id) const {
  return workloads_.at(id)->existing;
}
int Simulation::ready_replicas(WorkloadId id) const {
  return workloads_.at(id)->ready_count;
}
const WorkloadCounters& Simulation::counters(WorkloadId id) const {
  return workloads_.at(id)->counters;
}

std::span<const WorkloadSample> Simulation::observed_series(WorkloadId id) {
  // Bring every pod's usage into the pipeline up to its last collection.
  return metrics_.workload_series(id, now_);
}

const HpaDecision* Simulation::last_hpa_decision(WorkloadId id) const {
  const Workload& w = *workloads_.at(id);
  return w.hpa ? &w.hpa->last_decision() : nullptr;
}

const std::vector<IntervalRow>& Simulation::intervals(WorkloadId id) const {
  return workloads_.at(id)->rows;
}

WorkloadSummary Simulation::summary(WorkloadId id) const {
  const Workload& w = *workloads_.at(id);

  // Closed intervals plus the open one.
  IntervalRow t = w.total;
  const IntervalRow& o = w.open;
  double weight = w.total_latency_weight + w.open_latency_weight;
  add_integrals(t, o);

  WorkloadSummary s;
  s.name = w.spec.name;
  s.duration_s = now_;
  s.oom_kills = t.oom_kills;
  s.evictions = t.evictions;
  s.restarts = t.restarts;
  s.throttled_seconds = t.throttled_seconds;
  s.memory_over_request_seconds = t.memory_over_request_seconds;
  s.pending_seconds = t.pending_seconds;
  s.slo_violation_seconds = t.slo_violation_seconds;
  if (weight > 0) {
    s.p50_latency_ms = t.latency_p50_ms / weight;
    s.p95_latency_ms = t.latency_p95_ms / weight;
    s.p99_latency_ms = t.latency_p99_ms / weight;
  }
  s.max_interval_p95_ms = w.total_max_interval_p95;
  s.mean_replicas = now_ > 0 ? t.replicas_mean / now_ : w.existing;
  s.max_replicas = t.replicas_max;
  s.requests = t.requests;
  s.errors = t.errors;
  s.error_rate = t.requests > 0 ? t.errors / t.requests : 0.0;
  s.cpu_request_core_hours = t.cpu_request_millicores / 1000.0 / 3600.0;
  s.memory_request_gib_hours = t.memory_request_bytes / traces::kGiB / 3600.0;
  s.cpu_usage_core_hours = t.cpu_usage_millicores / 1000.0 / 3600.0;
  s.memory_usage_gib_hours = t.memory_usage_bytes / traces::kGiB / 3600.0;
  if (now_ > 0) {
    s.mean_cpu_slack_millicores = (t.cpu_request_millicores - t.cpu_usage_millicores) / now_;
    s.mean_memory_slack_bytes = (t.memory_request_bytes - t.memory_usage_bytes) / now_;
  }
  s.cost = t.cost;
  return s;
}

ClusterSummary Simulation::cluster_summary() const {
  return cluster_stats_;
}

SimulationResults Simulation::results() const {
  SimulationResults r;
  r.seed = options_.seed;
  for (const auto& w : workloads_) {
    r.workload_names.push_back(w->spec.name);
    r.intervals.push_back(w->rows);
    r.summaries.push_back(summary(w->id));
  }
  r.cluster = cluster_stats_;
  return r;
}

}  // namespace podsizer::sim
