#include "agent/checkpoint.h"

#include <sstream>
#include <string_view>

#include "agent/ppo_impl.h"
#include "traces/atomic_file.h"
#include "traces/errors.h"
#include "traces/log.h"

namespace podsizer::agent {

namespace {

constexpr std::int64_t kCheckpointFormat = 1;

// The numbers that must agree between the learner that wrote a checkpoint and the one reading
// it: format, sizes and layer widths.
std::vector<std::int64_t> shape_of(const PpoLearner::Impl& impl) {
  std::vector<std::int64_t> shape{
      kCheckpointFormat, static_cast<std::int64_t>(impl.observation_size),
      static_cast<std::int64_t>(impl.action_size), static_cast<std::int64_t>(impl.num_envs),
      static_cast<std::int64_t>(impl.config.steps_per_env)};
  for (const std::size_t width : impl.config.hidden_sizes) {
    shape.push_back(static_cast<std::int64_t>(width));
  }
  return shape;
}

torch::Tensor doubles(const std::vector<double>& values) {
  return torch::tensor(values, torch::kDouble);
}

torch::Tensor bytes(std::string_view text) {
  torch::Tensor tensor = torch::empty({static_cast<std::int64_t>(text.size())}, torch::kUInt8);
  std::copy(text.begin(), text.end(), reinterpret_cast<char*>(tensor.data_ptr<std::uint8_t>()));
  return tensor;
}

std::string text_of(const torch::Tensor& tensor) {
  const torch::Tensor flat = tensor.contiguous();
  const auto* data = reinterpret_cast<const char*>(flat.data_ptr<std::uint8_t>());
  return std::string(data, data + flat.numel());
}

std::vector<double> doubles_of(const torch::Tensor& tensor) {
  const torch::Tensor flat = tensor.to(torch::kDouble).contiguous();
  return {flat.data_ptr<double>(), flat.data_ptr<double>() + flat.numel()};
}

// Reads one tensor, naming the key when it is missing.
torch::Tensor require(torch::serialize::InputArchive& archive, const std::string& path,
                      const std::string& key) {
  torch::Tensor tensor;
  if (!archive.try_read(key, tensor)) {
    throw traces::InputError(path, 0, key, "missing from the checkpoint");
  }
  return tensor;
}

void require_size(const torch::Tensor& tensor, std::size_t size, const std::string& path,
                  const std::string& key) {
  if (static_cast<std::size_t>(tensor.numel()) != size) {
    throw traces::InputError(
        path, 0, key,
        "holds " + std::to_string(tensor.numel()) + " values, expected " + std::to_string(size));
  }
}

}  // namespace

void save_checkpoint(const PpoLearner& learner, const std::string& path,
                     const env::VectorEnvironment* env) {
  const PpoLearner::Impl& impl = learner.impl();
  torch::serialize::OutputArchive archive;
  archive.write("shape", torch::tensor(shape_of(impl), torch::kLong));

  // Network and optimiser, each in its own sub-archive.
  torch::serialize::OutputArchive model_archive;
  impl.model->save(model_archive);
  archive.write("model", model_archive);
  torch::serialize::OutputArchive optimizer_archive;
  impl.optimizer->save(optimizer_archive);
  archive.write("optimizer", optimizer_archive);

  // Normalisers, in double as they are kept.
  const RunningMeanStd& observation_stats = impl.observation_normalizer.stats();
  archive.write("observation_count", doubles({observation_stats.count()}));
  archive.write("observation_mean", doubles(observation_stats.mean()));
  archive.write("observation_var", doubles(observation_stats.var()));
  const RunningMeanStd& return_stats = impl.return_scaler.stats();
  archive.write("return_count", doubles({return_stats.count()}));
  archive.write("return_mean", doubles(return_stats.mean()));
  archive.write("return_var", doubles(return_stats.var()));
  archive.write("return_running", doubles(impl.return_scaler.returns()));

  // Randomness and the position in the experience stream.
  archive.write("generator_state", impl.generator.get_state());
  std::ostringstream rng_text;
  rng_text << impl.shuffle_rng;
  archive.write("shuffle_rng", bytes(rng_text.str()));
  archive.write("counters",
                torch::tensor({static_cast<std::int64_t>(impl.iteration), impl.env_steps,
                               static_cast<std::int64_t>(impl.needs_reset)},
                              torch::kLong));
  archive.write("observations", torch::tensor(impl.observations, torch::kFloat));

  // The environment's own state, when it can give one and there is a stream to continue.
  if (env != nullptr && !impl.needs_reset) {
    if (const std::optional<std::string> state = env->save_state()) {
      archive.write("env_state", bytes(*state));
    }
  }

  traces::write_stream_atomically(path, [&](std::ostream& out) { archive.save_to(out); });
  traces::named_logger("agent")->info("checkpoint written to {} at iteration {}", path,
                                      impl.iteration);
}

bool load_checkpoint(PpoLearner& learner, const std::string& path, env::VectorEnvironment* env) {
  PpoLearner::Impl& impl = learner.impl();
  torch::serialize::InputArchive archive;
  try {
    archive.load_from(path);
  } catch (const c10::Error& error) {
    throw traces::InputError(
        path, 0, "", std::string("cannot read the checkpoint: ") + error.what_without_backtrace());
  }

  // The learner must have the shape of the one that wrote the file.
  const torch::Tensor shape = require(archive, path, "shape");
  const std::vector<std::int64_t> expected = shape_of(impl);
  if (!torch::equal(shape, torch::tensor(expected, torch::kLong))) {
    throw traces::InputError(path, 0, "shape",
                             "format, sizes or layer widths differ from the learner's");
  }

  // Everything is read and checked before anything in the learner changes.
  torch::serialize::InputArchive model_archive;
  torch::serialize::InputArchive optimizer_archive;
  if (!archive.try_read("model", model_archive)) {
    throw traces::InputError(path, 0, "model", "missing from the checkpoint");
  }
  if (!archive.try_read("optimizer", optimizer_archive)) {
    throw traces::InputError(path, 0, "optimizer", "missing from the checkpoint");
  }
  const torch::Tensor observation_mean = require(archive, path, "observation_mean");
  const torch::Tensor observation_var = require(archive, path, "observation_var");
  require_size(observation_mean, impl.observation_size, path, "observation_mean");
  require_size(observation_var, impl.observation_size, path, "observation_var");
  const torch::Tensor return_running = require(archive, path, "return_running");
  require_size(return_running, impl.num_envs, path, "return_running");
  const torch::Tensor counters = require(archive, path, "counters");
  require_size(counters, 3, path, "counters");
  const torch::Tensor observations = require(archive, path, "observations");
  require_size(observations, impl.observations.size(), path, "observations");
  const torch::Tensor observation_count = require(archive, path, "observation_count");
  const torch::Tensor return_count = require(archive, path, "return_count");
  const torch::Tensor return_mean = require(archive, path, "return_mean");
  const torch::Tensor return_var = require(archive, path, "return_var");
  const torch::Tensor generator_state = require(archive, path, "generator_state");
  const torch::Tensor shuffle_rng = require(archive, path, "shuffle_rng");
  torch::Tensor env_state;
  const bool has_env_state = archive.try_read("env_state", env_state);

  // Network and optimiser state, then the normalisers.
  try {
    impl.model->load(model_archive);
    impl.optimizer->load(optimizer_archive);
    impl.generator.set_state(generator_state);
  } catch (const c10::Error& error) {
    throw traces::InputError(
        path, 0, "model",
        std::string("does not fit the network: ") + error.what_without_backtrace());
  }
  impl.observation_normalizer.stats().set(
      doubles_of(observation_count)[0], doubles_of(observation_mean), doubles_of(observation_var));
  impl.return_scaler.stats().set(doubles_of(return_count)[0], doubles_of(return_mean),
                                 doubles_of(return_var));
  impl.return_scaler.set_returns(doubles_of(return_running));

  // Shuffle generator, counters and the last observations.
  std::istringstream rng_text(text_of(shuffle_rng));
  rng_text >> impl.shuffle_rng;
  if (!rng_text) throw traces::InputError(path, 0, "shuffle_rng", "is not a mt19937_64 state");
  const torch::Tensor counter_values = counters.to(torch::kLong).contiguous();
  impl.iteration = static_cast<std::size_t>(counter_values[0].item<std::int64_t>());
  impl.env_steps = counter_values[1].item<std::int64_t>();
  const bool saved_needs_reset = counter_values[2].item<std::int64_t>() != 0;
  const torch::Tensor observation_values = observations.to(torch::kFloat).contiguous();
  std::copy_n(observation_values.data_ptr<float>(), impl.observations.size(),
              impl.observations.begin());

  // The environment continues its old stream only when its state came along.
  bool restored = false;
  if (has_env_state && env != nullptr && !saved_needs_reset) {
    try {
      env->load_state(text_of(env_state));
    } catch (const std::invalid_argument& error) {
      throw traces::InputError(path, 0, "env_state", error.what());
    }
    restored = true;
  }
  impl.needs_reset = !restored;
  traces::named_logger("agent")->info("checkpoint {} loaded at iteration {}{}", path,
                                      impl.iteration,
                                      restored ? "" : "; episodes restart on the next iteration");
  return restored;
}

}  // namespace podsizer::agent
