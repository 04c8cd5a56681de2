// `podsizer validate`: policies compared over many histories; it lives in train/ beside the
// validation it shares with training.
#include "cli/commands.h"
#include "train/commands.h"

namespace podsizer::cli {

void add_validate_command(CLI::App& app) { podsizer::train::add_validate_command(app); }

}  // namespace podsizer::cli
