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
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "db/connection.h"
#include "db/dialect.h"
#include "db/runner.h"

namespace strata::db {

// Identifies the migration lock of one history table (Flavor::PrepareMigrationLock) with
// Flyway's values, so that a Flyway runner and a strata runner on the same table exclude each
// other; migrations/lock.h derives them from the table's name. PostgreSQL uses the advisory
// lock key, MariaDB/MySQL the GET_LOCK name; SQLite locks a file named after the database.
struct MigrationLockId {
  std::int64_t key = 0;
  std::string name;
};

// The migration lock of one engine on one connection, prepared by Flavor::PrepareMigrationLock
// and not taken yet. Not thread-safe. Destroying it does not release a lock taken on a
// connection (closing that connection does); it does close SQLite's lock file, which drops the
// file lock.
class MigrationLockHandle {
 public:
  virtual ~MigrationLockHandle() = default;
  MigrationLockHandle(const MigrationLockHandle&) = delete;
  MigrationLockHandle& operator=(const MigrationLockHandle&) = delete;

  // Tries once to take the lock; true when taken. Engines that can wait for a lock themselves
  // (MariaDB GET_LOCK) wait up to `wait` there, at least one second, and say so with
  // waits_in_try(); the others return at once.
  virtual Result<bool> TryTake(std::chrono::milliseconds wait) = 0;
  virtual bool waits_in_try() const { return false; }
  // Who holds the lock, for messages while waiting, e.g. "PostgreSQL pid 4242, application
  // 'strata', client 10.0.0.7"; "another session (holder not visible)" when the engine does not
  // say. Never fails.
  virtual std::string Holder() = 0;
  // Releases the lock taken by TryTake(); false when it was no longer held (the session lost
  // it). Errors: the connection's.
  virtual Result<bool> Release() = 0;
  // How the lock is shown in dry runs and logs, as Flavor::DescribeMigrationLock says it.
  const std::string& description() const { return description_; }

 protected:
  explicit MigrationLockHandle(std::string description) : description_(std::move(description)) {}

 private:
  std::string description_;
};

// One object clean drops (Flavor::CleanDrops).
struct CleanDrop {
  std::string schema;
  std::string kind;  // "table", "view", "materialized view", "sequence", "function", ...
  std::string name;  // the object's name; routines on PostgreSQL add their argument types
  std::string sql;   // the statement that drops it
};

// What surrounds the DROP statements of a clean (Flavor::CleanFrame), so that foreign keys
// between the dropped tables do not stop it.
struct CleanFraming {
  std::string note;                 // shown by dry runs before `before`; "" for none
  std::vector<std::string> before;  // run before the first DROP (inside the transaction, if any)
  std::vector<std::string> after;   // run after the last DROP
};

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

  // ---- Migrations: scripts and dry runs -------------------------------------------------

  // The character that starts a bound parameter in SQL text: '$' ($1) or '?' (?, ?1).
  virtual char param_marker() const { return '?'; }
  // Whether the marker alone is a parameter, the next one in order of appearance ('?');
  // PostgreSQL's '$' is one only when digits follow.
  virtual bool has_unnumbered_params() const { return true; }
  // `text` as an SQL string literal: single quotes doubled, and on MariaDB backslashes too,
  // which its default sql_mode reads as escapes.
  virtual std::string StringLiteral(std::string_view text) const;
  // TRUE / FALSE, or 1 / 0 on SQLite, which has no boolean literals before 3.23.
  virtual std::string_view BoolLiteral(bool value) const { return value ? "TRUE" : "FALSE"; }
  // A bound parameter written as an SQL literal, for dry runs: NULL, the number, or
  // StringLiteral() / BoolLiteral().
  std::string Literal(const db::Param& value) const;
  // The statement Connection::Begin sends for a write transaction (TxOptions::immediate), as a
  // script for the engine's command-line client writes it: "BEGIN", "START TRANSACTION",
  // "BEGIN IMMEDIATE" (SQLite takes the write lock at BEGIN).
  virtual std::string_view BeginWriteTransaction() const { return "BEGIN"; }
  // `sql` followed by what ends it for the engine's command-line client, and a newline:
  // "sql;\n". MariaDB's client cuts at every ';', so a statement containing one (a routine
  // body) goes between DELIMITER lines, with a delimiter it does not contain.
  virtual std::string ClientStatement(std::string_view sql) const {
    return std::string(sql) + ";\n";
  }
  // The server version the SQL splitter is told (db/sql/splitter.h SplitOptions::
  // server_version): PostgreSQL's, which decides what may run inside a transaction; 0 on the
  // other engines, where the splitter ignores it.
  virtual int SplitterServerVersion(const ServerInfo& /*server*/) const { return 0; }

