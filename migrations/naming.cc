#include "migrations/naming.h"

#include <algorithm>
#include <cctype>
#include <variant>
#include <vector>

#include "base/strings.h"
#include "migrations/callbacks.h"
#include "migrations/resolver.h"

namespace strata::migrations {
namespace {

bool IsUsable(const std::string& name) {
  const FileName parsed = ClassifyFileName(name);
  return std::holds_alternative<MigrationFileName>(parsed) ||
         std::holds_alternative<CallbackFileName>(parsed);
}

std::size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// `name` with its callback event (the text before "__" or the suffix) replaced by the closest
// event strata runs, when one is at most two edits away.
std::optional<std::string> NearestCallback(std::string_view name) {
  const std::size_t dot = name.rfind('.');
  if (dot == std::string_view::npos) return std::nullopt;
  const std::size_t end = std::min(name.find("__"), dot);
  const std::string_view event = name.substr(0, end);
  constexpr std::size_t kMaxEdits = 2;
  std::optional<std::string_view> best;
  std::size_t best_distance = kMaxEdits + 1;
  for (const std::string_view candidate : kSupportedCallbackEvents) {
    const std::size_t d = EditDistance(AsciiLower(event), AsciiLower(candidate));
    if (d < best_distance) {
      best = candidate;
      best_distance = d;
    }
  }
  if (!best) return std::nullopt;
  return std::string(*best) + std::string(name.substr(end));
}

}  // namespace

std::optional<std::string> NearestValidName(std::string_view name) {
  const std::string text(name);
  if (text.empty() || IsUsable(text)) return std::nullopt;
  std::vector<std::string> candidates;
  const char first = text.front();
  if (std::string_view("vrub").find(first) != std::string_view::npos) {
    candidates.push_back(static_cast<char>(std::toupper(first)) + text.substr(1));
  }
  if (std::isdigit(static_cast<unsigned char>(first)) != 0) candidates.push_back("V" + text);
  // A single "_" where the separator "__" belongs: the first one after the version.
  const std::size_t underscore = text.find('_');
  if (underscore != std::string::npos && text.compare(underscore, 2, "__") != 0) {
    std::string doubled = text;
    doubled.insert(underscore, "_");
    candidates.push_back(doubled);
  }
  if (std::optional<std::string> callback = NearestCallback(text)) candidates.push_back(*callback);
  for (const std::string& candidate : candidates) {
    if (IsUsable(candidate)) return candidate;
  }
  return std::nullopt;
}

}  // namespace strata::migrations
