// Helpers the tests share: a temporary folder of their own, reading a file back, and running the
// `podsizer` executable as a user would, in a folder, with its two streams captured.
//
// Header-only so each test executable takes just what it uses; nothing here depends on the
// project's libraries. PODSIZER_BINARY is defined for every test executable (tests/CMakeLists.txt).
#pragma once

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <system_error>

namespace podsizer::testing {

// A fresh folder under the system's temporary folder, removed with everything in it when the
// object goes. `prefix` names the test file, `tag` the case, so a folder left by a crash says
// whose it was.
struct TempDir {
  std::filesystem::path path;

  TempDir(const std::string& prefix, const std::string& tag) {
    path = std::filesystem::temp_directory_path() /
           ("podsizer-test-" + prefix + "-" + tag + "-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(path);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }

  std::string file(const std::string& name) const { return (path / name).string(); }
};

// The whole file as bytes; empty when it cannot be read.
inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// `text` in single quotes, for a shell command line (the tests' paths hold no quote).
inline std::string quoted(const std::string& text) {
  return "'" + text + "'";
}

// How often `what` occurs in `text`, overlaps included.
inline std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

struct Outcome {
  int status = -1;  // exit status; -1 when the process did not exit normally
  std::string out;
  std::string err;
};

// Runs the podsizer binary with `arguments` (already quoted as the shell needs) in `dir`, its
// standard output and error captured through stdout.txt and stderr.txt there.
inline Outcome run_podsizer(const TempDir& dir, const std::string& arguments) {
  const std::string out_path = dir.file("stdout.txt");
  const std::string err_path = dir.file("stderr.txt");
  const std::string command = "cd " + quoted(dir.path.string()) + " && " + quoted(PODSIZER_BINARY) +
                              " " + arguments + " >" + quoted(out_path) + " 2>" + quoted(err_path);
  const int raw = std::system(command.c_str());
  Outcome outcome;
  outcome.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  outcome.out = read_text(out_path);
  outcome.err = read_text(err_path);
  return outcome;
}

}  // namespace podsizer::testing