  // ---- Migrations: history table, lock, clean -------------------------------------------

  // The statements that create a schema history table in Flyway's layout (so that Flyway can
  // read strata's table and the other way round), in order: table `table` in `schema` (empty:
  // the current schema), primary key "<table>_pk" on installed_rank, index "<table>_s_idx" on
  // success.
  virtual std::vector<std::string> HistoryTableDdl(std::string_view schema,
                                                   std::string_view table) const = 0;

  // Whether the migration lock lives on a connection (PostgreSQL advisory lock, MariaDB
  // GET_LOCK), which callers then dedicate to it, rather than on a file (SQLite).
  virtual bool migration_lock_needs_connection() const { return true; }
  // How the migration lock `id` on `conn` is shown in dry runs and logs, without taking it:
  // "pg_advisory_lock(77433833903597)", "GET_LOCK('Flyway-123')",
  // "flock(/data/app.db.strata-lock)", or "none (in-memory database)". Reads only.
  virtual Result<std::string> DescribeMigrationLock(Connection& conn,
                                                    const MigrationLockId& id) const = 0;
  // Prepares the migration lock `id` on `conn`, without taking it: PostgreSQL a session-level
  // advisory lock, MariaDB GET_LOCK, SQLite an exclusive flock() on "<database file>.strata-lock"
  // (the kernel drops it when the process dies; an in-memory database needs no lock, and its
  // handle takes at once). REQUIRES: `conn` outlives the handle; on PostgreSQL and MariaDB it
  // is dedicated to the lock, in autocommit. Errors: kIo when the lock file cannot be opened.
  virtual Result<std::unique_ptr<MigrationLockHandle>> PrepareMigrationLock(
      Connection& conn, const MigrationLockId& id) const = 0;

  // The objects of `schema` that clean drops, each with the statement that drops it, in an
  // order that works (migrations/clean.h says what each engine drops). Reads the catalogs
  // only. REQUIRES: the schema exists.
  virtual Result<std::vector<CleanDrop>> CleanDrops(Connection& conn,
                                                    const std::string& schema) const = 0;
  // What a clean runs around its DROP statements.
  virtual CleanFraming CleanFrame() const { return {}; }

  // ---- Tools: configuration, generated data ---------------------------------------------

  // Whether a URL's database is a file path (SQLite), which a relative path in a configuration
  // file resolves against that file's directory.
  virtual bool database_is_file() const { return false; }
  // The n-th (1-based) parameter of a statement that binds them in order of appearance, for
  // statements with very many: "?" where the marker alone is one, else Param(n). (SQLite looks
  // each "?N" up in a linear list of the numbers seen so far, which makes a statement with tens
  // of thousands of them quadratic.)
  std::string ParamInOrder(int n) const {
    return has_unnumbered_params() ? std::string(1, param_marker()) : Param(n);
  }
  // The statement that makes the ids the engine generates for `column` of `table` continue
  // after the largest one, once rows were inserted with explicit ids; "" where they do by
  // themselves (MariaDB AUTO_INCREMENT, SQLite rowid). PostgreSQL's identity and serial
  // sequences do not advance on explicit ids. `table` and `column` are plain names, written as
  // they are.
  virtual std::string AdvanceIdentitySql(std::string_view /*table*/,
                                         std::string_view /*column*/) const {
    return "";
  }

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

  // ---- Run support ---------------------------------------------------------------------

  // How many objects `schema` holds besides the table `excluded_table`: tables, views,
  // materialized views, sequences, foreign tables and routines on PostgreSQL; tables, views,
  // sequences and routines on MariaDB; every named object but SQLite's own on SQLite (tables,
  // views, indexes, triggers), counted in the main database whatever `schema` says, and
  // leaving out what belongs to `excluded_table` too. baseline_on_migrate baselines a schema
  // without history only when this is above 0 (the history table itself aside).
  virtual Result<std::int64_t> CountObjectsExcept(Connection& conn, std::string_view schema,
                                                  std::string_view excluded_table) const = 0;

  // ---- Lint: live facts -------------------------------------------------------------------

  // One table's size as `strata lint` weighs it (LintTableSizes).
  struct LintTableSize {
    std::string name;                   // lower-cased
    std::optional<std::int64_t> rows;   // the planner's estimate; nullopt when never analyzed
    std::optional<std::int64_t> bytes;  // table, indexes and TOAST (MariaDB: data + indexes)
    // In the same query: the columns (lower-cased) a validated CHECK (column IS NOT NULL)
    // covers (PostgreSQL), and the plain indexes as "name a,b" (columns lower-cased, in order;
    // PostgreSQL and MariaDB).
    std::vector<std::string> not_null_checked;
    std::vector<std::string> indexes;
  };
  // The tables among `tables` (plain, lower-cased names) that the session's schema (PostgreSQL:
  // its search_path) holds, with their estimated rows and bytes, read in ONE catalog query
  // whatever the number of tables: PostgreSQL pg_class.reltuples and pg_total_relation_size,
  // MariaDB information_schema.tables. Empty where the engine keeps no such statistics
  // (SQLite), and for an empty list.
  virtual Result<std::vector<LintTableSize>> LintTableSizes(
      Connection& /*conn*/, const std::vector<std::string>& /*tables*/) const {
    return std::vector<LintTableSize>();
  }

