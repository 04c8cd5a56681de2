#include "traces/window_stats.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace podsizer::traces {

WindowStats::WindowStats(double window_s) : window_s_(window_s) {
  if (!(window_s > 0.0)) throw std::invalid_argument("window must be positive");
}

void WindowStats::add(double time_s, double value) {
  assert((arrivals_.empty() || time_s >= arrivals_.back().first) && "samples arrive in order");
  arrivals_.emplace_back(time_s, value);
  sorted_.insert(std::upper_bound(sorted_.begin(), sorted_.end(), value), value);
  sum_ += value;
  advance(time_s);
}

void WindowStats::advance(double time_s) {
  while (!arrivals_.empty() && arrivals_.front().first <= time_s - window_s_) {
    const double value = arrivals_.front().second;
    arrivals_.pop_front();
    sorted_.erase(std::lower_bound(sorted_.begin(), sorted_.end(), value));
    sum_ -= value;
  }
  // Rounding drifts in a running sum; an empty window resets it exactly.
  if (arrivals_.empty()) sum_ = 0.0;
}

void WindowStats::clear() {
  arrivals_.clear();
  sorted_.clear();
  sum_ = 0.0;
}

double WindowStats::percentile(double p) const {
  if (sorted_.empty()) return std::numeric_limits<double>::quiet_NaN();
  p = std::clamp(p, 0.0, 1.0);
  const double rank = p * static_cast<double>(sorted_.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(rank));
  const double fraction = rank - static_cast<double>(below);
  if (below + 1 >= sorted_.size()) return sorted_[below];
  return sorted_[below] + fraction * (sorted_[below + 1] - sorted_[below]);
}

double WindowStats::max() const {
  return sorted_.empty() ? std::numeric_limits<double>::quiet_NaN() : sorted_.back();
}

double WindowStats::min() const {
  return sorted_.empty() ? std::numeric_limits<double>::quiet_NaN() : sorted_.front();
}

double WindowStats::mean() const {
  return sorted_.empty() ? std::numeric_limits<double>::quiet_NaN()
                         : sum_ / static_cast<double>(sorted_.size());
}

}  // namespace podsizer::traces
