#include "report/svg_chart.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <utility>
#include <vector>

#include "report/axis.h"
#include "report/downsample.h"
#include "report/format.h"

namespace podsizer::report {
namespace {

// Layout in viewBox units (one unit is one CSS pixel when the chart is shown 960 wide).
constexpr double kLeft = 64;               // room for y tick labels
constexpr double kRight = 18;              // room for the last x tick label
constexpr double kRowHeight = 20;          // one row of legend
constexpr double kEventStrip = 18;         // band above the plot holding event markers
constexpr double kPlotHeight = 236;        // time-series plot area
constexpr double kBottom = 30;             // x tick labels
constexpr double kFontSize = 12;           // size of chart text (the style sheet's)
constexpr double kMarkerMerge = 4;         // events closer than this share one marker
constexpr std::size_t kTooltipEvents = 8;  // events listed in a merged marker's tooltip
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Appends a coordinate with one decimal, without a trailing ".0"; one decimal is a tenth of a
// pixel, finer than any screen, and keeps paths short.
void put(std::string& out, double value) {
  std::array<char, 32> buffer{};
  const double rounded = std::round(value * 10) / 10;
  auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), rounded,
                              std::chars_format::fixed, 1);
  std::string_view text(buffer.data(), static_cast<std::size_t>(result.ptr - buffer.data()));
  if (text.size() >= 2 && text.substr(text.size() - 2) == ".0") text.remove_suffix(2);
  if (text == "-0") text = "0";
  out.append(text);
}

std::string num(double value) {
  std::string out;
  put(out, value);
  return out;
}

// An estimate of the width of 12px text, from rough glyph widths of common sans-serif faces;
// layout only needs it to within a few pixels.
double text_width(std::string_view text) {
  double ems = 0;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte & 0xC0) == 0x80) continue;  // continuation byte of a multi-byte character
    if (byte >= 0x80) {
      ems += 0.65;
    } else if (std::string_view("il.,:;!'|").find(c) != std::string_view::npos) {
      ems += 0.28;
    } else if (std::string_view("ftrjI ()[]-").find(c) != std::string_view::npos) {
      ems += 0.38;
    } else if (std::string_view("mwMW%").find(c) != std::string_view::npos) {
      ems += 0.9;
    } else if (std::isupper(byte)) {
      ems += 0.7;
    } else {
      ems += 0.57;
    }
  }
  return ems * kFontSize;
}

const char* dash_array(LineStyle style) {
  switch (style) {
    case LineStyle::kSolid:
      return "";
    case LineStyle::kDashed:
      return " stroke-dasharray=\"7 4\"";
    case LineStyle::kDotted:
      return " stroke-dasharray=\"1.5 3.5\" stroke-linecap=\"round\"";
  }
  return "";
}

// A linear map from data values to viewBox coordinates.
struct Scale {
  double d0 = 0, d1 = 1;  // data range
  double p0 = 0, p1 = 1;  // pixel range
  double operator()(double value) const { return p0 + (value - d0) / (d1 - d0) * (p1 - p0); }
};

// One entry of a legend: a sample of the stroke (or a marker shape) and its text.
struct LegendItem {
  std::string label;
  std::string colour;
  LineStyle style = LineStyle::kSolid;
  bool area = false;
  bool is_event = false;
  EventKind kind = EventKind::kOther;
};

