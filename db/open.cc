#include "db/open.h"

#include "db/mariadb/mariadb_connection.h"
#include "db/postgres/postgres_connection.h"
#include "db/sqlite/sqlite_connection.h"

namespace strata::db {

Result<std::unique_ptr<Connection>> Open(const Url& url, const ConnectOptions& options) {
  switch (url.dialect) {
    case Dialect::kPostgres:
      return postgres::Connect(url, options);
    case Dialect::kMariaDb:
      return mariadb::Connect(url, options);
    case Dialect::kSqlite:
      return sqlite::Connect(url, options);
  }
  return Err(ErrorCode::kInternal, "unknown dialect");
}

}  // namespace strata::db
