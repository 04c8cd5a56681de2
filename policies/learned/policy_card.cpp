#include "policies/learned/policy_card.h"

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <type_traits>

#include <openssl/evp.h>
#include <yaml-cpp/yaml.h>

#include "env/features.h"
#include "traces/atomic_file.h"
#include "traces/errors.h"

namespace podsizer::policies::learned {

namespace fs = std::filesystem;

std::string card_path_for(const std::string& policy_path) {
  fs::path p(policy_path);
  if (p.extension() == ".pt") p.replace_extension();
  return p.string() + ".card.yaml";
}

std::string sha256_file(const std::string& path) {
  // OpenSSL's digest over the file in 64 KiB blocks.
  std::ifstream in(path, std::ios::binary);
  if (!in) throw traces::InputError(path, 0, "", "cannot open to compute its sha256");
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("sha256: OpenSSL could not start a digest");
  }
  std::array<char, 65536> block;
  while (in) {
    in.read(block.data(), block.size());
    const std::streamsize got = in.gcount();
    if (got > 0) EVP_DigestUpdate(ctx.get(), block.data(), static_cast<std::size_t>(got));
  }
  if (in.bad()) throw traces::InputError(path, 0, "", "read error while computing its sha256");
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  EVP_DigestFinal_ex(ctx.get(), digest.data(), &size);

  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int k = 0; k < size; ++k) {
    hex += kHex[digest[k] >> 4];
    hex += kHex[digest[k] & 15];
  }
  return hex;
}

std::string card_to_yaml(const PolicyCardFile& c) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "format" << YAML::Value << c.format;
  out << YAML::Key << "podsizer_version" << YAML::Value << c.podsizer_version;
  out << YAML::Key << "policy_file" << YAML::Value << c.policy_file;
  out << YAML::Key << "sha256" << YAML::Value << c.sha256;
  out << YAML::Key << "objective" << YAML::Value << c.objective;
  out << YAML::Key << "training_data" << YAML::Value << c.training_data;
  out << YAML::Key << "validation_data" << YAML::Value << c.validation_data;
  out << YAML::Key << "feature_bin_s" << YAML::Value << c.feature_bin_s;
  out << YAML::Key << "decision_interval_s" << YAML::Value << c.decision_interval_s;
  out << YAML::Key << "change_tolerance" << YAML::Value << c.change_tolerance;
  out << YAML::Key << "env_steps" << YAML::Value << c.env_steps;
  out << YAML::Key << "features" << YAML::Value << YAML::BeginSeq;
  for (const auto& f : c.features) out << f;
  out << YAML::EndSeq;
  out << YAML::Key << "outputs" << YAML::Value << YAML::Flow << c.outputs;
  out << YAML::Key << "evaluation" << YAML::Value << YAML::BeginSeq;
  for (const EvaluationRow& row : c.evaluation) {
    out << YAML::Flow << YAML::BeginMap << YAML::Key << "policy" << YAML::Value << row.policy;
    for (const auto& [key, value] : row.values) out << YAML::Key << key << YAML::Value << value;
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

void write_card(const std::string& path, const PolicyCardFile& card) {
  traces::write_file_atomically(path, card_to_yaml(card));
}

PolicyCardFile read_card(const std::string& path) {
  if (!fs::is_regular_file(path)) {
    throw traces::InputError(path, 0, "", "policy card not found (expected beside the policy)");
  }
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    throw traces::InputError(path, static_cast<std::size_t>(e.mark.line + 1), "",
                             "not a valid policy card: " + e.msg);
  }
  if (!root.IsMap()) throw traces::InputError(path, 1, "", "a policy card is a YAML mapping");

  // Each field with its line on failure.
  auto read = [&](const char* key, auto& out, bool required) {
    const YAML::Node node = root[key];
    if (!node.IsDefined() || node.IsNull()) {
      if (required) throw traces::InputError(path, 0, key, "missing from the policy card");
      return;
    }
    try {
      out = node.as<std::decay_t<decltype(out)>>();
    } catch (const YAML::Exception&) {
      throw traces::InputError(path, static_cast<std::size_t>(node.Mark().line + 1), key,
                               "cannot read this value");
    }
  };
  PolicyCardFile c;
  read("format", c.format, true);
  read("podsizer_version", c.podsizer_version, true);
  read("policy_file", c.policy_file, true);
  read("sha256", c.sha256, true);
  read("objective", c.objective, false);
  read("training_data", c.training_data, false);
  read("validation_data", c.validation_data, false);
  read("feature_bin_s", c.feature_bin_s, true);
  read("decision_interval_s", c.decision_interval_s, false);
  read("change_tolerance", c.change_tolerance, false);
  read("env_steps", c.env_steps, false);
  read("features", c.features, true);
  read("outputs", c.outputs, true);
  if (const YAML::Node rows = root["evaluation"]; rows.IsSequence()) {
    for (const YAML::Node& r : rows) {
      EvaluationRow row;
      for (const auto& item : r) {
        const auto key = item.first.as<std::string>();
        if (key == "policy") {
          row.policy = item.second.as<std::string>();
        } else {
          try {
            row.values[key] = item.second.as<double>();
          } catch (const YAML::Exception&) {
            throw traces::InputError(path, static_cast<std::size_t>(item.second.Mark().line + 1),
                                     "evaluation." + key, "expected a number");
          }
        }
      }
      c.evaluation.push_back(std::move(row));
    }
  }
  return c;
}

void check_card(const PolicyCardFile& card, const std::string& card_path,
                const std::string& policy_path) {
  // The running podsizer must be the one that exported the policy: features may change
  // meaning between versions even when their names do not.
  if (card.podsizer_version != PODSIZER_VERSION) {
    throw traces::InputError(card_path, 0, "podsizer_version",
                             "the policy was exported by podsizer " + card.podsizer_version +
                                 " but this is podsizer " + PODSIZER_VERSION +
                                 "; export it again with this version");
  }
  const auto& names = env::feature_names();
  if (card.features != names) {
    std::string detail = "expected " + std::to_string(names.size()) + " features, the card has " +
                         std::to_string(card.features.size());
    for (std::size_t k = 0; k < std::min(names.size(), card.features.size()); ++k) {
      if (names[k] != card.features[k]) {
        detail = "feature " + std::to_string(k) + " is '" + card.features[k] +
                 "' in the card but '" + names[k] + "' in this podsizer";
        break;
      }
    }
    throw traces::InputError(card_path, 0, "features",
                             "the policy's features do not match this podsizer: " + detail);
  }
  if (card.feature_bin_s != env::FeatureConfig{}.bin_s) {
    throw traces::InputError(card_path, 0, "feature_bin_s",
                             "the policy was trained on a different feature grid");
  }
  const std::string actual = sha256_file(policy_path);
  if (actual != card.sha256) {
    throw traces::InputError(card_path, 0, "sha256",
                             "does not match " + policy_path + " (" + actual +
                                 "): the policy file was changed or belongs to another card");
  }
}

}  // namespace podsizer::policies::learned
