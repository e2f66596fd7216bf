// Helpers for integration tests against real servers.
//
// tests/with-servers starts throwaway PostgreSQL 15 and MariaDB servers and exports
//   STRATA_TEST_POSTGRES_URL   e.g. postgresql://postgres@127.0.0.1:55432/postgres
//   STRATA_TEST_MARIADB_URL    e.g. mariadb://root@127.0.0.1:53306/mysql
// A test that needs a server and finds its variable unset FAILS (never skips), saying how to
// start the servers.
#ifndef STRATA_TESTS_SUPPORT_TEST_ENV_H_
#define STRATA_TESTS_SUPPORT_TEST_ENV_H_

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "db/connection.h"
#include "db/dialect.h"
#include "db/url.h"

namespace strata::testing {

// The admin URL of the test server for `dialect` (SQLite: sqlite::memory:), or
// nullopt after recording a test failure that explains how to start the servers.
std::optional<std::string> ServerUrl(db::Dialect dialect);

// A database created for one test and dropped when the object dies: a uniquely named
// database on the PostgreSQL or MariaDB test server, or a temporary SQLite file.
class ScratchDatabase {
 public:
  // Returns nullptr after recording a failure when the server is unavailable.
  static std::unique_ptr<ScratchDatabase> Create(db::Dialect dialect);
  ~ScratchDatabase();
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;

  const std::string& url() const { return url_; }  // URL of the scratch database
  db::Dialect dialect() const { return dialect_; }
  // Opens a new connection to the scratch database; fails the test on error.
  std::unique_ptr<db::Connection> Connect() const;

 private:
  ScratchDatabase(db::Dialect dialect, std::string admin_url, std::string name, std::string url)
      : dialect_(dialect),
        admin_url_(std::move(admin_url)),
        name_(std::move(name)),
        url_(std::move(url)) {}
  db::Dialect dialect_;
  std::string admin_url_;
  std::string name_;
  std::string url_;
};

// A directory path of the running test's own: <temp dir>/strata_<prefix>_<pid>_<test name>,
// with a parameterised test's "/" (e.g. "Name/sqlite") turned into "_", so that it is one
// directory which a remove_all takes away whole. Anything an earlier, crashed run left there
// is removed; the directory itself is not created.
std::filesystem::path TestTempDir(std::string_view prefix);

// The three dialects, for parameterised tests: INSTANTIATE_TEST_SUITE_P(All, X, AllDialects(),
// DialectParamName).
inline constexpr db::Dialect kAllDialects[] = {db::Dialect::kPostgres, db::Dialect::kMariaDb,
                                               db::Dialect::kSqlite};

}  // namespace strata::testing

#endif  // STRATA_TESTS_SUPPORT_TEST_ENV_H_
