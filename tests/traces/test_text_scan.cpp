#include <charconv>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "traces/reader_test_support.h"
#include "traces/text_scan.h"

namespace text = podsizer::traces::text;
using podsizer::traces::testing::input_error_of;
using podsizer::traces::testing::require_names;
using podsizer::traces::testing::TempFile;

TEST_CASE("traces::text::parse_double: takes whole finite numbers only", "[traces]") {
  CHECK(text::parse_double("12") == 12.0);
  CHECK(text::parse_double("-3.5") == -3.5);
  CHECK(text::parse_double("+1e3") == 1000.0);
  CHECK(text::parse_double("1.634622E7") == 16346220.0);

  text::ParseProblem problem{};
  CHECK_FALSE(text::parse_double("", &problem));
  CHECK(problem == text::ParseProblem::kEmpty);
  CHECK_FALSE(text::parse_double("nan", &problem));
  CHECK(problem == text::ParseProblem::kNotFinite);
  CHECK_FALSE(text::parse_double("-Infinity", &problem));
  CHECK(problem == text::ParseProblem::kNotFinite);
  CHECK_FALSE(text::parse_double("1e400", &problem));
  CHECK(problem == text::ParseProblem::kOutOfRange);
  CHECK_FALSE(text::parse_double("12abc", &problem));
  CHECK(problem == text::ParseProblem::kTrailing);
  CHECK_FALSE(text::parse_double("0x10", &problem));
  CHECK(problem == text::ParseProblem::kTrailing);
  CHECK_FALSE(text::parse_double("+-1", &problem));
  CHECK(problem == text::ParseProblem::kNotNumber);
  CHECK_FALSE(text::parse_double("abc", &problem));
  CHECK(problem == text::ParseProblem::kNotNumber);
}

TEST_CASE("traces::text::parse_double: agrees with from_chars bit for bit", "[traces]") {
  // Plain decimals take a fast path of their own; std::from_chars is the oracle. A fixed
  // linear congruential sequence draws 1 to 17 digits, a point anywhere and a sign.
  unsigned long long state = 7;
  auto draw = [&state](unsigned long long bound) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (state >> 33) % bound;
  };
  for (int i = 0; i < 200000; ++i) {
    std::string number = draw(4) == 0 ? "-" : "";
    const auto digits = 1 + draw(17);
    const auto point = draw(digits + 1);
    for (unsigned long long d = 0; d < digits; ++d) {
      if (d == point && d > 0) number += '.';
      number += static_cast<char>('0' + draw(10));
    }
    double expected = 0.0;
    std::from_chars(number.data(), number.data() + number.size(), expected);
    const auto parsed = text::parse_double(number);
    if (!parsed || *parsed != expected) {
      FAIL(number << " read as " << (parsed ? *parsed : -1.0) << ", from_chars " << expected);
    }
  }
}

TEST_CASE("traces::text::parse_unsigned: takes plain non-negative integers", "[traces]") {
  CHECK(text::parse_unsigned("0") == 0ULL);
  CHECK(text::parse_unsigned("18446744073709551615") == 18446744073709551615ULL);
  text::ParseProblem problem{};
  CHECK_FALSE(text::parse_unsigned("18446744073709551616", &problem));
  CHECK(problem == text::ParseProblem::kOutOfRange);
  CHECK_FALSE(text::parse_unsigned("-1", &problem));
  CHECK(problem == text::ParseProblem::kNotNumber);
  CHECK_FALSE(text::parse_unsigned("1.5", &problem));
  CHECK(problem == text::ParseProblem::kTrailing);
}

