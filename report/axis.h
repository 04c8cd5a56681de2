// Axis ranges and tick marks that a reader can take in at a glance.
//
// Value axes use the 1-2-5 rule: the tick spacing is 1, 2 or 5 times a power of ten, and the
// axis is widened to whole multiples of it. Of the two such spacings either side of an even
// split of the data, the one giving the number of intervals closest to the request wins, ties
// to the larger (data 0..1234 in five intervals -> 0, 500, 1000, 1500, since 200 would need
// seven; data 0..1.01 -> 0, 0.2, ..., 1.2, since 0.5 would leave only three).
// Time axes step through spacings a clock or calendar uses (1 s ... 30 s, 1 min ... 30 min,
// 1 h, 2 h, 3 h, 6 h, 12 h, 1 d, 2 d, 7 d, then 1-2-5 multiples of a week) and keep the data's
// range, with ticks at whole multiples of the spacing (midnights UTC for day spacings).
// Values are scaled to a display unit first (bytes -> GiB, millicores -> cores) so that the
// ticks are round numbers in the unit the reader sees. Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "report/report_model.h"

namespace podsizer::report {

struct Ticks {
  double lo = 0;  // axis range; covers the data
  double hi = 1;
  double step = 1;
  std::vector<double> values;  // tick positions from lo to hi
  int decimals = 0;            // digits after the point that tell the ticks apart
};

// The smallest 1, 2 or 5 times a power of ten that is at least `raw` (> 0): 0.3 -> 0.5,
// 246.8 -> 500, 1000 -> 1000.
double nice_step(double raw);

// Ticks for values in [lo, hi] in about `intervals` intervals (>= 1), range widened to whole
// steps. An empty range (lo == hi) is widened around the value; non-finite input gives [0, 1].
Ticks nice_ticks(double lo, double hi, int intervals);

// Ticks for times in seconds in [lo, hi], at most about `intervals` of them, range unchanged.
Ticks time_ticks(double lo, double hi, int intervals);

// How values of a unit are shown on an axis: divided by `divisor`, with `label` in the title.
struct AxisScale {
  double divisor = 1;
  std::string label;  // "GiB", "cores", "ms"; empty for plain numbers
};

// The display unit for an axis whose largest absolute value is `max_abs` (base units):
// millicores become cores from 2000m, bytes the largest binary unit not above the maximum,
// milliseconds seconds from 10 s, seconds minutes from 2 min and hours from 2 h.
AxisScale axis_scale(Unit unit, double max_abs);

}  // namespace podsizer::report
