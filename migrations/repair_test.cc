// repair: the pure plan (what changes, in which order) and the command on every engine.
#include "migrations/repair.h"

#include <gtest/gtest.h>

#include "migrations/lifecycle_test_util.h"

namespace strata::migrations {
namespace {

// ----- PlanRepair, without a database ----------------------------------------------------------

Version V(const std::string& text) { return *Version::Parse(text); }

ResolvedMigration File(std::optional<std::string> version, const std::string& description,
                       std::int32_t checksum) {
  ResolvedMigration m;
  m.kind = version ? MigrationKind::kVersioned : MigrationKind::kRepeatable;
  if (version) m.version = V(*version);
  m.description = description;
  std::string name = description;
  for (char& c : name) c = c == ' ' ? '_' : c;
  m.script = (version ? "V" + *version : std::string("R")) + "__" + name + ".sql";
  m.path = "/migrations/" + m.script;
  m.checksum = checksum;
  return m;
}

HistoryRow RowFor(std::int32_t rank, const ResolvedMigration& file, bool success = true) {
  HistoryRow row;
  row.installed_rank = rank;
  row.version = file.version;
  row.description = file.description;
  row.type = file.type();
  row.script = file.script;
  row.checksum = file.checksum;
  row.installed_by = "app";
  row.success = success;
  return row;
}

const std::vector<IgnorePattern> kDefaultPatterns = {
    {IgnorePattern::Type::kAny, IgnorePattern::State::kFuture}};

// "<action> <script>[: field old -> new, ...]" per action.
std::vector<std::string> Summary(const std::vector<RepairAction>& actions) {
  std::vector<std::string> out;
  for (const RepairAction& a : actions) {
    std::string line = std::string(RepairActionName(a.kind)) + " " + a.row.script;
    for (const FieldChange& c : a.changes) {
      line += fmt::format(" {} {} -> {}", c.field, c.old_value, c.new_value);
    }
    out.push_back(line);
  }
  return out;
}

using Strings = std::vector<std::string>;

TEST(PlanRepairTest, HistoryThatMatchesTheFilesNeedsNothing) {
  const auto v1 = File("1", "a", 10), v2 = File("2", "b", 20), r = File(std::nullopt, "r", 30);
  auto actions =
      PlanRepair({v1, v2, r}, {RowFor(1, v1), RowFor(2, v2), RowFor(3, r)}, kDefaultPatterns);
  ASSERT_TRUE(actions) << actions.error().message;
  EXPECT_TRUE(actions->empty());
}

TEST(PlanRepairTest, RemovesFailedRowsMarksMissingAndRealignsInThatOrder) {
  const auto v1 = File("1", "a", 10), v2 = File("2", "b", 20), v3 = File("3", "c", 30),
             v4 = File("4", "d", 40);
  auto renamed = v1;
  renamed.description = "a renamed";
  renamed.checksum = 11;
  // v2's file is gone; v4 failed (MariaDB).
  auto actions = PlanRepair({renamed, v3, v4},
                            {RowFor(1, v1), RowFor(2, v2), RowFor(3, v3), RowFor(4, v4, false)},
                            kDefaultPatterns);
  ASSERT_TRUE(actions) << actions.error().message;
  EXPECT_EQ(Summary(*actions),
            (Strings{"remove failed V4__d.sql", "mark deleted V2__b.sql",
                     "realign V1__a.sql checksum 10 -> 11 description a -> a renamed"}));
  EXPECT_EQ((*actions)[2].realigned.checksum, 11);
  EXPECT_EQ((*actions)[2].realigned.description, "a renamed");
  EXPECT_EQ((*actions)[2].realigned.installed_rank, 1);
}

TEST(PlanRepairTest, RealignsTheTypeOfAVersionTurnedIntoAJob) {
  const auto v1 = File("1", "a", 10);
  auto job = v1;
  job.kind = MigrationKind::kJob;
  job.script = "V1__a.job";
  auto actions = PlanRepair({job}, {RowFor(1, v1)}, kDefaultPatterns);
  ASSERT_TRUE(actions) << actions.error().message;
  EXPECT_EQ(Summary(*actions), Strings{"realign V1__a.sql type SQL -> JDBC"});
  EXPECT_EQ((*actions)[0].realigned.type, MigrationType::kJdbc);
}

TEST(PlanRepairTest, MissingRowsHonourTheMissingPattern) {
  const auto v1 = File("1", "a", 10), v2 = File("2", "b", 20), r = File(std::nullopt, "r", 30);
  const std::vector<HistoryRow> history = {RowFor(1, v1), RowFor(2, v2), RowFor(3, r)};
  auto marked = PlanRepair({v2}, history, kDefaultPatterns);
  ASSERT_TRUE(marked);
  EXPECT_EQ(Summary(*marked), (Strings{"mark deleted V1__a.sql", "mark deleted R__r.sql"}));

  auto ignored = PlanRepair({v2}, history, *IgnorePattern::ParseList("versioned:missing"));
  ASSERT_TRUE(ignored);
  EXPECT_EQ(Summary(*ignored), Strings{"mark deleted R__r.sql"});
}

TEST(PlanRepairTest, FutureRowsAreMarkedOnlyWhenFuturePatternIsDropped) {
  const auto v1 = File("1", "a", 10), v2 = File("2", "b", 20);
  const std::vector<HistoryRow> history = {RowFor(1, v1), RowFor(2, v2)};
  auto kept = PlanRepair({v1}, history, kDefaultPatterns);
  ASSERT_TRUE(kept);
  EXPECT_TRUE(kept->empty());
  auto marked = PlanRepair({v1}, history, {});
  ASSERT_TRUE(marked);
  EXPECT_EQ(Summary(*marked), Strings{"mark deleted V2__b.sql"});
}

TEST(PlanRepairTest, RepeatableIsRealignedOnlyFromItsRawChecksum) {
  auto r = File(std::nullopt, "r", 30);
  HistoryRow row = RowFor(1, r);  // applied with the raw text's checksum (placeholders off)
  r.checksum = 31;                // the text with placeholders replaced
  r.equivalent_checksum = 30;
  auto actions = PlanRepair({r}, {row}, kDefaultPatterns);
  ASSERT_TRUE(actions);
  EXPECT_EQ(Summary(*actions), Strings{"realign R__r.sql checksum 30 -> 31"});

  // Any other change makes it Outdated: migrate runs it again, repair leaves it.
  r.equivalent_checksum.reset();
  auto outdated = PlanRepair({r}, {row}, kDefaultPatterns);
  ASSERT_TRUE(outdated);
  EXPECT_TRUE(outdated->empty());
}

TEST(PlanRepairTest, DeletedAndUndoneRowsAreLeftAlone) {
  const auto v1 = File("1", "a", 10), v2 = File("2", "b", 20);
  HistoryRow deleted = RowFor(3, v1);
  deleted.type = MigrationType::kDelete;
  auto actions = PlanRepair({v2}, {RowFor(1, v1), RowFor(2, v2), deleted}, kDefaultPatterns);
  ASSERT_TRUE(actions) << actions.error().message;
  EXPECT_TRUE(actions->empty()) << Summary(*actions)[0];
}

// ----- Repair on every engine ------------------------------------------------------------------

class RepairTest : public LifecycleTest {
 protected:
  Result<RepairResult> RunRepair(bool dry_run = false) {
    RepairOptions options;
    options.run = Run(dry_run);
    return Repair(conn(), lock_conn(), Files(), options, nullptr);
  }