// Draws an event marker's shape centred on (x, y).
void put_marker_shape(std::string& out, EventKind kind, double x, double y,
                      const std::string& colour) {
  constexpr double s = 5;
  switch (kind) {
    case EventKind::kOomKill:  // a downward triangle, like a drop
      out += "<path d=\"M" + num(x - s) + " " + num(y - s + 0.5) + "H" + num(x + s) + "L" + num(x) +
             " " + num(y + s) + "Z\" fill=\"" + colour + "\"/>";
      return;
    case EventKind::kEviction:  // a diamond
      out += "<path d=\"M" + num(x) + " " + num(y - s) + "L" + num(x + s) + " " + num(y) + "L" +
             num(x) + " " + num(y + s) + "L" + num(x - s) + " " + num(y) + "Z\" fill=\"" + colour +
             "\"/>";
      return;
    case EventKind::kRestart:  // a filled circle
      out +=
          "<circle cx=\"" + num(x) + "\" cy=\"" + num(y) + "\" r=\"4.2\" fill=\"" + colour + "\"/>";
      return;
    case EventKind::kScaling:  // a square
      out += "<rect x=\"" + num(x - 4) + "\" y=\"" + num(y - 4) +
             "\" width=\"8\" height=\"8\" fill=\"" + colour + "\"/>";
      return;
    case EventKind::kOther:  // a ring
      out += "<circle cx=\"" + num(x) + "\" cy=\"" + num(y) + "\" r=\"3.8\" fill=\"#fff\" " +
             "stroke=\"" + colour + "\" stroke-width=\"1.8\"/>";
      return;
  }
}

// Lays out legend items in rows from `x0` (first row) or `kLeft` (later rows), wrapping at the
// right edge. Returns the number of rows used.
int put_legend(std::string& out, const std::vector<LegendItem>& items, double x0, double top) {
  if (items.empty()) return 0;
  const double right = kChartWidth - kRight;
  double x = x0;
  int row = 0;
  bool row_empty = true;
  out += "<g class=\"legend\">";
  for (const LegendItem& item : items) {
    const double width = 30 + text_width(item.label) + 18;
    if (x + width > right && !row_empty) {
      ++row;
      x = kLeft;
    }
    row_empty = false;
    const double y = top + row * kRowHeight + kRowHeight / 2;

    // The sample: a short stroke in the series' style, a shaded block for areas, or the
    // marker's shape for events.
    if (item.is_event) {
      put_marker_shape(out, item.kind, x + 11, y, item.colour);
    } else {
      if (item.area) {
        out += "<rect x=\"" + num(x) + "\" y=\"" + num(y - 6) + "\" width=\"22\" height=\"12\" " +
               "fill=\"" + item.colour + "\" fill-opacity=\"0.16\"/>";
      }
      out += "<path d=\"M" + num(x) + " " + num(y) + "h22\" stroke=\"" + item.colour +
             "\" stroke-width=\"2.2\" fill=\"none\"" + dash_array(item.style) + "/>";
    }
    out += "<text x=\"" + num(x + 30) + "\" y=\"" + num(y) + "\" dy=\".35em\">" +
           escape_text(item.label) + "</text>";
    x += width;
  }
  out += "</g>";
  return row + 1;
}

// The axis title shown above the y axis: "Memory (GiB)".
std::string axis_title(const std::string& label, const AxisScale& scale) {
  if (scale.label.empty()) return label;
  if (label.empty()) return scale.label;
  return label + " (" + scale.label + ")";
}

std::string time_text(double time, TimeAxis axis) {
  return axis == TimeAxis::kUnixEpoch ? format_utc(time) : "at " + format_duration(time);
}

// Checks the rules of report_model.h that drawing depends on.
void check_line(const TimeSeriesChart& chart, const Line& line) {
  const std::string where = "chart \"" + chart.title + "\", line \"" + line.label + "\"";
  if (line.times.size() != line.values.size()) {
    throw ReportError(where + ": " + std::to_string(line.times.size()) + " times but " +
                      std::to_string(line.values.size()) + " values");
  }
  for (std::size_t i = 0; i < line.times.size(); ++i) {
    if (!std::isfinite(line.times[i])) {
      throw ReportError(where + ": time " + std::to_string(i) + " is not a finite number");
    }
    if (i > 0 && line.times[i] < line.times[i - 1]) {
      throw ReportError(where + ": time " + std::to_string(i) + " goes backwards");
    }
  }
}

