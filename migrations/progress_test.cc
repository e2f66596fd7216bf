// The progress record of scripts that run outside a transaction (progress.h): what a statement
// creates, and on every engine the record a failure or a dead runner leaves, its
// reconciliation, and the resumed run.
#include "migrations/progress.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "db/open.h"
#include "migrations/lifecycle_test_util.h"
#include "migrations/repair.h"
#include "migrations/sql_file.h"

namespace strata::migrations {
namespace {

TEST(ParseEffectTest, ReadsIndexesTablesAndColumns) {
  StatementEffect cic =
      ParseEffect("CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS \"Big_V\" ON ONLY app.big (v)",
                  db::Dialect::kPostgres);
  EXPECT_EQ(cic.kind, StatementEffect::Kind::kIndex);
  EXPECT_EQ(cic.name, "Big_V");
  EXPECT_EQ(cic.schema, "app");
  EXPECT_TRUE(cic.concurrently);
  EXPECT_EQ(StatementEffect::Decode(cic.Encode()).Encode(), cic.Encode());

  StatementEffect column =
      ParseEffect("ALTER TABLE `big` ADD COLUMN c int NOT NULL DEFAULT 0, ALGORITHM=COPY",
                  db::Dialect::kMariaDb);
  EXPECT_EQ(column.kind, StatementEffect::Kind::kColumn);
  EXPECT_EQ(column.table, "big");
  EXPECT_EQ(column.name, "c");

  StatementEffect table =
      ParseEffect("create table IF NOT EXISTS Users (id int)", db::Dialect::kPostgres);
  EXPECT_EQ(table.kind, StatementEffect::Kind::kTable);
  EXPECT_EQ(table.name, "users");

  EXPECT_EQ(ParseEffect("ALTER TABLE t ADD CONSTRAINT c UNIQUE (a)", db::Dialect::kPostgres).kind,
            StatementEffect::Kind::kNone);
  EXPECT_EQ(ParseEffect("INSERT INTO t VALUES (1)", db::Dialect::kPostgres).kind,
            StatementEffect::Kind::kNone);
}

TEST(OriginLineTest, ReadsTheLineOfPathLineColumn) {
  EXPECT_EQ(OriginLine("/m/V1__a.sql:12:3"), 12);
  EXPECT_EQ(OriginLine("history"), 0);
}

// ----- On every engine: scripts that run outside a transaction ----------------------------------

class ProgressTest : public LifecycleTest {
 protected:
  // A script of four CREATE TABLEs that runs outside a transaction on every engine.
  void WriteFourTables() {
    Write("V1__four_tables.sql",
          "CREATE TABLE pa (id INT);\nCREATE TABLE pb (id INT);\n\nCREATE TABLE pc (id INT);\n"
          "CREATE TABLE pd (id INT);\n");
    Write("V1__four_tables.sql.conf", "executeInTransaction=false\n");
  }

  Result<MigrateResult> RunMigrate() {
    MigrateListener listener;
    return migrations::Migrate(conn(), lock_conn(), Files(), {}, listener);
  }

  std::vector<PartialScript> Partials() {
    auto partials = ReadPartialScripts(conn(), {});
    EXPECT_TRUE(partials) << partials.error().message;
    return partials ? *partials : std::vector<PartialScript>{};
  }

  // The rows a runner that died while running statement `running` leaves: statements before it
  // done, that one running in a session that is gone now.
  void LeaveDeadRunner(int running, const std::string& label = "") {
    std::unique_ptr<db::Connection> dead = Open(label);
    ProgressRecorder recorder(*dead, {});
    const ResolvedMigration m = Files()[0];
    auto file = PrepareSqlFile(m.path, m.config_path, SqlFileOptionsFor(*dead, false, nullptr));
    ASSERT_TRUE(file) << file.error().message;
    const int count = static_cast<int>(file->statements.size());
    for (int n = 1; n <= running; ++n) {
      ASSERT_TRUE(recorder.Start(m, n, count, file->statements[n - 1]));
      if (n < running) {
        ASSERT_TRUE(recorder.Done(m.script, n));
      }
    }
  }

