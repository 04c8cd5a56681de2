// Charts drawn as inline SVG, readable without JavaScript.
//
// Each chart is one <svg class="chart"> element with a viewBox, so it scales to the width of
// the page. It carries its own legend, axis titles with units, nice ticks (axis.h), a tooltip
// (<title>) on every line, marker and point, and classes that the page's style sheet styles
// (html_report.cpp owns the CSS). Long series are thinned per pixel column (downsample.h), so
// the size of a chart depends on its width, not on the length of its data.
//
// `id` must be unique within the page: it is the <svg>'s id and prefixes its clip paths' ids.
// Throws ReportError when a line's times and values differ in length or its times go backwards.
// Pure functions of their arguments; thread-safe.
#pragma once

#include <string>

#include "report/palette.h"
#include "report/report_model.h"

namespace podsizer::report {

// The width of every chart's coordinate system, and so of its thinning: one column per unit.
inline constexpr int kChartWidth = 960;

std::string render_time_series_svg(const TimeSeriesChart& chart, const Palette& palette,
                                   const std::string& id);

std::string render_scatter_svg(const ScatterChart& chart, const Palette& palette,
                               const std::string& id);

// Names of event kinds for legends and tooltips: "OOM kill", "Eviction", ...
const char* event_kind_name(EventKind kind);

}  // namespace podsizer::report
