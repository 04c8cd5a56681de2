#include "report/axis.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace podsizer::report {
namespace {

// Slack when dividing by a step, so 0.3 / 0.1 (2.9999999999999996) counts as 3 whole steps.
constexpr double kStepSlack = 1e-9;

// Digits after the point that a step needs: 500 -> 0, 0.5 -> 1, 0.02 -> 2.
int decimals_for(double step) {
  const int exponent = static_cast<int>(std::floor(std::log10(step) + kStepSlack));
  return std::max(0, -exponent);
}

// The 1-2-5 step just below a 1-2-5 step: 1 -> 0.5, 2 -> 1, 5 -> 2 (times its power of ten).
double smaller_nice_step(double step) {
  const double magnitude = std::pow(10.0, std::floor(std::log10(step) + kStepSlack));
  const double mantissa = step / magnitude;
  if (mantissa < 1.5) return magnitude / 2;
  if (mantissa < 3.5) return magnitude;
  return 2 * magnitude;
}

}  // namespace

double nice_step(double raw) {
  if (!(raw > 0) || !std::isfinite(raw)) return 1;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  const double normalised = raw / magnitude;
  // Compare with slack so that a raw step of exactly 2 or 5 units is not pushed to the next.
  if (normalised <= 1 + kStepSlack) return magnitude;
  if (normalised <= 2 + kStepSlack) return 2 * magnitude;
  if (normalised <= 5 + kStepSlack) return 5 * magnitude;
  return 10 * magnitude;
}

Ticks nice_ticks(double lo, double hi, int intervals) {
  // Unusable input falls back to a unit range rather than drawing nothing.
  if (!std::isfinite(lo) || !std::isfinite(hi)) {
    lo = 0;
    hi = 1;
  }
  if (hi < lo) std::swap(lo, hi);
  if (hi == lo) {
    const double half = lo == 0 ? 0.5 : std::fabs(lo) * 0.25;
    lo -= half;
    hi += half;
  }
  intervals = std::max(intervals, 1);

  // Of the nice steps either side of an even split, the one whose whole-step range has the
  // number of intervals closest to the request (ties go to the larger step): data 0..1.01 in
  // five splits gives 0..1.2 by 0.2 (six intervals) rather than 0..1.5 by 0.5 (three).
  const auto intervals_with = [&](double step) {
    return std::ceil(hi / step - kStepSlack) - std::floor(lo / step + kStepSlack);
  };
  const double up = nice_step((hi - lo) / intervals);
  const double down = smaller_nice_step(up);
  Ticks ticks;
  const bool down_is_closer =
      std::fabs(intervals_with(down) - intervals) < std::fabs(intervals_with(up) - intervals);
  ticks.step = down_is_closer ? down : up;
  const double first = std::floor(lo / ticks.step + kStepSlack);
  const double last = std::ceil(hi / ticks.step - kStepSlack);
  ticks.lo = first * ticks.step;
  ticks.hi = last * ticks.step;
  ticks.decimals = decimals_for(ticks.step);
  for (double k = first; k <= last + kStepSlack; k += 1) {
    const double value = k * ticks.step;
    ticks.values.push_back(std::fabs(value) < ticks.step * kStepSlack ? 0.0 : value);
  }
  return ticks;
}

Ticks time_ticks(double lo, double hi, int intervals) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) {
    lo = 0;
    hi = 1;
  }
  if (hi < lo) std::swap(lo, hi);
  if (hi == lo) hi = lo + 1;
  intervals = std::max(intervals, 1);

  // Clock and calendar spacings first; beyond a week, 1-2-5 multiples of a week.
  static constexpr std::array<double, 20> kSpacings = {
      1,   2,    5,    10,   15,    30,    60,    120,   300,    600,
      900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800};
  const double raw = (hi - lo) / intervals;
  Ticks ticks;
  ticks.step = kSpacings.back() * nice_step(raw / kSpacings.back());
  for (const double spacing : kSpacings) {
    if (spacing >= raw) {
      ticks.step = spacing;
      break;
    }
  }
  // Sub-second spans fall back to plain 1-2-5 steps.
  if (raw < 1) ticks.step = nice_step(raw);

  // Ticks sit at whole multiples of the step inside the data's range.
  ticks.lo = lo;
  ticks.hi = hi;
  ticks.decimals = decimals_for(ticks.step);
  const double first = std::ceil(lo / ticks.step - kStepSlack);
  const double last = std::floor(hi / ticks.step + kStepSlack);
  for (double k = first; k <= last; k += 1) ticks.values.push_back(k * ticks.step);
  return ticks;
}

AxisScale axis_scale(Unit unit, double max_abs) {
  switch (unit) {
    case Unit::kMillicores:
      if (max_abs >= 2000) return {1000, "cores"};
      return {1, "millicores"};
    case Unit::kBytes: {
      static constexpr std::array<const char*, 5> kNames = {"KiB", "MiB", "GiB", "TiB", "PiB"};
      AxisScale scale{1, "bytes"};
      double divisor = 1024;
      for (const char* name : kNames) {
        if (max_abs < divisor) break;
        scale = {divisor, name};
        divisor *= 1024;
      }
      return scale;
    }
    case Unit::kMilliseconds:
      if (max_abs >= 10000) return {1000, "s"};
      return {1, "ms"};
    case Unit::kSeconds:
      if (max_abs >= 7200) return {3600, "h"};
      if (max_abs >= 120) return {60, "min"};
      return {1, "s"};
    case Unit::kPercent:
      return {1, "%"};
    case Unit::kDollars:
      return {1, "$"};
    case Unit::kReplicas:
      return {1, "replicas"};
    case Unit::kCount:
    case Unit::kNumber:
      return {1, ""};
  }
  return {1, ""};
}

}  // namespace podsizer::report
