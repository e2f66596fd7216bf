// Turning Connector/C and server errors into strata Errors. Internal to the mariadb driver.
//
// Classification:
//   lost connection (2006 gone away, 2013/2055 lost, 1927 connection killed, 1053 server
//   shutdown; MySQL only: 4031 disconnected for inactivity) -> kConnection, transient
//   1317 query interrupted, 1969 max_statement_time    -> kCancelled
//   1213 deadlock, 1205 lock wait timeout               -> kDatabase, transient
//   anything else from a statement                      -> kDatabase
// Connect failures are kConnection; transient when the server may just be starting,
// restarting or full (2002/2003 cannot connect, 2013 lost in the handshake, 1040 too many
// connections), not for bad credentials or an unknown database.
#ifndef STRATA_DB_MARIADB_ERRORS_H_
#define STRATA_DB_MARIADB_ERRORS_H_

#include <mysql.h>

#include <optional>
#include <string>

#include "base/result.h"

namespace strata::db::mariadb {

// The last error Connector/C recorded on a handle or statement.
struct ClientError {
  unsigned int number = 0;
  std::string sqlstate;
  std::string message;
};
ClientError LastError(MYSQL* mysql);
ClientError LastError(MYSQL_STMT* stmt);

// True for errors after which the connection is unusable. `server_is_mysql`: the server is
// MySQL rather than MariaDB (a few numbers differ).
bool IsLostConnection(unsigned int number, bool server_is_mysql);

// The error for a failed connection attempt to `display_url`: "cannot connect to <url>: <text>
// (error N)", with every occurrence of `password` replaced by "***" as a last line of defence.
Error ConnectFailure(const ClientError& error, const std::string& display_url,
                     const std::optional<std::string>& password);

// The error for a failed statement, e.g. "ERROR 1062 (23000): Duplicate entry ..." (lost
// connections name `display_url` instead, since the statement is not the problem).
Error StatementFailure(const ClientError& error, const std::string& display_url,
                       bool server_is_mysql);

// Replaces every occurrence of a non-empty `password` in `text` with "***".
std::string ScrubPassword(std::string text, const std::optional<std::string>& password);

}  // namespace strata::db::mariadb

#endif  // STRATA_DB_MARIADB_ERRORS_H_