TEST_CASE("traces::text::parse_rfc3339: converts to Unix seconds", "[traces]") {
  // 2024-05-01 is 19844 days after 1970-01-01: 19844 x 86400 = 1714521600.
  CHECK(text::parse_rfc3339("2024-05-01T00:00:00Z") == 1714521600.0);
  CHECK(text::parse_rfc3339("2024-05-01t00:00:00z") == 1714521600.0);
  // A leap day exists in 2024: 2024-02-29T23:59:59Z = 1709251199.
  CHECK(text::parse_rfc3339("2024-02-29T23:59:59Z") == 1709251199.0);
  // Before 1970 the count is negative: 1969-12-31 is -86400.
  CHECK(text::parse_rfc3339("1969-12-31T00:00:00Z") == -86400.0);
  // +05:30 is 5.5 h ahead of UTC: 05:30 local is midnight UTC.
  CHECK(text::parse_rfc3339("2024-05-01T05:30:00+05:30") == 1714521600.0);
  CHECK(text::parse_rfc3339("2024-05-01T00:00:00.125Z") == 1714521600.125);
  // Digits beyond nanoseconds are checked but not used (the 10th digit, 9, is dropped).
  CHECK(*text::parse_rfc3339("2024-05-01T00:00:00.1234567899Z") ==
        Approx(1714521600.123456789).epsilon(0).margin(1e-6));
  CHECK_FALSE(text::parse_rfc3339("2024-05-01T00:00:00.12345678999x9Z"));
  // A leap second is the first second of the next minute.
  CHECK(text::parse_rfc3339("2016-12-31T23:59:60Z") == text::parse_rfc3339("2017-01-01T00:00:00Z"));

  const char* why = nullptr;
  CHECK_FALSE(text::parse_rfc3339("2023-02-29T00:00:00Z", &why));
  CHECK(std::string(why) == "the date does not exist");
  CHECK_FALSE(text::parse_rfc3339("2024-05-01T24:00:00Z", &why));
  CHECK_FALSE(text::parse_rfc3339("2024-05-01T00:00:00", &why));
  CHECK_FALSE(text::parse_rfc3339("2024-05-01T00:00:00.Z", &why));
  CHECK_FALSE(text::parse_rfc3339("2024-05-01T00:00:00+0100", &why));
  CHECK_FALSE(text::parse_rfc3339("2024-05-01T00:00:00Zjunk", &why));
  CHECK_FALSE(text::parse_rfc3339("2024-5-1T00:00:00Z", &why));
}

TEST_CASE("traces::text::LineScanner: numbers lines and drops line ends", "[traces]") {
  text::LineScanner lines("a\r\n\nb");
  std::string_view line;
  std::vector<std::string> seen;
  while (lines.next(line)) seen.emplace_back(line);
  CHECK(seen == std::vector<std::string>{"a", "", "b"});
  CHECK(lines.line_number() == 3);
  CHECK(lines.last_line_unterminated());

  text::LineScanner terminated("a\n");
  REQUIRE(terminated.next(line));
  CHECK_FALSE(terminated.next(line));
  CHECK_FALSE(terminated.last_line_unterminated());
}

TEST_CASE("traces::text::Table: finds columns by name, with or without a unit", "[traces]") {
  text::Table table("Timestamp [ms];\tCPU usage [%];\tCPU usage [MHZ]\n1;\t2;\t3\n", ';', "t.csv",
                    {"cpu usage [mhz]", "Timestamp"});
  REQUIRE(table.next());
  CHECK(table.number(0) == 3.0);
  CHECK(table.number(1) == 1.0);
  CHECK(table.column_name(0) == "CPU usage [MHZ]");
  CHECK_FALSE(table.next());

  require_names(input_error_of([] { text::Table("a,b\n", ',', "t.csv", {"c"}); }), "t.csv", 1, "c",
                "no such column");
}

TEST_CASE("traces::text::FileBytes: reads a file whole and names a missing one", "[traces]") {
  TempFile file("hello\nworld", "bytes", ".txt");
  const text::FileBytes bytes(file.path());
  CHECK(bytes.view() == "hello\nworld");

  TempFile empty("", "empty", ".txt");
  CHECK(text::FileBytes(empty.path()).view().empty());

  const auto error = input_error_of([] { text::FileBytes("/nonexistent/x"); });
  CHECK(error.file() == "/nonexistent/x");
}
