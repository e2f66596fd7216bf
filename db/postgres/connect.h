// The libpq conninfo string for a URL and ConnectOptions, and the secrets in them. Internal to
// the postgres driver (see postgres_connection.h for which settings come from where).
#ifndef STRATA_DB_POSTGRES_CONNECT_H_
#define STRATA_DB_POSTGRES_CONNECT_H_

#include <string>
#include <vector>

#include "base/result.h"
#include "db/connection.h"
#include "db/url.h"

namespace strata::db::postgres {

// "host='h' port='5432' ...": every value single-quoted with \ and ' escaped, so any
// character survives. A URL parameter that is not a libpq keyword (lower case and '_') is
// kInvalidArgument naming the redacted URL.
Result<std::string> BuildConninfo(const Url& url, const ConnectOptions& options);

// Every string that must never show up in a message: the passwords of the URL and the
// options, and the URL's password and sslpassword parameters.
std::vector<std::string> SecretsOf(const Url& url, const ConnectOptions& options);

}  // namespace strata::db::postgres

#endif  // STRATA_DB_POSTGRES_CONNECT_H_
