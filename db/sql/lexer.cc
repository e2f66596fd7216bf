#include "db/sql/lexer.h"

#include <cstring>
#include <string>
#include <utility>

namespace strata::db::sql {
namespace {

using lexer_internal::IsAsciiDigit;
using lexer_internal::IsIdentStart;
using lexer_internal::IsSpace;
using lexer_internal::kNone;

std::array<CharClass, 256> BaseClasses(const DialectTraits& t) {
  std::array<CharClass, 256> table{};
  for (int c = 0; c < 256; ++c) {
    auto b = static_cast<unsigned char>(c);
    if (IsSpace(static_cast<char>(b))) {
      table[c] = kSpace;
    } else if (IsIdentStart(b) || (!t.dollar_quotes && (IsAsciiDigit(b) || b == '$'))) {
      table[c] = kWord;
    } else if (IsAsciiDigit(b)) {
      table[c] = kDigit;
    } else {
      table[c] = kOther;
    }
  }
  table['\''] = kSingleQuote;
  table['"'] = kDoubleQuote;
  if (t.backtick_identifiers) table['`'] = kBacktick;
  if (t.bracket_identifiers) table['['] = kBracket;
  if (t.dollar_quotes) table['$'] = kDollar;
  if (!t.dollar_quotes) table['?'] = kQuestion;
  table['-'] = kDash;
  table['/'] = kSlash;
  if (t.hash_comments) table['#'] = kHash;
  if (t.client != ClientKind::kSqliteShell) table['\\'] = kBackslash;
  return table;
}

// Bytes that continue a word: PostgreSQL's ident_cont; the same set elsewhere.
std::array<bool, 256> WordBytes() {
  std::array<bool, 256> set{};
  for (int c = 0; c < 256; ++c) {
    auto b = static_cast<unsigned char>(c);
    set[c] = IsIdentStart(b) || IsAsciiDigit(b) || b == '$';
  }
  return set;
}

}  // namespace

Lexer::Lexer(std::string_view src, const DialectTraits& traits)
    : src_(src),
      n_(src.size()),
      traits_(traits),
      base_classes_(BaseClasses(traits)),
      classes_(base_classes_),
      base_word_bytes_(WordBytes()),
      word_bytes_(base_word_bytes_) {}

void Lexer::SetDelimiter(std::string delimiter) {
  delimiter_ = std::move(delimiter);
  classes_ = base_classes_;
  word_bytes_ = base_word_bytes_;
  auto first = static_cast<unsigned char>(delimiter_[0]);
  classes_[first] = kDelimiter;
  word_bytes_[first] = false;
}

bool Lexer::Unterminated(TokenKind kind, std::string message, Lexed& out) {
  out.kind = kind;
  out.end = n_;
  error_ = std::move(message);
  return false;
}

bool Lexer::LexNumber(std::size_t pos, Lexed& out) {
  // PostgreSQL numbers: digits, a fraction, an exponent. They matter to the splitter only
  // because they end before a '$' (so "1$$x$$" holds a dollar quote) and are not identifiers.
  std::size_t end = pos;
  while (end < n_ && IsAsciiDigit(src_[end])) ++end;
  if (end + 1 < n_ && src_[end] == '.' && IsAsciiDigit(src_[end + 1])) {
    ++end;
    while (end < n_ && IsAsciiDigit(src_[end])) ++end;
  }
  if (end < n_ && (src_[end] == 'e' || src_[end] == 'E')) {
    std::size_t digits = end + 1;
    if (digits < n_ && (src_[digits] == '+' || src_[digits] == '-')) ++digits;
    if (digits < n_ && IsAsciiDigit(src_[digits])) {
      end = digits;
      while (end < n_ && IsAsciiDigit(src_[end])) ++end;
    }
  }
  out.kind = TokenKind::kNumber;
  out.end = end;
  return true;
}

// A literal or quoted identifier whose opening quote is at `quote_pos` (after any prefix such
// as E or U&). Doubled quotes stand for one; with `backslash_escapes`, a backslash escapes the
// next byte.
bool Lexer::LexQuoted(std::size_t quote_pos, char quote, bool backslash_escapes, TokenKind kind,
                      Lexed& out) {
  std::size_t i = quote_pos + 1;
  std::size_t close = kNone;  // the first quote at or after i, found once per quote (linear time)
  for (;;) {
    if (close == kNone || close < i) close = i < n_ ? src_.find(quote, i) : kNone;
    if (close == kNone) {
      return Unterminated(kind,
                          kind == TokenKind::kQuotedIdentifier ? "unterminated quoted identifier"
                                                               : "unterminated quoted string",
                          out);
    }
    if (backslash_escapes) {
      const void* backslash = std::memchr(src_.data() + i, '\\', close - i);
      if (backslash != nullptr) {
        i = static_cast<std::size_t>(static_cast<const char*>(backslash) - src_.data()) + 2;
        continue;
      }
    }
    if (close + 1 < n_ && src_[close + 1] == quote) {
      i = close + 2;
      continue;
    }
    out.kind = kind;
    out.end = close + 1;
    return true;
  }
}

bool Lexer::LexBracketIdentifier(std::size_t pos, Lexed& out) {
  const std::size_t close = src_.find(']', pos + 1);
  if (close == kNone) {
    return Unterminated(TokenKind::kQuotedIdentifier, "unterminated quoted identifier", out);
  }
  out.kind = TokenKind::kQuotedIdentifier;
  out.end = close + 1;
  return true;
}

bool Lexer::LexDollar(std::size_t pos, Lexed& out) {
  // psqlscan.l: {param} \$[0-9]+, {dolqdelim} \$(tag)?\$ where a tag is an identifier without
  // '$', and a lone '$' otherwise. The body ends at the first occurrence of the same delimiter.
  std::size_t i = pos + 1;
  if (i < n_ && IsAsciiDigit(src_[i])) {
    while (i < n_ && IsAsciiDigit(src_[i])) ++i;
    out.kind = TokenKind::kPlaceholder;
    out.end = i;
    return true;
  }
  if (i < n_ && IsIdentStart(static_cast<unsigned char>(src_[i]))) {
    while (i < n_ && (IsIdentStart(static_cast<unsigned char>(src_[i])) || IsAsciiDigit(src_[i]))) {
      ++i;
    }
  }
  if (i >= n_ || src_[i] != '$') return Single(pos, out);
  const std::string_view delimiter = src_.substr(pos, i + 1 - pos);
  const std::size_t close = src_.find(delimiter, i + 1);
  if (close == kNone) {
    return Unterminated(TokenKind::kDollarString,
                        "unterminated dollar-quoted string " + std::string(delimiter), out);
  }
  out.kind = TokenKind::kDollarString;
  out.end = close + delimiter.size();
  return true;
}

bool Lexer::LexQuestion(std::size_t pos, Lexed& out) {
  // SQLite numbers its placeholders ?NNN; MariaDB has only the bare '?'.
  std::size_t end = pos + 1;
  if (traits_.client == ClientKind::kSqliteShell) {
    while (end < n_ && IsAsciiDigit(src_[end])) ++end;
  }
  out.kind = TokenKind::kPlaceholder;
  out.end = end;
  return true;
}

bool Lexer::LexDash(std::size_t pos, bool statement_start, Lexed& out) {
  bool comment = pos + 1 < n_ && src_[pos + 1] == '-';
  if (comment && traits_.dash_comment_needs_space) {
    // mariadb client: "-- " needs whitespace or the end of the line after the dashes, except at
    // the start of a statement, where any "--" begins a comment.
    comment = pos + 2 >= n_ || IsSpace(src_[pos + 2]) || statement_start;
  }
  if (comment) return LexLineComment(pos, traits_.dash_comment_ends_at_cr, out);
  return Single(pos, out);
}

bool Lexer::LexSlash(std::size_t pos, Lexed& out) {
  if (pos + 1 >= n_ || src_[pos + 1] != '*') return Single(pos, out);
  if (traits_.executable_comments) {
    // /*!..., /*M!...: the mariadb client keeps them as SQL; only the opener is a token here,
    // and what follows is lexed as usual (a delimiter inside ends the statement).
    std::size_t bang = pos + 2;
    if (bang < n_ && src_[bang] == 'M') ++bang;
    if (bang < n_ && src_[bang] == '!') {
      out.kind = TokenKind::kExecutableComment;
      out.end = bang + 1;
      return true;
    }
  }
  return LexBlockComment(pos, out);
}

bool Lexer::LexBlockComment(std::size_t pos, Lexed& out) {
  out.kind = TokenKind::kComment;
  if (!traits_.nested_block_comments) {
    const std::size_t close = src_.find("*/", pos + 2);
    if (close == kNone) return Unterminated(TokenKind::kComment, "unterminated /* comment", out);
    out.end = close + 2;
    return true;
  }
  int depth = 0;
  std::size_t i = pos + 2;
  while (i + 1 < n_) {
    if (src_[i] == '/' && src_[i + 1] == '*') {
      ++depth;
      i += 2;
    } else if (src_[i] == '*' && src_[i + 1] == '/') {
      if (depth == 0) {
        out.end = i + 2;
        return true;
      }
      --depth;
      i += 2;
    } else {
      ++i;
    }
  }
  return Unterminated(TokenKind::kComment, "unterminated /* comment", out);
}

bool Lexer::LexLineComment(std::size_t pos, bool stop_at_cr, Lexed& out) {
  std::size_t end = src_.find('\n', pos);
  if (end == kNone) end = n_;
  if (stop_at_cr) {
    const void* cr = std::memchr(src_.data() + pos, '\r', end - pos);
    if (cr != nullptr) end = static_cast<std::size_t>(static_cast<const char*>(cr) - src_.data());
  }
  out.kind = TokenKind::kComment;
  out.end = end;
  return true;
}

bool Lexer::LexBackslash(std::size_t pos, Lexed& out) {
  if (traits_.client == ClientKind::kMariaDb && pos + 1 < n_ && src_[pos + 1] == 'N') {
    out.kind = TokenKind::kPunctuation;  // \N is MariaDB's NULL
    out.end = pos + 2;
    return true;
  }
  return Single(pos, out);
}

bool Lexer::LexDelimiter(std::size_t pos, bool statement_start, Lexed& out) {
  if (src_.compare(pos, delimiter_.size(), delimiter_) != 0) {
    return LexClass(base_classes_[static_cast<unsigned char>(src_[pos])], pos, statement_start,
                    out);
  }
  out.kind = TokenKind::kDelimiter;
  out.end = pos + delimiter_.size();
  return true;
}

}  // namespace strata::db::sql
