// The sqlite driver. See db/connection.h for the contract every driver keeps.
//
// SQLite is strata's embedded default: no server, the database is a local file.
//
// URL (see db/url.h): `sqlite:path/to/file.db`, `sqlite:///abs/path.db` or `sqlite::memory:`.
// Parameters:
//   mode=rwc           read-write, create the file if missing (default)
//   mode=rw            read-write, the file must exist
//   mode=ro            read-only; every write fails with SQLITE_READONLY
//   busy_timeout=MS    how long a statement waits for another connection's lock before failing
//                      with SQLITE_BUSY (transient); default 10000, 0 fails at once
// Any other parameter is rejected (kInvalidArgument) so that a typo never goes unnoticed.
// ConnectOptions are not used: there is nothing to time out, name or authenticate.
//
// Behaviour:
// - Every connection runs with extended result codes and `PRAGMA foreign_keys = ON`.
// - Connect reads the file header, so a missing directory, an unreadable file or a file that
//   is not a database fails at Connect with kConnection naming the path.
// - server(): product "SQLite", the library version, e.g. "3.40.1" → 34001. session_id(): 0.
// - Query cells: NULL → nullopt; integers in decimal; reals in the shortest form that reads
//   back to the same double, always with a '.' or an exponent ("3.0", "0.1", "1e+100", "Inf");
//   text as stored; BLOBs as their raw bytes.
// - Query runs exactly one statement: more than whitespace, comments or ';' after it is
//   kInvalidArgument. Parameters are bound by position (?1, ?2, … — Placeholder(kSqlite, n))
//   and their number must match the statement's.
// - Errors: server_errno is the extended result code, sqlstate its name (e.g.
//   "SQLITE_CONSTRAINT_UNIQUE"); SQLITE_BUSY / SQLITE_LOCKED are transient, SQLITE_INTERRUPT is
//   kCancelled. Syntax errors name their line and column.
// - Transactions: Begin issues BEGIN (or BEGIN IMMEDIATE); TxOptions::isolation is ignored
//   because SQLite transactions are always serializable. A read-only transaction sets
//   `PRAGMA query_only` until the transaction ends — also when SQLite ends it on its own after
//   an error. Rollback without an open transaction (e.g. after SQLite rolled it back) is a
//   no-op; Commit without one is an error.
// - CopyFrom: kUnsupported.
// - Threads: one thread at a time uses a connection (db/connection.h). The handle is opened in
//   SQLite's serialized mode (SQLITE_OPEN_FULLMUTEX) anyway: the cost is an uncontended mutex
//   per call, and a misuse from a second thread then stays memory-safe instead of corrupting
//   the handle. The Canceler calls sqlite3_interrupt, which SQLite allows from any thread.
#ifndef STRATA_DB_SQLITE_SQLITE_CONNECTION_H_
#define STRATA_DB_SQLITE_SQLITE_CONNECTION_H_

#include <memory>

#include "base/result.h"
#include "db/connection.h"
#include "db/url.h"

namespace strata::db::sqlite {

// Opens a connection to `url` (whose dialect must be this driver's).
Result<std::unique_ptr<Connection>> Connect(const Url& url, const ConnectOptions& options);

}  // namespace strata::db::sqlite

#endif  // STRATA_DB_SQLITE_SQLITE_CONNECTION_H_
