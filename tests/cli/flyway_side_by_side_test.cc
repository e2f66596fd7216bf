// Flyway and strata on the same database during the switch (docs/flyway-takeover.md). There is
// no Flyway here, so the test stands in for it with exactly what Flyway 9/10 leaves and takes:
// its history table (its DDL, its SCHEMA marker row for the schema it created, its BASELINE
// row, a migration row with Flyway's checksum, all written literally) and its lock (the
// PostgreSQL advisory lock key and the MariaDB GET_LOCK name, computed here as Flyway computes
// them, independently of strata's code). strata, run from the team's flyway.conf, must carry on
// from that history and wait for that lock.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "db/url.h"
#include "tests/support/run_strata.h"
#include "tests/support/test_env.h"
#include "tests/support/test_project.h"

namespace strata::testing {
namespace {

namespace fs = std::filesystem;

// Flyway's checksums (CRC32 of each line without its terminator, as a signed int) of the
// one-line scripts below, computed outside strata (Python's zlib.crc32).
constexpr std::int32_t kFooChecksum = 1983367575;  // "CREATE TABLE foo (id INT);"

// Java's String.hashCode() for ASCII text, as Flyway hashes the quoted history table name.
std::int32_t JavaHash(std::string_view text) {
  std::uint32_t h = 0;
  for (char c : text) h = 31 * h + static_cast<unsigned char>(c);
  return static_cast<std::int32_t>(h);
}

// Flyway's PostgreSQLAdvisoryLockTemplate: "Flyway" in ASCII plus the table's hash.
std::int64_t FlywayPostgresLockKey(std::string_view quoted_table) {
  constexpr std::int64_t kLockMagicNum =
      (0x46LL << 40) + (0x6CLL << 32) + (0x79LL << 24) + (0x77 << 16) + (0x61 << 8) + 0x79;
  return kLockMagicNum + JavaHash(quoted_table);
}

// Flyway's MySQLNamedLockTemplate (MySQL and MariaDB).
std::string FlywayMariaDbLockName(std::string_view quoted_table) {
  return fmt::format("Flyway-{}", JavaHash(quoted_table));
}

// Flyway's own DDL of flyway_schema_history in `schema` (empty: the connection's own), as
// Flyway 9/10 creates it on each engine.
std::vector<std::string> FlywayHistoryDdl(db::Dialect dialect, const std::string& schema) {
  const std::string q = schema.empty() ? "" : db::QuoteIdentifier(dialect, schema) + ".";
  switch (dialect) {
    case db::Dialect::kPostgres:
      return {fmt::format(
                  "CREATE TABLE {0}\"flyway_schema_history\" (\"installed_rank\" INT NOT NULL, "
                  "\"version\" VARCHAR(50), \"description\" VARCHAR(200) NOT NULL, \"type\" "
                  "VARCHAR(20) NOT NULL, \"script\" VARCHAR(1000) NOT NULL, \"checksum\" INTEGER, "
                  "\"installed_by\" VARCHAR(100) NOT NULL, \"installed_on\" TIMESTAMP NOT NULL "
                  "DEFAULT now(), \"execution_time\" INTEGER NOT NULL, \"success\" BOOLEAN NOT "
                  "NULL)",
                  q),
              fmt::format("ALTER TABLE {0}\"flyway_schema_history\" ADD CONSTRAINT "
                          "\"flyway_schema_history_pk\" PRIMARY KEY (\"installed_rank\")",
                          q),
              fmt::format("CREATE INDEX \"flyway_schema_history_s_idx\" ON "
                          "{0}\"flyway_schema_history\" (\"success\")",
                          q)};
    case db::Dialect::kMariaDb:
      return {fmt::format(
                  "CREATE TABLE {0}`flyway_schema_history` (`installed_rank` INT NOT NULL, "
                  "`version` VARCHAR(50), `description` VARCHAR(200) NOT NULL, `type` "
                  "VARCHAR(20) NOT NULL, `script` VARCHAR(1000) NOT NULL, `checksum` INT, "
                  "`installed_by` VARCHAR(100) NOT NULL, `installed_on` TIMESTAMP NOT NULL "
                  "DEFAULT CURRENT_TIMESTAMP, `execution_time` INT NOT NULL, `success` BOOL NOT "
                  "NULL, CONSTRAINT `flyway_schema_history_pk` PRIMARY KEY (`installed_rank`)) "
                  "ENGINE=InnoDB",
                  q),
              fmt::format("CREATE INDEX `flyway_schema_history_s_idx` ON "
                          "{0}`flyway_schema_history` (`success`)",
                          q)};
    case db::Dialect::kSqlite:
      return {
          "CREATE TABLE \"flyway_schema_history\" (\"installed_rank\" INT NOT NULL PRIMARY "
          "KEY, \"version\" VARCHAR(50), \"description\" VARCHAR(200) NOT NULL, \"type\" "
          "VARCHAR(20) NOT NULL, \"script\" VARCHAR(1000) NOT NULL, \"checksum\" INT, "
          "\"installed_by\" VARCHAR(100) NOT NULL, \"installed_on\" TEXT NOT NULL DEFAULT "
          "(strftime('%Y-%m-%d %H:%M:%f','now')), \"execution_time\" INT NOT NULL, "
          "\"success\" BOOLEAN NOT NULL)"};
  }
  return {};
}

class FlywaySideBySideTest : public ScratchDatabaseTest {
 protected:
  void SetUp() override {
    ScratchDatabaseTest::SetUp();
    if (HasFatalFailure()) return;
    fs::remove(project_.root() / "strata.toml");
    auto url = db::ParseUrl(scratch_->url());
    ASSERT_TRUE(url) << url.error().message;
    if (url->password) options_.env["FLYWAY_PASSWORD"] = *url->password;
    std::string conf;
    if (dialect() == db::Dialect::kSqlite) {
      conf = fmt::format("flyway.url=jdbc:sqlite:{}\n", url->database);
    } else {
      // Flyway created this schema (flyway.schemas), and keeps its history there.
      schema_ = url->database + "_app";
      conf = fmt::format("flyway.url=jdbc:{}://{}:{}/{}\nflyway.user={}\nflyway.schemas={}\n",
                         dialect() == db::Dialect::kPostgres ? "postgresql" : "mariadb", url->host,
                         url->port, url->database, url->user, schema_);
      drop_schema_ = fmt::format("DROP SCHEMA IF EXISTS {}{}", Quoted(schema_),
                                 dialect() == db::Dialect::kPostgres ? " CASCADE" : "");
    }
    std::ofstream(project_.root() / "flyway.conf")
        << conf << "flyway.locations=filesystem:migrations\n";
    project_.Write("V1__old.sql", "CREATE TABLE old (id INT);\n");
    project_.Write("V2__create_foo.sql", "CREATE TABLE foo (id INT);\n");
  }
  void TearDown() override {
    if (conn_ && !drop_schema_.empty()) (void)conn_->Execute(drop_schema_);
  }

