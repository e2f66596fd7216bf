// Migration versions, compared the way Flyway compares them (reference/flyway.md §1).
#ifndef STRATA_MIGRATIONS_VERSION_H_
#define STRATA_MIGRATIONS_VERSION_H_

#include <compare>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace strata::migrations {

// A version such as `1`, `1.10`, `2024_05_01` or `001`.
//
// Parse accepts one or more groups of ASCII digits separated by single `.` or `_`; every `_`
// becomes `.` (Flyway's normalisation: `V1_1__x.sql` is version `1.1`). ToString returns that
// normalised text unchanged otherwise, leading zeros included (`001`), because it is what
// Flyway writes into the history table's `version` column.
//
// Comparison is numeric, part by part, a missing part counting as 0 and with no size limit:
// `1.10 > 1.9`, `2 > 1.999`, `1.0 == 1`, `001 == 1`. Equal versions may have different text.
//
// Flyway parses each part with Java's BigInteger, which would also take a sign (`V-1__x`); strata
// accepts digits only — no real migration name relies on a sign.
class Version {
 public:
  // Fails with kInvalidArgument naming the text when it is not a version.
  static Result<Version> Parse(std::string_view text);

  // The normalised text: `_` replaced by `.`, nothing else changed.
  const std::string& ToString() const { return text_; }

  friend bool operator==(const Version& a, const Version& b) { return a.parts_ == b.parts_; }
  friend std::strong_ordering operator<=>(const Version& a, const Version& b);

 private:
  Version(std::string text, std::vector<std::string> parts)
      : text_(std::move(text)), parts_(std::move(parts)) {}

  std::string text_;
  // Each part's digits without leading zeros ("0" becomes ""), trailing zero parts dropped, so
  // that equal versions have equal parts and parts compare by (length, then bytes).
  std::vector<std::string> parts_;
};

}  // namespace strata::migrations

#endif  // STRATA_MIGRATIONS_VERSION_H_