  Status Validate() {
    auto plan = Inspect(conn(), Files(), {}, {});
    if (!plan) return std::move(plan).error();
    return ValidationStatus(*plan);
  }

  void WriteThreeMigrations() {
    Write("V1__create_a.sql", "CREATE TABLE a (id INT);\n");
    Write("V2__create_b.sql", "CREATE TABLE b (id INT);\n");
    Write("V3__create_c.sql", "CREATE TABLE c (id INT);\n");
  }
};

TEST_P(RepairTest, NothingToRepairChangesNothing) {
  WriteThreeMigrations();
  Migrate();
  const std::string before = Dump();
  auto result = RunRepair();
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_TRUE(result->history_exists);
  EXPECT_TRUE(result->actions.empty());
  EXPECT_EQ(Dump(), before);
}

TEST_P(RepairTest, WithoutHistoryTableThereIsNothingToRepairAndNoTableIsCreated) {
  WriteThreeMigrations();
  auto result = RunRepair();
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_FALSE(result->history_exists);
  EXPECT_TRUE(result->actions.empty());
  EXPECT_FALSE(TableExists("strata_schema_history"));
}

TEST_P(RepairTest, RealignsEditedAndRenamedFilesAndMarksRemovedOnesDeleted) {
  WriteThreeMigrations();
  Migrate();
  Write("V1__create_a.sql", "CREATE TABLE a (id INT); -- reformatted\n");
  Remove("V2__create_b.sql");
  Write("V2__create_table_b.sql", "CREATE TABLE b (id INT);\n");
  Remove("V3__create_c.sql");
  Write("V4__create_d.sql", "CREATE TABLE d (id INT);\n");  // so that V3 is Missing, not Future
  ASSERT_FALSE(Validate());

  auto result = RunRepair();
  ASSERT_TRUE(result) << result.error().message;
  ASSERT_EQ(result->actions.size(), 3u);
  EXPECT_EQ(result->actions[0].kind, RepairAction::Kind::kMarkDeleted);
  EXPECT_EQ(result->actions[0].row.script, "V3__create_c.sql");
  EXPECT_EQ(result->actions[1].kind, RepairAction::Kind::kRealign);
  ASSERT_EQ(result->actions[1].changes.size(), 1u);
  EXPECT_EQ(result->actions[1].changes[0].field, "checksum");
  ASSERT_EQ(result->actions[2].changes.size(), 1u);
  EXPECT_EQ(result->actions[2].changes[0].field, "description");
  EXPECT_EQ(result->actions[2].changes[0].old_value, "create b");
  EXPECT_EQ(result->actions[2].changes[0].new_value, "create table b");

  const std::vector<HistoryRow> rows = History();
  ASSERT_EQ(rows.size(), 4u);
  const std::vector<ResolvedMigration> files = Files();
  EXPECT_EQ(rows[0].checksum, files[0].checksum);
  EXPECT_EQ(rows[1].description, "create table b");
  EXPECT_EQ(rows[3].installed_rank, 4);
  EXPECT_EQ(rows[3].type, MigrationType::kDelete);
  EXPECT_EQ(rows[3].version->ToString(), "3");
  EXPECT_EQ(rows[3].script, "V3__create_c.sql");
  EXPECT_EQ(rows[3].checksum, rows[2].checksum);
  EXPECT_EQ(rows[3].execution_time, 0);
  EXPECT_TRUE(rows[3].success);
  Status valid = Validate();
  // Only V4 is pending now.
  ASSERT_FALSE(valid);
  EXPECT_NE(valid.error().message.find("1 problem"), std::string::npos) << valid.error().message;
  EXPECT_NE(valid.error().message.find("V4__create_d.sql"), std::string::npos);

  auto again = RunRepair();
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->actions.empty());
}

TEST_P(RepairTest, RemovesAFailedRowSoThatMigrateCanContinue) {
  WriteThreeMigrations();
  Write("V4__broken.sql", "CREATE TABLE d (id INT);\nINSERT INTO no_such_table VALUES (1);\n");
  MigrateListener listener;
  auto failed = migrations::Migrate(conn(), lock_conn(), Files(), {}, listener);
  ASSERT_FALSE(failed);
  // MariaDB commits DDL, so the failure is recorded; PostgreSQL and SQLite rolled it back.
  const bool recorded = dialect() == db::Dialect::kMariaDb;
  ASSERT_EQ(History().size(), recorded ? 4u : 3u);

  auto result = RunRepair();
  ASSERT_TRUE(result) << result.error().message;
  ASSERT_EQ(result->actions.size(), recorded ? 1u : 0u);
  if (recorded) {
    EXPECT_EQ(result->actions[0].kind, RepairAction::Kind::kRemoveFailed);
    EXPECT_EQ(result->actions[0].row.script, "V4__broken.sql");
    Exec("DROP TABLE d");  // the half-applied change, cleaned up by hand
  }
  EXPECT_EQ(History().size(), 3u);
  Write("V4__broken.sql", "CREATE TABLE d (id INT);\n");
  Migrate();
  EXPECT_EQ(History().size(), 4u);
  EXPECT_TRUE(History()[3].success);
}

TEST_P(RepairTest, DryRunShowsTheStatementsAndChangesNothing) {
  WriteThreeMigrations();
  Migrate();
  Write("V1__create_a.sql", "CREATE TABLE a (id INT); -- edited\n");
  Remove("V2__create_b.sql");
  const std::string before = Dump();

  auto result = RunRepair(/*dry_run=*/true);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(Dump(), before);
  ASSERT_EQ(result->actions.size(), 2u);
  const std::string& sql = result->dry_run_sql;
  EXPECT_NE(sql.find("-- lock: "), std::string::npos) << sql;
  EXPECT_NE(sql.find("-- mark deleted: version 2 (V2__create_b.sql), installed_rank 2"),
            std::string::npos)
      << sql;
  EXPECT_NE(sql.find("'DELETE'"), std::string::npos) << sql;
  EXPECT_NE(sql.find(fmt::format("UPDATE {} SET description = 'create a', type = 'SQL', "
                                 "checksum = {} WHERE installed_rank = 1;",
                                 SchemaHistory(conn(), {}).quoted(), Files()[0].checksum)),
            std::string::npos)
      << sql;
  EXPECT_NE(sql.find("COMMIT;"), std::string::npos) << sql;
}

TEST_P(RepairTest, RunsRepairCallbacksAroundTheRepair) {
  WriteThreeMigrations();
  Migrate();
  Write("beforeRepair.sql", "CREATE TABLE repair_started (id INT);\n");
  Write("afterRepair.sql", "CREATE TABLE repair_finished (id INT);\n");
  auto result = RunRepair();
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_TRUE(TableExists("repair_started"));
  EXPECT_TRUE(TableExists("repair_finished"));
}

INSTANTIATE_TEST_SUITE_P(AllEngines, RepairTest, ::testing::ValuesIn(testing::kAllDialects),
                         testing::DialectParamName);

}  // namespace
}  // namespace strata::migrations
