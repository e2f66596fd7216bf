// Migration versions, compared the way Flyway compares them (docs/flyway.md §1).
#ifndef STRATA_MIGRATIONS_VERSION_H_
#define STRATA_MIGRATIONS_VERSION_H_

#include <compare>
#include <string>
#include <string_view>

#include "base/result.h"

namespace strata::migrations {

// A version such as `1`, `1.10`, `2024_05_01` or `001`.
//
// Parse accepts one or more groups of ASCII digits separated by single `.` or `_`; every `_`
// becomes `.` (Flyway's normalisation: `V1_1__x.sql` is version `1.1`). ToString returns that
// normalised text unchanged otherwise, leading zeros included (`001`), because it is what
// Flyway writes into the history table's `version` column.
//
// Comparison is numeric, part by part, a missing part counting as 0: `1.10 > 1.9`, `2 > 1.999`,
// `1.0 == 1`, `001 == 1`. Equal versions may have different text.
//
// Flyway parses each part with Java's BigInteger, which would also take a sign (`V-1__x`) and
// any number of digits; strata accepts digits only, at most 255 per part (without leading
// zeros). No real migration name needs more, and the history column holds 50 characters.
class Version {
 public:
  // Fails with kInvalidArgument naming the text when it is not a version.
  static Result<Version> Parse(std::string_view text);

  // The normalised text: `_` replaced by `.`, nothing else changed.
  const std::string& ToString() const { return text_; }

  friend bool operator==(const Version& a, const Version& b) { return a.key_ == b.key_; }
  friend std::strong_ordering operator<=>(const Version& a, const Version& b) {
    return a.key_.compare(b.key_) <=> 0;
  }

 private:
  Version(std::string text, std::string key) : text_(std::move(text)), key_(std::move(key)) {}

  std::string text_;
  // The numeric value as bytes that compare like the version: each part's digits without
  // leading zeros, preceded by their count, trailing zero parts dropped. A longer number has a
  // greater count byte, equal counts compare digit by digit, and a version that is a prefix of
  // another has fewer non-zero parts, so it is smaller. Short versions fit std::string's inline
  // buffer: copying and comparing them allocates nothing.
  std::string key_;
};

}  // namespace strata::migrations

#endif  // STRATA_MIGRATIONS_VERSION_H_
