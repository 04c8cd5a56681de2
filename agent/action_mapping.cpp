#include "agent/action_mapping.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <stdexcept>

namespace podsizer::agent {

namespace {

void fail(std::size_t k, const OutputMapping& output, const std::string& field,
          const std::string& problem) {
  throw std::invalid_argument("ActionMapping output " + std::to_string(k) + " (" + output.name +
                              ") " + field + ": " + problem);
}

// Whether output k takes the log of its centre feature before use.
bool logs_feature(const OutputMapping& output) {
  return output.log_space && !output.feature_is_log && output.centre_feature >= 0;
}

}  // namespace

void ActionMapping::validate(std::size_t feature_count, std::size_t action_count) const {
  if (outputs.empty()) throw std::invalid_argument("ActionMapping: no outputs");
  for (std::size_t k = 0; k < outputs.size(); ++k) {
    const OutputMapping& output = outputs[k];

    // Indices must point inside the feature vector, the action and the output list.
    if (output.action_index >= action_count) {
      fail(k, output, "action_index", "beyond the " + std::to_string(action_count) + " actions");
    }
    if (output.centre_feature >= static_cast<std::int64_t>(feature_count)) {
      fail(k, output, "centre_feature",
           "beyond the " + std::to_string(feature_count) + " features");
    }
    const std::int64_t other = output.at_least_output;
    if (other >= static_cast<std::int64_t>(outputs.size()) ||
        other == static_cast<std::int64_t>(k)) {
      fail(k, output, "at_least_output", "must name another output");
    }

    // Single-pass ordering: the output referred to must not be raised by a third one.
    if (other >= 0 && outputs[static_cast<std::size_t>(other)].at_least_output >= 0) {
      fail(k, output, "at_least_output", "refers to an output that has a lower bound itself");
    }

    // The extra centre and the raise read features and work in log space over a centre.
    for (auto [index, field] : {std::pair{output.extra_centre_feature, "extra_centre_feature"},
                                std::pair{output.raise_when_feature, "raise_when_feature"},
                                std::pair{output.raise_from_feature, "raise_from_feature"}}) {
      if (index >= static_cast<std::int64_t>(feature_count)) {
        fail(k, output, field, "is beyond the " + std::to_string(feature_count) + " features");
      }
      if (index >= 0 && !(output.log_space && output.centre_feature >= 0)) {
        fail(k, output, field, "needs a log-space output with a centre feature");
      }
    }
    if (output.raise_when_feature >= 0 && output.raise_from_feature < 0) {
      fail(k, output, "raise_from_feature", "comes with raise_when_feature");
    }
    if (output.raise_from_feature >= 0 && output.raise_when_feature < 0 &&
        !(output.hold_factor > 0.0)) {
      fail(k, output, "raise_from_feature", "is read only by a raise or a hold");
    }
    if (!(output.hold_factor >= 0.0) || !std::isfinite(output.hold_factor)) {
      fail(k, output, "hold_factor", "must be finite and >= 0");
    }
    if (output.hold_factor > 0.0 && output.raise_from_feature < 0) {
      fail(k, output, "hold_factor", "needs raise_from_feature, the value in force");
    }
    if (!(output.centre_floor >= 0.0) || !std::isfinite(output.centre_floor)) {
      fail(k, output, "centre_floor", "must be finite and >= 0");
    }
    if (output.centre_floor > 0.0 && !(output.log_space && output.centre_feature >= 0)) {
      fail(k, output, "centre_floor", "needs a log-space output with a centre feature");
    }
    if (!(output.raise_factor > 0.0) || !std::isfinite(output.raise_factor)) {
      fail(k, output, "raise_factor", "must be positive");
    }

    // Numbers must be usable: finite coefficients, an ordered range, a positive log floor.
    if (!std::isfinite(output.offset) || !std::isfinite(output.scale)) {
      fail(k, output, "offset/scale", "must be finite");
    }
    if (!(output.min_value <= output.max_value)) {
      fail(k, output, "min_value", "exceeds max_value");
    }
    if (logs_feature(output) && !(output.feature_floor > 0.0)) {
      fail(k, output, "feature_floor", "must be positive to take a log");
    }
  }
}

void ActionMapping::apply(std::span<const float> features, std::span<const float> action,
                          std::span<double> out) const {
  assert(out.size() == outputs.size() && "ActionMapping::apply: one slot per output");

  // Each output on its own first: centre, action step, space, clamps.
  for (std::size_t k = 0; k < outputs.size(); ++k) {
    const OutputMapping& output = outputs[k];
    const double a = std::clamp(static_cast<double>(action[output.action_index]), -1.0, 1.0);
    double base = 0.0;
    if (output.centre_feature >= 0) {
      base = features[static_cast<std::size_t>(output.centre_feature)];
      if (logs_feature(output)) base = std::log(std::max(base, output.feature_floor));
    }
    const double centre = base;
    if (output.extra_centre_feature >= 0) {
      base += features[static_cast<std::size_t>(output.extra_centre_feature)];
    }
    const double y = output.offset + base + output.scale * a;
    double value = output.log_space ? std::exp(y) : y;
    if (output.raise_from_feature >= 0) {  // validate(): a raise or a hold reads it
      const double in_force =
          std::exp(centre + features[static_cast<std::size_t>(output.raise_from_feature)]);
      if (output.raise_when_feature >= 0 &&
          features[static_cast<std::size_t>(output.raise_when_feature)] > 0.0f) {
        value = std::max(value, output.raise_factor * in_force);
      }
      if (output.hold_factor > 0.0) value = std::max(value, output.hold_factor * in_force);
    }
    if (output.centre_floor > 0.0) value = std::max(value, output.centre_floor * std::exp(centre));
    out[k] = std::clamp(value, output.min_value, output.max_value);
  }

  // Then the orderings, reading outputs that no ordering changes (validate() guarantees it).
  for (std::size_t k = 0; k < outputs.size(); ++k) {
    const std::int64_t other = outputs[k].at_least_output;
    if (other >= 0) out[k] = std::max(out[k], out[static_cast<std::size_t>(other)]);
  }
}

ActionMapping ActionMapping::identity(std::size_t action_count) {
  ActionMapping mapping;
  for (std::size_t j = 0; j < action_count; ++j) {
    OutputMapping output;
    output.name = "action_" + std::to_string(j);
    output.action_index = j;
    output.log_space = false;
    output.min_value = -1.0;
    output.max_value = 1.0;
    mapping.outputs.push_back(output);
  }
  return mapping;
}

}  // namespace podsizer::agent
