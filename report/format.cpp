#include "report/format.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>

#include "traces/quantity.h"

namespace podsizer::report {
namespace {

constexpr const char* kMissing = "\u2013";  // en dash for values that do not exist

// The length of the valid UTF-8 sequence starting at text[i], or 0 when it is not valid
// (stray continuation byte, truncated sequence, overlong form, surrogate, beyond U+10FFFF).
std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  std::size_t length = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;

  // The lead byte says how long the sequence is and narrows its second byte's range.
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;   // overlong
    if (lead == 0xED) high = 0x9F;  // UTF-16 surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;   // overlong
    if (lead == 0xF4) high = 0x8F;  // beyond U+10FFFF
  } else {
    return 0;
  }

  // Every following byte is a continuation byte, the second one within the narrowed range.
  if (i + length > text.size()) return 0;
  if (byte(i + 1) < low || byte(i + 1) > high) return 0;
  for (std::size_t k = 2; k < length; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return length;
}

// Inserts "," between groups of three digits of the whole part of a plain decimal number.
std::string group_thousands(std::string_view digits) {
  const std::size_t sign = (!digits.empty() && digits.front() == '-') ? 1 : 0;
  const std::size_t point = digits.find('.');
  const std::size_t whole_end = point == std::string_view::npos ? digits.size() : point;
  const std::size_t whole_digits = whole_end - sign;

  std::string out(digits.substr(0, sign));
  for (std::size_t k = 0; k < whole_digits; ++k) {
    if (k > 0 && (whole_digits - k) % 3 == 0) out += ',';
    out += digits[sign + k];
  }
  out += digits.substr(whole_end);
  return out;
}

// Drops trailing zeros after the decimal point, and the point itself when nothing follows.
std::string trim_zeros(std::string text) {
  if (text.find('.') == std::string::npos) return text;
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text;
}

// The number of decimals that gives three significant digits without cutting the whole part.
int readable_decimals(double magnitude) {
  if (magnitude >= 100 || magnitude == 0) return 0;
  const int exponent = static_cast<int>(std::floor(std::log10(magnitude)));
  return std::min(2 - exponent, 12);
}

std::string with_unit(double value, const char* unit) {
  return format_readable(value) + " " + unit;
}

std::string format_bytes_human(double bytes) {
  static constexpr std::array<const char*, 6> kUnits = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  double scaled = bytes;
  std::size_t unit = 0;
  while (std::fabs(scaled) >= 1024 && unit + 1 < kUnits.size()) {
    scaled /= 1024;
    ++unit;
  }
  return with_unit(scaled, kUnits[unit]);
}

std::string format_dollars(double dollars) {
  const std::string magnitude = format_fixed(std::fabs(dollars), std::fabs(dollars) >= 100 ? 0 : 2);
  return (dollars < 0 && magnitude.find_first_not_of("0.,") != std::string::npos ? "-$" : "$") +
         magnitude;
}

// The entity that stands for a markup character, or null for any other character.
const char* entity_for(char c) {
  switch (c) {
    case '&':
      return "&amp;";
    case '<':
      return "&lt;";
    case '>':
      return "&gt;";
    case '"':
      return "&quot;";
    case '\'':
      return "&#39;";
    default:
      return nullptr;
  }
}

}  // namespace

std::string escape_text(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];

    // Markup characters become entities so text never opens a tag or closes an attribute.
    if (const char* entity = entity_for(c)) {
      out += entity;
      ++i;
      continue;
    }

    // Control characters are not allowed in XML 1.0 even as entities, so they are dropped.
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) {
      if (c == '\t' || c == '\n' || c == '\r') out += c;
      ++i;
      continue;
    }

    // Valid UTF-8 passes through; a broken byte becomes the replacement character.
    const std::size_t length = utf8_sequence_length(text, i);
    if (length == 0) {
      out += "\uFFFD";
      ++i;
    } else {
      out.append(text.substr(i, length));
      i += length;
    }
  }
  return out;
}

std::string format_fixed(double value, int decimals) {
  if (!std::isfinite(value)) return kMissing;
  std::array<char, 64> buffer{};
  const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value,
                                    std::chars_format::fixed, decimals);
  std::string_view digits(buffer.data(), static_cast<std::size_t>(result.ptr - buffer.data()));

  // A value that rounds to zero has no sign worth showing.
  if (digits.front() == '-' && digits.find_first_not_of("-0.") == std::string_view::npos) {
    digits.remove_prefix(1);
  }
  return group_thousands(digits);
}

