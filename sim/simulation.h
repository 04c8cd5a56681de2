// Simulation: the discrete-event replay of workloads on a Kubernetes cluster.
//
// Owns the clock, the event queue (sim/event_queue.h), the nodes, the pods, one HPA per workload
// (sim/hpa.h), the metrics pipeline (sim/metrics_pipeline.h) and the results. Time is simulated
// seconds from the first trace sample. Between two events nothing changes but the flow of
// demand, so the engine integrates per stretch: after each batch of simultaneous events it
// refreshes every pod's rates (CPU it gets, memory, throttling, latency) once, and at the next
// event multiplies them by the elapsed time. Nothing is stepped second by second.
//
// The rules, each with its source in the file that implements it:
// - Deployment: the workload's pods come from its template; a resource change rolls them (new
//   pods with the new resources are created, at most 25 % above the desired count; old pods are
//   removed as new ones become ready, keeping at least 75 % of the desired count available), as
//   the Deployment controller's RollingUpdate with maxSurge = maxUnavailable = 25 % does
//   (kubernetes/website concepts/workloads/controllers/deployment.md). Resources never change in
//   place. Scaling down removes pods that are not yet scheduled, then not ready, then the newest,
//   as the ReplicaSet controller ranks them (pkg/controller/controller_utils.go ActivePods).
// - Scheduler: a pod fits a node when the requests already placed plus its own are at most the
//   allocatable CPU and memory; among the nodes that fit, the highest NodeResourcesFit
//   LeastAllocated score wins (mean over CPU and memory of free/allocatable after placing, with
//   kube-scheduler's non-zero defaults of 100m and 200Mi for pods without requests); ties go to
//   the lowest node id, where kube-scheduler would pick at random. A pod that fits nowhere stays
//   Pending and is retried whenever capacity frees or a node joins.
// - Start-up: binding, then image pull (skipped when the node already runs a pod of the same
//   workload), container start, and the readiness probe's initial delay; only then traffic.
// - Kubelet: CFS shares and quota, OOM kill at the limit with restart back-off, node-pressure
//   eviction every 10 s, the kernel's OOM killer when a node runs out of memory
//   (sim/kubelet.h, sim/resources.h).
// - HPA: every sync period on what the metrics pipeline shows, never on the truth.
// - Cluster autoscaler (optional, when a node group has max_count above its count): every 10 s
//   (--scan-interval) it adds nodes for Pending pods that would fit an empty node of a group,
//   ready after a provisioning delay (120 s by default), and removes a node whose requests stay
//   under 50 % of its allocatable CPU and memory for 10 minutes when its pods fit elsewhere
//   (--scale-down-utilization-threshold 0.5, --scale-down-unneeded-time 10m; kubernetes/
//   autoscaler cluster-autoscaler/FAQ.md).
// - Latency (sim/latency.h) and cost: a workload pays max(request, usage) x price per core-hour
//   and per GiB-hour; nodes cost their price per hour from creation to removal.
//
// Determinism: events are ordered by (time, kind, insertion) (sim/event_queue.h); pods and nodes
// are visited in id order; the only randomness (start-up jitter, replica-to-replica memory
// spread) comes from a 64-bit engine owned by the Simulation and seeded by SimulationOptions.
// The same inputs and seed give identical results on any thread. Not synchronised: one
// Simulation belongs to one thread at a time; different Simulations may run in parallel and
// share their WorkloadModels read-only.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "sim/event_queue.h"
#include "sim/hpa.h"
#include "sim/latency.h"
#include "sim/metrics_pipeline.h"
#include "sim/resources.h"
#include "sim/results.h"
#include "sim/types.h"
#include "sim/workload_model.h"
#include "traces/app_spec.h"

namespace spdlog {
class logger;
}

