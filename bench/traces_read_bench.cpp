// How fast the readers of traces/ turn files into Traces, on one core.
//
// Reads every file of the shared public traces (Bitbrains, Google 2019, request rates) and a
// synthetic history CSV it writes itself, and prints rows per second per format and overall.
// Each measurement is the best of three runs, so the figures are for files already in the page
// cache: parsing speed, not disk speed. Rates are per CPU-second of the reading thread (one
// core); the elapsed time is printed beside them.
//
// Usage: traces_read_bench [csv_rows] [shared_traces_folder]
//   csv_rows              rows of the synthetic history CSV (default 10000000)
//   shared_traces_folder  default: the PODSIZER_SHARED_TRACES the project was configured with

#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "traces/log.h"
#include "traces/readers.h"

namespace fs = std::filesystem;
namespace traces = podsizer::traces;

namespace {

struct Figure {
  std::size_t rows = 0;
  std::size_t bytes = 0;
  double seconds = 0.0;       // CPU time of this thread: the figure for one core
  double wall_seconds = 0.0;  // elapsed time, which includes waiting when the machine is busy
};

double thread_cpu_seconds() {
  timespec now{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

// Runs `read` three times and keeps the run that took the least CPU time; `read` returns the
// rows it read. CPU time rather than elapsed time, so that other programs sharing the machine
// do not distort the figure.
Figure best_of_three(const std::function<std::size_t()>& read, std::size_t bytes) {
  Figure best;
  best.bytes = bytes;
  best.seconds = 1e300;
  for (int run = 0; run < 3; ++run) {
    const auto wall_start = std::chrono::steady_clock::now();
    const double cpu_start = thread_cpu_seconds();
    const std::size_t rows = read();
    const double cpu = thread_cpu_seconds() - cpu_start;
    const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - wall_start;
    if (cpu < best.seconds) {
      best.rows = rows;
      best.seconds = cpu;
      best.wall_seconds = wall.count();
    }
  }
  return best;
}

void print(const char* what, std::size_t files, const Figure& figure) {
  std::printf("%-28s %5zu %11zu %8.1f %8.3f %8.3f %10.2f %8.1f\n", what, files, figure.rows,
              figure.bytes / 1e6, figure.seconds, figure.wall_seconds,
              figure.rows / figure.seconds / 1e6, figure.bytes / figure.seconds / 1e6);
}

std::vector<std::string> files_in(const fs::path& folder) {
  std::vector<std::string> files;
  if (!fs::is_directory(folder)) return files;
  for (const auto& entry : fs::directory_iterator(folder)) {
    if (entry.is_regular_file()) files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::size_t total_bytes(const std::vector<std::string>& files) {
  std::size_t bytes = 0;
  for (const auto& file : files) bytes += fs::file_size(file);
  return bytes;
}

// Writes a history CSV of `rows` rows, one a minute, with usage that varies from row to row
// (a fixed linear congruential sequence, so every run writes the same file). Rows look like
// "1700000060,1348.25,880.125,497".
void write_history_csv(const std::string& path, std::size_t rows, bool rfc3339) {
  std::ofstream out(path, std::ios::binary);
  out << "timestamp,cpu_usage_milli_cores,memory_usage_megabytes,request_per_sec\n";
  std::string buffer;
  buffer.reserve(1 << 20);
  char number[64];
  unsigned long long state = 42;
  auto append = [&](double value) {
    const auto [end, error] = std::to_chars(number, number + sizeof number, value);
    buffer.append(number, end);
  };
  for (std::size_t i = 0; i < rows; ++i) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    const unsigned noise = static_cast<unsigned>(state >> 40) % 10000;
    if (rfc3339) {
      // One row a minute on a calendar of 28-day months, so every date exists and is unique.
      const std::size_t minute = i % 1440, day = i / 1440 % 28, month = i / 40320 % 12;
      const std::size_t year = 2024 + i / 483840;
      char stamp[48];
      std::snprintf(stamp, sizeof stamp, "%04zu-%02zu-%02zuT%02zu:%02zu:00Z", year, month + 1,
                    day + 1, minute / 60, minute % 60);
      buffer += stamp;
    } else {
      append(1700000000.0 + 60.0 * static_cast<double>(i));
    }
    buffer += ',';
    append(100.0 + noise * 0.25);
    buffer += ',';
    append(256.0 + noise * 0.125);
    buffer += ',';
    append(static_cast<double>(noise % 1000));
    buffer += '\n';
    if (buffer.size() > (1 << 20) - 256) {
      out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
      buffer.clear();
    }
  }
  out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t csv_rows = argc > 1 ? std::stoull(argv[1]) : 10000000;
  const fs::path shared = argc > 2 ? fs::path(argv[2]) : fs::path(PODSIZER_SHARED_TRACES);
  // The readers warn about every repaired file; the figures are what matter here.
  traces::set_log_level("error");

  std::printf("%-28s %5s %11s %8s %8s %8s %10s %8s\n", "format", "files", "rows", "MB", "cpu s",
              "wall s", "M rows/s", "MB/s");
  Figure overall;
  std::size_t overall_files = 0;
  auto add = [&](const char* what, const std::vector<std::string>& files,
                 const std::function<std::size_t(const std::string&)>& read_one) {
    if (files.empty()) {
      std::printf("%-28s skipped: no files under %s\n", what, shared.string().c_str());
      return;
    }
    const Figure figure = best_of_three(
        [&] {
          std::size_t rows = 0;
          for (const auto& file : files) rows += read_one(file);
          return rows;
        },
        total_bytes(files));
    print(what, files.size(), figure);
    overall.rows += figure.rows;
    overall.bytes += figure.bytes;
    overall.seconds += figure.seconds;
    overall.wall_seconds += figure.wall_seconds;
    overall_files += files.size();
  };

  add("bitbrains-rnd", files_in(shared / "bitbrains-rnd"), [](const std::string& file) {
    traces::ReadReport report;
    traces::read_bitbrains(file, &report);
    return report.rows;
  });
  add("google2019", files_in(shared / "google2019"), [](const std::string& file) {
    traces::ReadReport report;
    traces::read_google2019(file, {}, &report);
    return report.rows;
  });
  add("requests (values)", files_in(shared / "requests"),
      [](const std::string& file) { return traces::read_request_rates(file).size(); });
  if (overall_files > 0) print("shared traces, overall", overall_files, overall);

  // The synthetic history CSVs: Unix seconds at full size, RFC 3339 at a fifth of it.
  const std::string stem =
      (fs::temp_directory_path() / ("podsizer-bench-" + std::to_string(::getpid()))).string();
  for (const bool rfc3339 : {false, true}) {
    const std::size_t rows = rfc3339 ? csv_rows / 5 : csv_rows;
    const std::string path = stem + (rfc3339 ? "-rfc3339.csv" : "-unix.csv");
    write_history_csv(path, rows, rfc3339);
    const Figure figure = best_of_three(
        [&] {
          traces::ReadReport report;
          traces::read_history_csv(path, &report);
          return report.rows;
        },
        fs::file_size(path));
    print(rfc3339 ? "history CSV, RFC 3339 times" : "history CSV, Unix seconds", 1, figure);
    fs::remove(path);
  }
  return 0;
}
