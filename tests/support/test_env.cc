#include "tests/support/test_env.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "db/open.h"

namespace strata::testing {
namespace {

constexpr const char* kHowToStart =
    "start the test servers first: tests/with-servers ctest ... (or run scripts/test), which "
    "exports STRATA_TEST_POSTGRES_URL and STRATA_TEST_MARIADB_URL";

std::string UniqueName() {
  static std::atomic<int> counter{0};
  return fmt::format("strata_t{}_{}", ::getpid(), counter++);
}

std::string ReplaceDatabase(const db::Url& url, const std::string& name) {
  // Rebuild with the same credentials: the URL is used by tests only, so it may carry a
  // test password; display code paths still go through Url::Redacted().
  std::string out = url.scheme + "://";
  if (!url.user.empty()) {
    out += url.user;
    if (url.password) {
      out += ':';
      out += *url.password;
    }
    out += "@";
  }
  out += url.host;
  if (url.port != 0) out += fmt::format(":{}", url.port);
  out += '/';
  out += name;
  char sep = '?';
  for (const auto& [k, v] : url.params) {
    out += sep;
    out += k;
    out += '=';
    out += v;
    sep = '&';
  }
  return out;
}

}  // namespace

std::optional<std::string> ServerUrl(db::Dialect dialect) {
  const char* var = nullptr;
  switch (dialect) {
    case db::Dialect::kPostgres:
      var = "STRATA_TEST_POSTGRES_URL";
      break;
    case db::Dialect::kMariaDb:
      var = "STRATA_TEST_MARIADB_URL";
      break;
    case db::Dialect::kSqlite:
      return std::string("sqlite::memory:");
  }
  const char* value = std::getenv(var);
  if (value == nullptr || *value == '\0') {
    ADD_FAILURE() << var << " is not set: " << kHowToStart;
    return std::nullopt;
  }
  return std::string(value);
}

std::unique_ptr<ScratchDatabase> ScratchDatabase::Create(db::Dialect dialect) {
  const std::string name = UniqueName();
  if (dialect == db::Dialect::kSqlite) {
    const auto path = std::filesystem::temp_directory_path() / (name + ".db");
    std::filesystem::remove(path);
    return std::unique_ptr<ScratchDatabase>(
        new ScratchDatabase(dialect, "", path.string(), "sqlite:" + path.string()));
  }
  const std::optional<std::string> admin = ServerUrl(dialect);
  if (!admin) return nullptr;
  auto parsed = db::ParseUrl(*admin);
  if (!parsed) {
    ADD_FAILURE() << "bad test server URL: " << parsed.error().message;
    return nullptr;
  }
  auto conn = db::Open(*parsed);
  if (!conn) {
    ADD_FAILURE() << "cannot reach the test server: " << conn.error().message << "; "
                  << kHowToStart;
    return nullptr;
  }
  auto created = (*conn)->Execute("CREATE DATABASE " + db::QuoteIdentifier(dialect, name));
  if (!created) {
    ADD_FAILURE() << "cannot create scratch database: " << created.error().message;
    return nullptr;
  }
  return std::unique_ptr<ScratchDatabase>(
      new ScratchDatabase(dialect, *admin, name, ReplaceDatabase(*parsed, name)));
}

ScratchDatabase::~ScratchDatabase() {
  if (dialect_ == db::Dialect::kSqlite) {
    // ".strata-lock": the migration lock's file beside the database (migrations/lock.h).
    for (const char* suffix : {"", "-journal", "-wal", "-shm", ".strata-lock"}) {
      std::filesystem::remove(name_ + suffix);
    }
    return;
  }
  auto parsed = db::ParseUrl(admin_url_);
  if (!parsed) return;
  auto conn = db::Open(*parsed);
  if (!conn) return;
  const std::string quoted = db::QuoteIdentifier(dialect_, name_);
  const std::string sql = dialect_ == db::Dialect::kPostgres
                              ? "DROP DATABASE IF EXISTS " + quoted + " WITH (FORCE)"
                              : "DROP DATABASE IF EXISTS " + quoted;
  (void)(*conn)->Execute(sql);
}

std::unique_ptr<db::Connection> ScratchDatabase::Connect() const {
  auto parsed = db::ParseUrl(url_);
  if (!parsed) {
    ADD_FAILURE() << parsed.error().message;
    return nullptr;
  }
  auto conn = db::Open(*parsed);
  if (!conn) {
    ADD_FAILURE() << "cannot connect to scratch database: " << conn.error().message;
    return nullptr;
  }
  return std::move(conn).value();
}

std::filesystem::path TestTempDir(std::string_view prefix) {
  std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
  std::replace(name.begin(), name.end(), '/', '_');
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              fmt::format("strata_{}_{}_{}", prefix, ::getpid(), name);
  std::filesystem::remove_all(dir);
  return dir;
}

}  // namespace strata::testing
