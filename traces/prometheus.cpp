#include "traces/prometheus.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <vector>

#include <curl/curl.h>
#include <nlohmann/json.hpp>

#include "traces/errors.h"
#include "traces/log.h"

namespace podsizer::traces {
namespace {

using Json = nlohmann::json;

// One sample of one series; Prometheus timestamps have millisecond precision.
struct Sample {
  std::int64_t time_ms;
  double value;
};

// A query's samples over all its series (and all the requests of a split range).
struct QuerySamples {
  explicit QuerySamples(std::string what_in) : what(std::move(what_in)) {}

  std::string what;    // "cpu", "memory", "request rate": names the query in messages
  std::string origin;  // the first response's origin
  std::vector<Sample> samples;
  std::size_t series = 0;  // the largest series count of one response
  std::size_t nan_skipped = 0;
};

// The sum and count of a query's values at one timestamp.
struct Point {
  std::int64_t time_ms;
  double sum;
  std::size_t count;
};

// 1-based line of byte `offset` (0-based) in `text`.
std::size_t line_at(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  return 1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + offset, '\n'));
}

// nlohmann's message without its "[json.exception.parse_error.101] " prefix.
std::string plain_message(const Json::exception& error) {
  const std::string_view text = error.what();
  const std::size_t end = text.find("] ");
  return std::string(text.substr(end == std::string_view::npos ? 0 : end + 2));
}

// A server's error answer: {"status": "error", "errorType": "bad_data", "error": "..."}.
[[noreturn]] void refuse_error_answer(const std::string& type, const std::string& message,
                                      const std::string& origin, const std::string& what) {
  throw InputError(origin, 0, "status",
                   "Prometheus refused the " + what +
                       " query: " + (type.empty() ? "" : type + ": ") +
                       (message.empty() ? "no message given" : message));
}

// A sample's value, from the API's text: finite, non-negative, or NaN. Returns an empty string
// and sets `value`, or says what is wrong.
std::string parse_value(const std::string& text, double& value) {
  if (text == "NaN") {
    value = std::nan("");
    return "";
  }
  std::string_view digits = text;
  if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) {
    return "expected a number, got \"" + text + "\"";
  }
  if (std::isinf(value)) return "the value " + text + " cannot be a usage or a rate";
  if (value < 0.0) return "the value " + text + " is negative: no usage is";
  return "";
}

// Reads a range-query answer as a stream of JSON events (nlohmann's SAX interface), keeping
// only what a Trace needs, so that no document tree is built: an answer of 50 pods x 11000
// points holds over half a million samples. The envelope (status, errorType, error, warnings,
// data.resultType) is kept for checks after the whole answer was read, since a problem in the
// samples matters only when the server said "success" with a matrix; the first such problem is
// kept with its field path.
class RangeAnswerReader : public nlohmann::json_sax<Json> {
 public:
  explicit RangeAnswerReader(QuerySamples& into) : into_(into) {}

  bool null() override { return scalar("null"); }
  bool boolean(bool) override { return scalar("a boolean"); }
  bool number_integer(number_integer_t value) override {
    return number(static_cast<double>(value));
  }
  bool number_unsigned(number_unsigned_t value) override {
    return number(static_cast<double>(value));
  }
  bool number_float(number_float_t value, const string_t&) override { return number(value); }
  bool binary(binary_t&) override { return scalar("binary"); }

  bool string(string_t& text) override {
    // The hot path: the value of a sample.
    if (top() == Context::kPair) {
      if (pair_position_++ != 1) return problem(pair_field(), "expected [timestamp, \"value\"]");
      double value = 0.0;
      const std::string error = parse_value(text, value);
      if (!error.empty()) return problem(pair_field() + "[1]", error);
      if (std::isnan(value)) {
        ++into_.nan_skipped;
      } else {
        into_.samples.push_back({std::llround(time_s_ * 1000.0), value});
      }
      return true;
    }
    if (top() == Context::kRoot && key_ == "status") status_ = text;
    if (top() == Context::kRoot && key_ == "errorType") error_type_ = text;
    if (top() == Context::kRoot && key_ == "error") error_ = text;
    if (top() == Context::kWarnings) warnings_ += (warnings_.empty() ? "" : "; ") + text;
    if (top() == Context::kData && key_ == "resultType") result_type_ = text;
    return scalar("a string");
  }

