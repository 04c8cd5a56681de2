#include "traces/text_scan.h"

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstring>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "traces/errors.h"

namespace podsizer::traces::text {
namespace {

[[noreturn]] void refuse_file(const std::string& path, const std::string& what) {
  throw InputError(path, 0, "", what + ": " + std::strerror(errno));
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Reads `count` digits at `text[at]` into `*value`; false when any of them is not a digit.
bool fixed_digits(std::string_view text, std::size_t at, std::size_t count, unsigned* value) {
  if (at + count > text.size()) return false;
  unsigned result = 0;
  for (std::size_t i = at; i < at + count; ++i) {
    if (!is_digit(text[i])) return false;
    result = result * 10 + static_cast<unsigned>(text[i] - '0');
  }
  *value = result;
  return true;
}

std::optional<double> refuse_time(const char** why, const char* reason) {
  if (why != nullptr) *why = reason;
  return std::nullopt;
}

}  // namespace

FileBytes::FileBytes(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) refuse_file(path, "cannot open");
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    const int saved = errno;
    ::close(fd);
    errno = saved;
    refuse_file(path, "cannot inspect");
  }

  // A regular, non-empty file is mapped: no copy, and the kernel reads ahead for us.
  if (S_ISREG(info.st_mode) && info.st_size > 0) {
    const auto length = static_cast<std::size_t>(info.st_size);
    void* mapped = ::mmap(nullptr, length, PROT_READ, MAP_PRIVATE, fd, 0);
    if (mapped != MAP_FAILED) {
      ::madvise(mapped, length, MADV_SEQUENTIAL);
      ::close(fd);
      mapping_ = mapped;
      data_ = static_cast<const char*>(mapped);
      size_ = length;
      return;
    }
  }

  // Anything else (pipes, empty files, file systems without mmap) is read in chunks.
  char chunk[1 << 16];
  for (;;) {
    const ssize_t got = ::read(fd, chunk, sizeof chunk);
    if (got < 0) {
      if (errno == EINTR) continue;
      const int saved = errno;
      ::close(fd);
      errno = saved;
      refuse_file(path, "cannot read");
    }
    if (got == 0) break;
    buffer_.append(chunk, static_cast<std::size_t>(got));
  }
  ::close(fd);
  data_ = buffer_.data();
  size_ = buffer_.size();
}

FileBytes::~FileBytes() {
  if (mapping_ != nullptr) ::munmap(mapping_, size_);
}

LineScanner::LineScanner(std::string_view text) : text_(text) {
  if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
}

bool LineScanner::next(std::string_view& line) {
  if (pos_ >= text_.size()) return false;
  const char* begin = text_.data() + pos_;
  const auto* end = static_cast<const char*>(std::memchr(begin, '\n', text_.size() - pos_));
  std::size_t length = 0;
  if (end == nullptr) {
    length = text_.size() - pos_;
    pos_ = text_.size();
    unterminated_ = true;
  } else {
    length = static_cast<std::size_t>(end - begin);
    pos_ += length + 1;
  }
  if (length > 0 && begin[length - 1] == '\r') --length;
  line = std::string_view(begin, length);
  ++line_number_;
  return true;
}

bool equals_ignore_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

const char* describe(ParseProblem problem) {
  switch (problem) {
    case ParseProblem::kNone:
      return "no problem";
    case ParseProblem::kEmpty:
      return "empty (a value is required)";
    case ParseProblem::kNotNumber:
      return "not a number";
    case ParseProblem::kNotFinite:
      return "not a finite number (NaN and infinity are refused)";
    case ParseProblem::kOutOfRange:
      return "out of range";
    case ParseProblem::kTrailing:
      return "a number followed by other characters (give a plain number, no unit)";
  }
  return "unreadable";
}

