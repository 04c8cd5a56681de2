#include "train/train_config.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "traces/errors.h"
#include "traces/readers.h"
#include "traces/store.h"
#include "train/validation.h"

namespace podsizer::train {

namespace {

// Reads one YAML file's keys into the config; every problem becomes an InputError with the
// 1-based line and the dotted field.
class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  [[noreturn]] void fail(const YAML::Node& node, const std::string& field,
                         const std::string& problem) const {
    const std::size_t line = node.IsDefined() ? static_cast<std::size_t>(node.Mark().line + 1) : 0;
    throw traces::InputError(file_, line, field, problem);
  }

  void check_keys(const YAML::Node& map, const std::string& prefix,
                  const std::set<std::string>& known) const {
    if (!map.IsMap()) fail(map, prefix.empty() ? "(top level)" : prefix, "expected a mapping");
    for (const auto& item : map) {
      const auto key = item.first.as<std::string>();
      if (!known.contains(key)) {
        std::string list;
        for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
        fail(item.first, prefix.empty() ? key : prefix + "." + key,
             "unknown key; known keys here: " + list);
      }
    }
  }

  template <typename T>
  void read(const YAML::Node& map, const std::string& key, const std::string& prefix, T& out)
      const {
    const YAML::Node node = map[key];
    if (!node.IsDefined() || node.IsNull()) return;
    const std::string field = prefix.empty() ? key : prefix + "." + key;
    try {
      out = node.as<T>();
    } catch (const YAML::Exception&) {
      fail(node, field, "cannot read this value as the expected type");
    }
  }

  template <typename T>
  void positive(const YAML::Node& map, const std::string& key, const std::string& prefix,
                T& out) const {
    read(map, key, prefix, out);
    if (!(out > T{0})) fail(map[key], prefix.empty() ? key : prefix + "." + key, "must be > 0");
  }

 private:
  std::string file_;
};

traces::Objective parse_objective(const Reader& r, const YAML::Node& node) {
  const auto text = node.as<std::string>();
  if (text == "savings") return traces::Objective::kSavings;
  if (text == "balanced") return traces::Objective::kBalanced;
  if (text == "reliability") return traces::Objective::kReliability;
  r.fail(node, "environment.objective", "expected savings, balanced or reliability");
}

void read_ppo(const Reader& r, const YAML::Node& map, agent::PpoConfig& p) {
  const std::string s = "ppo";
  r.check_keys(map, s,
               {"hidden_sizes", "initial_log_std", "steps_per_env", "gamma", "gae_lambda",
                "epochs", "minibatch_size", "learning_rate", "anneal_learning_rate",
                "total_iterations", "adam_epsilon", "max_grad_norm", "clip_range",
                "value_clip_range", "value_coef", "entropy_coef", "target_kl",
                "normalize_advantages", "normalize_observations", "observation_clip",
                "scale_rewards", "reward_clip", "num_threads"});
  r.read(map, "hidden_sizes", s, p.hidden_sizes);
  r.read(map, "initial_log_std", s, p.initial_log_std);
  r.read(map, "steps_per_env", s, p.steps_per_env);
  r.read(map, "gamma", s, p.gamma);
  r.read(map, "gae_lambda", s, p.gae_lambda);
  r.read(map, "epochs", s, p.epochs);
  r.read(map, "minibatch_size", s, p.minibatch_size);
  r.read(map, "learning_rate", s, p.learning_rate);
  r.read(map, "anneal_learning_rate", s, p.anneal_learning_rate);
  r.read(map, "total_iterations", s, p.total_iterations);
  r.read(map, "adam_epsilon", s, p.adam_epsilon);
  r.read(map, "max_grad_norm", s, p.max_grad_norm);
  r.read(map, "clip_range", s, p.clip_range);
  r.read(map, "value_clip_range", s, p.value_clip_range);
  r.read(map, "value_coef", s, p.value_coef);
  r.read(map, "entropy_coef", s, p.entropy_coef);
  r.read(map, "target_kl", s, p.target_kl);
  r.read(map, "normalize_advantages", s, p.normalize_advantages);
  r.read(map, "normalize_observations", s, p.normalize_observations);
  r.read(map, "observation_clip", s, p.observation_clip);
  r.read(map, "scale_rewards", s, p.scale_rewards);
  r.read(map, "reward_clip", s, p.reward_clip);
  r.read(map, "num_threads", s, p.num_threads);

  // The learner's own checks, reported against the field's line when the message names one
  // ("PpoConfig.<field>: ...").
  try {
    p.validate();
  } catch (const std::invalid_argument& e) {
    const std::string message = e.what();
    const std::string prefix = "PpoConfig.";
    if (message.starts_with(prefix)) {
      const std::string field = message.substr(prefix.size(), message.find(':') - prefix.size());
      if (map[field].IsDefined()) r.fail(map[field], s + "." + field, message);
    }
    r.fail(map, s, message);
  }
}

}  // namespace