  bool start_object(std::size_t) override {
    const Context parent = top();
    if (stack_.empty()) {
      stack_.push_back(Context::kRoot);
      root_is_object_ = true;
    } else if (parent == Context::kRoot && key_ == "data") {
      stack_.push_back(Context::kData);
      data_is_object_ = true;
    } else if (parent == Context::kResult) {
      stack_.push_back(Context::kSeries);
      ++series_;
      series_has_values_ = false;
      samples_in_series_ = -1;
    } else {
      if (parent == Context::kValues) ++samples_in_series_;
      if (parent == Context::kValues || parent == Context::kPair) {
        problem(pair_field(), "expected [timestamp, \"value\"], got an object");
      }
      stack_.push_back(Context::kSkip);
    }
    key_.clear();
    return true;
  }

  bool end_object() override {
    if (top() == Context::kSeries && !series_has_values_) {
      problem(series_field() + ".values", "missing or not a list of samples");
    }
    stack_.pop_back();
    key_.clear();
    return true;
  }

  bool key(string_t& name) override {
    if (top() != Context::kSkip) key_ = name;
    return true;
  }

  bool start_array(std::size_t) override {
    const Context parent = top();
    if (stack_.empty()) {
      stack_.push_back(Context::kSkip);
    } else if (parent == Context::kRoot && key_ == "warnings") {
      stack_.push_back(Context::kWarnings);
    } else if (parent == Context::kData && key_ == "result") {
      stack_.push_back(Context::kResult);
      result_is_array_ = true;
      into_.samples.reserve(into_.samples.size() + 1024);
    } else if (parent == Context::kSeries && key_ == "values") {
      stack_.push_back(Context::kValues);
      series_has_values_ = true;
    } else if (parent == Context::kValues) {
      stack_.push_back(Context::kPair);
      ++samples_in_series_;
      pair_position_ = 0;
    } else {
      if (parent == Context::kPair) problem(pair_field(), "expected [timestamp, \"value\"]");
      stack_.push_back(Context::kSkip);
    }
    return true;
  }

  bool end_array() override {
    if (top() == Context::kPair && pair_position_ != 2) {
      problem(pair_field(), "expected [timestamp, \"value\"]");
    }
    stack_.pop_back();
    return true;
  }

  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& error) override {
    syntax_error_ = plain_message(error);
    syntax_error_byte_ = position > 0 ? position - 1 : 0;
    return false;
  }

  // Checks the envelope, then the samples, in that order; throws the first problem found.
  void finish(const PrometheusResponse& response) const {
    const std::string& origin = response.origin;
    if (!syntax_error_.empty()) {
      throw InputError(origin, line_at(response.body, syntax_error_byte_), "",
                       "malformed JSON: " + syntax_error_);
    }
    if (!root_is_object_) throw InputError(origin, 1, "", "expected a Prometheus API answer");
    if (!status_)
      throw InputError(origin, 0, "status", "missing; is this a Prometheus API answer?");
    if (*status_ == "error") refuse_error_answer(error_type_, error_, origin, into_.what);
    if (*status_ != "success") {
      throw InputError(origin, 0, "status", "expected \"success\", got \"" + *status_ + "\"");
    }
    if (!warnings_.empty()) {
      logger()->warn("{}: Prometheus warns about the {} query: {}", origin, into_.what, warnings_);
    }
    if (!data_is_object_) throw InputError(origin, 0, "data", "missing or not an object");
    if (!result_type_) throw InputError(origin, 0, "data.resultType", "missing");
    if (*result_type_ != "matrix") {
      throw InputError(origin, 0, "data.resultType",
                       "expected \"matrix\" (the answer of /api/v1/query_range), got \"" +
                           *result_type_ + "\"; an instant query holds no history");
    }
    if (!result_is_array_) {
      throw InputError(origin, 0, "data.result", "missing or not a list of series");
    }
    if (!first_problem_field_.empty()) {
      throw InputError(origin, 0, first_problem_field_, first_problem_);
    }
  }

  std::size_t series() const { return static_cast<std::size_t>(series_ + 1); }

 private:
  enum class Context { kRoot, kData, kResult, kSeries, kValues, kPair, kWarnings, kSkip };

  Context top() const { return stack_.empty() ? Context::kSkip : stack_.back(); }

  bool number(double value) {
    if (top() == Context::kPair) {
      if (pair_position_++ != 0) {
        return problem(pair_field() + "[1]", "expected the value as a string such as \"0.25\"");
      }
      time_s_ = value;
      return true;
    }
    return scalar("a number");
  }

  // A scalar where a container belongs.
  bool scalar(const char* what) {
    const Context context = top();
    if (context == Context::kValues) ++samples_in_series_;  // any element takes an index
    if (context == Context::kValues || context == Context::kPair) {
      problem(pair_field(), std::string("expected [timestamp, \"value\"], got ") + what);
    } else if (context == Context::kResult) {
      problem("data.result[" + std::to_string(series_ + 1) + "]", "expected a series object");
    } else if (context == Context::kSeries && key_ == "values") {
      problem(series_field() + ".values", "missing or not a list of samples");
    }
    return true;
  }

  // Keeps the first problem; reading goes on so that the envelope is seen in full.
  bool problem(const std::string& field, const std::string& text) {
    if (first_problem_field_.empty()) {
      first_problem_field_ = field;
      first_problem_ = text;
    }
    return true;
  }

  std::string series_field() const { return "data.result[" + std::to_string(series_) + "]"; }
  std::string pair_field() const {
    return series_field() + ".values[" + std::to_string(samples_in_series_) + "]";
  }

  QuerySamples& into_;
  std::vector<Context> stack_;
  std::string key_;
  std::optional<std::string> status_;
  std::string error_type_;
  std::string error_;
  std::string warnings_;
  std::optional<std::string> result_type_;
  bool root_is_object_ = false;
  bool data_is_object_ = false;
  bool result_is_array_ = false;
  long series_ = -1;  // index of the series being read
  bool series_has_values_ = false;
  long samples_in_series_ = -1;  // index of the sample being read
  int pair_position_ = 0;        // 0 before the timestamp, 1 before the value, 2 after
  double time_s_ = 0.0;
  std::string syntax_error_;
  std::size_t syntax_error_byte_ = 0;
  std::string first_problem_field_;
  std::string first_problem_;
};

