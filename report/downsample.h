// Thinning a long series for drawing without losing what a reader must see.
//
// A chart is a few hundred pixels wide; a 30-day series sampled every second has 2.6 million
// points. The x range is cut into `columns` equal columns and, within each, only the first, the
// lowest, the highest and the last point are kept, in their original order. The drawn line then
// covers exactly the pixels the full series would (every spike and dip stays visible) with at
// most four points per column. A NaN value (a gap) is kept as a single NaN point so the line
// breaks there. Series no longer than 4 * columns are returned unchanged.
//
// Pure function; thread-safe. Runs in one pass without allocating per point.
#pragma once

#include <span>
#include <vector>

namespace podsizer::report {

struct SamplePoint {
  double time = 0;
  double value = 0;
};

// The points of (times, values) worth drawing over [t0, t1] in `columns` columns.
// REQUIRES: times.size() == values.size(); times non-decreasing; t1 > t0; columns >= 1.
// Points outside [t0, t1] fall into the first or last column.
std::vector<SamplePoint> downsample_for_drawing(std::span<const double> times,
                                                std::span<const double> values, double t0,
                                                double t1, int columns);

}  // namespace podsizer::report
