// `strata backfill` as operators and pipelines run it: real processes (strata plus the
// test-copy job) against real servers. Covers every bad input with its exit code, the dry run
// leaving the database unchanged, kill -9 at random moments then resume, SIGTERM, 4 processes
// × 2 workers sharing one run, and the failed-chunk / redrive / cancel lifecycle.
//
// STRATA_BACKFILL_KILLS sets how many kill -9 rounds run per engine (default 20, as the issue
// asks).
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "tests/support/copy_job_tables.h"
#include "tests/support/run_strata.h"
#include "tests/support/test_env.h"

namespace strata::testing {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;

// The last line of JSON-lines output (the summary of `backfill run --json`).
nlohmann::json LastJsonLine(const std::string& out) {
  std::string text = out;
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return nlohmann::json::parse(text.substr(text.rfind('\n') + 1));
}

class BackfillCliTest : public ScratchDatabaseTest {
 protected:
  void SetUp() override {
    ScratchDatabaseTest::SetUp();
    if (HasFatalFailure()) return;
    Exec(CopyJobTablesSql(GetParam()));
  }

  void Seed(int n) { Exec(CopyJobSeedSql(n)); }

  std::int64_t Mismatches() { return Scalar(kCopyJobMismatchesSql); }

  std::vector<std::string> Args(std::vector<std::string> args) const {
    args.insert(args.begin(), "backfill");
    args.emplace_back("--url");
    args.push_back(scratch_->url());
    return args;
  }

  // Every table name in the scratch database, sorted.
  std::vector<std::string> Tables() {
    std::string sql;
    switch (GetParam()) {
      case db::Dialect::kPostgres:
        sql =
            "SELECT table_name FROM information_schema.tables WHERE table_schema = "
            "current_schema() ORDER BY 1";
        break;
      case db::Dialect::kMariaDb:
        sql =
            "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() "
            "ORDER BY 1";
        break;
      case db::Dialect::kSqlite:
        sql = "SELECT name FROM sqlite_master ORDER BY 1";
        break;
    }
    auto rows = conn_->Query(sql);
    EXPECT_TRUE(rows);
    std::vector<std::string> out;
    if (rows) {
      for (const auto& r : rows->rows) out.push_back(r[0].value_or(""));
    }
    return out;
  }

  std::vector<std::vector<db::Cell>> TargetRows() {
    auto rows = conn_->Query("SELECT id, val FROM bf_target ORDER BY id");
    EXPECT_TRUE(rows);
    return rows ? rows->rows : std::vector<std::vector<db::Cell>>{};
  }
};

TEST_P(BackfillCliTest, DryRunCountsSamplesAndLeavesTheDatabaseUnchanged) {
  Seed(250);
  Exec("INSERT INTO bf_target (id, val) SELECT id, val FROM bf_source WHERE id <= 40");
  const auto tables = Tables();
  const auto rows = TargetRows();
  RunResult r = RunStrata(Args({"run", "test-copy", "--dry-run", "--sample-chunks", "2",
                                "--plan-chunk-keys", "100", "--json"}));
  ASSERT_EQ(r.exit_code, 0) << r.all();
  auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["dry_run"], true);
  EXPECT_EQ(doc["rows_written"], 210);
  EXPECT_EQ(doc["rows_present"], 40);
  ASSERT_EQ(doc["chunks"].size(), 3U);
  EXPECT_EQ(doc["chunks"][2]["range"], nlohmann::json({201, 250}));
  EXPECT_EQ(doc["sample"]["rows"][0], nlohmann::json({"41", "410"}));
  EXPECT_EQ(doc["sampled_chunks"].size(), 2U);
  EXPECT_TRUE(doc["estimated_duration_ms"].is_number());
  EXPECT_EQ(Tables(), tables) << "no state tables, nothing created";
  EXPECT_EQ(TargetRows(), rows);

