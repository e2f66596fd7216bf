// `strata migrate --dry-run`, placeholders, X.sql.conf, callbacks, `baseline` and B scripts, as
// a user meets them, on PostgreSQL, MariaDB and SQLite against real servers. The dry-run tests
// dump the database with the engine's own tool before and after: the dumps must be identical.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/support/run_strata.h"
#include "tests/support/test_env.h"
#include "tests/support/test_project.h"

namespace strata::testing {
namespace {

namespace fs = std::filesystem;

std::string Slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class LifecycleTest : public ::testing::TestWithParam<db::Dialect> {
 protected:
  void SetUp() override {
    scratch_ = ScratchDatabase::Create(GetParam());
    ASSERT_NE(scratch_, nullptr);
  }

  void Write(const std::string& name, const std::string& text) { project_.Write(name, text); }
  RunResult Strata(std::vector<std::string> args, const RunOptions& options = {}) {
    args.insert(args.begin(), {"--url", scratch_->url()});
    return project_.Strata(std::move(args), options);
  }

  std::string Dump() { return scratch_->Dump(); }

  std::int64_t Count(const std::string& sql) {
    auto conn = scratch_->Connect();
    auto rows = conn->Query(sql);
    EXPECT_TRUE(rows) << sql << ": " << rows.error().message;
    return rows ? rows->Int(0, 0).value_or(-1) : -1;
  }

  std::unique_ptr<ScratchDatabase> scratch_;
  TestProject project_{"lifecycle", "[placeholders]\nowner_name = \"alice\"\n"};
  const fs::path root_ = project_.root();
};

TEST_P(LifecycleTest, DryRunOnAnEmptyDatabaseChangesNothingAndShowsEverything) {
  Write("V1__users.sql", "CREATE TABLE users (id INT PRIMARY KEY, name VARCHAR(40));\n");
  Write("V2__seed.sql", "INSERT INTO users VALUES (1, '${owner_name}');\n");
  const std::string before = Dump();
  RunResult r = Strata({"migrate", "--dry-run"});
  ASSERT_EQ(r.exit_code, 0) << r.all();
  EXPECT_EQ(Dump(), before);
  EXPECT_NE(r.out.find("-- lock: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("CREATE TABLE "), std::string::npos) << r.out;  // history table
  EXPECT_NE(r.out.find("strata_schema_history_s_idx"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("INSERT INTO users VALUES (1, 'alice');"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("VALUES (2, '2', 'seed', 'SQL', 'V2__seed.sql', "), std::string::npos)
      << r.out;
  const std::size_t create_users = r.out.find("CREATE TABLE users");
  const std::size_t seed = r.out.find("INSERT INTO users");
  EXPECT_LT(create_users, seed);
  if (GetParam() == db::Dialect::kMariaDb) {
    EXPECT_EQ(r.out.find("START TRANSACTION;"), std::string::npos) << r.out;
  } else {
    EXPECT_NE(r.out.find(GetParam() == db::Dialect::kSqlite ? "BEGIN IMMEDIATE;" : "BEGIN;"),
              std::string::npos);
    EXPECT_NE(r.out.find("COMMIT;"), std::string::npos);
  }
}

TEST_P(LifecycleTest, DryRunAfterARealRunChangesNothingAndWritesTheFile) {
  Write("V1__users.sql", "CREATE TABLE users (id INT PRIMARY KEY, name VARCHAR(40));\n");
  ASSERT_EQ(Strata({"migrate"}).exit_code, 0);
  Write("V2__more.sql", "CREATE TABLE more_users (id INT);\nINSERT INTO more_users VALUES (7);\n");
  Write("R__names.sql", "CREATE VIEW names AS SELECT name FROM users;\n");
  const std::string before = Dump();
  const fs::path out = root_ / "plan.sql";
  RunResult r = Strata({"migrate", "--dry-run-output", out.string(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.all();
  EXPECT_EQ(Dump(), before);
  const auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["dry_run"], true);
  EXPECT_EQ(doc["migrations_executed"], 0);
  ASSERT_EQ(doc["would_apply"].size(), 2u);
  EXPECT_EQ(doc["would_apply"][1]["script"], "R__names.sql");
  const std::string sql = Slurp(out);
  EXPECT_EQ(sql.find("strata_schema_history_s_idx"), std::string::npos) << sql;  // exists
  EXPECT_NE(sql.find("INSERT INTO more_users VALUES (7);"), std::string::npos) << sql;
  EXPECT_NE(sql.find("VALUES (3, NULL, 'names', 'SQL', 'R__names.sql', "), std::string::npos)
      << sql;
  // And the real run does what the dry run showed.
  ASSERT_EQ(Strata({"migrate"}).exit_code, 0);
  EXPECT_EQ(Count("SELECT count(*) FROM more_users"), 1);
}

TEST_P(LifecycleTest, UnknownPlaceholderIsAUsageErrorWithPositionAndAppliesNothing) {
  Write("V1__ok.sql", "CREATE TABLE ok_table (id INT);\n");
  Write("V2__bad.sql", "SELECT 1;\nSELECT '${nobody}';\n");
  RunResult r = Strata({"migrate"});
  EXPECT_EQ(r.exit_code, 2) << r.all();
  EXPECT_NE(r.err.find("V2__bad.sql:2:9: no value for placeholder ${nobody}"), std::string::npos)
      << r.err;
  RunResult info = Strata({"info", "--json", "-p", "nobody=x"});
  ASSERT_EQ(info.exit_code, 0) << info.all();
  EXPECT_EQ(nlohmann::json::parse(info.out)["current_version"], nullptr);  // nothing applied
  // -p supplies it; a per-script switch turns replacement off.
  RunResult with_flag = Strata({"migrate", "--dry-run", "-p", "NOBODY=x"});
  EXPECT_EQ(with_flag.exit_code, 0) << with_flag.all();
  EXPECT_NE(with_flag.out.find("SELECT 'x';"), std::string::npos) << with_flag.out;
  Write("V2__bad.sql.conf", "placeholderReplacement=false\n");
  RunResult off = Strata({"migrate", "--dry-run"});
  EXPECT_EQ(off.exit_code, 0) << off.all();
  EXPECT_NE(off.out.find("SELECT '${nobody}';"), std::string::npos) << off.out;
}

TEST_P(LifecycleTest, ScriptConfigUnknownKeyIsAUsageError) {
  Write("V1__ok.sql", "CREATE TABLE ok_table (id INT);\n");
  Write("V1__ok.sql.conf", "executeInTransaction=false\nfoo=bar\n");
  RunResult r = Strata({"migrate"});
  EXPECT_EQ(r.exit_code, 2) << r.all();
  EXPECT_NE(r.err.find("V1__ok.sql.conf:2: unknown key 'foo'"), std::string::npos) << r.err;
}

TEST_P(LifecycleTest, ExecuteInTransactionFalseRunsWithoutATransaction) {
  Write("V1__ok.sql", "CREATE TABLE ok_table (id INT);\n");
  Write("V1__ok.sql.conf", "executeInTransaction=false\n");
  RunResult r = Strata({"migrate", "--dry-run"});
  ASSERT_EQ(r.exit_code, 0) << r.all();
  // The history table is created in a transaction of its own where DDL is transactional; the
  // migration after it has none.
  const std::size_t migration = r.out.find("-- migration V1__ok.sql");
  ASSERT_NE(migration, std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("COMMIT;", migration), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("runs outside a transaction"), std::string::npos) << r.out;
}

TEST_P(LifecycleTest, CallbacksRunAtTheirEvents) {
  Write("V1__audit.sql", "CREATE TABLE audit (what VARCHAR(40));\n");
  Write("V2__users.sql", "CREATE TABLE users (id INT);\n");
  Write("afterEachMigrate.sql", "INSERT INTO audit VALUES ('${strata:filename}');\n");
  Write("afterMigrate__count.sql", "INSERT INTO audit VALUES ('done');\n");
  RunResult r = Strata({"migrate"});
  ASSERT_EQ(r.exit_code, 0) << r.all();
  EXPECT_EQ(Count("SELECT count(*) FROM audit WHERE what = 'afterEachMigrate.sql'"), 2);
  EXPECT_EQ(Count("SELECT count(*) FROM audit WHERE what = 'done'"), 1);
  Write("beforeEachMigrateStatement.sql", "SELECT 1;\n");
  RunResult unsupported = Strata({"migrate"});
  EXPECT_EQ(unsupported.exit_code, 2) << unsupported.all();
  EXPECT_NE(unsupported.err.find("beforeEachMigrateStatement.sql"), std::string::npos);
}

TEST_P(LifecycleTest, BaselineAdoptsAnExistingDatabaseOnceAndRefusesTwice) {
  {
    auto conn = scratch_->Connect();
    ASSERT_TRUE(conn->ExecuteScript("CREATE TABLE legacy (id INT)"));
  }
  Write("V1__legacy.sql", "CREATE TABLE legacy (id INT);\n");
  Write("V2__next.sql", "CREATE TABLE next_table (id INT);\n");
  const std::string before = Dump();
  RunResult dry = Strata({"baseline", "--baseline-version", "1", "--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << dry.all();
  EXPECT_EQ(Dump(), before);
  EXPECT_NE(dry.out.find("'BASELINE'"), std::string::npos) << dry.out;

  RunResult b = Strata({"baseline", "--baseline-version", "1", "--baseline-description", "legacy"});
  ASSERT_EQ(b.exit_code, 0) << b.all();
  RunResult m = Strata({"migrate", "--json"});
  ASSERT_EQ(m.exit_code, 0) << m.all();
  const auto doc = nlohmann::json::parse(m.out);
  ASSERT_EQ(doc["applied"].size(), 1u);
  EXPECT_EQ(doc["applied"][0]["version"], "2");

  RunResult again = Strata({"baseline", "--baseline-version", "3"});
  EXPECT_EQ(again.exit_code, 3) << again.all();
  EXPECT_NE(again.err.find("cannot baseline: history table"), std::string::npos) << again.err;
  EXPECT_NE(again.err.find("already has 2 rows"), std::string::npos) << again.err;
}

TEST_P(LifecycleTest, BaselineOnMigrateAndBaselineScripts) {
  Write("V1__a.sql", "CREATE TABLE a (id INT);\n");
  Write("V2__b.sql", "CREATE TABLE b (id INT);\n");
  Write("V3__c.sql", "CREATE TABLE c (id INT);\n");
  Write("B2__ab.sql", "CREATE TABLE a (id INT);\nCREATE TABLE b (id INT);\n");
  RunResult r = Strata({"migrate", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.all();
  const auto doc = nlohmann::json::parse(r.out);
  ASSERT_EQ(doc["applied"].size(), 2u) << r.out;
  EXPECT_EQ(doc["applied"][0]["type"], "sql_baseline");
  EXPECT_EQ(doc["applied"][1]["version"], "3");
}

TEST_P(LifecycleTest, BaselineOnMigrateRecordsABaselineRowForANonEmptySchema) {
  {
    auto conn = scratch_->Connect();
    ASSERT_TRUE(conn->ExecuteScript("CREATE TABLE legacy (id INT)"));
  }
  std::ofstream(root_ / "strata.toml") << "baseline_on_migrate = true\nbaseline_version = \"1\"\n";
  Write("V1__legacy.sql", "CREATE TABLE legacy (id INT);\n");
  Write("V2__next.sql", "CREATE TABLE next_table (id INT);\n");
  RunResult r = Strata({"migrate", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.all();
  const auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["baselined"], true);
  ASSERT_EQ(doc["applied"].size(), 1u);
  EXPECT_EQ(Count("SELECT count(*) FROM strata_schema_history WHERE type = 'BASELINE'"), 1);
}

INSTANTIATE_TEST_SUITE_P(Engines, LifecycleTest, ::testing::ValuesIn(kAllDialects),
                         DialectParamName);

TEST(LifecycleUnreachableTest, DryRunAgainstAnUnreachableServerExitsWith5) {
  const fs::path root =
      fs::temp_directory_path() / fmt::format("strata_unreachable_{}", ::getpid());
  fs::create_directories(root / "migrations");
  std::ofstream(root / "migrations" / "V1__a.sql") << "CREATE TABLE a (id INT);\n";
  for (const char* url :
       {"postgresql://nobody@127.0.0.1:1/none", "mariadb://nobody@127.0.0.1:1/none"}) {
    RunResult r = RunStrata({"-C", root.string(), "migrate", "--dry-run", "--url", url});
    EXPECT_EQ(r.exit_code, 5) << url << ": " << r.all();
    EXPECT_NE(r.err.find("strata: error: "), std::string::npos) << r.err;
  }
  fs::remove_all(root);
}

}  // namespace
}  // namespace strata::testing
