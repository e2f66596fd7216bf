// Turning libpqxx exceptions and libpq's text into strata Errors. Internal to the postgres
// driver.
//
// Classification:
//   broken connection                                    -> kConnection, transient
//   57014 from a cancel request                          -> kCancelled
//   57014 from statement_timeout, every other SQLSTATE   -> kDatabase
//   transient SQLSTATEs: 40001 serialization failure, 40P01 deadlock, 55P03 lock not
//   available, 53300 too many connections, class 08 (connection exceptions), 57P01-57P03
//   (shutdown, cannot connect now)
// Messages are one line: the server's primary message, syntax errors with the line and column
// in the statement, and (on request) the server's first CONTEXT line. Every secret passed in
// is masked as "***".
#ifndef STRATA_DB_POSTGRES_ERRORS_H_
#define STRATA_DB_POSTGRES_ERRORS_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace strata::db::postgres {

// libpq's messages span lines ("...failed: Connection refused\n\tIs the server running...");
// an Error message is one line, so the lines are joined with "; " and runs of spaces and tabs
// collapsed.
std::string OneLine(std::string_view text);

// The server's primary message: the first line of libpq's text without its "ERROR:  " prefix.
std::string PrimaryMessage(std::string_view what);

// Masks every occurrence of a secret with "***". libpq does not put passwords into its
// messages, but the contract is that no message ever contains one, so every message passes
// through here.
std::string Scrub(std::string text, const std::vector<std::string>& secrets);

// Line and column (1-based) of the 1-based character `position` in `sql`. PostgreSQL counts
// characters, not bytes, so UTF-8 continuation bytes do not advance the column.
std::pair<int, int> LineAndColumn(std::string_view sql, int position);

// Whether an error with this SQLSTATE may go away when the work is retried.
bool IsTransientSqlstate(std::string_view sqlstate);

// Who is talking to which server, for wording errors.
struct ErrorContext {
  const std::string& display_url;           // the redacted URL
  const std::vector<std::string>& secrets;  // masked in every message
};

// The error for the exception being handled. `sql` is the text sent, for syntax error
// positions; `with_context` adds the server's CONTEXT line (COPY names the input line there).
// REQUIRES: called from a catch block.
Error ErrorFromCurrentException(std::string_view sql, bool with_context,
                                const ErrorContext& context);

// A server error with `sqlstate` from libpq's text `what`.
Error ServerError(std::string sqlstate, std::string_view what, bool with_context,
                  const std::vector<std::string>& secrets);

}  // namespace strata::db::postgres

#endif  // STRATA_DB_POSTGRES_ERRORS_H_
