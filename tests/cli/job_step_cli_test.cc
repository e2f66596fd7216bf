// `.job` steps inside `strata migrate`, on every engine, with real processes: the event
// platform's example runs its backfill step (the rows the generator says are missing, no
// more), a job step that does not complete records nothing and the next migrate resumes its
// run, kill -9 during a job step, and the dry run that shows the step and changes nothing.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "examples/events/generator/generator.h"
#include "tests/support/copy_job_tables.h"
#include "tests/support/example.h"
#include "tests/support/run_strata.h"
#include "tests/support/test_env.h"

namespace strata::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using ::testing::HasSubstr;

class JobStepCliTest : public ScratchDatabaseTest {
 protected:
  void SetUp() override {
    ScratchDatabaseTest::SetUp();
    if (HasFatalFailure()) return;
    dir_ = testing::TestTempDir("job_step");
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  RunResult Strata(std::vector<std::string> args) {
    args.insert(args.begin(), {"--url", scratch_->url()});
    return RunStrata(args);
  }

  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name, std::ios::binary) << text;
  }

  // The test-copy job's tables: bf_target gets a copy of bf_source's n rows.
  // `extra_sql` ends V1, after the seed rows.
  void CopyJobMigrations(int n, const std::string& job_params, const std::string& extra_sql = "") {
    Write("V1__tables.sql", CopyJobTablesSql(GetParam()) + CopyJobSeedSql(n) + ";\n" + extra_sql);
    Write("V2__copy.job", "job = \"test-copy\"\n[params]\n" + job_params);
    // IF NOT EXISTS: on MariaDB a kill between the DDL and its history row leaves the table.
    Write("V3__after.sql", "CREATE TABLE IF NOT EXISTS after_copy (id INT);\n");
  }

  std::int64_t Mismatches() { return Scalar(kCopyJobMismatchesSql); }

  std::string HistoryTypes() {
    auto rows = conn_->Query(
        "SELECT version, type, success FROM strata_schema_history ORDER BY installed_rank");
    EXPECT_TRUE(rows) << (rows ? "" : rows.error().message);
    std::string out;
    if (!rows) return out;
    for (const auto& r : rows->rows) {
      const bool ok = r[2] == "t" || r[2] == "1" || r[2] == "true";
      out += fmt::format("{}:{}:{} ", r[0].value_or("-"), r[1].value_or(""), ok ? "ok" : "failed");
    }
    return out;
  }

  fs::path dir_;
};

// The README's story on every engine: the schema (V1-V3), legacy data loaded, a dry run of
// the backfill, then the V4 job step writes exactly the rows the generator computed as
// missing, independently, with domain::metric_days.
TEST_P(JobStepCliTest, ExampleBackfillStepWritesExactlyTheMissingRows) {
  const std::string example = ExampleMigrations(GetParam()).string();
  RunResult schema = Strata({"migrate", "--locations", example, "--target", "3"});
  ASSERT_EQ(schema.exit_code, 0) << schema.all();

  examples::events::GeneratorOptions options;
  options.events = 400;
  options.seed = 7;
  auto data = examples::events::GenerateLegacyData(*conn_, options);
  ASSERT_TRUE(data) << data.error().message;
  ASSERT_GT(data->missing_metric_rows, 0);

  RunResult dry = Strata({"backfill", "run", "event-view-metrics", "--dry-run", "--json"});
  ASSERT_EQ(dry.exit_code, 0) << dry.all();
  EXPECT_EQ(nlohmann::json::parse(dry.out)["rows_written"], data->missing_metric_rows);

  RunResult migrate = Strata({"migrate", "--locations", example, "--json"});
  ASSERT_EQ(migrate.exit_code, 0) << migrate.all();
  const auto doc = nlohmann::json::parse(migrate.out);
  ASSERT_EQ(doc["applied"].size(), 1U) << migrate.out;
  EXPECT_EQ(doc["applied"][0]["version"], "4");
  EXPECT_EQ(doc["applied"][0]["type"], "jdbc");
  EXPECT_EQ(doc["applied"][0]["job"]["rows_written"], data->missing_metric_rows);
  EXPECT_EQ(doc["final_version"], "4");
  EXPECT_EQ(Scalar("SELECT count(*) FROM event_view_metric"),
            data->existing_metric_rows + data->missing_metric_rows);

  RunResult again = Strata({"migrate", "--locations", example, "--json"});
  ASSERT_EQ(again.exit_code, 0) << again.all();
  EXPECT_EQ(nlohmann::json::parse(again.out)["migrations_executed"], 0);
  RunResult validate = Strata({"validate", "--locations", example});
  EXPECT_EQ(validate.exit_code, 0) << validate.all();
  RunResult info = Strata({"info", "--locations", example, "--json"});
  ASSERT_EQ(info.exit_code, 0) << info.all();
  bool found = false;
  const auto plan = nlohmann::json::parse(info.out);
  for (const auto& m : plan["migrations"]) {
    if (m["version"] != "4") continue;
    found = true;
    EXPECT_EQ(m["state"], "success");
    EXPECT_EQ(m["type"], "jdbc");
  }
  EXPECT_TRUE(found) << info.out;
}

