#include "agent/export.h"

#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>

#include <torch/script.h>
#include <nlohmann/json.hpp>

#include "agent/ppo_impl.h"
#include "traces/atomic_file.h"
#include "traces/errors.h"
#include "traces/log.h"

namespace podsizer::agent {

namespace {

// A double as TorchScript source, with every digit it needs to round-trip.
std::string literal(double value) {
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%.17g", value);
  std::string text(buffer);
  if (text.find_first_of(".en") == std::string::npos) text += ".0";
  return text;
}

torch::Tensor column(const std::vector<double>& values) {
  return torch::tensor(values, torch::kDouble);
}

torch::Tensor indices(const std::vector<std::int64_t>& values) {
  return torch::tensor(values, torch::kLong);
}

torch::Tensor flags(const std::vector<std::int64_t>& values) {
  return torch::tensor(values, torch::kLong).to(torch::kBool);
}

// Registers the actor's weights as parameters "actor_w<i>" / "actor_b<i>" and returns the
// TorchScript lines that run the hidden layers and the head on `h`.
std::string register_actor(torch::jit::Module& module, const ActorCriticImpl& model) {
  std::string source;
  const auto& layers = model.actor_layers();
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const std::string weight = "actor_w" + std::to_string(i);
    const std::string bias = "actor_b" + std::to_string(i);
    module.register_parameter(weight, layers[i]->weight.detach().clone(), false);
    module.register_parameter(bias, layers[i]->bias.detach().clone(), false);
    const std::string affine = "torch.addmm(self." + bias + ", h, self." + weight + ".t())";
    source +=
        "        h = " + (i + 1 < layers.size() ? "torch.tanh(" + affine + ")" : affine) + "\n";
  }
  return source;
}

// Registers the mapping as per-output columns (see agent/action_mapping.h for the rules).
void register_mapping(torch::jit::Module& module, const ActionMapping& mapping) {
  std::vector<std::int64_t> action_index, centre_index, has_centre, take_log, log_space;
  std::vector<std::int64_t> at_least_index, has_at_least;
  std::vector<std::int64_t> extra_index, has_extra, raise_when_index, raise_from_index, has_raise;
  std::vector<double> floor, offset, scale, min_value, max_value, raise_factor;
  std::vector<std::int64_t> has_hold, has_centre_floor;
  std::vector<double> hold_factor, centre_floor;
  for (std::size_t k = 0; k < mapping.outputs.size(); ++k) {
    const OutputMapping& output = mapping.outputs[k];
    action_index.push_back(static_cast<std::int64_t>(output.action_index));
    has_centre.push_back(output.centre_feature >= 0);
    centre_index.push_back(std::max<std::int64_t>(output.centre_feature, 0));
    take_log.push_back(output.log_space && !output.feature_is_log);
    log_space.push_back(output.log_space);
    has_at_least.push_back(output.at_least_output >= 0);
    at_least_index.push_back(output.at_least_output >= 0 ? output.at_least_output
                                                         : static_cast<std::int64_t>(k));
    has_extra.push_back(output.extra_centre_feature >= 0);
    extra_index.push_back(std::max<std::int64_t>(output.extra_centre_feature, 0));
    has_raise.push_back(output.raise_when_feature >= 0);
    raise_when_index.push_back(std::max<std::int64_t>(output.raise_when_feature, 0));
    raise_from_index.push_back(std::max<std::int64_t>(output.raise_from_feature, 0));
    raise_factor.push_back(output.raise_factor);
    has_hold.push_back(output.hold_factor > 0.0);
    hold_factor.push_back(output.hold_factor);
    has_centre_floor.push_back(output.centre_floor > 0.0);
    centre_floor.push_back(output.centre_floor);
    floor.push_back(output.feature_floor);
    offset.push_back(output.offset);
    scale.push_back(output.scale);
    min_value.push_back(output.min_value);
    max_value.push_back(output.max_value);
  }
  module.register_buffer("map_action_index", indices(action_index));
  module.register_buffer("map_centre_index", indices(centre_index));
  module.register_buffer("map_has_centre", flags(has_centre));
  module.register_buffer("map_take_log", flags(take_log));
  module.register_buffer("map_log_space", flags(log_space));
  module.register_buffer("map_at_least_index", indices(at_least_index));
  module.register_buffer("map_has_at_least", flags(has_at_least));
  module.register_buffer("map_extra_index", indices(extra_index));
  module.register_buffer("map_has_extra", flags(has_extra));
  module.register_buffer("map_raise_when_index", indices(raise_when_index));
  module.register_buffer("map_raise_from_index", indices(raise_from_index));
  module.register_buffer("map_has_raise", flags(has_raise));
  module.register_buffer("map_raise_factor", column(raise_factor));
  module.register_buffer("map_has_hold", flags(has_hold));
  module.register_buffer("map_hold_factor", column(hold_factor));
  module.register_buffer("map_has_centre_floor", flags(has_centre_floor));
  module.register_buffer("map_centre_floor", column(centre_floor));
  module.register_buffer("map_floor", column(floor));
  module.register_buffer("map_offset", column(offset));
  module.register_buffer("map_scale", column(scale));
  module.register_buffer("map_min", column(min_value));
  module.register_buffer("map_max", column(max_value));
}

nlohmann::json mapping_json(const ActionMapping& mapping) {
  // Infinite bounds become null: JSON has no infinity.
  auto bound = [](double value) {
    return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
  };
  nlohmann::json outputs = nlohmann::json::array();
  for (const OutputMapping& output : mapping.outputs) {
    outputs.push_back({{"name", output.name},
                       {"action_index", output.action_index},
                       {"centre_feature", output.centre_feature},
                       {"feature_is_log", output.feature_is_log},
                       {"feature_floor", output.feature_floor},
                       {"offset", output.offset},
                       {"scale", output.scale},
                       {"log_space", output.log_space},
                       {"min_value", bound(output.min_value)},
                       {"max_value", bound(output.max_value)},
                       {"at_least_output", output.at_least_output},
                       {"extra_centre_feature", output.extra_centre_feature},
                       {"raise_when_feature", output.raise_when_feature},
                       {"raise_from_feature", output.raise_from_feature},
                       {"raise_factor", output.raise_factor},
                       {"hold_factor", output.hold_factor},
                       {"centre_floor", output.centre_floor}});
  }
  return outputs;
}

}  // namespace

