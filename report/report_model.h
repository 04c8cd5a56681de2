// The data a report shows, independent of how it is drawn.
//
// A Report is a title, a context paragraph, a row of headline numbers and a list of sections
// (typically one per what-if scenario). A section holds charts (time series or scatter) and
// tables. Everything here is plain data: producers (scenario evaluation, backtests) fill it in,
// html_report.h turns it into a page. Nothing in this header knows about the simulator or the
// policies; policies appear only as series keys.
//
// Rules a producer follows:
// - Every value is in the base unit of its Unit: millicores, bytes, replicas, milliseconds,
//   seconds, percent (12.5 means 12.5 %), dollars, plain counts.
// - Time is in seconds. With TimeAxis::kUnixEpoch it is seconds since 1970-01-01 UTC and is drawn
//   as dates and times of day; with TimeAxis::kElapsed it is seconds since the start of the run
//   and is drawn as durations ("6h", "1d 12h").
// - A line's times are non-decreasing. A NaN value is a gap (for example an unset limit).
// - A series key ("static", "vpa", "learned") picks the colour: the same key has the same colour
//   in every chart and table of a report. Keys are assigned colours in order of first appearance
//   unless Report::key_order lists them first.
//
// Plain structs with no invariants of their own; safe to share across threads when not mutated.
#pragma once

#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace podsizer::report {

// Report data that breaks the rules above (times going backwards, lengths that differ); what()
// names the chart and the series.
class ReportError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// What a number measures; decides how it is formatted and scaled on an axis.
enum class Unit {
  kNumber,        // dimensionless, shown as is
  kMillicores,    // CPU; axes switch to cores above 2000m
  kBytes,         // memory; binary units (KiB, MiB, GiB)
  kReplicas,      // pod counts
  kMilliseconds,  // latency
  kSeconds,       // durations (SLO violation time, back-off)
  kPercent,       // 0..100
  kDollars,       // cost
  kCount,         // events (OOM kills, evictions)
};

// How a line is stroked. Colour comes from its key; style tells lines of one key apart
// (usage solid, request dashed, limit dotted).
enum class LineStyle { kSolid, kDashed, kDotted };

// How times are written on the x axis.
enum class TimeAxis { kElapsed, kUnixEpoch };

// One series of a time-series chart.
struct Line {
  std::string key;             // colour identity, e.g. the policy name
  std::string label;           // legend text, e.g. "vpa" or "vpa request"
  std::vector<double> times;   // seconds, non-decreasing
  std::vector<double> values;  // same length as times; NaN is a gap
  LineStyle style = LineStyle::kSolid;
  bool step = false;  // holds each value until the next time (requests, limits, replicas)
  bool area = false;  // shades the area under the line (usage)
};

// A horizontal line at a fixed value, such as the latency SLO.
struct ReferenceLine {
  double value = 0;
  std::string label;  // "SLO 200 ms"
};

// Kinds of events marked on a time axis; each has its own shape.
enum class EventKind { kOomKill, kEviction, kRestart, kScaling, kOther };

// One event at a moment: drawn as a marker above the plot with a tooltip.
struct EventMarker {
  double time = 0;    // seconds, same clock as the lines
  std::string label;  // tooltip text, e.g. "OOM kill: api-7f9 (1.02 GiB)"
  EventKind kind = EventKind::kOther;
  std::string key;  // optional: colours the marker like that series
};

// Values over time: usage against requests and limits, latency against its SLO, replicas.
struct TimeSeriesChart {
  std::string title;
  std::string caption;  // one sentence under the title saying what to look for
  std::string y_label;  // "Memory", "p95 latency"
  Unit y_unit = Unit::kNumber;
  TimeAxis time_axis = TimeAxis::kElapsed;
  std::vector<Line> lines;
  std::vector<ReferenceLine> references;
  std::vector<EventMarker> events;
  bool include_zero = true;  // start the y axis at zero when all values are positive
};

// One labelled point of a scatter chart.
struct ScatterPoint {
  std::string key;    // colour identity
  std::string label;  // text beside the point
  double x = 0;
  double y = 0;
};

// Two measures across policies, such as cost against risk. Lower is better on both axes when
// `lower_is_better` is set, and the points no other point beats on both are joined as a frontier.
struct ScatterChart {
  std::string title;
  std::string caption;
  std::string x_label;
  Unit x_unit = Unit::kNumber;
  std::string y_label;
  Unit y_unit = Unit::kNumber;
  std::vector<ScatterPoint> points;
  bool lower_is_better = true;
};

using Chart = std::variant<TimeSeriesChart, ScatterChart>;

// Which direction of a column is best; kNone marks nothing.
enum class Better { kNone, kLower, kHigher };

// A column of a table. `kubernetes_quantity` writes CPU and memory the way a manifest does
// ("250m", "512Mi") instead of for reading ("250m", "512 MiB").
struct Column {
  std::string header;
  Unit unit = Unit::kNumber;
  Better better = Better::kNone;
  bool kubernetes_quantity = false;
};

// One cell: a number in its column's unit, or text when `text` is not empty. A NaN number with
// no text is shown as a dash and never marked best.
struct Cell {
  double value = std::numeric_limits<double>::quiet_NaN();
  std::string text;

  Cell() = default;
  Cell(double number) : value(number) {}               // NOLINT: numbers convert to cells
  Cell(std::string words) : text(std::move(words)) {}  // NOLINT: so does text
  Cell(const char* words) : text(words) {}             // NOLINT
};

// A row: a label (first column, with the key's colour swatch when `key` is set) and one cell per
// column.
struct Row {
  std::string label;
  std::string key;
  std::vector<Cell> cells;
};

struct Table {
  std::string title;
  std::string caption;
  std::string label_header = "Policy";  // header of the label column
  std::vector<Column> columns;
  std::vector<Row> rows;
};

// One group of charts and tables, such as a scenario. Charts are drawn before tables.
struct Section {
  std::string title;
  std::string description;
  std::vector<Chart> charts;
  std::vector<Table> tables;
};

// Whether a headline number is good news, bad news or neither; tints its card.
enum class Tone { kNeutral, kGood, kBad };

// A number at the top of the page: "Cost saved vs. current  −31 %".
struct Headline {
  std::string label;
  double value = 0;
  Unit unit = Unit::kNumber;
  std::string detail;      // small print under the number
  std::string value_text;  // when set, shown instead of the formatted value
  Tone tone = Tone::kNeutral;
};

struct Report {
  std::string title;
  std::string subtitle;      // a paragraph of context: workload, data, period
  std::string generated_at;  // shown in the footer as given; empty to leave out
  std::vector<Headline> headlines;
  std::vector<Section> sections;
  std::vector<std::string> key_order;  // keys coloured first, in this order
};

}  // namespace podsizer::report
