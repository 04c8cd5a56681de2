#include "report/html_report.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <string_view>
#include <variant>

#include "report/format.h"
#include "report/palette.h"
#include "report/svg_chart.h"
#include "traces/atomic_file.h"
#include "traces/log.h"

namespace podsizer::report {
namespace {

#ifdef PODSIZER_VERSION
constexpr const char* kVersion = PODSIZER_VERSION;
#else
constexpr const char* kVersion = "";
#endif

// The whole style sheet. Charts are styled here too: their SVG carries classes, not styles, so
// that one rule changes every chart and print can override them.
constexpr std::string_view kStyle = R"css(
:root {
  --ink: #1f2933; --muted: #6b7280; --faint: #9ca3af; --line: #e5e7eb; --paper: #ffffff;
  --ground: #f4f5f7; --good: #047857; --bad: #b42318; --accent: #0072B2;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; background: var(--ground); color: var(--ink);
  font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Noto Sans",
        "DejaVu Sans", Arial, sans-serif;
}
.page { max-width: 1060px; margin: 0 auto; padding: 44px 28px 64px; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
.eyebrow {
  margin: 0; color: var(--accent); font-size: 12px; font-weight: 700; letter-spacing: .09em;
  text-transform: uppercase;
}
h1 { margin: 6px 0 10px; font-size: 34px; line-height: 1.15; letter-spacing: -.015em; }
.lede { margin: 0; max-width: 72ch; color: #4b5563; font-size: 17px; }
.headlines {
  display: grid; grid-template-columns: repeat(auto-fit, minmax(210px, 1fr)); gap: 14px;
  margin: 30px 0 26px;
}
.headline {
  background: var(--paper); border: 1px solid var(--line); border-top: 4px solid #d1d5db;
  border-radius: 12px; padding: 14px 18px 16px;
}
.headline.good { border-top-color: #009E73; }
.headline.bad { border-top-color: #D55E00; }
.headline .label {
  color: var(--muted); font-size: 12px; font-weight: 700; letter-spacing: .06em;
  text-transform: uppercase;
}
.headline .value {
  margin-top: 4px; font-size: 30px; font-weight: 650; line-height: 1.2; letter-spacing: -.02em;
  font-variant-numeric: tabular-nums;
}
.headline.good .value { color: var(--good); }
.headline.bad .value { color: var(--bad); }
.headline .detail { margin-top: 4px; color: var(--muted); font-size: 13px; line-height: 1.4; }
nav.toc {
  background: var(--paper); border: 1px solid var(--line); border-radius: 12px;
  padding: 14px 22px;
}
nav.toc h2 {
  margin: 0 0 6px; color: var(--muted); font-size: 12px; letter-spacing: .06em;
  text-transform: uppercase;
}
nav.toc ol { margin: 0; padding-left: 22px; columns: 2 260px; column-gap: 36px; }
nav.toc li { padding: 2px 0; break-inside: avoid; }
nav.toc .count { color: var(--faint); font-size: 13px; }
section.block {
  background: var(--paper); border: 1px solid var(--line); border-radius: 14px;
  padding: 28px 34px 30px; margin: 24px 0;
}
section.block > h2 { margin: 0 0 4px; font-size: 23px; letter-spacing: -.01em; }
.intro { margin: 0 0 4px; max-width: 75ch; color: #4b5563; }
figure { margin: 30px 0 0; }
figure h3, .table-wrap h3 { margin: 0; font-size: 16px; }
.caption { margin: 2px 0 12px; max-width: 80ch; color: var(--muted); font-size: 14px; }
.plot { overflow-x: auto; }
svg.chart { display: block; width: 100%; min-width: 680px; height: auto; }
.chart text { fill: #4b5563; font-size: 12px; }
.chart .axis-title { fill: #374151; font-weight: 650; }
.chart .legend text { fill: #374151; }
.chart .grid path { stroke: #eceef1; stroke-width: 1; }
.chart .grid path.zero, .chart .axis { stroke: #9ca3af; stroke-width: 1; }
.chart .ticks.y text { text-anchor: end; font-variant-numeric: tabular-nums; }
.chart .ticks.x text { text-anchor: middle; font-variant-numeric: tabular-nums; }
.chart .ticks.x path { stroke: #9ca3af; }
.chart .series path { fill: none; stroke-width: 1.8; stroke-linejoin: round; }
.chart .series:hover path { stroke-width: 3; }
.chart .area { fill-opacity: .13; stroke: none; }
.chart .reference path { stroke: var(--bad); stroke-width: 1.4; stroke-dasharray: 6 4; }
.chart .reference text {
  text-anchor: end; fill: var(--bad); font-weight: 650; paint-order: stroke; stroke: #fff;
  stroke-width: 4px; stroke-linejoin: round;
}
.chart .event-rule { stroke-width: 1; opacity: .3; }
.chart .event:hover .event-rule { opacity: .8; }
.chart .frontier path {
  fill: none; stroke: var(--faint); stroke-width: 1.5; stroke-dasharray: 4 4;
}
.chart .point circle { stroke: #fff; stroke-width: 2; }
.chart .point:hover circle { stroke: var(--ink); }
.chart .point-label {
  fill: var(--ink); font-size: 12.5px; font-weight: 650; paint-order: stroke; stroke: #fff;
  stroke-width: 3px; stroke-linejoin: round;
}
.chart .better { fill: var(--faint); font-style: italic; }
.table-wrap { margin-top: 32px; overflow-x: auto; }
table {
  width: 100%; border-collapse: collapse; font-size: 14px; font-variant-numeric: tabular-nums;
}
th {
  padding: 8px 12px; border-bottom: 1px solid #d1d5db; color: var(--muted); font-size: 12.5px;
  font-weight: 650; text-align: right; vertical-align: bottom;
}
th .direction { color: var(--faint); font-weight: 400; }
td { padding: 9px 12px; border-bottom: 1px solid #eef0f2; text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
td:first-child { font-weight: 600; }
tbody tr:hover td { background: #f9fafb; }
td.best, tbody tr:hover td.best { background: #e7f6ef; color: #065f46; font-weight: 700; }
td.best .mark { margin-right: 4px; font-size: 11px; }
th.text, td.text { text-align: left; }
td.text { color: #4b5563; white-space: normal; }
.swatch {
  display: inline-block; width: 11px; height: 11px; margin-right: 9px; border-radius: 3px;
  vertical-align: -1px;
}
footer { margin-top: 40px; color: var(--faint); font-size: 13px; text-align: center; }
@media (max-width: 720px) {
  .page { padding: 24px 14px 40px; }
  h1 { font-size: 27px; }
  section.block { padding: 20px 16px; border-radius: 10px; }
  .headline .value { font-size: 25px; }
  .plot { margin: 0 -16px; padding: 0 16px; }
}
@media print {
  @page { margin: 14mm; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  body { background: #fff; font-size: 10.5pt; }
  .page { max-width: none; padding: 0; }
  section.block, nav.toc { border: none; padding: 0; margin: 18pt 0; }
  section.block { break-before: page; }
  figure, .table-wrap, .headline { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  a { color: inherit; }
  .table-wrap, .plot { overflow: visible; }
  svg.chart { min-width: 0; }
}
)css";

// An id for a section's anchor: its number and the ASCII letters and digits of its title.
std::string section_id(std::size_t index, const std::string& title) {
  std::string id = "s" + std::to_string(index + 1);
  bool dash = true;
  for (const char c : title) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x80 && std::isalnum(byte)) {
      if (dash) id += '-';
      id += static_cast<char>(std::tolower(byte));
      dash = false;
    } else {
      dash = true;
    }
  }
  return id;
}

// Every key in the order a reader meets it, after those the report lists first, so colours
// follow the page from top to bottom.
Palette build_palette(const Report& report) {
  Palette palette(report.key_order);
  for (const Section& section : report.sections) {
    for (const Chart& chart : section.charts) {
      if (const auto* series = std::get_if<TimeSeriesChart>(&chart)) {
        for (const Line& line : series->lines) palette.add(line.key);
        for (const EventMarker& event : series->events) palette.add(event.key);
      } else if (const auto* scatter = std::get_if<ScatterChart>(&chart)) {
        for (const ScatterPoint& point : scatter->points) palette.add(point.key);
      }
    }
    for (const Table& table : section.tables) {
      for (const Row& row : table.rows) palette.add(row.key);
    }
  }
  return palette;
}

std::string cell_text(const Cell& cell, const Column& column) {
  if (!cell.text.empty()) return cell.text;
  return column.kubernetes_quantity ? format_kubernetes(cell.value, column.unit)
                                    : format_value(cell.value, column.unit);
}

// Per column, the best value when marking it tells the reader something: the column declares a
// direction, at least two rows have a number and they are not all the same. NaN otherwise.
std::vector<double> best_values(const Table& table) {
  std::vector<double> best(table.columns.size(), std::nan(""));
  for (std::size_t c = 0; c < table.columns.size(); ++c) {
    const Better better = table.columns[c].better;
    if (better == Better::kNone) continue;
    double chosen = std::nan("");
    double low = std::nan("");
    double high = std::nan("");
    int numbers = 0;
    for (const Row& row : table.rows) {
      if (c >= row.cells.size() || !row.cells[c].text.empty()) continue;
      const double value = row.cells[c].value;
      if (!std::isfinite(value)) continue;
      ++numbers;
      low = numbers == 1 ? value : std::min(low, value);
      high = numbers == 1 ? value : std::max(high, value);
    }
    if (numbers >= 2 && low < high) chosen = better == Better::kLower ? low : high;
    best[c] = chosen;
  }
  return best;
}

void put_table(std::string& out, const Table& table, const Palette& palette) {
  out += "<div class=\"table-wrap\">";
  if (!table.title.empty()) out += "<h3>" + escape_text(table.title) + "</h3>";
  if (!table.caption.empty()) out += "<p class=\"caption\">" + escape_text(table.caption) + "</p>";

  // Headers carry the direction that is better, as an arrow kept on the header's last line.
  // Columns of words are aligned left like words, columns of numbers right like numbers.
  std::vector<bool> words(table.columns.size(), false);
  for (std::size_t c = 0; c < table.columns.size(); ++c) {
    bool text = false;
    bool number = false;
    for (const Row& row : table.rows) {
      if (c >= row.cells.size()) continue;
      text = text || !row.cells[c].text.empty();
      number = number || (row.cells[c].text.empty() && !std::isnan(row.cells[c].value));
    }
    words[c] = text && !number;
  }
  out += "<table><thead><tr><th scope=\"col\">" + escape_text(table.label_header) + "</th>";
  for (std::size_t c = 0; c < table.columns.size(); ++c) {
    const Column& column = table.columns[c];
    out += words[c] ? "<th scope=\"col\" class=\"text\">" : "<th scope=\"col\">";
    out += escape_text(column.header);
    if (column.better == Better::kLower) {
      out += "\u00a0<span class=\"direction\" title=\"lower is better\">\u2193</span>";
    } else if (column.better == Better::kHigher) {
      out += "\u00a0<span class=\"direction\" title=\"higher is better\">\u2191</span>";
    }
    out += "</th>";
  }
  out += "</tr></thead><tbody>";

  // Rows: the label with its key's swatch, then the cells, the best of each column marked.
  const std::vector<double> best = best_values(table);
  for (const Row& row : table.rows) {
    out += "<tr><td>";
    if (!row.key.empty()) {
      out += "<span class=\"swatch\" style=\"background:" + palette.colour(row.key) + "\"></span>";
    }
    out += escape_text(row.label) + "</td>";
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
      const Cell cell = c < row.cells.size() ? row.cells[c] : Cell{};
      const bool is_best = cell.text.empty() && !std::isnan(best[c]) && cell.value == best[c];
      const std::string text = escape_text(cell_text(cell, table.columns[c]));
      if (is_best) {
        out +=
            "<td class=\"best\" title=\"best in this column\"><span class=\"mark\">\u2605</span>" +
            text + "</td>";
      } else {
        out += std::string(words[c] ? "<td class=\"text\">" : "<td>") + text + "</td>";
      }
    }
    out += "</tr>";
  }
  out += "</tbody></table></div>";
}

void put_headlines(std::string& out, const std::vector<Headline>& headlines) {
  if (headlines.empty()) return;
  out += "<section class=\"headlines\" aria-label=\"Summary\">";
  for (const Headline& headline : headlines) {
    const char* tone = headline.tone == Tone::kGood  ? " good"
                       : headline.tone == Tone::kBad ? " bad"
                                                     : "";
    const std::string value = headline.value_text.empty()
                                  ? format_value(headline.value, headline.unit)
                                  : headline.value_text;
    out += std::string("<div class=\"headline") + tone + "\"><div class=\"label\">" +
           escape_text(headline.label) + "</div><div class=\"value\">" + escape_text(value) +
           "</div>";
    if (!headline.detail.empty()) {
      out += "<div class=\"detail\">" + escape_text(headline.detail) + "</div>";
    }
    out += "</div>";
  }
  out += "</section>";
}

void put_contents(std::string& out, const Report& report) {
  if (report.sections.size() < 2) return;
  out += "<nav class=\"toc\"><h2>Contents</h2><ol>";
  for (std::size_t s = 0; s < report.sections.size(); ++s) {
    const Section& section = report.sections[s];
    out += "<li><a href=\"#" + section_id(s, section.title) + "\">" + escape_text(section.title) +
           "</a> <span class=\"count\">" + std::to_string(section.charts.size()) +
           (section.charts.size() == 1 ? " chart" : " charts");
    if (!section.tables.empty()) {
      out += ", " + std::to_string(section.tables.size()) +
             (section.tables.size() == 1 ? " table" : " tables");
    }
    out += "</span></li>";
  }
  out += "</ol></nav>";
}

void put_section(std::string& out, const Section& section, std::size_t index,
                 const Palette& palette) {
  const std::string id = section_id(index, section.title);
  out += "<section class=\"block\" id=\"" + id + "\"><h2>" + escape_text(section.title) + "</h2>";
  if (!section.description.empty()) {
    out += "<p class=\"intro\">" + escape_text(section.description) + "</p>";
  }

  // Charts before tables: the picture first, the exact numbers after.
  for (std::size_t c = 0; c < section.charts.size(); ++c) {
    const Chart& chart = section.charts[c];
    const std::string chart_id = id + "-c" + std::to_string(c + 1);
    const auto& [title, caption] = std::visit(
        [](const auto& any) {
          return std::pair<const std::string&, const std::string&>(any.title, any.caption);
        },
        chart);
    out += "<figure>";
    if (!title.empty()) out += "<h3>" + escape_text(title) + "</h3>";
    if (!caption.empty()) out += "<p class=\"caption\">" + escape_text(caption) + "</p>";
    out += "<div class=\"plot\">";
    if (const auto* series = std::get_if<TimeSeriesChart>(&chart)) {
      out += render_time_series_svg(*series, palette, chart_id);
    } else {
      out += render_scatter_svg(std::get<ScatterChart>(chart), palette, chart_id);
    }
    out += "</div></figure>";
  }
  for (const Table& table : section.tables) put_table(out, table, palette);
  out += "</section>";
}

}  // namespace

std::string render_html(const Report& report) {
  const Palette palette = build_palette(report);
  std::string out;
  out.reserve(256 * 1024);

  // Head: everything the page needs is inline; the viewport line makes phones use their width.
  out +=
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<meta name=\"generator\" content=\"podsizer ";
  out += kVersion;
  out += "\"><title>" + escape_text(report.title) + "</title><style>";
  out += kStyle;
  out += "</style></head><body><main class=\"page\">";

  // Masthead, headline numbers, contents, sections, footer.
  out +=
      "<header><p class=\"eyebrow\">podsizer report</p><h1>" + escape_text(report.title) + "</h1>";
  if (!report.subtitle.empty()) out += "<p class=\"lede\">" + escape_text(report.subtitle) + "</p>";
  out += "</header>";
  put_headlines(out, report.headlines);
  put_contents(out, report);
  for (std::size_t s = 0; s < report.sections.size(); ++s) {
    put_section(out, report.sections[s], s, palette);
  }
  out += "<footer>Generated by podsizer " + std::string(kVersion);
  if (!report.generated_at.empty()) out += " \u00b7 " + escape_text(report.generated_at);
  out += "</footer></main></body></html>\n";
  return out;
}

void write_html_report(const Report& report, const std::string& path) {
  const std::string page = render_html(report);
  traces::write_file_atomically(path, page);

  std::size_t charts = 0;
  std::size_t tables = 0;
  for (const Section& section : report.sections) {
    charts += section.charts.size();
    tables += section.tables.size();
  }
  traces::named_logger("report")->info("wrote {} ({} sections, {} charts, {} tables, {} KiB)", path,
                                       report.sections.size(), charts, tables,
                                       (page.size() + 1023) / 1024);
}

}  // namespace podsizer::report