// Appends the samples of one range-query answer to `into`.
void append_response(const PrometheusResponse& response, QuerySamples& into) {
  if (into.origin.empty()) into.origin = response.origin;
  RangeAnswerReader reader(into);
  Json::sax_parse(response.body, &reader);
  reader.finish(response);
  into.series = std::max(into.series, reader.series());
}

// Sums a query's samples per timestamp, in time order. Samples are sorted by time and then by
// value, so the sums do not depend on the order in which the server listed its series.
std::vector<Point> sum_per_timestamp(QuerySamples& query) {
  std::sort(query.samples.begin(), query.samples.end(), [](const Sample& a, const Sample& b) {
    return a.time_ms != b.time_ms ? a.time_ms < b.time_ms : a.value < b.value;
  });
  std::vector<Point> points;
  for (const Sample& sample : query.samples) {
    if (points.empty() || points.back().time_ms != sample.time_ms) {
      points.push_back({sample.time_ms, 0.0, 0});
    }
    points.back().sum += sample.value;
    ++points.back().count;
  }
  return points;
}

// How many timestamps the queries have between them.
std::size_t distinct_timestamps(std::initializer_list<const std::vector<Point>*> queries) {
  std::vector<std::int64_t> times;
  for (const auto* points : queries) {
    for (const Point& point : *points) times.push_back(point.time_ms);
  }
  std::sort(times.begin(), times.end());
  return static_cast<std::size_t>(std::unique(times.begin(), times.end()) - times.begin());
}

void note(ReadReport* report, const std::string& warning) {
  logger()->warn("{}", warning);
  if (report) report->warnings.push_back(warning);
}

