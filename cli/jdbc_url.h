// JDBC URLs, as Flyway's configuration writes them, turned into strata's URLs.
#ifndef STRATA_CLI_JDBC_URL_H_
#define STRATA_CLI_JDBC_URL_H_

#include <filesystem>
#include <string>
#include <string_view>

#include "base/result.h"

namespace strata::cli {

// A JDBC URL (`jdbc:postgresql://host:5432/db?sslmode=require`, `jdbc:mariadb://…`,
// `jdbc:mysql://…`, `jdbc:sqlite:path`) as a strata URL, with `user` (when not empty) as its
// user. A relative SQLite path resolves against `base_dir` when that is not empty. Errors
// never echo a password.
Result<std::string> TranslateJdbcUrl(std::string_view jdbc, const std::string& user,
                                     const std::filesystem::path& base_dir);

}  // namespace strata::cli

#endif  // STRATA_CLI_JDBC_URL_H_
