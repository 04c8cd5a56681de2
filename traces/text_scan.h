// Small building blocks for the delimited-text readers: whole-file bytes, line iteration,
// field splitting, and strict number and time parsing.
//
// Nothing here allocates per line or per value: a file is memory-mapped (or read once when it
// cannot be mapped), lines and fields are string_views into it, and numbers are parsed with
// std::from_chars. The parsers answer "no value" through std::optional and leave it to the
// reader to raise an InputError that names the file, line and field, since only the reader
// knows them. All functions are pure and safe to call from several threads; a FileBytes is
// owned by one reader at a time.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace podsizer::traces::text {

// The bytes of a whole file, read-only. Regular files are memory-mapped; anything else (a pipe,
// a device) is read into memory. Throws InputError naming the path (line 0) when the file
// cannot be opened or read.
class FileBytes {
 public:
  explicit FileBytes(const std::string& path);
  ~FileBytes();
  FileBytes(const FileBytes&) = delete;
  FileBytes& operator=(const FileBytes&) = delete;

  std::string_view view() const { return {data_, size_}; }

 private:
  const char* data_ = nullptr;
  std::size_t size_ = 0;
  void* mapping_ = nullptr;  // non-null when data_ points into an mmap'ed region
  std::string buffer_;       // holds the bytes when the file was read instead
};

// Walks the lines of a text one at a time. A line ends at '\n'; a '\r' before it is dropped,
// so files written on Windows read the same. The last line may lack its '\n'. A UTF-8 byte
// order mark at the very start is skipped.
class LineScanner {
 public:
  explicit LineScanner(std::string_view text);

  // Sets `line` to the next line (without its end) and returns true, or returns false at the
  // end of the text.
  bool next(std::string_view& line);

  // The 1-based number of the line last returned by next(); 0 before the first call.
  std::size_t line_number() const { return line_number_; }

  // Whether the line last returned was the last one and had no '\n' after it.
  bool last_line_unterminated() const { return unterminated_; }

  // How far into the text the scanner is, in bytes (for progress and size estimates).
  std::size_t offset() const { return pos_; }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t line_number_ = 0;
  bool unterminated_ = false;
};

// Returns the field of `line` starting at `*pos` up to the next `delimiter` (or the end), and
// moves `*pos` past the delimiter. When no delimiter is left `*pos` becomes npos; callers loop
// while `*pos != npos`. Inline, and a plain loop rather than memchr, because fields are short
// and this runs for every field of every row.
inline std::string_view next_field(std::string_view line, char delimiter, std::size_t* pos) {
  const std::size_t start = *pos;
  std::size_t at = start;
  while (at < line.size() && line[at] != delimiter) ++at;
  *pos = at < line.size() ? at + 1 : std::string_view::npos;
  return line.substr(start, at - start);
}

// `text` without spaces and tabs at either end.
inline std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// `text` trimmed and, when wrapped in double quotes, without them (a CSV header written by a
// spreadsheet or a database export often quotes its names).
inline std::string_view unquote(std::string_view text) {
  text = trim(text);
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
    text = trim(text.substr(1, text.size() - 2));
  }
  return text;
}

// Whether `a` equals `b` ignoring ASCII case.
bool equals_ignore_case(std::string_view a, std::string_view b);

// What went wrong when a number or a time could not be read.
enum class ParseProblem { kNone, kEmpty, kNotNumber, kNotFinite, kOutOfRange, kTrailing };

// A short phrase for `problem` that reads after "is", such as "not a number".
const char* describe(ParseProblem problem);

// Parses a whole field as a finite decimal number ("12", "-3.5", "+1e3", "1.6E7"). Refuses an
// empty field, NaN, infinities, hexadecimal and anything left after the number; on refusal
// returns nullopt and sets `*problem` when given.
std::optional<double> parse_double(std::string_view text, ParseProblem* problem = nullptr);

// Parses a whole field as a non-negative integer without sign or point.
std::optional<unsigned long long> parse_unsigned(std::string_view text,
                                                 ParseProblem* problem = nullptr);

// Parses an RFC 3339 time ("2024-05-01T12:30:00Z", "2024-05-01 12:30:00.250+02:00") into Unix
// seconds. Accepts 'T', 't' or a space between date and time, any number of fraction digits,
// and 'Z', 'z' or a +hh:mm / -hh:mm offset, which is mandatory. Checks that the date exists
// (30 February is refused). A leap second (:60) counts as the first second of the next minute.
// On refusal returns nullopt and sets `*why` to a phrase saying what was expected.
std::optional<double> parse_rfc3339(std::string_view text, const char** why = nullptr);

// Whether `text` has the shape of an RFC 3339 date (four digits and a '-' at position 4),
// which tells it apart from Unix seconds without parsing either.
inline bool looks_like_rfc3339(std::string_view text) {
  return text.size() >= 10 && text[4] == '-';
}

// A delimited table whose first non-blank line names its columns, read row by row. The caller
// names the columns it wants; the others are skipped. A wanted name matches a header name
// ignoring ASCII case, spaces and quotes around it, and also matches a header name that adds a
// unit in brackets ("Timestamp" matches "Timestamp [ms]"), though an exact match wins.
// Every data line must have as many fields as the header; blank lines are skipped. Errors are
// InputErrors naming the file, the line and the column.
class Table {
 public:
  // Reads the header. Throws when the text is empty or a wanted column is missing.
  Table(std::string_view content, char delimiter, std::string file,
        std::vector<std::string_view> wanted);

  // Moves to the next data line and splits it; false at the end of the text. Throws when the
  // line has the wrong number of fields.
  bool next();

  // The field of the k-th wanted column on the current line, trimmed and unquoted.
  std::string_view field(std::size_t k) const { return fields_[k]; }

  // The field of the k-th wanted column as a finite number; throws naming it when it is not.
  double number(std::size_t k) const;

  // As number(), and also refuses a negative value.
  double non_negative(std::size_t k) const;

  // Throws an InputError about the k-th wanted column on the current line.
  [[noreturn]] void refuse(std::size_t k, const std::string& problem) const;

  // The k-th wanted column's name as the header writes it.
  const std::string& column_name(std::size_t k) const { return names_[k]; }

  const std::string& file() const { return file_; }
  std::size_t line_number() const { return lines_.line_number(); }
  bool last_line_unterminated() const { return lines_.last_line_unterminated(); }
  std::size_t bytes_left() const;

 private:
  LineScanner lines_;
  std::string_view content_;
  char delimiter_;
  std::string file_;
  std::size_t field_count_ = 0;
  std::vector<std::size_t> wanted_at_;    // header index of each wanted column
  std::vector<std::string> names_;        // each wanted column's name as written
  std::vector<std::size_t> slot_of_;      // per header index: wanted slot, or npos
  std::vector<std::string_view> fields_;  // current line, per wanted column
  std::vector<std::string> header_;       // every header name, for messages
};

}  // namespace podsizer::traces::text
