#include "scenarios/scenario.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <climits>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <utility>

#include <yaml-cpp/yaml.h>

#include "traces/errors.h"
#include "traces/quantity.h"
#include "traces/readers.h"
#include "traces/store.h"
#include "traces/synthetic.h"

namespace podsizer::scenarios {
namespace {

constexpr double kDay = 86400.0;

// A YAML node with the dotted path and the 1-based line that name it in messages.
struct Field {
  YAML::Node node;
  std::string path;
  std::size_t line = 0;
};

std::size_t line_of(const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  return mark.is_null() ? 0 : static_cast<std::size_t>(mark.line) + 1;
}

std::string kind_of(const YAML::Node& node) {
  if (node.IsMap()) return "a map";
  if (node.IsSequence()) return "a list";
  if (node.IsScalar()) return "'" + node.Scalar() + "'";
  return "nothing";
}

// Reads checked values out of YAML nodes; every problem is an InputError naming the scenario
// file, the node's line and its path.
class Reader {
 public:
  Reader(std::string file, std::string folder)
      : file_(std::move(file)), folder_(std::move(folder)) {}

  [[noreturn]] void fail(const Field& f, const std::string& problem) const {
    throw traces::InputError(file_, f.line, f.path, problem);
  }

  // The entries of a map in file order, refusing keys not in `known`.
  std::vector<std::pair<std::string, Field>> entries(
      const Field& f, std::initializer_list<const char*> known) const {
    if (!f.node.IsMap()) fail(f, "expected a map, got " + kind_of(f.node));
    std::vector<std::pair<std::string, Field>> out;
    for (const auto& kv : f.node) {
      const std::string key = kv.first.Scalar();
      const std::string path = f.path.empty() ? key : f.path + "." + key;
      const Field child{kv.second, path, line_of(kv.first)};
      bool ok = false;
      std::string list;
      for (const char* k : known) {
        ok = ok || key == k;
        list += list.empty() ? k : std::string(", ") + k;
      }
      if (!ok) fail(child, "unknown key '" + key + "'; known keys here: " + list);
      out.emplace_back(key, child);
    }
    return out;
  }

  std::string scalar(const Field& f, const char* expected) const {
    if (!f.node.IsScalar())
      fail(f, std::string("expected ") + expected + ", got " + kind_of(f.node));
    return f.node.Scalar();
  }

  std::string text(const Field& f) const {
    std::string value = scalar(f, "text");
    if (value.empty()) fail(f, "must not be empty");
    return value;
  }

  double number(const Field& f) const {
    const std::string value = scalar(f, "a number");
    double parsed = 0;
    const char* first = value.data();
    if (!value.empty() && value.front() == '+') ++first;
    auto [end, ec] = std::from_chars(first, value.data() + value.size(), parsed);
    if (value.empty() || ec != std::errc() || end != value.data() + value.size() ||
        !std::isfinite(parsed)) {
      fail(f, "expected a number, got '" + value + "'");
    }
    return parsed;
  }

  double non_negative(const Field& f) const {
    const double v = number(f);
    if (v < 0) fail(f, "must not be negative, got " + f.node.Scalar());
    return v;
  }

  double positive(const Field& f) const {
    const double v = number(f);
    if (!(v > 0)) fail(f, "must be greater than zero, got " + f.node.Scalar());
    return v;
  }

  int integer(const Field& f, int least) const {
    const double v = number(f);
    if (v != std::floor(v) || v > INT_MAX)
      fail(f, "expected a whole number, got " + f.node.Scalar());
    if (v < least)
      fail(f, "must be at least " + std::to_string(least) + ", got " + f.node.Scalar());
    return static_cast<int>(v);
  }

  bool boolean(const Field& f) const {
    bool v = false;
    if (!f.node.IsScalar() || !YAML::convert<bool>::decode(f.node, v)) {
      fail(f, "expected true or false, got " + kind_of(f.node));
    }
    return v;
  }

