// Named spdlog loggers, one per folder of the project ("traces", "sim", "env", ...).
//
// All loggers write to stderr so that stdout stays free for a command's results (JSON, YAML,
// tables). The level set by `set_log_level` applies to every logger, including ones created
// later. Safe to call from several threads.
#pragma once

#include <memory>
#include <string>

#include <spdlog/spdlog.h>

namespace podsizer::traces {

// Returns the logger called `name`, creating it on first use.
std::shared_ptr<spdlog::logger> named_logger(const std::string& name);

// Sets the level of every logger from a name: trace, debug, info, warn, error, critical, off.
// Throws std::invalid_argument for any other name.
void set_log_level(const std::string& level);

// The logger of traces/.
inline std::shared_ptr<spdlog::logger> logger() { return named_logger("traces"); }

}  // namespace podsizer::traces
