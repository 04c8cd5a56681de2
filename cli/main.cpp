// podsizer: decides CPU and memory requests and limits for applications on Kubernetes.
#include <cstdio>
#include <exception>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "traces/log.h"

int main(int argc, char** argv) {
  CLI::App app{"podsizer: CPU and memory requests and limits for Kubernetes workloads, learned in "
               "a simulated cluster and compared with VPA, KRR and Autopilot"};
  app.set_version_flag("--version", std::string("podsizer ") + PODSIZER_VERSION);
  app.require_subcommand(1);
  app.fallthrough();

  std::string log_level = "info";
  app.add_option("--log-level", log_level,
                 "Log level: trace, debug, info, warn, error, critical, off")
      ->capture_default_str();
  app.parse_complete_callback([&] { podsizer::traces::set_log_level(log_level); });

  podsizer::cli::add_run_command(app);
  podsizer::cli::add_generate_command(app);
  podsizer::cli::add_import_command(app);
  podsizer::cli::add_inspect_command(app);
  podsizer::cli::add_simulate_command(app);
  podsizer::cli::add_backtest_command(app);
  podsizer::cli::add_evaluate_command(app);
  podsizer::cli::add_recommend_command(app);
  podsizer::cli::add_train_command(app);
  podsizer::cli::add_export_command(app);
  podsizer::cli::add_validate_command(app);
  podsizer::cli::add_features_command(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "podsizer: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
