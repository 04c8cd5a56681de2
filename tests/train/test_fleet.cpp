#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "traces/history_csv_writer.h"
#include "traces/quantity.h"
#include "train/fleet.h"

namespace fs = std::filesystem;
using namespace podsizer;

namespace {

// Two days of constant usage every 5 minutes.
traces::Trace flat_trace(const std::string& name, double cpu, double memory_mib) {
  traces::Trace t;
  t.meta.name = name;
  t.meta.interval_s = 300;
  for (int k = 0; k < 576; ++k) {
    t.time_s.push_back(1.7e9 + 300.0 * k);
    t.cpu_millicores.push_back(cpu);
    t.memory_bytes.push_back(memory_mib * traces::kMiB);
  }
  return t;
}

train::FleetGroup group(const std::string& source, const std::string& policy, double cpu,
                        double memory, double oom_per_day, double over_request, double kills) {
  train::FleetGroup g;
  g.source = source;
  g.policy = policy;
  g.traces = 1;
  g.mean.cpu_request_millicores = cpu;
  g.mean.memory_request_mib = memory;
  g.mean.oom_samples_per_day = oom_per_day;
  g.mean.memory_over_request_percent = over_request;
  g.mean.oom_kills = kills;
  return g;
}

}  // namespace

TEST_CASE("train::compare_fleet: groups by source and averages requests over histories",
          "[train]") {
  // Two flat histories written as history CSV. The static policy keeps what the first day
  // shows: CPU request = its p95 (100 m and 300 m), memory request = its peak (200 and 600 MiB).
  // The group's means: (100 + 300) / 2 = 200 m and (200 + 600) / 2 = 400 MiB; usage never
  // exceeds a request or a limit, so no OOM sample and no over-request.
  const fs::path dir = fs::temp_directory_path() / "fleet";
  fs::create_directories(dir);
  traces::write_history_csv((dir / "a.csv").string(), flat_trace("a", 100, 200));
  traces::write_history_csv((dir / "b.csv").string(), flat_trace("b", 300, 600));

  const auto fleet = train::read_fleet({dir.string()});
  REQUIRE(fleet.size() == 2);
  CHECK(fleet[0].source == "history");
  train::FleetOptions options;
  options.closed_loop = false;
  const auto comparison = train::compare_fleet(fleet, {"static"}, options);
  REQUIRE(comparison.sources == std::vector<std::string>{"history", "all"});
  const auto& g = comparison.group("history", "static");
  CHECK(g.traces == 2);
  CHECK(g.mean.cpu_request_millicores == Approx(200));
  CHECK(g.mean.memory_request_mib == Approx(400));
  CHECK(g.mean.oom_samples_per_day == 0);
  CHECK(g.mean.memory_over_request_percent == 0);
  CHECK(comparison.group("all", "static").mean.memory_request_mib == Approx(400));

  // The same run again gives the same numbers (parallel over traces, one slot each).
  const auto again = train::compare_fleet(fleet, {"static"}, options);
  CHECK(again.runs[0][1].memory_request_mib == comparison.runs[0][1].memory_request_mib);
  fs::remove_all(dir);
}

TEST_CASE("train::check_bar: every criterion at its edge", "[train]") {
  train::FleetComparison c;
  c.policies = {"vpa", "learned"};
  c.sources = {"all"};
  // vpa: 1000 m, 2000 MiB, 0.5 OOM samples a day, 10 kills. learned: 850 m is exactly 15 %
  // under (passes), 1720 MiB is 14 % under (fails), 0.5 OOM/day equal (passes), 1 % over
  // request (fails: must be under 1 %), 11 kills (fails).
  c.groups.push_back(group("all", "vpa", 1000, 2000, 0.5, 3.0, 10));
  c.groups.push_back(group("all", "learned", 850, 1720, 0.5, 1.0, 11));
  const auto checks = train::check_bar(c, "learned", "vpa");
  REQUIRE(checks.size() == 7);
  CHECK(checks[0].value == Approx(0.15));
  CHECK(checks[0].passed);
  CHECK(checks[1].value == Approx(0.14));
  CHECK_FALSE(checks[1].passed);
  CHECK(checks[2].passed);
  CHECK_FALSE(checks[3].passed);
  CHECK_FALSE(checks[4].passed);
  CHECK(checks[5].passed);  // no evictions on either side
  CHECK(checks[6].passed);  // no SLO violation on either side
  CHECK(train::format_bar(checks).find("FAIL") != std::string::npos);

  // Backtests only: the three closed-loop criteria are left out.
  CHECK(train::check_bar(c, "learned", "vpa", 0.15, false).size() == 4);
}
