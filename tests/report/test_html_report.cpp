#include "report/html_report.h"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "traces/errors.h"

using namespace podsizer::report;
namespace fs = std::filesystem;

namespace {

constexpr double kMiB = 1024.0 * 1024.0;
constexpr double kGiB = 1024.0 * kMiB;
constexpr double kDay = 86400;
// 2026-12-01 00:00:00 UTC, the start of the sample replay.
constexpr double kStart = 1796083200;

const std::vector<std::string> kPolicies = {"static", "vpa", "krr", "learned"};

std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t count = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos;
       at = text.find(needle, at + needle.size())) {
    ++count;
  }
  return count;
}

std::string read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A fresh folder under the system temp folder, removed when the test ends.
struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& name)
      : path(fs::temp_directory_path() /
             ("podsizer-report-" + name + "-" + std::to_string(::getpid()))) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

// A regular series: `count` samples `step` seconds apart from kStart, values from `f(i)`.
template <typename F>
Line make_line(const std::string& key, const std::string& label, std::size_t count, double step,
               F f) {
  Line line;
  line.key = key;
  line.label = label;
  line.times.reserve(count);
  line.values.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    line.times.push_back(kStart + static_cast<double>(i) * step);
    line.values.push_back(f(i));
  }
  return line;
}

// One scenario with four policies: memory with OOM kills of the static policy, latency against
// its SLO, one policy's CPU usage against its request and limit, cost against risk, a table.
// `stress` scales demand so the two scenarios differ. Deterministic: fixed seed.
Section make_scenario(const std::string& title, double stress, std::uint64_t seed) {
  std::mt19937_64 random(seed);
  std::normal_distribution<double> noise(0.0, 1.0);
  Section section;
  section.title = title;
  section.description = "Each policy replays the same three days of load with demand scaled by " +
                        std::to_string(stress).substr(0, 3) + ".";

  // Memory: a daily wave; the static policy's pod leaks and is killed at its 1 GiB limit.
  TimeSeriesChart memory;
  memory.title = "Memory working set per policy";
  memory.caption = "OOM kills of the static policy are marked above the plot.";
  memory.y_label = "Memory";
  memory.y_unit = Unit::kBytes;
  memory.time_axis = TimeAxis::kUnixEpoch;
  const std::size_t samples = 3 * 1440;  // three days at one minute
  for (std::size_t p = 0; p < kPolicies.size(); ++p) {
    double leak = 0;
    Line line = make_line(kPolicies[p], kPolicies[p], samples, 60, [&](std::size_t i) {
      const double wave = std::sin(2 * M_PI * static_cast<double>(i) / 1440.0);
      double value =
          (420 + 90 * p + 160 * stress * (0.5 + 0.5 * wave)) * kMiB + 8 * kMiB * noise(random);
      if (p == 0) {
        leak += 0.9 * stress * kMiB;
        if (value + leak > 1 * kGiB) {
          memory.events.push_back({kStart + static_cast<double>(i) * 60,
                                   "OOM kill: checkout-api-0 at 1 GiB", EventKind::kOomKill,
                                   kPolicies[p]});
          leak = 0;
        }
        value = std::min(value + leak, 1 * kGiB);
      }
      return value;
    });
    memory.lines.push_back(std::move(line));
  }
  memory.references.push_back({1 * kGiB, "static limit 1 GiB"});
  const double static_ooms = static_cast<double>(memory.events.size());
  section.charts.push_back(memory);

  // Latency: five-minute p95 per policy against a 200 ms SLO.
  TimeSeriesChart latency;
  latency.title = "p95 latency against the SLO";
  latency.caption = "Time above the dashed line counts as SLO violation.";
  latency.y_label = "p95 latency";
  latency.y_unit = Unit::kMilliseconds;
  latency.time_axis = TimeAxis::kUnixEpoch;
  for (std::size_t p = 0; p < kPolicies.size(); ++p) {
    latency.lines.push_back(make_line(kPolicies[p], kPolicies[p], 3 * 288, 300, [&](std::size_t i) {
      const double wave = std::sin(2 * M_PI * static_cast<double>(i) / 288.0);
      return 110 + 20 * p * (p == 3 ? -0.5 : 1) + 70 * stress * std::max(0.0, wave) +
             6 * noise(random);
    }));
  }
  latency.references.push_back({200, "SLO 200 ms"});
  section.charts.push_back(latency);

  // One policy's CPU: usage shaded, request and limit as steps that change when it decides.
  TimeSeriesChart cpu;
  cpu.title = "learned: CPU usage, request and limit";
  cpu.caption = "The request follows the daily peak; the limit leaves room for bursts.";
  cpu.y_label = "CPU";
  cpu.y_unit = Unit::kMillicores;
  cpu.time_axis = TimeAxis::kElapsed;
  Line usage = make_line("learned", "usage", samples, 60, [&](std::size_t i) {
    const double wave = std::sin(2 * M_PI * static_cast<double>(i) / 1440.0);
    return std::max(20.0, 300 * stress * (1 + 0.6 * wave) + 25 * noise(random));
  });
  for (double& t : usage.times) t -= kStart;
  usage.area = true;
  Line request;
  request.key = "learned";
  request.label = "request";
  request.style = LineStyle::kDashed;
  request.step = true;
  Line limit = request;
  limit.label = "limit";
  limit.style = LineStyle::kDotted;
  for (int hour = 0; hour <= 72; hour += 6) {
    const double level = 300 * stress * (1.2 + 0.5 * std::sin(2 * M_PI * hour / 24.0));
    request.times.push_back(hour * 3600.0);
    request.values.push_back(std::round(level / 10) * 10);
    limit.times.push_back(hour * 3600.0);
    limit.values.push_back(std::round(level * 1.6 / 10) * 10);
  }
  cpu.lines = {usage, request, limit};
  cpu.events.push_back({26 * 3600.0, "scaled to 4 replicas", EventKind::kScaling, "learned"});
  section.charts.push_back(cpu);

  // Cost against risk across policies.
  ScatterChart scatter;
  scatter.title = "Cost against risk";
  scatter.caption = "Lower left is better: cheaper and fewer minutes above the SLO.";
  scatter.x_label = "Cost per month";
  scatter.x_unit = Unit::kDollars;
  scatter.y_label = "SLO violation";
  scatter.y_unit = Unit::kSeconds;
  const double costs[] = {410, 365, 300, 280};
  const double violations[] = {5400, 600, 2700, 1320};
  for (std::size_t p = 0; p < kPolicies.size(); ++p) {
    scatter.points.push_back(
        {kPolicies[p], kPolicies[p], costs[p] * stress, violations[p] * stress});
  }
  section.charts.push_back(scatter);

  // The exact numbers, best per column marked.
  Table table;
  table.title = "Policy comparison";
  table.columns = {
      {"CPU request", Unit::kMillicores, Better::kNone, true},
      {"Memory request", Unit::kBytes, Better::kNone, true},
      {"Cost / month", Unit::kDollars, Better::kLower},
      {"p95 latency", Unit::kMilliseconds, Better::kLower},
      {"OOM kills", Unit::kCount, Better::kLower},
      {"SLO violation", Unit::kSeconds, Better::kLower},
      {"Note", Unit::kNumber},
  };
  const double cpu_requests[] = {500, 420, 350, 380};
  const double memory_requests[] = {1 * kGiB, 768 * kMiB, 640 * kMiB, 704 * kMiB};
  const double p95[] = {231, 188, 204, 151};
  for (std::size_t p = 0; p < kPolicies.size(); ++p) {
    Row row;
    row.label = kPolicies[p];
    row.key = kPolicies[p];
    row.cells = {cpu_requests[p],
                 memory_requests[p],
                 costs[p] * stress,
                 p95[p] * stress,
                 p == 0 ? static_ooms : 0.0,
                 violations[p] * stress,
                 p == 0 ? Cell("current <manifest> & limits") : Cell("")};
    table.rows.push_back(row);
  }
  section.tables.push_back(table);
  return section;
}

