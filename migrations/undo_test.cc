// undo: which migrations, in which order, the refusals (pure), and the command on every engine.
#include "migrations/undo.h"

#include <gtest/gtest.h>

#include <atomic>

#include "migrations/lifecycle_test_util.h"
#include "migrations/progress.h"
#include "migrations/repair.h"

namespace strata::migrations {
namespace {

// ----- PlanUndo, without a database ------------------------------------------------------------

Version V(const std::string& text) { return *Version::Parse(text); }

ResolvedMigration File(MigrationKind kind, const std::string& version,
                       const std::string& description) {
  ResolvedMigration m;
  m.kind = kind;
  m.version = V(version);
  m.description = description;
  m.script =
      std::string(kind == MigrationKind::kUndo ? "U" : "V") + version + "__" + description + ".sql";
  m.path = "/migrations/" + m.script;
  m.checksum = 7;
  return m;
}
ResolvedMigration Forward(const std::string& v) { return File(MigrationKind::kVersioned, v, "f"); }
ResolvedMigration Back(const std::string& v) { return File(MigrationKind::kUndo, v, "b"); }

HistoryRow RowFor(std::int32_t rank, const ResolvedMigration& file, bool success = true) {
  HistoryRow row;
  row.installed_rank = rank;
  row.version = file.version;
  row.description = file.description;
  row.type = file.type();
  row.script = file.script;
  row.checksum = file.checksum;
  row.success = success;
  return row;
}

Result<std::vector<UndoStep>> PlanFor(std::vector<ResolvedMigration> files,
                                      std::vector<HistoryRow> rows,
                                      std::optional<std::string> target = std::nullopt) {
  STRATA_ASSIGN_OR_RETURN(Plan plan, MakePlan(std::move(files), std::move(rows), PlanOptions{}));
  return PlanUndo(plan, target ? std::optional<Version>(V(*target)) : std::nullopt);
}

std::vector<std::string> Order(const std::vector<UndoStep>& steps) {
  std::vector<std::string> out;
  out.reserve(steps.size());
  for (const UndoStep& s : steps) out.push_back(s.applied.script + " by " + s.undo.script);
  return out;
}

using Strings = std::vector<std::string>;

TEST(PlanUndoTest, WithoutTargetUndoesTheLatestVersionOnly) {
  auto steps = PlanFor({Forward("1"), Forward("2"), Back("1"), Back("2")},
                       {RowFor(1, Forward("1")), RowFor(2, Forward("2"))});
  ASSERT_TRUE(steps) << steps.error().message;
  EXPECT_EQ(Order(*steps), Strings{"V2__f.sql by U2__b.sql"});
}

TEST(PlanUndoTest, WithTargetUndoesEverythingAboveInReverseOrderOfApplication) {
  // 3 was applied before 2 (out of order): 2 is undone first.
  auto steps =
      PlanFor({Forward("1"), Forward("2"), Forward("3"), Back("2"), Back("3")},
              {RowFor(1, Forward("1")), RowFor(2, Forward("3")), RowFor(3, Forward("2"))}, "1");
  ASSERT_TRUE(steps) << steps.error().message;
  EXPECT_EQ(Order(*steps), (Strings{"V2__f.sql by U2__b.sql", "V3__f.sql by U3__b.sql"}));
}

TEST(PlanUndoTest, NothingAboveTheTargetIsNothingToDo) {
  auto steps = PlanFor({Forward("1"), Back("1")}, {RowFor(1, Forward("1"))}, "1");
  ASSERT_TRUE(steps) << steps.error().message;
  EXPECT_TRUE(steps->empty());
  auto empty = PlanFor({Forward("1"), Back("1")}, {});
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

TEST(PlanUndoTest, AlreadyUndoneVersionsAreSkipped) {
  const auto f2 = Forward("2");
  HistoryRow undo_row = RowFor(3, Back("2"));
  auto steps = PlanFor({Forward("1"), f2, Back("1"), Back("2")},
                       {RowFor(1, Forward("1")), RowFor(2, f2), undo_row});
  ASSERT_TRUE(steps) << steps.error().message;
  EXPECT_EQ(Order(*steps), Strings{"V1__f.sql by U1__b.sql"});
}

TEST(PlanUndoTest, MissingUndoScriptsAreAllNamedAndNothingIsPlanned) {
  auto steps =
      PlanFor({Forward("1"), Forward("2"), Forward("3"), Back("3")},
              {RowFor(1, Forward("1")), RowFor(2, Forward("2")), RowFor(3, Forward("3"))}, "0");
  ASSERT_FALSE(steps);
  EXPECT_EQ(steps.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(steps.error().message,
            "no undo script for version 2 (V2__f.sql), expected U2__f.sql; version 1 (V1__f.sql), "
            "expected U1__f.sql; add the U scripts to the migration locations, or choose a "
            "--target at or above 2; nothing was undone");
}

TEST(PlanUndoTest, RefusesToUndoABaseline) {
  HistoryRow baseline;
  baseline.installed_rank = 1;
  baseline.version = V("1");
  baseline.description = std::string(kDefaultBaselineDescription);
  baseline.type = MigrationType::kBaseline;
  baseline.script = baseline.description;
  auto steps =
      PlanFor({Forward("2"), Back("1"), Back("2")}, {baseline, RowFor(2, Forward("2"))}, "0");
  ASSERT_FALSE(steps);
  EXPECT_EQ(steps.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(steps.error().message.find("it is the baseline of this database (BASELINE)"),
            std::string::npos)
      << steps.error().message;
  EXPECT_NE(steps.error().message.find("--target 1"), std::string::npos);
}

TEST(PlanUndoTest, RefusesWhileAMigrationFailed) {
  auto steps = PlanFor({Forward("1"), Forward("2"), Back("1"), Back("2")},
                       {RowFor(1, Forward("1")), RowFor(2, Forward("2"), false)});
  ASSERT_FALSE(steps);
  EXPECT_EQ(steps.error().code, ErrorCode::kValidation);
  EXPECT_NE(steps.error().message.find("failed migration: version 2 (V2__f.sql)"),
            std::string::npos)
      << steps.error().message;
}

// ----- Undo on every engine --------------------------------------------------------------------

class UndoTest : public LifecycleTest {
 protected:
  void SetUp() override {
    LifecycleTest::SetUp();
    Write("V1__create_a.sql", "CREATE TABLE a (id INT);\n");
    Write("V2__create_b.sql", "CREATE TABLE b (id INT);\nINSERT INTO b VALUES (1);\n");
    Write("V3__create_c.sql", "CREATE TABLE c (id INT);\n");
    Write("U2__drop_b.sql", "DROP TABLE b;\n");
    Write("U3__drop_c.sql", "DROP TABLE c;\n");
  }

  Result<UndoResult> RunUndo(std::optional<std::string> target = std::nullopt,
                             bool dry_run = false) {
    UndoOptions options;
    options.run = Run(dry_run);
    if (target) options.target = *Version::Parse(*target);
    return Undo(conn(), lock_conn(), Files(), options, nullptr);
  }

  std::vector<std::string> States() {
    auto plan = Inspect(conn(), Files(), {}, {});
    EXPECT_TRUE(plan) << plan.error().message;
    std::vector<std::string> out;
    if (!plan) return out;
    for (const PlanEntry& e : plan->entries) {
      out.push_back(fmt::format("{}{} {}", e.version() ? e.version()->ToString() : "R",
                                e.category() == "Undo" ? "u" : "", MigrationStateName(e.state)));
    }
    return out;
  }
};

TEST_P(UndoTest, UndoesTheLatestMigrationAndRecordsIt) {
  Migrate();
  auto result = RunUndo();
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->initial_version->ToString(), "3");
  EXPECT_EQ(result->final_version->ToString(), "2");
  ASSERT_EQ(result->undone.size(), 1u);
  EXPECT_EQ(result->undone[0].version.ToString(), "3");
  EXPECT_EQ(result->undone[0].script, "U3__drop_c.sql");
  EXPECT_FALSE(TableExists("c"));
  EXPECT_TRUE(TableExists("b"));

  const std::vector<HistoryRow> rows = History();
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[3].installed_rank, 4);
  EXPECT_EQ(rows[3].version->ToString(), "3");
  EXPECT_EQ(rows[3].type, MigrationType::kUndoSql);
  EXPECT_EQ(rows[3].script, "U3__drop_c.sql");
  EXPECT_EQ(rows[3].description, "drop c");
  EXPECT_TRUE(rows[3].success);
  EXPECT_EQ(States(), (Strings{"1 Success", "2 Success", "3 Undone", "3u Success", "2u Available",
                               "3 Pending"}));

  // migrate applies it again; a second undo undoes it again.
  Migrate();
  EXPECT_TRUE(TableExists("c"));
  auto again = RunUndo();
  ASSERT_TRUE(again) << again.error().message;
  ASSERT_EQ(again->undone.size(), 1u);
  EXPECT_FALSE(TableExists("c"));
  EXPECT_EQ(History().size(), 6u);
}

TEST_P(UndoTest, UndoesDownToTheTargetNewestFirst) {
  Migrate();
  auto result = RunUndo("1");
  ASSERT_TRUE(result) << result.error().message;
  ASSERT_EQ(result->undone.size(), 2u);
  EXPECT_EQ(result->undone[0].version.ToString(), "3");
  EXPECT_EQ(result->undone[1].version.ToString(), "2");
  EXPECT_EQ(result->final_version->ToString(), "1");
  EXPECT_FALSE(TableExists("b"));
  EXPECT_FALSE(TableExists("c"));
  const std::vector<HistoryRow> rows = History();
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[3].script, "U3__drop_c.sql");
  EXPECT_EQ(rows[4].script, "U2__drop_b.sql");
}

TEST_P(UndoTest, MissingUndoScriptInRangeRefusesBeforeAnythingRuns) {
  Migrate();
  Remove("U2__drop_b.sql");
  const std::string before = Dump();
  auto result = RunUndo("1");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kNotFound);
  EXPECT_NE(result.error().message.find(
                "no undo script for version 2 (V2__create_b.sql), expected U2__create_b.sql"),
            std::string::npos)
      << result.error().message;
  EXPECT_EQ(Dump(), before);
}

TEST_P(UndoTest, DryRunShowsTheUndoScriptsAndHistoryRowsAndChangesNothing) {
  Migrate();
  const std::string before = Dump();
  auto result = RunUndo("1", /*dry_run=*/true);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(Dump(), before);
  ASSERT_EQ(result->undone.size(), 2u);
  const std::string& sql = result->dry_run_sql;
  const auto drop_c = sql.find("DROP TABLE c;");
  const auto drop_b = sql.find("DROP TABLE b;");
  ASSERT_NE(drop_c, std::string::npos) << sql;
  ASSERT_NE(drop_b, std::string::npos) << sql;
  EXPECT_LT(drop_c, drop_b);
  EXPECT_NE(sql.find("-- undo version 3 (V3__create_c.sql) with U3__drop_c.sql"), std::string::npos)
      << sql;
  EXPECT_NE(sql.find("'UNDO_SQL'"), std::string::npos) << sql;
  EXPECT_NE(sql.find("-- lock: "), std::string::npos) << sql;
  if (dialect() != db::Dialect::kMariaDb) {
    EXPECT_NE(sql.find("COMMIT;"), std::string::npos) << sql;
  }
}

TEST_P(UndoTest, FailingUndoScriptIsRolledBackOrRecordedAsFailed) {
  Migrate();
  Write("U3__drop_c.sql", "DROP TABLE c;\nDROP TABLE no_such_table;\n");
  auto result = RunUndo();
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kDatabase);
  EXPECT_NE(result.error().message.find("U3__drop_c.sql:2:1"), std::string::npos)
      << result.error().message;
  const std::vector<HistoryRow> rows = History();
  if (dialect() == db::Dialect::kMariaDb) {
    // DDL commits: c is gone, and the failure is recorded until repair removes it.
    EXPECT_FALSE(TableExists("c"));
    ASSERT_EQ(rows.size(), 4u);
    EXPECT_EQ(rows[3].type, MigrationType::kUndoSql);
    EXPECT_FALSE(rows[3].success);
    EXPECT_NE(result.error().message.find("recorded as failed"), std::string::npos);
  } else {
    EXPECT_TRUE(TableExists("c"));
    EXPECT_EQ(rows.size(), 3u);
    EXPECT_NE(result.error().message.find("rolled back"), std::string::npos);
  }
}

