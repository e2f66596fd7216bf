#include "db/postgres/postgres_connection.h"

namespace strata::db::postgres {

Result<std::unique_ptr<Connection>> Connect(const Url& /*url*/, const ConnectOptions& /*options*/) {
  return Err(ErrorCode::kUnsupported, "the postgres driver is not built yet");
}

}  // namespace strata::db::postgres
