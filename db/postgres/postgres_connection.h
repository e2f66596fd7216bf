// The PostgreSQL driver, over libpqxx 6.4. See db/connection.h for the contract every driver
// keeps; this header adds what is specific to PostgreSQL.
//
// - Connect builds a libpq conninfo from the URL: host, port, user, password (the URL's, else
//   ConnectOptions::password), dbname, connect_timeout and application_name from the options,
//   then every URL query parameter as a libpq keyword (a parameter overrides the option of the
//   same name, e.g. ?application_name=x or ?connect_timeout=3). Failures are kConnection with
//   one line naming the redacted URL and libpq's reason.
// - Query without parameters uses the simple query protocol, with parameters the extended
//   protocol. Parameters are sent as text and the server infers their types from the
//   statement, so cast where the type is ambiguous ($1::bigint). The simple protocol would also
//   run several statements and return the last one's rows: pass exactly one. Strings holding a
//   NUL byte are refused (kInvalidArgument): PostgreSQL text cannot hold one.
// - Rows::affected counts the rows an INSERT/UPDATE/DELETE/MERGE (also with RETURNING), CREATE
//   TABLE AS or COPY changed; it is 0 for queries.
// - Begin/Commit/Rollback send BEGIN [ISOLATION LEVEL ...][, READ ONLY] / COMMIT / ROLLBACK.
//   Send transaction control only through them, not through Query or ExecuteScript, or
//   InTransaction() no longer tells the truth. After a statement fails inside a transaction,
//   PostgreSQL ignores everything until the transaction ends: Rollback works, and Commit rolls
//   back and returns kDatabase (SQLSTATE 25P02) saying so.
// - CopyFrom takes `COPY table [(columns)] FROM STDIN [options]` as written (text, CSV, any
//   options) and streams `data` unchanged through the COPY protocol.
// - Errors: server errors are kDatabase with the SQLSTATE and the server's primary message;
//   syntax errors add the line and column in the statement, COPY errors the input line.
//   57014 is kCancelled when a cancel request caused it (statement_timeout stays kDatabase).
//   Deadlock (40P01), serialization failure (40001), lock not available (55P03) and
//   connection-class errors (08xxx, 57P01-57P03, 53300) are transient. A lost connection is
//   kConnection and transient, and so is every later call on this connection: open a new one.
// - Server notices (RAISE NOTICE, WARNING) go to spdlog (warnings at warn, the rest at debug),
//   never to stderr.
#ifndef STRATA_DB_POSTGRES_POSTGRES_CONNECTION_H_
#define STRATA_DB_POSTGRES_POSTGRES_CONNECTION_H_

#include <memory>

#include "base/result.h"
#include "db/connection.h"
#include "db/url.h"

namespace strata::db::postgres {

// Opens a connection to `url` (whose dialect must be this driver's).
Result<std::unique_ptr<Connection>> Connect(const Url& url, const ConnectOptions& options);

}  // namespace strata::db::postgres

#endif  // STRATA_DB_POSTGRES_POSTGRES_CONNECTION_H_