// Builds the path of one thinned series: lines or steps, broken at gaps; with `baseline` set,
// each unbroken run is closed down to it to make an area.
std::string series_path(const std::vector<SamplePoint>& points, const Scale& x, const Scale& y,
                        bool step, double baseline) {
  std::string d;
  d.reserve(points.size() * 12);
  const bool area = !std::isnan(baseline);
  bool open = false;
  double run_start = 0;

  const auto close_run = [&] {
    if (open && area) {
      d += "V";
      put(d, baseline);
      d += "H";
      put(d, run_start);
      d += "Z";
    }
    open = false;
  };

  for (const SamplePoint& point : points) {
    if (!std::isfinite(point.value)) {  // a gap, or a value no axis can hold
      close_run();
      continue;
    }
    const double px = x(point.time);
    const double py = y(point.value);
    if (!open) {
      // A run starts with a move; an area starts at the baseline below its first point.
      d += "M";
      put(d, px);
      d += " ";
      put(d, area ? baseline : py);
      if (area) {
        d += "V";
        put(d, py);
      }
      open = true;
      run_start = px;
    } else if (step) {
      d += "H";
      put(d, px);
      d += "V";
      put(d, py);
    } else {
      d += "L";
      put(d, px);
      d += " ";
      put(d, py);
    }
  }
  close_run();
  return d;
}

// One thinned line with what is needed to draw it.
struct PreparedLine {
  const Line* line = nullptr;
  std::vector<SamplePoint> points;
  double low = kNaN;
  double high = kNaN;
};

// Draws the event markers above the plot, merging those closer than kMarkerMerge.
void put_events(std::string& out, const TimeSeriesChart& chart, const Palette& palette,
                const Scale& x, double strip_y, double plot_top, double plot_bottom) {
  std::vector<const EventMarker*> events;
  for (const EventMarker& event : chart.events) {
    if (std::isfinite(event.time)) events.push_back(&event);
  }
  std::stable_sort(events.begin(), events.end(),
                   [](const EventMarker* a, const EventMarker* b) { return a->time < b->time; });

  out += "<g class=\"events\">";
  std::size_t i = 0;
  while (i < events.size()) {
    // A group is every event within kMarkerMerge of the group's first.
    const double px = x(events[i]->time);
    std::size_t j = i + 1;
    while (j < events.size() && x(events[j]->time) - px < kMarkerMerge) ++j;
    const EventMarker& first = *events[i];
    bool same_key = true;
    bool same_kind = true;
    std::map<EventKind, std::size_t> kinds;
    for (std::size_t k = i; k < j; ++k) {
      same_key = same_key && events[k]->key == first.key;
      same_kind = same_kind && events[k]->kind == first.kind;
      ++kinds[events[k]->kind];
    }
    const std::string& colour = same_key ? palette.colour(first.key) : palette.colour("");

    // The tooltip names the event, or counts a group and lists its first few.
    std::string tooltip;
    if (j - i == 1) {
      tooltip = std::string(event_kind_name(first.kind)) + " · " +
                time_text(first.time, chart.time_axis);
      if (!first.label.empty()) tooltip += "\n" + first.label;
    } else {
      tooltip = std::to_string(j - i) + " events (";
      bool comma = false;
      for (const auto& [kind, count] : kinds) {
        tooltip += (comma ? ", " : "") + std::to_string(count) + " " + event_kind_name(kind);
        comma = true;
      }
      tooltip += ") from " + time_text(first.time, chart.time_axis) + " to " +
                 time_text(events[j - 1]->time, chart.time_axis);
      for (std::size_t k = i; k < std::min(j, i + kTooltipEvents); ++k) {
        tooltip +=
            "\n" + (events[k]->label.empty() ? event_kind_name(events[k]->kind) : events[k]->label);
      }
      if (j - i > kTooltipEvents) {
        tooltip += "\n… and " + std::to_string(j - i - kTooltipEvents) + " more";
      }
    }

    out += "<g class=\"event\"><title>" + escape_text(tooltip) + "</title>";
    out += "<path d=\"M" + num(px) + " " + num(plot_top) + "V" + num(plot_bottom) + "\" stroke=\"" +
           colour + "\" class=\"event-rule\"/>";
    put_marker_shape(out, same_kind ? first.kind : EventKind::kOther, px, strip_y, colour);
    out += "</g>";
    i = j;
  }
  out += "</g>";
}

