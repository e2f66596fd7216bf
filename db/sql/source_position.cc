#include "db/sql/source_position.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>

namespace strata::db::sql {
namespace {

constexpr size_t kMaxShownChars = 100;  // source line shown in errors, in characters
constexpr size_t kCharsBeforeCaret = 60;

bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Counting runs over every byte of a script, so it works on 8 bytes at a time (SWAR).
constexpr uint64_t kOnes = 0x0101010101010101;
constexpr uint64_t kHighBits = 0x8080808080808080;
constexpr uint64_t kLow7Bits = 0x7F7F7F7F7F7F7F7F;

uint64_t Load8(const char* p) {
  uint64_t word = 0;
  std::memcpy(&word, p, sizeof word);
  return word;
}

// The number of bytes whose high bit is set in `mask` (only high bits may be set).
uint64_t CountHighBits(uint64_t mask) { return ((mask >> 7) * kOnes) >> 56; }

int CountChars(std::string_view bytes) {
  uint64_t continuation = 0;
  size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    uint64_t word = Load8(bytes.data() + i);
    continuation += CountHighBits(word & ~(word << 1) & kHighBits);  // 10xxxxxx
  }
  for (; i < bytes.size(); ++i) continuation += IsContinuationByte(bytes[i]) ? 1 : 0;
  return static_cast<int>(bytes.size() - continuation);
}

int CountNewlines(std::string_view bytes) {
  uint64_t newlines = 0;
  size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    uint64_t x = Load8(bytes.data() + i) ^ (kOnes * '\n');
    // Exact zero-byte detection (no carries between bytes): high bit set where x's byte is 0.
    newlines += CountHighBits(~(((x & kLow7Bits) + kLow7Bits) | x | kLow7Bits));
  }
  for (; i < bytes.size(); ++i) newlines += bytes[i] == '\n' ? 1 : 0;
  return static_cast<int>(newlines);
}

// Offset of the first byte of the character that is `chars` characters after `from`.
size_t AdvanceChars(std::string_view line, size_t from, size_t chars) {
  size_t i = from;
  while (i < line.size() && chars > 0) {
    ++i;
    while (i < line.size() && IsContinuationByte(line[i])) ++i;
    --chars;
  }
  return i;
}

// The caret line's indentation: one space per character before the caret, but tabs kept, so
// the caret lines up under the token in a terminal.
std::string CaretPadding(std::string_view before_caret) {
  std::string padding;
  for (char c : before_caret) {
    if (c == '\t') {
      padding += '\t';
    } else if (!IsContinuationByte(c)) {
      padding += ' ';
    }
  }
  return padding;
}

}  // namespace

SourcePosition PositionTracker::Locate(size_t offset) {
  std::string_view moved = text_.substr(offset_, offset - offset_);
  size_t last_newline = moved.rfind('\n');
  if (last_newline == std::string_view::npos) {
    position_.column += CountChars(moved);
  } else {
    position_.line += CountNewlines(moved);
    position_.column = 1 + CountChars(moved.substr(last_newline + 1));
  }
  offset_ = offset;
  return position_;
}

SourcePosition LocateFromStart(std::string_view text, size_t offset) {
  return PositionTracker(text).Locate(offset);
}

std::string FormatSourceError(std::string_view file_name, std::string_view text, size_t offset,
                              std::string_view message) {
  SourcePosition pos = LocateFromStart(text, offset);
  size_t newline_before = offset == 0 ? std::string_view::npos : text.rfind('\n', offset - 1);
  size_t line_start = newline_before == std::string_view::npos ? 0 : newline_before + 1;
  size_t line_end = text.find('\n', offset);
  if (line_end == std::string_view::npos) line_end = text.size();
  if (line_end > line_start && text[line_end - 1] == '\r') --line_end;
  std::string_view line = text.substr(line_start, line_end - line_start);
  size_t caret = std::min(offset - line_start, line.size());

  // Window of at most kMaxShownChars characters around the caret.
  size_t chars_before = static_cast<size_t>(CountChars(line.substr(0, caret)));
  size_t shown_from = 0;
  if (chars_before > kCharsBeforeCaret) {
    shown_from = AdvanceChars(line, 0, chars_before - kCharsBeforeCaret);
  }
  size_t shown_to = AdvanceChars(line, shown_from, kMaxShownChars);
  std::string prefix = shown_from > 0 ? "..." : "";
  std::string suffix = shown_to < line.size() ? "..." : "";

  std::string out(file_name);
  out += ':' + std::to_string(pos.line) + ':' + std::to_string(pos.column) + ": ";
  out += message;
  out += "\n  " + prefix;
  out += line.substr(shown_from, shown_to - shown_from);
  out += suffix + "\n  " + std::string(prefix.size(), ' ');
  out += CaretPadding(line.substr(shown_from, caret - shown_from));
  out += '^';
  return out;
}

}  // namespace strata::db::sql
