#include "base/duration.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <cstdint>

namespace strata {
namespace {

Error BadDuration(std::string_view text) {
  return Err(ErrorCode::kInvalidArgument,
             fmt::format("'{}' is not a duration: write e.g. 500ms, 30s, 10m, 1h or 1m30s", text));
}

// Milliseconds per unit, or 0 for an unknown unit.
constexpr std::int64_t kSecond = 1000;
constexpr std::int64_t kMinute = 60 * kSecond;
constexpr std::int64_t kHour = 60 * kMinute;

std::int64_t UnitMillis(std::string_view unit) {
  if (unit == "ms") return 1;
  if (unit == "s" || unit.empty()) return kSecond;
  if (unit == "m" || unit == "min") return kMinute;
  if (unit == "h") return kHour;
  return 0;
}

}  // namespace

Result<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  if (text.empty()) return BadDuration(text);
  std::string_view rest = text;
  std::int64_t total = 0;
  while (!rest.empty()) {
    std::int64_t number = 0;
    auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), number);
    if (ec != std::errc() || number < 0) return BadDuration(text);
    rest.remove_prefix(static_cast<std::size_t>(ptr - rest.data()));
    std::size_t unit_len = 0;
    while (unit_len < rest.size() && std::isalpha(static_cast<unsigned char>(rest[unit_len]))) {
      ++unit_len;
    }
    const std::int64_t per_unit = UnitMillis(rest.substr(0, unit_len));
    if (per_unit == 0) return BadDuration(text);
    // A bare number is only allowed alone ("30"), not inside "1m30".
    if (unit_len == 0 && total != 0) return BadDuration(text);
    total += number * per_unit;
    rest.remove_prefix(unit_len);
  }
  return std::chrono::milliseconds(total);
}

std::string FormatDuration(std::chrono::milliseconds d) {
  const std::int64_t ms = d.count();
  if (ms < 1000) return fmt::format("{}ms", ms);
  if (ms < kMinute) return fmt::format("{:.1f}s", static_cast<double>(ms) / 1000.0);
  const std::int64_t s = ms / 1000;
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
}

}  // namespace strata
