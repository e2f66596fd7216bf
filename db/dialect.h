// The SQL dialects strata speaks, and the small facts about each that engines need.
#ifndef STRATA_DB_DIALECT_H_
#define STRATA_DB_DIALECT_H_

#include <string>
#include <string_view>

namespace strata::db {

enum class Dialect { kPostgres, kMariaDb, kSqlite };

// "postgresql", "mariadb", "sqlite".
const char* DialectName(Dialect dialect);

// The placeholder for the n-th (1-based) bound parameter: "$1" (PostgreSQL), "?" (MariaDB,
// so parameters must be passed in order of appearance), "?1" (SQLite).
std::string Placeholder(Dialect dialect, int n);

// Quotes an identifier for the dialect: "name" or `name`, doubling embedded quotes.
std::string QuoteIdentifier(Dialect dialect, std::string_view name);

// Whether DDL statements take part in transactions (PostgreSQL, SQLite) or commit
// implicitly (MariaDB).
bool HasTransactionalDdl(Dialect dialect);

}  // namespace strata::db

#endif  // STRATA_DB_DIALECT_H_