Report make_sample_report() {
  Report report;
  report.title = "checkout-api: right-sizing under what-if scenarios";
  report.subtitle =
      "Four policies replayed on three days of synthetic load, each scenario on the "
      "same cluster of 8-core, 32 GiB nodes with an HPA between 2 and 10 replicas.";
  report.generated_at = "2026-12-03 17:00 UTC";
  report.key_order = kPolicies;
  report.headlines = {
      {"Cost vs. current", -31.7, Unit::kPercent, "learned policy, traffic \u00d72", "",
       Tone::kGood},
      {"OOM kills avoided", 14, Unit::kCount, "static policy had 14 in the leak scenario", "",
       Tone::kGood},
      {"p95 latency", 151, Unit::kMilliseconds, "learned, SLO 200 ms", "", Tone::kNeutral},
      {"SLO violation", 5400, Unit::kSeconds, "static policy, worst scenario", "", Tone::kBad},
  };
  report.sections.push_back(make_scenario("Traffic \u00d72", 2.0, 7));
  report.sections.push_back(make_scenario("Memory leak", 1.4, 11));
  return report;
}

}  // namespace

TEST_CASE("report::render_html: one chart element per chart, charts before tables", "[report]") {
  const Report report = make_sample_report();
  const std::string page = render_html(report);

  // Two scenarios of four charts (memory, latency, CPU, scatter) and one table each.
  CHECK(count_of(page, "<svg class=\"chart") == 8);
  CHECK(count_of(page, "<svg class=\"chart scatter\"") == 2);
  CHECK(count_of(page, "<table>") == 2);

  // In each section the last chart comes before the first table.
  const std::size_t second = page.find("<section class=\"block\" id=\"s2-");
  REQUIRE(second != std::string::npos);
  const std::string first_section = page.substr(0, second);
  CHECK(first_section.rfind("<svg class=\"chart") < first_section.find("<table>"));

  // Contents link to each section's anchor; the SLO line and OOM markers are drawn.
  CHECK(page.find("<a href=\"#s1-traffic-2\">") != std::string::npos);
  CHECK(page.find("id=\"s2-memory-leak\"") != std::string::npos);
  CHECK(count_of(page, "<g class=\"reference\">") == 4);
  CHECK(page.find("OOM kill \u00b7 2026-12-0") != std::string::npos);
}