  RunResult human = RunStrata(Args({"run", "test-copy", "--dry-run"}));
  ASSERT_EQ(human.exit_code, 0) << human.all();
  EXPECT_THAT(human.out, HasSubstr("nothing was written"));
  EXPECT_THAT(human.out, HasSubstr("210 rows would be written, 40 are already present"));
  EXPECT_EQ(Tables(), tables);
}

TEST_P(BackfillCliTest, KillNineAtRandomMomentsThenRunCompletesExactly) {
  Seed(1000);
  int kills = 20;
  if (const char* env = std::getenv("STRATA_BACKFILL_KILLS")) kills = std::atoi(env);
  std::mt19937 rng(static_cast<unsigned>(::getpid()));
  std::uniform_int_distribution<int> when(50, 600);
  // Chunks take 1 ms per row: sized toward 40 ms they hold about 40 keys, and the run lasts
  // long enough (about a second) for kills to land mid-run.
  const auto args = Args({"run", "test-copy", "--param", "sleep_us_per_row=1000", "--chunk-target",
                          "40ms", "--reclaim-after", "1s", "--workers", "2"});
  int killed = 0;
  for (int i = 0; i < kills; ++i) {
    const int pid = SpawnStrata(args);
    std::this_thread::sleep_for(milliseconds(when(rng)));
    ::kill(pid, SIGKILL);
    const int code = WaitStrata(pid);
    EXPECT_TRUE(code == 128 + SIGKILL || code == 0) << "round " << i << ": exit " << code;
    if (code == 128 + SIGKILL) ++killed;
  }
  // The kills must land while runs are under way, or this test proves nothing.
  EXPECT_GE(killed, kills / 2);
  RunResult last = RunStrata(args);
  ASSERT_EQ(last.exit_code, 0) << last.all();
  EXPECT_THAT(last.out, HasSubstr("of test-copy completed"));
  EXPECT_EQ(Mismatches(), 0);
  EXPECT_EQ(Scalar("SELECT count(*) FROM strata_backfill_run WHERE state <> 'completed'"), 0);
  EXPECT_EQ(Scalar("SELECT count(*) FROM strata_backfill_chunk WHERE status <> 'done'"), 0);
  // Rows are counted by the chunk that committed them, once: a killed chunk's rows rolled
  // back with its done mark. (A run started after an earlier one completed writes 0.)
  EXPECT_EQ(Scalar("SELECT SUM(rows_written) FROM strata_backfill_chunk"), 1000);

  RunResult status = RunStrata(Args({"status", "test-copy", "--json"}));
  ASSERT_EQ(status.exit_code, 0) << status.all();
  auto doc = nlohmann::json::parse(status.out);
  EXPECT_EQ(doc["runs"][0]["state"], "completed");
  EXPECT_EQ(doc["runs"][0]["chunks_failed"], 0);
}