void export_policy(const PpoLearner& learner, const std::string& path,
                   const ExportOptions& options) {
  const PpoLearner::Impl& impl = learner.impl();
  options.mapping.validate(impl.observation_size, impl.action_size);
  std::vector<std::string> feature_names = options.feature_names;
  if (feature_names.empty()) {
    for (std::size_t i = 0; i < impl.observation_size; ++i) {
      feature_names.push_back("feature_" + std::to_string(i));
    }
  }
  if (feature_names.size() != impl.observation_size) {
    throw std::invalid_argument("export_policy: " + std::to_string(feature_names.size()) +
                                " feature names for " + std::to_string(impl.observation_size) +
                                " features");
  }
  std::vector<std::string> output_names;
  for (const OutputMapping& output : options.mapping.outputs) output_names.push_back(output.name);

  // Normalisation statistics: mean and divisor sqrt(var + ε), or the identity when training
  // did not normalise.
  torch::jit::Module module("PodsizerPolicy");
  std::vector<double> mean(impl.observation_size, 0.0);
  std::vector<double> divisor(impl.observation_size, 1.0);
  double clip = std::numeric_limits<double>::max();
  if (impl.config.normalize_observations) {
    mean = impl.observation_normalizer.stats().mean();
    divisor = impl.observation_normalizer.scale();
    clip = impl.config.observation_clip;
  }
  module.register_buffer("obs_mean", column(mean));
  module.register_buffer("obs_scale", column(divisor));
  const std::string actor_source = register_actor(module, *impl.model);
  register_mapping(module, options.mapping);
  module.register_attribute("feature_names", c10::ListType::ofStrings(),
                            c10::List<std::string>(feature_names));
  module.register_attribute("output_names", c10::ListType::ofStrings(),
                            c10::List<std::string>(output_names));
  module.register_attribute("format_version", c10::IntType::get(),
                            static_cast<std::int64_t>(kExportFormatVersion));

  // The methods. Normalisation runs in float64 exactly as ObservationNormalizer does, the
  // network in float32 as in training, the mapping in float64 as ActionMapping::apply does.
  const std::string clip_text = literal(clip);
  const std::string source =
      "def normalize(self, features: Tensor) -> Tensor:\n"
      "        x = features.double()\n"
      "        z = torch.clamp((x - self.obs_mean) / self.obs_scale, -" +
      clip_text + ", " + clip_text +
      ")\n"
      "        return z.float()\n"
      "\n"
      "def action(self, features: Tensor) -> Tensor:\n"
      "        h = self.normalize(features)\n" +
      actor_source +
      "        return torch.clamp(h, -1.0, 1.0)\n"
      "\n"
      "def forward(self, features: Tensor) -> Tensor:\n"
      "        single = features.dim() == 1\n"
      "        x = features\n"
      "        if single:\n"
      "            x = x.unsqueeze(0)\n"
      "        x = x.double()\n"
      "        a = self.action(x).double().index_select(1, self.map_action_index)\n"
      "        raw = x.index_select(1, self.map_centre_index)\n"
      "        logged = torch.where(self.map_take_log, "
      "torch.log(torch.maximum(raw, self.map_floor)), raw)\n"
      "        centre = torch.where(self.map_has_centre, logged, torch.zeros_like(logged))\n"
      "        extra = x.index_select(1, self.map_extra_index)\n"
      "        base = torch.where(self.map_has_extra, centre + extra, centre)\n"
      "        y = (self.map_offset + base) + self.map_scale * a\n"
      "        value = torch.where(self.map_log_space, torch.exp(y), y)\n"
      "        when = x.index_select(1, self.map_raise_when_index) > 0.0\n"
      "        in_force = torch.exp(centre + x.index_select(1, self.map_raise_from_index))\n"
      "        raised = torch.maximum(value, self.map_raise_factor * in_force)\n"
      "        value = torch.where(self.map_has_raise & when, raised, value)\n"
      "        held = torch.maximum(value, self.map_hold_factor * in_force)\n"
      "        value = torch.where(self.map_has_hold, held, value)\n"
      "        floored = torch.maximum(value, self.map_centre_floor * torch.exp(centre))\n"
      "        value = torch.where(self.map_has_centre_floor, floored, value)\n"
      "        value = torch.minimum(torch.maximum(value, self.map_min), self.map_max)\n"
      "        lower = value.index_select(1, self.map_at_least_index)\n"
      "        value = torch.where(self.map_has_at_least, torch.maximum(value, lower), value)\n"
      "        if single:\n"
      "            value = value.squeeze(0)\n"
      "        return value\n";
  module.define(source);

  // The description a reader needs without running anything.
  nlohmann::json metadata = {
      {"format_version", kExportFormatVersion},
      {"podsizer_version", PODSIZER_VERSION},
      {"observation_size", impl.observation_size},
      {"action_size", impl.action_size},
      {"feature_names", feature_names},
      {"output_names", output_names},
      {"outputs", mapping_json(options.mapping)},
      {"observation_clip", impl.config.normalize_observations
                               ? nlohmann::json(impl.config.observation_clip)
                               : nlohmann::json(nullptr)},
      {"hidden_sizes", impl.config.hidden_sizes},
      {"activation", "tanh"},
      {"action_bounds", {-1.0, 1.0}},
      {"training", {{"iterations", impl.iteration}, {"env_steps", impl.env_steps}}},
      {"methods", {"forward", "action", "normalize"}},
      {"metadata", options.metadata}};
  torch::jit::ExtraFilesMap extra_files{{kExportMetadataFile, metadata.dump(2)}};

  // Save beside the target, then rename over it.
  const std::string temporary = traces::temporary_path_beside(path);
  try {
    module.save(temporary, extra_files);
  } catch (const c10::Error& error) {
    std::remove(temporary.c_str());
    throw traces::InputError(
        path, 0, "", std::string("cannot write the policy: ") + error.what_without_backtrace());
  }
  traces::commit_temporary(temporary, path);
  traces::named_logger("agent")->info("policy exported to {} ({} features, {} outputs)", path,
                                      impl.observation_size, output_names.size());
}

}  // namespace podsizer::agent