namespace {

// Reads a plain decimal ("-12.375", "1700000000") of at most 15 significant digits exactly:
// the digits form an integer below 2^53 and 10^k is exact for k <= 22, so one division gives
// the correctly rounded double, the same as from_chars (Clinger's fast path). Returns false for
// anything else (exponents, long numbers, junk), which from_chars then settles.
bool parse_plain_decimal(const char* p, const char* end, double* out) {
  static constexpr double kPowersOfTen[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                            1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
  const bool negative = p < end && *p == '-';
  if (negative) ++p;
  unsigned long long digits = 0;
  int count = 0;
  while (p < end && is_digit(*p)) {
    digits = digits * 10 + static_cast<unsigned>(*p - '0');
    ++p;
    ++count;
  }
  int fraction = 0;
  if (p < end && *p == '.') {
    ++p;
    while (p < end && is_digit(*p)) {
      digits = digits * 10 + static_cast<unsigned>(*p - '0');
      ++p;
      ++fraction;
    }
  }
  if (p != end || count + fraction == 0 || count + fraction > 15) return false;
  double value = static_cast<double>(digits);
  if (fraction > 0) value /= kPowersOfTen[fraction];
  *out = negative ? -value : value;
  return true;
}

}  // namespace

std::optional<double> parse_double(std::string_view text, ParseProblem* problem) {
  auto refuse = [problem](ParseProblem why) -> std::optional<double> {
    if (problem != nullptr) *problem = why;
    return std::nullopt;
  };
  if (text.empty()) return refuse(ParseProblem::kEmpty);
  const char* begin = text.data();
  const char* end = begin + text.size();
  double value = 0.0;
  if (parse_plain_decimal(begin, end, &value)) return value;

  // from_chars takes no leading '+', but exporters write one now and then.
  if (*begin == '+') {
    ++begin;
    if (begin == end || *begin == '-' || *begin == '+') return refuse(ParseProblem::kNotNumber);
  }

  // NaN and infinities parse as doubles, but no measured usage is either: refuse them by their
  // first letter before from_chars sees them.
  const char first = *begin == '-' && begin + 1 < end ? begin[1] : *begin;
  if (first == 'n' || first == 'N' || first == 'i' || first == 'I') {
    return refuse(ParseProblem::kNotFinite);
  }

  const auto [stop, error] = std::from_chars(begin, end, value);
  if (error == std::errc::result_out_of_range) return refuse(ParseProblem::kOutOfRange);
  if (error != std::errc()) return refuse(ParseProblem::kNotNumber);
  if (stop != end) return refuse(ParseProblem::kTrailing);
  if (!std::isfinite(value)) return refuse(ParseProblem::kNotFinite);
  return value;
}

std::optional<unsigned long long> parse_unsigned(std::string_view text, ParseProblem* problem) {
  auto refuse = [problem](ParseProblem why) -> std::optional<unsigned long long> {
    if (problem != nullptr) *problem = why;
    return std::nullopt;
  };
  if (text.empty()) return refuse(ParseProblem::kEmpty);
  unsigned long long value = 0;
  const auto [stop, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error == std::errc::result_out_of_range) return refuse(ParseProblem::kOutOfRange);
  if (error != std::errc()) return refuse(ParseProblem::kNotNumber);
  if (stop != text.data() + text.size()) return refuse(ParseProblem::kTrailing);
  return value;
}

std::optional<double> parse_rfc3339(std::string_view text, const char** why) {
  // The date and the time of day sit at fixed positions: YYYY-MM-DDTHH:MM:SS.
  unsigned year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!fixed_digits(text, 0, 4, &year) || text.size() < 19 || text[4] != '-' ||
      !fixed_digits(text, 5, 2, &month) || text[7] != '-' || !fixed_digits(text, 8, 2, &day)) {
    return refuse_time(why, "expected an RFC 3339 time such as 2024-05-01T12:30:00Z");
  }
  const char separator = text[10];
  if ((separator != 'T' && separator != 't' && separator != ' ') ||
      !fixed_digits(text, 11, 2, &hour) || text[13] != ':' || !fixed_digits(text, 14, 2, &minute) ||
      text[16] != ':' || !fixed_digits(text, 17, 2, &second)) {
    return refuse_time(why, "expected the time of day as THH:MM:SS after the date");
  }

  // The calendar decides whether the date exists; the clock fields are checked by hand.
  using namespace std::chrono;
  const year_month_day date{std::chrono::year(static_cast<int>(year)), std::chrono::month(month),
                            std::chrono::day(day)};
  if (!date.ok()) return refuse_time(why, "the date does not exist");
  if (hour > 23 || minute > 59 || second > 60) {
    return refuse_time(why, "hour, minute or second out of range");
  }

  // An optional fraction of a second, any number of digits.
  std::size_t pos = 19;
  double fraction = 0.0;
  if (pos < text.size() && text[pos] == '.') {
    // Nanoseconds are the finest any exporter writes; further digits are checked, not used.
    const std::size_t digits_start = ++pos;
    unsigned long long numerator = 0;
    unsigned long long denominator = 1;
    while (pos < text.size() && is_digit(text[pos])) {
      if (denominator < 1000000000ULL) {
        numerator = numerator * 10 + static_cast<unsigned>(text[pos] - '0');
        denominator *= 10;
      }
      ++pos;
    }
    if (pos == digits_start) return refuse_time(why, "expected digits after the decimal point");
    fraction = static_cast<double>(numerator) / static_cast<double>(denominator);
  }

