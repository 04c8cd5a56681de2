#include "sim/event_queue.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace podsizer::sim {

namespace {

// std::push_heap builds a max-heap for its comparator, so the comparator is reversed to keep the
// earliest event on top. A function object (not a function pointer) lets the compiler inline it.
struct HeapAfter {
  bool operator()(const Event& x, const Event& y) const { return event_before(y, x); }
};

}  // namespace

void EventQueue::push(double time_s, EventKind kind, std::uint32_t a, std::uint32_t b) {
  assert(std::isfinite(time_s) && "an event needs a finite time");
  heap_.push_back(Event{time_s, kind, a, b, next_sequence_++});
  std::push_heap(heap_.begin(), heap_.end(), HeapAfter{});
}

Event EventQueue::pop() {
  assert(!heap_.empty() && "pop() on an empty event queue");
  std::pop_heap(heap_.begin(), heap_.end(), HeapAfter{});
  Event event = heap_.back();
  heap_.pop_back();
  return event;
}

void EventQueue::clear() {
  heap_.clear();
  next_sequence_ = 0;
}

}  // namespace podsizer::sim
