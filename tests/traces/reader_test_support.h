// Helpers for the reader tests: temporary input files and checks on InputError.
//
// Each TempFile lives under std::filesystem::temp_directory_path() with a name unique to the
// process and the file, and is removed when the object goes out of scope.
#pragma once

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include <unistd.h>

#include <catch2/catch.hpp>

#include "traces/errors.h"

namespace podsizer::traces::testing {

class TempFile {
 public:
  // Writes `content` byte for byte (no newline added) to a fresh file ending in `suffix`.
  TempFile(std::string_view content, const std::string& stem, const std::string& suffix = ".csv") {
    static std::atomic<unsigned> counter{0};
    path_ =
        (std::filesystem::temp_directory_path() / ("podsizer-" + std::to_string(::getpid()) + "-" +
                                                   std::to_string(counter++) + "-" + stem + suffix))
            .string();
    std::ofstream out(path_, std::ios::binary);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    REQUIRE(out.good());
  }
  ~TempFile() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  const std::string& path() const { return path_; }
  std::string stem() const { return std::filesystem::path(path_).stem().string(); }

 private:
  std::string path_;
};

// Runs `read`, requires it to throw InputError, and returns that error.
template <typename Read>
InputError input_error_of(Read&& read) {
  try {
    read();
  } catch (const InputError& error) {
    return error;
  }
  FAIL("expected an InputError, but the input was accepted");
  throw std::logic_error("unreachable");
}

// Requires `error` to name `file`, `line` and `field` in its accessors and in its message, and
// its message to contain `words`.
inline void require_names(const InputError& error, const std::string& file, std::size_t line,
                          const std::string& field, const std::string& words = "") {
  INFO("message: " << error.what());
  CHECK(error.file() == file);
  CHECK(error.line() == line);
  CHECK(error.field() == field);
  const std::string message = error.what();
  CHECK_THAT(message, Catch::Contains(file + ":" + std::to_string(line) + ": "));
  if (!field.empty()) CHECK_THAT(message, Catch::Contains("field '" + field + "'"));
  if (!words.empty()) CHECK_THAT(message, Catch::Contains(words, Catch::CaseSensitive::No));
}

}  // namespace podsizer::traces::testing
