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

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "db/connection.h"
#include "db/dialect.h"

namespace strata::db {

// How long a session's statements may run and wait (Flavor::SetSessionTimeouts).
struct SessionTimeouts {
  std::chrono::milliseconds statement{0};  // one statement's running time
  std::chrono::milliseconds lock{0};       // one wait for a lock
  // How long a session may sit idle inside a transaction (PostgreSQL only).
  std::chrono::milliseconds idle_in_transaction{0};
};

// A streaming replica as its primary sees it (Flavor::StreamingReplicas).
struct StreamingReplica {
  std::string id;                 // stable while the replica stays connected (PostgreSQL pid)
  std::string name;               // application_name, else the client address, else "replica"
  double replay_lag_seconds = 0;  // as last reported by the replica; 0 when unknown
  std::int64_t bytes_behind = 0;  // WAL the replica has not replayed yet
  std::string replay_position;    // its replay position (an LSN as text); "" when unknown
};

// How busy a server is, as far as its engine reports it (Flavor::ReadServerLoad).
struct ServerLoad {
  // Client sessions, and the server's limit on them (PostgreSQL).
  std::optional<std::int64_t> connections;
  std::optional<std::int64_t> max_connections;
  // Threads executing a statement right now (MariaDB Threads_running).
  std::optional<std::int64_t> threads_running;
};

// A replica's own report on its replication (Flavor::ReadReplicaStatus).
struct ReplicaStatus {
  bool is_replica = false;  // false: the server replicates from nothing
  // How far replay is behind the primary; nullopt while replication is stopped or broken.
  std::optional<std::int64_t> seconds_behind;
};

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

  // ---- Backfill ----------------------------------------------------------------------------

  // Whether one writer at a time holds the whole database (SQLite): sessions writing
  // concurrently would only wait for each other's locks.
  virtual bool has_single_writer() const { return false; }
  // The clause ending an INSERT that skips every row whose unique key exists (counting it as
  // not affected) and changes nothing else: " ON CONFLICT DO NOTHING", or on MariaDB a no-op
  // " ON DUPLICATE KEY UPDATE column = column" (never INSERT IGNORE, which turns other errors
  // into warnings). `column` is any column of the target table, qualified with the table's
  // name when the INSERT's SELECT has a column of the same name.
  virtual std::string OnConflictDoNothing(std::string_view /*column*/) const {
    return " ON CONFLICT DO NOTHING";
  }
  // A statement that sleeps `seconds` on the server (so a killed session shows up as a failed
  // statement); "" where the engine has none (SQLite).
  virtual std::string ServerSleep(double seconds) const = 0;
  // Sets the session's statement and lock timeouts (what the engine has of them: MariaDB
  // counts the lock wait in whole seconds, at least 1, and MySQL has no statement timeout for
  // writes; SQLite has neither).
  virtual Status SetSessionTimeouts(Connection& /*conn*/,
                                    const SessionTimeouts& /*timeouts*/) const {
    return Ok();
  }
  // The streaming replicas a primary reports (PostgreSQL pg_stat_replication); empty where the
  // engine does not report them on the primary.
  virtual Result<std::vector<StreamingReplica>> StreamingReplicas(Connection& /*primary*/) const {
    return std::vector<StreamingReplica>();
  }
  // The server's load signals; the ones the engine does not have stay empty.
  virtual Result<ServerLoad> ReadServerLoad(Connection& /*conn*/) const { return ServerLoad(); }
  // What `replica` reports about its own replication (MariaDB SHOW SLAVE STATUS); nullopt
  // where the engine does not report it on the replica.
  virtual Result<std::optional<ReplicaStatus>> ReadReplicaStatus(Connection& /*replica*/) const {
    return std::optional<ReplicaStatus>();
  }
};

// The flavor of `dialect`. Lives as long as the program.
const Flavor& FlavorFor(Dialect dialect);
// The flavor of the engine `conn` talks to.
inline const Flavor& FlavorOf(const Connection& conn) { return FlavorFor(conn.dialect()); }

}  // namespace strata::db

#endif  // STRATA_DB_FLAVOR_FLAVOR_H_