TEST_CASE("report::render_html: needs nothing outside the page", "[report]") {
  const std::string page = render_html(make_sample_report());
  CHECK(page.find("<script") == std::string::npos);
  CHECK(page.find("<link") == std::string::npos);
  CHECK(page.find("@import") == std::string::npos);
  CHECK(page.find(" src=") == std::string::npos);
  // The only address is the SVG namespace, which browsers never fetch.
  CHECK(count_of(page, "http") == count_of(page, "xmlns=\"http://www.w3.org/2000/svg\""));
  // Clip paths are referred to within the page only.
  CHECK(count_of(page, "url(") == count_of(page, "url(#"));
}

TEST_CASE("report::render_html: escapes every piece of text", "[report]") {
  Report report;
  report.title = "<script>alert(\"x\")</script>";
  report.subtitle = "Tom & Jerry's";
  Section section;
  section.title = "A <b>bold</b> scenario";
  TimeSeriesChart chart;
  chart.title = "</svg><img src=x>";
  chart.lines.push_back({"k<", "a<b", {0, 1, 2}, {1, 2, 3}});
  chart.events.push_back({1, "\"quoted\" & <tagged>", EventKind::kEviction, ""});
  section.charts.push_back(chart);
  Table table;
  table.columns = {{"<th>", Unit::kNumber}};
  table.rows.push_back({"row<1>", "", {Cell("<td>")}});
  section.tables.push_back(table);
  report.sections.push_back(section);

  const std::string page = render_html(report);
  CHECK(page.find("<script>") == std::string::npos);
  CHECK(page.find("<b>") == std::string::npos);
  CHECK(page.find("<img") == std::string::npos);
  CHECK(page.find("<th><") == std::string::npos);
  CHECK(page.find("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;") != std::string::npos);
  CHECK(page.find("Tom &amp; Jerry&#39;s") != std::string::npos);
  CHECK(page.find("&quot;quoted&quot; &amp; &lt;tagged&gt;") != std::string::npos);
  CHECK(page.find("row&lt;1&gt;") != std::string::npos);
  CHECK(count_of(page, "<svg class=\"chart") == 1);
}

TEST_CASE("report::render_html: a key has one colour across sections and tables", "[report]") {
  // key_order gives static, vpa, krr, learned the first four colours: blue, orange, green,
  // purple; both sections' tables and every vpa line use orange.
  const std::string page = render_html(make_sample_report());
  CHECK(count_of(page, "<span class=\"swatch\" style=\"background:#0072B2\"></span>static") == 2);
  CHECK(count_of(page, "<span class=\"swatch\" style=\"background:#E69F00\"></span>vpa") == 2);
  CHECK(count_of(page, "<span class=\"swatch\" style=\"background:#009E73\"></span>krr") == 2);
  CHECK(count_of(page, "<span class=\"swatch\" style=\"background:#CC79A7\"></span>learned") == 2);

  // Each vpa line (memory and latency, two sections) is stroked orange.
  std::size_t vpa_lines = 0;
  for (std::size_t at = page.find("<title>vpa: "); at != std::string::npos;
       at = page.find("<title>vpa: ", at + 1)) {
    const std::size_t stroke = page.find("stroke=\"", at);
    REQUIRE(stroke != std::string::npos);
    CHECK(page.substr(stroke, 16) == "stroke=\"#E69F00\"");
    ++vpa_lines;
  }
  CHECK(vpa_lines == 4);
}

