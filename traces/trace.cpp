#include "traces/trace.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace podsizer::traces {
namespace {

void check_column(const std::vector<double>& column, std::size_t rows, const char* name) {
  if (!column.empty() && column.size() != rows) {
    throw std::invalid_argument(std::string("trace column '") + name + "' has " +
                                std::to_string(column.size()) + " values for " +
                                std::to_string(rows) + " timestamps");
  }
}

// Accumulates one value column over a resampling bin.
struct BinAccumulator {
  double sum = 0.0;
  double peak = -std::numeric_limits<double>::infinity();

  void add(double value) {
    sum += value;
    peak = std::max(peak, value);
  }
  double result(Aggregation aggregation, std::size_t count) const {
    return aggregation == Aggregation::kMax ? peak : sum / static_cast<double>(count);
  }
};

}  // namespace

double Trace::span_s() const { return size() < 2 ? 0.0 : time_s.back() - time_s.front(); }

void Trace::validate() const {
  check_column(cpu_millicores, size(), "cpu_millicores");
  check_column(memory_bytes, size(), "memory_bytes");
  check_column(request_rate, size(), "request_rate");
  check_column(replicas, size(), "replicas");
  for (std::size_t i = 1; i < size(); ++i) {
    if (!(time_s[i] > time_s[i - 1])) {
      throw std::invalid_argument("trace timestamps are not strictly increasing at sample " +
                                  std::to_string(i));
    }
  }
}

double median_interval(const std::vector<double>& time_s) {
  if (time_s.size() < 2) return 0.0;
  std::vector<double> gaps(time_s.size() - 1);
  for (std::size_t i = 1; i < time_s.size(); ++i) gaps[i - 1] = time_s[i] - time_s[i - 1];
  auto middle = gaps.begin() + static_cast<std::ptrdiff_t>(gaps.size() / 2);
  std::nth_element(gaps.begin(), middle, gaps.end());
  return *middle;
}

Trace resample(const Trace& trace, double step_s, Aggregation aggregation) {
  if (!(step_s > 0.0)) throw std::invalid_argument("resample step must be positive");
  Trace out;
  out.meta = trace.meta;
  out.meta.interval_s = step_s;
  if (trace.empty()) return out;

  const double start = trace.time_s.front();
  const auto bins = static_cast<std::size_t>(std::floor(trace.span_s() / step_s)) + 1;
  out.time_s.resize(bins);
  for (std::size_t b = 0; b < bins; ++b) out.time_s[b] = start + static_cast<double>(b) * step_s;

  // The value columns present in the input, each resampled the same way.
  struct Column {
    const std::vector<double>* in;
    std::vector<double>* out;
    Aggregation aggregation;
  };
  std::vector<Column> columns;
  if (trace.has_cpu()) columns.push_back({&trace.cpu_millicores, &out.cpu_millicores, aggregation});
  if (trace.has_memory()) columns.push_back({&trace.memory_bytes, &out.memory_bytes, aggregation});
  if (trace.has_request_rate()) {
    columns.push_back({&trace.request_rate, &out.request_rate, aggregation});
  }
  if (trace.has_replicas()) columns.push_back({&trace.replicas, &out.replicas, Aggregation::kMean});

  for (const Column& column : columns) {
    column.out->assign(bins, 0.0);
    std::size_t i = 0;
    for (std::size_t b = 0; b < bins; ++b) {
      const double bin_end = out.time_s[b] + step_s;
      BinAccumulator acc;
      std::size_t count = 0;
      while (i < trace.size() && trace.time_s[i] < bin_end) {
        acc.add((*column.in)[i]);
        ++count;
        ++i;
      }
      // An empty bin repeats the last known value; the first bin always holds a sample.
      (*column.out)[b] = count > 0 ? acc.result(column.aggregation, count) : (*column.out)[b - 1];
    }
  }
  return out;
}

Trace slice(const Trace& trace, double begin_s, double end_s) {
  const auto first = std::lower_bound(trace.time_s.begin(), trace.time_s.end(), begin_s);
  const auto last = std::lower_bound(first, trace.time_s.end(), end_s);
  const auto from = static_cast<std::size_t>(first - trace.time_s.begin());
  const auto to = static_cast<std::size_t>(last - trace.time_s.begin());

  auto cut = [&](const std::vector<double>& column) {
    if (column.empty()) return std::vector<double>{};
    return std::vector<double>(column.begin() + static_cast<std::ptrdiff_t>(from),
                               column.begin() + static_cast<std::ptrdiff_t>(to));
  };
  Trace out;
  out.meta = trace.meta;
  out.time_s = cut(trace.time_s);
  out.cpu_millicores = cut(trace.cpu_millicores);
  out.memory_bytes = cut(trace.memory_bytes);
  out.request_rate = cut(trace.request_rate);
  out.replicas = cut(trace.replicas);
  return out;
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  p = std::clamp(p, 0.0, 1.0);
  const double rank = p * static_cast<double>(values.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(rank));
  const double fraction = rank - static_cast<double>(below);
  auto nth = values.begin() + static_cast<std::ptrdiff_t>(below);
  std::nth_element(values.begin(), nth, values.end());
  const double low = *nth;
  if (fraction == 0.0 || below + 1 >= values.size()) return low;
  const double high = *std::min_element(nth + 1, values.end());
  return low + fraction * (high - low);
}

}  // namespace podsizer::traces