  // A duration: seconds as a number, or numbers with units s, m, h, d ("90m", "1.5d", "3d16h").
  double duration(const Field& f) const {
    const std::string value = scalar(f, "a duration");
    const auto bad = [&] {
      fail(f, "expected a duration such as 90s, 30m, 12h, 7d or 3d12h, got '" + value + "'");
    };
    if (value.empty()) bad();
    if (value.front() == '-') fail(f, "must not be negative, got " + value);

    // Number and unit pairs; a bare number (seconds) only on its own.
    double total = 0;
    const char* p = value.data();
    const char* const end = value.data() + value.size();
    while (p != end) {
      double number = 0;
      auto [next, ec] = std::from_chars(p, end, number);
      if (ec != std::errc() || !std::isfinite(number) || number < 0) bad();
      p = next;
      double unit = 0;
      if (p != end) {
        unit = *p == 's' ? 1 : *p == 'm' ? 60 : *p == 'h' ? 3600 : *p == 'd' ? kDay : 0;
        if (unit == 0) bad();
        ++p;
      } else if (total == 0 && next == end && value.find_first_of("smhd") == std::string::npos) {
        unit = 1;
      } else {
        bad();
      }
      total += number * unit;
    }
    return total;
  }

  double cpu(const Field& f) const {
    try {
      return traces::parse_cpu_millicores(scalar(f, "a CPU quantity"));
    } catch (const traces::QuantityError& e) {
      fail(f, e.what());
    }
  }

  double memory(const Field& f) const {
    try {
      return traces::parse_memory_bytes(scalar(f, "a memory quantity"));
    } catch (const traces::QuantityError& e) {
      fail(f, e.what());
    }
  }

  // A path relative to the scenario's folder that must name an existing file.
  std::string existing_file(const Field& f) const {
    const std::filesystem::path given = text(f);
    const std::filesystem::path path = given.is_absolute() ? given : folder_ / given;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) fail(f, "no such file: " + path.string());
    return path.string();
  }

  const std::string& file() const { return file_; }

