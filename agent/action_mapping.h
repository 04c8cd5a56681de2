// How an action in [-1, 1]^A becomes resources: the mapping an exported policy carries inside.
//
// The environment decides what an action means (for example "CPU request = recent p95 usage ×
// e^(1.5 a)"); it describes that here, and the same description serves two places that must
// agree: the exported TorchScript module computes it in float64 after the network, and apply()
// is the plain C++ reference the environment or a test can call. Each output k is
//
//   a      = clamp(action[action_index], -1, 1)
//   base   = g(features[centre_feature])      or 0 when centre_feature < 0
//            g(v) = log(max(v, feature_floor)) when log_space and the feature is not yet a log,
//            g(v) = v                           otherwise
//   base  += features[extra_centre_feature]   when extra_centre_feature >= 0 (a log ratio to
//                                              the centre, e.g. a 7-day peak over the reference)
//   y      = offset + base + scale · a         (in log space when log_space)
//   value  = exp(y) if log_space else y
//   value  = max(value, raise_factor · exp(g(features[centre_feature])
//                                          + features[raise_from_feature]))
//            when raise_when_feature >= 0 and features[raise_when_feature] > 0
//            (a step up from the value in force, e.g. after an OOM kill)
//   value  = max(value, hold_factor · exp(g(features[centre_feature])
//                                         + features[raise_from_feature]))
//            when hold_factor > 0 (a slow way down from the value in force)
//   value  = max(value, centre_floor · exp(g(features[centre_feature])))
//            when centre_floor > 0 (never below a multiple of the centre)
//   value  = clamp(value, min_value, max_value)
//   value  = max(value, output[at_least_output])   when at_least_output >= 0
//
// The extra centre, the raise, the hold and the floor need a log-space output over a centre
// feature; the hold reads the value in force from raise_from_feature.
// The last rule keeps orderings such as "limit ≥ request". It is applied in one pass after every
// clamp, so an output that another one refers to may not itself refer to a third (validate()
// enforces this). Value types; thread-safe to share once built.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

namespace podsizer::agent {

struct OutputMapping {
  std::string name;  // with its unit, e.g. "cpu_request_millicores"
  std::size_t action_index = 0;
  std::int64_t centre_feature = -1;  // raw feature holding the centre; -1 for none
  bool feature_is_log = false;       // the feature already holds a natural log
  double feature_floor = 1e-9;       // floor before taking the log of the feature
  double offset = 0.0;               // added to the centre, in the mapping's space
  double scale = 1.0;                // change per unit of action, in the mapping's space
  bool log_space = true;
  double min_value = -std::numeric_limits<double>::infinity();
  double max_value = std::numeric_limits<double>::infinity();
  std::int64_t at_least_output = -1;  // another output this one may not fall below; -1 none
  std::int64_t extra_centre_feature = -1;  // a log-ratio feature added to the centre; -1 none
  std::int64_t raise_when_feature = -1;    // the raise applies when this feature is > 0
  std::int64_t raise_from_feature = -1;    // log ratio of the value in force to the centre
  double raise_factor = 1.0;               // the raise: at least this × the value in force
  double hold_factor = 0.0;   // always at least this × the value in force; 0: no hold
  double centre_floor = 0.0;  // always at least this × the centre; 0: no floor
};

struct ActionMapping {
  std::vector<OutputMapping> outputs;

  // Throws std::invalid_argument naming the output and field that cannot work with
  // `feature_count` raw features and `action_count` action dimensions.
  void validate(std::size_t feature_count, std::size_t action_count) const;

  // Computes every output for one row. REQUIRES: validate() passed for these sizes;
  // out.size() == outputs.size().
  void apply(std::span<const float> features, std::span<const float> action,
             std::span<double> out) const;

  // Output k = action k, linear, clamped to [-1, 1]: the raw policy, for toy environments.
  static ActionMapping identity(std::size_t action_count);
};

}  // namespace podsizer::agent