// The time range of a chart: every line and event, widened to one second when empty.
std::pair<double, double> time_range(const TimeSeriesChart& chart) {
  double t0 = std::numeric_limits<double>::infinity();
  double t1 = -t0;
  for (const Line& line : chart.lines) {
    if (line.times.empty()) continue;
    t0 = std::min(t0, line.times.front());
    t1 = std::max(t1, line.times.back());
  }
  for (const EventMarker& event : chart.events) {
    if (!std::isfinite(event.time)) continue;
    t0 = std::min(t0, event.time);
    t1 = std::max(t1, event.time);
  }
  if (!(t1 > t0)) {
    t0 = std::isfinite(t0) ? t0 : 0;
    t1 = t0 + 1;
  }
  return {t0, t1};
}

PreparedLine prepare_line(const Line& line, double t0, double t1, int columns) {
  PreparedLine p;
  p.line = &line;
  p.points = downsample_for_drawing(line.times, line.values, t0, t1, columns);
  for (const SamplePoint& point : p.points) {
    if (!std::isfinite(point.value)) continue;
    p.low = std::isnan(p.low) ? point.value : std::min(p.low, point.value);
    p.high = std::isnan(p.high) ? point.value : std::max(p.high, point.value);
  }
  return p;
}

// The value range of a chart: every line and reference, and zero when the chart asks for it.
std::pair<double, double> value_range(const TimeSeriesChart& chart,
                                      const std::vector<PreparedLine>& prepared) {
  double low = std::numeric_limits<double>::infinity();
  double high = -low;
  for (const PreparedLine& p : prepared) {
    if (std::isnan(p.low)) continue;
    low = std::min(low, p.low);
    high = std::max(high, p.high);
  }
  for (const ReferenceLine& reference : chart.references) {
    if (!std::isfinite(reference.value)) continue;
    low = std::min(low, reference.value);
    high = std::max(high, reference.value);
  }
  if (!std::isfinite(low)) {
    low = 0;
    high = 1;
  }
  if (chart.include_zero && low > 0) low = 0;
  if (chart.include_zero && high < 0) high = 0;
  return {low, high};
}

// One legend entry per distinct series look, then one per kind of event present.
std::vector<LegendItem> legend_items(const TimeSeriesChart& chart, const Palette& palette) {
  std::vector<LegendItem> legend;
  for (const Line& line : chart.lines) {
    const bool seen = std::any_of(legend.begin(), legend.end(), [&](const LegendItem& item) {
      return item.label == line.label && item.colour == palette.colour(line.key);
    });
    if (!seen) legend.push_back({line.label, palette.colour(line.key), line.style, line.area});
  }
  std::array<bool, 5> kinds_seen{};
  for (const EventMarker& event : chart.events) kinds_seen[static_cast<int>(event.kind)] = true;
  for (std::size_t k = 0; k < kinds_seen.size(); ++k) {
    if (!kinds_seen[k]) continue;
    LegendItem item;
    item.kind = static_cast<EventKind>(k);
    item.label = event_kind_name(item.kind);
    item.colour = palette.colour("");
    item.is_event = true;
    legend.push_back(item);
  }
  return legend;
}

// Horizontal grid lines at the value ticks, with their labels left of the plot.
void put_value_grid(std::string& out, const Ticks& ticks, const AxisScale& unit, const Scale& y,
                    double plot_left, double plot_right) {
  out += "<g class=\"grid\">";
  for (const double tick : ticks.values) {
    out += "<path d=\"M" + num(plot_left) + " " + num(y(tick * unit.divisor)) + "H" +
           num(plot_right) + "\"" + (tick == 0 ? " class=\"zero\"" : "") + "/>";
  }
  out += "</g><g class=\"ticks y\">";
  for (const double tick : ticks.values) {
    out += "<text x=\"" + num(plot_left - 8) + "\" y=\"" + num(y(tick * unit.divisor)) +
           "\" dy=\".35em\">" + format_fixed(tick, ticks.decimals) + "</text>";
  }
  out += "</g>";
}

