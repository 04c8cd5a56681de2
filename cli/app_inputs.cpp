#include "cli/app_inputs.h"

#include "policies/backtest.h"
#include "traces/log.h"
#include "traces/readers.h"
#include "traces/synthetic.h"

namespace podsizer::cli {

AppInputs load_app_inputs(const std::string& app_path, const std::string& history_path) {
  auto log = traces::named_logger("cli");
  AppInputs in;
  if (!history_path.empty()) {
    in.history = traces::read_history_csv(history_path);
    if (app_path.empty()) {
      in.app = policies::default_app_for_history(in.history);
      log->info("no --app: current resources taken from the first day of {}", history_path);
    }
  }
  if (!app_path.empty()) in.app = traces::load_app_spec(app_path);
  if (history_path.empty()) {
    if (app_path.empty()) in.app = traces::default_app_spec();
    in.history = traces::generate_synthetic(traces::synthetic_options_for(in.app));
    in.history.meta.source = "synthetic";
    log->info("no --history: a synthetic {:.0f}-day history of '{}'", in.history.span_s() / 86400.0,
              in.app.app_name);
  }
  return in;
}

}  // namespace podsizer::cli
