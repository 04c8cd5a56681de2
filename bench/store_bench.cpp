// How fast the HDF5 trace store writes and reads a long trace, against a plain memcpy.
//
// Generates a synthetic trace of N samples (default 10 million, one per second, so about 116
// days) with all five columns, then measures, best of three runs each:
//   write     write_traces() into a fresh store (shuffle + deflate, chunking, rename)
//   read      read_trace() of it back into new vectors
//   memcpy    copying the same bytes into new vectors (allocation and page faults included,
//             as read_trace has them too) and into vectors already touched (the copy alone)
// and prints rows per second and bytes per second of each, the file size and the read's cost
// relative to the memcpy. The store file goes to the system's temporary folder and is removed.
// Figures are CPU time of the measuring thread (one core), with the elapsed time beside them.
//
// Usage: store_bench [samples]

#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "traces/log.h"
#include "traces/store.h"
#include "traces/synthetic.h"

namespace fs = std::filesystem;
namespace traces = podsizer::traces;

namespace {

struct Figure {
  double seconds = 1e300;  // CPU time of this thread, best run
  double wall_seconds = 0.0;
};

double thread_cpu_seconds() {
  timespec now{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

// Runs `work` three times and keeps the run with the least CPU time, so other programs on the
// machine distort the figure as little as possible.
Figure best_of_three(const std::function<void()>& work) {
  Figure best;
  for (int run = 0; run < 3; ++run) {
    const auto wall_start = std::chrono::steady_clock::now();
    const double cpu_start = thread_cpu_seconds();
    work();
    const double cpu = thread_cpu_seconds() - cpu_start;
    const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - wall_start;
    if (cpu < best.seconds) best = {cpu, wall.count()};
  }
  return best;
}

void print(const char* what, const Figure& figure, std::size_t rows, std::size_t bytes) {
  std::printf("%-22s %8.3f s cpu %8.3f s wall %10.1f M rows/s %9.2f GB/s\n", what, figure.seconds,
              figure.wall_seconds, static_cast<double>(rows) / figure.seconds / 1e6,
              static_cast<double>(bytes) / figure.seconds / 1e9);
}

std::size_t column_bytes(const traces::Trace& trace) {
  return (trace.time_s.size() + trace.cpu_millicores.size() + trace.memory_bytes.size() +
          trace.request_rate.size() + trace.replicas.size()) *
         sizeof(double);
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t samples = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 10'000'000;
  traces::set_log_level("warn");

  // The trace: one sample per second, every column present.
  traces::SyntheticOptions options;
  options.step_s = 1.0;
  options.duration_s = static_cast<double>(samples);
  traces::Trace trace = traces::generate_synthetic(options);
  trace.meta.name = "bench";
  const std::size_t bytes = column_bytes(trace);
  std::printf("trace: %zu samples, 5 columns, %.1f MB of float64\n", trace.size(),
              static_cast<double>(bytes) / 1e6);

  const std::string path =
      (fs::temp_directory_path() / ("podsizer-store-bench-" + std::to_string(::getpid()) + ".h5"))
          .string();

  // Write: each run starts from no file, as a first import does.
  const Figure write = best_of_three([&] {
    fs::remove(path);
    traces::write_traces(path, {trace});
  });
  const auto file_size = fs::file_size(path);

  // Read: the whole trace into fresh vectors.
  std::size_t read_rows = 0;
  const Figure read = best_of_three([&] {
    const traces::Trace back = traces::read_trace(path, "bench");
    read_rows = back.size();
  });
  if (read_rows != trace.size()) {
    std::fprintf(stderr, "read %zu rows, expected %zu\n", read_rows, trace.size());
    return 1;
  }

  // memcpy into fresh vectors: what read_trace cannot beat.
  const std::vector<const std::vector<double>*> columns = {&trace.time_s, &trace.cpu_millicores,
                                                           &trace.memory_bytes, &trace.request_rate,
                                                           &trace.replicas};
  double checksum = 0.0;
  const Figure copy_fresh = best_of_three([&] {
    for (const auto* column : columns) {
      std::vector<double> target(column->size());
      std::memcpy(target.data(), column->data(), column->size() * sizeof(double));
      checksum += target[target.size() / 2];
    }
  });

  // memcpy into vectors already allocated and touched: the copy alone.
  std::vector<std::vector<double>> targets;
  for (const auto* column : columns) targets.emplace_back(column->size(), 1.0);
  const Figure copy_warm = best_of_three([&] {
    for (std::size_t c = 0; c < columns.size(); ++c) {
      std::memcpy(targets[c].data(), columns[c]->data(), columns[c]->size() * sizeof(double));
    }
    checksum += targets[0][targets[0].size() / 2];
  });
  fs::remove(path);

  print("hdf5 write", write, trace.size(), bytes);
  print("hdf5 read", read, trace.size(), bytes);
  print("memcpy, new vectors", copy_fresh, trace.size(), bytes);
  print("memcpy, warm vectors", copy_warm, trace.size(), bytes);
  std::printf("file: %.1f MB (%.1f %% of the raw columns)\n", static_cast<double>(file_size) / 1e6,
              100.0 * static_cast<double>(file_size) / static_cast<double>(bytes));
  std::printf("read / memcpy into new vectors: %.1fx the time\n",
              read.seconds / copy_fresh.seconds);
  std::printf("(checksum %g)\n", checksum);
  return 0;
}
