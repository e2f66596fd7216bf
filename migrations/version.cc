#include "migrations/version.h"

#include <fmt/format.h>

#include <algorithm>

namespace strata::migrations {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string WithoutLeadingZeros(std::string_view digits) {
  const auto first = digits.find_first_not_of('0');
  return first == std::string_view::npos ? std::string() : std::string(digits.substr(first));
}

Error NotAVersion(std::string_view text) {
  return Err(ErrorCode::kInvalidArgument,
             fmt::format("'{}' is not a version: use digits separated by dots or underscores, "
                         "e.g. 1, 1.2 or 2024_05_01",
                         text));
}

}  // namespace

Result<Version> Version::Parse(std::string_view text) {
  std::string normalized(text);
  std::replace(normalized.begin(), normalized.end(), '_', '.');

  std::vector<std::string> parts;
  std::string_view rest = normalized;
  while (true) {
    const auto dot = rest.find('.');
    const std::string_view part = rest.substr(0, dot);
    if (part.empty() || !std::all_of(part.begin(), part.end(), IsDigit)) {
      return NotAVersion(text);
    }
    parts.push_back(WithoutLeadingZeros(part));
    if (dot == std::string_view::npos) break;
    rest.remove_prefix(dot + 1);
  }
  // Flyway drops trailing zero parts (never the first), which makes `1.0` equal to `1`.
  while (parts.size() > 1 && parts.back().empty()) parts.pop_back();
  return Version(std::move(normalized), std::move(parts));
}

std::strong_ordering operator<=>(const Version& a, const Version& b) {
  static const std::string kZero;
  const std::size_t n = std::max(a.parts_.size(), b.parts_.size());
  for (std::size_t i = 0; i < n; ++i) {
    const std::string& x = i < a.parts_.size() ? a.parts_[i] : kZero;
    const std::string& y = i < b.parts_.size() ? b.parts_[i] : kZero;
    // Without leading zeros, a longer digit string is a larger number.
    if (x.size() != y.size()) return x.size() <=> y.size();
    if (const int c = x.compare(y); c != 0) return c <=> 0;
  }
  return std::strong_ordering::equal;
}

}  // namespace strata::migrations
