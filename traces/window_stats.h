// Statistics over a sliding time window that are cheap to update as samples arrive.
//
// WindowStats keeps the samples whose time lies in (now - window, now]. Their values are also
// kept in order, as a run of sorted blocks of at most a few hundred values each, so that adding
// or dropping a sample moves at most one block's worth of memory however long the window is
// (a 14-day window of 15 s samples holds 80 000 values). Minimum, maximum and mean are O(1); a
// percentile walks the blocks' sizes, O(n / block). A controller or a feature extractor calls
// add() once per sample and reads percentiles at will. Not synchronised.
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

  std::size_t count() const { return count_; }
  bool empty() const { return count_ == 0; }
  double window_s() const { return window_s_; }

  // Quantile by linear interpolation between ranks, as traces::percentile. NaN when empty.
  double percentile(double p) const;
  double max() const;
  double min() const;
  double mean() const;

 private:
  void insert_sorted(double value);
  void erase_sorted(double value);
  double nth(std::size_t rank) const;  // REQUIRES: rank < count()

  double window_s_;
  std::deque<std::pair<double, double>> arrivals_;  // (time, value) in time order
  // The same values, ascending across and within blocks; no block is empty.
  std::vector<std::vector<double>> blocks_;
  std::size_t count_ = 0;
  double sum_ = 0.0;
};

}  // namespace podsizer::traces