 private:
  std::string file_;
  std::filesystem::path folder_;
};

bool valid_name(const std::string& name) {
  if (name.empty() || name.front() == '.') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

void read_base(const Reader& r, const Field& f, Scenario& s) {
  Field store_field, trace_field;
  for (const auto& [key, field] : r.entries(f, {"app", "history", "store", "trace"})) {
    if (key == "app") s.base.app_path = r.existing_file(field);
    if (key == "history") s.base.history_path = r.existing_file(field);
    if (key == "store") {
      s.base.store_path = r.existing_file(field);
      store_field = field;
    }
    if (key == "trace") {
      s.base.trace_name = r.text(field);
      trace_field = field;
    }
  }

  // One source of load at most; a store needs the name of its trace.
  if (!s.base.history_path.empty() && !s.base.store_path.empty()) {
    r.fail(store_field, "give either base.history or base.store, not both");
  }
  if (!s.base.store_path.empty() && s.base.trace_name.empty()) {
    r.fail(store_field, "base.store needs base.trace naming the trace in it");
  }
  if (s.base.store_path.empty() && !s.base.trace_name.empty()) {
    r.fail(trace_field, "base.trace names a trace of base.store, which is missing");
  }
  s.base.kind = !s.base.history_path.empty() ? BaseKind::kHistory
                : !s.base.store_path.empty() ? BaseKind::kStore
                                             : BaseKind::kSynthetic;
}

Spike read_spike(const Reader& r, const Field& f) {
  Spike spike;
  spike.line = f.line;
  bool has_start = false, has_duration = false, has_factor = false;
  for (const auto& [key, field] : r.entries(f, {"start", "duration", "factor"})) {
    if (key == "start") {
      spike.start_s = r.duration(field);
      has_start = true;
    }
    if (key == "duration") {
      spike.duration_s = r.duration(field);
      if (!(spike.duration_s > 0)) r.fail(field, "must be longer than zero");
      has_duration = true;
    }
    if (key == "factor") {
      spike.factor = r.non_negative(field);
      has_factor = true;
    }
  }
  const char* missing = !has_start      ? "start"
                        : !has_duration ? "duration"
                        : !has_factor   ? "factor"
                                        : nullptr;
  if (missing)
    r.fail(f,
           std::string("a spike needs start, duration and factor; '") + missing + "' is missing");
  return spike;
}

TrafficShape read_traffic(const Reader& r, const Field& f) {
  TrafficShape t;
  t.line = f.line;
  for (const auto& [key, field] : r.entries(f, {"file", "format", "keep_level"})) {
    if (key == "file") t.path = r.existing_file(field);
    if (key == "keep_level") t.keep_level = r.boolean(field);
    if (key == "format") {
      const std::string format = r.text(field);
      if (format == "requests") {
        t.format = TrafficFormat::kRequests;
      } else if (format == "history") {
        t.format = TrafficFormat::kHistory;
      } else {
        r.fail(field, "expected requests or history, got '" + format + "'");
      }
    }
  }
  if (t.path.empty()) r.fail(f, "changes.traffic needs a file");
  return t;
}

NodeChange read_nodes(const Reader& r, const Field& f) {
  NodeChange n;
  n.line = f.line;
  for (const auto& [key, field] :
       r.entries(f, {"cpu_per_node", "memory_per_node", "count", "price_per_hour"})) {
    if (key == "cpu_per_node") n.cpu_millicores = r.cpu(field);
    if (key == "memory_per_node") n.memory_bytes = r.memory(field);
    if (key == "count") n.count = r.integer(field, 1);
    if (key == "price_per_hour") n.price_per_hour = r.non_negative(field);
    if ((key == "cpu_per_node" && !(*n.cpu_millicores > 0)) ||
        (key == "memory_per_node" && !(*n.memory_bytes > 0))) {
      r.fail(field, "a node needs more than zero of it");
    }
  }
  return n;
}

HpaChange read_hpa(const Reader& r, const Field& f) {
  HpaChange h;
  h.line = f.line;
  for (const auto& [key, field] : r.entries(
           f, {"enabled", "min_replicas", "max_replicas", "cpu_target_utilization_percentage"})) {
    if (key == "enabled") h.enabled = r.boolean(field);
    if (key == "min_replicas") h.min_replicas = r.integer(field, 1);
    if (key == "max_replicas") h.max_replicas = r.integer(field, 1);
    if (key == "cpu_target_utilization_percentage") {
      const double percent = r.number(field);
      if (!(percent > 0 && percent <= 100))
        r.fail(field, "must lie in (0, 100], got " + field.node.Scalar());
      h.target_utilization = percent / 100.0;
    }
  }
  if (h.min_replicas && h.max_replicas && *h.min_replicas > *h.max_replicas) {
    r.fail(f, "min_replicas " + std::to_string(*h.min_replicas) + " exceeds max_replicas " +
                  std::to_string(*h.max_replicas));
  }
  return h;
}

SloChange read_slo(const Reader& r, const Field& f) {
  SloChange s;
  for (const auto& [key, field] : r.entries(f, {"response_time_ms", "percentile"})) {
    if (key == "response_time_ms") s.response_time_ms = r.positive(field);
    if (key == "percentile") {
      const std::string p = r.text(field);
      if (p == "p95" || p == "95") {
        s.percentile = 0.95;
      } else if (p == "p99" || p == "99") {
        s.percentile = 0.99;
      } else {
        r.fail(field, "expected p95 or p99, got '" + p + "'");
      }
    }
  }
  return s;
}

AutoscalerChange read_autoscaler(const Reader& r, const Field& f) {
  AutoscalerChange a;
  if (f.node.IsScalar()) {
    a.enabled = r.boolean(f);
    return a;
  }
  for (const auto& [key, field] : r.entries(f, {"enabled", "max_nodes"})) {
    if (key == "enabled") a.enabled = r.boolean(field);
    if (key == "max_nodes") a.max_nodes = r.integer(field, 1);
  }
  return a;
}

void read_changes(const Reader& r, const Field& f, Scenario& s) {
  for (const auto& [key, field] :
       r.entries(f, {"load_scale", "weekend_scale", "spikes", "traffic", "memory_leak_per_day",
                     "nodes", "hpa", "slo", "cluster_autoscaler"})) {
    if (key == "load_scale") s.load_scale = r.non_negative(field);
    if (key == "weekend_scale") s.weekend_scale = r.non_negative(field);
    if (key == "traffic") s.traffic = read_traffic(r, field);
    if (key == "nodes") s.nodes = read_nodes(r, field);
    if (key == "hpa") s.hpa = read_hpa(r, field);
    if (key == "slo") s.slo = read_slo(r, field);
    if (key == "cluster_autoscaler") s.cluster_autoscaler = read_autoscaler(r, field);
    if (key == "memory_leak_per_day") {
      s.memory_leak_bytes_per_day = r.memory(field);
      s.memory_leak_line = field.line;
    }
    if (key == "spikes") {
      if (!field.node.IsSequence()) r.fail(field, "expected a list, got " + kind_of(field.node));
      for (std::size_t i = 0; i < field.node.size(); ++i) {
        const YAML::Node item = field.node[i];
        const Field entry{item, field.path + "[" + std::to_string(i) + "]", line_of(item)};
        s.spikes.push_back(read_spike(r, entry));
      }
    }
  }
}

// Seconds for messages, whole when they are: "324000 s", "0.5 s".
std::string seconds_text(double seconds) {
  std::ostringstream out;
  out.precision(12);
  out << seconds << " s";
  return out.str();
}

// Spikes must lie inside the replay; `limit_s` is its length when known before applying.
void check_spikes(const Scenario& s, double limit_s) {
  for (std::size_t i = 0; i < s.spikes.size(); ++i) {
    const Spike& spike = s.spikes[i];
    if (spike.start_s + spike.duration_s > limit_s + 1e-9) {
      throw traces::InputError(s.file, spike.line, "changes.spikes[" + std::to_string(i) + "]",
                               "the spike ends at " +
                                   seconds_text(spike.start_s + spike.duration_s) +
                                   ", after the end of the replay at " + seconds_text(limit_s));
    }
  }
}

// The length of sample k of a trace: the gap to the next sample, or the nominal interval.
double sample_length(const traces::Trace& t, std::size_t k) {
  if (k + 1 < t.size()) return t.time_s[k + 1] - t.time_s[k];
  double interval = t.meta.interval_s > 0 ? t.meta.interval_s : traces::median_interval(t.time_s);
  return interval > 0 ? interval : 60.0;
}

double overlap(double a0, double a1, double b0, double b1) {
  return std::max(0.0, std::min(a1, b1) - std::max(a0, b0));
}

// The request rate (or, without one, the total CPU) that stands for the traffic of a trace.
std::vector<double> traffic_of(const traces::Trace& t) {
  if (t.has_request_rate()) return t.request_rate;
  std::vector<double> total(t.size());
  for (std::size_t k = 0; k < t.size(); ++k) {
    total[k] = t.cpu_millicores[k] * (t.has_replicas() ? t.replicas[k] : 1.0);
  }
  return total;
}

double mean_of(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v) sum += x;
  return v.empty() ? 0.0 : sum / static_cast<double>(v.size());
}

// The factors that turn the base's traffic into the shape of another file's request rate.
std::vector<double> traffic_factors(const Scenario& s, const traces::Trace& base) {
  const TrafficShape& shape = *s.traffic;
  const std::string field = "changes.traffic.file";
  traces::Trace other = shape.format == TrafficFormat::kRequests
                            ? traces::read_request_rates(shape.path)
                            : traces::read_history_csv(shape.path);
  if (!other.has_request_rate() || other.empty()) {
    throw traces::InputError(s.file, shape.line, field, shape.path + " has no request rate");
  }
  if (shape.keep_level && !base.has_request_rate()) {
    throw traces::InputError(s.file, shape.line, "changes.traffic.keep_level",
                             "the base has no request rate to compare a level with");
  }

  // The other rate on the base's grid, repeated when shorter.
  // One cycle of the other file lasts until its last sample ends (a day of hourly rows is 24 h,
  // not 23), its last value held to the end.
  const double step = sample_length(base, 0);
  const double cycle_s = other.span_s() + sample_length(other, other.size() - 1);
  std::vector<double> cycle = other.request_rate;
  if (other.size() > 1) {
    cycle = traces::resample(other, step, traces::Aggregation::kMean).request_rate;
    const auto bins = static_cast<std::size_t>(std::max(1.0, std::round(cycle_s / step)));
    cycle.resize(bins, cycle.back());
  }
  std::vector<double> wanted(base.size());
  for (std::size_t k = 0; k < base.size(); ++k) wanted[k] = cycle[k % cycle.size()];

  // Rescaled to the base's level unless asked not to; the factor is new over old, with the old
  // traffic floored at 1 % of its mean so an idle sample does not divide by zero.
  const std::vector<double> old = traffic_of(base);
  const double old_mean = mean_of(old);
  const double wanted_mean = mean_of(wanted);
  if (!(old_mean > 0)) {
    throw traces::InputError(s.file, shape.line, field, "the base trace carries no traffic");
  }
  if (!shape.keep_level && wanted_mean > 0) {
    for (double& w : wanted) w *= old_mean / wanted_mean;
  }
  std::vector<double> factors(base.size());
  for (std::size_t k = 0; k < base.size(); ++k) {
    factors[k] = wanted[k] / std::max(old[k], 0.01 * old_mean);
  }
  return factors;
}

// The base's load before any change.
traces::Trace base_trace(const Scenario& s, const traces::AppSpec& app, std::uint64_t seed) {
  if (s.base.kind == BaseKind::kSynthetic) {
    traces::SyntheticOptions o = traces::synthetic_options_for(app);
    o.seed = seed;
    if (s.duration_s) o.duration_s = *s.duration_s;
    if (o.duration_s < o.step_s) {
      throw traces::InputError(
          s.file, s.duration_line, "duration",
          "shorter than one sample of the synthetic load (" + seconds_text(o.step_s) + ")");
    }
    traces::Trace t = traces::generate_synthetic(o);
    t.meta.name = app.app_name;
    return t;
  }

  // A measured history, cut to the duration when one is given.
  traces::Trace t = s.base.kind == BaseKind::kHistory
                        ? traces::read_history_csv(s.base.history_path)
                        : traces::read_trace(s.base.store_path, s.base.trace_name);
  if (t.empty()) throw traces::InputError(s.file, 0, "base", "the base trace has no samples");
  if (s.duration_s) {
    const double span = t.span_s() + sample_length(t, t.size() - 1);
    if (*s.duration_s > span + 1e-9) {
      throw traces::InputError(s.file, s.duration_line, "duration",
                               "longer than the base trace (" + seconds_text(span) + ")");
    }
    t = traces::slice(t, t.time_s.front(), t.time_s.front() + *s.duration_s);
  }
  return t;
}

// The app spec with the scenario's HPA, SLO and node changes; checked as a whole.
void change_app(const Scenario& s, traces::AppSpec& app) {
  if (s.hpa) {
    const HpaChange& h = *s.hpa;
    if (h.enabled) app.hpa.enabled = *h.enabled;
    if (h.min_replicas) app.hpa.min_replicas = *h.min_replicas;
    if (h.max_replicas) app.hpa.max_replicas = *h.max_replicas;
    if (h.target_utilization) app.hpa.cpu_target_utilization = *h.target_utilization;
    if (!app.hpa.enabled && !h.max_replicas) {
      app.hpa.max_replicas = std::max(app.hpa.max_replicas, app.hpa.min_replicas);
    }
    if (app.hpa.min_replicas > app.hpa.max_replicas) {
      throw traces::InputError(s.file, h.line, "changes.hpa",
                               "min_replicas " + std::to_string(app.hpa.min_replicas) +
                                   " exceeds max_replicas " + std::to_string(app.hpa.max_replicas));
    }
  }
  if (s.slo) {
    if (s.slo->response_time_ms) app.response_time_slo_ms = *s.slo->response_time_ms;
    if (s.slo->percentile) app.slo_percentile = *s.slo->percentile;
  }
  if (s.nodes) {
    // One group replaces them all; what the change leaves out keeps the first group's value.
    traces::NodeGroup g = app.node_groups.empty() ? traces::NodeGroup{} : app.node_groups.front();
    const NodeChange& n = *s.nodes;
    if (n.cpu_millicores) g.cpu_millicores = *n.cpu_millicores;
    if (n.memory_bytes) g.memory_bytes = *n.memory_bytes;
    if (n.count) g.count = *n.count;
    if (n.price_per_hour) g.price_per_hour = *n.price_per_hour;
    app.node_groups = {g};

    // The pod with its sidecars must fit one node, or nothing would ever run.
    double cpu = app.current.requests.cpu_millicores.value_or(0);
    double memory = app.current.requests.memory_bytes.value_or(0);
    for (const auto& sc : app.sidecars) {
      cpu += sc.resources.requests.cpu_millicores.value_or(0);
      memory += sc.resources.requests.memory_bytes.value_or(0);
    }
    if (cpu > g.cpu_millicores || memory > g.memory_bytes) {
      throw traces::InputError(s.file, n.line, "changes.nodes",
                               "the pod's requests (" + traces::format_cpu(cpu) + ", " +
                                   traces::format_memory(memory) + ") do not fit one node");
    }
  }
}

}  // namespace

