#include "base/strings.h"

#include <string>
#include <string_view>

namespace strata {

std::string AsciiLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = AsciiLower(c);
  return out;
}

std::string AsciiUpper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = AsciiUpper(c);
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

bool StartsWithIgnoreCase(std::string_view text, std::string_view affix) {
  return text.size() >= affix.size() && EqualsIgnoreCase(text.substr(0, affix.size()), affix);
}

bool EndsWithIgnoreCase(std::string_view text, std::string_view affix) {
  return text.size() >= affix.size() &&
         EqualsIgnoreCase(text.substr(text.size() - affix.size()), affix);
}

std::string_view Trim(std::string_view text, std::string_view chars) {
  const std::size_t first = text.find_first_not_of(chars);
  if (first == std::string_view::npos) return {};
  const std::size_t last = text.find_last_not_of(chars);
  return text.substr(first, last - first + 1);
}

}  // namespace strata