  // The offset from UTC is mandatory in RFC 3339: Z, or +hh:mm / -hh:mm.
  if (pos >= text.size()) return refuse_time(why, "missing the UTC offset (Z or +hh:mm)");
  int offset_s = 0;
  if (text[pos] == 'Z' || text[pos] == 'z') {
    ++pos;
  } else if (text[pos] == '+' || text[pos] == '-') {
    unsigned offset_h = 0, offset_m = 0;
    if (!fixed_digits(text, pos + 1, 2, &offset_h) || pos + 3 >= text.size() ||
        text[pos + 3] != ':' || !fixed_digits(text, pos + 4, 2, &offset_m) || offset_h > 23 ||
        offset_m > 59) {
      return refuse_time(why, "expected the UTC offset as +hh:mm or -hh:mm");
    }
    offset_s = static_cast<int>(offset_h * 3600 + offset_m * 60);
    if (text[pos] == '-') offset_s = -offset_s;
    pos += 6;
  } else {
    return refuse_time(why, "expected Z or a +hh:mm / -hh:mm offset after the time");
  }
  if (pos != text.size()) return refuse_time(why, "has characters after the time");

  // Local time minus its offset is UTC.
  const long long days = sys_days(date).time_since_epoch().count();
  const long long whole = days * 86400 + hour * 3600LL + minute * 60LL + second - offset_s;
  return static_cast<double>(whole) + fraction;
}

Table::Table(std::string_view content, char delimiter, std::string file,
             std::vector<std::string_view> wanted)
    : lines_(content), content_(content), delimiter_(delimiter), file_(std::move(file)) {
  // The header is the first line that is not blank.
  std::string_view line;
  bool found = false;
  while (lines_.next(line)) {
    if (!trim(line).empty()) {
      found = true;
      break;
    }
  }
  if (!found) throw InputError(file_, 1, "header", "the file is empty; expected a header line");
  for (std::size_t pos = 0; pos != std::string_view::npos;) {
    header_.emplace_back(unquote(next_field(line, delimiter_, &pos)));
  }
  field_count_ = header_.size();

  // Find each wanted column: an exact name first, else the name followed by a unit.
  slot_of_.assign(field_count_, std::string_view::npos);
  for (std::size_t k = 0; k < wanted.size(); ++k) {
    std::size_t found_at = std::string_view::npos;
    for (std::size_t i = 0; i < field_count_ && found_at == std::string_view::npos; ++i) {
      if (equals_ignore_case(header_[i], wanted[k])) found_at = i;
    }
    for (std::size_t i = 0; i < field_count_ && found_at == std::string_view::npos; ++i) {
      const std::string_view name = header_[i];
      if (name.size() > wanted[k].size() + 1 &&
          equals_ignore_case(name.substr(0, wanted[k].size()), wanted[k]) &&
          trim(name.substr(wanted[k].size())).front() == '[') {
        found_at = i;
      }
    }
    if (found_at == std::string_view::npos) {
      throw InputError(file_, lines_.line_number(), std::string(wanted[k]),
                       "the header has no such column");
    }
    wanted_at_.push_back(found_at);
    names_.push_back(header_[found_at]);
    slot_of_[found_at] = k;
  }
  fields_.resize(wanted.size());
}

bool Table::next() {
  std::string_view line;
  do {
    if (!lines_.next(line)) return false;
  } while (trim(line).empty());

  std::size_t index = 0;
  for (std::size_t pos = 0; pos != std::string_view::npos; ++index) {
    const std::string_view raw = next_field(line, delimiter_, &pos);
    if (index >= field_count_) {
      throw InputError(
          file_, lines_.line_number(), "field " + std::to_string(index + 1),
          "the line has more fields than the header's " + std::to_string(field_count_));
    }
    const std::size_t slot = slot_of_[index];
    if (slot != std::string_view::npos) fields_[slot] = unquote(raw);
  }
  if (index < field_count_) {
    const char* cut = lines_.last_line_unterminated() ? " (the file looks truncated)" : "";
    throw InputError(file_, lines_.line_number(), header_[index],
                     "the line has " + std::to_string(index) + " fields, the header " +
                         std::to_string(field_count_) + cut);
  }
  return true;
}

double Table::number(std::size_t k) const {
  ParseProblem problem{};
  const auto value = parse_double(fields_[k], &problem);
  if (!value) refuse(k, std::string("is ") + describe(problem));
  return *value;
}

double Table::non_negative(std::size_t k) const {
  const double value = number(k);
  if (value < 0.0) refuse(k, "is negative; usage cannot be below 0");
  return value;
}

void Table::refuse(std::size_t k, const std::string& problem) const {
  throw InputError(file_, lines_.line_number(), names_[k],
                   "'" + std::string(fields_[k]) + "' " + problem);
}

std::size_t Table::bytes_left() const {
  return content_.size() - lines_.offset();
}

}  // namespace podsizer::traces::text