Scenario parse_scenario(std::string_view yaml_text, const std::string& file_name,
                        const std::string& base_folder) {
  // The YAML itself; a syntax error names its line.
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    throw traces::InputError(file_name, e.mark.is_null() ? 0 : e.mark.line + 1, "", e.msg);
  }
  const Reader r(file_name, base_folder);
  if (!root.IsMap()) {
    r.fail(Field{root, "", line_of(root)}, "a scenario is a map of keys, got " + kind_of(root));
  }

  // Every key in file order; `name` is the one that must be there.
  Scenario s;
  s.file = file_name;
  std::optional<Field> changes;
  for (const auto& [key, field] :
       r.entries(Field{root, "", line_of(root)}, {"name", "description", "base", "duration", "seed",
                                                  "seeds", "decision_interval", "changes"})) {
    if (key == "name") {
      s.name = r.text(field);
      if (!valid_name(s.name)) r.fail(field, "use letters, digits, '-', '_' and '.' only");
    }
    if (key == "description") s.description = r.scalar(field, "text");
    if (key == "base") read_base(r, field, s);
    if (key == "seed") s.seed = static_cast<std::uint64_t>(r.integer(field, 0));
    if (key == "seeds") s.seeds = r.integer(field, 1);
    if (key == "changes") changes = field;
    if (key == "duration") {
      s.duration_s = r.duration(field);
      s.duration_line = field.line;
      if (!(*s.duration_s > 0)) r.fail(field, "must be longer than zero");
    }
    if (key == "decision_interval") {
      s.decision_interval_s = r.duration(field);
      if (!(s.decision_interval_s > 0)) r.fail(field, "must be longer than zero");
    }
  }
  if (s.name.empty()) r.fail(Field{root, "name", line_of(root)}, "a scenario needs a name");
  if (changes) read_changes(r, *changes, s);

  // Spikes inside the replay, when its length is known before reading any trace.
  if (s.duration_s) {
    check_spikes(s, *s.duration_s);
  } else if (s.base.kind == BaseKind::kSynthetic) {
    check_spikes(s, traces::SyntheticOptions{}.duration_s);
  }
  return s;
}

