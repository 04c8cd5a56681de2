#include "traces/quantity.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <utility>

namespace podsizer::traces {
namespace {

[[noreturn]] void refuse(std::string_view text, const std::string& why) {
  throw QuantityError("invalid quantity '" + std::string(text) + "': " + why);
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Multiplier of a suffix, or 0 when the suffix is not one Kubernetes knows.
double suffix_multiplier(std::string_view suffix) {
  static const std::pair<std::string_view, double> kSuffixes[] = {
      {"", 1.0},          {"n", 1e-9},        {"u", 1e-6},        {"m", 1e-3},
      {"k", 1e3},         {"M", 1e6},         {"G", 1e9},         {"T", 1e12},
      {"P", 1e15},        {"E", 1e18},        {"Ki", 1024.0},     {"Mi", 1048576.0},
      {"Gi", 1073741824.0}, {"Ti", 1099511627776.0}, {"Pi", 1125899906842624.0},
      {"Ei", 1152921504606846976.0},
  };
  for (const auto& [name, multiplier] : kSuffixes) {
    if (name == suffix) return multiplier;
  }
  return 0.0;
}

}  // namespace

double parse_quantity(std::string_view text) {
  if (text.empty()) refuse(text, "empty");
  std::size_t pos = 0;
  if (text[pos] == '+') ++pos;
  if (pos < text.size() && text[pos] == '-') refuse(text, "resources cannot be negative");

  // The number: digits, optionally a point and more digits; at least one digit in all.
  const std::size_t number_start = pos;
  std::size_t digits = 0;
  while (pos < text.size() && is_digit(text[pos])) ++pos, ++digits;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    while (pos < text.size() && is_digit(text[pos])) ++pos, ++digits;
  }
  if (digits == 0) refuse(text, "expected a number such as 250m, 0.5, 512Mi or 1e3");
  const std::string_view number = text.substr(number_start, pos - number_start);

  double value = 0.0;
  auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (ec != std::errc() || end != number.data() + number.size()) refuse(text, "bad number");

  // The suffix: a decimal exponent (e3, E-2) or an SI suffix.
  const std::string_view suffix = text.substr(pos);
  double multiplier = 0.0;
  if (!suffix.empty() && (suffix[0] == 'e' || suffix[0] == 'E') && suffix.size() > 1 &&
      (is_digit(suffix[1]) || suffix[1] == '+' || suffix[1] == '-')) {
    std::string_view exponent_text = suffix.substr(1);
    if (exponent_text[0] == '+') exponent_text.remove_prefix(1);
    int exponent = 0;
    auto [exp_end, exp_ec] = std::from_chars(
        exponent_text.data(), exponent_text.data() + exponent_text.size(), exponent);
    if (exp_ec != std::errc() || exp_end != exponent_text.data() + exponent_text.size()) {
      refuse(text, "bad exponent");
    }
    if (exponent < -30 || exponent > 30) refuse(text, "exponent out of range");
    multiplier = std::pow(10.0, exponent);
  } else {
    multiplier = suffix_multiplier(suffix);
    if (multiplier == 0.0) {
      refuse(text, "unknown suffix '" + std::string(suffix) +
                       "' (use m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei or an exponent)");
    }
  }

  const double result = value * multiplier;
  if (!std::isfinite(result)) refuse(text, "too large");
  return result;
}

double parse_cpu_millicores(std::string_view text) { return parse_quantity(text) * 1000.0; }

double parse_memory_bytes(std::string_view text) { return parse_quantity(text); }

std::string format_cpu(double millicores) {
  if (!std::isfinite(millicores) || millicores < 0) {
    throw std::invalid_argument("cannot format CPU of " + std::to_string(millicores) + "m");
  }
  const auto milli = static_cast<std::int64_t>(std::llround(millicores));
  if (milli % 1000 == 0) return std::to_string(milli / 1000);
  return std::to_string(milli) + "m";
}

std::string format_memory(double bytes) {
  if (!std::isfinite(bytes) || bytes < 0) {
    throw std::invalid_argument("cannot format memory of " + std::to_string(bytes) + " bytes");
  }
  const auto whole = static_cast<std::int64_t>(std::llround(bytes));
  if (whole == 0) return "0";

  // The exact form with the largest binary suffix and the one with the largest decimal suffix;
  // the shorter wins, binary on a tie. Taking binary whenever it divides would turn 1e12 (a
  // multiple of 1024) into "976562500Ki" instead of "1T".
  static const std::pair<const char*, std::int64_t> kBinary[] = {
      {"Ei", std::int64_t{1} << 60}, {"Pi", std::int64_t{1} << 50}, {"Ti", std::int64_t{1} << 40},
      {"Gi", std::int64_t{1} << 30}, {"Mi", std::int64_t{1} << 20}, {"Ki", std::int64_t{1} << 10},
  };
  static const std::pair<const char*, std::int64_t> kDecimal[] = {
      {"E", 1'000'000'000'000'000'000}, {"P", 1'000'000'000'000'000}, {"T", 1'000'000'000'000},
      {"G", 1'000'000'000},            {"M", 1'000'000},             {"k", 1'000},
  };
  auto largest_exact = [whole](const auto& suffixes) -> std::pair<std::int64_t, const char*> {
    for (const auto& [suffix, unit] : suffixes) {
      if (whole % unit == 0) return {whole / unit, suffix};
    }
    return {whole, ""};
  };
  const auto [binary_number, binary_suffix] = largest_exact(kBinary);
  const auto [decimal_number, decimal_suffix] = largest_exact(kDecimal);
  if (decimal_number < binary_number &&
      std::to_string(decimal_number).size() < std::to_string(binary_number).size()) {
    return std::to_string(decimal_number) + decimal_suffix;
  }
  return std::to_string(binary_number) + binary_suffix;
}

}  // namespace podsizer::traces
