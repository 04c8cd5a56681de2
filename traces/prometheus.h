// Prometheus: range-query results (the HTTP API's JSON, resultType "matrix") as a Trace.
//
// Three queries make a workload's history: CPU usage rate in cores, memory working set in bytes,
// and optionally a request rate in requests per second. The CPU and memory queries are expected
// to return one series per pod (default_queries() does): at each timestamp their values are
// averaged into per-pod usage, CPU is converted to millicores, and the number of CPU series
// becomes the `replicas` column. Request-rate series are summed into the workload's rate.
// Samples of the queries are joined on their timestamp (a range query evaluates every series on
// the same grid start + k x step); timestamps that lack CPU or memory, or the request rate when
// that query returned series, are dropped and counted in the ReadReport.
//
// Sample values are text in the API ("0.25", "NaN", "+Inf"). A NaN sample (a rate over a range
// with too few samples, a division by zero) carries no measurement and is skipped with a count
// in the report and a warning; an infinite or negative one cannot be a usage and is refused.
// A request-rate query that returns no series leaves the column empty (many applications export
// no request counter); CPU or memory queries that return none are refused.
//
// Errors are InputErrors naming the origin (a file path or the URL asked): malformed JSON with
// its line, a server's `"status": "error"` answer with its errorType and message, an instant
// query's "vector" result, connection failures, timeouts and HTTP errors. The functions are
// plain, reentrant and may run in several threads at once.
#pragma once

#include <optional>
#include <string>

#include "traces/readers.h"
#include "traces/trace.h"

namespace podsizer::traces {

// One range query's JSON body as the server answered it, and where it came from (for errors).
struct PrometheusResponse {
  std::string body;
  std::string origin;  // a file path or a URL
};

struct PrometheusInputs {
  PrometheusResponse cpu;
  PrometheusResponse memory;
  std::optional<PrometheusResponse> request_rate;
};

// Joins the three answers into a Trace named `name`.
Trace parse_prometheus(const PrometheusInputs& inputs, const std::string& name,
                       ReadReport* report = nullptr);

// Reads the answers from files; an empty `request_rate_path` means no request rate.
Trace read_prometheus_files(const std::string& cpu_path, const std::string& memory_path,
                            const std::string& request_rate_path, const std::string& name,
                            ReadReport* report = nullptr);

// The PromQL a live import sends.
struct PrometheusQueries {
  std::string cpu;
  std::string memory;
  std::string request_rate;  // empty: no request rate
};

// Queries for cAdvisor's and an application's usual metrics. `selector` is a label matcher such
// as `namespace="shop",pod=~"checkout-.*"` (empty: every series); `rate_window` is the range of
// rate(), which should span at least four scrape intervals.
//   cpu:     sum by (pod) (rate(container_cpu_usage_seconds_total{SEL,container!="",
//                                container!="POD"}[W]))              cores per pod
//   memory:  sum by (pod) (container_memory_working_set_bytes{SEL,container!="",
//                          container!="POD"})                        bytes per pod
//   request: sum(rate(http_requests_total{SEL}[W]))                  requests/s of the workload
// cAdvisor also exports a pod-level total (container="") and the pause container ("POD"); both
// are left out so that each pod's containers are summed once. To size one container of a pod
// with sidecars, add `container="app"` to the selector.
PrometheusQueries default_queries(const std::string& selector,
                                  const std::string& rate_window = "5m");

struct PrometheusQueryOptions {
  // Prometheus refuses a range query of more than 11000 points per series; longer ranges are
  // split into requests of at most this many points and their answers concatenated.
  long max_points_per_request = 11000;
  long connect_timeout_s = 10;
  long timeout_s = 120;  // for each request
};

// Queries a live server's {base_url}/api/v1/query_range between start and end (Unix seconds,
// both included) every `step_s` seconds.
Trace query_prometheus(const std::string& base_url, const PrometheusQueries& queries,
                       double start_s, double end_s, double step_s, const std::string& name,
                       const PrometheusQueryOptions& options = {}, ReadReport* report = nullptr);

}  // namespace podsizer::traces
