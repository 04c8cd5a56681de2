#include "train/trainer.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <memory>
#include <vector>

#include <H5Cpp.h>
#include <tbb/global_control.h>

#include "agent/checkpoint.h"
#include "agent/export.h"
#include "env/sim_environment.h"
#include "policies/learned/policy_card.h"
#include "policies/learned/torchscript_policy.h"
#include "traces/atomic_file.h"
#include "traces/errors.h"
#include "traces/log.h"
#include "train/validation.h"

namespace podsizer::train {

namespace fs = std::filesystem;

namespace {

// The columns of the metric log, one value per iteration or evaluation, in a fixed order so
// that a resumed run appends to the same columns.
using Columns = std::map<std::string, std::vector<double>>;

Columns read_columns(const H5::H5File& file, const std::string& group_name) {
  Columns columns;
  if (!file.nameExists(group_name)) return columns;
  H5::Group group = file.openGroup(group_name);
  for (hsize_t k = 0; k < group.getNumObjs(); ++k) {
    const std::string name = group.getObjnameByIdx(k);
    H5::DataSet d = group.openDataSet(name);
    hsize_t rows = 0;
    d.getSpace().getSimpleExtentDims(&rows);
    std::vector<double> values(rows);
    if (rows > 0) d.read(values.data(), H5::PredType::NATIVE_DOUBLE);
    columns[name] = std::move(values);
  }
  return columns;
}

void write_columns(H5::H5File& file, const std::string& group_name, const Columns& columns) {
  H5::Group group = file.createGroup(group_name);
  for (const auto& [name, values] : columns) {
    const hsize_t rows = values.size();
    H5::DataSpace space(1, &rows);
    H5::DataSet d = group.createDataSet(name, H5::PredType::IEEE_F64LE, space);
    if (rows > 0) d.write(values.data(), H5::PredType::NATIVE_DOUBLE);
  }
}

// Writes both tables to a temporary file beside `path` and renames it over `path`.
void write_metrics(const std::string& path, const Columns& iterations,
                   const Columns& evaluations) {
  const std::string tmp = traces::temporary_path_beside(path);
  try {
    H5::H5File file(tmp, H5F_ACC_TRUNC);
    write_columns(file, "/iterations", iterations);
    write_columns(file, "/evaluations", evaluations);
  } catch (const H5::Exception& e) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw traces::InputError(path, 0, "", "cannot write the metric log: " + e.getDetailMsg());
  }
  traces::commit_temporary(tmp, path);
}

// Drops the rows whose `iteration` is after `last`.
void keep_up_to(Columns& columns, std::size_t last) {
  const auto found = columns.find("iteration");
  if (found == columns.end()) return;
  const std::vector<double>& at = found->second;
  std::size_t rows = 0;
  while (rows < at.size() && at[rows] <= static_cast<double>(last)) ++rows;
  for (auto& [name, values] : columns) values.resize(std::min(values.size(), rows));
}

void append(Columns& columns, const agent::IterationStats& s, double steps_per_second) {
  columns["iteration"].push_back(static_cast<double>(s.iteration));
  columns["env_steps"].push_back(static_cast<double>(s.env_steps));
  columns["learning_rate"].push_back(s.learning_rate);
  columns["episodes"].push_back(static_cast<double>(s.episodes));
  columns["mean_episode_return"].push_back(s.mean_episode_return);
  columns["policy_loss"].push_back(s.policy_loss);
  columns["value_loss"].push_back(s.value_loss);
  columns["entropy"].push_back(s.entropy);
  columns["approx_kl"].push_back(s.approx_kl);
  columns["clip_fraction"].push_back(s.clip_fraction);
  columns["explained_variance"].push_back(s.explained_variance);
  columns["grad_norm"].push_back(s.grad_norm);
  columns["steps_per_second"].push_back(steps_per_second);
  for (std::size_t k = 0; k < s.info_names.size() && k < s.info_means.size(); ++k) {
    columns["info_" + s.info_names[k]].push_back(s.info_means[k]);
  }
}

void append(Columns& columns, const Evaluation& e) {
  columns["iteration"].push_back(static_cast<double>(e.iteration));
  columns["env_steps"].push_back(static_cast<double>(e.env_steps));
  columns["policy_return"].push_back(e.policy_return);
  columns["reference_return"].push_back(e.reference_return);
  columns["policy_cost_term"].push_back(e.policy_cost_term);
  columns["reference_cost_term"].push_back(e.reference_cost_term);
  columns["policy_slo_term"].push_back(e.policy_slo_term);
  columns["reference_slo_term"].push_back(e.reference_slo_term);
  columns["policy_oom_kills"].push_back(e.policy_oom_kills);
  columns["reference_oom_kills"].push_back(e.reference_oom_kills);
  columns["validation_score"].push_back(e.validation_score);
  columns["vpa_validation_score"].push_back(e.vpa_validation_score);
}

// The learner's deterministic policy as a LearnedPolicy over the export action space, so a
// backtest sees what the exported module would compute.
std::function<std::unique_ptr<policies::Policy>()> learner_policy(
    const agent::PpoLearner& learner, const env::SimEnvironment& environment) {
  auto space = std::make_shared<env::ActionSpace>(environment.export_action_space());
  policies::learned::LearnedPolicyOptions options;
  options.output_count = space->action_size();
  options.change_tolerance = environment.config().change_tolerance;
  options.features = environment.config().features;
  return [&learner, space, options] {
    auto function = [&learner, space](std::span<const float> features,
                                      std::span<double> outputs) {
      std::array<float, 8> action{};
      learner.act(features, std::span<float>(action.data(), space->action_size()));
      space->apply(features, std::span<const float>(action.data(), space->action_size()),
                   outputs);
    };
    return std::make_unique<policies::learned::LearnedPolicy>("learned", function, options);
  };
}

std::function<std::unique_ptr<policies::Policy>()> named_policy(const std::string& name) {
  return [name] { return policies::make_policy(name); };
}

// The learning rate decays over the whole run unless the configuration fixes a horizon.
agent::PpoConfig learner_config(const TrainConfig& config) {
  agent::PpoConfig p = config.ppo;
  p.seed = config.seed;
  if (p.anneal_learning_rate && p.total_iterations == 0) {
    const double per_iteration = static_cast<double>(config.num_envs * p.steps_per_env);
    p.total_iterations = static_cast<std::size_t>(
        std::ceil(static_cast<double>(config.total_env_steps) / per_iteration));
  }
  return p;
}

// One episode per copy with `policy` choosing the actions; sums per copy until its first done.
struct PlayResult {
  double episode_return = 0, cost_term = 0, slo_term = 0, oom_kills = 0;
};

PlayResult play(env::SimEnvironment& environment, std::uint64_t seed,
                const std::function<void(std::span<const float>, std::span<float>)>& policy) {
  const std::size_t n = environment.num_envs();
  std::vector<float> observations = environment.reset(seed);
  std::vector<float> actions(n * environment.action_size());
  std::vector<std::uint8_t> finished(n, 0);
  std::vector<double> returns(n, 0), cost(n, 0), slo(n, 0), oom(n, 0), steps(n, 0);
  const auto& names = environment.info_names();
  const auto column = [&](const char* name) {
    return static_cast<std::size_t>(std::find(names.begin(), names.end(), name) - names.begin());
  };
  const std::size_t cost_k = column("cost_term"), slo_k = column("slo_term"),
                    oom_k = column("oom_kills");

  // Step until every copy has finished one episode (auto-reset starts the next; ignored).
  env::StepResult r;
  const std::int64_t limit = environment.episode_steps() + 1;
  for (std::int64_t s = 0; s < limit; ++s) {
    policy(observations, actions);
    environment.step(actions, r);
    for (std::size_t i = 0; i < n; ++i) {
      if (finished[i]) continue;
      const double* info = r.info_values.data() + i * names.size();
      returns[i] += r.rewards[i];
      cost[i] += info[cost_k];
      slo[i] += info[slo_k];
      oom[i] += info[oom_k];
      steps[i] += 1;
      finished[i] = r.dones[i];
    }
    observations.swap(r.observations);
    if (std::all_of(finished.begin(), finished.end(), [](auto f) { return f != 0; })) break;
  }

  PlayResult out;
  for (std::size_t i = 0; i < n; ++i) {
    out.episode_return += returns[i] / static_cast<double>(n);
    out.cost_term += cost[i] / std::max(steps[i], 1.0) / static_cast<double>(n);
    out.slo_term += slo[i] / std::max(steps[i], 1.0) / static_cast<double>(n);
    out.oom_kills += oom[i] / static_cast<double>(n);
  }
  return out;
}

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const auto s = static_cast<long long>(seconds);
  if (s >= 3600) return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
  if (s >= 60) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}s", s);
}

}  // namespace

