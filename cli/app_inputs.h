// The application and history a command works on, as `recommend` and `features` take them.
//
// With --history the history is read from its CSV; without --app its current resources come from
// the history's first day (policies::default_app_for_history). With --app the spec is read from
// its file. Without --history the app's synthetic load stands in (the built-in example app when
// --app is absent too). Each default taken is logged on the "cli" logger.
#pragma once

#include <string>

#include "traces/app_spec.h"
#include "traces/trace.h"

namespace podsizer::cli {

struct AppInputs {
  traces::AppSpec app;
  traces::Trace history;
};

// Throws traces::InputError for unreadable or invalid files.
AppInputs load_app_inputs(const std::string& app_path, const std::string& history_path);

}  // namespace podsizer::cli
