// TraceStore: many traces in one HDF5 file.
//
// Layout: one group per trace under the root, named after the trace; inside it one 1-D float64
// dataset per present column (`time_s`, `cpu_millicores`, `memory_bytes`, `request_rate`,
// `replicas`), and the metadata as string and double attributes on the group (`name`, `source`,
// `interval_s`, `cpu_unit`, `memory_unit`, `rate_unit`). The root carries
// `podsizer_store_version` = 1. Regular columns (a fixed time step, constant replicas, long runs
// of one value) are chunked by 64 Ki values, shuffled and deflate-compressed; noisy measurements
// are stored contiguous and plain, because deflate saves them little and would make reading
// them several times slower than a memory copy. Any HDF5 reader opens the file; the filters are
// HDF5's built-in ones.
//
// Errors: a missing, non-HDF5, truncated or damaged file, or a missing trace, throws InputError
// naming the file and the trace (and column) with HDF5's own description; HDF5 prints nothing.
// Thread-safety: the functions may be called from several threads (Debian's HDF5 is built
// thread-safe and serialises its calls), but two writers of one store race: the last rename
// wins. Plain columns carry no checksum: bytes changed inside them read back as other
// numbers.
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
