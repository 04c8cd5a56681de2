#include "policies/autopilot_ml.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace podsizer::policies {

namespace {

// A bucket's representative value: its middle (the last bucket, unbounded, its start).
double middle(const ExponentialBuckets& buckets, std::size_t b) {
  return 0.5 * (buckets.start(b) + buckets.end(b));
}

}  // namespace

AutopilotMlOptions AutopilotMlOptions::from(const PolicyOptions& options) {
  check_option_names("autopilot-ml", options,
                     {"cpu_overrun_weight", "memory_overrun_weight", "underrun_weight",
                      "change_weight", "switch_weight", "ensemble_half_life_h"});
  AutopilotMlOptions o;
  o.cpu_overrun_weight = option_or(options, "cpu_overrun_weight", o.cpu_overrun_weight);
  o.memory_overrun_weight = option_or(options, "memory_overrun_weight", o.memory_overrun_weight);
  o.underrun_weight = option_or(options, "underrun_weight", o.underrun_weight);
  o.change_weight = option_or(options, "change_weight", o.change_weight);
  o.switch_weight = option_or(options, "switch_weight", o.switch_weight);
  o.ensemble_half_life_s =
      option_or(options, "ensemble_half_life_h", o.ensemble_half_life_s / 3600) * 3600;
  if (o.ensemble_half_life_s <= 0 || o.underrun_weight < 0 || o.cpu_overrun_weight < 0 ||
      o.memory_overrun_weight < 0) {
    throw std::invalid_argument("autopilot-ml: weights must be >= 0 and the half-life > 0");
  }
  return o;
}

AutopilotEnsemble::AutopilotEnsemble(const AutopilotMlOptions& options,
                                     const ExponentialBuckets* buckets, double overrun_weight)
    : options_(options), buckets_(buckets), overrun_weight_(overrun_weight) {
  for (std::size_t b = 0; b < buckets->size(); ++b) middles_.push_back(middle(*buckets, b));

  // One model per (half-life, margin); remember which one is the default.
  for (double half_life : options.half_lives_s) {
    for (double margin : options.margins) {
      if (half_life == options.default_half_life_s && margin == options.default_margin) {
        default_model_ = models_.size();
      }
      models_.push_back(Model{margin, DecayingHistogram(buckets, half_life), {}, {}, 0.0});
    }
  }
}

void AutopilotEnsemble::reset() {
  for (auto& model : models_) {
    model.histogram.clear();
    model.bucket.reset();
    model.limit.reset();
    model.cost = 0.0;
  }
  chosen_.reset();
  output_.reset();
  last_time_s_.reset();
  mean_ = 0.0;
  charged_ = false;
}

void AutopilotEnsemble::observe(double time_s, double value) {
  // The ensemble's memory: an exponentially weighted average with its own half-life.
  const double keep =
      last_time_s_ ? std::exp2(-(time_s - *last_time_s_) / options_.ensemble_half_life_s) : 0.0;
  last_time_s_ = time_s;
  mean_ = keep * mean_ + (1.0 - keep) * value;

  // Charge each model what its current limit would have cost on this sample.
  const double scale = mean_ > 0 ? mean_ : 1.0;
  const std::size_t bucket = buckets_->find(value);
  for (auto& model : models_) {
    if (model.limit) {
      const double over = value > *model.limit ? 1.0 : 0.0;
      const double under = std::max(0.0, *model.limit - value) / scale;
      const double cost = overrun_weight_ * over + options_.underrun_weight * under;
      model.cost = charged_ ? keep * model.cost + (1.0 - keep) * cost : cost;
    }
    model.histogram.add_to_bucket(bucket, 1.0, time_s);
  }
  if (models_.front().limit) charged_ = true;
}

double AutopilotEnsemble::pick_limit(Model& model) const {
  const Histogram& h = model.histogram.raw();
  const double total = h.total_weight();
  const std::size_t count = buckets_->size();

  // Decayed mean usage, to express slack in units of typical usage.
  double weighted = 0.0;
  for (std::size_t b = 0; b < count; ++b) weighted += h.weight(b) * middles_[b];
  const double mean = weighted / total;
  const double scale = mean > 0 ? mean : 1.0;

  // One pass over the candidate limits (bucket ends) with running sums below each.
  double below_weight = 0.0;
  double below_weighted = 0.0;
  double best_cost = std::numeric_limits<double>::infinity();
  std::size_t best = count - 1;
  for (std::size_t k = 0; k < count; ++k) {
    below_weight += h.weight(k);
    below_weighted += h.weight(k) * middles_[k];
    const double limit = buckets_->end(k);
    const double overrun = (total - below_weight) / total;
    const double underrun = (limit * below_weight - below_weighted) / total / scale;
    const double change = model.bucket && *model.bucket != k ? 1.0 : 0.0;
    const double cost = overrun_weight_ * std::max(0.0, overrun) +
                        options_.underrun_weight * underrun + options_.change_weight * change;
    if (cost < best_cost) {
      best_cost = cost;
      best = k;
    }
    if (below_weight >= total) break;  // higher limits only add slack
  }
  model.bucket = best;
  return buckets_->end(best) * (1.0 + model.margin);
}

std::optional<double> AutopilotEnsemble::decide() {
  if (models_.empty() || models_.front().histogram.empty()) return output_;

  // Every model re-picks its limit.
  for (auto& model : models_) model.limit = pick_limit(model);

  // The ensemble: least charged cost plus the penalties for switching model and limit.
  double best_cost = std::numeric_limits<double>::infinity();
  std::size_t best = default_model_;
  for (std::size_t m = 0; m < models_.size(); ++m) {
    const double switched = chosen_ && *chosen_ != m ? 1.0 : 0.0;
    const double changed = output_ && *output_ != *models_[m].limit ? 1.0 : 0.0;
    const double cost = (charged_ ? models_[m].cost : 0.0) + options_.switch_weight * switched +
                        options_.change_weight * changed;
    // Ties go to the default model, then to the lower index.
    const bool better =
        cost < best_cost - 1e-12 || (std::abs(cost - best_cost) <= 1e-12 && m == default_model_);
    if (better) {
      best_cost = cost;
      best = m;
    }
  }
  chosen_ = best;
  output_ = models_[best].limit;
  return output_;
}

AutopilotMlPolicy::AutopilotMlPolicy(AutopilotMlOptions options)
    : options_(options),
      cpu_(options_, &vpa_cpu_buckets(), options_.cpu_overrun_weight),
      memory_(options_, &vpa_memory_buckets(), options_.memory_overrun_weight) {}

void AutopilotMlPolicy::on_reset() {
  cpu_.reset();
  memory_.reset();
}

void AutopilotMlPolicy::on_observe(const Sample& sample) {
  if (sample.cpu_millicores && *sample.cpu_millicores >= 0) {
    cpu_.observe(sample.time_s, *sample.cpu_millicores / 1000.0);
  }
  if (sample.memory_bytes && *sample.memory_bytes >= 0) {
    memory_.observe(sample.time_s, *sample.memory_bytes);
  }
}

Decision AutopilotMlPolicy::on_decide(const DecisionContext& ctx) {
  Decision decision;
  decision.resources = ctx.current;
  if (auto cores = cpu_.decide()) {
    decision.resources.requests.cpu_millicores = *cores * 1000.0;
    decision.resources.limits.cpu_millicores = *cores * 1000.0;
  }
  if (auto bytes = memory_.decide()) {
    decision.resources.requests.memory_bytes = *bytes;
    decision.resources.limits.memory_bytes = *bytes;
  }
  return decision;
}

}  // namespace podsizer::policies
