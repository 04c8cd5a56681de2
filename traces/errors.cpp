#include "traces/errors.h"

namespace podsizer::traces {
namespace {

// Formats "file:line: field 'name': problem", leaving out the parts that are unknown.
std::string describe(const std::string& file, std::size_t line, const std::string& field,
                     const std::string& problem) {
  std::string text = file.empty() ? std::string("<input>") : file;
  if (line > 0) text += ":" + std::to_string(line);
  text += ": ";
  if (!field.empty()) text += "field '" + field + "': ";
  return text + problem;
}

}  // namespace

InputError::InputError(std::string file, std::size_t line, std::string field,
                       const std::string& problem)
    : std::runtime_error(describe(file, line, field, problem)),
      file_(std::move(file)),
      line_(line),
      field_(std::move(field)) {}

}  // namespace podsizer::traces
