// The one SQL lexer behind Split() (splitter.cc) and Tokenizer (tokenizer.cc): finds where the
// token at a given offset ends and what kind it is, under one dialect's DialectTraits. It keeps
// no position of its own, so its driver can skip text it reads itself (COPY data, client
// command lines). Internal to db/sql.
//
// Lex(), its dispatch and the common tokens (words, whitespace, one-byte punctuation) are
// defined here, the rarer ones in lexer.cc. Measured with callgrind on bench/splitter_bench.cc,
// this split costs the splitter the fewest instructions: the whole lexer inline (forced or
// not) or all of it out of line in lexer.cc each cost 3-12% more.
#ifndef STRATA_DB_SQL_LEXER_H_
#define STRATA_DB_SQL_LEXER_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "db/sql/dialect_traits.h"
#include "db/sql/tokenizer.h"

namespace strata::db::sql {

// What a byte can start. One table per dialect (and per MariaDB delimiter) keeps the hot loop
// to a load and a switch.
enum CharClass : uint8_t {
  kOther,        // a one-byte token: operators, punctuation, `;` where it is not a delimiter
  kSpace,        // whitespace, including newlines
  kWord,         // starts an identifier or keyword
  kDigit,        // starts a number (PostgreSQL; elsewhere digits are word bytes)
  kSingleQuote,  // '...'
  kDoubleQuote,  // "..."
  kBacktick,     // `...`
  kBracket,      // [...] (SQLite)
  kDollar,       // $1, $$...$$, $tag$...$tag$ (PostgreSQL)
  kQuestion,     // ? placeholders (MariaDB, SQLite)
  kDash,         // - or a -- comment
  kSlash,        // / or a /* comment */
  kHash,         // # comment (MariaDB)
  kBackslash,    // a client command (psql, mariadb) or MariaDB's \N
  kDelimiter,    // MariaDB: first byte of the current delimiter
};

namespace lexer_internal {

constexpr std::size_t kNone = std::string_view::npos;

inline bool IsAsciiLetter(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
inline bool IsAsciiDigit(unsigned char c) { return c >= '0' && c <= '9'; }
inline bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\n' || c == '\v';
}
// PostgreSQL's ident_start / dolq_start: letters, '_' and every byte >= 0x80.
inline bool IsIdentStart(unsigned char c) { return IsAsciiLetter(c) || c == '_' || c >= 0x80; }

}  // namespace lexer_internal

// A lexed token: its kind and the offset just past it (it starts where Lex() was asked).
struct Lexed {
  TokenKind kind = TokenKind::kPunctuation;
  std::size_t end = 0;
};

class Lexer {
 public:
  Lexer(std::string_view src, const DialectTraits& traits);

  // Lexes the token that starts at `pos` (REQUIRES: pos < size). `statement_start`: no token of
  // the current statement came before (MariaDB's client takes any `--` as a comment there).
  // Returns false for an unterminated string, quoted identifier, comment or dollar quote: the
  // token then runs to the end and error() says what was unterminated.
  bool Lex(std::size_t pos, bool statement_start, Lexed& out);

  // Whether the byte at `pos` is whitespace (and not the start of the delimiter), and the end
  // of the whitespace run from there.
  bool IsSpaceAt(std::size_t pos) const { return ClassAt(pos) == kSpace; }
  std::size_t SkipSpace(std::size_t pos) const {
    while (pos < n_ && ClassAt(pos) == kSpace) ++pos;
    return pos;
  }

  // MariaDB: from now on `delimiter` (non-empty) is lexed as a kDelimiter token wherever it
  // appears outside quotes and comments, even inside a word, as the mariadb client compares it
  // at every byte. No delimiter is set at first: `;` is punctuation.
  void SetDelimiter(std::string delimiter);
  const std::string& delimiter() const { return delimiter_; }

  const std::string& error() const { return error_; }

