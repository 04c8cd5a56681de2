#include "traces/history_csv_writer.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>

#include "traces/atomic_file.h"
#include "traces/quantity.h"

namespace podsizer::traces {
namespace {

// Appends `value` in fixed notation with `decimals` places and trailing zeros removed; NaN
// appends nothing (an empty field).
void append_number(std::string& out, double value, int decimals) {
  if (std::isnan(value)) return;
  char buffer[64];
  auto [end, error] =
      std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed, decimals);
  if (error != std::errc()) throw std::invalid_argument("history CSV: value out of range");
  char* last = end;
  if (std::find(buffer, end, '.') != end) {
    while (last[-1] == '0') --last;
    if (last[-1] == '.') --last;
  }
  // "-0" after rounding a tiny negative reads as a sign the reader would refuse.
  if (last - buffer == 2 && buffer[0] == '-' && buffer[1] == '0') {
    out += '0';
    return;
  }
  out.append(buffer, last);
}

}  // namespace

std::string format_history_csv(const Trace& trace) {
  trace.validate();
  const bool with_replicas =
      trace.has_replicas() &&
      std::any_of(trace.replicas.begin(), trace.replicas.end(), [](double r) { return r != 1.0; });

  std::string out = "timestamp,cpu_usage_milli_cores,memory_usage_megabytes,request_per_sec";
  out += with_replicas ? ",replicas\n" : "\n";
  out.reserve(out.size() + trace.size() * 64);

  // One row per sample; a summed row multiplies the per-pod usage by its pod count.
  for (std::size_t i = 0; i < trace.size(); ++i) {
    const double pods = with_replicas ? trace.replicas[i] : 1.0;
    append_number(out, trace.time_s[i], 3);
    out += ',';
    if (trace.has_cpu()) append_number(out, trace.cpu_millicores[i] * pods, 3);
    out += ',';
    if (trace.has_memory()) append_number(out, trace.memory_bytes[i] * pods / kMiB, 6);
    out += ',';
    if (trace.has_request_rate()) append_number(out, trace.request_rate[i], 3);
    if (with_replicas) {
      out += ',';
      append_number(out, pods, 3);
    }
    out += '\n';
  }
  return out;
}

void write_history_csv(const std::string& path, const Trace& trace) {
  write_file_atomically(path, format_history_csv(trace));
}

}  // namespace podsizer::traces