  // A connection to the scratch database carrying the runner label `label` ("" for none).
  std::unique_ptr<db::Connection> Open(const std::string& label) {
    auto url = db::ParseUrl(scratch_->url());
    EXPECT_TRUE(url) << url.error().message;
    db::ConnectOptions options;
    options.runner = label;
    auto conn = db::Open(*url, options);
    EXPECT_TRUE(conn) << conn.error().message;
    return conn ? std::move(conn).value() : nullptr;
  }

  std::string ProgressRows() {
    return Scalar("SELECT count(*) FROM " + ProgressTableName({}).Quoted(conn().dialect()));
  }
};

TEST_P(ProgressTest, AFailedStatementIsRecordedAndMigrateResumesThereOnceTheCauseIsGone) {
  WriteFourTables();
  Exec("CREATE TABLE pc (id INT)");  // the conflict that makes statement 3 fail
  auto failed = RunMigrate();
  ASSERT_FALSE(failed);
  const std::string& message = failed.error().message;
  EXPECT_NE(message.find("V1__four_tables.sql:4:1: statement 3 of 4 failed"), std::string::npos)
      << message;
  EXPECT_NE(message.find("statements 1\u20132 applied before it"), std::string::npos) << message;
  EXPECT_NE(message.find("resumes at statement 3"), std::string::npos) << message;
  ASSERT_EQ(History().size(), 1u);
  EXPECT_FALSE(History()[0].success);

  std::vector<PartialScript> partials = Partials();
  ASSERT_EQ(partials.size(), 1u);
  EXPECT_EQ(partials[0].statements_done, 2);
  EXPECT_EQ(partials[0].statement_count, 4);
  ASSERT_TRUE(partials[0].stopped);
  EXPECT_EQ(partials[0].stopped->number, 3);
  EXPECT_EQ(partials[0].stopped->line, 4);
  EXPECT_EQ(partials[0].stopped->state, StatementState::kFailed);
  EXPECT_FALSE(partials[0].runner_died());
  if (dialect() != db::Dialect::kSqlite) {
    EXPECT_FALSE(partials[0].stopped->connection_id.empty());
  }

  Exec("DROP TABLE pc");  // the cause, removed outside strata; the file stays as it is
  auto resumed = RunMigrate();
  ASSERT_TRUE(resumed) << resumed.error().message;
  ASSERT_EQ(History().size(), 1u);  // the failed row went, the success row came
  EXPECT_TRUE(History()[0].success);
  for (const char* t : {"pa", "pb", "pc", "pd"}) EXPECT_TRUE(TableExists(t)) << t;
  EXPECT_EQ(ProgressRows(), "0");
  EXPECT_TRUE(Partials().empty());
}

TEST_P(ProgressTest, AnEditedScriptIsNotResumed) {
  WriteFourTables();
  Exec("CREATE TABLE pc (id INT)");
  ASSERT_FALSE(RunMigrate());
  Exec("DROP TABLE pc");
  Write("V1__four_tables.sql",
        "CREATE TABLE pa (id INT);\nCREATE TABLE pb (id INT);\n\nCREATE TABLE pc (id BIGINT);\n"
        "CREATE TABLE pd (id INT);\n");
  auto refused = RunMigrate();
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kValidation);
  EXPECT_NE(refused.error().message.find("V1__four_tables.sql changed since an earlier run "
                                         "applied statements 1\u20132 of 4"),
            std::string::npos)
      << refused.error().message;
  EXPECT_FALSE(TableExists("pc"));
}

TEST_P(ProgressTest, ADeadRunnersStatementThatFinishedIsSettledAndNotRunAgain) {
  WriteFourTables();
  LeaveDeadRunner(2);
  Exec("CREATE TABLE pa (id INT)");
  Exec("CREATE TABLE pb (id INT)");  // the orphaned statement 2 finished on the server

  std::vector<PartialScript> partials = Partials();
  ASSERT_EQ(partials.size(), 1u);
  EXPECT_TRUE(partials[0].runner_died());
  EXPECT_EQ(partials[0].outcome, Outcome::kFinished);
  const std::string described = partials[0].Describe();
  EXPECT_NE(described.find("V1__four_tables.sql: statement 1 of 4 applied, statement 2 (line 2) "
                           "was running"),
            std::string::npos)
      << described;
  EXPECT_NE(described.find("when the runner died; it finished"), std::string::npos) << described;

  auto resumed = RunMigrate();  // CREATE TABLE pb again would fail
  ASSERT_TRUE(resumed) << resumed.error().message;
  ASSERT_EQ(History().size(), 1u);
  EXPECT_TRUE(History()[0].success);
  EXPECT_TRUE(TableExists("pd"));
  EXPECT_EQ(ProgressRows(), "0");
}

TEST_P(ProgressTest, ADeadRunnersStatementIsReportedWithTheRunnerLabelItsConnectionCarried) {
  WriteFourTables();
  const std::string label = "strata migrate pid=4242 run=deadbeef scope=0badcafe";
  LeaveDeadRunner(2, label);
  Exec("CREATE TABLE pa (id INT)");

  std::vector<PartialScript> partials = Partials();
  ASSERT_EQ(partials.size(), 1u);
  ASSERT_TRUE(partials[0].stopped);
  const std::string described = partials[0].Describe();
  if (dialect() == db::Dialect::kSqlite) {
    // No server: no connection, no label shown to anyone; the process is named instead.
    EXPECT_NE(partials[0].stopped->runner.find("strata pid "), std::string::npos);
    EXPECT_EQ(described.find(label), std::string::npos) << described;
  } else {
    EXPECT_EQ(partials[0].stopped->runner, label);
    EXPECT_NE(described.find(fmt::format("was running in server connection {} ({}) when the "
                                         "runner died",
                                         partials[0].stopped->connection_id, label)),
              std::string::npos)
        << described;
  }
}

TEST_P(ProgressTest, ADeadRunnersStatementThatDidNotFinishRunsAgain) {
  WriteFourTables();
  LeaveDeadRunner(2);
  Exec("CREATE TABLE pa (id INT)");
  std::vector<PartialScript> partials = Partials();
  ASSERT_EQ(partials.size(), 1u);
  EXPECT_EQ(partials[0].outcome, Outcome::kFailed);
  EXPECT_NE(partials[0].NextStep().find("resumes at statement 2"), std::string::npos);

  auto resumed = RunMigrate();  // CREATE TABLE pa again would fail
  ASSERT_TRUE(resumed) << resumed.error().message;
  for (const char* t : {"pa", "pb", "pc", "pd"}) EXPECT_TRUE(TableExists(t)) << t;
  EXPECT_EQ(ProgressRows(), "0");
}

TEST_P(ProgressTest, RepairMarksAVersionAppliedAndForgetsItsProgress) {
  WriteFourTables();
  Exec("CREATE TABLE pc (id INT)");
  ASSERT_FALSE(RunMigrate());
  Exec("CREATE TABLE pd (id INT)");  // the rest done by hand

  RepairOptions options;
  options.run = Run();
  options.mark_applied = *Version::Parse("1");
  auto repaired = Repair(conn(), lock_conn(), Files(), options, {});
  ASSERT_TRUE(repaired) << repaired.error().message;
  ASSERT_EQ(History().size(), 1u);
  EXPECT_TRUE(History()[0].success);
  EXPECT_EQ(History()[0].checksum, Files()[0].checksum);
  EXPECT_EQ(ProgressRows(), "0");
  auto again = RunMigrate();
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->applied.empty());

