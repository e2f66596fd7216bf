// Running statements on a connected handle and buffering their results as text. Internal to
// the mariadb driver; the connection adds cancellation and lost-connection bookkeeping.
//
// Both protocols yield the same text for the same value: Connector/C formats binary-protocol
// values (DATETIME, DATE, TIME, DECIMAL, DOUBLE, FLOAT, ...) into MYSQL_TYPE_STRING buffers
// exactly as the server prints them in the text protocol, e.g. '2024-01-02 03:04:05',
// '2024-01-02 03:04:05.120', '1.50', '0.1'.
#ifndef STRATA_DB_MARIADB_STATEMENT_H_
#define STRATA_DB_MARIADB_STATEMENT_H_

#include <mysql.h>

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "db/connection.h"

namespace strata::db::mariadb {

// How to word errors: the redacted target and whether the server is MySQL (see errors.h).
struct ErrorContext {
  std::string display_url;
  bool server_is_mysql = false;
};

// One statement through the text protocol (mysql_real_query + mysql_store_result).
Result<Rows> RunText(MYSQL* mysql, std::string_view sql, const ErrorContext& context);

// One statement through the binary protocol with `params` bound to its '?' placeholders in
// order; a count mismatch is kInvalidArgument. On MariaDB one round trip (prepare and execute
// together), on MySQL two.
Result<Rows> RunPrepared(MYSQL* mysql, std::string_view sql, const Params& params,
                         const ErrorContext& context);

// One statement executed for every row of `rows` (see Connection::ExecuteBatch). With
// `bulk` (the server announced MARIADB_CLIENT_STMT_BULK_OPERATIONS) the rows are sent with
// array binding, in as few round trips as packets of a few MiB allow; without it the prepared
// statement runs once per row. Returns the rows changed in all.
Result<std::int64_t> RunBatch(MYSQL* mysql, std::string_view sql, const std::vector<Params>& rows,
                              bool bulk, const ErrorContext& context);

// Several statements in one round trip. Multi-statements are switched on for the call only.
// Every result is drained; the first failing statement stops the script and its error says
// "statement N of the script: ...".
Status RunScript(MYSQL* mysql, std::string_view script, const ErrorContext& context);

}  // namespace strata::db::mariadb

#endif  // STRATA_DB_MARIADB_STATEMENT_H_