TEST_P(UndoTest, RunsUndoCallbacks) {
  Migrate();
  Write("beforeUndo.sql", "CREATE TABLE undo_started (id INT);\n");
  Write("afterUndo.sql", "CREATE TABLE undo_finished (id INT);\n");
  auto result = RunUndo();
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_TRUE(TableExists("undo_started"));
  EXPECT_TRUE(TableExists("undo_finished"));
}

TEST_P(UndoTest, UndoScriptThatCannotRunInATransactionRunsOutsideOne) {
  if (dialect() != db::Dialect::kPostgres) GTEST_SKIP() << "CONCURRENTLY is PostgreSQL's";
  Write("V4__index_a.sql", "CREATE INDEX CONCURRENTLY a_id ON a (id);\n");
  Write("U4__drop_index_a.sql", "DROP INDEX CONCURRENTLY a_id;\n");
  Migrate();
  auto dry = RunUndo(std::nullopt, /*dry_run=*/true);
  ASSERT_TRUE(dry) << dry.error().message;
  EXPECT_NE(dry->dry_run_sql.find("with U4__drop_index_a.sql (outside a transaction)\n"
                                  "DROP INDEX CONCURRENTLY a_id;\nINSERT INTO"),
            std::string::npos)
      << dry->dry_run_sql;
  auto result = RunUndo();
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(Scalar("SELECT count(*) FROM pg_indexes WHERE indexname = 'a_id'"), "0");
  EXPECT_EQ(History().back().type, MigrationType::kUndoSql);
}