  auto applied = Repair(conn(), lock_conn(), Files(), options, {});
  ASSERT_FALSE(applied);
  EXPECT_EQ(applied.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(applied.error().message.find("it is Success already"), std::string::npos)
      << applied.error().message;
  options.mark_applied = *Version::Parse("9");
  auto unknown = Repair(conn(), lock_conn(), Files(), options, {});
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("no migration file in the locations has that version"),
            std::string::npos)
      << unknown.error().message;
}

TEST_P(ProgressTest, RepairForgetsWhatADeadRunnerLeftWithoutAHistoryRow) {
  WriteFourTables();
  LeaveDeadRunner(3);
  RepairOptions options;
  options.run = Run();
  auto repaired = Repair(conn(), lock_conn(), Files(), options, {});
  ASSERT_TRUE(repaired) << repaired.error().message;
  ASSERT_EQ(repaired->actions.size(), 1u);
  EXPECT_EQ(repaired->actions[0].kind, RepairAction::Kind::kForgetProgress);
  EXPECT_EQ(ProgressRows(), "0");
  auto migrated = RunMigrate();  // from statement 1
  ASSERT_TRUE(migrated) << migrated.error().message;
  EXPECT_TRUE(TableExists("pa"));
}

INSTANTIATE_TEST_SUITE_P(AllEngines, ProgressTest, ::testing::ValuesIn(testing::kAllDialects),
                         testing::DialectParamName);