std::map<std::string, std::vector<double>> read_metrics(const std::string& path,
                                                        const std::string& table) {
  try {
    H5::H5File file(path, H5F_ACC_RDONLY);
    return read_columns(file, table);
  } catch (const H5::Exception& e) {
    throw traces::InputError(path, 0, table, "cannot read the metric log: " + e.getDetailMsg());
  }
}

agent::ActionMapping to_action_mapping(const env::ActionSpace& space) {
  agent::ActionMapping mapping;
  for (const env::OutputRule& r : space.rules()) {
    agent::OutputMapping o;
    o.name = r.name;
    o.action_index = r.action_index;
    o.centre_feature = r.centre_feature;
    o.feature_is_log = r.feature_is_log;
    o.offset = r.offset;
    o.scale = r.scale;
    o.log_space = r.log_space;
    o.min_value = r.min_value;
    o.max_value = r.max_value;
    o.at_least_output = r.at_least_output;
    o.extra_centre_feature = r.extra_centre_feature;
    o.raise_when_feature = r.raise_when_feature;
    o.raise_from_feature = r.raise_from_feature;
    o.raise_factor = r.raise_factor;
    o.hold_factor = r.hold_factor;
    o.centre_floor = r.centre_floor;
    mapping.outputs.push_back(o);
  }
  return mapping;
}

