// The load-test result JSON of the design (declared in traces/readers.h):
//
//   {"test_scenario": "peak_load_test", "max_rps": 1000, "avg_latency_ms": 180,
//    "cpu_usage_milli_cores": 800, "memory_usage_megabytes": 900, "error_rate_percentage": 0.5}
//
// Every field is required and numbers must be JSON numbers (not text). Rates, latency and usage
// are measured values, so negative ones are refused; max_rps and avg_latency_ms must be above
// zero to calibrate anything, and the error rate is a percentage in [0, 100]. Memory is in MiB
// (2^20 bytes), as in the history CSV. Keys the reader does not know are ignored with a warning,
// since load-test tools add their own. JSON positions: nlohmann reports the byte of a syntax
// error, which becomes a line; for a field, the line of its key in the text is given.
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "traces/errors.h"
#include "traces/log.h"
#include "traces/readers.h"

namespace podsizer::traces {
namespace {

// 1-based line of byte `offset` (0-based) in `text`.
std::size_t line_at(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  return 1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + offset, '\n'));
}

// Line of the first `"key":` in the text, 0 when it is not there. The load-test object is flat
// with one key each, so the first occurrence is the one that was read.
std::size_t key_line(std::string_view text, const std::string& key) {
  const std::string quoted = "\"" + key + "\"";
  for (std::size_t at = text.find(quoted); at != std::string_view::npos;
       at = text.find(quoted, at + 1)) {
    std::size_t after = at + quoted.size();
    while (after < text.size() && std::isspace(static_cast<unsigned char>(text[after]))) ++after;
    if (after < text.size() && text[after] == ':') return line_at(text, at);
  }
  return 0;
}

// nlohmann's message without its "[json.exception.parse_error.101] " prefix.
std::string plain_message(const nlohmann::json::exception& error) {
  const std::string_view text = error.what();
  const std::size_t end = text.find("] ");
  return std::string(text.substr(end == std::string_view::npos ? 0 : end + 2));
}

// What a JSON value is, in words, for "expected a number, got a string".
std::string describe(const nlohmann::json& value) {
  if (value.is_string()) return "the string \"" + value.get<std::string>() + "\"";
  if (value.is_null()) return "null";
  return std::string(value.type_name() == std::string_view("array") ? "an " : "a ") +
         value.type_name();
}

}  // namespace

LoadTest parse_load_test(std::string_view json_text, const std::string& file_name) {
  // Syntax first: a truncated or malformed file is refused at the byte nlohmann stopped on.
  nlohmann::json root;
  try {
    root = nlohmann::json::parse(json_text.begin(), json_text.end());
  } catch (const nlohmann::json::parse_error& error) {
    const std::size_t byte = error.byte > 0 ? error.byte - 1 : 0;
    throw InputError(file_name, line_at(json_text, byte), "",
                     "malformed JSON: " + plain_message(error));
  } catch (const nlohmann::json::exception& error) {
    // A number beyond a double ("number overflow parsing '1e400'") carries no position; find
    // the quoted token in the text instead.
    const std::string message = plain_message(error);
    const std::size_t open = message.find('\'');
    const std::size_t close = message.rfind('\'');
    std::size_t line = 0;
    if (open != std::string::npos && close > open + 1) {
      const std::size_t at = json_text.find(message.substr(open + 1, close - open - 1));
      if (at != std::string_view::npos) line = line_at(json_text, at);
    }
    throw InputError(file_name, line, "", "unreadable JSON: " + message);
  }
  if (!root.is_object()) {
    throw InputError(file_name, 1, "",
                     "expected a JSON object such as {\"test_scenario\": "
                     "\"peak_load_test\", \"max_rps\": 1000, ...}, got " +
                         describe(root));
  }
  auto fail = [&](const std::string& key, const std::string& problem) {
    throw InputError(file_name, key_line(json_text, key), key, problem);
  };

  // Each field is required, with its type.
  auto member = [&](const std::string& key) -> const nlohmann::json& {
    const auto found = root.find(key);
    if (found == root.end()) fail(key, "required field is missing");
    return *found;
  };
  auto number = [&](const std::string& key, bool positive) {
    const nlohmann::json& value = member(key);
    if (!value.is_number()) fail(key, "expected a number, got " + describe(value));
    const double parsed = value.get<double>();
    if (!std::isfinite(parsed)) fail(key, "must be a finite number");
    if (parsed < 0.0) fail(key, "must not be negative, got " + value.dump());
    if (positive && parsed == 0.0) fail(key, "must be above 0");
    return parsed;
  };

  LoadTest test;
  const nlohmann::json& scenario = member("test_scenario");
  if (!scenario.is_string()) fail("test_scenario", "expected a string, got " + describe(scenario));
  test.test_scenario = scenario.get<std::string>();
  if (test.test_scenario.empty()) fail("test_scenario", "must not be empty");
  test.max_rps = number("max_rps", true);
  test.avg_latency_ms = number("avg_latency_ms", true);
  test.cpu_usage_milli_cores = number("cpu_usage_milli_cores", false);
  test.memory_usage_megabytes = number("memory_usage_megabytes", false);
  test.error_rate_percentage = number("error_rate_percentage", false);
  if (test.error_rate_percentage > 100.0) {
    fail("error_rate_percentage", "a percentage cannot exceed 100");
  }

  // Keys of other tools are harmless, but a misspelt one would look like a missing field.
  for (const auto& [key, value] : root.items()) {
    static const char* const kKnown[] = {"test_scenario",          "max_rps",
                                         "avg_latency_ms",         "cpu_usage_milli_cores",
                                         "memory_usage_megabytes", "error_rate_percentage"};
    if (std::find(std::begin(kKnown), std::end(kKnown), key) == std::end(kKnown)) {
      logger()->warn("{}: ignoring the unknown load-test field '{}'", file_name, key);
    }
  }
  return test;
}

LoadTest read_load_test(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, 0, "", std::string("cannot open: ") + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  return parse_load_test(text.str(), path);
}

}  // namespace podsizer::traces
