// Database URLs: parsing, percent-decoding and redaction.
//
// Accepted forms:
//   postgresql://[user[:password]@]host[:port][/database][?key=value&...]   (also postgres://)
//   mariadb://[user[:password]@]host[:port][/database][?key=value&...]      (also mysql://)
//   sqlite:path/to/file.db   sqlite:///absolute/path.db   sqlite::memory:
// User, password, database and parameter values are percent-decoded. An IPv6 host is written
// in brackets. Query parameters are kept in order and passed to the driver (libpq keywords for
// PostgreSQL; TLS options for MariaDB).
#ifndef STRATA_DB_URL_H_
#define STRATA_DB_URL_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "db/dialect.h"

namespace strata::db {

struct Url {
  Dialect dialect = Dialect::kSqlite;
  std::string scheme;                   // as written: "postgres", "mysql", ...
  std::string user;                     // decoded; empty when absent
  std::optional<std::string> password;  // decoded; nullopt when absent
  std::string host;                     // without brackets; empty when absent
  int port = 0;                         // 0 when absent (driver default)
  std::string database;                 // decoded; SQLite: the file path or ":memory:"
  std::vector<std::pair<std::string, std::string>> params;  // decoded, in order

  // The value of parameter `key`, if present.
  std::optional<std::string> Param(std::string_view key) const;

  // The URL for display: the password (if any) replaced by "***". Never contains the
  // password, also not inside parameters such as `password=`.
  std::string Redacted() const;
};

// Parses `text`. Errors (kInvalidArgument) name the wrong part and never echo a password.
Result<Url> ParseUrl(std::string_view text);

// Redacts a URL-like string that may not parse: the part between "//user:" and "@" and any
// `password=` parameter value become "***". For error messages about unparsable input.
std::string RedactUrlText(std::string_view text);

}  // namespace strata::db

#endif  // STRATA_DB_URL_H_