Evaluation evaluate(const agent::PpoLearner& learner, const TrainConfig& config) {
  env::SimEnvironment environment(environment_config(config, config.eval_episodes));
  const PlayResult policy = play(environment, config.eval_seed,
                                 [&](std::span<const float> obs, std::span<float> act) {
                                   learner.act(obs, act);
                                 });
  const PlayResult reference = play(environment, config.eval_seed,
                                    [](std::span<const float>, std::span<float> act) {
                                      std::fill(act.begin(), act.end(), 0.0f);
                                    });
  Evaluation e;
  e.iteration = learner.iteration();
  e.env_steps = learner.env_steps();
  e.policy_return = policy.episode_return;
  e.reference_return = reference.episode_return;
  e.policy_cost_term = policy.cost_term;
  e.reference_cost_term = reference.cost_term;
  e.policy_slo_term = policy.slo_term;
  e.reference_slo_term = reference.slo_term;
  e.policy_oom_kills = policy.oom_kills;
  e.reference_oom_kills = reference.oom_kills;
  return e;
}

TrainSummary run_training(const TrainConfig& config, const TrainOptions& options) {
  auto log = traces::named_logger("train");
  const auto started = std::chrono::steady_clock::now();

  // The run directory and the configuration it records.
  if (options.out_dir.empty()) throw std::invalid_argument("run_training: no output directory");
  std::error_code ec;
  fs::create_directories(options.out_dir, ec);
  if (ec) throw traces::InputError(options.out_dir, 0, "", "cannot create: " + ec.message());
  const std::string checkpoint = (fs::path(options.out_dir) / "checkpoint.pt").string();
  const std::string metrics = (fs::path(options.out_dir) / "metrics.h5").string();
  traces::write_file_atomically((fs::path(options.out_dir) / "train.yaml").string(),
                                to_yaml(config));

  // The environment runs on env_threads; the learner on its own configured threads.
  std::unique_ptr<tbb::global_control> threads;
  if (config.env_threads > 0) {
    threads = std::make_unique<tbb::global_control>(
        tbb::global_control::max_allowed_parallelism,
        static_cast<std::size_t>(config.env_threads));
  }
  env::SimEnvironment environment(environment_config(config, config.num_envs));
  agent::PpoLearner learner(learner_config(config), environment);

  // Resume from the directory's checkpoint and metric log when asked and present.
  TrainSummary summary;
  Columns iterations, evaluations;
  if (options.resume && fs::exists(checkpoint)) {
    agent::load_checkpoint(learner, checkpoint, &environment);
    if (fs::exists(metrics)) {
      try {
        H5::H5File file(metrics, H5F_ACC_RDONLY);
        iterations = read_columns(file, "/iterations");
        evaluations = read_columns(file, "/evaluations");
      } catch (const H5::Exception& e) {
        throw traces::InputError(metrics, 0, "", "cannot read the metric log: " +
                                                     e.getDetailMsg());
      }
      // Rows of iterations after the checkpoint were written by a process that was then
      // stopped; they are done again.
      keep_up_to(iterations, learner.iteration());
      keep_up_to(evaluations, learner.iteration());
    }
    summary.resumed = true;
    log->info("resuming {} at iteration {}, {} environment steps", options.out_dir,
              learner.iteration(), learner.env_steps());
  } else {
    log->info("training in {}: {} copies, {} environment steps, objective {}", options.out_dir,
              config.num_envs, config.total_env_steps,
              traces::to_string(environment.config().app.objective));
  }

  // The held-out traces and VPA's backtests of them, once; the best score so far and the
  // evaluations since, recovered from the log when resuming.
  const std::string best_checkpoint = (fs::path(options.out_dir) / "best.pt").string();
  const traces::Objective objective = environment.config().app.objective;
  const ValidationSet validation = make_validation_set(config);
  const PolicyValidation vpa =
      validate_policy("vpa", named_policy("vpa"), validation, objective, nullptr,
                      config.decision_interval_s, config.closed_loop_validation);
  summary.vpa_validation_score = vpa.score;
  log->info("validation on {}: vpa scores {:.3f}", validation.description, vpa.score);
  std::size_t since_best = 0;
  if (const auto found = evaluations.find("validation_score"); found != evaluations.end()) {
    for (double v : found->second) {
      if (!summary.best_validation_score || v < *summary.best_validation_score) {
        summary.best_validation_score = v;
        since_best = 0;
      } else {
        ++since_best;
      }
    }
  }

  // After each checkpoint the run continues from the checkpoint itself, as a resumed run would:
  // the environment cannot save its state, so both restart episodes with the same derived seed
  // (agent/ppo.h), and a run killed after a checkpoint and resumed equals one never stopped.
  // The metric log is written before the checkpoint: a process killed between the two leaves a
  // log ahead of the checkpoint, which a resumed run cuts back (above), never one behind it.
  auto save = [&] {
    write_metrics(metrics, iterations, evaluations);
    agent::save_checkpoint(learner, checkpoint, &environment);
    agent::load_checkpoint(learner, checkpoint);
  };
  auto run_evaluation = [&] {
    Evaluation e = evaluate(learner, config);
    const PolicyValidation v =
        validate_policy("learned", learner_policy(learner, environment), validation, objective,
                        &vpa, config.decision_interval_s, config.closed_loop_validation);
    e.validation_score = v.score;
    e.vpa_validation_score = vpa.score;
    if (!summary.best_validation_score || v.score < *summary.best_validation_score) {
      summary.best_validation_score = v.score;
      since_best = 0;
      agent::save_checkpoint(learner, best_checkpoint, &environment);
    } else {
      ++since_best;
    }
    append(evaluations, e);
    summary.last_evaluation = e;
    log->info("evaluation at {} steps: return {:.2f} (reference rule {:.2f}), cost term {:.3f} "
              "({:.3f}), SLO term {:.4f} ({:.4f}), OOM kills/episode {:.2f} ({:.2f})",
              e.env_steps, e.policy_return, e.reference_return, e.policy_cost_term,
              e.reference_cost_term, e.policy_slo_term, e.reference_slo_term,
              e.policy_oom_kills, e.reference_oom_kills);
    log->info("validation score {:.3f} (vpa {:.3f}, best {:.3f}, {} evaluation(s) since)",
              e.validation_score, e.vpa_validation_score, *summary.best_validation_score,
              since_best);
  };

  // The loop: one PPO iteration at a time, with progress, checkpoints and evaluations.
  const std::int64_t first_steps = learner.env_steps();
  std::size_t done_here = 0;
  while (learner.env_steps() < config.total_env_steps) {
    if (options.max_iterations > 0 && done_here >= options.max_iterations) break;
    const auto t0 = std::chrono::steady_clock::now();
    const agent::IterationStats stats = learner.iterate(environment);
    const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double rate = static_cast<double>(config.num_envs * config.ppo.steps_per_env) / dt;
    append(iterations, stats, rate);
    ++done_here;

    // Progress: steps, speed and the time left at the speed of the run so far.
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const double run_rate = static_cast<double>(learner.env_steps() - first_steps) / elapsed;
    const double left = static_cast<double>(config.total_env_steps - learner.env_steps());
    log->info("iteration {} steps {}/{} ({:.1f} %) {:.0f} steps/s ETA {} return {:.2f} "
              "KL {:.4f} explained variance {:.2f}",
              stats.iteration, stats.env_steps, config.total_env_steps,
              100.0 * static_cast<double>(stats.env_steps) /
                  static_cast<double>(config.total_env_steps),
              rate, format_duration(left / run_rate), stats.mean_episode_return,
              stats.approx_kl, stats.explained_variance);

    if (config.eval_every > 0 && stats.iteration % config.eval_every == 0) run_evaluation();
    if (stats.iteration % config.checkpoint_every == 0) save();
    if (config.patience > 0 && since_best >= config.patience) {
      summary.stopped_early = true;
      log->info("stopping early: no better validation score in {} evaluations", since_best);
      break;
    }
  }

  // The end of the run (or of this call): a final evaluation when training is complete, and a
  // checkpoint either way.
  if (learner.env_steps() >= config.total_env_steps && !summary.stopped_early &&
      (!summary.last_evaluation || summary.last_evaluation->iteration != learner.iteration())) {
    run_evaluation();
  }
  save();
  summary.iterations = learner.iteration();
  summary.env_steps = learner.env_steps();
  summary.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  log->info("stopped at iteration {}, {} environment steps, after {}", summary.iterations,
            summary.env_steps, format_duration(summary.seconds));
  return summary;
}

