// TraceStore: many traces in one HDF5 file.
//
// Layout: one group per trace under the root, named after the trace; inside it one 1-D float64
// dataset per present column (`time_s`, `cpu_millicores`, `memory_bytes`, `request_rate`,
// `replicas`), chunked and deflate-compressed, and the metadata as string and double attributes
// on the group (`name`, `source`, `interval_s`, `cpu_unit`, `memory_unit`, `rate_unit`).
// Writing goes to a temporary file beside the target that is renamed over it at the end, so a
// failure never leaves a half-written store or loses the traces that were already there.
#pragma once

#include <string>
#include <vector>

#include "traces/trace.h"

namespace podsizer::traces {

// Adds `traces` to the store at `path` (created if absent); a trace whose name is already
// stored is replaced.
void write_traces(const std::string& path, const std::vector<Trace>& traces);

// Names of the stored traces, sorted.
std::vector<std::string> list_traces(const std::string& path);

// One stored trace; throws InputError when the file or the trace is missing or malformed.
Trace read_trace(const std::string& path, const std::string& name);

}  // namespace podsizer::traces