TEST_P(BackfillCliTest, FailedChunksAreListedRedrivenAndFinished) {
  Seed(100);
  Exec("UPDATE bf_source SET val = -1 WHERE id = 77");
  RunResult failed = RunStrata(Args({"run", "test-copy", "--json"}));
  EXPECT_EQ(failed.exit_code, 1) << failed.all();
  EXPECT_THAT(failed.err, HasSubstr("run 1 of test-copy failed: 1 chunk failed"));
  EXPECT_THAT(failed.err, HasSubstr("strata backfill redrive test-copy"));
  auto summary = LastJsonLine(failed.out);
  EXPECT_EQ(summary["event"], "summary");
  EXPECT_EQ(summary["outcome"], "failed");
  EXPECT_EQ(summary["chunks_failed"], 1);
  EXPECT_THAT(summary["failed"][0]["error"].get<std::string>(), HasSubstr("bf_target_val"));

  RunResult refused = RunStrata(Args({"run", "test-copy"}));
  EXPECT_EQ(refused.exit_code, 2) << refused.all();
  EXPECT_THAT(refused.err, HasSubstr("fix the cause, then `strata backfill redrive test-copy`"));

  RunResult status = RunStrata(Args({"status", "--json"}));
  ASSERT_EQ(status.exit_code, 0) << status.all();
  auto doc = nlohmann::json::parse(status.out);
  EXPECT_EQ(doc["runs"][0]["state"], "failed");
  EXPECT_EQ(doc["runs"][0]["chunks_failed"], 1);

  Exec("UPDATE bf_source SET val = 770 WHERE id = 77");
  RunResult redrive = RunStrata(Args({"redrive", "test-copy", "--json"}));
  ASSERT_EQ(redrive.exit_code, 0) << redrive.all();
  EXPECT_EQ(nlohmann::json::parse(redrive.out)["chunks_redriven"], 1);
  RunResult done = RunStrata(Args({"run", "test-copy"}));
  ASSERT_EQ(done.exit_code, 0) << done.all();
  EXPECT_THAT(done.out, HasSubstr("resuming run 1 of test-copy"));
  EXPECT_EQ(Mismatches(), 0);

  RunResult cancel = RunStrata(Args({"cancel", "test-copy"}));
  EXPECT_EQ(cancel.exit_code, 2) << cancel.all();
  EXPECT_THAT(cancel.err, HasSubstr("run 1 of test-copy is completed: there is nothing to cancel"));
  RunResult again = RunStrata(Args({"run", "test-copy", "--json"}));
  ASSERT_EQ(again.exit_code, 0) << again.all();
  EXPECT_THAT(again.out, HasSubstr("\"run_no\":2"));
  EXPECT_THAT(again.out, HasSubstr("\"rows_written\":0"));
}

TEST_P(BackfillCliTest, PauseResumeAndCancelGoThroughTheRunRow) {
  Seed(200);
  // A run left unfinished by SIGTERM: exit 6, resumable. (Chunks over twice their target
  // halve the size, so this run would take many seconds.)
  const int pid =
      SpawnStrata(Args({"run", "test-copy", "--param", "sleep_ms=100", "--chunk-target", "10ms"}));
  std::this_thread::sleep_for(milliseconds(800));
  ::kill(pid, SIGTERM);
  EXPECT_EQ(WaitStrata(pid), 6);
  EXPECT_EQ(Scalar("SELECT count(*) FROM strata_backfill_chunk WHERE status = 'running'"), 0)
      << "a stopped process gives its chunks back";

  RunResult pause = RunStrata(Args({"pause", "test-copy"}));
  ASSERT_EQ(pause.exit_code, 0) << pause.all();
  EXPECT_THAT(pause.out, HasSubstr("paused run 1 of test-copy: now paused"));
  RunResult held =
      RunStrata(Args({"run", "test-copy", "--param", "sleep_ms=100", "--chunk-target", "10ms"}));
  EXPECT_EQ(held.exit_code, 2) << held.all();
  EXPECT_THAT(held.err, HasSubstr("strata backfill resume test-copy"));
  RunResult resume = RunStrata(Args({"resume", "test-copy"}));
  ASSERT_EQ(resume.exit_code, 0) << resume.all();
  RunResult cancel = RunStrata(Args({"cancel", "test-copy", "--json"}));
  ASSERT_EQ(cancel.exit_code, 0) << cancel.all();
  EXPECT_EQ(nlohmann::json::parse(cancel.out)["state"], "cancelled");
  RunResult fresh = RunStrata(Args({"run", "test-copy"}));
  ASSERT_EQ(fresh.exit_code, 0) << fresh.all();
  EXPECT_THAT(fresh.out, HasSubstr("starting run 2 of test-copy"));
  EXPECT_EQ(Mismatches(), 0);
}

