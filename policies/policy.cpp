#include "policies/policy.h"
#include "policies/recommend.h"

#include <algorithm>
#include <mutex>
#include <sstream>

#include "policies/autopilot.h"
#include "policies/autopilot_ml.h"
#include "policies/krr.h"
#include "policies/static_policy.h"
#include "policies/vpa.h"

namespace podsizer::policies {

void Policy::observe(const Sample& sample) {
  // Samples out of order would let a policy see the future of an earlier decision.
  if (last_sample_time_ && sample.time_s < *last_sample_time_) {
    std::ostringstream message;
    message << name() << ": sample at " << sample.time_s << " s arrived after one at "
            << *last_sample_time_ << " s; samples must come in time order";
    throw std::logic_error(message.str());
  }
  last_sample_time_ = sample.time_s;
  on_observe(sample);
}

Decision Policy::decide(const DecisionContext& ctx) {
  // A decision earlier than the last sample would be made with knowledge of its future.
  if (last_sample_time_ && ctx.now_s < *last_sample_time_) {
    std::ostringstream message;
    message << name() << ": asked to decide at " << ctx.now_s << " s after seeing a sample at "
            << *last_sample_time_ << " s";
    throw std::logic_error(message.str());
  }
  return on_decide(ctx);
}

void Policy::reset() {
  last_sample_time_.reset();
  on_reset();
}

namespace {

// The registry of names beyond the built-in baselines, filled at static initialisation by
// libraries linked into the program.
struct Registry {
  std::mutex mutex;
  std::map<std::string, PolicyFactory> extra;
};

Registry& registry() {
  static Registry instance;
  return instance;
}

const std::map<std::string, PolicyFactory>& builtin_factories() {
  static const std::map<std::string, PolicyFactory> factories = {
      {"static", [](const PolicyOptions& o) { return std::make_unique<StaticPolicy>(o); }},
      {"vpa",
       [](const PolicyOptions& o) { return std::make_unique<VpaPolicy>(VpaOptions::from(o)); }},
      {"krr",
       [](const PolicyOptions& o) { return std::make_unique<KrrPolicy>(KrrOptions::from(o)); }},
      {"autopilot",
       [](const PolicyOptions& o) {
         return std::make_unique<AutopilotPolicy>(AutopilotOptions::from(o));
       }},
      {"autopilot-ml",
       [](const PolicyOptions& o) {
         return std::make_unique<AutopilotMlPolicy>(AutopilotMlOptions::from(o));
       }},
  };
  return factories;
}

}  // namespace

std::vector<std::string> known_policies() {
  std::vector<std::string> names;
  for (const auto& [name, factory] : builtin_factories()) names.push_back(name);
  {
    std::lock_guard lock(registry().mutex);
    for (const auto& [name, factory] : registry().extra) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

std::unique_ptr<Policy> make_policy(const std::string& name, const PolicyOptions& options) {
  // A registered name may replace a built-in one, so look there first.
  PolicyFactory factory;
  {
    std::lock_guard lock(registry().mutex);
    auto found = registry().extra.find(name);
    if (found != registry().extra.end()) factory = found->second;
  }
  if (!factory) {
    auto found = builtin_factories().find(name);
    if (found != builtin_factories().end()) factory = found->second;
  }
  // A TorchScript file goes to the loader a learned-policy library registered (recommend.h).
  if (!factory && name.ends_with(".pt") && has_policy_loader()) {
    check_option_names(name, options, {});
    return load_policy(name).make();
  }
  if (!factory) {
    std::string list;
    for (const auto& known : known_policies()) list += (list.empty() ? "" : ", ") + known;
    throw UnknownPolicyError("unknown policy '" + name + "'; known policies: " + list);
  }
  return factory(options);
}

bool register_policy(const std::string& name, PolicyFactory factory) {
  std::lock_guard lock(registry().mutex);
  registry().extra[name] = std::move(factory);
  return true;
}

double option_or(const PolicyOptions& options, const std::string& key, double fallback) {
  auto found = options.find(key);
  return found == options.end() ? fallback : found->second;
}

void check_option_names(const std::string& policy, const PolicyOptions& options,
                        const std::vector<std::string>& known) {
  for (const auto& [key, value] : options) {
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    std::string list;
    for (const auto& name : known) list += (list.empty() ? "" : ", ") + name;
    throw std::invalid_argument("policy '" + policy + "' has no option '" + key +
                                "'; it knows: " + (list.empty() ? "none" : list));
  }
}

}  // namespace podsizer::policies