  std::string Quoted(const std::string& name) const { return db::QuoteIdentifier(dialect(), name); }
  // The history table as Flyway names it for its lock: schema-qualified, quoted.
  std::string QuotedHistory() const {
    return schema_.empty() ? Quoted("flyway_schema_history")
                           : Quoted(schema_) + "." + Quoted("flyway_schema_history");
  }
  std::string Table(const std::string& name) const {
    return schema_.empty() ? name : Quoted(schema_) + "." + name;
  }

  // What Flyway 9/10 leaves after `flyway baseline` (baselineVersion 1) on an empty database,
  // with flyway.schemas naming a schema it had to create, then `flyway migrate` of V2.
  void WriteFlywayHistory() {
    const std::string t = true_literal();
    if (!schema_.empty()) {
      Exec("CREATE SCHEMA " + Quoted(schema_));
    }
    for (const std::string& sql : FlywayHistoryDdl(dialect(), schema_)) Exec(sql);
    const std::string history = Table("flyway_schema_history");
    const std::string columns =
        "(installed_rank, version, description, type, script, checksum, installed_by, "
        "execution_time, success)";
    if (!schema_.empty()) {
      Exec(
          fmt::format("INSERT INTO {} {} VALUES (0, NULL, '<< Flyway Schema Creation >>', "
                      "'SCHEMA', '{}', NULL, 'flyway', 0, {})",
                      history, columns, Quoted(schema_), t));
    }
    Exec(
        fmt::format("INSERT INTO {} {} VALUES (1, '1', '<< Flyway Baseline >>', 'BASELINE', "
                    "'<< Flyway Baseline >>', NULL, 'flyway', 0, {})",
                    history, columns, t));
    Exec(fmt::format("CREATE TABLE {} (id INT)", Table("foo")));
    Exec(
        fmt::format("INSERT INTO {} {} VALUES (2, '2', 'create foo', 'SQL', "
                    "'V2__create_foo.sql', {}, 'flyway', 7, {})",
                    history, columns, kFooChecksum, t));
  }
  bool TableExists(const std::string& table) {
    if (dialect() == db::Dialect::kSqlite) {
      return Scalar(fmt::format("SELECT count(*) FROM sqlite_schema WHERE name = '{}'", table)) ==
             1;
    }
    return Scalar(fmt::format("SELECT count(*) FROM information_schema.tables WHERE table_name = "
                              "'{}' AND table_schema = '{}'",
                              table, schema_)) == 1;
  }
  std::string true_literal() const { return dialect() == db::Dialect::kPostgres ? "true" : "1"; }

