// `podsizer export`: a trained policy as TorchScript with its policy card (train/commands.h).
#include "cli/commands.h"
#include "train/commands.h"

namespace podsizer::cli {

void add_export_command(CLI::App& app) { podsizer::train::add_export_command(app); }

}  // namespace podsizer::cli
