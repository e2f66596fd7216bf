// Small ASCII string helpers shared across strata: case folding, case-insensitive comparison
// and trimming. Only ASCII letters change case; every other byte (UTF-8 included) is left as
// is, so the results never depend on the C locale.
#ifndef STRATA_BASE_STRINGS_H_
#define STRATA_BASE_STRINGS_H_

#include <string>
#include <string_view>

namespace strata {

// The ASCII whitespace bytes that std::isspace accepts in the C locale.
inline constexpr std::string_view kAsciiWhitespace = " \t\n\v\f\r";

constexpr char AsciiLower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}
constexpr char AsciiUpper(char c) {
  return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
}

// `text` with ASCII letters lower-cased (upper-cased).
std::string AsciiLower(std::string_view text);
std::string AsciiUpper(std::string_view text);

// Whether `a` equals `b` ignoring the case of ASCII letters.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
// Whether `text` starts (ends) with `affix`, ignoring the case of ASCII letters.
bool StartsWithIgnoreCase(std::string_view text, std::string_view affix);
bool EndsWithIgnoreCase(std::string_view text, std::string_view affix);

// `text` without the bytes in `chars` at either end (by default ASCII whitespace).
std::string_view Trim(std::string_view text, std::string_view chars = kAsciiWhitespace);

}  // namespace strata

#endif  // STRATA_BASE_STRINGS_H_
