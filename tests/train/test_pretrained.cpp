// The shipped pre-trained policy against VPA on the files the corpus recipe holds out of
// training (../shared/traces), through `podsizer validate` as a user runs it.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "support/test_files.h"

namespace fs = std::filesystem;
using podsizer::testing::quoted;
using podsizer::testing::read_text;

TEST_CASE("policies/pretrained: the shipped policy meets the bar on the held-out files",
          "[train]") {
  const fs::path source(PODSIZER_SOURCE_DIR);
  const fs::path shared(PODSIZER_SHARED_TRACES);
  REQUIRE(fs::is_directory(shared / "bitbrains-rnd"));
  REQUIRE(fs::is_directory(shared / "google2019"));

  // The recipe names the traces relative to the checkout's root; here they are wherever the
  // build found them.
  const podsizer::testing::TempDir dir("train", "pretrained");
  std::string recipe = read_text(source / "examples" / "train-corpus.yaml");
  REQUIRE(!recipe.empty());
  for (std::size_t at = recipe.find("../shared/traces"); at != std::string::npos;
       at = recipe.find("../shared/traces", at)) {
    recipe.replace(at, 16, shared.string());
    at += shared.string().size();
  }
  std::ofstream(dir.file("corpus.yaml")) << recipe;

  const std::string policy = (source / "policies" / "pretrained" / "podsizer-general.pt").string();
  const auto outcome = podsizer::testing::run_podsizer(
      dir, "validate --config corpus.yaml --require-bar --policies vpa," + quoted(policy));
  INFO(outcome.out << outcome.err);
  CHECK(outcome.status == 0);
  CHECK(outcome.out.find("17 histories") != std::string::npos);
  CHECK(outcome.out.find("the bar is met over all 17 histories") != std::string::npos);
}
