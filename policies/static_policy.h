// The "static" baseline: whatever the application spec says today, forever.
//
// It answers the app spec's current requests and limits at every decision (or, without an app
// spec, the resources in force), and never an HPA target. It keeps no state. Options: none.
#pragma once

#include "policies/policy.h"

namespace podsizer::policies {

class StaticPolicy : public Policy {
 public:
  explicit StaticPolicy(const PolicyOptions& options = {});

  std::string name() const override { return "static"; }

 protected:
  void on_observe(const Sample&) override {}
  Decision on_decide(const DecisionContext& ctx) override;
  void on_reset() override {}
};

}  // namespace podsizer::policies
