// The `podsizer train` and `podsizer export` subcommands, for cli/main.cpp to attach.
//
//   podsizer train [--config TRAIN.yaml] [--out DIR] [--resume] [--max-iterations N]
//                  [--no-export]
//   podsizer export (--checkpoint CKPT | --run DIR) [--out POLICY.pt]
//   podsizer validate (--config TRAIN.yaml | --traces FILES...) [--policies LIST] [--bar P]
//
// Each registers the learned-policy loader, so a binary with these commands also reads "*.pt"
// policies in backtest, simulate and recommend.
//
// All throw on failure (cli/main.cpp turns that into one error line and a non-zero exit).
#pragma once

#include <CLI/CLI.hpp>

namespace podsizer::train {

void add_train_command(CLI::App& app);
void add_export_command(CLI::App& app);
void add_validate_command(CLI::App& app);

}  // namespace podsizer::train