// Time ticks: a short mark on the axis and a date, time of day or duration below it.
void put_time_ticks(std::string& out, const Ticks& ticks, TimeAxis axis, const Scale& x,
                    double plot_bottom) {
  out += "<g class=\"ticks x\">";
  for (const double tick : ticks.values) {
    const double px = x(tick);
    const std::string label =
        axis == TimeAxis::kUnixEpoch ? format_utc_tick(tick, ticks.step) : format_duration(tick);
    out += "<path d=\"M" + num(px) + " " + num(plot_bottom) + "v5\"/>";
    out += "<text x=\"" + num(px) + "\" y=\"" + num(plot_bottom + 19) + "\">" + escape_text(label) +
           "</text>";
  }
  out += "</g>";
}

// Where a scatter point's label goes: beside, before, above or below the point.
struct LabelBox {
  double x0, y0, x1, y1;
  bool overlaps(const LabelBox& other) const {
    return x0 < other.x1 && other.x0 < x1 && y0 < other.y1 && other.y0 < y1;
  }
};

}  // namespace

const char* event_kind_name(EventKind kind) {
  switch (kind) {
    case EventKind::kOomKill:
      return "OOM kill";
    case EventKind::kEviction:
      return "Eviction";
    case EventKind::kRestart:
      return "Restart";
    case EventKind::kScaling:
      return "Scaling";
    case EventKind::kOther:
      return "Event";
  }
  return "Event";
}