// Issue 20, bugs 3 and 4: done keys are the keys chunks held (never more than exist), a chunk
// total is only shown once the key space is cut, the rate and ETA leave paused time out, and a
// paused run shows neither.
TEST_P(BackfillCliTest, StatusCountsHeldKeysAndLeavesPausedTimeOut) {
  Seed(250);
  // Chunks that take over a quarter of the target grow 1.2x at a time, so 250 keys make more
  // than six of them.
  RunResult run =
      RunStrata(Args({"run", "test-copy", "--chunk-target", "20ms", "--param", "sleep_ms=10"}));
  ASSERT_EQ(run.exit_code, 0) << run.all();
  RunResult done = RunStrata(Args({"status", "test-copy", "--json"}));
  ASSERT_EQ(done.exit_code, 0) << done.all();
  nlohmann::json s = nlohmann::json::parse(done.out)["runs"][0];
  EXPECT_EQ(s["keys_done"], 250) << "the chunks asked for more keys than the last one held";
  EXPECT_EQ(s["total_keys"], 250);
  EXPECT_EQ(s["chunks_all_cut"], true);
  const std::int64_t chunks = s["chunks"];
  ASSERT_GT(chunks, 6);

  // The same run as if paused for an hour after chunk 3, resumed, and still working on the
  // chunks after 5, with the key space not cut to its end yet.
  Exec("UPDATE strata_backfill_chunk SET finished_ms = finished_ms + 3600000 WHERE chunk_no > 3");
  Exec(
      "UPDATE strata_backfill_chunk SET status = 'pending', finished_ms = NULL WHERE chunk_no > 5");
  Exec(
      "UPDATE strata_backfill_run SET state = 'running', cut_done = 0, finished_ms = NULL, "
      "updated_ms = updated_ms + 3600000");
  RunResult running = RunStrata(Args({"status", "test-copy", "--json"}));
  ASSERT_EQ(running.exit_code, 0) << running.all();
  s = nlohmann::json::parse(running.out)["runs"][0];
  EXPECT_LT(s["keys_done"].get<std::int64_t>(), 250);
  ASSERT_TRUE(s["eta_seconds"].is_number()) << running.out;
  EXPECT_LT(s["eta_seconds"].get<std::int64_t>(), 60) << "the hour paused is not working time";
  EXPECT_EQ(s["chunks_all_cut"], false);
  RunResult text = RunStrata(Args({"status", "test-copy"}));
  EXPECT_THAT(text.out, HasSubstr(fmt::format("5 done, {} cut so far", chunks))) << text.out;

  Exec("UPDATE strata_backfill_run SET state = 'paused'");
  RunResult paused = RunStrata(Args({"status", "test-copy", "--json"}));
  ASSERT_EQ(paused.exit_code, 0) << paused.all();
  s = nlohmann::json::parse(paused.out)["runs"][0];
  EXPECT_EQ(s["keys_per_second"], 0);
  EXPECT_TRUE(s["eta_seconds"].is_null()) << paused.out;
}

INSTANTIATE_TEST_SUITE_P(All, BackfillCliTest, ::testing::ValuesIn(kAllDialects), DialectParamName);

class BackfillCliServerTest : public BackfillCliTest {};

TEST_P(BackfillCliServerTest, FourProcessesTimesTwoWorkersProcessEveryChunkExactlyOnce) {
  Seed(3000);
  const auto args = Args({"run", "test-copy", "--param", "sleep_ms=10", "--workers", "2"});
  std::vector<int> pids;
  pids.reserve(4);
  for (int i = 0; i < 4; ++i) pids.push_back(SpawnStrata(args));
  for (int pid : pids) EXPECT_EQ(WaitStrata(pid), 0);
  EXPECT_EQ(Mismatches(), 0);
  EXPECT_EQ(Scalar("SELECT count(*) FROM strata_backfill_run"), 1) << "all joined one run";
  EXPECT_EQ(Scalar("SELECT count(*) FROM strata_backfill_chunk WHERE status <> 'done' OR "
                   "attempts <> 1"),
            0);
  EXPECT_EQ(Scalar("SELECT SUM(rows_written) FROM strata_backfill_chunk"), 3000);
  EXPECT_EQ(Scalar("SELECT count(*) FROM strata_backfill_chunk c1 JOIN strata_backfill_chunk c2 "
                   "ON c1.chunk_no < c2.chunk_no AND c1.last_key >= c2.first_key"),
            0)
      << "chunk ranges never overlap";
  EXPECT_GT(Scalar("SELECT count(DISTINCT process_id) FROM strata_backfill_chunk"), 1)
      << "more than one process did work";
}

