#include "scenarios/example_scenarios.h"

#include <system_error>

#include "traces/atomic_file.h"
#include "traces/errors.h"

namespace podsizer::scenarios {

std::vector<std::string> write_example_scenarios(const std::filesystem::path& folder) {
  std::error_code error;
  std::filesystem::create_directories(folder, error);
  if (error) {
    throw traces::InputError(folder.string(), 0, "",
                             "cannot create the folder: " + error.message());
  }

  // Every file, so that the scenarios find what they name; the YAML files are the scenarios.
  std::vector<std::string> scenarios;
  for (const ExampleFile& file : example_files()) {
    const std::string path = (folder / std::string(file.name)).string();
    traces::write_file_atomically(path, file.text);
    if (file.name.ends_with(".yaml")) scenarios.push_back(path);
  }
  return scenarios;
}

}  // namespace podsizer::scenarios
