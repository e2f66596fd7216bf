// Opening a connection from a URL: the one place that knows every driver. Linked by cli/
// and tests only (target strata::db_drivers); engines receive a db::Connection.
#ifndef STRATA_DB_OPEN_H_
#define STRATA_DB_OPEN_H_

#include <memory>

#include "base/result.h"
#include "db/connection.h"
#include "db/url.h"

namespace strata::db {

// Opens a connection with the driver for `url.dialect`.
Result<std::unique_ptr<Connection>> Open(const Url& url, const ConnectOptions& options = {});

}  // namespace strata::db

#endif  // STRATA_DB_OPEN_H_
