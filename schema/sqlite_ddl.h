// Internal to schema/: what SQLite keeps only in the CREATE statement text. Its pragmas list
// columns, keys and indexes but not CHECK constraints, generated-column expressions, column
// collations, AUTOINCREMENT, table options (WITHOUT ROWID, STRICT) or index expressions; these
// are read from sqlite_schema.sql with db/sql's tokenizer (quotes, comments, nesting).
#ifndef STRATA_SCHEMA_SQLITE_DDL_H_
#define STRATA_SCHEMA_SQLITE_DDL_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace strata::schema::internal {

struct SqliteColumnDdl {
  std::string collation;  // upper-cased; empty when none
  std::string generated;  // the expression of GENERATED ALWAYS AS (...) / AS (...)
  bool stored = false;    // a STORED generated column
  bool autoincrement = false;
  std::vector<std::string> checks;  // "(expr)" or "name (expr)", normalised
};

struct SqliteTableDdl {
  std::map<std::string, SqliteColumnDdl> columns;  // by lower-cased column name
  std::vector<std::string> checks;                 // table constraints: "(expr)"/"name (expr)"
  std::string options;                             // after the column list, e.g. "WITHOUT ROWID"
};

// Parses `CREATE TABLE name (...) options`. Unparsable text gives what could be read.
SqliteTableDdl ParseSqliteCreateTable(std::string_view sql);

struct SqliteIndexDdl {
  std::vector<std::string> items;  // the indexed columns/expressions as written, normalised
  std::string where;               // the partial index predicate, normalised; empty when none
};

// Parses `CREATE [UNIQUE] INDEX name ON table (items) [WHERE predicate]`.
SqliteIndexDdl ParseSqliteCreateIndex(std::string_view sql);

// The query of `CREATE VIEW name [(columns)] AS query`, normalised.
std::string SqliteViewQuery(std::string_view sql);

// The text after USING in `CREATE VIRTUAL TABLE name USING module(args)`, normalised.
std::string SqliteVirtualTableModule(std::string_view sql);

}  // namespace strata::schema::internal

#endif  // STRATA_SCHEMA_SQLITE_DDL_H_
