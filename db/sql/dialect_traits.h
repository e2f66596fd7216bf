// What the one SQL lexer (lexer.h, behind Split() and Tokenizer) needs to know about each
// dialect: a plain struct of switches plus two small functions, one instance per dialect. See
// splitter.h for the client behaviour each instance reproduces.
#ifndef STRATA_DB_SQL_DIALECT_TRAITS_H_
#define STRATA_DB_SQL_DIALECT_TRAITS_H_

#include <array>
#include <string_view>

#include "base/strings.h"
#include "db/dialect.h"
#include "db/sql/splitter.h"

namespace strata::db::sql {

// True when `word` equals `keyword` ignoring ASCII case. `keyword` is lower case, so only
// `word` is folded: EqualsIgnoreCase (base/strings.h) with half the work, on the splitter's
// hot path.
inline bool IsKeyword(std::string_view word, std::string_view keyword) {
  if (word.size() != keyword.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    if (AsciiLower(word[i]) != keyword[i]) return false;
  }
  return true;
}

// The first words of a statement outside parentheses, as written; quoted identifiers are words
// too (with their quotes, so they never equal a keyword). Enough to classify a statement.
class StatementWords {
 public:
  static constexpr int kMaxWords = 16;

  void Clear() { count_ = 0; }
  void Add(std::string_view word) {
    if (count_ < kMaxWords) words_[count_++] = word;
  }
  int size() const { return count_; }
  // The i-th word; empty past the end.
  std::string_view operator[](int i) const {
    return i >= 0 && i < count_ ? words_[i] : std::string_view();
  }
  // Whether the i-th word is `keyword` (lower case), ignoring case.
  bool Is(int i, std::string_view keyword) const { return IsKeyword((*this)[i], keyword); }
  // Index of the first word at or after `from` that is `keyword`; -1 if none.
  int Find(std::string_view keyword, int from = 0) const;

 private:
  std::array<std::string_view, kMaxWords> words_{};
  int count_ = 0;
};

// How the client decides that a `;` inside a routine body does not end the statement.
enum class BodyTracking {
  kNone,           // MariaDB: the client tracks nothing; scripts use DELIMITER
  kPsqlRoutine,    // psql: BEGIN/CASE ... END inside CREATE [OR REPLACE] FUNCTION|PROCEDURE
  kSqliteTrigger,  // sqlite3_complete(): CREATE TRIGGER ... ; END ;
};

// Which client's commands the script might contain (all of them are rejected).
enum class ClientKind { kPsql, kMariaDb, kSqliteShell };

struct DialectTraits {
  ClientKind client = ClientKind::kPsql;
  // String literals and quoted identifiers.
  bool double_quote_is_string = false;  // MariaDB: "..." is a string, not an identifier
  bool backslash_escapes = false;       // MariaDB: '...' and "..." take backslash escapes
  bool escape_string_prefix = false;    // PostgreSQL: E'...' takes backslash escapes
  bool backtick_identifiers = false;    // MariaDB, SQLite
  bool bracket_identifiers = false;     // SQLite: [...]
  bool dollar_quotes = false;           // PostgreSQL: $$...$$, $tag$...$tag$; $1 parameters
  // Comments.
  bool nested_block_comments = false;     // PostgreSQL: /* /* */ */
  bool hash_comments = false;             // MariaDB: # to end of line
  bool dash_comment_needs_space = false;  // MariaDB: `--` needs whitespace after it
  bool dash_comment_ends_at_cr = false;   // PostgreSQL: a lone '\r' also ends `--`
  bool executable_comments = false;       // MariaDB: /*! ... */ and /*M! ... */ are SQL
  // Statement ends.
  bool delimiter_command = false;            // MariaDB: DELIMITER lines change the delimiter
  bool parentheses_hold_semicolons = false;  // psql: `;` inside ( ) does not end a statement
  BodyTracking body_tracking = BodyTracking::kNone;
  bool copy_from_stdin = false;  // PostgreSQL: COPY ... FROM STDIN is followed by data lines
  // Whether a statement whose words are `words` cannot run inside a transaction block.
  bool (*needs_no_transaction)(const StatementWords& words, const SplitOptions& options) = nullptr;
};

const DialectTraits& TraitsFor(Dialect dialect);

// A mariadb client command (mysql.cc's commands[] table, 10.11).
struct ClientCommand {
  std::string_view name;
  bool takes_arguments = false;
};

// The mariadb client command named `word` (any case), or nullptr.
const ClientCommand* FindMariaDbClientCommand(std::string_view word);

// Whether a PostgreSQL statement is `COPY ... FROM STDIN`.
bool IsCopyFromStdin(const StatementWords& words);

}  // namespace strata::db::sql

#endif  // STRATA_DB_SQL_DIALECT_TRAITS_H_
