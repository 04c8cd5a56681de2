#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "agent/checkpoint.h"
#include "agent/ppo.h"
#include "toy_environments.h"
#include "traces/errors.h"

using namespace podsizer::agent;
using podsizer::agent::testing::TrackingEnvironment;

namespace {

PpoConfig checkpoint_config() {
  PpoConfig config;
  config.hidden_sizes = {8};
  config.steps_per_env = 12;  // not a multiple of the episode length: episodes span iterations
  config.minibatch_size = 16;
  config.epochs = 3;
  config.total_iterations = 10;  // the learning rate changes every iteration
  config.entropy_coef = 0.01;
  config.seed = 3;
  return config;
}

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / name).string();
}

}  // namespace

TEST_CASE("agent::checkpoint: reload and continue equals an uninterrupted run", "[agent]") {
  // Uninterrupted: four iterations.
  TrackingEnvironment straight_env(3, 5);
  PpoLearner straight(checkpoint_config(), straight_env);
  for (int i = 0; i < 4; ++i) straight.iterate(straight_env);

  // Interrupted: two iterations, checkpoint, a fresh learner and environment, two more.
  const std::string path = temp_path("podsizer_agent_resume.pt");
  {
    TrackingEnvironment env(3, 5);
    PpoLearner first(checkpoint_config(), env);
    for (int i = 0; i < 2; ++i) first.iterate(env);
    save_checkpoint(first, path, &env);
  }
  TrackingEnvironment resumed_env(3, 5);
  PpoLearner resumed(checkpoint_config(), resumed_env);
  CHECK(resumed.parameters() != straight.parameters());
  REQUIRE(load_checkpoint(resumed, path, &resumed_env));
  CHECK(resumed.iteration() == 2);
  CHECK(resumed.env_steps() == 2 * 12 * 3);
  for (int i = 0; i < 2; ++i) resumed.iterate(resumed_env);

  CHECK(resumed.parameters() == straight.parameters());
  CHECK(resumed.env_steps() == straight.env_steps());
  std::filesystem::remove(path);
}

TEST_CASE("agent::checkpoint: without an environment state episodes restart reproducibly",
          "[agent]") {
  // Loading without the environment is allowed; two such resumptions agree with each other.
  const std::string path = temp_path("podsizer_agent_noenv.pt");
  TrackingEnvironment env(2, 5);
  PpoLearner learner(checkpoint_config(), env);
  learner.iterate(env);
  save_checkpoint(learner, path);

  auto resume = [&] {
    TrackingEnvironment fresh(2, 5);
    PpoLearner again(checkpoint_config(), fresh);
    CHECK_FALSE(load_checkpoint(again, path, &fresh));
    again.iterate(fresh);
    return again.parameters();
  };
  CHECK(resume() == resume());
  std::filesystem::remove(path);
}

TEST_CASE("agent::checkpoint: a file that does not fit names the problem", "[agent]") {
  TrackingEnvironment env(2, 5);
  PpoLearner learner(checkpoint_config(), env);

  SECTION("a file that is not a checkpoint") {
    const std::string path = temp_path("podsizer_agent_garbage.pt");
    std::ofstream(path) << "not a checkpoint";
    CHECK_THROWS_AS(load_checkpoint(learner, path), podsizer::traces::InputError);
    std::filesystem::remove(path);
  }
  SECTION("a checkpoint of a learner with other layer widths") {
    const std::string path = temp_path("podsizer_agent_shape.pt");
    PpoConfig other = checkpoint_config();
    other.hidden_sizes = {9};
    PpoLearner different(other, env);
    save_checkpoint(different, path);
    try {
      load_checkpoint(learner, path);
      FAIL("a mismatched checkpoint was accepted");
    } catch (const podsizer::traces::InputError& error) {
      CHECK(error.field() == "shape");
      CHECK(error.file() == path);
    }
    std::filesystem::remove(path);
  }
  SECTION("a missing file") {
    CHECK_THROWS_AS(load_checkpoint(learner, temp_path("podsizer_agent_absent.pt")),
                    podsizer::traces::InputError);
  }
}
