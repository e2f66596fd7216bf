// What a user meets when a script that runs outside a transaction stops half-way
// (migrations/progress.h, docs/lifecycle.md "When a runner dies"): `repair --mark-applied`, a
// MariaDB script resumed at the statement that failed, and an INVALID index left by a failed
// CREATE INDEX CONCURRENTLY that info and validate name and the retry builds again. Dead-runner
// reconciliation itself is tested in migrations/progress_test.cc.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

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

// Spawns `strata -C <project> ARGS...`, waits (up to 20 s) until `conn` sees a statement
// containing `running` on the server, signals the process with `signo`, and returns its exit
// code; `signalled` is when the signal was sent.
int SignalledStrata(const TestProject& project, std::vector<std::string> args, db::Connection& conn,
                    const std::string& running, int signo,
                    std::chrono::steady_clock::time_point& signalled) {
  args.insert(args.begin(), {"-C", project.root().string()});
  const int pid = SpawnStrata(args);
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < give_up &&
         QueryInt(conn,
                  "SELECT count(*) FROM information_schema.PROCESSLIST WHERE ID <> "
                  "CONNECTION_ID() AND INFO LIKE CONCAT('%', ?, '%')",
                  {running}) == 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  signalled = std::chrono::steady_clock::now();
  ::kill(pid, signo);
  return WaitStrata(pid);
}

// SIGTERM while `undo --target 1` runs the first of two U scripts: the statement running is
// cancelled on the server, the U script is recorded as failed with how far it got (statement 1
// of 2), undo stops before the next U script, exit 6, and the next undo resumes and finishes.
TEST_P(MariaDbProgressCliTest, SigtermStopsAMultiScriptUndoWithTheTruthRecorded) {
  Write("V1__a.sql", "CREATE TABLE a (id INT);\n");
  Write("V2__b.sql", "CREATE TABLE b (id INT);\n");
  Write("V3__c.sql", "CREATE TABLE c (id INT);\n");
  Write("U2__b.sql", "DROP TABLE b;\n");
  Write("U3__c.sql", "DROP TABLE c;\nSELECT SLEEP(3);\n");
  ASSERT_EQ(Strata({"migrate"}).exit_code, 0);

  std::chrono::steady_clock::time_point signalled;
  EXPECT_EQ(
      SignalledStrata(project_, {"undo", "--target", "1"}, *conn_, "SLEEP(3)", SIGTERM, signalled),
      6);
  EXPECT_LT(std::chrono::steady_clock::now() - signalled, std::chrono::milliseconds(2000))
      << "the SLEEP was not cancelled";
  EXPECT_FALSE(HasTable("c"));
  EXPECT_TRUE(HasTable("b")) << "undo went on to the next U script after the signal";
  RunResult info = Strata({"info", "--json"});
  ASSERT_EQ(info.exit_code, 0) << info.all();
  const auto partial = nlohmann::json::parse(info.out)["partial"];
  ASSERT_EQ(partial.size(), 1u) << info.out;
  EXPECT_EQ(partial[0]["script"], "U3__c.sql");
  EXPECT_EQ(partial[0]["statements_done"], 1);
  EXPECT_EQ(partial[0]["statement"]["state"], "failed");
  EXPECT_NE(partial[0]["next_step"].get<std::string>().find("run strata undo: it resumes at "
                                                            "statement 2"),
            std::string::npos)
      << info.out;

  RunResult rest = Strata({"undo", "--target", "1"});
  ASSERT_EQ(rest.exit_code, 0) << rest.all();
  EXPECT_FALSE(HasTable("b"));
  RunResult after = Strata({"info", "--json"});
  EXPECT_EQ(nlohmann::json::parse(after.out)["current_version"], "1") << after.out;
  EXPECT_EQ(nlohmann::json::parse(after.out)["partial"], nlohmann::json::array()) << after.out;
}

// kill -9 while a four-statement U script runs its third: info names how far it got, and the
// next undo waits for the orphaned statement, then resumes the script there.
TEST_P(MariaDbProgressCliTest, AnUndoKilledMidScriptIsReportedAndResumed) {
  Write("V1__four.sql",
        "CREATE TABLE ua (id INT);\nCREATE TABLE ub (id INT);\nCREATE TABLE uc (id INT);\n");
  Write("U1__four.sql", "DROP TABLE ua;\nDROP TABLE ub;\nSELECT SLEEP(2);\nDROP TABLE uc;\n");
  ASSERT_EQ(Strata({"migrate"}).exit_code, 0);

  std::chrono::steady_clock::time_point signalled;
  EXPECT_EQ(SignalledStrata(project_, {"undo"}, *conn_, "SLEEP(2)", SIGKILL, signalled),
            128 + SIGKILL);
  RunResult info = Strata({"info", "--json"});
  ASSERT_EQ(info.exit_code, 0) << info.all();
  const auto partial = nlohmann::json::parse(info.out)["partial"];
  ASSERT_EQ(partial.size(), 1u) << info.out;
  EXPECT_EQ(partial[0]["script"], "U1__four.sql");
  EXPECT_EQ(partial[0]["statements_done"], 2);
  EXPECT_EQ(partial[0]["resume_at"], 3);
  EXPECT_EQ(partial[0]["runner_died"], true);
  EXPECT_NE(partial[0]["statement"]["runner"].get<std::string>().find("strata undo pid="),
            std::string::npos)
      << info.out;
  RunResult validate = Strata({"validate"});
  EXPECT_NE(validate.all().find("U1__four.sql: statements 1\u20132 of 4 applied, statement 3 "
                                "(line 3) was running in server connection"),
            std::string::npos)
      << validate.all();
  EXPECT_NE(validate.all().find("run strata undo"), std::string::npos) << validate.all();

  RunResult resumed = Strata({"undo"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.all();
  EXPECT_FALSE(HasTable("uc"));
  RunResult after = Strata({"info", "--json"});
  EXPECT_EQ(nlohmann::json::parse(after.out)["partial"], nlohmann::json::array()) << after.out;
  EXPECT_EQ(nlohmann::json::parse(after.out)["current_version"], nullptr) << after.out;
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
