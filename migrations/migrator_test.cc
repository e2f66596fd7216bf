// Migrate / Inspect against real PostgreSQL and MariaDB servers and SQLite files.
#include "migrations/migrator.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "base/file.h"
#include "db/open.h"
#include "tests/support/example.h"
#include "tests/support/test_env.h"

namespace strata::migrations {
namespace {

namespace fs = std::filesystem;

class MigratorTest : public testing::ScratchDatabaseTest {
 protected:
  void SetUp() override {
    ScratchDatabaseTest::SetUp();
    if (HasFatalFailure()) return;
    lock_conn_ = GetParam() == db::Dialect::kSqlite ? nullptr : scratch_->Connect();
    dir_ = testing::TestTempDir("migrator");
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  void Write(const std::string& name, const std::string& text) {
    fs::create_directories((dir_ / name).parent_path());
    std::ofstream(dir_ / name) << text;
  }

  // The SQL scripts only: V4 is a job step, which needs a runner (tests/cli covers it).
  void CopyExample() { testing::CopyExampleSqlScripts(GetParam(), dir_); }

  Result<MigrateResult> RunMigrate(MigrateOptions options = {}) {
    auto resolved = ResolveMigrations({{dir_}});
    if (!resolved) return std::move(resolved).error();
    MigrateListener listener;
    options.lock.timeout = std::min(options.lock.timeout, std::chrono::milliseconds(30000));
    return Migrate(*conn_, lock_conn_ ? *lock_conn_ : *conn_, std::move(resolved->migrations),
                   options, listener);
  }

  std::vector<HistoryRow> History() {
    SchemaHistory history(*conn_, {});
    auto rows = history.ReadAll();
    EXPECT_TRUE(rows) << rows.error().message;
    return rows ? *rows : std::vector<HistoryRow>{};
  }

  bool TableExists(const std::string& table) {
    SchemaHistory probe(*conn_, {"", table});
    auto exists = probe.Exists();
    EXPECT_TRUE(exists) << exists.error().message;
    return exists && *exists;
  }

  std::unique_ptr<db::Connection> lock_conn_;
  fs::path dir_;
};

TEST_P(MigratorTest, AppliesTheEventExampleOnceAndRecordsFlywayRows) {
  CopyExample();
  auto first = RunMigrate();
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_EQ(first->applied.size(), 4u);
  EXPECT_EQ(first->initial_version, std::nullopt);
  EXPECT_EQ(first->final_version->ToString(), "3");
  EXPECT_TRUE(TableExists("event_view_metric"));

  const std::vector<HistoryRow> rows = History();
  ASSERT_EQ(rows.size(), 4u);
  auto resolved = ResolveMigrations({{dir_}});
  ASSERT_TRUE(resolved);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].installed_rank, static_cast<int>(i) + 1);
    EXPECT_TRUE(rows[i].success);
    EXPECT_EQ(rows[i].type, MigrationType::kSql);
    EXPECT_EQ(rows[i].checksum, resolved->migrations[i].checksum) << rows[i].script;
    EXPECT_EQ(rows[i].script, resolved->migrations[i].script);
  }
  EXPECT_EQ(rows[0].version->ToString(), "1");
  EXPECT_EQ(rows[0].description, "create event");
  EXPECT_EQ(rows[3].version, std::nullopt);
  EXPECT_EQ(rows[3].description, "event daily views");

  auto second = RunMigrate();
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_TRUE(second->applied.empty());
  EXPECT_EQ(History().size(), 4u);

  auto plan = Inspect(*conn_, std::move(resolved->migrations), {}, {});
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_TRUE(ValidationStatus(*plan)) << ValidationStatus(*plan).error().message;
}

