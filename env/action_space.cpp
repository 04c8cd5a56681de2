#include "env/action_space.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <stdexcept>

#include "env/features.h"

namespace podsizer::env {

ActionSpace::ActionSpace(const ActionSpaceConfig& c) : config_(c) {
  // Every multiplier and bound must be positive for the log-space rules to make sense.
  for (double v : {c.cpu_scale, c.cpu_limit_factor, c.cpu_limit_scale, c.memory_margin,
                   c.memory_scale, c.memory_limit_factor, c.memory_limit_scale, c.oom_raise_factor,
                   c.min_cpu_millicores, c.min_memory_bytes, c.memory_limit_hold,
                   c.memory_request_floor, c.min_memory_limit_bytes}) {
    if (!(v > 0)) throw std::invalid_argument("ActionSpaceConfig: scales and bounds must be > 0");
  }
  if (!(c.max_cpu_millicores >= c.min_cpu_millicores) ||
      !(c.max_memory_bytes >= c.min_memory_bytes) || !(c.hpa_min > 0 && c.hpa_max >= c.hpa_min)) {
    throw std::invalid_argument("ActionSpaceConfig: a minimum exceeds its maximum");
  }

  auto rule = [](std::string name, std::size_t index, std::int64_t feature, double offset,
                 double scale, double lo, double hi, std::int64_t at_least) {
    OutputRule r;
    r.name = std::move(name);
    r.action_index = index;
    r.centre_feature = feature;
    r.offset = offset;
    r.scale = scale;
    r.min_value = lo;
    r.max_value = hi;
    r.at_least_output = at_least;
    return r;
  };
  const auto cpu_ref = static_cast<std::int64_t>(kCpuRefFeature);
  const auto mem_ref = static_cast<std::int64_t>(kMemoryRefFeature);
  const double mem_offset = std::log(c.memory_margin);
  rules_.push_back(rule("cpu_request_millicores", 0, cpu_ref, 0.0, c.cpu_scale,
                        c.min_cpu_millicores, c.max_cpu_millicores, -1));
  rules_.push_back(rule("cpu_limit_millicores", 1, cpu_ref, std::log(c.cpu_limit_factor),
                        c.cpu_limit_scale, c.min_cpu_millicores, c.max_cpu_millicores,
                        kCpuRequest));
  rules_.back().extra_centre_feature = static_cast<std::int64_t>(kCpuMax7dFeature);
  rules_.push_back(rule("memory_request_bytes", 2, mem_ref, mem_offset, c.memory_scale,
                        c.min_memory_bytes, c.max_memory_bytes, -1));
  rules_.back().centre_floor = c.memory_request_floor;
  rules_.push_back(
      rule("memory_limit_bytes", 3, mem_ref, std::log(c.memory_limit_factor), c.memory_limit_scale,
           std::min(std::max(c.min_memory_bytes, c.min_memory_limit_bytes), c.max_memory_bytes),
           c.max_memory_bytes, kMemoryRequest));
  rules_.back().extra_centre_feature = static_cast<std::int64_t>(kMemoryMax7dFeature);
  rules_.back().raise_when_feature = static_cast<std::int64_t>(kOomKills1hFeature);
  rules_.back().raise_from_feature = static_cast<std::int64_t>(kMemoryLimitFeature);
  rules_.back().raise_factor = c.oom_raise_factor;
  rules_.back().hold_factor = c.memory_limit_hold;
  if (c.hpa) {
    OutputRule h = rule("hpa_target_utilization", 4, -1, 0.5 * (c.hpa_min + c.hpa_max),
                        0.5 * (c.hpa_max - c.hpa_min), c.hpa_min, c.hpa_max, -1);
    h.log_space = false;
    h.feature_is_log = false;
    rules_.push_back(h);
  }
}

void ActionSpace::apply(std::span<const float> features, std::span<const float> action,
                        std::span<double> out) const {
  assert(out.size() == rules_.size() && "one value per output");

  // Each output from its own action dimension, centred on its feature, then clamped.
  for (std::size_t k = 0; k < rules_.size(); ++k) {
    const OutputRule& r = rules_[k];
    double a = static_cast<double>(action[r.action_index]);
    a = std::isnan(a) ? 0.0 : std::clamp(a, -1.0, 1.0);
    const double centre =
        r.centre_feature >= 0 ? static_cast<double>(features[r.centre_feature]) : 0.0;
    const double base = r.extra_centre_feature >= 0
                            ? centre + static_cast<double>(features[r.extra_centre_feature])
                            : centre;
    const double y = r.offset + base + r.scale * a;
    double value = r.log_space ? std::exp(y) : y;

    // From the value in force: a step up (the memory limit after an OOM kill) and a hold.
    if (r.raise_from_feature >= 0) {
      const double in_force =
          std::exp(centre + static_cast<double>(features[r.raise_from_feature]));
      if (r.raise_when_feature >= 0 && features[r.raise_when_feature] > 0.0f) {
        value = std::max(value, r.raise_factor * in_force);
      }
      if (r.hold_factor > 0.0) value = std::max(value, r.hold_factor * in_force);
    }
    if (r.centre_floor > 0.0) value = std::max(value, r.centre_floor * std::exp(centre));
    out[k] = std::clamp(value, r.min_value, r.max_value);
  }

  // Orderings (limit >= request) after every clamp, in one pass.
  for (std::size_t k = 0; k < rules_.size(); ++k) {
    const std::int64_t other = rules_[k].at_least_output;
    if (other >= 0) out[k] = std::max(out[k], out[static_cast<std::size_t>(other)]);
  }
}

traces::ContainerResources ActionSpace::resources(std::span<const double> out) const {
  traces::ContainerResources r;
  r.requests.cpu_millicores = out[kCpuRequest];
  r.limits.cpu_millicores = out[kCpuLimit];
  r.requests.memory_bytes = out[kMemoryRequest];
  r.limits.memory_bytes = out[kMemoryLimit];
  return r;
}

std::optional<double> ActionSpace::hpa_target(std::span<const double> out) const {
  if (!config_.hpa) return std::nullopt;
  return out[kHpaTarget];
}

bool differs(const traces::ContainerResources& current, const traces::ContainerResources& next,
             double relative) {
  auto one = [relative](const std::optional<double>& a, const std::optional<double>& b) {
    if (a.has_value() != b.has_value()) return true;
    if (!a) return false;
    return std::abs(*b - *a) > relative * std::max(std::abs(*a), 1e-12);
  };
  return one(current.requests.cpu_millicores, next.requests.cpu_millicores) ||
         one(current.limits.cpu_millicores, next.limits.cpu_millicores) ||
         one(current.requests.memory_bytes, next.requests.memory_bytes) ||
         one(current.limits.memory_bytes, next.limits.memory_bytes);
}

}  // namespace podsizer::env
