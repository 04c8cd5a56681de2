// The entry point of every test executable.
//
// CTest runs each test case as its own process, two at a time, and many tests write files under
// std::filesystem::temp_directory_path() with fixed names. So each process first makes a folder
// of its own, points TMPDIR at it (temp_directory_path() and child processes both follow it), and
// removes it when the tests are done: concurrent tests never share a file, and nothing is left.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>

#include <unistd.h>

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  const fs::path own =
      fs::temp_directory_path() / ("podsizer-test-" + std::to_string(::getpid()));
  fs::create_directories(own);
  ::setenv("TMPDIR", own.c_str(), 1);

  const int failed = Catch::Session().run(argc, argv);

  std::error_code ignored;
  fs::remove_all(own, ignored);
  return failed;
}
