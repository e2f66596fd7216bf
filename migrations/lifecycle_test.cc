// What every migration command shares (lifecycle.h): the history reads and appends, the lock,
// read-only dry runs, and the emptiness check baseline_on_migrate relies on, on every engine.
#include "migrations/lifecycle.h"

#include <gtest/gtest.h>

#include "db/flavor/flavor.h"
#include "migrations/lifecycle_test_util.h"

namespace strata::migrations {
namespace {

HistoryRow Row(std::int32_t rank, const std::string& version) {
  HistoryRow row;
  row.installed_rank = rank;
  row.version = *Version::Parse(version);
  row.description = "step " + version;
  row.type = MigrationType::kSql;
  row.script = "V" + version + "__step.sql";
  row.checksum = 7;
  row.success = true;
  return row;
}

TEST(NextInstalledRankTest, OneAboveTheHighestOrOneForAnEmptyHistory) {
  EXPECT_EQ(NextInstalledRank({}), 1);
  EXPECT_EQ(NextInstalledRank({Row(3, "2"), Row(1, "1")}), 4);
}

class RunSupportTest : public LifecycleTest {};

TEST_P(RunSupportTest, ReadsAMissingHistoryAsEmptyThenTheRowsAppended) {
  SchemaHistory history(conn(), {});
  auto missing = ReadHistory(history);
  ASSERT_TRUE(missing) << missing.error().message;
  EXPECT_FALSE(missing->exists);
  EXPECT_TRUE(missing->rows.empty());

  ASSERT_TRUE(history.CreateIfMissing());
  ASSERT_TRUE(
      Execute({HistoryInsert(history, Row(1, "1")), HistoryInsert(history, Row(2, "2"))}, conn()));
  auto read = ReadHistory(history);
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_TRUE(read->exists);
  ASSERT_EQ(read->rows.size(), 2u);
  EXPECT_EQ(read->rows[1].script, "V2__step.sql");
  EXPECT_EQ(NextInstalledRank(read->rows), 3);
}

TEST_P(RunSupportTest, ADryRunDescribesTheLockAndReadsInAReadOnlyTransaction) {
  Exec("CREATE TABLE note (id INTEGER)");
  SchemaHistory history(conn(), {});
  auto lock = LockHold::Take(lock_conn(), history.quoted(), Run(/*dry_run=*/true), {});
  ASSERT_TRUE(lock) << lock.error().message;
  EXPECT_FALSE(lock->description().empty());
  auto wrote = ReadOnlyIfDryRun(conn(), /*dry_run=*/true,
                                [&] { return conn().Execute("INSERT INTO note VALUES (1)"); });
  EXPECT_FALSE(wrote);
  EXPECT_EQ(Scalar("SELECT count(*) FROM note"), "0");
  EXPECT_TRUE(lock->Release());
}

TEST_P(RunSupportTest, CountsTheSchemasObjectsBesidesTheHistoryTable) {
  SchemaHistory history(conn(), {});
  ASSERT_TRUE(history.CreateIfMissing());
  auto schema = history.ResolvedSchema();
  ASSERT_TRUE(schema) << schema.error().message;
  const db::Flavor& flavor = db::FlavorOf(conn());
  auto empty = flavor.CountObjectsExcept(conn(), *schema, history.name().table);
  ASSERT_TRUE(empty) << empty.error().message;
  EXPECT_EQ(*empty, 0);
  Exec("CREATE TABLE customer (id INTEGER PRIMARY KEY)");
  Exec("CREATE VIEW customer_ids AS SELECT id FROM customer");
  auto two = flavor.CountObjectsExcept(conn(), *schema, history.name().table);
  ASSERT_TRUE(two) << two.error().message;
  EXPECT_EQ(*two, 2);
}

INSTANTIATE_TEST_SUITE_P(AllEngines, RunSupportTest, ::testing::ValuesIn(testing::kAllDialects),
                         testing::DialectParamName);

}  // namespace
}  // namespace strata::migrations
