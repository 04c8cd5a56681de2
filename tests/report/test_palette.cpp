#include "report/palette.h"

#include <string>

#include <catch2/catch.hpp>

using podsizer::report::Palette;

TEST_CASE("report::Palette: colours keys in the order they are first seen", "[report]") {
  Palette palette({"static", "vpa"});
  palette.add("krr");
  palette.add("vpa");  // already coloured: keeps orange, takes no new colour
  palette.add("learned");
  CHECK(palette.colour("static") == "#0072B2");
  CHECK(palette.colour("vpa") == "#E69F00");
  CHECK(palette.colour("krr") == "#009E73");
  CHECK(palette.colour("learned") == "#CC79A7");
  CHECK(palette.size() == 4);
}

TEST_CASE("report::Palette: unknown and empty keys are grey, the ninth key repeats the first",
          "[report]") {
  Palette palette;
  palette.add("");
  CHECK(palette.size() == 0);
  CHECK(palette.colour("") == "#6B7280");
  CHECK(palette.colour("never-added") == "#6B7280");
  for (int k = 1; k <= 9; ++k) palette.add("p" + std::to_string(k));
  CHECK(palette.colour("p9") == palette.colour("p1"));
  CHECK(palette.colour("p8") != palette.colour("p1"));
}