std::string render_time_series_svg(const TimeSeriesChart& chart, const Palette& palette,
                                   const std::string& id) {
  for (const Line& line : chart.lines) check_line(chart, line);

  // Thin every line to one column per unit of plot width; the thinning keeps extremes, so the
  // value range can be read from the thinned points.
  const auto [t0, t1] = time_range(chart);
  const double plot_left = kLeft;
  const double plot_right = kChartWidth - kRight;
  const int columns = static_cast<int>(plot_right - plot_left);
  std::vector<PreparedLine> prepared;
  prepared.reserve(chart.lines.size());
  for (const Line& line : chart.lines) prepared.push_back(prepare_line(line, t0, t1, columns));
  const auto [low, high] = value_range(chart, prepared);

  // Ticks are round numbers in the display unit (GiB, cores), mapped back to base units.
  const AxisScale unit = axis_scale(chart.y_unit, std::max(std::fabs(low), std::fabs(high)));
  const Ticks y_ticks = nice_ticks(low / unit.divisor, high / unit.divisor, 5);
  const Ticks x_ticks =
      time_ticks(t0, t1, std::max(2, static_cast<int>((plot_right - plot_left) / 110)));

  // Vertical layout: axis title and legend rows, the event strip, the plot, the x labels.
  // The legend decides how many rows the top needs, so it is drawn before the height is known.
  std::string top;
  const std::string title = axis_title(chart.y_label, unit);
  top += "<text class=\"axis-title\" x=\"4\" y=\"" + num(kRowHeight / 2) + "\" dy=\".35em\">" +
         escape_text(title) + "</text>";
  const double legend_x = std::max(kLeft, 4 + text_width(title) * 1.1 + 24);
  const int legend_rows = std::max(1, put_legend(top, legend_items(chart, palette), legend_x, 0));
  const double strip_y = legend_rows * kRowHeight + 8 + kEventStrip / 2;
  const double plot_top = legend_rows * kRowHeight + 12 + (chart.events.empty() ? 0 : kEventStrip);
  const double plot_bottom = plot_top + kPlotHeight;
  const Scale x{t0, t1, plot_left, plot_right};
  const Scale y{y_ticks.lo * unit.divisor, y_ticks.hi * unit.divisor, plot_bottom, plot_top};

  // The frame: the element, the plot's clip path, the top rows, grid and ticks.
  const std::string safe_id = escape_text(id);
  std::string out;
  out.reserve(64 * 1024);
  out += "<svg class=\"chart\" id=\"" + safe_id + "\" viewBox=\"0 0 " +
         std::to_string(kChartWidth) + " " + num(plot_bottom + kBottom) +
         "\" role=\"img\" aria-label=\"" + escape_text(chart.title) +
         "\" xmlns=\"http://www.w3.org/2000/svg\">";
  out += "<defs><clipPath id=\"" + safe_id + "-plot\"><rect x=\"" + num(plot_left) + "\" y=\"" +
         num(plot_top - 2) + "\" width=\"" + num(plot_right - plot_left) + "\" height=\"" +
         num(kPlotHeight + 4) + "\"/></clipPath></defs>";
  out += top;
  put_value_grid(out, y_ticks, unit, y, plot_left, plot_right);
  put_time_ticks(out, x_ticks, chart.time_axis, x, plot_bottom);

  // Areas first, so every stroke stays on top of every shading; then the lines, each with a
  // tooltip giving its range.
  const double zero_y = y(std::clamp(0.0, y.d0, y.d1));
  out += "<g clip-path=\"url(#" + safe_id + "-plot)\">";
  for (const PreparedLine& p : prepared) {
    if (!p.line->area || p.points.empty()) continue;
    out += "<path class=\"area\" fill=\"" + palette.colour(p.line->key) + "\" d=\"" +
           series_path(p.points, x, y, p.line->step, zero_y) + "\"/>";
  }
  for (const PreparedLine& p : prepared) {
    if (p.points.empty()) continue;
    std::string tooltip = p.line->label;
    if (!std::isnan(p.low)) {
      tooltip +=
          ": " + format_value(p.low, chart.y_unit) + " to " + format_value(p.high, chart.y_unit);
    }
    out += "<g class=\"series\"><title>" + escape_text(tooltip) + "</title><path d=\"" +
           series_path(p.points, x, y, p.line->step, kNaN) + "\" stroke=\"" +
           palette.colour(p.line->key) + "\"" + dash_array(p.line->style) + "/></g>";
  }
  out += "</g>";

  // Event markers, then reference lines, whose labels must stay readable over the markers; a
  // label goes below its line when the line runs along the top of the plot.
  if (!chart.events.empty()) put_events(out, chart, palette, x, strip_y, plot_top, plot_bottom);
  for (const ReferenceLine& reference : chart.references) {
    if (!std::isfinite(reference.value)) continue;
    const double py = y(reference.value);
    out += "<g class=\"reference\"><title>" +
           escape_text(reference.label + " (" + format_value(reference.value, chart.y_unit) + ")") +
           "</title><path d=\"M" + num(plot_left) + " " + num(py) + "H" + num(plot_right) +
           "\"/><text x=\"" + num(plot_right - 4) + "\" y=\"" +
           num(py - plot_top < 18 ? py + 15 : py - 6) + "\">" + escape_text(reference.label) +
           "</text></g>";
  }

  out += "<path class=\"axis\" d=\"M" + num(plot_left) + " " + num(plot_bottom) + "H" +
         num(plot_right) + "\"/></svg>";
  return out;
}

