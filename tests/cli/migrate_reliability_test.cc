// `strata migrate` as release pipelines run it: several pods at once, and pods killed at any
// moment. Real processes against real servers.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <thread>

#include "migrations/history.h"
#include "tests/support/run_strata.h"
#include "tests/support/test_env.h"

namespace strata::testing {
namespace {

namespace fs = std::filesystem;

constexpr int kMigrations = 12;

// A statement that takes a noticeable moment, so kills land inside migrations too.
std::string SlowStatement(db::Dialect dialect) {
  switch (dialect) {
    case db::Dialect::kPostgres:
      return "SELECT pg_sleep(0.02);";
    case db::Dialect::kMariaDb:
      return "DO SLEEP(0.02);";
    case db::Dialect::kSqlite:
      return "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000) "
             "SELECT count(*) FROM c;";
  }
  return "";
}

class MigrateReliabilityTest : public ::testing::TestWithParam<db::Dialect> {
 protected:
  void SetUp() override {
    dir_ = testing::TestTempDir("reliability");
    fs::create_directories(dir_);
    // MariaDB commits DDL implicitly, so a killed runner can leave a table without its row;
    // IF NOT EXISTS lets the next run complete, as a careful MariaDB migration would.
    const char* if_not_exists = GetParam() == db::Dialect::kMariaDb ? "IF NOT EXISTS " : "";
    for (int n = 1; n <= kMigrations; ++n) {
      std::ofstream(dir_ / fmt::format("V{}__step_{}.sql", n, n))
          << fmt::format("CREATE TABLE {}t{} (id INT);\n{}\nINSERT INTO t{} VALUES ({});\n",
                         if_not_exists, n, SlowStatement(GetParam()), n, n);
    }
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::vector<std::string> MigrateArgs(const ScratchDatabase& db) const {
    return {"migrate", "--url", db.url(), "--locations", dir_.string(), "--lock-timeout", "60s"};
  }

  // Versions with a successful history row, and tables t<n> that exist.
  void Inspect(const ScratchDatabase& db, std::set<int>& recorded, std::set<int>& tables) {
    auto conn = db.Connect();
    ASSERT_NE(conn, nullptr);
    migrations::SchemaHistory history(*conn, {});
    auto exists = history.Exists();
    ASSERT_TRUE(exists) << exists.error().message;
    if (*exists) {
      auto rows = history.ReadAll();
      ASSERT_TRUE(rows) << rows.error().message;
      for (const auto& row : *rows) {
        ASSERT_TRUE(row.success) << "a killed runner never records a failure: " << row.script;
        EXPECT_TRUE(recorded.insert(std::stoi(row.version->ToString())).second)
            << "version " << row.version->ToString() << " recorded twice";
      }
    }
    for (int n = 1; n <= kMigrations; ++n) {
      migrations::SchemaHistory probe(*conn, {"", fmt::format("t{}", n)});
      auto table = probe.Exists();
      ASSERT_TRUE(table) << table.error().message;
      if (*table) tables.insert(n);
    }
  }

  fs::path dir_;
};

TEST_P(MigrateReliabilityTest, EightConcurrentRunnersApplyEachMigrationExactlyOnce) {
  auto db = ScratchDatabase::Create(GetParam());
  ASSERT_NE(db, nullptr);
  std::vector<int> pids;
  pids.reserve(8);
  for (int i = 0; i < 8; ++i) pids.push_back(SpawnStrata(MigrateArgs(*db)));
  for (int pid : pids) EXPECT_EQ(WaitStrata(pid), 0);

  std::set<int> recorded;
  std::set<int> tables;
  Inspect(*db, recorded, tables);
  EXPECT_EQ(recorded.size(), static_cast<std::size_t>(kMigrations));
  EXPECT_EQ(tables.size(), static_cast<std::size_t>(kMigrations));
  auto conn = db->Connect();
  for (int n = 1; n <= kMigrations; ++n) {
    auto count = conn->Query(fmt::format("SELECT count(*) FROM t{}", n));
    ASSERT_TRUE(count) << count.error().message;
    EXPECT_EQ(count->rows[0][0], "1") << "migration " << n << " ran more than once";
  }
}

TEST_P(MigrateReliabilityTest, KillNineAtRandomMomentsLeavesHistoryAndSchemaInAgreement) {
  std::mt19937 random(20261122);
  std::uniform_int_distribution<int> delay_ms(0, 700);
  int killed_midway = 0;
  for (int trial = 0; trial < 20; ++trial) {
    SCOPED_TRACE(fmt::format("trial {}", trial));
    auto db = ScratchDatabase::Create(GetParam());
    ASSERT_NE(db, nullptr);
    const int pid = SpawnStrata(MigrateArgs(*db));
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(random)));
    ::kill(pid, SIGKILL);
    WaitStrata(pid);

    std::set<int> recorded;
    std::set<int> tables;
    Inspect(*db, recorded, tables);
    if (recorded.size() < static_cast<std::size_t>(kMigrations)) ++killed_midway;
    for (int v : recorded)
      EXPECT_TRUE(tables.count(v)) << "version " << v << " recorded, not applied";
    if (GetParam() == db::Dialect::kMariaDb) {
      // DDL commits as it runs: at most the migration in flight is applied without its row.
      EXPECT_LE(tables.size() - recorded.size(), 1u);
    } else {
      EXPECT_EQ(tables, recorded) << "applied and recorded must commit together";
    }

    // The lock died with the process: the next run completes everything.
    RunResult next = RunStrata(MigrateArgs(*db));
    ASSERT_EQ(next.exit_code, 0) << next.all();
    std::set<int> final_recorded;
    std::set<int> final_tables;
    Inspect(*db, final_recorded, final_tables);
    EXPECT_EQ(final_recorded.size(), static_cast<std::size_t>(kMigrations));
    EXPECT_EQ(final_tables.size(), static_cast<std::size_t>(kMigrations));
  }
  // The delays must actually interrupt runs, or this test proves nothing.
  EXPECT_GE(killed_midway, 5);
}

INSTANTIATE_TEST_SUITE_P(Engines, MigrateReliabilityTest, ::testing::ValuesIn(kAllDialects),
                         DialectParamName);

}  // namespace
}  // namespace strata::testing
