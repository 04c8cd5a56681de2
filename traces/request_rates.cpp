// The per-second request-rate reader: the rules are listed beside read_request_rates in
// traces/readers.h.

#include <charconv>
#include <cmath>
#include <filesystem>
#include <string>

#include "traces/errors.h"
#include "traces/readers.h"
#include "traces/text_scan.h"

namespace podsizer::traces {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

[[noreturn]] void refuse_token(const std::string& path, std::size_t line, std::size_t index,
                               const char* begin, const char* end) {
  const char* stop = begin;
  while (stop < end && !is_space(*stop) && stop - begin < 40) ++stop;
  const std::string token(begin, stop);
  const char* why = !token.empty() && token[0] == '-' ? "is negative; a count of requests cannot be"
                                                      : "is not a non-negative integer";
  throw InputError(path, line, "value " + std::to_string(index), "'" + token + "' " + why);
}

}  // namespace

Trace read_request_rates(const std::string& path, double start_time_s) {
  if (!std::isfinite(start_time_s)) {
    throw InputError(path, 0, "", "the start time of a request-rate file must be finite");
  }
  const text::FileBytes bytes(path);
  const std::string_view content = bytes.view();
  const char* p = content.data();
  const char* const end = p + content.size();
  if (content.substr(0, 3) == "\xEF\xBB\xBF") p += 3;

  // Every value takes at least two bytes with its separator, so this never reallocates.
  Trace trace;
  trace.request_rate.reserve(content.size() / 2 + 1);

  // One pass: skip white space (counting lines for messages), parse an integer, and check that
  // it ends where white space or the file does.
  std::size_t line = 1;
  for (;;) {
    while (p < end && is_space(*p)) {
      if (*p == '\n') ++line;
      ++p;
    }
    if (p == end) break;
    unsigned long long count = 0;
    const auto [stop, error] = std::from_chars(p, end, count);
    if (error != std::errc() || (stop != end && !is_space(*stop))) {
      refuse_token(path, line, trace.request_rate.size() + 1, p, end);
    }
    trace.request_rate.push_back(static_cast<double>(count));
    p = stop;
  }
  if (trace.request_rate.empty()) {
    throw InputError(path, 1, "value 1", "the file holds no request counts");
  }

  // One value per second from the start.
  trace.time_s.resize(trace.request_rate.size());
  for (std::size_t i = 0; i < trace.time_s.size(); ++i) {
    trace.time_s[i] = start_time_s + static_cast<double>(i);
  }
  trace.meta.name = std::filesystem::path(path).stem().string();
  trace.meta.source = "requests:" + path;
  trace.meta.interval_s = 1.0;
  trace.validate();
  return trace;
}

}  // namespace podsizer::traces
