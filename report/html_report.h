// A Report (report_model.h) as one self-contained HTML page.
//
// The page needs nothing but itself: styles are inline, charts are inline SVG (svg_chart.h),
// there is no JavaScript, no web font and no link to the network, so it opens from a mail
// attachment, an artifact store or a printed PDF alike. Its order is the order a reader wants:
// title and context, headline numbers, a table of contents, then one block per section with its
// charts before its tables. Series keys keep one colour across the whole page (palette.h); the
// best cell of each table column that declares a direction is marked. All text is escaped.
//
// Rendering is a pure function of the report (the same report gives the same bytes); writing
// goes through a temporary file and a rename (traces/atomic_file.h). Thread-safe.
#pragma once

#include <string>

#include "report/report_model.h"

namespace podsizer::report {

// The page as a string. Throws ReportError when the report's data breaks the model's rules.
std::string render_html(const Report& report);

// Renders and writes the page to `path` atomically. Throws ReportError for bad data and
// traces::InputError naming the path when it cannot be written.
void write_html_report(const Report& report, const std::string& path);

}  // namespace podsizer::report
