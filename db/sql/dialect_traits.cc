#include "db/sql/dialect_traits.h"

#include <string_view>

#include "base/strings.h"

namespace strata::db::sql {
namespace {

// PostgreSQL statements that refuse to run inside a transaction block ("... cannot run inside a
// transaction block", SQLSTATE 25001). Sources, PostgreSQL 15 documentation:
//   https://www.postgresql.org/docs/15/sql-createindex.html     CREATE INDEX CONCURRENTLY
//   https://www.postgresql.org/docs/15/sql-dropindex.html       DROP INDEX CONCURRENTLY
//   https://www.postgresql.org/docs/15/sql-reindex.html         REINDEX ... CONCURRENTLY,
//                                                               REINDEX SCHEMA|DATABASE|SYSTEM
//   https://www.postgresql.org/docs/15/sql-vacuum.html          VACUUM
//   https://www.postgresql.org/docs/15/sql-cluster.html         CLUSTER without a table
//   https://www.postgresql.org/docs/15/sql-createdatabase.html  CREATE DATABASE
//   https://www.postgresql.org/docs/15/sql-dropdatabase.html    DROP DATABASE
//   https://www.postgresql.org/docs/15/sql-alterdatabase.html   ALTER DATABASE ... SET TABLESPACE
//   https://www.postgresql.org/docs/15/sql-createtablespace.html, sql-droptablespace.html
//   https://www.postgresql.org/docs/15/sql-altersystem.html     ALTER SYSTEM
//   https://www.postgresql.org/docs/15/sql-altertype.html       ADD VALUE before PostgreSQL 12
//   https://www.postgresql.org/docs/15/sql-altertable.html      DETACH PARTITION ... CONCURRENTLY
//   https://www.postgresql.org/docs/15/sql-discard.html         DISCARD ALL
//   https://www.postgresql.org/docs/15/sql-commit-prepared.html, sql-rollback-prepared.html
//   https://www.postgresql.org/docs/15/sql-createsubscription.html  with create_slot = true
//   https://www.postgresql.org/docs/15/sql-dropsubscription.html    with a replication slot
//   https://www.postgresql.org/docs/15/sql-altersubscription.html   REFRESH PUBLICATION and
//                                                   SET|ADD|DROP PUBLICATION with refresh = true
// Each was also run inside BEGIN on PostgreSQL 15.18 and refused there (ALTER TYPE ... ADD
// VALUE was accepted, as documented from 12 on). Subscription commands are flagged whatever
// their options: running one outside a transaction is always allowed, the reverse is not.
// Not detectable from the text, so not flagged: REINDEX/CLUSTER of a partitioned table, CALL
// or DO of code that commits.
bool PostgresNeedsNoTransaction(const StatementWords& w, const SplitOptions& options) {
  if (w.Is(0, "vacuum")) return true;
  if (w.Is(0, "create") || w.Is(0, "drop")) {
    if (w.Is(1, "database") || w.Is(1, "tablespace") || w.Is(1, "subscription")) return true;
    if (w.Is(1, "index") && w.Is(2, "concurrently")) return true;
    if (w.Is(0, "create") && w.Is(1, "unique") && w.Is(2, "index") && w.Is(3, "concurrently")) {
      return true;
    }
    return false;
  }
  if (w.Is(0, "reindex")) {
    // REINDEX [ (options) ] { INDEX | TABLE | SCHEMA | DATABASE | SYSTEM } [ CONCURRENTLY ] name
    return w.Is(1, "schema") || w.Is(1, "database") || w.Is(1, "system") || w.Is(2, "concurrently");
  }
  if (w.Is(0, "cluster")) {
    // CLUSTER [VERBOSE] without a table processes every table, one transaction each.
    return w.size() == 1 || (w.size() == 2 && w.Is(1, "verbose"));
  }
  if (w.Is(0, "alter")) {
    if (w.Is(1, "system")) return true;
    if (w.Is(1, "database") && w.Is(3, "set") && w.Is(4, "tablespace")) return true;
    if (w.Is(1, "subscription")) {
      return w.Is(3, "refresh") ||
             (w.Is(4, "publication") && (w.Is(3, "set") || w.Is(3, "add") || w.Is(3, "drop")));
    }
    if (w.Is(1, "type")) {
      int add = w.Find("add", 2);
      bool adds_value = add >= 0 && w.Is(add + 1, "value");
      return adds_value && options.server_version > 0 && options.server_version < 120000;
    }
    if (w.Is(1, "table")) {
      int detach = w.Find("detach", 2);
      return detach >= 0 && w.Is(detach + 1, "partition") &&
             w.Find("concurrently", detach + 2) >= 0;
    }
    return false;
  }
  if (w.Is(0, "discard")) return w.Is(1, "all");
  if (w.Is(0, "commit") || w.Is(0, "rollback")) return w.Is(1, "prepared");
  return false;
}

// MariaDB commits DDL implicitly and has no statement that refuses a transaction in a way a
// migration runner could avoid, so nothing is flagged.
bool MariaDbNeedsNoTransaction(const StatementWords& /*words*/, const SplitOptions& /*options*/) {
  return false;
}

// SQLite (https://www.sqlite.org/lang_vacuum.html, https://www.sqlite.org/pragma.html),
// checked with sqlite3 3.40.1 inside BEGIN:
//   VACUUM [INTO]           "cannot VACUUM from within a transaction"
//   PRAGMA journal_mode     "cannot change into wal mode from within a transaction"
//   PRAGMA foreign_keys     silently a no-op inside a transaction (documented)
bool SqliteNeedsNoTransaction(const StatementWords& w, const SplitOptions& /*options*/) {
  if (w.Is(0, "vacuum")) return true;
  if (w.Is(0, "pragma")) {
    // PRAGMA [schema.]name: the name is the last of the first two words before any value.
    return w.Is(1, "journal_mode") || w.Is(1, "foreign_keys") || w.Is(2, "journal_mode") ||
           w.Is(2, "foreign_keys");
  }
  return false;
}

constexpr DialectTraits kPostgresTraits = [] {
  DialectTraits t;
  t.client = ClientKind::kPsql;
  t.escape_string_prefix = true;
  t.dollar_quotes = true;
  t.nested_block_comments = true;
  t.dash_comment_ends_at_cr = true;
  t.parentheses_hold_semicolons = true;
  t.body_tracking = BodyTracking::kPsqlRoutine;
  t.copy_from_stdin = true;
  t.needs_no_transaction = &PostgresNeedsNoTransaction;
  return t;
}();

constexpr DialectTraits kMariaDbTraits = [] {
  DialectTraits t;
  t.client = ClientKind::kMariaDb;
  t.double_quote_is_string = true;
  t.backslash_escapes = true;
  t.backtick_identifiers = true;
  t.hash_comments = true;
  t.dash_comment_needs_space = true;
  t.executable_comments = true;
  t.delimiter_command = true;
  t.needs_no_transaction = &MariaDbNeedsNoTransaction;
  return t;
}();

constexpr DialectTraits kSqliteTraits = [] {
  DialectTraits t;
  t.client = ClientKind::kSqliteShell;
  t.backtick_identifiers = true;
  t.bracket_identifiers = true;
  t.body_tracking = BodyTracking::kSqliteTrigger;
  t.needs_no_transaction = &SqliteNeedsNoTransaction;
  return t;
}();

// The mariadb client's own commands (`help` in mariadb 10.11.19, and mysql.cc's commands[]).
// With arguments, a command is recognised only if it takes arguments; otherwise the line is SQL.
constexpr ClientCommand kMariaDbClientCommands[] = {
    {"?", true},          {"charset", true}, {"clear", false},   {"connect", true},
    {"delimiter", true},  {"edit", false},   {"ego", false},     {"exit", false},
    {"go", false},        {"help", true},    {"nopager", false}, {"notee", false},
    {"nowarning", false}, {"pager", true},   {"print", false},   {"prompt", true},
    {"quit", false},      {"rehash", false}, {"sandbox", false}, {"source", true},
    {"status", false},    {"system", true},  {"tee", true},      {"use", true},
    {"warnings", false},
};

}  // namespace

int StatementWords::Find(std::string_view keyword, int from) const {
  for (int i = from < 0 ? 0 : from; i < count_; ++i) {
    if (IsKeyword(words_[i], keyword)) return i;
  }
  return -1;
}

const DialectTraits& TraitsFor(Dialect dialect) {
  switch (dialect) {
    case Dialect::kPostgres:
      return kPostgresTraits;
    case Dialect::kMariaDb:
      return kMariaDbTraits;
    case Dialect::kSqlite:
      return kSqliteTraits;
  }
  return kPostgresTraits;
}

const ClientCommand* FindMariaDbClientCommand(std::string_view word) {
  // Called for every statement: reject most words by length and first letter first.
  constexpr size_t kLongestName = 9;
  if (word.empty() || word.size() > kLongestName) return nullptr;
  char first = AsciiLower(word[0]);
  for (const ClientCommand& command : kMariaDbClientCommands) {
    if (command.name.size() == word.size() && command.name[0] == first &&
        IsKeyword(word, command.name)) {
      return &command;
    }
  }
  return nullptr;
}

bool IsCopyFromStdin(const StatementWords& words) {
  // COPY [BINARY] name [ ( columns ) ] FROM STDIN ...; the column list is in parentheses and so
  // not among the words. The first FROM or TO after COPY gives the direction.
  if (!words.Is(0, "copy")) return false;
  for (int i = 1; i < words.size(); ++i) {
    if (words.Is(i, "to")) return false;
    if (words.Is(i, "from")) return words.Is(i + 1, "stdin");
  }
  return false;
}

}  // namespace strata::db::sql
