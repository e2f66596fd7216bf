#include "db/mariadb/errors.h"

#include <errmsg.h>
#include <fmt/format.h>
#include <mysqld_error.h>

namespace strata::db::mariadb {
namespace {

// MySQL 8.0.24+ sends this before closing an idle connection. MariaDB uses the same number
// for ER_REFERENCED_TRG_DOES_NOT_EXIST, so it only means "lost" when talking to MySQL.
constexpr unsigned int kMySqlIdleDisconnected = 4031;  // ER_CLIENT_INTERACTION_TIMEOUT

bool IsCancellation(unsigned int number) {
  return number == ER_QUERY_INTERRUPTED || number == ER_STATEMENT_TIMEOUT;
}

bool IsRetryableConflict(unsigned int number) {
  return number == ER_LOCK_DEADLOCK || number == ER_LOCK_WAIT_TIMEOUT;
}

// Failures to connect where trying again later may work.
bool IsRetryableConnectFailure(unsigned int number) {
  return number == CR_CONNECTION_ERROR || number == CR_CONN_HOST_ERROR ||
         number == CR_SERVER_LOST || number == ER_CON_COUNT_ERROR || number == ER_SERVER_SHUTDOWN;
}

Error WithCodes(Error error, const ClientError& client) {
  error.server_errno = static_cast<int>(client.number);
  error.sqlstate = client.sqlstate;
  return error;
}

}  // namespace

ClientError LastError(MYSQL* mysql) {
  return {mysql_errno(mysql), mysql_sqlstate(mysql), mysql_error(mysql)};
}

ClientError LastError(MYSQL_STMT* stmt) {
  return {mysql_stmt_errno(stmt), mysql_stmt_sqlstate(stmt), mysql_stmt_error(stmt)};
}

bool IsLostConnection(unsigned int number, bool server_is_mysql) {
  return number == CR_SERVER_GONE_ERROR || number == CR_SERVER_LOST ||
         number == CR_SERVER_LOST_EXTENDED || number == ER_CONNECTION_KILLED ||
         number == ER_SERVER_SHUTDOWN || (server_is_mysql && number == kMySqlIdleDisconnected);
}

std::string ScrubPassword(std::string text, const std::optional<std::string>& password) {
  if (!password || password->empty()) return text;
  for (std::size_t at = text.find(*password); at != std::string::npos;
       at = text.find(*password, at + 3)) {
    text.replace(at, password->size(), "***");
  }
  return text;
}

Error ConnectFailure(const ClientError& error, const std::string& display_url,
                     const std::optional<std::string>& password) {
  Error out = WithCodes(Err(ErrorCode::kConnection,
                            ScrubPassword(fmt::format("cannot connect to {}: {} (error {})",
                                                      display_url, error.message, error.number),
                                          password)),
                        error);
  out.transient = IsRetryableConnectFailure(error.number);
  return out;
}

Error StatementFailure(const ClientError& error, const std::string& display_url,
                       bool server_is_mysql) {
  if (IsLostConnection(error.number, server_is_mysql)) {
    Error out = WithCodes(
        Err(ErrorCode::kConnection, fmt::format("connection to {} lost: {} (error {})", display_url,
                                                error.message, error.number)),
        error);
    out.transient = true;
    return out;
  }
  const ErrorCode code =
      IsCancellation(error.number) ? ErrorCode::kCancelled : ErrorCode::kDatabase;
  Error out = WithCodes(
      Err(code, fmt::format("ERROR {} ({}): {}", error.number, error.sqlstate, error.message)),
      error);
  out.transient = IsRetryableConflict(error.number);
  return out;
}

}  // namespace strata::db::mariadb