TEST_P(UndoTest, AFailedUndoBlocksMigrateAndUndoResumesItUntilRepaired) {
  if (dialect() != db::Dialect::kMariaDb) GTEST_SKIP() << "only MariaDB records failed undos";
  Migrate();
  Write("U3__drop_c.sql", "DROP TABLE c;\nDROP TABLE no_such_table;\n");
  auto failed = RunUndo();
  ASSERT_FALSE(failed);
  EXPECT_NE(failed.error().message.find("U3__drop_c.sql:2:1: statement 2 of 2 failed"),
            std::string::npos)
      << failed.error().message;
  EXPECT_NE(failed.error().message.find("statement 1 applied before it; recorded as failed"),
            std::string::npos)
      << failed.error().message;
  MigrateListener listener;
  auto blocked = migrations::Migrate(conn(), lock_conn(), Files(), {}, listener);
  ASSERT_FALSE(blocked);
  EXPECT_EQ(blocked.error().code, ErrorCode::kValidation);
  EXPECT_NE(blocked.error().message.find("U3__drop_c.sql: statement 1 of 2 applied, statement 2 "
                                         "(line 2) failed"),
            std::string::npos)
      << blocked.error().message;
  EXPECT_NE(blocked.error().message.find("run strata undo: it resumes at statement 2"),
            std::string::npos)
      << blocked.error().message;
  // undo resumes at statement 2 (DROP TABLE c again would fail otherwise), which fails again.
  auto undo_again = RunUndo();
  ASSERT_FALSE(undo_again);
  EXPECT_EQ(undo_again.error().code, ErrorCode::kDatabase);
  EXPECT_NE(undo_again.error().message.find("statement 2 of 2 failed"), std::string::npos)
      << undo_again.error().message;
  EXPECT_EQ(History().size(), 4u);  // the earlier failed row replaced by this one

  RepairOptions repair;
  repair.run = Run();
  auto repaired = Repair(conn(), lock_conn(), Files(), repair, nullptr);
  ASSERT_TRUE(repaired) << repaired.error().message;
  ASSERT_EQ(repaired->actions.size(), 1u);
  EXPECT_EQ(repaired->actions[0].row.type, MigrationType::kUndoSql);
  EXPECT_EQ(History().size(), 3u);
}

