// Kubernetes resource quantities: "250m", "0.5", "2", "512Mi", "1Gi", "1G", "100M", "1e3".
//
// The grammar is that of Kubernetes' apimachinery `resource.Quantity`: a signed decimal number
// followed by a binary-SI suffix (Ki Mi Gi Ti Pi Ei, powers of 1024), a decimal-SI suffix (n u m
// "" k M G T P E, powers of 1000) or a decimal exponent (e3, E-2). Resources are never negative,
// so a leading minus sign is refused here, as are NaN, infinities, empty text and anything that
// follows the suffix. Values are held as doubles in base units, which is exact for every integer
// number of bytes a node can have.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace podsizer::traces {

// A quantity's text that does not follow the grammar; what() quotes the text.
class QuantityError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// The value of `text` in base units ("250m" -> 0.25, "1Ki" -> 1024, "1e3" -> 1000).
double parse_quantity(std::string_view text);

// CPU: "250m" -> 250, "0.5" -> 500, "2" -> 2000 millicores.
double parse_cpu_millicores(std::string_view text);

// Memory: "512Mi" -> 536870912, "1G" -> 1e9 bytes.
double parse_memory_bytes(std::string_view text);

// CPU in Kubernetes' canonical form, rounded to whole millicores: 250 -> "250m", 2000 -> "2".
std::string format_cpu(double millicores);

// Memory in Kubernetes' canonical form, rounded to whole bytes: the largest binary suffix that
// divides the value exactly and the largest decimal one are compared and the one with the
// shorter number wins, binary on a tie; plain bytes when neither divides
// (536870912 -> "512Mi", 1.5 GiB -> "1536Mi", 1e9 -> "1G", 1e12 -> "1T", 1024000 -> "1000Ki",
// 1000001 -> "1000001").
std::string format_memory(double bytes);

constexpr double kMiB = 1024.0 * 1024.0;
constexpr double kGiB = 1024.0 * kMiB;

}  // namespace podsizer::traces
