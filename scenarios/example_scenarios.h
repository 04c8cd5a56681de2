// The example scenarios of scenarios/examples/, compiled into the library.
//
// CMake reads every *.yaml and *.csv of scenarios/examples/ when it configures the build and
// embeds their text (embedded_examples.cpp.in), so a program can evaluate the examples from any
// working folder; the folder stays the source of truth and a change there is picked up by the
// next build. A scenario names its other files relative to its own folder, so the examples are
// used by writing them all into one folder and loading them from there.
//
// The embedded table is immutable; the functions are thread-safe for different folders.
#pragma once

#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace podsizer::scenarios {

struct ExampleFile {
  std::string_view name;  // file name, e.g. "flash-crowd.yaml"
  std::string_view text;
};

// Every example file, sorted by name.
std::span<const ExampleFile> example_files();

// Writes every example file into `folder` (created if needed), each atomically, and returns the
// paths of the scenario files (*.yaml), sorted by name. Throws traces::InputError naming the
// folder or file that cannot be written.
std::vector<std::string> write_example_scenarios(const std::filesystem::path& folder);

}  // namespace podsizer::scenarios
