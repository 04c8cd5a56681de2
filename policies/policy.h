// Policy: the one interface every resource policy sits behind (baselines, learned, exported).
//
// A policy watches one workload the way a metrics system shows it. It is fed samples in time
// order through observe() (per-pod CPU and memory, the request rate when known, replicas, and
// the events Prometheus and kube-state-metrics expose: OOM kills, restarts, evictions, the
// throttled fraction when known), and at each decision point decide() returns requests and
// limits for CPU and memory, each optional (unset), and optionally an HPA target utilization.
//
// Walk-forward rule: a policy never sees a sample later than the moment it decides. The base
// class enforces it: samples must arrive in non-decreasing time, and decide() refuses a `now`
// earlier than the last sample observed (std::logic_error). A policy keeps whatever state it
// wants (histograms, windows) and reset() returns it to the state it was built in.
//
// Policies are built by name through make_policy(). A library that is not linked here (the
// learned policy needs LibTorch) adds its own name with register_policy().
//
// Not synchronised: one policy instance serves one workload on one thread. The factory and the
// registry are safe to call from several threads.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "traces/app_spec.h"

namespace podsizer::policies {

// One observation of the workload, as a metrics system would report it at `time_s`.
struct Sample {
  double time_s = 0.0;
  std::optional<double> cpu_millicores;  // per pod, averaged over the sampling interval
  std::optional<double> memory_bytes;    // per pod working set
  std::optional<double> request_rate;    // whole workload, requests per second
  double replicas = 1.0;
  // Events seen since the previous sample.
  int oom_kills = 0;
  int restarts = 0;
  int evictions = 0;
  std::optional<double> throttled_fraction;  // of CFS periods throttled, 0..1
};

// What a policy sees when asked to decide.
struct DecisionContext {
  double now_s = 0.0;
  traces::ContainerResources current;    // the resources in force right now
  const traces::AppSpec* app = nullptr;  // the application; may be null
};

struct Decision {
  traces::ContainerResources resources;
  std::optional<double> hpa_target_utilization;  // a fraction, 0.8 = 80 %
};

// Options by name, for example {"cpu_percentile", 0.95}. Every policy documents the names it
// accepts and refuses others with std::invalid_argument listing the ones it knows.
using PolicyOptions = std::map<std::string, double>;

class Policy {
 public:
  virtual ~Policy() = default;

  // The name the factory knows this policy by.
  virtual std::string name() const = 0;

  // Feeds one sample. REQUIRES: sample.time_s is not earlier than the previous sample's.
  void observe(const Sample& sample);

  // Returns the resources to set at ctx.now_s. REQUIRES: ctx.now_s is not earlier than the last
  // sample observed, so nothing later than `now` can have been seen.
  Decision decide(const DecisionContext& ctx);

  // Forgets everything observed.
  void reset();

  // Time of the last sample observed; nullopt before the first.
  std::optional<double> last_sample_time() const { return last_sample_time_; }

 protected:
  virtual void on_observe(const Sample& sample) = 0;
  virtual Decision on_decide(const DecisionContext& ctx) = 0;
  virtual void on_reset() = 0;

 private:
  std::optional<double> last_sample_time_;
};

class UnknownPolicyError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

using PolicyFactory = std::function<std::unique_ptr<Policy>(const PolicyOptions&)>;

// Builds a policy by name: "static", "vpa", "krr", "autopilot", "autopilot-ml", or one added
// with register_policy(). Throws UnknownPolicyError listing the known names for any other, and
// std::invalid_argument for an option the policy does not know.
std::unique_ptr<Policy> make_policy(const std::string& name, const PolicyOptions& options = {});

// Every name make_policy() accepts, sorted.
std::vector<std::string> known_policies();

// Adds (or replaces) a policy name. Returns true so that a file can register at static
// initialisation: `const bool kRegistered = register_policy("learned", ...);`.
bool register_policy(const std::string& name, PolicyFactory factory);

// Reads `key` from `options`, or `fallback` when absent.
double option_or(const PolicyOptions& options, const std::string& key, double fallback);

// Throws std::invalid_argument naming the first key of `options` not in `known`.
void check_option_names(const std::string& policy, const PolicyOptions& options,
                        const std::vector<std::string>& known);

}  // namespace podsizer::policies