TEST_CASE("report::render_html: marks the best cell of each column that has a direction",
          "[report]") {
  Report report;
  Section section;
  section.title = "Table";
  Table table;
  table.columns = {
      {"Cost", Unit::kDollars, Better::kLower},       // 3, 1, 2 -> $1.00 is best
      {"Headroom", Unit::kPercent, Better::kHigher},  // 10, 30, 20 -> 30 % is best
      {"Replicas", Unit::kReplicas, Better::kNone},   // never marked
      {"Kills", Unit::kCount, Better::kLower},        // 0, 0, 0: all equal, nothing marked
      {"Risk", Unit::kCount, Better::kLower},         // 2, 1, 1: a tie, both marked
  };
  table.rows.push_back({"a", "", {3.0, 10.0, 1.0, 0.0, 2.0}});
  table.rows.push_back({"b", "", {1.0, 30.0, 9.0, 0.0, 1.0}});
  table.rows.push_back({"c", "", {2.0, 20.0, 5.0, 0.0, 1.0}});
  section.tables.push_back(table);
  report.sections.push_back(section);

  const std::string page = render_html(report);
  const std::string best =
      "<td class=\"best\" title=\"best in this column\">"
      "<span class=\"mark\">\u2605</span>";
  CHECK(count_of(page, best) == 4);
  CHECK(page.find(best + "$1.00</td>") != std::string::npos);
  CHECK(page.find(best + "30 %</td>") != std::string::npos);
  CHECK(count_of(page, best + "1</td>") == 2);
  CHECK(page.find("<td>$3.00</td>") != std::string::npos);
}

TEST_CASE("report::render_html: a 30-day series at one second stays small", "[report]") {
  // 30 d x 86,400 s = 2,592,000 samples; thinned to at most 4 points in each of the plot's
  // 878 columns, the chart's path holds no more than 3,512 points.
  const std::size_t n = 30 * 86400;
  Line line;
  line.key = "usage";
  line.label = "usage";
  line.times.resize(n);
  line.values.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    line.times[i] = static_cast<double>(i);
    line.values[i] = 500 + 200 * std::sin(static_cast<double>(i) / 43200.0 * M_PI);
  }
  line.values[1234567] = 4000;  // one spike of one second
  TimeSeriesChart chart;
  chart.title = "CPU";
  chart.y_label = "CPU";
  chart.y_unit = Unit::kMillicores;
  chart.lines.push_back(std::move(line));
  Section section;
  section.title = "Long";
  section.charts.push_back(std::move(chart));
  Report report;
  report.sections.push_back(std::move(section));

  const auto started = std::chrono::steady_clock::now();
  const std::string page = render_html(report);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  WARN("30-day 1 s series: page " << page.size() / 1024 << " KiB, rendered in " << seconds << " s");
  CHECK(page.size() < 200 * 1024);
  // The spike sets the top of the axis: 4000m = 4 cores, ticks up to 4.
  CHECK(page.find("CPU (cores)") != std::string::npos);
  CHECK(page.find("usage: 300m to 4 cores") != std::string::npos);
}

TEST_CASE("report::render_html: refuses lines that break the model's rules", "[report]") {
  Report report;
  Section section;
  section.title = "Bad";
  TimeSeriesChart chart;
  chart.title = "Broken";

  SECTION("times going backwards") {
    chart.lines.push_back({"k", "backwards", {0, 2, 1}, {1, 1, 1}});
    section.charts.push_back(chart);
    report.sections.push_back(section);
    REQUIRE_THROWS_AS(render_html(report), ReportError);
    REQUIRE_THROWS_WITH(render_html(report), Catch::Contains("\"backwards\"") &&
                                                 Catch::Contains("time 2 goes backwards"));
  }
  SECTION("times and values of different lengths") {
    chart.lines.push_back({"k", "short", {0, 1, 2}, {1, 1}});
    section.charts.push_back(chart);
    report.sections.push_back(section);
    REQUIRE_THROWS_WITH(render_html(report), Catch::Contains("3 times but 2 values"));
  }
}

TEST_CASE("report::render_html: the same report gives the same bytes", "[report]") {
  CHECK(render_html(make_sample_report()) == render_html(make_sample_report()));
}

