#include "sim/types.h"

namespace podsizer::sim {

const char* to_string(PodPhase phase) {
  switch (phase) {
    case PodPhase::kPending:
      return "Pending";
    case PodPhase::kStarting:
      return "Starting";
    case PodPhase::kReady:
      return "Ready";
    case PodPhase::kBackOff:
      return "BackOff";
    case PodPhase::kTerminated:
      return "Terminated";
  }
  return "unknown";
}

const char* to_string(QosClass qos) {
  switch (qos) {
    case QosClass::kGuaranteed:
      return "Guaranteed";
    case QosClass::kBurstable:
      return "Burstable";
    case QosClass::kBestEffort:
      return "BestEffort";
  }
  return "unknown";
}

}  // namespace podsizer::sim
