#include "policies/backtest.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "traces/atomic_file.h"
#include "traces/log.h"

namespace podsizer::policies {

namespace {

constexpr double kMib = 1024.0 * 1024.0;
constexpr double kSecondsPerDay = 86400.0;

std::shared_ptr<spdlog::logger> logger() {
  return traces::named_logger("policies");
}

// The sample at row i as a metrics system shows it.
Sample sample_at(const traces::Trace& trace, std::size_t i) {
  Sample s;
  s.time_s = trace.time_s[i];
  if (trace.has_cpu()) s.cpu_millicores = trace.cpu_millicores[i];
  if (trace.has_memory()) s.memory_bytes = trace.memory_bytes[i];
  if (trace.has_request_rate()) s.request_rate = trace.request_rate[i];
  if (trace.has_replicas()) s.replicas = trace.replicas[i];
  return s;
}

bool same(const traces::ContainerResources& a, const traces::ContainerResources& b) {
  return a.requests.cpu_millicores == b.requests.cpu_millicores &&
         a.requests.memory_bytes == b.requests.memory_bytes &&
         a.limits.cpu_millicores == b.limits.cpu_millicores &&
         a.limits.memory_bytes == b.limits.memory_bytes;
}

// At most three decimals, no trailing zeros, "-0" printed as "0".
void append_number(std::string& out, double value) {
  char buffer[64];
  const double rounded = std::round(value * 1000.0) / 1000.0;
  std::snprintf(buffer, sizeof buffer, "%.3f", rounded == 0.0 ? 0.0 : rounded);
  std::string text = buffer;
  while (!text.empty() && text.back() == '0') text.pop_back();
  if (!text.empty() && text.back() == '.') text.pop_back();
  out += text;
}

void append_optional(std::string& out, std::optional<double> value, double divisor) {
  out += ',';
  if (value) append_number(out, *value / divisor);
}

void check_history(const traces::Trace& trace, double interval_s) {
  if (!(interval_s > 0)) throw std::invalid_argument("backtest: the interval must be positive");
  const std::string name = trace.meta.name.empty() ? "history" : trace.meta.name;
  if (trace.size() < 2) {
    throw BacktestError("backtest: " + name + " has " + std::to_string(trace.size()) +
                        " sample(s); at least two are needed");
  }
  if (!trace.has_cpu() && !trace.has_memory()) {
    throw BacktestError("backtest: " + name + " has neither CPU nor memory usage");
  }
  if (trace.span_s() < interval_s) {
    std::ostringstream message;
    message << "backtest: " << name << " spans " << trace.span_s() / 3600.0
            << " h, less than one decision interval of " << interval_s / 3600.0 << " h";
    throw BacktestError(message.str());
  }
}

}  // namespace

BacktestResult run_backtest(const traces::Trace& trace, Policy& policy, const traces::AppSpec& app,
                            const BacktestOptions& options) {
  check_history(trace, options.interval_s);
  policy.reset();

  BacktestResult result;
  result.policy = policy.name();
  traces::ContainerResources current = app.current;
  const double start = trace.time_s.front();
  const double last = trace.time_s.back();
  double next_decision = start + options.interval_s;
  std::size_t decisions = 1;

  // Decides at every decision point before `until` (strictly), applying each decision.
  const auto decide_before = [&](double until) {
    while (next_decision < until && next_decision <= last) {
      DecisionContext ctx{next_decision, current, &app};
      const Decision decision = policy.decide(ctx);
      current = decision.resources;
      result.timeline.push_back({next_decision, current, decision.hpa_target_utilization});
      ++decisions;
      next_decision = start + static_cast<double>(decisions) * options.interval_s;
    }
  };

  // Walk forward: decisions due before a sample come first, then the sample.
  for (std::size_t i = 0; i < trace.size(); ++i) {
    Sample sample = sample_at(trace, i);
    decide_before(sample.time_s);
    if (options.report_oom_events && sample.memory_bytes && current.limits.memory_bytes &&
        *sample.memory_bytes > *current.limits.memory_bytes) {
      sample.oom_kills = 1;
    }
    policy.observe(sample);
  }
  decide_before(std::nextafter(last, HUGE_VAL));

  result.score = score_timeline(trace, result.timeline);
  logger()->debug("backtest {}: {} decisions over {:.1f} days, {} changes, {} OOM samples",
                  result.policy, result.timeline.size(), result.score.days, result.score.changes,
                  result.score.oom_samples);
  return result;
}

BacktestResult run_backtest(const traces::Trace& trace, const std::string& policy_name,
                            const traces::AppSpec& app, const BacktestOptions& options,
                            const PolicyOptions& policy_options) {
  auto policy = make_policy(policy_name, policy_options);
  return run_backtest(trace, *policy, app, options);
}

BacktestScore score_timeline(const traces::Trace& trace, const std::vector<TimelineRow>& rows) {
  BacktestScore score;
  if (rows.empty() || trace.empty()) return score;

  double cpu_request_sum = 0.0, memory_request_sum = 0.0, slack_sum = 0.0;
  std::size_t cpu_requests = 0, memory_requests = 0, over_request = 0, throttled = 0;

  // Each sample after the first decision against the decision in force at its time.
  std::size_t active = 0;
  for (std::size_t i = 0; i < trace.size(); ++i) {
    const double t = trace.time_s[i];
    if (t <= rows.front().time_s) continue;
    while (active + 1 < rows.size() && rows[active + 1].time_s < t) ++active;
    const traces::ContainerResources& r = rows[active].resources;
    ++score.samples;

    if (r.requests.cpu_millicores) {
      cpu_request_sum += *r.requests.cpu_millicores;
      ++cpu_requests;
    }
    if (trace.has_cpu() && r.limits.cpu_millicores &&
        trace.cpu_millicores[i] > *r.limits.cpu_millicores) {
      ++throttled;
    }
    if (r.requests.memory_bytes) {
      memory_request_sum += *r.requests.memory_bytes;
      ++memory_requests;
    }
    if (trace.has_memory()) {
      const double usage = trace.memory_bytes[i];
      if (r.requests.memory_bytes) {
        const double request = *r.requests.memory_bytes;
        if (request > 0) slack_sum += std::max(0.0, request - usage) / request;
        if (usage > request) ++over_request;
      }
      if (r.limits.memory_bytes && usage > *r.limits.memory_bytes) ++score.oom_samples;
    }
  }

  // Changes between consecutive decisions.
  for (std::size_t k = 1; k < rows.size(); ++k) {
    if (!same(rows[k].resources, rows[k - 1].resources)) ++score.changes;
  }

  // Averages and rates.
  score.days = std::max(0.0, trace.time_s.back() - rows.front().time_s) / kSecondsPerDay;
  const double n = static_cast<double>(score.samples);
  if (cpu_requests > 0) score.mean_cpu_request_millicores = cpu_request_sum / cpu_requests;
  if (memory_requests > 0) {
    score.mean_memory_request_mib = memory_request_sum / memory_requests / kMib;
    if (trace.has_memory()) score.memory_slack = slack_sum / memory_requests;
  }
  if (score.samples > 0) {
    score.memory_over_request_percent = 100.0 * static_cast<double>(over_request) / n;
    score.cpu_throttled_percent = 100.0 * static_cast<double>(throttled) / n;
  }
  if (score.days > 0) {
    score.oom_samples_per_day = static_cast<double>(score.oom_samples) / score.days;
    score.changes_per_day = static_cast<double>(score.changes) / score.days;
  }
  return score;
}

std::string timeline_csv(const std::vector<TimelineRow>& rows) {
  std::string out =
      "timestamp,cpu_request_millicores,cpu_limit_millicores,memory_request_mib,"
      "memory_limit_mib\n";
  out.reserve(out.size() + rows.size() * 48);
  for (const auto& row : rows) {
    append_number(out, row.time_s);
    append_optional(out, row.resources.requests.cpu_millicores, 1.0);
    append_optional(out, row.resources.limits.cpu_millicores, 1.0);
    append_optional(out, row.resources.requests.memory_bytes, kMib);
    append_optional(out, row.resources.limits.memory_bytes, kMib);
    out += '\n';
  }
  return out;
}

void write_timeline_csv(const std::string& path, const std::vector<TimelineRow>& rows) {
  traces::write_file_atomically(path, timeline_csv(rows));
}

std::string format_score_table(const std::vector<BacktestResult>& results) {
  // Rows of (label, one cell per result).
  std::vector<std::pair<std::string, std::vector<std::string>>> table;
  const auto fixed = [](std::optional<double> value, int decimals) {
    if (!value) return std::string("-");
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*f", decimals, *value);
    return std::string(buffer);
  };
  const auto add = [&](const std::string& label, auto cell) {
    std::vector<std::string> cells;
    for (const auto& r : results) cells.push_back(cell(r.score));
    table.emplace_back(label, std::move(cells));
  };
  add("policy",
      [&, i = std::size_t{0}](const BacktestScore&) mutable { return results[i++].policy; });
  add("scored samples", [&](const BacktestScore& s) { return std::to_string(s.samples); });
  add("days", [&](const BacktestScore& s) { return fixed(s.days, 2); });
  add("mean CPU request (m)",
      [&](const BacktestScore& s) { return fixed(s.mean_cpu_request_millicores, 1); });
  add("mean memory request (MiB)",
      [&](const BacktestScore& s) { return fixed(s.mean_memory_request_mib, 1); });
  add("memory slack (%)", [&](const BacktestScore& s) {
    return s.memory_slack ? fixed(*s.memory_slack * 100.0, 1) : std::string("-");
  });
  add("OOM samples per day",
      [&](const BacktestScore& s) { return fixed(s.oom_samples_per_day, 3); });
  add("memory over request (%)",
      [&](const BacktestScore& s) { return fixed(s.memory_over_request_percent, 2); });
  add("CPU throttled (%)",
      [&](const BacktestScore& s) { return fixed(s.cpu_throttled_percent, 2); });
  add("changes per day", [&](const BacktestScore& s) { return fixed(s.changes_per_day, 2); });

  // Column widths, then the lines.
  std::size_t label_width = 0;
  std::vector<std::size_t> widths(results.size(), 0);
  for (const auto& [label, cells] : table) {
    label_width = std::max(label_width, label.size());
    for (std::size_t c = 0; c < cells.size(); ++c) widths[c] = std::max(widths[c], cells[c].size());
  }
  std::string out;
  for (const auto& [label, cells] : table) {
    out += label + std::string(label_width - label.size(), ' ');
    for (std::size_t c = 0; c < cells.size(); ++c) {
      out += "  " + std::string(widths[c] - cells[c].size(), ' ') + cells[c];
    }
    out += '\n';
  }
  return out;
}

traces::AppSpec default_app_for_history(const traces::Trace& trace) {
  traces::AppSpec app = traces::default_app_spec();
  if (!trace.meta.name.empty()) app.app_name = trace.meta.name;
  if (!trace.has_request_rate()) {
    app.hpa.enabled = false;
    app.hpa.min_replicas = 1;
  }
  if (trace.empty()) return app;

  // The first day of usage, as an operator who watched it for a day would size the pod.
  const double end = trace.time_s.front() + kSecondsPerDay;
  std::vector<double> cpu, memory;
  for (std::size_t i = 0; i < trace.size() && trace.time_s[i] < end; ++i) {
    if (trace.has_cpu()) cpu.push_back(trace.cpu_millicores[i]);
    if (trace.has_memory()) memory.push_back(trace.memory_bytes[i]);
  }
  if (!cpu.empty()) {
    const double request = std::max(1.0, traces::percentile(cpu, 0.95));
    app.current.requests.cpu_millicores = request;
    app.current.limits.cpu_millicores = 2.0 * request;
  }
  if (!memory.empty()) {
    const double peak = std::max(kMib, *std::max_element(memory.begin(), memory.end()));
    app.current.requests.memory_bytes = peak;
    app.current.limits.memory_bytes = 1.2 * peak;
  }
  return app;
}

double parse_duration_s(const std::string& text) {
  // A number followed by an optional unit: s, m, h, d.
  double value = 0.0;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  const auto [rest, error] = std::from_chars(begin, end, value);
  double unit = 0.0;
  const std::string suffix(rest, end);
  if (suffix.empty() || suffix == "s")
    unit = 1.0;
  else if (suffix == "m" || suffix == "min")
    unit = 60.0;
  else if (suffix == "h")
    unit = 3600.0;
  else if (suffix == "d")
    unit = kSecondsPerDay;
  if (error != std::errc() || unit == 0.0 || !(value > 0) || !std::isfinite(value)) {
    throw std::invalid_argument("invalid duration '" + text +
                                "': expected a positive number with s, m, h or d, such as 1h");
  }
  return value * unit;
}

}  // namespace podsizer::policies
