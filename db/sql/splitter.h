// Splits a migration script into the statements a database client would send one at a time.
//
// Split() cuts a script exactly where the dialect's own command-line client cuts it:
//   PostgreSQL  psql 15 (psqlscan.l): `;` outside quotes, comments and parentheses, and outside
//               the BEGIN ... END of `CREATE [OR REPLACE] FUNCTION|PROCEDURE ... BEGIN ATOMIC`.
//               `'...'`, `E'...'` (backslash escapes), `U&'...'`, `"..."`, `$$...$$` and
//               `$tag$...$tag$`, nested `/* /* */ */`, `--`. `COPY ... FROM STDIN` takes the
//               lines after it, up to a line `\.` or the end of the file, as its data.
//               standard_conforming_strings is assumed on (the default since 9.1). psql
//               variables (`:name`) are not interpolated: the text is sent as written.
//   MariaDB     the mariadb/mysql client 10.11: the current delimiter (`;`, changed by
//               `DELIMITER x` lines) outside `'...'`/`"..."` (backslash escapes, doubled quotes),
//               backticks, `#` and `-- ` comments and `/* */`. Executable comments `/*! ... */`
//               and `/*M! ... */` are SQL to the client: a delimiter inside one ends the
//               statement there, as the client does. No BEGIN ... END tracking: compound
//               statements need DELIMITER, as with the client. Assumes sql_mode without
//               ANSI_QUOTES and NO_BACKSLASH_ESCAPES, and a UTF-8 script.
//   SQLite      the sqlite3 shell (sqlite3_complete()): `;` outside `'...'`, `"..."`, `[...]`,
//               backticks, `--` and `/* */`, and outside `CREATE TRIGGER ... BEGIN ... END`
//               (the body ends at an END that directly follows a `;`, so CASE ... END inside
//               a body does not end it).
//
// Statement text starts at the statement's first token (leading whitespace and comments are
// not part of it; psql also drops `--` comments and the mariadb client drops all comments)
// and ends after its last token (trailing whitespace, comments and the delimiter are not part
// of it). Empty statements (`;;`) and comment-only tails produce no statement. A last
// statement without a delimiter is kept. A UTF-8 byte order mark at the start is skipped.
//
// Positions are 1-based. Lines are counted by '\n'. Columns count characters, not bytes: every
// UTF-8 code point (every byte that is not a continuation byte 10xxxxxx) and every tab counts
// as one column.
//
// Client commands are errors, never statements: psql meta-commands (any backslash outside
// quotes and comments, e.g. `\set`, `\i`, `\c`, `\gexec`), mariadb client commands (`source`,
// `connect`, `charset`, `\g`, `\G`, `\.`, ... — kMariaDbClientCommands in dialect_traits.cc) and
// sqlite3 shell dot-commands (`.read`). `DELIMITER` lines are interpreted, as the mariadb
// client does. `USE db` is sent to the server as a statement: the client runs it itself
// through mysql_select_db(), and the server's USE statement has the same effect on the
// session (Flyway also sends it as SQL). As in the client, a line `use db` (or any client
// command) at the start of a statement needs no delimiter: it ends with its line.
//
// Deliberate differences from the clients, all of which make Split() fail where the client
// would send something the server rejects or run statements out of order: an unterminated
// string, identifier, comment or dollar quote at the end of the file (the clients send the
// incomplete text); text after `COPY ... FROM STDIN;` on the same line (psql runs it after
// the data); `DELIMITER` anywhere but at the start of a line (the client glues it to the next
// statement).
//
// Errors (ErrorCode::kInvalidArgument) read "file:line:col: message", followed by the source
// line and a caret under the offending token on two more lines, e.g.
//   V3__x.sql:14:7: unterminated dollar-quoted string $fn$
//     CREATE FUNCTION f() ... AS $fn$
//                                ^
// Splitting either succeeds for the whole script or fails: callers run nothing of a script
// that failed to split.
#ifndef STRATA_DB_SQL_SPLITTER_H_
#define STRATA_DB_SQL_SPLITTER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "db/dialect.h"

namespace strata::db::sql {

struct SplitOptions {
  Dialect dialect = Dialect::kPostgres;
  // PostgreSQL server_version_num of the target (e.g. 110022 for 11.22, 150004 for 15.4);
  // 0 (default) means the newest. Decides whether ALTER TYPE ... ADD VALUE can run inside a
  // transaction (from 12 on). Ignored for other dialects.
  int server_version = 0;
  // Named in error messages; "<input>" when empty.
  std::string file_name;
  // psql ends COPY data at a `\.` line *or* at the end of the file (default: the same).
  // When true, COPY data that reaches the end of the file without `\.` is an error, which
  // catches a forgotten `\.` swallowing the statements after it.
  bool require_copy_terminator = false;
};

struct Statement {
  // From the first token through the last token, without the delimiter. Views into the
  // script passed to Split(): valid while that string lives.
  std::string_view text;
  // PostgreSQL `COPY ... FROM STDIN`: the data lines that follow the statement, each with its
  // line terminator, without the `\.` line. Send with the COPY protocol, not as SQL.
  std::optional<std::string_view> copy_data;
  int line = 0;    // 1-based line of the first token
  int column = 0;  // 1-based column (characters) of the first token
  // Bytes of the first word, see keyword().
  uint32_t keyword_size = 0;
  // The statement cannot run inside a transaction block (PostgreSQL: CREATE INDEX
  // CONCURRENTLY, VACUUM, ...; SQLite: VACUUM, ...; see dialect_traits.cc for the list and its
  // sources). MariaDB commits DDL implicitly, so nothing is flagged there.
  bool no_transaction = false;

  // The first word as written ("create", "VACUUM"), for logs; empty when the statement does
  // not start with a word (e.g. `(SELECT 1)` or a MariaDB `/*!40101 ...` comment).
  std::string_view keyword() const { return text.substr(0, keyword_size); }
};

// Splits `script` into statements in order. Fails with kInvalidArgument on an unterminated
// string, identifier, comment, dollar quote or (optionally) COPY block, and on client
// commands; the message format is described at the top of this file.
Result<std::vector<Statement>> Split(std::string_view script, const SplitOptions& options);

}  // namespace strata::db::sql

#endif  // STRATA_DB_SQL_SPLITTER_H_