TrainConfig parse_train_config(std::string_view yaml_text, const std::string& file_name) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::ParserException& e) {
    throw traces::InputError(file_name, static_cast<std::size_t>(e.mark.line + 1), "",
                             "not valid YAML: " + e.msg);
  }
  TrainConfig c;
  c.source_file = file_name;
  Reader r(file_name);
  if (root.IsNull()) return c;  // an empty file keeps every default

  // Top level: sizes, schedule and seeds.
  r.check_keys(root, "",
               {"seed", "total_env_steps", "num_envs", "env_threads", "checkpoint_every",
                "eval_every", "eval_episodes", "eval_seed", "environment", "validation",
                "ppo"});
  r.read(root, "seed", "", c.seed);
  r.positive(root, "total_env_steps", "", c.total_env_steps);
  r.positive(root, "num_envs", "", c.num_envs);
  r.read(root, "env_threads", "", c.env_threads);
  if (c.env_threads < 0) r.fail(root["env_threads"], "env_threads", "must be >= 0");
  r.positive(root, "checkpoint_every", "", c.checkpoint_every);
  r.read(root, "eval_every", "", c.eval_every);
  r.positive(root, "eval_episodes", "", c.eval_episodes);
  r.read(root, "eval_seed", "", c.eval_seed);

  // The environment.
  if (const YAML::Node e = root["environment"]; e.IsDefined() && !e.IsNull()) {
    const std::string s = "environment";
    r.check_keys(e, s,
                 {"app", "objective", "decision_interval_s", "episode_days", "warmup_hours",
                  "hpa", "scrape_interval_s", "traces"});
    r.read(e, "app", s, c.app_path);
    if (e["objective"].IsDefined()) c.objective = parse_objective(r, e["objective"]);
    r.positive(e, "decision_interval_s", s, c.decision_interval_s);
    r.positive(e, "episode_days", s, c.episode_days);
    r.read(e, "warmup_hours", s, c.warmup_hours);
    if (c.warmup_hours < 0) r.fail(e["warmup_hours"], s + ".warmup_hours", "must be >= 0");
    r.read(e, "hpa", s, c.hpa);
    r.positive(e, "scrape_interval_s", s, c.scrape_interval_s);
    r.read(e, "traces", s, c.trace_paths);
    if (std::fmod(c.decision_interval_s, 300.0) != 0) {
      r.fail(e["decision_interval_s"], s + ".decision_interval_s",
             "must be a multiple of the 300 s feature bin");
    }
  }

  // The held-out traces and early stopping.
  if (const YAML::Node v = root["validation"]; v.IsDefined() && !v.IsNull()) {
    const std::string s = "validation";
    r.check_keys(v, s, {"traces", "patience", "closed_loop"});
    r.read(v, "traces", s, c.validation_paths);
    r.read(v, "patience", s, c.patience);
    r.read(v, "closed_loop", s, c.closed_loop_validation);
  }

  if (const YAML::Node p = root["ppo"]; p.IsDefined() && !p.IsNull()) read_ppo(r, p, c.ppo);
  c.ppo.seed = c.seed;
  return c;
}

TrainConfig load_train_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw traces::InputError(path, 0, "", "cannot open the training configuration");
  std::stringstream text;
  text << in.rdbuf();
  return parse_train_config(text.str(), path);
}

