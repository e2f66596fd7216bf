// SQL text as tokens, lexed exactly as Split() lexes it (the same lexer, see lexer.h), for code
// that needs to find something in SQL outside strings, quoted identifiers and comments:
// keywords, placeholders, a statement's first word, a normalised text.
//
// Per dialect (the quoting and comment rules are listed in splitter.h):
//   kWhitespace         a run of spaces, tabs, newlines, '\r', '\f', '\v'
//   kComment            `-- ...` (MariaDB: `-- ` with whitespace after it, except before the
//                       first other token), `# ...` (MariaDB), `/* ... */` (nested in
//                       PostgreSQL); a line comment ends before its newline
//   kWord               a keyword or unquoted identifier; in MariaDB and SQLite also what starts
//                       with a digit or '$' ("1", "1e5", "$x"), since those are word bytes there
//   kQuotedIdentifier   "..." (not MariaDB), U&"...", `...` (MariaDB, SQLite), [...] (SQLite),
//                       quotes and prefix included
//   kString             '...', E'...', B'...', X'...', N'...', U&'...' (PostgreSQL), "..."
//                       (MariaDB), quotes and prefix included
//   kDollarString       PostgreSQL $$...$$ and $tag$...$tag$
//   kNumber             PostgreSQL numbers: 1, 1.5, 1e-3
//   kPlaceholder        PostgreSQL $1; MariaDB ?; SQLite ? and ?NNN
//   kExecutableComment  MariaDB's `/*!` or `/*M!` opener (with any version digits after it
//                       left to the next token): its text is SQL to the server, so what follows
//                       is lexed as usual, and its closing `*/` comes as the punctuation `*`, `/`
//   kPunctuation        any other byte, one per token (operators, `(`, `)`, `;`, `,`, `\`);
//                       MariaDB's `\N` (NULL) is one token
// Client commands (psql's `\x`, DELIMITER lines, the sqlite3 shell's `.read`) are not
// interpreted: Split() handles those.
#ifndef STRATA_DB_SQL_TOKENIZER_H_
#define STRATA_DB_SQL_TOKENIZER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "db/dialect.h"
#include "db/sql/source_position.h"

namespace strata::db::sql {

enum class TokenKind : uint8_t {
  kWhitespace,
  kComment,
  kWord,
  kQuotedIdentifier,
  kString,
  kDollarString,
  kNumber,
  kPlaceholder,
  kExecutableComment,
  kPunctuation,
  // Internal to Split(): MariaDB's current statement delimiter. Tokenizer never returns it.
  kDelimiter,
};

struct Token {
  TokenKind kind = TokenKind::kPunctuation;
  std::string_view text;   // a view into the tokenized text
  std::size_t offset = 0;  // of the first byte in the tokenized text
  int line = 0;            // 1-based, counted by '\n'
  int column = 0;          // 1-based, in characters (see splitter.h)

  // Whitespace and comments: what separates the tokens that mean something.
  bool IsTrivia() const { return kind == TokenKind::kWhitespace || kind == TokenKind::kComment; }
  // Whether this is a word equal to `keyword`, ignoring ASCII case.
  bool IsWord(std::string_view keyword) const;
  // Whether this is the punctuation `c`.
  bool IsPunctuation(char c) const {
    return kind == TokenKind::kPunctuation && text.size() == 1 && text[0] == c;
  }
};

class Lexer;

// Reads the tokens of `text` one at a time. Never fails: an unterminated string, quoted
// identifier, comment or dollar quote is one token that runs to the end of the text, and
// error() then describes it. Keeps views into `text`, which must outlive the tokenizer and
// its tokens.
class Tokenizer {
 public:
  Tokenizer(std::string_view text, Dialect dialect);
  ~Tokenizer();
  Tokenizer(const Tokenizer&) = delete;
  Tokenizer& operator=(const Tokenizer&) = delete;

  // The next token; nullopt at the end of the text.
  std::optional<Token> Next();
  // The next token that is not whitespace or a comment; nullopt at the end of the text.
  std::optional<Token> NextSignificant();

  // The first unterminated token's problem, "unterminated quoted string" etc.; empty if none.
  const std::string& error() const { return error_; }
  std::size_t error_offset() const { return error_offset_; }

 private:
  std::string_view text_;
  std::unique_ptr<Lexer> lexer_;
  std::size_t pos_ = 0;
  bool seen_significant_ = false;
  PositionTracker tracker_;  // lines and columns, counted as the tokens come in order
  std::string error_;
  std::size_t error_offset_ = 0;
};

// Every token of `text`, whitespace and comments included, in order. Fails with
// kInvalidArgument on an unterminated string, quoted identifier, comment or dollar quote, in
// Split()'s message format ("<input>:line:col: message" plus the source line and a caret).
Result<std::vector<Token>> Tokenize(std::string_view text, Dialect dialect);

// The tokens of `text` that are not whitespace or comments, leniently (as Tokenizer).
std::vector<Token> SignificantTokens(std::string_view text, Dialect dialect);

}  // namespace strata::db::sql

#endif  // STRATA_DB_SQL_TOKENIZER_H_
