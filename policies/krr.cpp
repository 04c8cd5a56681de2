#include "policies/krr.h"

#include <algorithm>

namespace podsizer::policies {

KrrOptions KrrOptions::from(const PolicyOptions& options) {
  check_option_names("krr", options,
                     {"history_h", "min_history_h", "points_required", "cpu_percentile",
                      "memory_buffer", "min_cpu_millicores", "min_memory_mib"});
  KrrOptions o;
  o.history_s = option_or(options, "history_h", o.history_s / 3600) * 3600;
  o.min_history_s = option_or(options, "min_history_h", o.min_history_s / 3600) * 3600;
  o.points_required = option_or(options, "points_required", o.points_required);
  o.cpu_percentile = option_or(options, "cpu_percentile", o.cpu_percentile);
  o.memory_buffer = option_or(options, "memory_buffer", o.memory_buffer);
  o.min_cpu_millicores = option_or(options, "min_cpu_millicores", o.min_cpu_millicores);
  o.min_memory_bytes =
      option_or(options, "min_memory_mib", o.min_memory_bytes / (1024.0 * 1024)) * 1024 * 1024;
  if (o.history_s <= 0 || o.cpu_percentile < 0 || o.cpu_percentile > 1) {
    throw std::invalid_argument("krr: history_h must be positive and cpu_percentile in 0..1");
  }
  return o;
}

KrrPolicy::KrrPolicy(KrrOptions options)
    : options_(options),
      cpu_(options.history_s),
      memory_(options.history_s),
      times_(options.history_s) {}

void KrrPolicy::on_reset() {
  cpu_.clear();
  memory_.clear();
  times_.clear();
}

void KrrPolicy::on_observe(const Sample& sample) {
  times_.add(sample.time_s, sample.time_s);
  if (sample.cpu_millicores) cpu_.add(sample.time_s, *sample.cpu_millicores);
  if (sample.memory_bytes) memory_.add(sample.time_s, *sample.memory_bytes);
}

Decision KrrPolicy::on_decide(const DecisionContext& ctx) {
  // Only the history window as seen from now counts.
  times_.advance(ctx.now_s);
  cpu_.advance(ctx.now_s);
  memory_.advance(ctx.now_s);

  Decision decision;
  decision.resources = ctx.current;
  const bool long_enough = !times_.empty() && times_.max() - times_.min() >= options_.min_history_s;
  if (!long_enough) return decision;

  // CPU: a percentile of usage as the request, and no limit.
  if (static_cast<double>(cpu_.count()) >= options_.points_required) {
    decision.resources.requests.cpu_millicores =
        std::max(cpu_.percentile(options_.cpu_percentile), options_.min_cpu_millicores);
    decision.resources.limits.cpu_millicores.reset();
  }

  // Memory: the peak plus a buffer, as both request and limit.
  if (static_cast<double>(memory_.count()) >= options_.points_required) {
    const double memory =
        std::max(memory_.max() * (1.0 + options_.memory_buffer), options_.min_memory_bytes);
    decision.resources.requests.memory_bytes = memory;
    decision.resources.limits.memory_bytes = memory;
  }
  return decision;
}

}  // namespace podsizer::policies