TEST_P(MigratorTest, ChangedRepeatableRunsAgainAndEditedVersionedFileFailsValidation) {
  CopyExample();
  ASSERT_TRUE(RunMigrate());
  std::ofstream(dir_ / "R__event_daily_views.sql", std::ios::app) << "\n-- changed\n";
  auto rerun = RunMigrate();
  ASSERT_TRUE(rerun) << rerun.error().message;
  ASSERT_EQ(rerun->applied.size(), 1u);
  EXPECT_EQ(rerun->applied[0].description, "event daily views");

  std::ofstream(dir_ / "V2__create_event_statistic.sql", std::ios::app) << "\n-- edited\n";
  Write("V4__more.sql", "CREATE TABLE more_things (id INT);\n");
  auto refused = RunMigrate();
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kValidation);
  EXPECT_NE(refused.error().message.find("checksum"), std::string::npos) << refused.error().message;
  EXPECT_FALSE(TableExists("more_things"));
}

TEST_P(MigratorTest, ScriptThatCannotBeSplitAppliesNothingNotEvenTheHistoryTable) {
  Write("V1__ok.sql", "CREATE TABLE ok_table (id INT);\n");
  Write("V2__broken.sql", "CREATE TABLE t2 (id INT);\nINSERT INTO t2 VALUES ('unterminated);\n");
  auto result = RunMigrate();
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(result.error().message.find("V2__broken.sql:2:"), std::string::npos)
      << result.error().message;
  EXPECT_FALSE(TableExists("ok_table"));
  EXPECT_FALSE(TableExists("strata_schema_history"));
}

TEST_P(MigratorTest, FailingStatementNamesFileLineAndServerMessage) {
  Write("V1__ok.sql", "CREATE TABLE first_table (id INT);\n");
  Write("V2__fails.sql",
        "CREATE TABLE second_table (id INT);\n\nINSERT INTO no_such_table VALUES (1);\n");
  auto result = RunMigrate();
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kDatabase);
  EXPECT_NE(result.error().message.find("V2__fails.sql:3:1: statement 2 of 2 failed"),
            std::string::npos)
      << result.error().message;
  EXPECT_NE(result.error().message.find("no_such_table"), std::string::npos);
  EXPECT_TRUE(TableExists("first_table"));

  const std::vector<HistoryRow> rows = History();
  if (GetParam() == db::Dialect::kMariaDb) {
    // DDL committed implicitly: the failure is recorded, with how far the script got, and the
    // next run resumes at the failed statement (CREATE TABLE second_table does not run again).
    EXPECT_TRUE(TableExists("second_table"));
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_FALSE(rows[1].success);
    EXPECT_NE(result.error().message.find("resumes at statement 2"), std::string::npos)
        << result.error().message;
    auto again = RunMigrate();
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, ErrorCode::kDatabase);
    EXPECT_NE(again.error().message.find("V2__fails.sql:3:1: statement 2 of 2 failed"),
              std::string::npos)
        << again.error().message;
    EXPECT_EQ(History().size(), 2u);  // the earlier failed row replaced by this one
  } else {
    // Transactional DDL: the whole migration and its row rolled back together.
    EXPECT_FALSE(TableExists("second_table"));
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].version->ToString(), "1");
  }
}

TEST_P(MigratorTest, LockTimeoutNamesTheHolder) {
  Write("V1__ok.sql", "CREATE TABLE locked_out (id INT);\n");
  auto holder_conn = scratch_->Connect();
  ASSERT_NE(holder_conn, nullptr);
  SchemaHistory history(*conn_, {});
  LockOptions quick;
  quick.timeout = std::chrono::milliseconds(1500);
  auto lock_name = history.LockName();  // qualified by the current schema, as Flyway's
  ASSERT_TRUE(lock_name) << lock_name.error().message;
  auto held = MigrationLock::Acquire(*holder_conn, *lock_name, quick, nullptr);
  ASSERT_TRUE(held) << held.error().message;

  MigrateOptions options;
  options.lock.timeout = std::chrono::milliseconds(1500);
  auto result = RunMigrate(options);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kLockTimeout);
  EXPECT_NE(result.error().message.find("held by"), std::string::npos) << result.error().message;
  if (GetParam() == db::Dialect::kPostgres) {
    EXPECT_NE(result.error().message.find(fmt::format("pid {}", holder_conn->session_id())),
              std::string::npos)
        << result.error().message;
  }
  if (GetParam() == db::Dialect::kMariaDb) {
    EXPECT_NE(result.error().message.find(fmt::format("connection {}", holder_conn->session_id())),
              std::string::npos)
        << result.error().message;
  }
  EXPECT_FALSE(TableExists("locked_out"));
  ASSERT_TRUE(held->Release());
  auto after = RunMigrate();
  EXPECT_TRUE(after) << after.error().message;
}