// Joins the queries' points on timestamp into a Trace; `rate` may be null.
Trace join(QuerySamples& cpu, QuerySamples& memory, QuerySamples* rate, const std::string& name,
           ReadReport* report) {
  // CPU and memory must have answered something to make a history at all.
  for (const QuerySamples* query : {&cpu, &memory}) {
    if (query->series == 0) {
      throw InputError(query->origin, 0, "data.result",
                       "the " + query->what + " query returned no series; check the " +
                           "selector and the time range");
    }
  }
  if (rate && rate->series == 0) {
    note(report, rate->origin +
                     ": the request-rate query returned no series; the trace has "
                     "no request rate");
    rate = nullptr;
  }
  const std::initializer_list<const QuerySamples*> queries = {&cpu, &memory, rate};
  for (const QuerySamples* query : queries) {
    if (query && query->nan_skipped > 0) {
      note(report, query->origin + ": skipped " + std::to_string(query->nan_skipped) +
                       " NaN samples of the " + query->what + " query");
    }
  }

  // A merge join of the sorted timestamps; those missing from a query are dropped.
  const std::vector<Point> cpu_points = sum_per_timestamp(cpu);
  const std::vector<Point> memory_points = sum_per_timestamp(memory);
  const std::vector<Point> rate_points = rate ? sum_per_timestamp(*rate) : std::vector<Point>{};
  Trace trace;
  trace.meta.name = name;
  trace.meta.source = "prometheus:" + cpu.origin;
  const std::size_t capacity = std::min(cpu_points.size(), memory_points.size());
  trace.time_s.reserve(capacity);
  trace.cpu_millicores.reserve(capacity);
  trace.memory_bytes.reserve(capacity);
  trace.replicas.reserve(capacity);
  if (rate) trace.request_rate.reserve(capacity);
  std::size_t m = 0;
  std::size_t r = 0;
  for (const Point& c : cpu_points) {
    while (m < memory_points.size() && memory_points[m].time_ms < c.time_ms) ++m;
    if (m == memory_points.size() || memory_points[m].time_ms != c.time_ms) continue;
    if (rate) {
      while (r < rate_points.size() && rate_points[r].time_ms < c.time_ms) ++r;
      if (r == rate_points.size() || rate_points[r].time_ms != c.time_ms) continue;
      trace.request_rate.push_back(rate_points[r].sum);
    }
    const Point& mem = memory_points[m];
    trace.time_s.push_back(static_cast<double>(c.time_ms) / 1000.0);
    trace.cpu_millicores.push_back(c.sum / static_cast<double>(c.count) * 1000.0);
    trace.memory_bytes.push_back(mem.sum / static_cast<double>(mem.count));
    trace.replicas.push_back(static_cast<double>(c.count));
  }

  // Say what the join left out, and refuse an empty result.
  const std::size_t all = distinct_timestamps({&cpu_points, &memory_points, &rate_points});
  if (trace.size() < all) {
    note(report, cpu.origin + ": dropped " + std::to_string(all - trace.size()) +
                     " timestamps that lacked a " +
                     (rate ? "CPU, memory or request-rate" : "CPU or memory") + " sample");
  }
  if (trace.empty()) {
    throw InputError(cpu.origin, 0, "", "no timestamp has samples of every query");
  }
  trace.meta.interval_s = median_interval(trace.time_s);
  if (report) report->rows = trace.size();
  trace.validate();
  logger()->info("read {} samples of {} from Prometheus ({} pods at most)", trace.size(), name,
                 cpu.series);
  return trace;
}

std::string read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, 0, "", std::string("cannot open: ") + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// libcurl's global state is set up once per process, before the first handle.
void init_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::size_t append_to_string(char* data, std::size_t size, std::size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

// GETs `url`. Connection failures, timeouts and HTTP errors become InputErrors naming the URL;
// a Prometheus error answer (HTTP 400, 422, 503 with a JSON body) keeps its own message.
std::string http_get(const std::string& url, const std::string& what,
                     const PrometheusQueryOptions& options) {
  init_curl_once();
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) throw InputError(url, 0, "", "cannot create an HTTP client (libcurl)");
  std::string body;
  char error_text[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, append_to_string);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, error_text);
  curl_easy_setopt(curl.get(), CURLOPT_CONNECTTIMEOUT, options.connect_timeout_s);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, options.timeout_s);
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_USERAGENT, "podsizer/" PODSIZER_VERSION);

  const CURLcode code = curl_easy_perform(curl.get());
  if (code != CURLE_OK) {
    throw InputError(url, 0, "",
                     std::string("cannot query Prometheus: ") +
                         (error_text[0] ? error_text : curl_easy_strerror(code)));
  }
  long status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) {
    const Json answer = Json::parse(body, nullptr, false);
    if (answer.is_object() && answer.value("status", "") == "error") {
      refuse_error_answer(answer.value("errorType", ""), answer.value("error", ""), url, what);
    }
    throw InputError(
        url, 0, "",
        "Prometheus answered HTTP " + std::to_string(status) + ": " + body.substr(0, 200));
  }
  return body;
}

std::string format_number(double value) {
  char text[32];
  const auto [end, ec] = std::to_chars(text, text + sizeof text, value);
  return std::string(text, end);
}

// The URL of one range query, with the PromQL escaped.
std::string range_query_url(const std::string& base_url, const std::string& promql, double start_s,
                            double end_s, double step_s) {
  init_curl_once();
  std::unique_ptr<char, decltype(&curl_free)> escaped(
      curl_easy_escape(nullptr, promql.c_str(), static_cast<int>(promql.size())), curl_free);
  if (!escaped) throw std::bad_alloc();
  std::string base = base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/api/v1/query_range?query=" + escaped.get() + "&start=" + format_number(start_s) +
         "&end=" + format_number(end_s) + "&step=" + format_number(step_s);
}

