// The database interface the engines see. Concrete drivers live in db/postgres, db/mariadb
// and db/sqlite; only cli/ (through db/open.h) and tests link them.
//
// Contract shared by every driver:
// - No method throws. Library exceptions and error codes become an Error whose `sqlstate` /
//   `server_errno` carry the server's code and whose `transient` flag is true for errors
//   where retrying the same work may succeed (deadlock, serialization failure, lock wait
//   timeout, lost connection, SQLite busy/locked).
// - Values are never spliced into SQL text: parameters are bound by the driver. Placeholders
//   are the dialect's own; write them with Placeholder(dialect, n).
// - A Connection is used by one thread at a time. The only exception is the Canceler it
//   hands out, which may be called from any thread.
// - Error messages name the target with its redacted URL, never the password.
#ifndef STRATA_DB_CONNECTION_H_
#define STRATA_DB_CONNECTION_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/result.h"
#include "db/dialect.h"

namespace strata::db {

// A bound parameter: NULL, boolean, integer, floating point or text.
using Param = std::variant<std::nullptr_t, bool, std::int64_t, double, std::string>;
using Params = std::vector<Param>;

// A result value in the server's text form; std::nullopt is SQL NULL.
using Cell = std::optional<std::string>;

// The rows a statement returned (empty for statements that return none), plus the number of
// rows it changed.
struct Rows {
  std::vector<std::string> columns;
  std::vector<std::vector<Cell>> rows;
  std::int64_t affected = 0;  // rows inserted/updated/deleted; 0 for other statements

  std::size_t size() const { return rows.size(); }
  bool empty() const { return rows.empty(); }

  // Typed access to rows[row][col]. A NULL or unparsable value is an error naming the column.
  Result<std::int64_t> Int(std::size_t row, std::size_t col) const;
  Result<std::string> Text(std::size_t row, std::size_t col) const;
  bool IsNull(std::size_t row, std::size_t col) const { return !rows[row][col].has_value(); }
};

// What the connection is talking to.
struct ServerInfo {
  std::string product;     // "PostgreSQL", "MariaDB", "MySQL" or "SQLite"
  std::string version;     // as the server reports it, e.g. "15.18", "10.11.19-MariaDB"
  int version_number = 0;  // major * 10000 + minor * 100 + patch, e.g. 150018, 101119
};

enum class Isolation { kDefault, kReadCommitted, kRepeatableRead, kSerializable };

struct TxOptions {
  // Read-only transaction: the server itself refuses writes (START TRANSACTION READ ONLY;
  // SQLite: PRAGMA query_only for the transaction's duration).
  bool read_only = false;
  Isolation isolation = Isolation::kDefault;  // default: the server's default
  // SQLite only: take the write lock at BEGIN (BEGIN IMMEDIATE) instead of at first write.
  bool immediate = false;
};

// Cancels the statement currently running on the connection it came from. Thread-safe, and
// safe to call when nothing runs or after the connection closed (then it does nothing).
class Canceler {
 public:
  virtual ~Canceler() = default;
  virtual Status Cancel() = 0;
};

class Connection {
 public:
  virtual ~Connection() = default;
  Connection() = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  virtual Dialect dialect() const = 0;
  virtual const ServerInfo& server() const = 0;
  // The target for messages, password redacted, e.g. "postgresql://app:***@db:5432/events".
  virtual const std::string& display_url() const = 0;
  // PostgreSQL backend pid, MariaDB connection id, 0 for SQLite.
  virtual std::int64_t session_id() const = 0;

  // Runs exactly one statement with bound parameters and returns its rows.
  virtual Result<Rows> Query(std::string_view sql, const Params& params = {}) = 0;

  // Runs a script of several statements without parameters (simple query protocol /
  // multi-statements), stopping at the first error. For setup and tests; the migration
  // runner splits scripts itself and sends statements one by one.
  virtual Status ExecuteScript(std::string_view sql) = 0;

  // PostgreSQL: runs `copy_statement` (a COPY ... FROM STDIN) feeding it `data` through the
  // COPY protocol. Other dialects: kUnsupported.
  virtual Status CopyFrom(std::string_view copy_statement, std::string_view data) = 0;

  // Transaction control; prefer the RAII Transaction below.
  virtual Status Begin(const TxOptions& options) = 0;
  virtual Status Commit() = 0;
  virtual Status Rollback() = 0;
  virtual bool InTransaction() const = 0;

  // A handle that cancels the running statement from another thread.
  virtual std::shared_ptr<Canceler> GetCanceler() = 0;

  // Convenience: runs a statement and returns the number of rows it changed.
  Result<std::int64_t> Execute(std::string_view sql, const Params& params = {});

  // Runs one statement that returns no rows (INSERT, UPDATE, DELETE, ...) once for every row
  // of `rows`, each row's values bound to the placeholders in order, and returns the rows
  // changed in all. Every row has one value per placeholder, and each placeholder gets values
  // of one type in every row (NULLs aside); otherwise kInvalidArgument naming the row. On
  // MariaDB the rows travel together, a few MiB per round trip, and the server parses the
  // statement once (array binding, COM_STMT_BULK_EXECUTE; see batches_in_one_round_trip());
  // elsewhere the statement runs row by row. The first failing row stops the batch; rows
  // before it may have been applied, so run batches inside a transaction. No rows: nothing
  // runs, 0.
  virtual Result<std::int64_t> ExecuteBatch(std::string_view sql, const std::vector<Params>& rows);

  // Whether ExecuteBatch sends its rows together (MariaDB 10.2.7+) rather than one statement
  // per row (MySQL, PostgreSQL, SQLite).
  virtual bool batches_in_one_round_trip() const { return false; }

  // Savepoints inside the current transaction (SAVEPOINT, ROLLBACK TO SAVEPOINT, RELEASE
  // SAVEPOINT on every engine). RollbackToSavepoint undoes what ran since Savepoint(name) and
  // leaves the transaction usable again, also after a statement in between failed (which on
  // PostgreSQL otherwise dooms the whole transaction, and Commit then reports it). `name` is a
  // plain identifier written by the caller, never outside input.
  virtual Status Savepoint(std::string_view name);
  virtual Status RollbackToSavepoint(std::string_view name);
  virtual Status ReleaseSavepoint(std::string_view name);
};

// Options for opening a connection.
struct ConnectOptions {
  // How long one connection attempt may take. Default 10 s.
  std::chrono::seconds connect_timeout{10};
  // Sent as application_name (PostgreSQL) / program_name (MariaDB) unless the URL sets one.
  std::string application_name = "strata";
  // Used when the URL carries no password (from STRATA_PASSWORD or a password file).
  std::optional<std::string> password;
  // The label of the strata run that opens the connection (db/runner.h RunnerIdentity::Label),
  // "" for none (the default). PostgreSQL: the application_name, over the URL's, since other
  // runners find this run's statements by it. MariaDB: the connection attribute strata_runner,
  // and a comment (StatementComment) leading every statement the connection sends.
  std::string runner;
};

// RAII transaction: begun on creation, rolled back on destruction unless Commit() succeeded.
// Move-only. The connection must outlive it.
class Transaction {
 public:
  static Result<Transaction> Begin(Connection& conn, const TxOptions& options = {});

  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&& other) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  Status Commit();
  // Rolls back now; the destructor then does nothing.
  Status Rollback();
  bool active() const { return conn_ != nullptr; }

 private:
  explicit Transaction(Connection* conn) : conn_(conn) {}
  Connection* conn_;
};

}  // namespace strata::db

#endif  // STRATA_DB_CONNECTION_H_
