// What a user meets when a script that runs outside a transaction stops half-way
// (migrations/progress.h, docs/lifecycle.md "When a runner dies"): `repair --mark-applied`, a
// MariaDB script resumed at the statement that failed, and an INVALID index left by a failed
// CREATE INDEX CONCURRENTLY that info and validate name and the retry builds again. Dead-runner
// reconciliation itself is tested in migrations/progress_test.cc.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "migrations/history.h"
#include "tests/support/run_strata.h"
#include "tests/support/test_env.h"
#include "tests/support/test_project.h"

namespace strata::testing {
namespace {

class ProgressCliTest : public ::testing::TestWithParam<db::Dialect> {
 protected:
  void SetUp() override {
    scratch_ = ScratchDatabase::Create(GetParam());
    ASSERT_NE(scratch_, nullptr);
    conn_ = scratch_->Connect();
    ASSERT_NE(conn_, nullptr);
    project_.WriteConfig(fmt::format("url = \"{}\"\n", scratch_->url()));
  }
  void Write(const std::string& name, const std::string& text) { project_.Write(name, text); }
  RunResult Strata(std::vector<std::string> args) { return project_.Strata(std::move(args)); }
  void Exec(const std::string& sql) { ExecOrFail(*conn_, sql); }
  bool HasTable(const std::string& table) {
    migrations::SchemaHistory probe(*conn_, {"", table});
    auto exists = probe.Exists();
    return exists && *exists;
  }
  static void ExpectError(const RunResult& r, int exit_code, const std::string& needle) {
    EXPECT_EQ(r.exit_code, exit_code) << r.all();
    EXPECT_NE(r.err.find("strata: error: "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
  }

  std::unique_ptr<ScratchDatabase> scratch_;
  std::unique_ptr<db::Connection> conn_;
  TestProject project_{"progress_cli"};
};

TEST_P(ProgressCliTest, RepairMarkAppliedRecordsAVersionWhoseEffectsAreInPlace) {
  Write("V1__create_users.sql", "CREATE TABLE users (id INT);\n");
  Write("V2__create_orders.sql", "CREATE TABLE orders (id INT);\n");
  ASSERT_EQ(Strata({"migrate", "--target", "1"}).exit_code, 0);
  Exec("CREATE TABLE orders (id INT)");  // applied by hand

  RunResult marked = Strata({"repair", "--mark-applied", "2", "--json"});
  ASSERT_EQ(marked.exit_code, 0) << marked.all();
  const auto doc = nlohmann::json::parse(marked.out);
  ASSERT_EQ(doc["actions"].size(), 1u) << marked.out;
  EXPECT_EQ(doc["actions"][0]["action"], "mark_applied");
  EXPECT_EQ(doc["migrations_marked_applied"], 1);
  RunResult up = Strata({"migrate"});
  EXPECT_EQ(up.exit_code, 0) << up.all();
  EXPECT_NE(up.out.find("up to date at version 2"), std::string::npos) << up.out;
  EXPECT_EQ(Strata({"validate"}).exit_code, 0);

  ExpectError(Strata({"repair", "--mark-applied", "2"}), 2,
              "cannot mark version 2 (V2__create_orders.sql) applied: it is Success already");
  ExpectError(Strata({"repair", "--mark-applied", "7"}), 2,
              "cannot mark version 7 applied: no migration file in the locations has that version");
  ExpectError(Strata({"repair", "--mark-applied", "x.y"}), 2,
              "--mark-applied: 'x.y' is not a version");
}

INSTANTIATE_TEST_SUITE_P(AllEngines, ProgressCliTest, ::testing::ValuesIn(kAllDialects),
                         DialectParamName);

class MariaDbProgressCliTest : public ProgressCliTest {};

TEST_P(MariaDbProgressCliTest, AScriptWhoseThirdStatementOfFourFailedResumesThere) {
  Write("V1__four_tables.sql",
        "CREATE TABLE pa (id INT);\nCREATE TABLE pb (id INT);\nCREATE TABLE pc (id INT);\n"
        "CREATE TABLE pd (id INT);\n");
  Exec("CREATE TABLE pc (id INT)");  // a conflicting object
  RunResult failed = Strata({"migrate"});
  ExpectError(failed, 1, "V1__four_tables.sql:3:1: statement 3 of 4 failed");
  EXPECT_NE(failed.err.find("resumes at statement 3"), std::string::npos) << failed.err;

  RunResult info = Strata({"info", "--json"});
  ASSERT_EQ(info.exit_code, 0) << info.all();
  const auto partial = nlohmann::json::parse(info.out)["partial"];
  ASSERT_EQ(partial.size(), 1u) << info.out;
  EXPECT_EQ(partial[0]["script"], "V1__four_tables.sql");
  EXPECT_EQ(partial[0]["statements_done"], 2);
  EXPECT_EQ(partial[0]["resume_at"], 3);
  EXPECT_EQ(partial[0]["statement"]["line"], 3);
  EXPECT_EQ(partial[0]["statement"]["state"], "failed");
  RunResult validate = Strata({"validate"});
  EXPECT_EQ(validate.exit_code, 3) << validate.all();
  EXPECT_NE(validate.err.find("V1__four_tables.sql: statements 1\u20132 of 4 applied, statement 3 "
                              "(line 3) failed"),
            std::string::npos)
      << validate.err;

  Exec("DROP TABLE pc");  // the cause removed; the file stays as it is
  RunResult resumed = Strata({"migrate"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.all();
  for (const char* t : {"pa", "pb", "pc", "pd"}) EXPECT_TRUE(HasTable(t)) << t;
  RunResult after = Strata({"info", "--json"});
  EXPECT_EQ(nlohmann::json::parse(after.out)["partial"], nlohmann::json::array()) << after.out;
  EXPECT_EQ(Strata({"validate"}).exit_code, 0);
}

INSTANTIATE_TEST_SUITE_P(MariaDb, MariaDbProgressCliTest, ::testing::Values(db::Dialect::kMariaDb),
                         DialectParamName);

class PostgresProgressCliTest : public ProgressCliTest {};

TEST_P(PostgresProgressCliTest, AnInvalidIndexFromAFailedCicIsNamedAndBuiltAgain) {
  Exec("CREATE TABLE big (id INT, v INT)");
  Exec("INSERT INTO big VALUES (1, 1), (2, 1), (3, 2)");  // duplicates: the UNIQUE build fails
  Write("V1__unique_v.sql", "CREATE UNIQUE INDEX CONCURRENTLY big_v ON big (v);\n");
  ExpectError(Strata({"migrate"}), 1, "V1__unique_v.sql:1:1: statement 1 of 1 failed");

  const std::string named = "INVALID index \"big_v\" left by V1__unique_v.sql (statement 1)";
  RunResult info = Strata({"info"});
  EXPECT_NE(info.out.find(named), std::string::npos) << info.all();
  RunResult validate = Strata({"validate"});
  EXPECT_EQ(validate.exit_code, 3) << validate.all();
  EXPECT_NE(validate.err.find(named), std::string::npos) << validate.err;
  RunResult json = Strata({"info", "--json"});
  EXPECT_EQ(nlohmann::json::parse(json.out)["partial"][0]["invalid_indexes"],
            nlohmann::json::array({"\"big_v\""}))
      << json.out;

  Exec("DELETE FROM big WHERE id = 2");
  RunResult retried = Strata({"migrate"});
  ASSERT_EQ(retried.exit_code, 0) << retried.all();
  EXPECT_EQ(QueryInt(*conn_,
                     "SELECT count(*) FROM pg_index WHERE indexrelid = 'big_v'::regclass "
                     "AND indisvalid"),
            1);
  EXPECT_EQ(Strata({"validate"}).exit_code, 0);
}

INSTANTIATE_TEST_SUITE_P(Postgres, PostgresProgressCliTest,
                         ::testing::Values(db::Dialect::kPostgres), DialectParamName);

}  // namespace
}  // namespace strata::testing
