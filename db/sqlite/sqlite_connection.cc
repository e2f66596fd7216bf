#include "db/sqlite/sqlite_connection.h"

namespace strata::db::sqlite {

Result<std::unique_ptr<Connection>> Connect(const Url& /*url*/, const ConnectOptions& /*options*/) {
  return Err(ErrorCode::kUnsupported, "the sqlite driver is not built yet");
}

}  // namespace strata::db::sqlite