namespace podsizer::sim {

struct ClusterSpec {
  std::vector<traces::NodeGroup> groups;  // at least one
  double provision_delay_s = 120;         // a new node's time from request to Ready
  double autoscaler_scan_s = 10;          // cluster-autoscaler --scan-interval
  double scale_down_utilization = 0.5;    // --scale-down-utilization-threshold
  double scale_down_unneeded_s = 600;     // --scale-down-unneeded-time
};

struct StartupSpec {
  double image_pull_s = 10;       // on a node without the image
  double container_start_s = 2;   // create and start the containers
  double readiness_delay_s = 10;  // readiness probe initialDelaySeconds + first success
  double jitter = 0.2;            // each delay x uniform(1 - jitter, 1 + jitter)
};

struct CostSpec {
  // A typical on-demand split of a general-purpose node's price into CPU and memory (about
  // the list prices of public clouds for general-purpose VMs in recent years).
  double cpu_core_hour = 0.0316;
  double memory_gib_hour = 0.00424;
};

struct SimulationOptions {
  std::uint64_t seed = 1;
  double results_interval_s = 0;  // 0: the first workload's sample interval, at least 60 s
  StartupSpec startup;
  CostSpec cost;
  MetricsPipelineSpec metrics;
  bool record_intervals = true;  // keep per-interval rows (summaries are always kept)
};

struct WorkloadSpec {
  std::string name;
  PodTemplate pod;
  bool hpa_enabled = true;
  HpaSpec hpa;       // used when hpa_enabled
  int replicas = 1;  // initial count; the fixed count without an HPA
  double slo_ms = 200;
  double slo_percentile = 0.95;
  double memory_spread = 0.05;  // replica-to-replica CV of memory (0: identical replicas)
  int priority = 0;             // pod priority, for eviction order
};

// The spec a user's AppSpec describes, for a workload replaying `model`.
WorkloadSpec workload_spec_from_app(const traces::AppSpec& app);
ClusterSpec cluster_spec_from_app(const traces::AppSpec& app);

// Counts as kube-state-metrics would show them (kube_pod_container_status_restarts_total and the
// last-terminated reason), totals since the start of the replay.
struct WorkloadCounters {
  std::uint64_t oom_kills = 0;
  std::uint64_t restarts = 0;
  std::uint64_t evictions = 0;
  std::uint64_t pods_created = 0;
};

class Simulation {
 public:
  // Throws std::invalid_argument for a cluster without node groups or with empty nodes.
  Simulation(ClusterSpec cluster, SimulationOptions options = {});
  ~Simulation();
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  // Adds a workload replaying `model`. REQUIRES: before the first advance_to().
  WorkloadId add_workload(const WorkloadSpec& spec, std::shared_ptr<const WorkloadModel> model);

  // Processes every event up to and including `t_s` (clamped to end_time()) and integrates to it.
  void advance_to(double t_s);
  // Runs to the end; `progress` (may be empty) is called about every `progress_every_s` of
  // wall time with the fraction done.
  void run(const std::function<void(double fraction)>& progress = {},
           double progress_every_s = 5.0);

  double now() const { return now_; }
  double end_time() const { return end_s_; }
  bool finished() const { return started_ && now_ >= end_s_; }

  // Closed-loop control. A resource change rolls the pods (see above); it is ignored when the
  // resources equal the current ones.
  void set_resources(WorkloadId w, const traces::ContainerResources& resources);
  void set_hpa_target(WorkloadId w, double utilization);
  // The replica count without an HPA (with one, the HPA overrides it at its next sync).
  void set_replicas(WorkloadId w, int replicas);
  // Calls `policy` every `period_s` of simulated time from `period_s` on (kind kPolicy).
  void set_policy(double period_s, std::function<void(Simulation&)> policy);

