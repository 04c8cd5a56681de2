#include "policies/static_policy.h"

namespace podsizer::policies {

StaticPolicy::StaticPolicy(const PolicyOptions& options) {
  check_option_names("static", options, {});
}

Decision StaticPolicy::on_decide(const DecisionContext& ctx) {
  Decision decision;
  decision.resources = ctx.app != nullptr ? ctx.app->current : ctx.current;
  return decision;
}

}  // namespace podsizer::policies