  RunResult Strata(std::vector<std::string> args) {
    args.insert(args.begin(), {"--flyway-config", "flyway.conf"});
    return project_.Strata(std::move(args), options_);
  }

  TestProject project_{"flyway_side_by_side"};
  RunOptions options_;
  std::string schema_;  // the schema Flyway created; "" on SQLite
  std::string drop_schema_;
};

TEST_P(FlywaySideBySideTest, InfoValidateAndMigrateContinueFromFlywaysHistory) {
  WriteFlywayHistory();
  RunResult info = Strata({"info", "--json"});
  ASSERT_EQ(info.exit_code, 0) << info.all();
  const auto doc = nlohmann::json::parse(info.out);
  EXPECT_EQ(doc["current_version"], "2");
  std::map<std::string, std::string> states;
  for (const auto& m : doc["migrations"]) states[m["script"]] = m["state"];
  EXPECT_EQ(states["V2__create_foo.sql"], "success") << info.out;
  EXPECT_NE(states["V1__old.sql"], "pending") << info.out;  // below the baseline

  project_.Write("V3__create_bar.sql", "CREATE TABLE bar (id INT);\n");
  RunResult migrate = Strata({"migrate", "--json"});
  ASSERT_EQ(migrate.exit_code, 0) << migrate.all();
  EXPECT_EQ(nlohmann::json::parse(migrate.out)["migrations_executed"], 1);
  RunResult validate = Strata({"validate"});
  EXPECT_EQ(validate.exit_code, 0) << validate.all();

  // Flyway's rows are untouched; strata's row follows them, in the schema Flyway chose.
  const std::string history = Table("flyway_schema_history");
  EXPECT_EQ(Scalar(fmt::format("SELECT count(*) FROM {}", history)), schema_.empty() ? 3 : 4);
  if (!schema_.empty()) {
    EXPECT_EQ(Scalar(fmt::format("SELECT count(*) FROM {} WHERE installed_rank = 0 AND type = "
                                 "'SCHEMA' AND script = '{}'",
                                 history, Quoted(schema_))),
              1);
  }
  EXPECT_EQ(Scalar(fmt::format("SELECT count(*) FROM {} WHERE installed_rank = 1 AND type = "
                               "'BASELINE' AND version = '1'",
                               history)),
            1);
  EXPECT_EQ(Scalar(fmt::format("SELECT count(*) FROM {} WHERE installed_rank = 3 AND version = "
                               "'3' AND type = 'SQL' AND script = 'V3__create_bar.sql' AND "
                               "checksum = 987625939 AND success",
                               history)),
            1);
  EXPECT_TRUE(TableExists("bar"));
  EXPECT_FALSE(TableExists("old")) << "V1 is below the baseline and must not run";
}

INSTANTIATE_TEST_SUITE_P(All, FlywaySideBySideTest, ::testing::ValuesIn(kAllDialects),
                         DialectParamName);

// The lock: strata takes the very lock Flyway takes for the same history table, so a Flyway
// runner holding it keeps strata waiting (and the reverse, the lock being the same).
class FlywaySideBySideLockTest : public FlywaySideBySideTest {
 protected:
  // Holds Flyway's lock for `quoted_history` as a Flyway runner would, on a connection of its
  // own; strata's migrate must wait for it (exit 4, nothing applied), then take that lock.
  void ExpectStrataWaitsForFlywaysLock(const std::string& quoted_history) {
    project_.Write("V3__create_bar.sql", "CREATE TABLE bar (id INT);\n");
    std::unique_ptr<db::Connection> flyway = scratch_->Connect();
    ASSERT_NE(flyway, nullptr);
    std::string expected;
    if (dialect() == db::Dialect::kPostgres) {
      const std::int64_t key = FlywayPostgresLockKey(quoted_history);
      expected = std::to_string(key);
      ASSERT_TRUE(flyway->Execute(fmt::format("SELECT pg_advisory_lock({})", key)));
    } else {
      expected = FlywayMariaDbLockName(quoted_history);
      ASSERT_EQ(QueryInt(*flyway, fmt::format("SELECT GET_LOCK('{}', 0)", expected)), 1);
    }
    RunResult waiting = Strata({"migrate", "--lock-timeout", "1s"});
    EXPECT_EQ(waiting.exit_code, 4) << waiting.all();
    EXPECT_EQ(Scalar(fmt::format("SELECT count(*) FROM {} WHERE version = '3'",
                                 Table("flyway_schema_history"))),
              0);

    // Flyway finishes: strata takes the same lock, and says which.
    flyway.reset();
    RunResult migrate = Strata({"migrate", "--json"});
    ASSERT_EQ(migrate.exit_code, 0) << migrate.all();
    const std::string lock = nlohmann::json::parse(migrate.out)["lock"];
    EXPECT_NE(lock.find(expected), std::string::npos) << lock << " is not Flyway's " << expected;
  }
};

TEST_P(FlywaySideBySideLockTest, StrataTakesFlywaysLockAndWaitsForAFlywayRunner) {
  // Flyway's key of its default table in public, as docs/flyway.md §4 states it.
  ASSERT_EQ(FlywayPostgresLockKey("\"public\".\"flyway_schema_history\""), 77433833903597);
  WriteFlywayHistory();
  ExpectStrataWaitsForFlywaysLock(QuotedHistory());
}

TEST_P(FlywaySideBySideLockTest, WithoutSchemasTheLockIsFlywaysForTheCurrentSchema) {
  // No flyway.schemas: Flyway keeps its history in the connection's current schema (public on
  // PostgreSQL, the URL's database on MariaDB) and names it with that schema for its lock.
  auto url = db::ParseUrl(scratch_->url());
  ASSERT_TRUE(url);
  std::ofstream(project_.root() / "flyway.conf") << fmt::format(
      "flyway.url=jdbc:{}://{}:{}/{}\nflyway.user={}\n"
      "flyway.locations=filesystem:migrations\n",
      dialect() == db::Dialect::kPostgres ? "postgresql" : "mariadb", url->host, url->port,
      url->database, url->user);
  schema_.clear();
  drop_schema_.clear();
  WriteFlywayHistory();
  const std::string current = dialect() == db::Dialect::kPostgres ? "public" : url->database;
  ExpectStrataWaitsForFlywaysLock(Quoted(current) + "." + Quoted("flyway_schema_history"));
}

INSTANTIATE_TEST_SUITE_P(Servers, FlywaySideBySideLockTest,
                         ::testing::Values(db::Dialect::kPostgres, db::Dialect::kMariaDb),
                         DialectParamName);

}  // namespace
}  // namespace strata::testing