TEST_CASE("report::render_html: empty charts, missing cells and no sections still render",
          "[report]") {
  Report report;
  report.title = "Empty";
  CHECK(render_html(report).find("<h1>Empty</h1>") != std::string::npos);

  // A chart with nothing in it gets a unit axis; a row shorter than the columns gets dashes.
  Section section;
  section.title = "Nothing yet";
  section.charts.push_back(TimeSeriesChart{});
  section.charts.push_back(ScatterChart{});
  // An infinite value cannot be drawn; it breaks the line like a gap.
  TimeSeriesChart infinite;
  infinite.lines.push_back({"k", "k", {0, 1, 2}, {1, std::numeric_limits<double>::infinity(), 2}});
  section.charts.push_back(infinite);
  Table table;
  table.columns = {{"Cost", Unit::kDollars, Better::kLower}, {"Kills", Unit::kCount}};
  table.rows.push_back({"only", "", {}});
  section.tables.push_back(table);
  report.sections.push_back(section);
  const std::string page = render_html(report);
  CHECK(count_of(page, "<svg class=\"chart") == 3);
  CHECK(count_of(page, "<td>\u2013</td>") == 2);
  CHECK(page.find("nan") == std::string::npos);
  CHECK(page.find("inf") == std::string::npos);
}

TEST_CASE("report::write_html_report: replaces the file in one step", "[report]") {
  TempDir dir("write");
  const fs::path path = dir.path / "report.html";
  const Report report = make_sample_report();
  {
    std::ofstream old(path);
    old << "old";
  }
  write_html_report(report, path.string());
  CHECK(read_all(path) == render_html(report));
  // Only the page is left: the temporary file was renamed over it.
  CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 1);

  // A folder that does not exist is reported with its path.
  const std::string missing = (dir.path / "no-such-folder" / "report.html").string();
  REQUIRE_THROWS_AS(write_html_report(report, missing), podsizer::traces::InputError);
}

TEST_CASE("report::write_html_report: headless Chromium renders the sample page", "[report]") {
  // The browser is part of the toolchain this project requires; its absence is a failure.
  const fs::path chromium = "/usr/bin/chromium";
  REQUIRE(fs::exists(chromium));

  TempDir dir("chromium");
  const fs::path page = dir.path / "sample report.html";
  const fs::path png = dir.path / "screenshot.png";
  write_html_report(make_sample_report(), page.string());
  if (const char* keep = std::getenv("PODSIZER_REPORT_SAMPLE")) {
    fs::copy_file(page, keep, fs::copy_options::overwrite_existing);
  }

  // Two runs of the real browser with a fresh profile each and nothing reaching the network.
  const auto run = [&](const std::string& name, const std::string& action) {
    const fs::path profile = dir.path / ("profile-" + name);
    const std::string command =
        chromium.string() +
        " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run"
        " --disable-background-networking --disable-component-update --disable-sync"
        " --enable-logging=stderr --v=0 --user-data-dir='" +
        profile.string() + "' " + action + " 'file://" + page.string() + "' >'" +
        (dir.path / (name + ".out")).string() + "' 2>'" + (dir.path / (name + ".err")).string() +
        "'";
    return std::system(command.c_str());
  };
  REQUIRE(run("shot", "--screenshot='" + png.string() + "' --window-size=1280,2000") == 0);
  REQUIRE(run("dom", "--dump-dom") == 0);

  // The screenshot is a PNG of the window's size with content: a blank page of this size
  // compresses to about 13 KiB, the sample page to well over 100 KiB.
  const std::string image = read_all(png);
  REQUIRE(image.size() > 24);
  CHECK(image.substr(0, 8) == "\x89PNG\r\n\x1a\n");
  const auto be32 = [&](std::size_t at) {
    return (static_cast<std::uint32_t>(static_cast<unsigned char>(image[at])) << 24) |
           (static_cast<std::uint32_t>(static_cast<unsigned char>(image[at + 1])) << 16) |
           (static_cast<std::uint32_t>(static_cast<unsigned char>(image[at + 2])) << 8) |
           static_cast<std::uint32_t>(static_cast<unsigned char>(image[at + 3]));
  };
  CHECK(be32(16) == 1280);
  CHECK(be32(20) == 2000);
  CHECK(image.size() > 60 * 1024);

  // The page loaded without console messages, and the browser's DOM holds every chart.
  const std::string errors = read_all(dir.path / "shot.err") + read_all(dir.path / "dom.err");
  CHECK(errors.find("CONSOLE") == std::string::npos);
  const std::string dom = read_all(dir.path / "dom.out");
  CHECK(count_of(dom, "<svg class=\"chart") == 8);
  CHECK(count_of(dom, "<table>") == 2);
  CHECK(dom.find("checkout-api: right-sizing under what-if scenarios") != std::string::npos);
  CHECK(dom.find("Generated by podsizer") != std::string::npos);
}
