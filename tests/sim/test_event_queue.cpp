#include <catch2/catch.hpp>

#include "sim/event_queue.h"

using podsizer::sim::EventKind;
using podsizer::sim::EventQueue;

TEST_CASE("sim::EventQueue: orders by time, then kind, then insertion", "[sim]") {
  EventQueue q;
  // Pushed out of order on purpose: at t = 5 a metrics collection (kind 7), a trace sample
  // (kind 1) and another collection; at t = 2 an HPA sync; at t = 5 an interval end (kind 0).
  q.push(5.0, EventKind::kMetricsCollect, 1);
  q.push(5.0, EventKind::kTraceSample, 2);
  q.push(2.0, EventKind::kHpaSync, 3);
  q.push(5.0, EventKind::kMetricsCollect, 4);
  q.push(5.0, EventKind::kIntervalEnd, 5);

  // Expected: t = 2 first; then at t = 5 kind 0 (interval end), kind 1 (sample), and the two
  // collections in the order they were pushed (a = 1 before a = 4).
  std::vector<std::uint32_t> order;
  while (!q.empty()) order.push_back(q.pop().a);
  CHECK(order == std::vector<std::uint32_t>{3, 5, 2, 1, 4});
}

TEST_CASE("sim::EventQueue: many events come out sorted", "[sim]") {
  EventQueue q;
  // Times 0..99 pushed in a scrambled order (multiplying by 37 mod 100 visits every value once).
  for (int i = 0; i < 100; ++i) q.push((i * 37) % 100, EventKind::kTraceSample, i);
  double last = -1;
  int n = 0;
  while (!q.empty()) {
    auto e = q.pop();
    CHECK(e.time_s >= last);
    last = e.time_s;
    ++n;
  }
  CHECK(n == 100);
}
