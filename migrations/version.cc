#include "migrations/version.h"

#include <fmt/format.h>

#include <algorithm>

namespace strata::migrations {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

constexpr std::size_t kMaxDigitsPerPart = 255;  // the count must fit in one byte

std::string_view WithoutLeadingZeros(std::string_view digits) {
  const auto first = digits.find_first_not_of('0');
  return first == std::string_view::npos ? std::string_view() : digits.substr(first);
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

  std::string key;
  std::size_t key_without_trailing_zeros = 0;
  std::string_view rest = normalized;
  while (true) {
    const auto dot = rest.find('.');
    const std::string_view part = rest.substr(0, dot);
    if (part.empty() || !std::all_of(part.begin(), part.end(), IsDigit)) return NotAVersion(text);
    const std::string_view digits = WithoutLeadingZeros(part);
    if (digits.size() > kMaxDigitsPerPart) {
      return Err(ErrorCode::kInvalidArgument,
                 fmt::format("'{}' is not a version: a part has more than {} digits", text,
                             kMaxDigitsPerPart));
    }
    key += static_cast<char>(digits.size());
    key += digits;
    // Flyway drops trailing zero parts (never the first), which makes `1.0` equal to `1`.
    if (!digits.empty() || key_without_trailing_zeros == 0) key_without_trailing_zeros = key.size();
    if (dot == std::string_view::npos) break;
    rest.remove_prefix(dot + 1);
  }
  key.resize(key_without_trailing_zeros);
  return Version(std::move(normalized), std::move(key));
}

}  // namespace strata::migrations