INSTANTIATE_TEST_SUITE_P(Servers, BackfillCliServerTest,
                         ::testing::Values(db::Dialect::kPostgres, db::Dialect::kMariaDb),
                         DialectParamName);

// Bad input: each with its exit code and a message saying what to do. Nothing is created.
TEST(BackfillCliBadInputTest, EachBadInputHasItsExitCode) {
  auto scratch = ScratchDatabase::Create(db::Dialect::kSqlite);
  ASSERT_NE(scratch, nullptr);
  const std::string url = scratch->url();
  struct Case {
    std::vector<std::string> args;
    int exit_code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"backfill", "run", "nope", "--url", url}, 2, "no backfill job named 'nope'"},
      {{"backfill", "run", "test-copy", "--param", "sleep_ms", "--url", url},
       2,
       "--param 'sleep_ms' is not NAME=VALUE"},
      {{"backfill", "run", "test-copy", "--param", "color=red", "--url", url},
       2,
       "job 'test-copy' has no parameter 'color'"},
      {{"backfill", "run", "test-copy", "--param", "sleep_ms=soon", "--url", url},
       2,
       "sleep_ms='soon' is not a number of at least 0"},
      {{"backfill", "run", "test-copy", "--workers", "0", "--url", url},
       2,
       "--workers must be a whole number of at least 1, not '0'"},
      {{"backfill", "run", "test-copy", "--chunk-target", "fast", "--url", url},
       2,
       "--chunk-target"},
      {{"backfill", "run", "test-copy", "--max-attempts", "0", "--url", url},
       2,
       "--max-attempts must be a whole number of at least 1"},
      {{"backfill", "run", "test-copy", "--sample-chunks", "2", "--url", url},
       2,
       "--sample-chunks needs --dry-run"},
      {{"backfill", "run", "test-copy", "--url", url},
       3,
       "table bf_source with columns (id, val) does not exist: create it first"},
      {{"backfill", "pause", "test-copy", "--url", url},
       2,
       "job test-copy has no run in this database"},
      {{"backfill", "redrive", "test-copy", "--url", url}, 2, "has no run in this database"},
      {{"backfill", "run", "test-copy", "--url", "postgresql://nobody@127.0.0.1:1/none"},
       5,
       "127.0.0.1:1"},
      {{"backfill", "frobnicate"}, 2, "unknown command 'frobnicate'"},
  };
  for (const Case& c : cases) {
    RunResult r = RunStrata(c.args, {.env = {}, .unset_env = {"STRATA_URL"}, .cwd = ""});
    EXPECT_EQ(r.exit_code, c.exit_code) << fmt::format("{}", fmt::join(c.args, " ")) << "\n"
                                        << r.all();
    EXPECT_THAT(r.err, HasSubstr(c.message)) << fmt::format("{}", fmt::join(c.args, " "));
  }
  // None of that created anything, and status says so.
  RunResult status = RunStrata({"backfill", "status", "--url", url});
  EXPECT_EQ(status.exit_code, 0) << status.all();
  EXPECT_THAT(status.out, HasSubstr("no backfill runs in this database"));
  RunResult list = RunStrata({"backfill", "list", "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.all();
  EXPECT_THAT(list.out, HasSubstr("\"name\":\"test-copy\""));
  EXPECT_THAT(list.out, HasSubstr("\"name\":\"event-view-metrics\""));
}

}  // namespace
}  // namespace strata::testing
