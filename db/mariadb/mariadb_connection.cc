#include "db/mariadb/mariadb_connection.h"

namespace strata::db::mariadb {

Result<std::unique_ptr<Connection>> Connect(const Url& /*url*/, const ConnectOptions& /*options*/) {
  return Err(ErrorCode::kUnsupported, "the mariadb driver is not built yet");
}

}  // namespace strata::db::mariadb
