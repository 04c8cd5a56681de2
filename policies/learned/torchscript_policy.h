// Loading an exported policy: a TorchScript file (agent/export.h) and its policy card
// (policy_card.h) become a LearnedPolicy whose function runs the module's forward() on the
// shared feature vector.
//
// Loading checks the card against the running podsizer (version, feature names and grid) and
// the file (sha256), then checks the module's own `feature_names` and `output_names` attributes
// against the card, and refuses any mismatch with a traces::InputError naming the file and field.
//
// register_learned_policy() installs load_torchscript_policy() as the policies/ loader for
// "*.pt" files (policies/recommend.h), through which make_policy("x.pt"), `podsizer backtest
// --policy x.pt`, `simulate` and `recommend` reach it. It runs at static initialisation when
// this library's object is linked, and may be called again (idempotent) by code that wants to
// be sure it is linked. Thread-safe: `make` may be called from several threads; each instance
// owns a clone of the module.
#pragma once

#include <string>

#include "policies/recommend.h"

namespace podsizer::policies::learned {

LoadedPolicy load_torchscript_policy(const std::string& path);

bool register_learned_policy();

}  // namespace podsizer::policies::learned
