// How many environment steps per second SimEnvironment delivers on 1 and 2 threads.
//
// Builds the training configuration (1-hour decisions over 5-minute synthetic traces, 7-day
// episodes, scrapes every 60 s, fixed replicas) with N copies, resets it and steps it with
// actions drawn from a fixed seed, first under tbb::global_control of 1 thread, then 2. Every
// figure counts steps of all copies (episode resets, which happen inside step(), included) per
// second of wall time, and per CPU-second of the process: on a shared machine the wall figure
// undercounts, and the CPU figure times the cores gives what dedicated cores would deliver. A
// second block repeats it with the HPA on (15 s syncs and scrapes, a fifth action) for the cost
// of the full model.
//
// Usage: env_bench [copies] [steps_per_copy]   (defaults 32 and 400)

#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include <tbb/global_control.h>

#include "env/sim_environment.h"

namespace env = podsizer::env;

namespace {

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

void run(const char* label, const env::SimEnvironmentConfig& config, int threads, int steps) {
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism,
                            static_cast<std::size_t>(threads));
  env::SimEnvironment environment(config);
  std::vector<float> observations;
  environment.reset(7, observations);

  // Actions are fixed in advance so only the environment is timed.
  std::mt19937_64 rng(11);
  std::vector<float> actions(environment.num_envs() * environment.action_size());
  env::StepResult result;
  long episodes = 0;
  const double cpu0 = cpu_seconds();
  const auto t0 = std::chrono::steady_clock::now();
  for (int s = 0; s < steps; ++s) {
    for (float& a : actions) a = static_cast<float>((rng() >> 11) * 0x1.0p-53 * 2.0 - 1.0);
    environment.step(actions, result);
    for (auto d : result.dones) episodes += d;
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double cpu = cpu_seconds() - cpu0;
  const double total = static_cast<double>(steps) * static_cast<double>(environment.num_envs());
  std::printf("%-22s threads %d: %8.0f steps/s wall, %8.0f steps per CPU-second (%.0f steps in "
              "%.2f s, CPU %.2f s, %ld episodes ended)\n",
              label, threads, total / wall, total / cpu, total, wall, cpu, episodes);
}

}  // namespace

int main(int argc, char** argv) {
  const int copies = argc > 1 ? std::atoi(argv[1]) : 32;
  const int steps = argc > 2 ? std::atoi(argv[2]) : 400;

  env::SimEnvironmentConfig fast;
  fast.num_envs = static_cast<std::size_t>(copies);
  for (int threads : {1, 2}) run("training (no HPA)", fast, threads, steps);

  env::SimEnvironmentConfig full = fast;
  full.hpa = true;
  full.scrape_interval_s = 15;
  full.hpa_sync_s = 15;
  for (int threads : {1, 2}) run("full (HPA, 15 s)", full, threads, steps / 4);
  return 0;
}
