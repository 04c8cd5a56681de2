#include "cli/trace_summary.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <stdexcept>

#include "traces/quantity.h"

namespace podsizer::cli {
namespace {

ColumnStats column_stats(const std::vector<double>& values) {
  ColumnStats stats;
  stats.mean =
      std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
  stats.p50 = traces::percentile(values, 0.50);
  stats.p95 = traces::percentile(values, 0.95);
  stats.max = traces::percentile(values, 1.0);
  return stats;
}

// Reads exactly `digits` decimal digits at `pos` of `text`; -1 when they are not there.
int read_digits(const std::string& text, std::size_t pos, std::size_t digits) {
  if (pos + digits > text.size()) return -1;
  int value = 0;
  for (std::size_t i = pos; i < pos + digits; ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

}  // namespace

TraceSummary summarize(const traces::Trace& trace) {
  TraceSummary summary;
  summary.samples = trace.size();
  summary.span_s = trace.span_s();
  summary.interval_s = traces::median_interval(trace.time_s);
  if (trace.empty()) return summary;
  summary.first_time_s = trace.time_s.front();
  if (trace.has_cpu()) summary.cpu_millicores = column_stats(trace.cpu_millicores);
  if (trace.has_memory()) summary.memory_bytes = column_stats(trace.memory_bytes);
  if (trace.has_request_rate()) summary.request_rate = column_stats(trace.request_rate);
  return summary;
}

std::string format_duration(double seconds) {
  char text[64];
  if (seconds >= 2 * 86400.0) {
    std::snprintf(text, sizeof text, "%.1f d", seconds / 86400.0);
  } else if (seconds >= 2 * 3600.0) {
    std::snprintf(text, sizeof text, "%.1f h", seconds / 3600.0);
  } else if (seconds >= 120.0) {
    std::snprintf(text, sizeof text, "%.0f min", seconds / 60.0);
  } else {
    std::snprintf(text, sizeof text, "%g s", seconds);
  }
  return text;
}

std::string format_memory_rounded(double bytes) {
  const double unit = bytes >= traces::kMiB ? traces::kMiB : 1024.0;
  return traces::format_memory(std::round(bytes / unit) * unit);
}

std::string format_cpu_rounded(double millicores) {
  return traces::format_cpu(millicores);
}

std::string format_utc(double unix_s) {
  using namespace std::chrono;
  const sys_seconds time{seconds{static_cast<long long>(std::floor(unix_s))}};
  const sys_days day = floor<days>(time);
  const year_month_day date{day};
  const hh_mm_ss clock{time - day};
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02lld:%02lld:%02lldZ",
                static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                static_cast<unsigned>(date.day()), static_cast<long long>(clock.hours().count()),
                static_cast<long long>(clock.minutes().count()),
                static_cast<long long>(clock.seconds().count()));
  return text;
}

double parse_time(const std::string& text, const std::string& option) {
  auto refuse = [&]() -> double {
    throw std::invalid_argument(option + ": '" + text +
                                "' is neither Unix seconds nor an RFC 3339 time such as "
                                "2023-11-14T22:13:20Z");
  };

  // Unix seconds: the whole text is one number.
  double unix_s = 0.0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), unix_s);
  if (error == std::errc() && end == text.data() + text.size()) {
    if (!std::isfinite(unix_s)) refuse();
    return unix_s;
  }

  // RFC 3339: YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM).
  const int year = read_digits(text, 0, 4);
  const int month = read_digits(text, 5, 2);
  const int day = read_digits(text, 8, 2);
  const int hour = read_digits(text, 11, 2);
  const int minute = read_digits(text, 14, 2);
  const int second = read_digits(text, 17, 2);
  if (year < 0 || month < 1 || day < 1 || hour < 0 || minute < 0 || second < 0 || text[4] != '-' ||
      text[7] != '-' || (text[10] != 'T' && text[10] != 't' && text[10] != ' ') ||
      text[13] != ':' || text[16] != ':' || hour > 23 || minute > 59 || second > 60) {
    refuse();
  }
  using namespace std::chrono;
  const year_month_day date{std::chrono::year{year}, std::chrono::month{unsigned(month)},
                            std::chrono::day{unsigned(day)}};
  if (!date.ok()) refuse();
  double result = static_cast<double>(sys_days{date}.time_since_epoch().count()) * 86400.0 +
                  hour * 3600.0 + minute * 60.0 + second;

  std::size_t pos = 19;
  if (pos < text.size() && text[pos] == '.') {
    const std::size_t start = pos;
    ++pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    if (pos == start + 1) refuse();
    result += std::stod("0" + text.substr(start, pos - start));
  }
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z') && pos + 1 == text.size()) {
    return result;
  }
  if (pos + 6 == text.size() && (text[pos] == '+' || text[pos] == '-') && text[pos + 3] == ':') {
    const int offset_hours = read_digits(text, pos + 1, 2);
    const int offset_minutes = read_digits(text, pos + 4, 2);
    if (offset_hours < 0 || offset_minutes < 0) refuse();
    const double offset = offset_hours * 3600.0 + offset_minutes * 60.0;
    return text[pos] == '+' ? result - offset : result + offset;
  }
  return refuse();
}

}  // namespace podsizer::cli
