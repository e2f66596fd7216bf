// SQLite result codes as strata Errors: one place decides which codes are transient and which
// ErrorCode each maps to, so the connection code only says *where* a failure happened.
#ifndef STRATA_DB_SQLITE_SQLITE_ERROR_H_
#define STRATA_DB_SQLITE_SQLITE_ERROR_H_

#include <string>

#include "base/result.h"

namespace strata::db::sqlite {

// The symbolic name of a (possibly extended) result code, e.g. "SQLITE_BUSY" or
// "SQLITE_CONSTRAINT_UNIQUE"; "SQLITE_<number>" for a code this table does not know.
std::string ResultCodeName(int code);

// Whether retrying the same work may succeed: SQLITE_BUSY and SQLITE_LOCKED (another
// connection holds a lock), including their extended codes.
bool IsTransientCode(int code);

// The strata ErrorCode for a failed (extended) result code: SQLITE_INTERRUPT → kCancelled,
// SQLITE_CANTOPEN / SQLITE_NOTADB → kConnection, SQLITE_IOERR → kIo, SQLITE_MISUSE →
// kInternal, everything else → kDatabase.
ErrorCode ErrorCodeFor(int code);

// The Error for a failed call that returned `code`: `message` as given, sqlstate the code's
// name, server_errno the code, transient per IsTransientCode.
Error SqliteError(int code, std::string message);

}  // namespace strata::db::sqlite

#endif  // STRATA_DB_SQLITE_SQLITE_ERROR_H_