Scenario load_scenario(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw traces::InputError(path, 0, "", "cannot open the scenario file");
  std::ostringstream text;
  text << in.rdbuf();
  const std::filesystem::path folder = std::filesystem::path(path).parent_path();
  return parse_scenario(text.str(), path, folder.empty() ? "." : folder.string());
}

std::uint64_t derive_run_seed(std::uint64_t scenario_seed, int index) {
  // SplitMix64 over the scenario's seed advanced by the run index: well spread, cheap, and the
  // same on every platform.
  std::uint64_t z = scenario_seed + 0x9e3779b97f4a7c15ULL * (static_cast<std::uint64_t>(index) + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::vector<double> spike_factors(const traces::Trace& trace, const std::vector<Spike>& spikes) {
  std::vector<double> factors(trace.size(), 1.0);
  if (trace.empty()) return factors;
  const double t0 = trace.time_s.front();
  for (std::size_t k = 0; k < trace.size(); ++k) {
    // The share of the sample [t, t + step) each spike covers raises it in proportion.
    const double begin = trace.time_s[k] - t0;
    const double length = sample_length(trace, k);
    for (const Spike& s : spikes) {
      const double covered = overlap(begin, begin + length, s.start_s, s.start_s + s.duration_s);
      factors[k] *= 1.0 + (s.factor - 1.0) * covered / length;
    }
  }
  return factors;
}

std::vector<double> weekend_factors(const traces::Trace& trace, double weekend_scale) {
  std::vector<double> factors(trace.size(), 1.0);
  if (weekend_scale == 1.0) return factors;
  for (std::size_t k = 0; k < trace.size(); ++k) {
    // Walk the sample day by day: 1970-01-01 was a Thursday, so (day + 4) mod 7 is 0 on Sundays
    // and 6 on Saturdays.
    const double begin = trace.time_s[k];
    const double end = begin + sample_length(trace, k);
    double weekend = 0;
    for (double day = std::floor(begin / kDay); day * kDay < end; day += 1) {
      const auto weekday = static_cast<long long>(day + 4) % 7;
      const long long wd = weekday < 0 ? weekday + 7 : weekday;
      if (wd == 0 || wd == 6) weekend += overlap(begin, end, day * kDay, (day + 1) * kDay);
    }
    factors[k] = 1.0 + (weekend_scale - 1.0) * weekend / (end - begin);
  }
  return factors;
}

void scale_load(traces::Trace& trace, const std::vector<double>& factors) {
  assert(factors.size() == trace.size() && "one factor per sample");
  const bool any = std::any_of(factors.begin(), factors.end(), [](double f) { return f != 1.0; });
  if (!any) return;
  if (!trace.has_replicas()) trace.replicas.assign(trace.size(), 1.0);

  for (std::size_t k = 0; k < trace.size(); ++k) {
    // Rate and replicas move together so each measured pod keeps its load and usage; below one
    // pod the count stays at one and its CPU carries the change instead.
    const double f = factors[k];
    if (trace.has_request_rate()) trace.request_rate[k] *= f;
    const double pods = trace.replicas[k] * f;
    if (pods >= 1.0) {
      trace.replicas[k] = pods;
    } else {
      const double before = std::max(1.0, trace.replicas[k]);
      if (trace.has_cpu()) trace.cpu_millicores[k] *= before * f;
      trace.replicas[k] = 1.0;
    }
  }
}

void add_memory_leak(traces::Trace& trace, double bytes_per_day) {
  if (trace.empty() || bytes_per_day == 0) return;
  const double t0 = trace.time_s.front();
  for (std::size_t k = 0; k < trace.size(); ++k) {
    trace.memory_bytes[k] += bytes_per_day * (trace.time_s[k] - t0) / kDay;
  }
}

AppliedScenario apply_scenario(const Scenario& s, int seed_index) {
  AppliedScenario out;
  out.name = s.name;
  out.seed = derive_run_seed(s.seed, seed_index);
  out.decision_interval_s = s.decision_interval_s;

  // The base: the app as it is today and its load, then the app's changes.
  traces::AppSpec app =
      s.base.app_path.empty() ? traces::default_app_spec() : traces::load_app_spec(s.base.app_path);
  traces::Trace trace = base_trace(s, app, out.seed);
  if (!s.duration_s) check_spikes(s, trace.span_s() + sample_length(trace, trace.size() - 1));
  change_app(s, app);

  // Load changes, multiplied into one factor per sample.
  std::vector<double> factors(trace.size(), s.load_scale);
  const std::vector<double> spikes = spike_factors(trace, s.spikes);
  const std::vector<double> weekend = weekend_factors(trace, s.weekend_scale);
  for (std::size_t k = 0; k < trace.size(); ++k) factors[k] *= spikes[k] * weekend[k];
  if (s.traffic) {
    const std::vector<double> shape = traffic_factors(s, trace);
    for (std::size_t k = 0; k < trace.size(); ++k) factors[k] *= shape[k];
  }
  scale_load(trace, factors);
  if (s.memory_leak_bytes_per_day > 0) {
    if (!trace.has_memory()) {
      throw traces::InputError(s.file, s.memory_leak_line, "changes.memory_leak_per_day",
                               "the base trace has no memory usage to add a leak to");
    }
    add_memory_leak(trace, s.memory_leak_bytes_per_day);
  }

  // The cluster, with the autoscaler switched as asked.
  out.cluster = sim::cluster_spec_from_app(app);
  if (s.cluster_autoscaler) {
    for (auto& g : out.cluster.groups) {
      g.max_count =
          s.cluster_autoscaler->enabled ? std::max(g.count, s.cluster_autoscaler->max_nodes) : 0;
    }
  }
  out.options.seed = out.seed;
  out.app = std::move(app);
  out.trace = std::move(trace);
  return out;
}

}  // namespace podsizer::scenarios
