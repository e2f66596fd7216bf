// The per-engine checks behind Analyze() (linter.cc), internal to lint/. Each looks at one
// statement of a script at a time, with the state of its script and of the whole set, and
// adds candidate findings; linter.cc places them, applies suppressions and judges them.
#ifndef STRATA_LINT_CHECKS_H_
#define STRATA_LINT_CHECKS_H_

#include <cstddef>
#include <initializer_list>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "db/sql/splitter.h"
#include "db/sql/tokenizer.h"

namespace strata::lint::internal {

// A finding before it has a position in its file.
struct Candidate {
  std::string_view rule_id;
  std::string message;
  std::string table;       // lower-cased; "" when the finding is not about one table
  std::size_t offset = 0;  // in the statement text: where to point (0: its first token)
  bool cancelled = false;  // a later statement showed it was fine (SQLite rebuild's DROP)
  // What a live fact about `table` can settle (Judge, linter.h): PG104 the column whose
  // validated CHECK (column IS NOT NULL) makes SET NOT NULL cheap; PG101, and MY201/MY202 of a
  // statement adding an index, the indexed columns "a,b", which an existing index may already
  // cover. "" for the others.
  std::string live_key;
};

// What the scripts before this one did, across the whole set.
struct SetState {
  std::set<std::string> new_tables;        // created earlier in the set
  std::set<std::string> validated_tables;  // a constraint was validated on them earlier
};

// What this script did so far.
struct FileState {
  std::size_t statement_count = 0;       // statements in the whole script
  std::size_t no_transaction_count = 0;  // of which cannot run in a transaction (splitter.h)
  bool lock_timeout_set = false;         // PostgreSQL: SET lock_timeout seen
  bool lock_timeout_reported = false;
  int explicit_transaction = 0;                 // inside BEGIN ... COMMIT written in the script
  std::set<std::string> not_valid_constraints;  // PostgreSQL: added NOT VALID in this script
  // SQLite: candidates (index into the script's list) of DROP TABLE, by table, which a later
  // ALTER TABLE x RENAME TO <table> cancels (the rebuild recipe).
  std::vector<std::pair<std::string, std::size_t>> dropped_tables;
};

struct StatementInput {
  const db::sql::Statement& statement;
  int server_version = 0;  // 0: the newest
  bool mysql = false;      // MariaDB dialect: the server is MySQL (AnalyzeOptions::mysql)
};

// Whether `table` (lower-cased) is an existing table for lock rules: not created in the set.
inline bool IsExisting(const SetState& set, const std::string& table) {
  return !table.empty() && set.new_tables.count(table) == 0;
}

// ---- Reading tokens (MariaDB, SQLite) -------------------------------------------------------

using Tokens = std::vector<db::sql::Token>;

// The name a word or quoted identifier token spells, quotes removed, lower-cased.
std::string IdentifierText(const db::sql::Token& token);
// Whether tokens[i] exists and is the word `keyword` (any case).
inline bool WordAt(const Tokens& tokens, std::size_t i, std::string_view keyword) {
  return i < tokens.size() && tokens[i].IsWord(keyword);
}
// Skips the words in `words` that come next, in any number and order; returns the index after.
std::size_t SkipWords(const Tokens& tokens, std::size_t i,
                      std::initializer_list<std::string_view> words);
// Reads a possibly qualified name (`db`.`t`) at tokens[i]: the last part, lower-cased, and the
// index after it in `next`. "" when no name is there.
std::string ReadName(const Tokens& tokens, std::size_t i, std::size_t& next);

void CheckPostgres(const StatementInput& in, FileState& file, SetState& set,
                   std::vector<Candidate>& out);
void CheckMariaDb(const StatementInput& in, FileState& file, SetState& set,
                  std::vector<Candidate>& out);
void CheckSqlite(const StatementInput& in, FileState& file, SetState& set,
                 std::vector<Candidate>& out);

}  // namespace strata::lint::internal

#endif  // STRATA_LINT_CHECKS_H_