// Runs one query over [start, end], split into requests of at most max_points points each.
// Request k covers start + k P step ... start + (k P + P - 1) step, so the pieces follow the one
// grid of the whole range and never overlap.
void run_query(const std::string& base_url, const std::string& promql, double start_s, double end_s,
               double step_s, const PrometheusQueryOptions& options, QuerySamples& into) {
  const auto points = static_cast<long>(std::floor((end_s - start_s) / step_s)) + 1;
  const long per_request = std::max(1L, options.max_points_per_request);
  const long requests = (points + per_request - 1) / per_request;
  logger()->info("querying {} from {} in {} request(s): {}", into.what, base_url, requests, promql);
  for (long k = 0; k < requests; ++k) {
    const double chunk_start = start_s + static_cast<double>(k * per_request) * step_s;
    const double chunk_end =
        std::min(end_s, chunk_start + static_cast<double>(per_request - 1) * step_s);
    const std::string url = range_query_url(base_url, promql, chunk_start, chunk_end, step_s);
    logger()->debug("GET {}", url);
    append_response({http_get(url, into.what, options), url}, into);
  }
}

std::string with_selector(const std::string& metric, const std::string& selector,
                          const std::string& extra) {
  std::string matchers = selector;
  if (!extra.empty()) matchers += (matchers.empty() ? "" : ",") + extra;
  return matchers.empty() ? metric : metric + "{" + matchers + "}";
}

}  // namespace

Trace parse_prometheus(const PrometheusInputs& inputs, const std::string& name,
                       ReadReport* report) {
  QuerySamples cpu("cpu");
  QuerySamples memory("memory");
  QuerySamples rate("request rate");
  append_response(inputs.cpu, cpu);
  append_response(inputs.memory, memory);
  if (inputs.request_rate) append_response(*inputs.request_rate, rate);
  return join(cpu, memory, inputs.request_rate ? &rate : nullptr, name, report);
}

Trace read_prometheus_files(const std::string& cpu_path, const std::string& memory_path,
                            const std::string& request_rate_path, const std::string& name,
                            ReadReport* report) {
  PrometheusInputs inputs;
  inputs.cpu = {read_whole_file(cpu_path), cpu_path};
  inputs.memory = {read_whole_file(memory_path), memory_path};
  if (!request_rate_path.empty()) {
    inputs.request_rate = PrometheusResponse{read_whole_file(request_rate_path), request_rate_path};
  }
  return parse_prometheus(inputs, name, report);
}

PrometheusQueries default_queries(const std::string& selector, const std::string& rate_window) {
  const std::string containers = "container!=\"\",container!=\"POD\"";
  PrometheusQueries queries;
  queries.cpu = "sum by (pod) (rate(" +
                with_selector("container_cpu_usage_seconds_total", selector, containers) + "[" +
                rate_window + "]))";
  queries.memory = "sum by (pod) (" +
                   with_selector("container_memory_working_set_bytes", selector, containers) + ")";
  queries.request_rate =
      "sum(rate(" + with_selector("http_requests_total", selector, "") + "[" + rate_window + "]))";
  return queries;
}

Trace query_prometheus(const std::string& base_url, const PrometheusQueries& queries,
                       double start_s, double end_s, double step_s, const std::string& name,
                       const PrometheusQueryOptions& options, ReadReport* report) {
  // The range must make sense before anything is sent.
  if (!std::isfinite(start_s) || !std::isfinite(end_s) || end_s < start_s) {
    throw InputError(base_url, 0, "end", "the range must end at or after its start");
  }
  if (!std::isfinite(step_s) || step_s <= 0.0) {
    throw InputError(base_url, 0, "step", "must be above 0 seconds");
  }
  if (queries.cpu.empty() || queries.memory.empty()) {
    throw InputError(base_url, 0, "query", "the CPU and memory queries are required");
  }

  QuerySamples cpu("cpu");
  QuerySamples memory("memory");
  QuerySamples rate("request rate");
  run_query(base_url, queries.cpu, start_s, end_s, step_s, options, cpu);
  run_query(base_url, queries.memory, start_s, end_s, step_s, options, memory);
  const bool has_rate = !queries.request_rate.empty();
  if (has_rate) run_query(base_url, queries.request_rate, start_s, end_s, step_s, options, rate);
  Trace trace = join(cpu, memory, has_rate ? &rate : nullptr, name, report);
  trace.meta.source = "prometheus:" + base_url;
  return trace;
}

}  // namespace podsizer::traces
