#include <catch2/catch.hpp>

#include "policies/closed_loop.h"
#include "traces/synthetic.h"

namespace pp = podsizer::policies;
using podsizer::traces::AppSpec;
using podsizer::traces::Trace;

namespace {

constexpr double kMib = 1024.0 * 1024.0;

Trace one_day() {
  podsizer::traces::SyntheticOptions options;
  options.duration_s = 86400.0;
  options.step_s = 300.0;
  return podsizer::traces::generate_synthetic(options);
}

// Squeezes memory to `limit_mib` from the first decision on and records what it sees.
class SqueezingPolicy : public pp::Policy {
 public:
  explicit SqueezingPolicy(double limit_mib) : limit_mib_(limit_mib) {}
  std::string name() const override { return "squeezing"; }
  int oom_kills_seen = 0;
  int samples_seen = 0;
  int decisions = 0;

 protected:
  void on_observe(const pp::Sample& s) override {
    oom_kills_seen += s.oom_kills;
    ++samples_seen;
  }
  pp::Decision on_decide(const pp::DecisionContext& ctx) override {
    ++decisions;
    pp::Decision d;
    d.resources = ctx.current;
    d.resources.requests.memory_bytes = limit_mib_ * kMib;
    d.resources.limits.memory_bytes = limit_mib_ * kMib;
    return d;
  }
  void on_reset() override { oom_kills_seen = samples_seen = decisions = 0; }

 private:
  double limit_mib_;
};

}  // namespace

TEST_CASE("policies::ClosedLoop: static keeps the spec's resources every hour", "[policies]") {
  const Trace trace = one_day();
  const AppSpec app = podsizer::traces::default_app_spec();
  auto policy = pp::make_policy("static");
  const auto result = pp::run_closed_loop(trace, *policy, app);
  // One day from the first sample: decisions at 1 h .. 24 h.
  REQUIRE(result.timeline.size() == 24);
  CHECK(result.timeline.front().time_s == trace.time_s.front() + 3600.0);
  for (const auto& row : result.timeline) {
    CHECK(*row.resources.requests.cpu_millicores == *app.current.requests.cpu_millicores);
    CHECK(*row.resources.limits.memory_bytes == *app.current.limits.memory_bytes);
  }
  CHECK(result.samples_observed > 24);
  CHECK(result.summary.duration_s > 0);
}

TEST_CASE("policies::ClosedLoop: OOM kills a decision causes are seen before the next one",
          "[policies]") {
  const Trace trace = one_day();
  const AppSpec app = podsizer::traces::default_app_spec();
  // The synthetic pods use over 220 MiB; a 100 MiB limit kills them.
  SqueezingPolicy squeezing(100.0);
  const auto squeezed = pp::run_closed_loop(trace, squeezing, app);
  CHECK(squeezed.summary.oom_kills > 0);
  CHECK(squeezing.oom_kills_seen > 0);
  CHECK(squeezing.oom_kills_seen <= static_cast<int>(squeezed.summary.oom_kills));

  // With room to spare nothing is killed and nothing is reported.
  SqueezingPolicy roomy(4096.0);
  const auto relaxed = pp::run_closed_loop(trace, roomy, app);
  CHECK(relaxed.summary.oom_kills == 0);
  CHECK(roomy.oom_kills_seen == 0);
}

TEST_CASE("policies::ClosedLoop: every baseline runs against the simulator", "[policies]") {
  const Trace trace = one_day();
  const AppSpec app = podsizer::traces::default_app_spec();
  for (const auto& name : pp::known_policies()) {
    INFO("policy " << name);
    auto policy = pp::make_policy(name);
    const auto result = pp::run_closed_loop(trace, *policy, app);
    CHECK(result.timeline.size() == 24);
  }
}
