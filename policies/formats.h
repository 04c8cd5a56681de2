// Formats: a Recommendation written the ways its readers consume it.
//
//   text   a summary for a terminal: the resources, the confidence and its one-line reason,
//          the guardrails that acted, and the reasons.
//   json   every number machine-readable (nlohmann-json); quantities both as Kubernetes text
//          ("250m", "512Mi") and in base units (millicores, bytes); unset values are null.
//   yaml   the same tree as json, written with yaml-cpp's emitter.
//   patch  a strategic-merge patch of the Deployment (apps/v1, metadata.name = the app's name)
//          setting spec.template.spec.containers[name].resources, for
//          `kustomize` `patches: - path: patch.yaml`. Containers merge by name. A value the
//          recommendation leaves unset is written as null, which deletes the key in a
//          strategic merge, so a stale limit cannot survive below a new request.
//   vpa    a VerticalPodAutoscaler (autoscaling.k8s.io/v1) on the Deployment with
//          updatePolicy.updateMode "Off" by default and one containerPolicy bounding the VPA
//          around the recommendation, controlledValues RequestsAndLimits. The band, applied to
//          each request (VPA's recommendation is a request; it scales limits in proportion):
//            minAllowed = request x (1 - lower_fraction), rounded down for CPU; for memory
//                         never under the safety floor, rounded up;
//            maxAllowed = request x (1 + upper_fraction), rounded down, and never above the
//                         node's room for the container.
//          Defaults 0.25 and 0.5: a VPA may follow growth further than shrinkage, because
//          too little costs more (throttling, OOM kills) than too much (money).
//          A resource without a request is left out of the bounds.
//
// Plain functions over values; safe from several threads.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "policies/recommend.h"

namespace podsizer::policies {

enum class OutputFormat { kText, kYaml, kJson, kPatch, kVpa };

// "text", "yaml", "json", "patch", "vpa"; std::invalid_argument listing them for anything else.
OutputFormat parse_output_format(const std::string& name);

struct VpaFormatOptions {
  std::string update_mode = "Off";  // Off | Initial | Recreate | Auto
  double lower_fraction = 0.25;
  double upper_fraction = 0.5;
};

// The update modes autoscaling.k8s.io/v1 accepts; std::invalid_argument for another.
void check_vpa_update_mode(const std::string& mode);

nlohmann::json recommendation_json(const Recommendation& r);

std::string format_text(const Recommendation& r);
std::string format_json(const Recommendation& r);
std::string format_yaml(const Recommendation& r);
std::string format_patch(const Recommendation& r);
std::string format_vpa(const Recommendation& r, const VpaFormatOptions& options = {});

// The recommendation in `format`.
std::string format_recommendation(const Recommendation& r, OutputFormat format,
                                  const VpaFormatOptions& vpa = {});

}  // namespace podsizer::policies
