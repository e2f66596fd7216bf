// The schema history table, in Flyway's layout (docs/flyway.md §2) so that a team can
// point strata at an existing flyway_schema_history, and Flyway can read strata's table.
#ifndef STRATA_MIGRATIONS_HISTORY_H_
#define STRATA_MIGRATIONS_HISTORY_H_

#include <string>
#include <vector>

#include "base/result.h"
#include "db/connection.h"
#include "migrations/history_row.h"

namespace strata::migrations {

// Where the history lives. An empty schema means the connection's current schema (PostgreSQL
// search path, MariaDB database, SQLite main).
struct HistoryTableName {
  std::string schema;                           // schema / --schema; default: current schema
  std::string table = "strata_schema_history";  // table / --table

  // Dialect-quoted, schema-qualified name, e.g. "public"."strata_schema_history".
  std::string Quoted(db::Dialect dialect) const;
};

class SchemaHistory {
 public:
  // REQUIRES: `conn` outlives this object.
  SchemaHistory(db::Connection& conn, HistoryTableName name);

  // Whether the table exists.
  Result<bool> Exists();
  // The statements that create the table and its index, in order (shown by dry runs).
  std::vector<std::string> CreateStatements() const;
  // Creates the table unless it exists.
  Status CreateIfMissing();
  // Every row, ordered by installed_rank. A table with unexpected columns is an error naming
  // the table.
  Result<std::vector<HistoryRow>> ReadAll();
  // Appends `row` (its installed_rank must be the next one). Description and script are
  // abbreviated as Flyway does (history_row.h).
  Status Insert(const HistoryRow& row);
  // The SQL and parameters Insert() sends, for dry runs.
  std::string InsertSql() const;
  db::Params InsertParams(const HistoryRow& row) const;
  // The user recorded as installed_by: current_user / USER() before '@' / "" on SQLite.
  Result<std::string> CurrentUser();
  // The schema the table lives in (resolved when empty), for messages and dry runs.
  Result<std::string> ResolvedSchema();
  // The name the migration lock is derived from (lock.h): the table quoted and qualified by
  // its schema, resolved when empty, as Flyway names it for its lock — so that a runner with
  // no schema configured takes the lock a Flyway runner takes on the same table.
  Result<std::string> LockName();

  const HistoryTableName& name() const { return name_; }
  std::string quoted() const { return name_.Quoted(conn_.dialect()); }

 private:
  db::Connection& conn_;
  HistoryTableName name_;
};

}  // namespace strata::migrations

#endif  // STRATA_MIGRATIONS_HISTORY_H_
