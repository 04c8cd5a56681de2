// `podsizer train`: the training run of train/commands.h, attached to the executable.
#include "cli/commands.h"
#include "train/commands.h"

namespace podsizer::cli {

void add_train_command(CLI::App& app) { podsizer::train::add_train_command(app); }

}  // namespace podsizer::cli