  // What a metrics system would show.
  const traces::ContainerResources& resources(WorkloadId w) const;
  int desired_replicas(WorkloadId w) const;
  int replicas(WorkloadId w) const;  // pods that exist
  int ready_replicas(WorkloadId w) const;
  const WorkloadCounters& counters(WorkloadId w) const;
  // Per-scrape sums and maxima of the workload's pods, as Prometheus would hold them.
  std::span<const WorkloadSample> observed_series(WorkloadId w);
  const HpaDecision* last_hpa_decision(WorkloadId w) const;
  std::size_t workload_count() const { return workloads_.size(); }
  std::size_t node_count() const;  // nodes that exist (Ready or provisioning)
  // The workload's pods that are not terminated, by id; where a pod runs; its phase.
  std::vector<PodId> pods_of(WorkloadId w) const;
  NodeId node_of(PodId pod) const;  // kNoNode while Pending or once terminated
  PodPhase phase_of(PodId pod) const;
  std::uint64_t events_processed() const { return events_processed_; }
  std::uint64_t pod_samples() const { return pod_samples_; }

  // Results so far: the closed interval rows and the summary up to now().
  const std::vector<IntervalRow>& intervals(WorkloadId w) const;
  WorkloadSummary summary(WorkloadId w) const;
  ClusterSummary cluster_summary() const;
  SimulationResults results() const;

 private:
  struct Node;
  struct Pod;
  struct Workload;

  void start();
  void process(const Event& e);
  void integrate(double t_s);
  void refresh(double now_s);
  void refresh_workload(Workload& w, double now_s, double elapsed);
  double cpu_accum_now(const Workload& w, std::uint32_t slot, double now_s) const;
  void check_memory(double now_s);
  void reconcile(Workload& w, double now_s);

  PodId create_pod(Workload& w, double now_s);
  void delete_pod(PodId id, double now_s);
  bool try_schedule(PodId id, double now_s);
  void schedule_pending(double now_s);
  void start_containers(PodId id, double now_s, bool pull_image);
  void set_ready(Pod& p, bool ready, double now_s);
  void oom_kill(PodId id, double now_s);
  void evict(PodId id, double now_s);

  void on_trace_sample(const Event& e);
  void on_eviction_check(const Event& e);
  void on_metrics_collect(double now_s);
  void on_hpa_sync(const Event& e);
  void on_autoscaler_scan(double now_s);
  void on_interval_end(double now_s);
  NodeId add_node(int group, double now_s, bool ready);
  void remove_node(NodeId id, double now_s);

  double uniform01();
  double jittered(double seconds);
  double standard_normal();

  ClusterSpec cluster_;
  SimulationOptions options_;
  EventQueue queue_;
  MetricsPipeline metrics_;
  std::mt19937_64 rng_;
  std::vector<std::unique_ptr<Workload>> workloads_;
  std::vector<Node> nodes_;
  std::vector<Pod> pods_;
  std::vector<double> node_cpu_demand_;  // per node, refreshed with the pods
  std::vector<double> node_memory_;
  std::vector<double> node_spare_;                 // allocatable CPU minus demand, floored at 0
  std::vector<std::uint8_t> node_pressure_check_;  // an eviction check is queued
  std::vector<double> scratch_a_, scratch_b_, scratch_c_;
  std::vector<PodId> scratch_pods_;
  std::vector<HpaPodView> hpa_views_;
  std::function<void(Simulation&)> policy_;
  double policy_period_s_ = 0;
  double now_ = 0;
  double last_refresh_s_ = 0;
  double end_s_ = 0;
  double interval_s_ = 60;
  double interval_start_ = 0;
  bool started_ = false;
  bool dirty_ = true;
  bool autoscaling_ = false;
  std::uint64_t events_processed_ = 0;
  std::uint64_t pod_samples_ = 0;
  ClusterSummary cluster_stats_;
  int live_nodes_ = 0;
  double node_price_rate_ = 0;  // currency per second of the nodes that exist
  double last_scale_up_s_ = -1e300;
  std::vector<PodId> pending_;  // Pending pods in creation order
  std::shared_ptr<spdlog::logger> log_;
};

}  // namespace podsizer::sim