  // ---- Runners and their statements on the server (db/runner.h) -----------------------
  // SQLite has no server, so nothing outlives the process that ran it: no statements, no ids.

  // The server's id of `conn`'s session: PostgreSQL pg_backend_pid(), MariaDB CONNECTION_ID();
  // 0 on SQLite.
  virtual Result<std::int64_t> ServerConnectionId(Connection& /*conn*/) const { return 0; }
  // The statements running now in other sessions on `conn`'s database that carry a strata
  // runner label, oldest first: PostgreSQL pg_stat_activity rows in state active whose
  // application_name is a label; MariaDB PROCESSLIST rows whose statement is led by the
  // label's comment. Waits for the migration lock itself (a live runner queuing for it) are
  // left out. Sessions of other database users show only where the user may see them
  // (PostgreSQL pg_read_all_stats, MariaDB PROCESS).
  virtual Result<std::vector<ServerStatement>> FindRunnerStatements(Connection& /*conn*/) const {
    return std::vector<ServerStatement>();
  }
  // The statement server connection `id` runs now, labelled or not; nullopt when the session
  // is idle or gone.
  virtual Result<std::optional<ServerStatement>> StatementIn(Connection& /*conn*/,
                                                             std::int64_t /*id*/) const {
    return std::optional<ServerStatement>();
  }
  // Asks the server to cancel the statement server connection `id` runs (PostgreSQL
  // pg_cancel_backend, MariaDB KILL QUERY); the session stays. Ok when it has ended already.
  virtual Status CancelServerStatement(Connection& /*conn*/, std::int64_t /*id*/) const {
    return Err(ErrorCode::kUnsupported, "this engine has no server statements to cancel");
  }

  // ---- Statement progress (migrations/progress.h) --------------------------------------

  // What the catalog says of an index (IndexStateOf).
  enum class IndexState { kAbsent, kValid, kInvalid };
  // Whether the index `index` exists in `schema` (empty: the current one) and is usable:
  // PostgreSQL pg_index.indisvalid (false after an interrupted CREATE INDEX CONCURRENTLY);
  // elsewhere an index that exists is valid.
  virtual Result<IndexState> IndexStateOf(Connection& conn, std::string_view schema,
                                          std::string_view index) const = 0;
  // Whether `table` in `schema` (empty: the current one) has a column `column`.
  virtual Result<bool> ColumnExists(Connection& conn, std::string_view schema,
                                    std::string_view table, std::string_view column) const = 0;
  // The statement that drops an index without blocking writes, where an interrupted build can
  // leave one behind: PostgreSQL "DROP INDEX CONCURRENTLY IF EXISTS s.i"; "" elsewhere.
  virtual std::string DropIndexConcurrently(std::string_view /*schema*/,
                                            std::string_view /*index*/) const {
    return "";
  }

  // ---- Flyway's default schema (default_schema, create_schemas; docs/flyway.md §6) -------

  // The statement that makes `schema` the session's default schema: PostgreSQL
  // `SET search_path TO "s"`, MariaDB USE `s`; "" on SQLite, whose only schema is main.
  virtual std::string SetDefaultSchemaSql(std::string_view /*schema*/) const { return ""; }
  // CREATE SCHEMA "s" (a synonym of CREATE DATABASE on MariaDB), as Flyway creates schemas.
  std::string CreateSchemaSql(std::string_view schema) const {
    return "CREATE SCHEMA " + Quote(schema);
  }
  // Drops `schema` and everything in it: DROP SCHEMA "s" CASCADE on PostgreSQL, DROP SCHEMA
  // `s` (DROP DATABASE) on MariaDB. For clean, on schemas strata or Flyway created.
  virtual std::string DropSchemaSql(std::string_view schema) const {
    return "DROP SCHEMA " + Quote(schema);
  }
};

// The flavor of `dialect`. Lives as long as the program.
const Flavor& FlavorFor(Dialect dialect);
// The flavor of the engine `conn` talks to.
inline const Flavor& FlavorOf(const Connection& conn) { return FlavorFor(conn.dialect()); }

}  // namespace strata::db

#endif  // STRATA_DB_FLAVOR_FLAVOR_H_