TEST_P(JobStepCliTest, DryRunShowsTheJobStepAndChangesNothing) {
  CopyJobMigrations(20, "");
  RunResult dry = Strata({"migrate", "--locations", dir_.string(), "--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << dry.all();
  EXPECT_THAT(dry.out, HasSubstr("job step: runs the backfill job test-copy"));
  EXPECT_THAT(dry.out, HasSubstr("V2__copy.job"));
  EXPECT_THAT(dry.out, HasSubstr("3 migrations would be applied"));
  auto tables = conn_->Query(
      GetParam() == db::Dialect::kSqlite
          ? "SELECT count(*) FROM sqlite_master WHERE name = 'bf_source'"
      // Only this test's database: other tests running at the same time create their own.
      : GetParam() == db::Dialect::kMariaDb
          ? "SELECT count(*) FROM information_schema.tables WHERE table_name = 'bf_source' "
            "AND table_schema = DATABASE()"
          : "SELECT count(*) FROM information_schema.tables WHERE table_name = 'bf_source' "
            "AND table_schema = current_schema()");
  ASSERT_TRUE(tables);
  EXPECT_EQ(tables->rows[0][0], "0") << "a dry run creates nothing";
}

// A job whose run does not complete leaves its step unrecorded (the versions after it do not
// run either); once the cause is fixed, the next migrate resumes the same run.
TEST_P(JobStepCliTest, AJobThatFailsRecordsNothingAndTheNextMigrateResumesIt) {
  // A source value that the target's CHECK refuses: its chunk fails on every attempt.
  CopyJobMigrations(30, "", "UPDATE bf_source SET val = -1 WHERE id = 25;\n");
  RunResult failed = Strata({"migrate", "--locations", dir_.string()});
  EXPECT_NE(failed.exit_code, 0) << failed.all();
  EXPECT_THAT(failed.err, HasSubstr("V2__copy.job: job step test-copy did not complete"));
  EXPECT_THAT(failed.err, HasSubstr("the next strata migrate resumes the job"));
  EXPECT_EQ(HistoryTypes(), "1:SQL:ok ");

  ASSERT_TRUE(conn_->Execute("UPDATE bf_source SET val = 250 WHERE id = 25"));
  RunResult redrive = Strata({"backfill", "redrive", "test-copy"});
  ASSERT_EQ(redrive.exit_code, 0) << redrive.all();
  RunResult resumed = Strata({"migrate", "--locations", dir_.string(), "--json"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.all();
  const auto doc = nlohmann::json::parse(resumed.out);
  ASSERT_EQ(doc["applied"].size(), 2U) << resumed.out;
  EXPECT_EQ(doc["applied"][0]["job"]["resumed"], true);
  EXPECT_EQ(doc["applied"][0]["job"]["run_no"], 1);
  EXPECT_EQ(Mismatches(), 0);
  EXPECT_EQ(HistoryTypes(), "1:SQL:ok 2:JDBC:ok 3:SQL:ok ");
  EXPECT_EQ(Scalar("SELECT count(*) FROM strata_backfill_run"), 1);
}

TEST_P(JobStepCliTest, KillNineDuringAJobStepThenMigrateCompletesExactlyOnce) {
  // About 1 ms per row in chunks aimed at 40 ms: the job lasts about a second.
  CopyJobMigrations(800, "sleep_us_per_row = 1000\n");
  RunOptions env;
  env.env = {{"STRATA_BACKFILL_CHUNK_TARGET", "40ms"}, {"STRATA_BACKFILL_RECLAIM_AFTER", "1s"}};
  const std::vector<std::string> args = {"--url", scratch_->url(), "migrate", "--locations",
                                         dir_.string()};
  // V1 first, whole: a kill inside MariaDB's non-transactional DDL is another test's subject.
  RunResult tables = Strata({"migrate", "--locations", dir_.string(), "--target", "1"});
  ASSERT_EQ(tables.exit_code, 0) << tables.all();
  std::mt19937 rng(static_cast<unsigned>(::getpid()));
  std::uniform_int_distribution<int> when(100, 900);
  for (int i = 0; i < 4; ++i) {
    const int pid = SpawnStrata(args, env);
    std::this_thread::sleep_for(milliseconds(when(rng)));
    ::kill(pid, SIGKILL);
    const int code = WaitStrata(pid);
    EXPECT_TRUE(code == 128 + SIGKILL || code == 0) << "round " << i << ": exit " << code;
  }
  RunResult last = RunStrata(args, env);
  ASSERT_EQ(last.exit_code, 0) << last.all();
  EXPECT_EQ(Mismatches(), 0);
  EXPECT_EQ(HistoryTypes(), "1:SQL:ok 2:JDBC:ok 3:SQL:ok ");
  // One run, every chunk done, each row counted by the one chunk that committed it.
  EXPECT_EQ(Scalar("SELECT count(*) FROM strata_backfill_run WHERE state <> 'completed'"), 0);
  EXPECT_EQ(Scalar("SELECT count(*) FROM strata_backfill_chunk WHERE status <> 'done'"), 0);
  EXPECT_EQ(Scalar("SELECT SUM(rows_written) FROM strata_backfill_chunk"), 800);
}

INSTANTIATE_TEST_SUITE_P(All, JobStepCliTest, ::testing::ValuesIn(kAllDialects), DialectParamName);

}  // namespace
}  // namespace strata::testing
