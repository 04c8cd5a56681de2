// Statistics over a sliding time window that are cheap to update as samples arrive.
//
// WindowStats keeps the samples whose time lies in (now - window, now]. Adding a sample costs
// O(log n) to find its rank plus a memmove of the sorted copy; every query is O(1). A controller
// or a feature extractor calls add() once per sample and reads percentiles at will.
// Not synchronised.
#pragma once

#include <cstddef>
#include <deque>
#include <utility>
#include <vector>

namespace podsizer::traces {

class WindowStats {
 public:
  // REQUIRES: window_s > 0.
  explicit WindowStats(double window_s);

  // Adds a sample and drops those that fell out of the window. REQUIRES: time_s is not earlier
  // than the previous sample's.
  void add(double time_s, double value);

  // Drops samples older than the window as seen at `time_s`, without adding one.
  void advance(double time_s);

  void clear();

  std::size_t count() const { return sorted_.size(); }
  bool empty() const { return sorted_.empty(); }
  double window_s() const { return window_s_; }

  // Quantile by linear interpolation between ranks, as traces::percentile. NaN when empty.
  double percentile(double p) const;
  double max() const;
  double min() const;
  double mean() const;

 private:
  double window_s_;
  std::deque<std::pair<double, double>> arrivals_;  // (time, value) in time order
  std::vector<double> sorted_;                       // the same values, ascending
  double sum_ = 0.0;
};

}  // namespace podsizer::traces