std::string to_yaml(const TrainConfig& c) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "seed" << YAML::Value << c.seed;
  out << YAML::Key << "total_env_steps" << YAML::Value << c.total_env_steps;
  out << YAML::Key << "num_envs" << YAML::Value << c.num_envs;
  out << YAML::Key << "env_threads" << YAML::Value << c.env_threads;
  out << YAML::Key << "checkpoint_every" << YAML::Value << c.checkpoint_every;
  out << YAML::Key << "eval_every" << YAML::Value << c.eval_every;
  out << YAML::Key << "eval_episodes" << YAML::Value << c.eval_episodes;
  out << YAML::Key << "eval_seed" << YAML::Value << c.eval_seed;

  out << YAML::Key << "environment" << YAML::Value << YAML::BeginMap;
  if (!c.app_path.empty()) out << YAML::Key << "app" << YAML::Value << c.app_path;
  if (c.objective) {
    out << YAML::Key << "objective" << YAML::Value << traces::to_string(*c.objective);
  }
  out << YAML::Key << "decision_interval_s" << YAML::Value << c.decision_interval_s;
  out << YAML::Key << "episode_days" << YAML::Value << c.episode_days;
  out << YAML::Key << "warmup_hours" << YAML::Value << c.warmup_hours;
  out << YAML::Key << "hpa" << YAML::Value << c.hpa;
  out << YAML::Key << "scrape_interval_s" << YAML::Value << c.scrape_interval_s;
  if (!c.trace_paths.empty()) out << YAML::Key << "traces" << YAML::Value << c.trace_paths;
  out << YAML::EndMap;

  out << YAML::Key << "validation" << YAML::Value << YAML::BeginMap;
  if (!c.validation_paths.empty()) {
    out << YAML::Key << "traces" << YAML::Value << c.validation_paths;
  }
  out << YAML::Key << "patience" << YAML::Value << c.patience;
  out << YAML::Key << "closed_loop" << YAML::Value << c.closed_loop_validation;
  out << YAML::EndMap;

  const agent::PpoConfig& p = c.ppo;
  out << YAML::Key << "ppo" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "hidden_sizes" << YAML::Value << YAML::Flow << p.hidden_sizes;
  out << YAML::Key << "initial_log_std" << YAML::Value << p.initial_log_std;
  out << YAML::Key << "steps_per_env" << YAML::Value << p.steps_per_env;
  out << YAML::Key << "gamma" << YAML::Value << p.gamma;
  out << YAML::Key << "gae_lambda" << YAML::Value << p.gae_lambda;
  out << YAML::Key << "epochs" << YAML::Value << p.epochs;
  out << YAML::Key << "minibatch_size" << YAML::Value << p.minibatch_size;
  out << YAML::Key << "learning_rate" << YAML::Value << p.learning_rate;
  out << YAML::Key << "anneal_learning_rate" << YAML::Value << p.anneal_learning_rate;
  out << YAML::Key << "total_iterations" << YAML::Value << p.total_iterations;
  out << YAML::Key << "adam_epsilon" << YAML::Value << p.adam_epsilon;
  out << YAML::Key << "max_grad_norm" << YAML::Value << p.max_grad_norm;
  out << YAML::Key << "clip_range" << YAML::Value << p.clip_range;
  out << YAML::Key << "value_clip_range" << YAML::Value << p.value_clip_range;
  out << YAML::Key << "value_coef" << YAML::Value << p.value_coef;
  out << YAML::Key << "entropy_coef" << YAML::Value << p.entropy_coef;
  out << YAML::Key << "target_kl" << YAML::Value << p.target_kl;
  out << YAML::Key << "normalize_advantages" << YAML::Value << p.normalize_advantages;
  out << YAML::Key << "normalize_observations" << YAML::Value << p.normalize_observations;
  out << YAML::Key << "observation_clip" << YAML::Value << p.observation_clip;
  out << YAML::Key << "scale_rewards" << YAML::Value << p.scale_rewards;
  out << YAML::Key << "reward_clip" << YAML::Value << p.reward_clip;
  out << YAML::Key << "num_threads" << YAML::Value << p.num_threads;
  out << YAML::EndMap;
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

env::SimEnvironmentConfig environment_config(const TrainConfig& c, std::size_t copies) {
  env::SimEnvironmentConfig e;
  e.num_envs = copies;
  if (!c.app_path.empty()) e.app = traces::load_app_spec(c.app_path);
  if (c.objective) e.app.objective = *c.objective;
  e.decision_interval_s = c.decision_interval_s;
  e.episode_s = c.episode_days * 86400.0;
  e.warmup_s = c.warmup_hours * 3600.0;
  e.hpa = c.hpa;
  e.scrape_interval_s = c.scrape_interval_s;

  // The pool: every trace of an HDF5 store, or one trace file per path (a directory: its
  // files), leaving out the validation files.
  const std::vector<std::string> held_out = expand_trace_paths(c.validation_paths);
  for (const auto& path : expand_trace_paths(c.trace_paths)) {
    if (std::find(held_out.begin(), held_out.end(), path) != held_out.end()) continue;
    const bool store = path.ends_with(".h5") || path.ends_with(".hdf5");
    if (store) {
      for (const auto& name : traces::list_traces(path)) {
        e.trace_pool.push_back(std::make_shared<traces::Trace>(traces::read_trace(path, name)));
      }
    } else {
      e.trace_pool.push_back(std::make_shared<traces::Trace>(read_trace_file(path)));
    }
  }
  return e;
}

}  // namespace podsizer::train
