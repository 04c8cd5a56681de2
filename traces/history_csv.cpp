// The history CSV reader: the rules are listed beside read_history_csv in traces/readers.h.

#include <cmath>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "traces/errors.h"
#include "traces/readers.h"
#include "traces/row_repair.h"
#include "traces/text_scan.h"

namespace podsizer::traces {
namespace {

// What a column of the file means to the reader.
enum class Role : unsigned char { kIgnored, kTime, kCpu, kMemory, kRate, kReplicas };

struct KnownColumn {
  std::string_view name;
  Role role;
  bool required;
};

constexpr KnownColumn kKnownColumns[] = {
    {"timestamp", Role::kTime, true},
    {"cpu_usage_milli_cores", Role::kCpu, true},
    {"memory_usage_megabytes", Role::kMemory, true},
    {"request_per_sec", Role::kRate, false},
    {"replicas", Role::kReplicas, false},
};

constexpr char kExpectedHeader[] =
    "timestamp,cpu_usage_milli_cores,memory_usage_megabytes[,request_per_sec][,replicas]";
constexpr double kBytesPerMebibyte = 1024.0 * 1024.0;
// Unix seconds reach 1e11 in the year 5138; a larger value is a timestamp in milliseconds.
constexpr double kLargestUnixSeconds = 1e11;

// The header, resolved: the role of each field and the names as written, for messages.
struct Layout {
  std::vector<Role> roles;
  std::vector<std::string> names;
  bool has_rate = false;
  bool has_replicas = false;
};

// Resolves the header line; refuses a known column given twice or a required one missing.
Layout read_header(std::string_view line, const std::string& file, std::size_t number) {
  Layout layout;
  bool seen[std::size(kKnownColumns)] = {};
  for (std::size_t pos = 0; pos != std::string_view::npos;) {
    const std::string_view name = text::unquote(text::next_field(line, ',', &pos));
    Role role = Role::kIgnored;
    for (std::size_t k = 0; k < std::size(kKnownColumns); ++k) {
      if (!text::equals_ignore_case(name, kKnownColumns[k].name)) continue;
      if (seen[k]) {
        throw InputError(file, number, std::string(name), "the column appears twice in the header");
      }
      seen[k] = true;
      role = kKnownColumns[k].role;
    }
    layout.roles.push_back(role);
    layout.names.emplace_back(name);
    layout.has_rate = layout.has_rate || role == Role::kRate;
    layout.has_replicas = layout.has_replicas || role == Role::kReplicas;
  }

  // Every required column must be there; name the first one missing.
  for (std::size_t k = 0; k < std::size(kKnownColumns); ++k) {
    if (kKnownColumns[k].required && !seen[k]) {
      throw InputError(
          file, number, std::string(kKnownColumns[k].name),
          std::string("the header has no such column (expected ") + kExpectedHeader + ")");
    }
  }
  return layout;
}

// Raises the error for one value: "<file>:<line>: field '<name>': '<value>' <problem>".
[[noreturn]] void refuse_value(const std::string& file, std::size_t line, const std::string& name,
                               std::string_view value, const std::string& problem) {
  throw InputError(file, line, name, "'" + std::string(value) + "' " + problem);
}

// Reads a timestamp as Unix seconds, whichever of the two formats it is written in.
double read_time(std::string_view value, const std::string& file, std::size_t line,
                 const std::string& name) {
  // Each value picks its own format, so a file may mix them (as a concatenation of exports
  // would).
  if (text::looks_like_rfc3339(value)) {
    const char* why = nullptr;
    const auto parsed = text::parse_rfc3339(value, &why);
    if (!parsed) refuse_value(file, line, name, value, std::string("is not a valid time: ") + why);
    return *parsed;
  }
  text::ParseProblem problem{};
  const auto parsed = text::parse_double(value, &problem);
  if (!parsed) {
    refuse_value(
        file, line, name, value,
        std::string("is neither an RFC 3339 time nor Unix seconds: ") + text::describe(problem));
  }
  if (*parsed > kLargestUnixSeconds) {
    refuse_value(file, line, name, value,
                 "is too large for Unix seconds (milliseconds? divide by 1000)");
  }
  return *parsed;
}

// Reads a usage, rate or replica count: a finite number, not below zero.
double read_amount(std::string_view value, const std::string& file, std::size_t line,
                   const std::string& name) {
  text::ParseProblem problem{};
  const auto parsed = text::parse_double(value, &problem);
  if (!parsed) refuse_value(file, line, name, value, std::string("is ") + text::describe(problem));
  if (*parsed < 0.0) refuse_value(file, line, name, value, "is negative; usage cannot be below 0");
  return *parsed;
}

// Fills NaN entries of `rate` by linear interpolation in time between the nearest present
// values, holding the first and last present values at the ends. Returns how many were filled.
// REQUIRES: at least one value is present.
std::size_t fill_rate_gaps(const std::vector<double>& time_s, std::vector<double>& rate) {
  std::size_t filled = 0;
  std::size_t previous = rate.size();  // index of the last present value; size() means none
  for (std::size_t i = 0; i < rate.size(); ++i) {
    if (std::isnan(rate[i])) continue;
    const std::size_t gap_begin = previous == rate.size() ? 0 : previous + 1;
    for (std::size_t j = gap_begin; j < i; ++j) {
      if (previous == rate.size()) {
        rate[j] = rate[i];
      } else {
        const double share = (time_s[j] - time_s[previous]) / (time_s[i] - time_s[previous]);
        rate[j] = rate[previous] + share * (rate[i] - rate[previous]);
      }
      ++filled;
    }
    previous = i;
  }
  for (std::size_t j = previous + 1; j < rate.size(); ++j, ++filled) rate[j] = rate[previous];
  return filled;
}

}  // namespace

Trace parse_history_csv(std::string_view content, const std::string& file_name,
                        ReadReport* report) {
  text::LineScanner lines(content);
  std::string_view line;

  // The header comes first; blank lines before it are tolerated.
  bool found_header = false;
  while (lines.next(line)) {
    if (!text::trim(line).empty()) {
      found_header = true;
      break;
    }
  }
  if (!found_header) {
    throw InputError(file_name, 1, "header",
                     std::string("the file is empty; expected the header ") + kExpectedHeader);
  }
  const Layout layout = read_header(line, file_name, lines.line_number());
  const std::size_t field_count = layout.roles.size();

  // Columns as read; NaN marks an empty request rate. A row is about 30 bytes, so this
  // estimate rarely needs a second allocation.
  Trace trace;
  const std::size_t estimate = (content.size() - lines.offset()) / 24 + 1;
  trace.time_s.reserve(estimate);
  trace.cpu_millicores.reserve(estimate);
  trace.memory_bytes.reserve(estimate);
  if (layout.has_rate) trace.request_rate.reserve(estimate);
  if (layout.has_replicas) trace.replicas.reserve(estimate);
  std::size_t rates_present = 0;

  while (lines.next(line)) {
    if (line.empty() || text::trim(line).empty()) continue;
    const std::size_t number = lines.line_number();
    double time = 0.0, cpu = 0.0, memory = 0.0;
    double rate = std::numeric_limits<double>::quiet_NaN();
    double replicas = 1.0;

    // One pass over the fields, each parsed by the role of its column.
    std::size_t index = 0;
    for (std::size_t pos = 0; pos != std::string_view::npos; ++index) {
      const std::string_view raw = text::next_field(line, ',', &pos);
      if (index >= field_count) {
        throw InputError(
            file_name, number, "field " + std::to_string(index + 1),
            "the line has more fields than the header's " + std::to_string(field_count));
      }
      const Role role = layout.roles[index];
      if (role == Role::kIgnored) continue;
      const std::string_view value = text::unquote(raw);
      const std::string& name = layout.names[index];
      switch (role) {
        case Role::kTime:
          time = read_time(value, file_name, number, name);
          break;
        case Role::kCpu:
          cpu = read_amount(value, file_name, number, name);
          break;
        case Role::kMemory:
          memory = read_amount(value, file_name, number, name);
          break;
        case Role::kRate:
          if (!value.empty()) {
            rate = read_amount(value, file_name, number, name);
            ++rates_present;
          }
          break;
        case Role::kReplicas:
          replicas = read_amount(value, file_name, number, name);
          if (replicas == 0.0) {
            refuse_value(file_name, number, name, value,
                         "is zero; usage is divided per pod, so at least some pods must run");
          }
          break;
        case Role::kIgnored:
          break;
      }
    }
    if (index < field_count) {
      const std::string cut = lines.last_line_unterminated() ? " (the file looks truncated)" : "";
      throw InputError(file_name, number, layout.names[index],
                       "the line has " + std::to_string(index) + " fields, the header " +
                           std::to_string(field_count) + cut);
    }

    // Usage summed over several pods becomes usage per pod; the rate stays the workload's.
    trace.time_s.push_back(time);
    trace.cpu_millicores.push_back(cpu / replicas);
    trace.memory_bytes.push_back(memory * kBytesPerMebibyte / replicas);
    if (layout.has_rate) trace.request_rate.push_back(rate);
    if (layout.has_replicas) trace.replicas.push_back(replicas);
  }

  if (trace.empty()) {
    throw InputError(file_name, lines.line_number() + 1, "",
                     "the file has a header but no data rows");
  }
  if (report != nullptr) report->rows += trace.size();
  if (lines.last_line_unterminated()) note_missing_line_end(file_name, report);

  // Put the rows in order, then settle the request-rate column.
  std::vector<std::vector<double>*> columns = {&trace.cpu_millicores, &trace.memory_bytes};
  if (layout.has_rate) columns.push_back(&trace.request_rate);
  if (layout.has_replicas) columns.push_back(&trace.replicas);
  note_repairs(file_name, sort_and_merge(trace.time_s, columns), report);

  if (rates_present == 0) {
    trace.request_rate.clear();
    trace.request_rate.shrink_to_fit();
  } else if (layout.has_rate) {
    const std::size_t filled = fill_rate_gaps(trace.time_s, trace.request_rate);
    if (filled > 0) {
      if (report != nullptr) report->rates_interpolated += filled;
      note_warning(file_name + ": " + std::to_string(filled) +
                       " rows have no request_per_sec; filled them by linear interpolation "
                       "between their neighbours",
                   report);
    }
  }

  trace.meta.name = std::filesystem::path(file_name).stem().string();
  trace.meta.source = "csv:" + file_name;
  trace.meta.interval_s = median_interval(trace.time_s);
  trace.validate();
  return trace;
}

Trace read_history_csv(const std::string& path, ReadReport* report) {
  const text::FileBytes bytes(path);
  return parse_history_csv(bytes.view(), path, report);
}

}  // namespace podsizer::traces
