// Putting the rows a reader collected into the order a Trace requires.
//
// Real exports are not always in time order and sometimes repeat a timestamp (a scrape
// retried, a stretch of a log written twice). The readers keep every row as read, then call
// sort_and_merge once: rows are sorted by time, stably, and rows that share a timestamp become
// one row holding the mean of their values. NaN in a value column stands for "no value" and is
// left out of that mean. Pure functions over the caller's vectors; not synchronised.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "traces/readers.h"

namespace podsizer::traces {

// What sort_and_merge changed.
struct RowRepairs {
  std::size_t reordered = 0;  // rows that came after a row with a later timestamp
  std::size_t merged = 0;     // rows folded into an earlier row with the same timestamp
};

// Sorts `time_s` ascending (stable) and every column in `columns` with it, then merges equal
// timestamps. REQUIRES: every column has time_s.size() values.
RowRepairs sort_and_merge(std::vector<double>& time_s,
                          const std::vector<std::vector<double>*>& columns);

// Adds `repairs` to `report` (when given) and logs one warning per kind of repair on the
// "traces" logger, counting the rows concerned, so a user learns their file was changed.
void note_repairs(const std::string& file, const RowRepairs& repairs, ReadReport* report);

// Adds `message` to the report's warnings (when given) and logs it as a warning.
void note_warning(const std::string& message, ReadReport* report);

// Warns that `file` does not end with a line break: a file cut inside its last number cannot be
// told from a whole one, so the user is told to look.
void note_missing_line_end(const std::string& file, ReadReport* report);

}  // namespace podsizer::traces
