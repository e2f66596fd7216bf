#include "db/sqlite/sqlite_error.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <string_view>
#include <utility>

namespace strata::db::sqlite {
namespace {

struct NamedCode {
  int code;
  std::string_view name;
};

// Every result code of sqlite3.h 3.40 except SQLITE_ROW and SQLITE_DONE, which are not errors.
// The macro spells each name once, so the table cannot disagree with the header.
#define CODE(c) \
  NamedCode { c, #c }
// One line per primary code, followed by its extended codes.
// clang-format off
constexpr NamedCode kNamedCodes[] = {
    CODE(SQLITE_OK), CODE(SQLITE_OK_LOAD_PERMANENTLY), CODE(SQLITE_OK_SYMLINK),
    CODE(SQLITE_ERROR), CODE(SQLITE_ERROR_MISSING_COLLSEQ), CODE(SQLITE_ERROR_RETRY),
        CODE(SQLITE_ERROR_SNAPSHOT),
    CODE(SQLITE_INTERNAL),
    CODE(SQLITE_PERM),
    CODE(SQLITE_ABORT), CODE(SQLITE_ABORT_ROLLBACK),
    CODE(SQLITE_BUSY), CODE(SQLITE_BUSY_RECOVERY), CODE(SQLITE_BUSY_SNAPSHOT),
        CODE(SQLITE_BUSY_TIMEOUT),
    CODE(SQLITE_LOCKED), CODE(SQLITE_LOCKED_SHAREDCACHE), CODE(SQLITE_LOCKED_VTAB),
    CODE(SQLITE_NOMEM),
    CODE(SQLITE_READONLY), CODE(SQLITE_READONLY_RECOVERY), CODE(SQLITE_READONLY_CANTLOCK),
        CODE(SQLITE_READONLY_ROLLBACK), CODE(SQLITE_READONLY_DBMOVED),
        CODE(SQLITE_READONLY_CANTINIT), CODE(SQLITE_READONLY_DIRECTORY),
    CODE(SQLITE_INTERRUPT),
    CODE(SQLITE_IOERR), CODE(SQLITE_IOERR_READ), CODE(SQLITE_IOERR_SHORT_READ),
        CODE(SQLITE_IOERR_WRITE), CODE(SQLITE_IOERR_FSYNC), CODE(SQLITE_IOERR_DIR_FSYNC),
        CODE(SQLITE_IOERR_TRUNCATE), CODE(SQLITE_IOERR_FSTAT), CODE(SQLITE_IOERR_UNLOCK),
        CODE(SQLITE_IOERR_RDLOCK), CODE(SQLITE_IOERR_DELETE), CODE(SQLITE_IOERR_BLOCKED),
        CODE(SQLITE_IOERR_NOMEM), CODE(SQLITE_IOERR_ACCESS), CODE(SQLITE_IOERR_CHECKRESERVEDLOCK),
        CODE(SQLITE_IOERR_LOCK), CODE(SQLITE_IOERR_CLOSE), CODE(SQLITE_IOERR_DIR_CLOSE),
        CODE(SQLITE_IOERR_SHMOPEN), CODE(SQLITE_IOERR_SHMSIZE), CODE(SQLITE_IOERR_SHMLOCK),
        CODE(SQLITE_IOERR_SHMMAP), CODE(SQLITE_IOERR_SEEK), CODE(SQLITE_IOERR_DELETE_NOENT),
        CODE(SQLITE_IOERR_MMAP), CODE(SQLITE_IOERR_GETTEMPPATH), CODE(SQLITE_IOERR_CONVPATH),
        CODE(SQLITE_IOERR_VNODE), CODE(SQLITE_IOERR_AUTH), CODE(SQLITE_IOERR_BEGIN_ATOMIC),
        CODE(SQLITE_IOERR_COMMIT_ATOMIC), CODE(SQLITE_IOERR_ROLLBACK_ATOMIC),
        CODE(SQLITE_IOERR_DATA), CODE(SQLITE_IOERR_CORRUPTFS),
    CODE(SQLITE_CORRUPT), CODE(SQLITE_CORRUPT_VTAB), CODE(SQLITE_CORRUPT_SEQUENCE),
        CODE(SQLITE_CORRUPT_INDEX),
    CODE(SQLITE_NOTFOUND),
    CODE(SQLITE_FULL),
    CODE(SQLITE_CANTOPEN), CODE(SQLITE_CANTOPEN_NOTEMPDIR), CODE(SQLITE_CANTOPEN_ISDIR),
        CODE(SQLITE_CANTOPEN_FULLPATH), CODE(SQLITE_CANTOPEN_CONVPATH),
        CODE(SQLITE_CANTOPEN_DIRTYWAL), CODE(SQLITE_CANTOPEN_SYMLINK),
    CODE(SQLITE_PROTOCOL),
    CODE(SQLITE_EMPTY),
    CODE(SQLITE_SCHEMA),
    CODE(SQLITE_TOOBIG),
    CODE(SQLITE_CONSTRAINT), CODE(SQLITE_CONSTRAINT_CHECK), CODE(SQLITE_CONSTRAINT_COMMITHOOK),
        CODE(SQLITE_CONSTRAINT_FOREIGNKEY), CODE(SQLITE_CONSTRAINT_FUNCTION),
        CODE(SQLITE_CONSTRAINT_NOTNULL), CODE(SQLITE_CONSTRAINT_PRIMARYKEY),
        CODE(SQLITE_CONSTRAINT_TRIGGER), CODE(SQLITE_CONSTRAINT_UNIQUE),
        CODE(SQLITE_CONSTRAINT_VTAB), CODE(SQLITE_CONSTRAINT_ROWID), CODE(SQLITE_CONSTRAINT_PINNED),
        CODE(SQLITE_CONSTRAINT_DATATYPE),
    CODE(SQLITE_MISMATCH),
    CODE(SQLITE_MISUSE),
    CODE(SQLITE_NOLFS),
    CODE(SQLITE_AUTH), CODE(SQLITE_AUTH_USER),
    CODE(SQLITE_FORMAT),
    CODE(SQLITE_RANGE),
    CODE(SQLITE_NOTADB),
    CODE(SQLITE_NOTICE), CODE(SQLITE_NOTICE_RECOVER_WAL), CODE(SQLITE_NOTICE_RECOVER_ROLLBACK),
    CODE(SQLITE_WARNING), CODE(SQLITE_WARNING_AUTOINDEX),
};
// clang-format on
#undef CODE

int PrimaryCode(int code) { return code & 0xff; }

}  // namespace

std::string ResultCodeName(int code) {
  const auto* found = std::find_if(std::begin(kNamedCodes), std::end(kNamedCodes),
                                   [code](const NamedCode& c) { return c.code == code; });
  if (found != std::end(kNamedCodes)) return std::string(found->name);
  return fmt::format("SQLITE_{}", code);
}

bool IsTransientCode(int code) {
  const int primary = PrimaryCode(code);
  return primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
}

ErrorCode ErrorCodeFor(int code) {
  switch (PrimaryCode(code)) {
    case SQLITE_INTERRUPT:
      return ErrorCode::kCancelled;
    case SQLITE_CANTOPEN:
    case SQLITE_NOTADB:
      return ErrorCode::kConnection;
    case SQLITE_IOERR:
      return ErrorCode::kIo;
    case SQLITE_MISUSE:
      return ErrorCode::kInternal;
    default:
      return ErrorCode::kDatabase;
  }
}

Error SqliteError(int code, std::string message) {
  Error error = Err(ErrorCodeFor(code), std::move(message));
  error.sqlstate = ResultCodeName(code);
  error.server_errno = code;
  error.transient = IsTransientCode(code);
  return error;
}

}  // namespace strata::db::sqlite
