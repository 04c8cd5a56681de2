// Colours for series keys, the same key always the same colour within a report.
//
// The colours are the Okabe-Ito set (chosen to stay distinguishable under the common forms of
// colour blindness) without its yellow, which is unreadable on white, plus an olive; beyond
// eight keys they repeat. Keys get colours in the order they are first seen, so a report that
// lists policies in the same order colours them the same way every time. An empty key is grey.
//
// Not thread-safe while keys are being added; reading a finished palette is.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

namespace podsizer::report {

class Palette {
 public:
  // Gives a colour to each of `keys` in order.
  explicit Palette(const std::vector<std::string>& keys = {});

  // Gives `key` the next colour unless it has one.
  void add(const std::string& key);

  // The colour of `key` as "#rrggbb": its own once added, else grey.
  const std::string& colour(const std::string& key) const;

  std::size_t size() const { return colours_.size(); }

 private:
  std::unordered_map<std::string, std::string> colours_;
};

}  // namespace podsizer::report