std::string render_scatter_svg(const ScatterChart& chart, const Palette& palette,
                               const std::string& id) {
  // Ranges cover every point and, for honest comparison of positive measures, zero.
  double x_low = 0, x_high = 0, y_low = 0, y_high = 0;
  bool any = false;
  for (const ScatterPoint& point : chart.points) {
    if (!std::isfinite(point.x) || !std::isfinite(point.y)) continue;
    x_low = any ? std::min(x_low, point.x) : std::min(0.0, point.x);
    x_high = any ? std::max(x_high, point.x) : std::max(0.0, point.x);
    y_low = any ? std::min(y_low, point.y) : std::min(0.0, point.y);
    y_high = any ? std::max(y_high, point.y) : std::max(0.0, point.y);
    any = true;
  }
  // Headroom keeps the largest point and its label off the frame.
  x_high += (x_high - x_low) * 0.06;
  y_high += (y_high - y_low) * 0.06;
  const AxisScale x_unit = axis_scale(chart.x_unit, std::max(std::fabs(x_low), std::fabs(x_high)));
  const AxisScale y_unit = axis_scale(chart.y_unit, std::max(std::fabs(y_low), std::fabs(y_high)));
  const Ticks x_ticks = nice_ticks(x_low / x_unit.divisor, x_high / x_unit.divisor, 6);
  const Ticks y_ticks = nice_ticks(y_low / y_unit.divisor, y_high / y_unit.divisor, 5);

  // Layout: y title row, plot, x tick labels, x title.
  constexpr double kScatterHeight = 300;
  const double plot_left = kLeft;
  const double plot_right = kChartWidth - kRight - 8;
  const double plot_top = kRowHeight + 14;
  const double plot_bottom = plot_top + kScatterHeight;
  const double height = plot_bottom + 52;
  const Scale x{x_ticks.lo * x_unit.divisor, x_ticks.hi * x_unit.divisor, plot_left, plot_right};
  const Scale y{y_ticks.lo * y_unit.divisor, y_ticks.hi * y_unit.divisor, plot_bottom, plot_top};

  std::string out;
  out += "<svg class=\"chart scatter\" id=\"" + escape_text(id) + "\" viewBox=\"0 0 " +
         std::to_string(kChartWidth) + " " + num(height) + "\" role=\"img\" aria-label=\"" +
         escape_text(chart.title) + "\" xmlns=\"http://www.w3.org/2000/svg\">";
  out += "<text class=\"axis-title\" x=\"4\" y=\"" + num(kRowHeight / 2) + "\" dy=\".35em\">" +
         escape_text(axis_title(chart.y_label, y_unit)) + "</text>";

  // Grid on both axes, tick labels, and the x title centred under the plot.
  out += "<g class=\"grid\">";
  for (const double tick : y_ticks.values) {
    out += "<path d=\"M" + num(plot_left) + " " + num(y(tick * y_unit.divisor)) + "H" +
           num(plot_right) + "\"" + (tick == 0 ? " class=\"zero\"" : "") + "/>";
  }
  for (const double tick : x_ticks.values) {
    out += "<path d=\"M" + num(x(tick * x_unit.divisor)) + " " + num(plot_top) + "V" +
           num(plot_bottom) + "\"" + (tick == 0 ? " class=\"zero\"" : "") + "/>";
  }
  out += "</g><g class=\"ticks y\">";
  for (const double tick : y_ticks.values) {
    out += "<text x=\"" + num(plot_left - 8) + "\" y=\"" + num(y(tick * y_unit.divisor)) +
           "\" dy=\".35em\">" + format_fixed(tick, y_ticks.decimals) + "</text>";
  }
  out += "</g><g class=\"ticks x\">";
  for (const double tick : x_ticks.values) {
    out += "<text x=\"" + num(x(tick * x_unit.divisor)) + "\" y=\"" + num(plot_bottom + 19) +
           "\">" + format_fixed(tick, x_ticks.decimals) + "</text>";
  }
  out += "</g><text class=\"axis-title\" text-anchor=\"middle\" x=\"" +
         num((plot_left + plot_right) / 2) + "\" y=\"" + num(plot_bottom + 44) + "\">" +
         escape_text(axis_title(chart.x_label, x_unit)) + "</text>";

  // Which corner is better, so the reader knows where to look.
  const bool lower = chart.lower_is_better;
  out += "<text class=\"better\" x=\"" + num(lower ? plot_left + 10 : plot_right - 10) + "\" y=\"" +
         num(lower ? plot_bottom - 10 : plot_top + 16) + "\" text-anchor=\"" +
         (lower ? "start" : "end") + "\">" + (lower ? "\u2199 better" : "better \u2197") +
         "</text>";

  // The frontier: points that no other point beats on both axes, joined in order of x.
  std::vector<const ScatterPoint*> sorted;
  for (const ScatterPoint& point : chart.points) {
    if (std::isfinite(point.x) && std::isfinite(point.y)) sorted.push_back(&point);
  }
  std::stable_sort(sorted.begin(), sorted.end(), [&](const ScatterPoint* a, const ScatterPoint* b) {
    if (a->x != b->x) return lower ? a->x < b->x : a->x > b->x;
    return lower ? a->y < b->y : a->y > b->y;
  });
  std::vector<const ScatterPoint*> frontier;
  for (const ScatterPoint* point : sorted) {
    if (frontier.empty() ||
        (lower ? point->y < frontier.back()->y : point->y > frontier.back()->y)) {
      frontier.push_back(point);
    }
  }
  if (frontier.size() >= 2) {
    std::string d;
    for (const ScatterPoint* point : frontier) {
      d += d.empty() ? "M" : "L";
      put(d, x(point->x));
      d += " ";
      put(d, y(point->y));
    }
    out +=
        "<g class=\"frontier\"><title>Frontier: no other policy is better on both axes"
        "</title><path d=\"" +
        d + "\"/></g>";
  }

  // Points, then labels placed where they collide with nothing placed before.
  std::vector<LabelBox> taken;
  for (const ScatterPoint* point : sorted) {
    const double px = x(point->x);
    const double py = y(point->y);
    taken.push_back({px - 8, py - 8, px + 8, py + 8});
  }
  out += "<g class=\"points\">";
  for (const ScatterPoint& point : chart.points) {
    if (!std::isfinite(point.x) || !std::isfinite(point.y)) continue;
    const double px = x(point.x);
    const double py = y(point.y);
    const std::string tooltip = point.label + "\n" + chart.x_label + ": " +
                                format_value(point.x, chart.x_unit) + "\n" + chart.y_label + ": " +
                                format_value(point.y, chart.y_unit);
    out += "<g class=\"point\"><title>" + escape_text(tooltip) + "</title><circle cx=\"" + num(px) +
           "\" cy=\"" + num(py) + "\" r=\"7\" fill=\"" + palette.colour(point.key) + "\"/>";

    const double width = text_width(point.label);
    struct Option {
      double dx, dy;
      const char* anchor;
      LabelBox box;
    };
    const std::array<Option, 4> options = {{
        {12, 4, "start", {px + 11, py - 8, px + 13 + width, py + 7}},
        {-12, 4, "end", {px - 13 - width, py - 8, px - 11, py + 7}},
        {0, -13, "middle", {px - width / 2, py - 25, px + width / 2, py - 10}},
        {0, 22, "middle", {px - width / 2, py + 10, px + width / 2, py + 25}},
    }};
    const Option* chosen = &options[0];
    for (const Option& option : options) {
      const bool inside = option.box.x0 >= plot_left && option.box.x1 <= kChartWidth - 2 &&
                          option.box.y0 >= plot_top - 4 && option.box.y1 <= plot_bottom;
      const bool clear = std::none_of(taken.begin(), taken.end(), [&](const LabelBox& box) {
        return box.overlaps(option.box);
      });
      if (inside && clear) {
        chosen = &option;
        break;
      }
    }
    taken.push_back(chosen->box);
    out += "<text class=\"point-label\" x=\"" + num(px + chosen->dx) + "\" y=\"" +
           num(py + chosen->dy) + "\" text-anchor=\"" + chosen->anchor + "\">" +
           escape_text(point.label) + "</text></g>";
  }
  out += "</g>";
  out += "<path class=\"axis\" d=\"M" + num(plot_left) + " " + num(plot_bottom) + "H" +
         num(plot_right) + "\"/>";
  out += "</svg>";
  return out;
}

}  // namespace podsizer::report
