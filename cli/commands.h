// The subcommands of the `podsizer` executable.
//
// Each add_*_command attaches one subcommand with its options to the root CLI11 app and sets a
// callback that runs it. A command reports failure by throwing; main() turns exceptions into a
// one-line error and a non-zero exit status.
#pragma once

#include <CLI/CLI.hpp>

namespace podsizer::cli {

void add_run_command(CLI::App& app);
void add_generate_command(CLI::App& app);
void add_import_command(CLI::App& app);
void add_inspect_command(CLI::App& app);
void add_simulate_command(CLI::App& app);
void add_backtest_command(CLI::App& app);
void add_evaluate_command(CLI::App& app);
void add_recommend_command(CLI::App& app);
void add_train_command(CLI::App& app);
void add_export_command(CLI::App& app);
void add_validate_command(CLI::App& app);
void add_features_command(CLI::App& app);

}  // namespace podsizer::cli
