// The sqlite driver. See db/connection.h for the contract every driver keeps.
#ifndef STRATA_DB_SQLITE_SQLITE_CONNECTION_H_
#define STRATA_DB_SQLITE_SQLITE_CONNECTION_H_

#include <memory>

#include "base/result.h"
#include "db/connection.h"
#include "db/url.h"

namespace strata::db::sqlite {

// Opens a connection to `url` (whose dialect must be this driver's).
Result<std::unique_ptr<Connection>> Connect(const Url& url, const ConnectOptions& options);

}  // namespace strata::db::sqlite

#endif
