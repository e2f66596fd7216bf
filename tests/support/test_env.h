// Helpers for integration tests against real servers.
//
// tests/with-servers starts throwaway PostgreSQL 15 and MariaDB servers and exports
//   STRATA_TEST_POSTGRES_URL   e.g. postgresql://postgres@127.0.0.1:55432/postgres
//   STRATA_TEST_MARIADB_URL    e.g. mariadb://root@127.0.0.1:53306/mysql
// A test that needs a server and finds its variable unset FAILS (never skips), saying how to
// start the servers.
#ifndef STRATA_TESTS_SUPPORT_TEST_ENV_H_
#define STRATA_TESTS_SUPPORT_TEST_ENV_H_

#include <gtest/gtest.h>

#include <cstdint>
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
  // The whole database (schema, data, routines, events, strata's tables) as the engine's own
  // dump tool writes it: pg_dump (from $STRATA_TEST_POSTGRES_BIN when set), mariadb-dump,
  // sqlite3 .dump. For proving that dry runs change nothing. "" after recording a failure.
  std::string Dump() const;

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

// The root of the source tree the tests were built from.
std::filesystem::path SourceDir();

// A directory path of the running test's own: <temp dir>/strata_<prefix>_<pid>_<test name>,
// with a parameterised test's "/" (e.g. "Name/sqlite") turned into "_", so that it is one
// directory which a remove_all takes away whole. Anything an earlier, crashed run left there
// is removed; the directory itself is not created.
std::filesystem::path TestTempDir(std::string_view prefix);

// The three dialects, for parameterised tests:
// INSTANTIATE_TEST_SUITE_P(All, X, ::testing::ValuesIn(kAllDialects), DialectParamName).
inline constexpr db::Dialect kAllDialects[] = {db::Dialect::kPostgres, db::Dialect::kMariaDb,
                                               db::Dialect::kSqlite};

// Names a parameterised test's instance after its dialect: "postgresql", "mariadb", "sqlite".
inline std::string DialectParamName(const ::testing::TestParamInfo<db::Dialect>& info) {
  return db::DialectName(info.param);
}

// The first column of the first row of `sql` as an integer: -1 when there is no row, and
// after recording a failure when the query fails or the value is not an integer.
std::int64_t QueryInt(db::Connection& conn, std::string_view sql, const db::Params& params = {});

// Runs `sql` (one or more statements); records a failure naming the SQL on error.
void ExecOrFail(db::Connection& conn, std::string_view sql);

// A test run once per dialect (parameterised by db::Dialect) with a scratch database and a
// connection to it. A fixture that extends SetUp() calls ScratchDatabaseTest::SetUp() first
// and returns when HasFatalFailure().
class ScratchDatabaseTest : public ::testing::TestWithParam<db::Dialect> {
 protected:
  void SetUp() override;

  db::Dialect dialect() const { return GetParam(); }
  void Exec(std::string_view sql) { ExecOrFail(*conn_, sql); }
  std::int64_t Scalar(std::string_view sql) { return QueryInt(*conn_, sql); }

  std::unique_ptr<ScratchDatabase> scratch_;
  std::unique_ptr<db::Connection> conn_;
};

}  // namespace strata::testing

#endif  // STRATA_TESTS_SUPPORT_TEST_ENV_H_