TEST_P(UndoTest, AStopRequestEndsTheRunBeforeTheNextUndoScript) {
  Migrate();
  std::atomic<bool> stop{true};  // SIGINT/SIGTERM came while the lock was being taken
  UndoOptions options;
  options.run = Run();
  options.run.lock.stop = &stop;
  options.target = V("1");
  auto stopped = migrations::Undo(conn(), lock_conn(), Files(), options, {});
  ASSERT_FALSE(stopped);
  EXPECT_EQ(stopped.error().code, ErrorCode::kCancelled);
  EXPECT_NE(stopped.error().message.find("stopped before U3__drop_c.sql: 0 migrations undone; "
                                         "run strata undo again"),
            std::string::npos)
      << stopped.error().message;
  EXPECT_TRUE(TableExists("c"));
  EXPECT_EQ(History().size(), 3u);
}

TEST_P(UndoTest, AnUndoThatFailedHalfWayResumesAtTheStatementThatFailed) {
  if (dialect() != db::Dialect::kMariaDb) GTEST_SKIP() << "MariaDB commits every DDL statement";
  Migrate();
  Write("U3__drop_c.sql",
        "DROP TABLE c;\nDROP TABLE resume_blocker;\nCREATE TABLE undone (id INT);\n");
  ASSERT_FALSE(RunUndo());
  EXPECT_FALSE(TableExists("c"));
  EXPECT_FALSE(TableExists("undone"));

  Exec("CREATE TABLE resume_blocker (id INT)");  // the cause removed; the file stays as it is
  auto resumed = RunUndo();
  ASSERT_TRUE(resumed) << resumed.error().message;
  ASSERT_EQ(resumed->undone.size(), 1u);
  EXPECT_FALSE(TableExists("resume_blocker"));
  EXPECT_TRUE(TableExists("undone"));
  ASSERT_EQ(History().size(), 4u);  // the failed UNDO_SQL row went, the success row came
  EXPECT_EQ(History().back().type, MigrationType::kUndoSql);
  EXPECT_TRUE(History().back().success);
  EXPECT_EQ(Scalar("SELECT count(*) FROM " + ProgressTableName({}).Quoted(conn().dialect())), "0");
}

INSTANTIATE_TEST_SUITE_P(AllEngines, UndoTest, ::testing::ValuesIn(testing::kAllDialects),
                         testing::DialectParamName);

}  // namespace
}  // namespace strata::migrations
