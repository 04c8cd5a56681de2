// The Google 2019 Borg trace reader: the rules are listed beside read_google2019 in
// traces/readers.h.

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "traces/errors.h"
#include "traces/log.h"
#include "traces/readers.h"
#include "traces/row_repair.h"
#include "traces/text_scan.h"

namespace podsizer::traces {
namespace {

enum Slot : std::size_t { kTime, kCpu, kMemory };

// The trace's measurement window: usage rows cover 300 s windows aligned to multiples of 300 s
// of trace time, cut short where a task starts, stops or moves (Google's cluster-data
// documentation of the 2019 trace, instance_usage table).
constexpr double kWindowS = 300.0;
constexpr double kMicrosecondsPerSecond = 1e6;

// Folds rows that share a window into one sample per window, stamped with the window's start
// and holding the mean of the rows weighted by how long each lasted. A row lasts until the next
// row starts or its window ends, whichever is first. Returns how many rows were folded into
// another. REQUIRES: time_s strictly increasing.
std::size_t merge_windows(Trace& trace) {
  const std::size_t rows = trace.size();
  std::size_t kept = 0;
  std::size_t folded = 0;
  for (std::size_t begin = 0; begin < rows;) {
    const double window_start = std::floor(trace.time_s[begin] / kWindowS) * kWindowS;
    const double window_end = window_start + kWindowS;

    // Sum duration-weighted usage over the rows inside this window.
    double weight = 0.0, cpu = 0.0, memory = 0.0;
    std::size_t end = begin;
    for (; end < rows && trace.time_s[end] < window_end; ++end) {
      const double next = end + 1 < rows ? std::min(trace.time_s[end + 1], window_end) : window_end;
      const double duration = next - trace.time_s[end];
      weight += duration;
      cpu += duration * trace.cpu_millicores[end];
      memory += duration * trace.memory_bytes[end];
    }
    trace.time_s[kept] = window_start;
    trace.cpu_millicores[kept] = cpu / weight;
    trace.memory_bytes[kept] = memory / weight;
    folded += end - begin - 1;
    ++kept;
    begin = end;
  }
  trace.time_s.resize(kept);
  trace.cpu_millicores.resize(kept);
  trace.memory_bytes.resize(kept);
  return folded;
}

}  // namespace

Trace read_google2019(const std::string& path, const Google2019Scale& scale, ReadReport* report) {
  if (!(scale.cpu_cores_per_unit > 0.0) || !(scale.memory_bytes_per_unit > 0.0)) {
    throw InputError(path, 0, "", "the Google 2019 scale factors must be positive");
  }
  const text::FileBytes bytes(path);
  text::Table table(bytes.view(), ',', path, {"time", "avg_cpu_usage", "avg_memory_usage"});

  // Usage is a fraction of the cell's largest machine; the scale turns it into cores and bytes.
  Trace trace;
  const std::size_t estimate = table.bytes_left() / 400 + 1;  // rows run about 500 bytes
  trace.time_s.reserve(estimate);
  trace.cpu_millicores.reserve(estimate);
  trace.memory_bytes.reserve(estimate);
  while (table.next()) {
    const double time_us = table.non_negative(kTime);
    trace.time_s.push_back(time_us / kMicrosecondsPerSecond);
    trace.cpu_millicores.push_back(table.non_negative(kCpu) * scale.cpu_cores_per_unit * 1000.0);
    trace.memory_bytes.push_back(table.non_negative(kMemory) * scale.memory_bytes_per_unit);
  }
  if (trace.empty()) {
    throw InputError(path, table.line_number() + 1, "", "the file has a header but no data rows");
  }
  if (report != nullptr) report->rows += trace.size();
  if (table.last_line_unterminated()) note_missing_line_end(path, report);

  // Order and de-duplicate first, so the windows see each moment once.
  note_repairs(path, sort_and_merge(trace.time_s, {&trace.cpu_millicores, &trace.memory_bytes}),
               report);
  const std::size_t folded = merge_windows(trace);
  if (folded > 0) {
    if (report != nullptr) report->windows_merged += folded;
    logger()->info("{}: folded {} partial measurement windows into their 300 s window", path,
                   folded);
  }

  trace.meta.name = std::filesystem::path(path).stem().string();
  trace.meta.source = "google2019:" + path;
  trace.meta.interval_s = median_interval(trace.time_s);
  trace.validate();
  return trace;
}

}  // namespace podsizer::traces
