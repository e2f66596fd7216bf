// The MariaDB/MySQL driver over MariaDB Connector/C. See db/connection.h for the contract
// every driver keeps; this header adds what is particular to MariaDB.
//
// Connecting: mariadb://user:password@host:port/database?params (also mysql://). The port
// defaults to 3306; host "localhost" means the unix socket (use 127.0.0.1 for TCP). The
// password comes from the URL, else ConnectOptions::password. URL parameters (TLS modes,
// ssl-ca/ssl-cert/ssl-key, socket, program_name, connect_timeout) are listed in
// db/mariadb/connect.h; unknown ones are kInvalidArgument. The session uses utf8mb4 and
// keeps the server's sql_mode, so statements behave as in the mariadb client. Connector/C
// never reconnects silently: a lost connection stays lost (kConnection, transient) and the
// caller opens a new one.
//
// Statements: Query() without parameters uses the text protocol, with parameters a
// prepared statement ('?' placeholders); both return the same text for the same values
// (e.g. DATETIME '2024-01-02 03:04:05'). Rows::affected counts changed rows as MariaDB does:
// an UPDATE that leaves a row as it was does not count it, INSERT ... ON DUPLICATE KEY UPDATE
// counts 1 per insert and 2 per update; for statements that return rows it is 0, except for
// INSERT/REPLACE/DELETE ... RETURNING, where it is the number of rows returned.
// ExecuteBatch prepares the statement once and, on MariaDB 10.2.7+, sends the rows with
// array binding (COM_STMT_BULK_EXECUTE) in packets of at most 4 MiB of values; the server runs
// a batched INSERT ... VALUES as one "simple insert", so it takes InnoDB's light auto-increment
// mutex rather than the table-level AUTO-INC lock that INSERT ... SELECT holds to the end of
// the statement. On MySQL it executes the prepared statement row by row.
//
// Transactions: DDL commits implicitly on MariaDB; InTransaction() reads the server's status
// flag, so it turns false after such a statement. Begin() refuses to run while a transaction
// is open, because START TRANSACTION would silently commit it.
//
// Cancelling: the Canceler opens a second connection with the same credentials and runs
// KILL QUERY <connection id>. Some statements end normally when killed (SLEEP() returns 1,
// GET_LOCK() returns NULL, a SELECT may return only part of its rows), so a statement
// during which Cancel() sent its KILL reports kCancelled even if the server answered
// without error; in autocommit mode its changes may nevertheless be committed.
// Cancel() blocks the connection's next statement until the KILL has been sent, so it can
// never hit a later statement.
//
// Threads: no setup is needed. The driver initialises Connector/C once per process and
// registers each thread that uses it (mysql_thread_init, with mysql_thread_end at thread exit).
#ifndef STRATA_DB_MARIADB_MARIADB_CONNECTION_H_
#define STRATA_DB_MARIADB_MARIADB_CONNECTION_H_

#include <memory>

#include "base/result.h"
#include "db/connection.h"
#include "db/url.h"

namespace strata::db::mariadb {

// Opens a connection to `url` (whose dialect must be this driver's). Failures are
// kConnection naming the redacted URL (transient when the server could not be reached),
// or kInvalidArgument for a URL this driver cannot use.
Result<std::unique_ptr<Connection>> Connect(const Url& url, const ConnectOptions& options);

}  // namespace strata::db::mariadb

#endif  // STRATA_DB_MARIADB_MARIADB_CONNECTION_H_
