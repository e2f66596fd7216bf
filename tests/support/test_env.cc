#include "tests/support/test_env.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdio>
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

std::string ScratchDatabase::Dump() const {
  auto url = db::ParseUrl(url_);
  EXPECT_TRUE(url);
  if (!url) return "";
  std::string command;
  switch (dialect_) {
    case db::Dialect::kPostgres: {
      const char* bin = std::getenv("STRATA_TEST_POSTGRES_BIN");
      // pg_dump >= 15.14 brackets its output with \restrict lines carrying a random key.
      command = fmt::format(
          "{}pg_dump --no-owner --no-privileges -d '{}' | grep -v -E '^\\\\(un)?restrict '",
          bin ? std::string(bin) + "/" : "", url_);
      break;
    }
    case db::Dialect::kMariaDb:
      command = fmt::format(
          "mariadb-dump --no-defaults --protocol=tcp -h '{}' -P {} -u '{}' --routines "
          "--events --triggers --skip-dump-date --skip-comments --order-by-primary '{}'",
          url->host, url->port, url->user, url->database);
      break;
    case db::Dialect::kSqlite:
      command = fmt::format("sqlite3 '{}' .dump", url->database);
      break;
  }
  std::string out;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen((command + " 2>&1").c_str(), "r"), ::pclose);
  EXPECT_NE(pipe, nullptr) << command;
  if (!pipe) return "";
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe.get())) > 0) {
    out.append(buffer.data(), n);
  }
  const int status = ::pclose(pipe.release());
  EXPECT_EQ(status, 0) << command << "\n" << out;
  EXPECT_GT(out.size(), 0u) << command;
  return out;
}

std::int64_t QueryInt(db::Connection& conn, std::string_view sql, const db::Params& params) {
  auto rows = conn.Query(sql, params);
  EXPECT_TRUE(rows) << sql << ": " << (rows ? "" : rows.error().message);
  if (!rows || rows->empty()) return -1;
  auto value = rows->Int(0, 0);
  EXPECT_TRUE(value) << sql << ": " << (value ? "" : value.error().message);
  return value.value_or(-1);
}

void ExecOrFail(db::Connection& conn, std::string_view sql) {
  Status done = conn.ExecuteScript(sql);
  EXPECT_TRUE(done) << sql << ": " << (done ? "" : done.error().message);
}

void ScratchDatabaseTest::SetUp() {
  scratch_ = ScratchDatabase::Create(GetParam());
  ASSERT_NE(scratch_, nullptr);
  conn_ = scratch_->Connect();
  ASSERT_NE(conn_, nullptr);
}

std::filesystem::path SourceDir() { return STRATA_SOURCE_DIR; }

std::filesystem::path TestTempDir(std::string_view prefix) {
  std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
  std::replace(name.begin(), name.end(), '/', '_');
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              fmt::format("strata_{}_{}_{}", prefix, ::getpid(), name);
  std::filesystem::remove_all(dir);
  return dir;
}

}  // namespace strata::testing
