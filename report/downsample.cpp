#include "report/downsample.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>
#include <cstddef>

namespace podsizer::report {
namespace {

// The indices worth keeping from one column's run of finite points.
struct ColumnRun {
  std::size_t first = 0;
  std::size_t low = 0;
  std::size_t high = 0;
  std::size_t last = 0;
  bool open = false;

  void start(std::size_t i) {
    first = low = high = last = i;
    open = true;
  }
};

// Appends the run's kept points in index order, each once.
void flush(ColumnRun& run, std::span<const double> times, std::span<const double> values,
           std::vector<SamplePoint>& out) {
  if (!run.open) return;
  std::array<std::size_t, 4> kept = {run.first, run.low, run.high, run.last};
  std::sort(kept.begin(), kept.end());
  const auto end = std::unique(kept.begin(), kept.end());
  for (auto it = kept.begin(); it != end; ++it) out.push_back({times[*it], values[*it]});
  run.open = false;
}

}  // namespace

std::vector<SamplePoint> downsample_for_drawing(std::span<const double> times,
                                                std::span<const double> values, double t0,
                                                double t1, int columns) {
  assert(times.size() == values.size() && "every time needs a value");
  assert(t1 > t0 && columns >= 1 && "the drawing range must be non-empty");
  const std::size_t n = std::min(times.size(), values.size());
  std::vector<SamplePoint> out;

  // Short series are drawn as they are.
  if (n <= 4 * static_cast<std::size_t>(columns)) {
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) out.push_back({times[i], values[i]});
    return out;
  }

  // One pass: track the current column's run and flush it when the column changes or a gap
  // interrupts it, so that gaps keep their position between the points around them.
  out.reserve(4 * static_cast<std::size_t>(columns) + 16);
  const double per_second = columns / (t1 - t0);
  ColumnRun run;
  long column = -1;
  bool last_was_gap = false;
  for (std::size_t i = 0; i < n; ++i) {
    const double value = values[i];
    if (std::isnan(value)) {
      flush(run, times, values, out);
      if (!last_was_gap) out.push_back({times[i], value});
      last_was_gap = true;
      continue;
    }
    last_was_gap = false;

    const double position = std::clamp((times[i] - t0) * per_second, 0.0, columns - 1.0);
    const long here = static_cast<long>(position);
    if (!run.open || here != column) {
      flush(run, times, values, out);
      run.start(i);
      column = here;
      continue;
    }
    run.last = i;
    if (value < values[run.low]) run.low = i;
    if (value > values[run.high]) run.high = i;
  }
  flush(run, times, values, out);
  return out;
}

}  // namespace podsizer::report