 private:
  CharClass ClassAt(std::size_t pos) const {
    return classes_[static_cast<unsigned char>(src_[pos])];
  }
  bool LexClass(CharClass cls, std::size_t pos, bool statement_start, Lexed& out);
  std::size_t WordEnd(std::size_t pos) const {
    std::size_t end = pos + 1;
    while (end < n_ && word_bytes_[static_cast<unsigned char>(src_[end])]) ++end;
    return end;
  }
  bool LexWord(std::size_t pos, Lexed& out);
  bool LexNumber(std::size_t pos, Lexed& out);
  bool LexQuoted(std::size_t quote_pos, char quote, bool backslash_escapes, TokenKind kind,
                 Lexed& out);
  bool LexBracketIdentifier(std::size_t pos, Lexed& out);
  bool LexDollar(std::size_t pos, Lexed& out);
  bool LexQuestion(std::size_t pos, Lexed& out);
  bool LexDash(std::size_t pos, bool statement_start, Lexed& out);
  bool LexSlash(std::size_t pos, Lexed& out);
  bool LexBlockComment(std::size_t pos, Lexed& out);
  bool LexLineComment(std::size_t pos, bool stop_at_cr, Lexed& out);
  bool LexBackslash(std::size_t pos, Lexed& out);
  bool LexDelimiter(std::size_t pos, bool statement_start, Lexed& out);
  bool Unterminated(TokenKind kind, std::string message, Lexed& out);

  static bool Single(std::size_t pos, Lexed& out) {
    out.kind = TokenKind::kPunctuation;
    out.end = pos + 1;
    return true;
  }

  using ClassTable = std::array<CharClass, 256>;
  using ByteSet = std::array<bool, 256>;

  std::string_view src_;
  std::size_t n_;
  const DialectTraits& traits_;
  ClassTable base_classes_;
  ClassTable classes_;
  ByteSet base_word_bytes_;
  ByteSet word_bytes_;
  std::string delimiter_;
  std::string error_;
};

inline bool Lexer::Lex(std::size_t pos, bool statement_start, Lexed& out) {
  return LexClass(ClassAt(pos), pos, statement_start, out);
}

inline bool Lexer::LexClass(CharClass cls, std::size_t pos, bool statement_start, Lexed& out) {
  switch (cls) {
    case kOther:
      return Single(pos, out);
    case kSpace:
      out.kind = TokenKind::kWhitespace;
      out.end = SkipSpace(pos + 1);
      return true;
    case kWord:
      return LexWord(pos, out);
    case kDigit:
      return LexNumber(pos, out);
    case kSingleQuote:
      return LexQuoted(pos, '\'', traits_.backslash_escapes, TokenKind::kString, out);
    case kDoubleQuote:
      return traits_.double_quote_is_string
                 ? LexQuoted(pos, '"', traits_.backslash_escapes, TokenKind::kString, out)
                 : LexQuoted(pos, '"', false, TokenKind::kQuotedIdentifier, out);
    case kBacktick:
      return LexQuoted(pos, '`', false, TokenKind::kQuotedIdentifier, out);
    case kBracket:
      return LexBracketIdentifier(pos, out);
    case kDollar:
      return LexDollar(pos, out);
    case kQuestion:
      return LexQuestion(pos, out);
    case kDash:
      return LexDash(pos, statement_start, out);
    case kSlash:
      return LexSlash(pos, out);
    case kHash:
      return LexLineComment(pos, false, out);
    case kBackslash:
      return LexBackslash(pos, out);
    case kDelimiter:
      return LexDelimiter(pos, statement_start, out);
  }
  return Single(pos, out);
}

inline bool Lexer::LexWord(std::size_t pos, Lexed& out) {
  const std::size_t end = WordEnd(pos);
  if (traits_.escape_string_prefix && end == pos + 1 && end < n_) {
    // PostgreSQL's one-letter string prefixes: E'..' (escapes), B'..', X'..', N'..', and
    // U&'..' / U&".." (Unicode escapes, otherwise standard quoting).
    const char letter = static_cast<char>(src_[pos] | 0x20);
    const char next = src_[end];
    if (next == '\'' && (letter == 'e' || letter == 'b' || letter == 'x' || letter == 'n')) {
      return LexQuoted(end, '\'', letter == 'e', TokenKind::kString, out);
    }
    if (letter == 'u' && next == '&' && end + 1 < n_ &&
        (src_[end + 1] == '\'' || src_[end + 1] == '"')) {
      const char quote = src_[end + 1];
      return LexQuoted(end + 1, quote, false,
                       quote == '"' ? TokenKind::kQuotedIdentifier : TokenKind::kString, out);
    }
  }
  out.kind = TokenKind::kWord;
  out.end = end;
  return true;
}

}  // namespace strata::db::sql

#endif  // STRATA_DB_SQL_LEXER_H_