std::string format_readable(double value) {
  if (!std::isfinite(value)) return kMissing;
  return trim_zeros(format_fixed(value, readable_decimals(std::fabs(value))));
}

std::string format_value(double value, Unit unit) {
  if (!std::isfinite(value)) return kMissing;
  switch (unit) {
    case Unit::kMillicores:
      if (std::fabs(value) < 1000) return format_readable(value) + "m";
      if (std::fabs(value) == 1000) return format_readable(value / 1000) + " core";
      return with_unit(value / 1000, "cores");
    case Unit::kBytes:
      return format_bytes_human(value);
    case Unit::kMilliseconds:
      if (std::fabs(value) < 1000) return with_unit(value, "ms");
      return with_unit(value / 1000, "s");
    case Unit::kSeconds:
      return format_duration(value);
    case Unit::kPercent:
      return with_unit(value, "%");
    case Unit::kDollars:
      return format_dollars(value);
    case Unit::kCount:
      if (value == std::round(value)) return format_fixed(value, 0);
      return format_readable(value);
    case Unit::kReplicas:
    case Unit::kNumber:
      return format_readable(value);
  }
  return format_readable(value);
}

std::string format_kubernetes(double value, Unit unit) {
  if (!std::isfinite(value)) return kMissing;
  // Kubernetes quantities cannot be negative; such values fall back to the readable form.
  if (value >= 0 && unit == Unit::kMillicores) return traces::format_cpu(value);
  if (value >= 0 && unit == Unit::kBytes) return traces::format_memory(value);
  return format_value(value, unit);
}

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds)) return kMissing;
  if (seconds < 0) return "-" + format_duration(-seconds);
  if (seconds < 59.5) return seconds == 0 ? "0" : format_readable(seconds) + "s";

  // Round to the smaller of the two units shown, then split; rounding may carry into the larger
  // unit (59m 59.6s rounds to 1h 0m), which is why the choice is made after rounding.
  struct Pair {
    double big;
    double small;
    const char* big_name;
    const char* small_name;
  };
  static constexpr std::array<Pair, 3> kPairs = {{
      {86400, 3600, "d", "h"},
      {3600, 60, "h", "m"},
      {60, 1, "m", "s"},
  }};
  for (const Pair& pair : kPairs) {
    const double rounded = std::round(seconds / pair.small) * pair.small;
    if (rounded < pair.big) continue;
    const auto big = static_cast<std::int64_t>(std::floor(rounded / pair.big + 1e-9));
    const auto small =
        static_cast<std::int64_t>(std::llround((rounded - big * pair.big) / pair.small));
    std::string out = std::to_string(big) + pair.big_name;
    if (small != 0) out += " " + std::to_string(small) + pair.small_name;
    return out;
  }
  return format_readable(seconds) + "s";
}

std::string format_utc(double unix_seconds) {
  if (!std::isfinite(unix_seconds)) return kMissing;
  using namespace std::chrono;
  const sys_seconds moment{seconds{static_cast<std::int64_t>(std::floor(unix_seconds))}};
  const sys_days day = floor<days>(moment);
  const year_month_day date{day};
  const hh_mm_ss time{moment - day};

  std::array<char, 64> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "%04d-%02u-%02u %02d:%02d:%02d UTC",
                static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                static_cast<unsigned>(date.day()), static_cast<int>(time.hours().count()),
                static_cast<int>(time.minutes().count()), static_cast<int>(time.seconds().count()));
  return buffer.data();
}

std::string format_utc_tick(double unix_seconds, double step) {
  if (!std::isfinite(unix_seconds)) return kMissing;
  using namespace std::chrono;
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const sys_seconds moment{seconds{static_cast<std::int64_t>(std::llround(unix_seconds))}};
  const sys_days day = floor<days>(moment);
  const hh_mm_ss time{moment - day};
  std::array<char, 32> buffer{};

  // Midnights and day-spaced ticks name the date; the rest name the time of day.
  if (step >= 86400 || (moment - day).count() == 0) {
    const year_month_day date{day};
    std::snprintf(buffer.data(), buffer.size(), "%s %u",
                  kMonths[static_cast<unsigned>(date.month()) - 1],
                  static_cast<unsigned>(date.day()));
  } else if (step < 60) {
    std::snprintf(buffer.data(), buffer.size(), "%02d:%02d:%02d",
                  static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                  static_cast<int>(time.seconds().count()));
  } else {
    std::snprintf(buffer.data(), buffer.size(), "%02d:%02d", static_cast<int>(time.hours().count()),
                  static_cast<int>(time.minutes().count()));
  }
  return buffer.data();
}

}  // namespace podsizer::report