void export_run(const std::string& run_dir, const std::string& out_path) {
  // The best validated learner when the run kept one, else the last.
  const fs::path best = fs::path(run_dir) / "best.pt";
  const fs::path last = fs::path(run_dir) / "checkpoint.pt";
  const std::string checkpoint = fs::exists(best) ? best.string() : last.string();
  export_checkpoint(checkpoint,
                    out_path.empty() ? (fs::path(run_dir) / "policy.pt").string() : out_path);
}

std::string export_checkpoint(const std::string& checkpoint, const std::string& out_path) {
  if (!fs::exists(checkpoint)) throw traces::InputError(checkpoint, 0, "", "no such checkpoint");
  const fs::path run_dir = fs::path(checkpoint).parent_path();
  const std::string config_path = (run_dir / "train.yaml").string();
  if (!fs::exists(config_path)) {
    throw traces::InputError(config_path, 0, "",
                             "the checkpoint's folder has no train.yaml describing its run");
  }
  const TrainConfig config = load_train_config(config_path);

  // A learner of the same shape, restored from the checkpoint.
  env::SimEnvironment environment(environment_config(config, config.num_envs));
  agent::PpoLearner learner(learner_config(config), environment);
  agent::load_checkpoint(learner, checkpoint);
  const std::string objective = traces::to_string(environment.config().app.objective);
  const std::string training_data =
      config.trace_paths.empty()
          ? "synthetic scenarios (env/README.md)"
          : "synthetic scenarios and the traces of " + [&] {
              std::string list;
              for (const auto& p : config.trace_paths) list += (list.empty() ? "" : ", ") + p;
              return list;
            }() + " (validation files left out)";

  // The mapping with the largest node as its clamp, the feature names and what the run was.
  agent::ExportOptions options;
  options.mapping = to_action_mapping(environment.export_action_space());
  options.feature_names = env::feature_names();
  options.metadata["objective"] = objective;
  options.metadata["training_data"] = training_data;
  options.metadata["env_steps"] = std::to_string(learner.env_steps());
  options.metadata["feature_bin_s"] = std::to_string(environment.config().features.bin_s);
  options.metadata["decision_interval_s"] = std::to_string(config.decision_interval_s);
  options.metadata["change_tolerance"] = std::to_string(environment.config().change_tolerance);
  agent::export_policy(learner, out_path, options);

  // The evaluation table: the policy and the baselines on the validation traces.
  const ValidationSet validation = make_validation_set(config);
  const traces::Objective goal = environment.config().app.objective;
  const PolicyValidation vpa =
      validate_policy("vpa", named_policy("vpa"), validation, goal, nullptr,
                      config.decision_interval_s, config.closed_loop_validation);
  std::vector<PolicyValidation> table;
  table.push_back(validate_policy("learned", learner_policy(learner, environment), validation,
                                  goal, &vpa, config.decision_interval_s,
                                  config.closed_loop_validation));
  table.push_back(vpa);
  for (const char* name : {"krr", "autopilot"}) {
    table.push_back(validate_policy(name, named_policy(name), validation, goal, &vpa,
                                    config.decision_interval_s, config.closed_loop_validation));
  }

  // The card beside the policy.
  policies::learned::PolicyCardFile card;
  card.podsizer_version = PODSIZER_VERSION;
  card.policy_file = fs::path(out_path).filename().string();
  card.sha256 = policies::learned::sha256_file(out_path);
  card.objective = objective;
  card.training_data = training_data;
  card.validation_data = validation.description;
  card.feature_bin_s = environment.config().features.bin_s;
  card.decision_interval_s = config.decision_interval_s;
  card.change_tolerance = environment.config().change_tolerance;
  card.env_steps = static_cast<double>(learner.env_steps());
  card.features = env::feature_names();
  for (const auto& o : options.mapping.outputs) card.outputs.push_back(o.name);
  for (const PolicyValidation& v : table) card.evaluation.push_back({v.policy, v.figures});
  const std::string card_path = policies::learned::card_path_for(out_path);
  policies::learned::write_card(card_path, card);

  // Read it back the way backtest and recommend will, so a broken export fails here.
  policies::learned::load_torchscript_policy(out_path).make();
  auto log = traces::named_logger("train");
  log->info("exported {} to {} with its card {}", checkpoint, out_path, card_path);
  for (const PolicyValidation& v : table) {
    log->info("  {:<10} validation score {:.3f}", v.policy, v.score);
  }
  return card_path;
}

}  // namespace podsizer::train
