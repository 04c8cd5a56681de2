#include "traces/window_stats.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace podsizer::traces {
namespace {

// A block splits in two past twice this size, and merges into a neighbour when it shrinks
// below a quarter of it, so blocks stay between kBlock / 4 and 2 x kBlock values.
constexpr std::size_t kBlock = 256;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

}  // namespace

WindowStats::WindowStats(double window_s) : window_s_(window_s) {
  if (!(window_s > 0.0)) throw std::invalid_argument("window must be positive");
}

void WindowStats::add(double time_s, double value) {
  assert((arrivals_.empty() || time_s >= arrivals_.back().first) && "samples arrive in order");
  arrivals_.emplace_back(time_s, value);
  insert_sorted(value);
  sum_ += value;
  advance(time_s);
}

void WindowStats::advance(double time_s) {
  while (!arrivals_.empty() && arrivals_.front().first <= time_s - window_s_) {
    const double value = arrivals_.front().second;
    arrivals_.pop_front();
    erase_sorted(value);
    sum_ -= value;
  }
  // Rounding drifts in a running sum; an empty window resets it exactly.
  if (arrivals_.empty()) sum_ = 0.0;
}

void WindowStats::clear() {
  arrivals_.clear();
  blocks_.clear();
  count_ = 0;
  sum_ = 0.0;
}

void WindowStats::insert_sorted(double value) {
  ++count_;
  if (blocks_.empty()) {
    blocks_.push_back({value});
    return;
  }
  // The first block whose largest value is not below `value`; past the end, the last block.
  auto block = std::partition_point(blocks_.begin(), blocks_.end(),
                                    [&](const std::vector<double>& b) { return b.back() < value; });
  if (block == blocks_.end()) --block;
  block->insert(std::upper_bound(block->begin(), block->end(), value), value);

  // Keep blocks short so that an insertion moves little memory.
  if (block->size() > 2 * kBlock) {
    std::vector<double> upper(block->begin() + kBlock, block->end());
    block->resize(kBlock);
    blocks_.insert(block + 1, std::move(upper));
  }
}

void WindowStats::erase_sorted(double value) {
  auto block = std::partition_point(blocks_.begin(), blocks_.end(),
                                    [&](const std::vector<double>& b) { return b.back() < value; });
  assert(block != blocks_.end() && "an evicted value is still held");
  auto it = std::lower_bound(block->begin(), block->end(), value);
  assert(it != block->end() && *it == value && "an evicted value is still held");
  block->erase(it);
  --count_;

  // Drop an empty block; fold a small one into its neighbour so the block count stays near
  // count / kBlock and percentile walks stay short.
  if (block->empty()) {
    blocks_.erase(block);
    return;
  }
  if (block->size() < kBlock / 4 && blocks_.size() > 1) {
    auto left = block == blocks_.begin() ? block : block - 1;
    auto right = left + 1;
    if (left->size() + right->size() <= 2 * kBlock) {
      left->insert(left->end(), right->begin(), right->end());
      blocks_.erase(right);
    }
  }
}

double WindowStats::nth(std::size_t rank) const {
  for (const std::vector<double>& block : blocks_) {
    if (rank < block.size()) return block[rank];
    rank -= block.size();
  }
  assert(false && "rank below count()");
  return kNaN;
}

double WindowStats::percentile(double p) const {
  if (count_ == 0) return kNaN;
  p = std::clamp(p, 0.0, 1.0);
  const double rank = p * static_cast<double>(count_ - 1);
  const auto below = static_cast<std::size_t>(std::floor(rank));
  const double fraction = rank - static_cast<double>(below);
  const double low = nth(below);
  if (below + 1 >= count_ || fraction == 0.0) return low;
  return low + fraction * (nth(below + 1) - low);
}

double WindowStats::max() const { return count_ == 0 ? kNaN : blocks_.back().back(); }

double WindowStats::min() const { return count_ == 0 ? kNaN : blocks_.front().front(); }

double WindowStats::mean() const { return count_ == 0 ? kNaN : sum_ / static_cast<double>(count_); }

}  // namespace podsizer::traces
