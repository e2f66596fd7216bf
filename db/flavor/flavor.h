// One engine's SQL and facts, in one place (the way Flyway keeps one class per database).
//
// Every engine-specific SQL text and fact that the engines above db/ (migrations/, backfill/,
// schema/) need lives behind this interface: how names and parameters are written, what the
// session's current schema and user are, how strata's own tables are declared, how rows are
// locked and claimed, how the migration lock is taken, what clean drops. Callers ask the
// flavor of their connection, FlavorOf(conn), and never switch on the dialect themselves; a
// switch on db::Dialect outside db/ is the exception, with a comment saying why.
//
// Adding an engine (MySQL 8 as a flavor of its own, say) is one new file in db/flavor/ that
// implements this interface, one line in FlavorFor(), and its tests.
//
// Flavors are stateless singletons: every method is const and thread-safe; the ones that take a
// Connection run their statements on it and follow Connection's contract (no throw, errors as
// values).
#ifndef STRATA_DB_FLAVOR_FLAVOR_H_
#define STRATA_DB_FLAVOR_FLAVOR_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"
#include "db/connection.h"
#include "db/dialect.h"

namespace strata::db {

class Flavor {
 public:
  virtual ~Flavor() = default;
  Flavor() = default;
  Flavor(const Flavor&) = delete;
  Flavor& operator=(const Flavor&) = delete;

  virtual Dialect dialect() const = 0;
  // "postgresql", "mariadb", "sqlite".
  const char* name() const { return DialectName(dialect()); }

  // ---- How SQL is written ----------------------------------------------------------------

  // The identifier quoted for this engine: "name" or `name`, embedded quotes doubled.
  std::string Quote(std::string_view identifier) const {
    return QuoteIdentifier(dialect(), identifier);
  }
  // `schema`.`table`, or just the table when `schema` is empty.
  std::string QualifiedName(std::string_view schema, std::string_view table) const;
  // The n-th (1-based) bound parameter: $1, ?, ?1.
  std::string Param(int n) const { return Placeholder(dialect(), n); }

  // ---- Transactions ----------------------------------------------------------------------

  // Whether DDL takes part in transactions (PostgreSQL, SQLite) or commits implicitly.
  virtual bool has_transactional_ddl() const = 0;

  // ---- The session -----------------------------------------------------------------------

  // The schema unqualified names resolve to: PostgreSQL current_schema(), MariaDB DATABASE(),
  // SQLite "main". kInvalidArgument when the session has none (a MariaDB URL without a
  // database, a PostgreSQL search_path naming no existing schema).
  virtual Result<std::string> CurrentSchema(Connection& conn) const = 0;
  // The database the session is connected to: PostgreSQL current_database(), MariaDB
  // DATABASE() (its databases are schemas), SQLite "main".
  virtual Result<std::string> CurrentDatabase(Connection& conn) const = 0;
  // The user name as history rows record it: PostgreSQL current_user, MariaDB USER() without
  // the host, SQLite "" (it has no users).
  virtual Result<std::string> CurrentUser(Connection& conn) const = 0;
  // Whether `schema` (empty: the current one) holds a table named `table`.
  virtual Result<bool> TableExists(Connection& conn, std::string_view schema,
                                   std::string_view table) const = 0;
  // Whether the schema (PostgreSQL schema, MariaDB database, SQLite main or attached
  // database) exists.
  virtual Result<bool> SchemaExists(Connection& conn, std::string_view schema) const = 0;

  // ---- Building blocks for strata's own tables ------------------------------------------

  // An expression for the current time in milliseconds since the Unix epoch, as an integer,
  // read at the moment it is evaluated (not at transaction start).
  virtual std::string EpochMillisNow() const = 0;
  // The column type of a 64-bit integer primary key that the engine fills in.
  virtual std::string_view AutoIncrementPrimaryKey() const = 0;
  // What follows CREATE TABLE (...) for strata's own tables: " ENGINE=InnoDB" on MariaDB.
  virtual std::string_view TableOptions() const { return ""; }
  // " FOR UPDATE" where the engine locks rows a SELECT reads; "" on SQLite, whose write
  // transaction already excludes every other writer.
  virtual std::string_view ForUpdate() const { return " FOR UPDATE"; }
  // " FOR UPDATE SKIP LOCKED" where `server` supports it; otherwise ForUpdate().
  virtual std::string ForUpdateSkipLocked(const ServerInfo& server) const = 0;

  // ---- Run support ---------------------------------------------------------------------

  // How many objects `schema` holds besides the table `excluded_table`: tables, views,
  // materialized views, sequences, foreign tables and routines on PostgreSQL; tables, views,
  // sequences and routines on MariaDB; every named object but SQLite's own on SQLite (tables,
  // views, indexes, triggers), counted in the main database whatever `schema` says, and
  // leaving out what belongs to `excluded_table` too. baseline_on_migrate baselines a schema
  // without history only when this is above 0 (the history table itself aside).
  virtual Result<std::int64_t> CountObjectsExcept(Connection& conn, std::string_view schema,
                                                  std::string_view excluded_table) const = 0;
};

// The flavor of `dialect`. Lives as long as the program.
const Flavor& FlavorFor(Dialect dialect);
// The flavor of the engine `conn` talks to.
inline const Flavor& FlavorOf(const Connection& conn) { return FlavorFor(conn.dialect()); }

}  // namespace strata::db

#endif  // STRATA_DB_FLAVOR_FLAVOR_H_
