// Statements and their results in the form libpqxx 6.4 takes and gives them. Internal to the
// postgres driver.
#ifndef STRATA_DB_POSTGRES_STATEMENT_H_
#define STRATA_DB_POSTGRES_STATEMENT_H_

#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "db/connection.h"

namespace strata::db::postgres {

// Parameters as text (nullopt: NULL); the server parses them as the type the statement gives
// them, as it does for every libpqxx 6.4 parameter. A string holding a NUL byte is
// kInvalidArgument: PostgreSQL text cannot hold one.
Result<std::vector<std::optional<std::string>>> ParamTexts(const Params& params);

// The rows of `result` as text. Rows::affected is the server's count for statements that
// change rows (INSERT/UPDATE/DELETE/MERGE, also with RETURNING; CREATE TABLE AS, COPY) and 0
// for queries; `sql` is the statement that produced `result`.
Rows ToRows(const pqxx::result& result, std::string_view sql);

// BEGIN [ISOLATION LEVEL ...][, READ ONLY].
std::string BeginStatement(const TxOptions& options);

// What follows the COPY keyword in `statement`, without trailing semicolons and comments; an
// error unless `statement` is one COPY ... FROM STDIN.
Result<std::string> CopyFromStdinBody(std::string_view statement);

}  // namespace strata::db::postgres

#endif  // STRATA_DB_POSTGRES_STATEMENT_H_