// ----- PostgreSQL: an INVALID index left by CREATE INDEX CONCURRENTLY ---------------------------

class PostgresProgressTest : public ProgressTest {};

TEST_P(PostgresProgressTest, InvalidIndexIsReportedAndTheRetryBuildsItAgain) {
  Exec("CREATE TABLE big (id INT, v INT)");
  Exec("INSERT INTO big VALUES (1, 1), (2, 1), (3, 2)");  // v has a duplicate
  Write("V1__unique_v.sql", "CREATE UNIQUE INDEX CONCURRENTLY big_v ON big (v);\n");
  auto failed = RunMigrate();
  ASSERT_FALSE(failed);
  EXPECT_EQ(Scalar("SELECT indisvalid::text FROM pg_index WHERE indexrelid = 'big_v'::regclass"),
            "false");
  std::vector<PartialScript> partials = Partials();
  ASSERT_EQ(partials.size(), 1u);
  EXPECT_EQ(partials[0].invalid_indexes, std::vector<std::string>{"\"big_v\""});

  Exec("DELETE FROM big WHERE id = 2");  // the cause
  auto resumed = RunMigrate();
  ASSERT_TRUE(resumed) << resumed.error().message;
  EXPECT_EQ(Scalar("SELECT indisvalid::text FROM pg_index WHERE indexrelid = 'big_v'::regclass"),
            "true");
  EXPECT_TRUE(History().back().success);
  EXPECT_TRUE(Partials().empty());
}

TEST_P(PostgresProgressTest, AfterRepairTheRetryDropsTheInvalidIndexToo) {
  Exec("CREATE TABLE big (id INT, v INT)");
  Exec("INSERT INTO big VALUES (1, 1), (2, 1)");
  Write("V1__unique_v.sql", "CREATE UNIQUE INDEX CONCURRENTLY big_v ON big (v);\n");
  ASSERT_FALSE(RunMigrate());
  RepairOptions options;
  options.run = Run();
  ASSERT_TRUE(Repair(conn(), lock_conn(), Files(), options, {}));
  EXPECT_TRUE(Partials().empty());
  Exec("DELETE FROM big WHERE id = 2");
  auto retried = RunMigrate();
  ASSERT_TRUE(retried) << retried.error().message;
  EXPECT_EQ(Scalar("SELECT indisvalid::text FROM pg_index WHERE indexrelid = 'big_v'::regclass"),
            "true");
}

INSTANTIATE_TEST_SUITE_P(Postgres, PostgresProgressTest, ::testing::Values(db::Dialect::kPostgres),
                         testing::DialectParamName);

}  // namespace
}  // namespace strata::migrations
