// The Bitbrains GWA-T-12 reader: the rules are listed beside read_bitbrains in traces/readers.h.

#include <filesystem>
#include <string>
#include <vector>

#include "traces/errors.h"
#include "traces/readers.h"
#include "traces/row_repair.h"
#include "traces/text_scan.h"

namespace podsizer::traces {
namespace {

// The columns used, in the order of the slots below; the others (disk, network) are skipped.
enum Slot : std::size_t { kTime, kCores, kCapacityMhz, kUsageMhz, kMemoryKb };

constexpr double kBytesPerKb = 1024.0;
// Unix seconds reach 1e11 in the year 5138; a larger value is a timestamp in milliseconds.
constexpr double kLargestUnixSeconds = 1e11;

}  // namespace

Trace read_bitbrains(const std::string& path, ReadReport* report) {
  const text::FileBytes bytes(path);

  // The separator is ";\t"; splitting on ';' and trimming also reads files whose tabs were lost.
  text::Table table(bytes.view(), ';', path,
                    {"Timestamp", "CPU cores", "CPU capacity provisioned [MHZ]", "CPU usage [MHZ]",
                     "Memory usage [KB]"});

  Trace trace;
  const std::size_t estimate = table.bytes_left() / 100 + 1;  // rows run about 110 bytes
  trace.time_s.reserve(estimate);
  trace.cpu_millicores.reserve(estimate);
  trace.memory_bytes.reserve(estimate);
  std::size_t idle_rows = 0;

  while (table.next()) {
    double time = table.number(kTime);
    if (time > kLargestUnixSeconds) time /= 1000.0;
    const double cores = table.non_negative(kCores);
    const double capacity_mhz = table.non_negative(kCapacityMhz);
    const double usage_mhz = table.non_negative(kUsageMhz);
    const double memory_kb = table.non_negative(kMemoryKb);

    // A core runs at capacity / cores MHz, so usage in cores is usage / (capacity / cores).
    // A VM that is switched off reports no cores, no capacity and no usage: it is idle.
    double millicores = 0.0;
    if (cores > 0.0 && capacity_mhz > 0.0) {
      millicores = usage_mhz / (capacity_mhz / cores) * 1000.0;
    } else if (usage_mhz > 0.0) {
      table.refuse(kUsageMhz, "is CPU usage on a VM with no provisioned CPU (cores or capacity 0)");
    } else {
      ++idle_rows;
    }
    trace.time_s.push_back(time);
    trace.cpu_millicores.push_back(millicores);
    trace.memory_bytes.push_back(memory_kb * kBytesPerKb);
  }

  if (trace.empty()) {
    throw InputError(path, table.line_number() + 1, "", "the file has a header but no data rows");
  }
  if (report != nullptr) report->rows += trace.size();
  if (table.last_line_unterminated()) note_missing_line_end(path, report);
  if (idle_rows > 0) {
    note_warning(path + ": " + std::to_string(idle_rows) +
                     " rows show the VM with no provisioned CPU; read them as idle (0 millicores)",
                 report);
  }
  note_repairs(path, sort_and_merge(trace.time_s, {&trace.cpu_millicores, &trace.memory_bytes}),
               report);

  trace.meta.name = std::filesystem::path(path).stem().string();
  trace.meta.source = "bitbrains:" + path;
  trace.meta.interval_s = median_interval(trace.time_s);
  trace.validate();
  return trace;
}

}  // namespace podsizer::traces
