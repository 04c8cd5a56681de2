// Tests of the HDF5 trace store: round trips, replacement, listing and refusal of bad files.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "traces/errors.h"
#include "traces/store.h"

namespace fs = std::filesystem;
using podsizer::traces::InputError;
using podsizer::traces::list_traces;
using podsizer::traces::read_trace;
using podsizer::traces::Trace;
using podsizer::traces::write_traces;

namespace {

// A fresh, empty folder for one test, removed at the end.
struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& tag) {
    path = fs::temp_directory_path() /
           ("podsizer-test-store-" + tag + "-" + std::to_string(std::random_device{}()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A trace of `rows` samples with every column, values chosen so that none repeats.
Trace full_trace(const std::string& name, std::size_t rows) {
  Trace trace;
  trace.meta.name = name;
  trace.meta.source = "csv:/data/" + name + ".csv";
  trace.meta.interval_s = 60.0;
  for (std::size_t i = 0; i < rows; ++i) {
    const double x = static_cast<double>(i);
    trace.time_s.push_back(1'700'000'000.0 + 60.0 * x);
    trace.cpu_millicores.push_back(100.0 + 0.25 * x);
    trace.memory_bytes.push_back(512.0 * 1024 * 1024 + 4096.0 * x);
    trace.request_rate.push_back(200.0 + x / 3.0);
    trace.replicas.push_back(2.0 + static_cast<double>(i % 3));
  }
  return trace;
}

bool same_trace(const Trace& a, const Trace& b) {
  return a.meta.name == b.meta.name && a.meta.source == b.meta.source &&
         a.meta.interval_s == b.meta.interval_s && a.meta.cpu_unit == b.meta.cpu_unit &&
         a.meta.memory_unit == b.meta.memory_unit && a.meta.rate_unit == b.meta.rate_unit &&
         a.time_s == b.time_s && a.cpu_millicores == b.cpu_millicores &&
         a.memory_bytes == b.memory_bytes && a.request_rate == b.request_rate &&
         a.replicas == b.replicas;
}

}  // namespace

TEST_CASE("traces::store: round-trips every column and the metadata exactly", "[traces]") {
  TempDir dir("roundtrip");
  const std::string store = dir.file("t.h5");

  // 150 000 rows span three 64 Ki-element chunks, the last one partial.
  Trace trace = full_trace("checkout", 150'000);
  trace.meta.cpu_unit = "cores-x1000";
  write_traces(store, {trace});

  const Trace back = read_trace(store, "checkout");
  CHECK(same_trace(back, trace));
  CHECK(back.size() == 150'000);
  CHECK(back.memory_bytes[149'999] == 512.0 * 1024 * 1024 + 4096.0 * 149'999);
}

TEST_CASE("traces::store: absent columns stay absent and an empty trace survives", "[traces]") {
  TempDir dir("absent");
  const std::string store = dir.file("t.h5");

  // A request-rate-only trace (as a per-second rate file gives) and a CPU-only trace.
  Trace rates;
  rates.meta.name = "rates";
  rates.time_s = {0, 1, 2};
  rates.request_rate = {5, 0, 7};
  Trace cpu_only = full_trace("cpu", 4);
  cpu_only.memory_bytes.clear();
  cpu_only.request_rate.clear();
  cpu_only.replicas.clear();
  Trace nothing;
  nothing.meta.name = "empty";
  write_traces(store, {rates, cpu_only, nothing});

  const Trace rates_back = read_trace(store, "rates");
  CHECK(rates_back.request_rate == std::vector<double>{5, 0, 7});
  CHECK_FALSE(rates_back.has_cpu());
  CHECK_FALSE(rates_back.has_memory());
  CHECK_FALSE(rates_back.has_replicas());

  const Trace cpu_back = read_trace(store, "cpu");
  CHECK(same_trace(cpu_back, cpu_only));
  CHECK_FALSE(cpu_back.has_request_rate());

  const Trace empty_back = read_trace(store, "empty");
  CHECK(empty_back.empty());
  CHECK(empty_back.meta.name == "empty");
}

TEST_CASE("traces::store: a trace with a stored name replaces it, others stay", "[traces]") {
  TempDir dir("replace");
  const std::string store = dir.file("t.h5");
  write_traces(store, {full_trace("a", 10), full_trace("b", 20)});

  Trace newer = full_trace("b", 5);
  newer.meta.source = "synthetic";
  write_traces(store, {newer, full_trace("c", 3)});

  CHECK(list_traces(store) == std::vector<std::string>{"a", "b", "c"});
  CHECK(read_trace(store, "a").size() == 10);
  const Trace b = read_trace(store, "b");
  CHECK(b.size() == 5);
  CHECK(b.meta.source == "synthetic");

  // Replacing frees the old data: rewriting "b" many times keeps the file about its size.
  const auto size_before = fs::file_size(store);
  for (int i = 0; i < 5; ++i) write_traces(store, {full_trace("b", 20'000)});
  write_traces(store, {newer});
  CHECK(fs::file_size(store) <= size_before + 4096);
}

TEST_CASE("traces::store: lists trace names sorted", "[traces]") {
  TempDir dir("list");
  const std::string store = dir.file("t.h5");
  write_traces(store, {full_trace("zeta", 2), full_trace("alpha", 2), full_trace("Mid", 2)});
  // Sorted by bytes: upper case before lower case.
  CHECK(list_traces(store) == std::vector<std::string>{"Mid", "alpha", "zeta"});
}

TEST_CASE("traces::store: a missing file or trace is refused by name", "[traces]") {
  TempDir dir("missing");
  const std::string store = dir.file("t.h5");

  SECTION("a missing file names the file") {
    CHECK_THROWS_WITH(list_traces(dir.file("nope.h5")),
                      Catch::Contains("nope.h5") && Catch::Contains("no such trace store"));
    CHECK_THROWS_AS(read_trace(dir.file("nope.h5"), "a"), InputError);
  }
  SECTION("a missing trace names the trace and lists what is there") {
    write_traces(store, {full_trace("a", 2), full_trace("b", 2)});
    try {
      read_trace(store, "c");
      FAIL("read_trace returned for a missing trace");
    } catch (const InputError& error) {
      CHECK(error.file() == store);
      CHECK(error.field() == "c");
      CHECK_THAT(error.what(), Catch::Contains("it holds: a, b"));
    }
  }
}

TEST_CASE("traces::store: a corrupt file gives a clear error, never a crash", "[traces]") {
  TempDir dir("corrupt");
  const std::string store = dir.file("t.h5");

  SECTION("garbage that is not HDF5") {
    std::ofstream(store, std::ios::binary) << "timestamp,cpu\n1,2\n";
    CHECK_THROWS_WITH(list_traces(store), Catch::Contains(store) && Catch::Contains("not an HDF5"));
    CHECK_THROWS_AS(read_trace(store, "a"), InputError);
  }
  SECTION("a store cut short") {
    write_traces(store, {full_trace("a", 100'000)});
    const std::string bytes = read_bytes(store);
    // Keep the superblock but lose most of the data and the end-of-file the superblock records.
    std::ofstream(store, std::ios::binary | std::ios::trunc).write(bytes.data(), 3000);
    bool refused = false;
    try {
      const auto names = list_traces(store);
      read_trace(store, "a");
    } catch (const InputError& error) {
      refused = true;
      CHECK(error.file() == store);
      CHECK_THAT(error.what(), Catch::Contains("HDF5 error"));
    }
    CHECK(refused);
  }
  SECTION("a store whose metadata was overwritten") {
    write_traces(store, {full_trace("a", 100'000)});
    std::string bytes = read_bytes(store);
    // Keep the 8-byte HDF5 signature, scribble over the superblock and the root group after it.
    for (std::size_t i = 8; i < 2048; ++i) bytes[i] = '\x5a';
    std::ofstream(store, std::ios::binary | std::ios::trunc).write(bytes.data(), bytes.size());
    CHECK_THROWS_WITH(read_trace(store, "a"),
                      Catch::Contains(store) && Catch::Contains("HDF5 error"));
  }
}

TEST_CASE("traces::store: a failed write leaves the old store intact", "[traces]") {
  TempDir dir("failed");
  const std::string store = dir.file("t.h5");
  write_traces(store, {full_trace("a", 50)});
  const std::string before = read_bytes(store);

  SECTION("a malformed trace among good ones adds nothing") {
    Trace broken = full_trace("broken", 5);
    broken.time_s[3] = broken.time_s[1];  // no longer strictly increasing
    CHECK_THROWS_WITH(write_traces(store, {full_trace("good", 5), broken}),
                      Catch::Contains("broken") && Catch::Contains("strictly increasing"));
  }
  SECTION("a name HDF5 cannot hold is refused") {
    CHECK_THROWS_AS(write_traces(store, {full_trace("x/y", 5)}), InputError);
    CHECK_THROWS_AS(write_traces(store, {full_trace("", 5)}), InputError);
  }
  SECTION("two traces with one name are refused") {
    CHECK_THROWS_WITH(write_traces(store, {full_trace("d", 5), full_trace("d", 6)}),
                      Catch::Contains("share this name"));
  }
  CHECK(read_bytes(store) == before);
  CHECK(list_traces(store) == std::vector<std::string>{"a"});
  // No temporary file is left behind.
  CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 1);
}

TEST_CASE("traces::store: writing over a corrupt store refuses and keeps its bytes", "[traces]") {
  TempDir dir("overcorrupt");
  const std::string store = dir.file("t.h5");
  std::ofstream(store, std::ios::binary) << "not a store at all";
  CHECK_THROWS_WITH(write_traces(store, {full_trace("a", 5)}), Catch::Contains("not an HDF5"));
  CHECK(read_bytes(store) == "not a store at all");
  CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 1);
}

TEST_CASE("traces::store: regular columns are compressed, noisy ones stored plain", "[traces]") {
  TempDir dir("compress");
  // 100 000 rows: each column is 800 000 bytes raw.
  Trace regular = full_trace("regular", 100'000);  // every column a fixed step or a cycle
  regular.replicas.clear();
  regular.request_rate.clear();
  regular.memory_bytes.clear();
  Trace noisy = regular;
  std::mt19937_64 engine(3);
  for (double& value : noisy.cpu_millicores) value = static_cast<double>(engine() >> 11) * 1e-9;

  write_traces(dir.file("regular.h5"), {regular});
  write_traces(dir.file("noisy.h5"), {noisy});
  // Time and a linear CPU column deflate to a few kB; the noisy CPU column stays 800 000 bytes
  // (plus the compressed time column and a few kB of metadata).
  CHECK(fs::file_size(dir.file("regular.h5")) < 100'000);
  CHECK(fs::file_size(dir.file("noisy.h5")) > 800'000);
  CHECK(fs::file_size(dir.file("noisy.h5")) < 900'000);
  CHECK(read_trace(dir.file("noisy.h5"), "regular").cpu_millicores == noisy.cpu_millicores);
}