TEST_P(MigratorTest, JobStepIsRefusedBeforeAnythingRuns) {
  Write("V1__ok.sql", "CREATE TABLE before_job (id INT);\n");
  Write("V2__backfill.job", "job = \"event-view-metrics\"\n");
  auto result = RunMigrate();
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message.find("V2__backfill.job"), std::string::npos)
      << result.error().message;
  EXPECT_FALSE(TableExists("before_job"));
}

// Flyway's own DDL (docs/flyway.md §2), written here literally rather than through
// SchemaHistory, as Flyway would have left it.
std::vector<std::string> FlywayDdl(db::Dialect dialect) {
  switch (dialect) {
    case db::Dialect::kPostgres:
      return {
          "CREATE TABLE \"flyway_schema_history\" (\"installed_rank\" INT NOT NULL, "
          "\"version\" VARCHAR(50), \"description\" VARCHAR(200) NOT NULL, \"type\" "
          "VARCHAR(20) NOT NULL, \"script\" VARCHAR(1000) NOT NULL, \"checksum\" INTEGER, "
          "\"installed_by\" VARCHAR(100) NOT NULL, \"installed_on\" TIMESTAMP NOT NULL "
          "DEFAULT now(), \"execution_time\" INTEGER NOT NULL, \"success\" BOOLEAN NOT NULL)",
          "ALTER TABLE \"flyway_schema_history\" ADD CONSTRAINT \"flyway_schema_history_pk\" "
          "PRIMARY KEY (\"installed_rank\")",
          "CREATE INDEX \"flyway_schema_history_s_idx\" ON \"flyway_schema_history\" "
          "(\"success\")"};
    case db::Dialect::kMariaDb:
      return {
          "CREATE TABLE `flyway_schema_history` (`installed_rank` INT NOT NULL, `version` "
          "VARCHAR(50), `description` VARCHAR(200) NOT NULL, `type` VARCHAR(20) NOT NULL, "
          "`script` VARCHAR(1000) NOT NULL, `checksum` INT, `installed_by` VARCHAR(100) NOT "
          "NULL, `installed_on` TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, "
          "`execution_time` INT NOT NULL, `success` BOOL NOT NULL, CONSTRAINT "
          "`flyway_schema_history_pk` PRIMARY KEY (`installed_rank`)) ENGINE=InnoDB",
          "CREATE INDEX `flyway_schema_history_s_idx` ON `flyway_schema_history` (`success`)"};
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

TEST_P(MigratorTest, TakesOverAFlywayHistoryTableUnchanged) {
  CopyExample();
  auto resolved = ResolveMigrations({{dir_}});
  ASSERT_TRUE(resolved) << resolved.error().message;
  // What Flyway left: the schema it built, and its history rows (a baseline-less history with
  // the three versioned scripts and the repeatable, as `flyway migrate` records them).
  for (const auto& m : resolved->migrations) {
    auto content = ReadFile(m.path);
    ASSERT_TRUE(content);
    ASSERT_TRUE(conn_->ExecuteScript(*content)) << m.script;
  }
  for (const std::string& sql : FlywayDdl(GetParam())) ASSERT_TRUE(conn_->Execute(sql)) << sql;
  int rank = 1;
  const char* success = GetParam() == db::Dialect::kPostgres ? "true" : "1";
  for (const auto& m : resolved->migrations) {
    const std::string version = m.version ? "'" + m.version->ToString() + "'" : "NULL";
    ASSERT_TRUE(conn_->Execute(fmt::format(
        "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, "
        "checksum, installed_by, execution_time, success) VALUES ({}, {}, '{}', 'SQL', '{}', {}, "
        "'flyway', 12, {})",
        rank++, version, m.description, m.script, m.checksum, success)));
  }

  HistoryTableName flyway{"", "flyway_schema_history"};
  auto plan = Inspect(*conn_, resolved->migrations, flyway, {});
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_TRUE(ValidationStatus(*plan)) << ValidationStatus(*plan).error().message;
  ASSERT_EQ(plan->entries.size(), 4u);
  for (const auto& e : plan->entries) EXPECT_EQ(e.state, MigrationState::kSuccess);
  EXPECT_EQ(plan->current_version->ToString(), "3");

  // And strata carries on in the same table.
  Write("V4__after_flyway.sql", "CREATE TABLE after_flyway (id INT);\n");
  MigrateOptions options;
  options.history = flyway;
  auto migrated = RunMigrate(options);
  ASSERT_TRUE(migrated) << migrated.error().message;
  ASSERT_EQ(migrated->applied.size(), 1u);
  SchemaHistory history(*conn_, flyway);
  auto rows = history.ReadAll();
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 5u);
  EXPECT_EQ(rows->back().installed_rank, 5);
  EXPECT_EQ(rows->back().version->ToString(), "4");
}

INSTANTIATE_TEST_SUITE_P(Engines, MigratorTest, ::testing::ValuesIn(testing::kAllDialects),
                         testing::DialectParamName);

class PostgresMigratorTest : public MigratorTest {};

TEST_P(PostgresMigratorTest, ConcurrentIndexRunsOutsideATransactionWhileOthersWrite) {
  Write("V1__table.sql",
        "CREATE TABLE busy (id BIGSERIAL PRIMARY KEY, v INT);\n"
        "INSERT INTO busy (v) SELECT g FROM generate_series(1, 20000) g;\n");
  ASSERT_TRUE(RunMigrate());
  Write("V2__index.sql", "CREATE INDEX CONCURRENTLY busy_v_idx ON busy (v);\n");
  std::atomic<bool> stop{false};
  std::atomic<int> writes{0};
  std::thread writer([&] {
    auto w = scratch_->Connect();
    while (!stop) {
      auto tx = db::Transaction::Begin(*w);
      if (!tx || !w->Execute("INSERT INTO busy (v) VALUES (1)") || !tx->Commit()) break;
      ++writes;
    }
  });
  while (writes.load() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const int before = writes.load();
  auto result = RunMigrate();
  const int during = writes.load() - before;
  stop = true;
  writer.join();
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_GT(during, 0);
  auto valid =
      conn_->Query("SELECT indisvalid FROM pg_index WHERE indexrelid = 'busy_v_idx'::regclass");
  ASSERT_TRUE(valid) << valid.error().message;
  EXPECT_EQ(valid->rows[0][0], "t");
}

TEST_P(PostgresMigratorTest, MixedScriptIsRefusedNamingTheStatement) {
  Write("V1__mixed.sql",
        "CREATE TABLE m (id INT);\n\nCREATE INDEX CONCURRENTLY m_idx ON m (id);\n");
  auto result = RunMigrate();
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(result.error().message.find("V1__mixed.sql:3:1"), std::string::npos)
      << result.error().message;
  EXPECT_NE(result.error().message.find("mixed = true"), std::string::npos);
  EXPECT_FALSE(TableExists("m"));
}

INSTANTIATE_TEST_SUITE_P(Postgres, PostgresMigratorTest, ::testing::Values(db::Dialect::kPostgres),
                         [](const auto&) { return std::string("postgresql"); });

TEST(LockKeyTest, MatchesFlywaysKeyForItsDefaultTable) {
  // docs/flyway.md §4: the default table in public has key 77433833903597, and
  // `test`.`flyway_schema_history` has the MySQL lock name Flyway--562162009.
  EXPECT_EQ(FlywayAdvisoryLockKey("\"public\".\"flyway_schema_history\""), 77433833903597);
  EXPECT_EQ(FlywayNamedLock("`test`.`flyway_schema_history`"), "Flyway--562162009");
  EXPECT_EQ(JavaStringHash(""), 0);
  EXPECT_EQ(JavaStringHash("a"), 97);
  EXPECT_EQ(JavaStringHash("\xc3\xa9"), 233);  // é is one UTF-16 unit
}

}  // namespace
}  // namespace strata::migrations
