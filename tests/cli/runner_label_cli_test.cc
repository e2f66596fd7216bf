// The runner label every strata connection carries (db/runner.h): info and validate carry it
// too, a successor finds what a dead runner left running on a history table whichever spelling
// of that table (explicit schema or the default one) each of them used, and its wait for that
// statement shares lock_timeout with its wait for the lock (migrations/lifecycle.h).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "db/open.h"
#include "db/runner.h"
#include "migrations/history.h"
#include "migrations/lock.h"
#include "tests/support/run_strata.h"
#include "tests/support/test_env.h"
#include "tests/support/test_project.h"

namespace strata::testing {
namespace {

class RunnerLabelCliTest : public ::testing::TestWithParam<db::Dialect> {
 protected:
  void SetUp() override {
    scratch_ = ScratchDatabase::Create(GetParam());
    if (scratch_ == nullptr) GTEST_SKIP() << "no server for " << db::DialectName(GetParam());
    conn_ = scratch_->Connect();
    ASSERT_NE(conn_, nullptr);
    project_.Write("V1__t.sql", "CREATE TABLE t (id INT);\n");
  }

  // The schema the server resolves for the default spelling.
  std::string DefaultSchema() {
    migrations::SchemaHistory history(*conn_, {});
    auto schema = history.ResolvedSchema();
    EXPECT_TRUE(schema) << schema.error().message;
    return schema ? *schema : "";
  }

  // A connection carrying `label` ("strata ...").
  std::unique_ptr<db::Connection> Labelled(const std::string& label) {
    auto url = db::ParseUrl(scratch_->url());
    EXPECT_TRUE(url) << url.error().message;
    db::ConnectOptions options;
    options.runner = label;
    auto conn = db::Open(*url, options);
    EXPECT_TRUE(conn) << conn.error().message;
    return conn ? std::move(conn).value() : nullptr;
  }

  void WriteConfig(const std::string& extra) {
    project_.WriteConfig(fmt::format("url = \"{}\"\n{}", scratch_->url(), extra));
  }

  std::unique_ptr<ScratchDatabase> scratch_;
  std::unique_ptr<db::Connection> conn_;
  TestProject project_{"runner_label_cli"};
};

TEST_P(RunnerLabelCliTest, InfoAndValidateConnectionsCarryTheRunnerLabel) {
  // init_sql runs on every migration connection: it writes down how the server shows it.
  const std::string capture =
      GetParam() == db::Dialect::kPostgres
          ? "INSERT INTO seen SELECT current_setting('application_name')"
          : "INSERT INTO seen SELECT INFO FROM information_schema.PROCESSLIST WHERE ID = "
            "CONNECTION_ID()";
  ExecOrFail(*conn_, "CREATE TABLE seen (label VARCHAR(500))");
  WriteConfig(fmt::format("init_sql = \"{}\"\n", capture));
  for (const std::string command : {"info", "validate"}) {
    SCOPED_TRACE(command);
    ExecOrFail(*conn_, "DELETE FROM seen");
    RunResult r = project_.Strata({command});
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 3) << r.all();
    auto rows = conn_->Query("SELECT label FROM seen");
    ASSERT_TRUE(rows) << rows.error().message;
    ASSERT_FALSE(rows->rows.empty());
    for (const auto& row : rows->rows) {
      auto runner = db::RunnerIdentity::Parse(row[0].value_or(""));
      ASSERT_TRUE(runner) << row[0].value_or("NULL");
      EXPECT_EQ(runner->command, command);
    }
  }
}

// A dead runner's statement on the history table, spelled with the resolved schema: a successor
// that spells it either way (no --schema, or --schema <the default>) finds and cancels it.
TEST_P(RunnerLabelCliTest, EitherSpellingOfTheHistoryTableFindsTheDeadRunnersStatement) {
  WriteConfig("");
  const std::string schema = DefaultSchema();
  const std::string label = fmt::format("strata migrate pid=1 run=deadbeef scope={}",
                                        db::ScopeTag(schema, migrations::HistoryTableName{}.table));
  const std::string sleep =
      GetParam() == db::Dialect::kPostgres ? "SELECT pg_sleep(30)" : "SELECT SLEEP(30)";
  for (const bool explicit_schema : {false, true}) {
    SCOPED_TRACE(explicit_schema ? "--schema " + schema : "the default schema");
    std::unique_ptr<db::Connection> dead = Labelled(label);
    ASSERT_NE(dead, nullptr);
    std::thread orphan([&] { (void)dead->Query(sleep); });
    const auto started = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    std::vector<std::string> args = {"migrate", "--cancel-orphans"};
    if (explicit_schema) args.insert(args.end(), {"--schema", schema});
    RunResult r = project_.Strata(args);
    orphan.join();
    EXPECT_EQ(r.exit_code, 0) << r.all();
    EXPECT_NE(r.err.find("cancelling a statement left running by a strata runner that is gone"),
              std::string::npos)
        << r.all();
    EXPECT_NE(r.err.find("(left by " + label + ")"), std::string::npos) << r.all();
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(20))
        << "the dead runner's statement was not cancelled";
    ExecOrFail(*conn_, "DROP TABLE t");
    ExecOrFail(*conn_, "DROP TABLE strata_schema_history");
  }
}

