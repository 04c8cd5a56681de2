// Prometheus: range-query results (the HTTP API's JSON, resultType "matrix") as a Trace.
//
// Three queries make a workload's history: CPU usage rate in cores, memory working set in bytes,
// and optionally a request rate. When a query returns several series (one per pod) their values
// at each timestamp are averaged into per-pod usage and the series count becomes the `replicas`
// column; request-rate series are summed. Samples of the three queries are joined on timestamp.
#pragma once

#include <optional>
#include <string>

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
Trace parse_prometheus(const PrometheusInputs& inputs, const std::string& name);

// Reads the answers from files.
Trace read_prometheus_files(const std::string& cpu_path, const std::string& memory_path,
                            const std::string& request_rate_path, const std::string& name);

// The PromQL a live import sends; `selector` is a label matcher such as
// `namespace="shop",pod=~"checkout-.*"`.
struct PrometheusQueries {
  std::string cpu;
  std::string memory;
  std::string request_rate;  // empty: no request rate
};
PrometheusQueries default_queries(const std::string& selector);

// Queries a live server's /api/v1/query_range between start and end (Unix seconds) at `step_s`.
Trace query_prometheus(const std::string& base_url, const PrometheusQueries& queries,
                       double start_s, double end_s, double step_s, const std::string& name);

}  // namespace podsizer::traces
