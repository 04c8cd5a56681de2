#include "report/palette.h"

#include <array>

namespace podsizer::report {
namespace {

constexpr std::array<const char*, 8> kColours = {
    "#0072B2",  // blue
    "#E69F00",  // orange
    "#009E73",  // bluish green
    "#CC79A7",  // reddish purple
    "#56B4E9",  // sky blue
    "#D55E00",  // vermillion
    "#000000",  // black
    "#999933",  // olive
};

const std::string kGrey = "#6B7280";

}  // namespace

Palette::Palette(const std::vector<std::string>& keys) {
  for (const std::string& key : keys) add(key);
}

void Palette::add(const std::string& key) {
  if (key.empty() || colours_.count(key) != 0) return;
  colours_.emplace(key, kColours[colours_.size() % kColours.size()]);
}

const std::string& Palette::colour(const std::string& key) const {
  const auto it = colours_.find(key);
  return it == colours_.end() ? kGrey : it->second;
}

}  // namespace podsizer::report
