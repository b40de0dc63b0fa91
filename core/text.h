// Small text utilities shared by error messages and the command line: edit distance and
// "did you mean" suggestions, joining, and human-readable sizes and durations.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace neuroscale {

// Levenshtein distance (insert, delete, substitute each cost 1).
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word` by edit distance, if it is close enough to be a plausible
// typo (distance <= max(2, |word| / 3)); empty otherwise. Ties go to the first candidate.
std::string nearest(std::string_view word, const std::vector<std::string>& candidates);

// " (did you mean 'x'?)" when a near candidate exists, "" otherwise.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

std::string join(const std::vector<std::string>& parts, std::string_view separator);

bool starts_with(std::string_view text, std::string_view prefix);

// "[2, 3, 4]": a tensor's or dataset's shape in messages.
std::string shape_text(const std::vector<std::int64_t>& shape);

// A CSV field (RFC 4180): quoted, with quotes doubled, when it holds a comma, quote or line
// break; as it is otherwise.
std::string csv_quote(const std::string& text);

// `rows` (the first is usually a header) as left-aligned columns two spaces apart, each line
// starting with `indent`, trailing spaces removed, newline-terminated.
std::string aligned_columns(const std::vector<std::vector<std::string>>& rows,
                            const std::string& indent = "");

// `value` with `significant` significant digits, as a stream prints it (0.25, 1e+06), or
// `non_finite` for NaN and infinities: numbers in tables, CSV files and reports.
std::string format_number(double value, int significant, std::string_view non_finite);

// 1536 -> "1.5 KiB"; 3.2e9 -> "3.0 GiB".
std::string format_bytes(double bytes);
// 59.2 -> "59.2 s"; 3725 -> "1 h 02 min".
std::string format_duration(double seconds);

}  // namespace neuroscale
