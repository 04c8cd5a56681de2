// Errors raised when input a user brings cannot be read.
//
// Every reader in traces/ reports bad input through InputError, which names the file, the
// 1-based line (0 when the problem is not tied to a line, such as a missing file) and the
// field, so the message alone tells the user what to fix.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

namespace podsizer::traces {

class InputError : public std::runtime_error {
 public:
  // `field` may be empty when the problem concerns the whole file or line.
  InputError(std::string file, std::size_t line, std::string field, const std::string& problem);

  const std::string& file() const { return file_; }
  std::size_t line() const { return line_; }
  const std::string& field() const { return field_; }

 private:
  std::string file_;
  std::size_t line_;
  std::string field_;
};

}  // namespace podsizer::traces