// lock_timeout bounds the wait for the lock and the wait for a dead runner's statement
// together: a runner that waited 3 s for the lock has 1 s of a 4 s budget left for the orphan.
TEST_P(RunnerLabelCliTest, TheLockWaitAndTheOrphanWaitShareLockTimeout) {
  WriteConfig("");
  const std::string label =
      fmt::format("strata migrate pid=1 run=deadbeef scope={}",
                  db::ScopeTag(DefaultSchema(), migrations::HistoryTableName{}.table));
  std::unique_ptr<db::Connection> dead = Labelled(label);
  ASSERT_NE(dead, nullptr);
  std::thread orphan([&] {
    (void)dead->Query(GetParam() == db::Dialect::kPostgres ? "SELECT pg_sleep(12)"
                                                           : "SELECT SLEEP(12)");
  });
  // Another runner holds the lock for 3 s.
  std::unique_ptr<db::Connection> holder_conn = scratch_->Connect();
  migrations::SchemaHistory history(*holder_conn, {});
  Result<std::string> lock_name = history.LockName();
  ASSERT_TRUE(lock_name) << lock_name.error().message;
  auto held = migrations::MigrationLock::Acquire(*holder_conn, *lock_name, {}, nullptr);
  ASSERT_TRUE(held) << held.error().message;
  std::thread holder([&] {
    std::this_thread::sleep_for(std::chrono::seconds(3));
    (void)held->Release();
  });

  const auto started = std::chrono::steady_clock::now();
  RunResult r = project_.Strata({"migrate", "--lock-timeout", "4s"});
  const auto took = std::chrono::steady_clock::now() - started;
  holder.join();
  EXPECT_EQ(r.exit_code, 4) << r.all();
  EXPECT_NE(r.err.find("for the lock: lock_timeout bounds both waits"), std::string::npos)
      << r.all();
  EXPECT_GE(took, std::chrono::seconds(3)) << r.all();
  EXPECT_LT(took, std::chrono::milliseconds(6500))
      << "the orphan wait had a lock_timeout of its own on top of the lock wait: " << r.all();
  // Cancel the orphan (its statement would outlive the scratch database otherwise).
  EXPECT_EQ(project_.Strata({"migrate", "--cancel-orphans"}).exit_code, 0);
  orphan.join();
}

INSTANTIATE_TEST_SUITE_P(Servers, RunnerLabelCliTest,
                         ::testing::Values(db::Dialect::kPostgres, db::Dialect::kMariaDb),
                         DialectParamName);

}  // namespace
}  // namespace strata::testing
