#include "policies/learned/torchscript_policy.h"

#include <filesystem>
#include <memory>
#include <mutex>

#include <torch/script.h>

#include "policies/learned/learned_policy.h"
#include "policies/learned/policy_card.h"
#include "traces/errors.h"

namespace podsizer::policies::learned {

namespace {

std::vector<std::string> string_list(const torch::jit::Module& module, const char* name,
                                     const std::string& path) {
  if (!module.hasattr(name)) {
    throw traces::InputError(path, 0, name, "not a podsizer policy: the module has no " +
                                                std::string(name) + " attribute");
  }
  std::vector<std::string> out;
  for (const auto& v : module.attr(name).toListRef()) out.push_back(v.toStringRef());
  return out;
}

// One instance's function: its own module clone, features in, outputs in float64 out.
FeaturePolicyFunction module_function(std::shared_ptr<torch::jit::Module> module) {
  return [module](std::span<const float> features, std::span<double> outputs) {
    c10::InferenceMode guard;
    const torch::Tensor input =
        torch::from_blob(const_cast<float*>(features.data()),
                         {static_cast<std::int64_t>(features.size())}, torch::kFloat32);
    const torch::Tensor result =
        module->forward({input}).toTensor().to(torch::kFloat64).contiguous();
    const double* values = result.data_ptr<double>();
    for (std::size_t k = 0; k < outputs.size(); ++k) outputs[k] = values[k];
  };
}

}  // namespace

LoadedPolicy load_torchscript_policy(const std::string& path) {
  // The card first: it is cheap and explains a mismatch better than the module could.
  const std::string card_path = card_path_for(path);
  const PolicyCardFile card = read_card(card_path);
  check_card(card, card_path, path);

  // The module, checked against its card.
  auto module = std::make_shared<torch::jit::Module>();
  try {
    *module = torch::jit::load(path, torch::kCPU);
  } catch (const c10::Error& e) {
    throw traces::InputError(path, 0, "", std::string("not a TorchScript file: ") +
                                              e.what_without_backtrace());
  }
  module->eval();
  if (string_list(*module, "feature_names", path) != card.features) {
    throw traces::InputError(path, 0, "feature_names",
                             "the module's features differ from its card");
  }
  const std::vector<std::string> outputs = string_list(*module, "output_names", path);
  if (outputs != card.outputs || (outputs.size() != 4 && outputs.size() != 5)) {
    throw traces::InputError(path, 0, "output_names",
                             "the module's outputs differ from its card or are not the four "
                             "requests and limits (and an HPA target)");
  }

  LearnedPolicyOptions options;
  options.output_count = outputs.size();
  options.change_tolerance = card.change_tolerance;
  options.features.bin_s = card.feature_bin_s;
  const std::string name = std::filesystem::path(path).filename().string();
  auto mutex = std::make_shared<std::mutex>();

  LoadedPolicy loaded;
  loaded.make = [module, mutex, options, name]() -> std::unique_ptr<Policy> {
    std::shared_ptr<torch::jit::Module> own;
    {
      std::lock_guard lock(*mutex);
      own = std::make_shared<torch::jit::Module>(module->clone());
    }
    return std::make_unique<LearnedPolicy>(name, module_function(own), options);
  };
  loaded.card.name = name;
  loaded.card.version = card.podsizer_version;
  loaded.card.kind = "learned";
  loaded.card.source = path;
  loaded.card.parameters["objective"] = card.objective;
  loaded.card.parameters["sha256"] = card.sha256;
  loaded.card.parameters["training_data"] = card.training_data;
  loaded.card.parameters["env_steps"] = std::to_string(static_cast<long long>(card.env_steps));
  return loaded;
}

bool register_learned_policy() {
  static const bool registered = register_policy_loader(load_torchscript_policy);
  return registered;
}

namespace {
const bool kRegistered = register_learned_policy();
}  // namespace

}  // namespace podsizer::policies::learned
