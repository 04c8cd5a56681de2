#include "traces/row_repair.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <numeric>

#include "traces/log.h"

namespace podsizer::traces {
namespace {

// Rearranges `column` so that its i-th value becomes the old value at order[i].
void permute(std::vector<double>& column, const std::vector<std::size_t>& order) {
  std::vector<double> moved(column.size());
  for (std::size_t i = 0; i < order.size(); ++i) moved[i] = column[order[i]];
  column.swap(moved);
}

// The mean of values[begin, end) that are not NaN; NaN when all of them are.
double mean_of_present(const std::vector<double>& values, std::size_t begin, std::size_t end) {
  double sum = 0.0;
  std::size_t count = 0;
  for (std::size_t i = begin; i < end; ++i) {
    if (std::isnan(values[i])) continue;
    sum += values[i];
    ++count;
  }
  return count == 0 ? std::nan("") : sum / static_cast<double>(count);
}

}  // namespace

RowRepairs sort_and_merge(std::vector<double>& time_s,
                          const std::vector<std::vector<double>*>& columns) {
  for ([[maybe_unused]] const auto* column : columns) {
    assert(column->size() == time_s.size() && "every column needs one value per timestamp");
  }
  RowRepairs repairs;
  const std::size_t rows = time_s.size();

  // Count the rows that arrive after a later one; none means the file is already in order,
  // the common case, which then costs one pass.
  double latest = -INFINITY;
  for (double t : time_s) {
    if (t < latest) ++repairs.reordered;
    latest = std::max(latest, t);
  }
  if (repairs.reordered > 0) {
    std::vector<std::size_t> order(rows);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return time_s[a] < time_s[b]; });
    permute(time_s, order);
    for (auto* column : columns) permute(*column, order);
  }

  // Merge each run of equal timestamps into its first row, compacting in place.
  bool any_equal = false;
  for (std::size_t i = 1; i < rows && !any_equal; ++i) any_equal = time_s[i] == time_s[i - 1];
  if (!any_equal) return repairs;

  std::size_t kept = 0;
  for (std::size_t begin = 0; begin < rows;) {
    std::size_t end = begin + 1;
    while (end < rows && time_s[end] == time_s[begin]) ++end;
    time_s[kept] = time_s[begin];
    for (auto* column : columns) {
      (*column)[kept] = end - begin == 1 ? (*column)[begin] : mean_of_present(*column, begin, end);
    }
    repairs.merged += end - begin - 1;
    ++kept;
    begin = end;
  }
  time_s.resize(kept);
  for (auto* column : columns) column->resize(kept);
  return repairs;
}

void note_warning(const std::string& message, ReadReport* report) {
  logger()->warn("{}", message);
  if (report != nullptr) report->warnings.push_back(message);
}

void note_repairs(const std::string& file, const RowRepairs& repairs, ReadReport* report) {
  if (report != nullptr) {
    report->rows_reordered += repairs.reordered;
    report->duplicates_merged += repairs.merged;
  }
  if (repairs.reordered > 0) {
    note_warning(file + ": " + std::to_string(repairs.reordered) +
                     " rows were out of time order; sorted them by timestamp",
                 report);
  }
  if (repairs.merged > 0) {
    note_warning(file + ": " + std::to_string(repairs.merged) +
                     " rows repeated an earlier timestamp; merged each into one row holding "
                     "the mean of their values",
                 report);
  }
}

void note_missing_line_end(const std::string& file, ReadReport* report) {
  note_warning(file +
                   ": the last line has no line break; if the file was cut short, its last "
                   "value may be incomplete",
               report);
}

}  // namespace podsizer::traces
