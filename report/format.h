// Text for a page: escaping, numbers, units, durations and dates.
//
// Every function here is pure and locale-independent (numbers go through std::to_chars, so a
// German locale never turns "1.5" into "1,5"), which keeps reports byte-for-byte reproducible.
// Numbers read the English way: "," groups thousands, "." is the decimal point.
// Non-finite numbers format as "–" (an en dash), never as "nan" or "inf". Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "report/report_model.h"

namespace podsizer::report {

// Text made safe inside HTML or XML, both as element content and as a quoted attribute value:
// & < > " ' become entities, control characters other than tab, newline and carriage return are
// dropped (XML forbids them) and bytes that are not valid UTF-8 become U+FFFD.
std::string escape_text(std::string_view text);

// `value` with exactly `decimals` digits after the point and "," between thousands:
// (1234.5, 1) -> "1,234.5"; (-0.04, 1) -> "0.0", never "-0.0".
std::string format_fixed(double value, int decimals);

// `value` with three significant digits but never fewer than its whole part, trailing zeros
// dropped: 1234.6 -> "1,235", 12.345 -> "12.3", 0.012345 -> "0.0123", 2.50 -> "2.5".
std::string format_readable(double value);

// `value` (in the base unit of `unit`) for a reader, with its unit: 250 millicores -> "250m",
// 1500 -> "1.5 cores"; 1.5 GiB -> "1.5 GiB"; 180 ms -> "180 ms"; 12.5 percent -> "12.5 %";
// 1234.6 dollars -> "$1,235"; 90 seconds -> "1m 30s".
std::string format_value(double value, Unit unit);

// As format_value, but CPU and memory the way a Kubernetes manifest writes them
// (traces/quantity.h: 1500 millicores -> "1500m", 1.5 GiB -> "1536Mi"). Other units as
// format_value.
std::string format_kubernetes(double value, Unit unit);

// A duration in at most its two largest units: 0 -> "0", 45 -> "45s", 90 -> "1m 30s",
// 5400 -> "1h 30m", 129600 -> "1d 12h"; below a minute fractions keep three digits ("4.5s").
std::string format_duration(double seconds);

// A Unix time as "2026-12-03 06:00:30 UTC", for tooltips.
std::string format_utc(double unix_seconds);

// A Unix time as an axis label, as precise as `step` (the tick spacing) needs: a date ("Dec 3")
// at midnight or when ticks are a day or more apart, "06:00" between, "06:00:30" below a minute.
std::string format_utc_tick(double unix_seconds, double step);

}  // namespace podsizer::report
