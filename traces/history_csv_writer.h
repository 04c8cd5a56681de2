// Writing a Trace as the history CSV of the design, the format read_history_csv reads back.
//
//   timestamp,cpu_usage_milli_cores,memory_usage_megabytes,request_per_sec[,replicas]
//
// Timestamps are written as Unix seconds (the trace's own clock), memory in MiB (2^20 bytes),
// CPU in millicores, the request rate in requests per second. An absent column, or a NaN value,
// becomes an empty field, so a trace without a request rate writes `request_per_sec` empty in
// every row. Values are written in fixed notation rounded to a thousandth (a millionth for
// memory, about one byte) with trailing zeros dropped.
//
// A trace whose replicas column is present and not all 1 gets a fifth `replicas` column; its
// usage is then written summed over the pods (per-pod value times replicas), which is what the
// format means by that column, so reading it back gives the per-pod values again.
//
// The file is written atomically (traces/atomic_file.h). Plain functions; thread-safe.
#pragma once

#include <string>

#include "traces/trace.h"

namespace podsizer::traces {

// The CSV text of `trace`. REQUIRES: trace.validate() passes.
std::string format_history_csv(const Trace& trace);

// Writes format_history_csv(trace) to `path` atomically; throws InputError on I/O failure.
void write_history_csv(const std::string& path, const Trace& trace);

}  // namespace podsizer::traces
