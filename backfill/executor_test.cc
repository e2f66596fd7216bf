// The executor and the dry run against real servers (tests/with-servers) and SQLite files,
// with the test-copy job: completion and idempotence, resumption after a stop, connections
// killed mid-chunk, failed chunks parked and redriven, pause and throttling with a reason, and
// a dry run that leaves the database exactly as it was.
#include "backfill/executor.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <thread>

#include "backfill/dry_run.h"
#include "backfill/state.h"
#include "backfill/testing/copy_job.h"
#include "db/open.h"
#include "tests/support/copy_job_tables.h"
#include "tests/support/test_env.h"

namespace strata::backfill {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;

constexpr const char* kWorkerApp = "strata-bf-worker";

// Records what the executor reported.
class RecordingListener : public RunListener {
 public:
  void OnChunkDone(const ChunkReport& c) override {
    std::lock_guard lock(mu);
    done.push_back(c);
    if (on_chunk_done) on_chunk_done(c);
  }
  void OnChunkRetry(const ChunkReport&, const Error& e, milliseconds) override {
    std::lock_guard lock(mu);
    retries.push_back(e.message);
  }
  void OnChunkFailed(const ChunkReport&, const Error& e) override {
    std::lock_guard lock(mu);
    failed.push_back(e.message);
  }
  void OnThrottle(const std::string& reason) override {
    std::lock_guard lock(mu);
    throttles.push_back(reason);
    if (on_throttle) on_throttle(reason);
  }
  void OnProgress(const ProgressSnapshot& p) override {
    std::lock_guard lock(mu);
    progress.push_back(p);
  }
  std::mutex mu;
  std::vector<ChunkReport> done;
  std::vector<std::string> retries, failed, throttles;
  std::vector<ProgressSnapshot> progress;
  std::function<void(const ChunkReport&)> on_chunk_done;
  std::function<void(const std::string&)> on_throttle;
};

class CountingDryRunListener : public DryRunListener {};

class ExecutorTest : public strata::testing::ScratchDatabaseTest {
 protected:
  void SetUp() override {
    ScratchDatabaseTest::SetUp();
    if (HasFatalFailure()) return;
    Exec(strata::testing::CopyJobTablesSql(GetParam()));
    options_.reclaim_after = milliseconds(2000);
    options_.retry_base_delay = milliseconds(20);
    options_.progress_interval = milliseconds(100);
    options_.throttle.check_interval = milliseconds(100);
  }

  // Source rows 1..n with val = id * 10 (ids spaced by `step`); `bad` ids get val = -1.
  void Seed(int n, int step = 1, const std::set<int>& bad = {}) {
    Exec(strata::testing::CopyJobSeedSql(n, step, bad));
  }

  // Rows of the target that differ from (or are missing against) the source.
  std::int64_t Mismatches() { return Scalar(strata::testing::kCopyJobMismatchesSql); }

  std::unique_ptr<BoundJob> Bind(const ParamValues& values = {}) {
    auto job = testing::MakeCopyJob()->Bind(values);
    EXPECT_TRUE(job) << job.error().message;
    return job ? std::move(*job) : nullptr;
  }

  ExecutorDeps Deps(const std::atomic<bool>* stop = nullptr) {
    ExecutorDeps deps;
    const std::string url = scratch_->url();
    deps.connect = [url]() -> Result<std::unique_ptr<db::Connection>> {
      STRATA_ASSIGN_OR_RETURN(db::Url parsed, db::ParseUrl(url));
      db::ConnectOptions o;
      o.application_name = kWorkerApp;
      return db::Open(parsed, o);
    };
    deps.stop = stop;
    return deps;
  }

  Result<RunSummary> Run(const BoundJob& job, RunListener& listener,
                         const std::atomic<bool>* stop = nullptr) {
    return RunJob(testing::kCopyJobName, job, options_, Deps(stop), listener);
  }

  ExecutorOptions options_;
};

TEST_P(ExecutorTest, CopiesEveryRowOnceAndASecondRunWritesNothing) {
  Seed(500, 3);
  Exec("INSERT INTO bf_target (id, val) SELECT id, val FROM bf_source WHERE id <= 90");
  options_.workers = 3;
  auto job = Bind();
  RecordingListener listener;
  auto summary = Run(*job, listener);
  ASSERT_TRUE(summary) << summary.error().message;
  EXPECT_EQ(summary->outcome, RunOutcome::kCompleted)
      << summary->error << " " << (listener.failed.empty() ? "" : listener.failed[0]);
  EXPECT_EQ(summary->run_no, 1);
  EXPECT_FALSE(summary->resumed);
  EXPECT_EQ(summary->totals.rows_written, 470);
  EXPECT_EQ(summary->totals.rows_present, 30);
  EXPECT_EQ(summary->totals.failed, 0);
  EXPECT_EQ(summary->totals.done, summary->totals.chunks);
  EXPECT_EQ(Mismatches(), 0);
  // Every chunk once: the chunk ranges tile the key space without overlap.
  EXPECT_EQ(Scalar("SELECT count(*) FROM strata_backfill_chunk c1 JOIN strata_backfill_chunk c2 "
                   "ON c1.run_id = c2.run_id AND c1.chunk_no < c2.chunk_no AND "
                   "c1.last_key >= c2.first_key"),
            0);
  EXPECT_EQ(Scalar("SELECT count(*) FROM strata_backfill_chunk WHERE attempts <> 1"), 0);
  EXPECT_EQ(static_cast<std::int64_t>(listener.done.size()), summary->totals.chunks);
  // The size adapts: it starts at 16 keys and grows (at most 2x per chunk).
  ASSERT_FALSE(listener.done.empty());
  EXPECT_EQ(Scalar("SELECT key_count FROM strata_backfill_chunk WHERE chunk_no = 1"), 16);
  EXPECT_GT(Scalar("SELECT MAX(key_count) FROM strata_backfill_chunk"), 16);
  EXPECT_EQ(Scalar("SELECT CASE WHEN state = 'completed' THEN 1 ELSE 0 END FROM "
                   "strata_backfill_run WHERE run_no = 1"),
            1);

  RecordingListener again;
  auto second = Run(*job, again);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->outcome, RunOutcome::kCompleted);
  EXPECT_EQ(second->run_no, 2);
  EXPECT_EQ(second->totals.rows_written, 0);
  EXPECT_EQ(second->totals.rows_present, 500);
}

TEST_P(ExecutorTest, StopLeavesTheRunResumableAndTheNextRunFinishesIt) {
  Seed(300);
  auto job = Bind({{"sleep_ms", "20"}});
  std::atomic<bool> stop{false};
  RecordingListener listener;
  listener.on_chunk_done = [&](const ChunkReport& c) {
    if (c.chunk_no >= 3) stop = true;
  };
  auto first = Run(*job, listener, &stop);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->outcome, RunOutcome::kInterrupted);
  EXPECT_GT(first->totals.done, 0);
  EXPECT_EQ(first->totals.running, 0) << "a stopped process gives its chunks back";
  EXPECT_GT(Mismatches(), 0);

  RecordingListener rest;
  auto second = Run(*job, rest);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_TRUE(second->resumed);
  EXPECT_EQ(second->run_no, 1);
  EXPECT_EQ(second->outcome, RunOutcome::kCompleted);
  EXPECT_EQ(second->totals.rows_written, 300);
  EXPECT_EQ(Mismatches(), 0);
}

TEST_P(ExecutorTest, ParametersMustMatchTheUnfinishedRun) {
  Seed(50);
  auto job = Bind();
  std::atomic<bool> stop{true};
  RecordingListener listener;
  auto first = Run(*job, listener, &stop);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->outcome, RunOutcome::kInterrupted);
  auto other = Bind({{"sleep_ms", "1"}});
  auto second = Run(*other, listener);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(second.error().message, HasSubstr("run 1 of test-copy is unfinished"));
  EXPECT_THAT(second.error().message, HasSubstr("strata backfill cancel test-copy"));
}

TEST_P(ExecutorTest, FailedChunksAreParkedAndRedriven) {
  Seed(200, 1, {57, 150});
  options_.max_failure_rate = 1.0;
  auto job = Bind();
  RecordingListener listener;
  auto first = Run(*job, listener);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->outcome, RunOutcome::kFailed);
  EXPECT_EQ(first->totals.failed, 2);
  EXPECT_EQ(first->error, "2 chunks failed");
  ASSERT_EQ(first->failed.size(), 2U);
  EXPECT_LE(first->failed[0].range.first, 57);
  EXPECT_GE(first->failed[0].range.last, 57);
  EXPECT_EQ(first->failed[0].attempts, 1) << "a constraint violation is not retried";
  EXPECT_THAT(first->failed[0].error, HasSubstr("bf_target_val"));
  EXPECT_EQ(Mismatches(), first->failed[0].range.last - first->failed[0].range.first + 1 +
                              first->failed[1].range.last - first->failed[1].range.first + 1);

  // `run` refuses a failed run until it is redriven.
  auto refused = Run(*job, listener);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(refused.error().message, HasSubstr("strata backfill redrive test-copy"));

  Exec("UPDATE bf_source SET val = 1 WHERE val < 0");
  StateStore store(*conn_);
  auto redriven = store.Redrive(first->run_id);
  ASSERT_TRUE(redriven) << redriven.error().message;
  EXPECT_EQ(*redriven, 2);
  auto set = store.SetRunState(first->run_id, RunState::kRunning, {RunState::kFailed});
  ASSERT_TRUE(set && *set);
  auto second = Run(*job, listener);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->outcome, RunOutcome::kCompleted);
  EXPECT_EQ(second->chunks_here, 2);
  EXPECT_EQ(Mismatches(), 0);
}

TEST_P(ExecutorTest, TooManyFailuresFailTheRunWithASummary) {
  std::set<int> bad;
  for (int i = 1; i <= 400; i += 2) bad.insert(i);
  Seed(400, 1, bad);
  options_.initial_chunk_keys = 1;
  options_.max_chunk_keys = 1;
  options_.failure_rate_min_chunks = 10;
  auto job = Bind();
  RecordingListener listener;
  auto summary = Run(*job, listener);
  ASSERT_TRUE(summary) << summary.error().message;
  EXPECT_EQ(summary->outcome, RunOutcome::kFailed);
  EXPECT_THAT(summary->error, HasSubstr("chunks failed ("));
  EXPECT_LT(summary->totals.chunks, 50) << "the run stops early";
}

TEST_P(ExecutorTest, PauseHoldsWorkersWithAReasonAndResumeContinues) {
  Seed(200);
  auto job = Bind({{"sleep_ms", "10"}});
  auto control = scratch_->Connect();
  RecordingListener listener;
  std::atomic<bool> paused{false};
  listener.on_chunk_done = [&](const ChunkReport& c) {
    if (c.chunk_no == 2 && !paused.exchange(true)) {
      StateStore store(*control);
      ASSERT_TRUE(store.SetRunState(1, RunState::kPaused, {RunState::kRunning}));
    }
  };
  listener.on_throttle = [&](const std::string& reason) {
    if (reason == "paused") {
      StateStore store(*control);
      ASSERT_TRUE(store.SetRunState(1, RunState::kRunning, {RunState::kPaused}));
    }
  };
  auto summary = Run(*job, listener);
  ASSERT_TRUE(summary) << summary.error().message;
  EXPECT_EQ(summary->outcome, RunOutcome::kCompleted);
  EXPECT_THAT(listener.throttles, ::testing::Contains("paused"));
  EXPECT_EQ(listener.throttles.back(), "");
  EXPECT_EQ(Mismatches(), 0);
}

TEST_P(ExecutorTest, DryRunCountsExactlyAndChangesNothing) {
  Seed(120);
  Exec("INSERT INTO bf_target (id, val) SELECT id, val FROM bf_source WHERE id <= 20");
  auto job = Bind();
  DryRunOptions o;
  o.chunk_keys = 50;
  o.sample_rows = 5;
  o.sample_chunks = 2;
  CountingDryRunListener listener;
  auto report = DryRun(*conn_, *job, o, listener);
  ASSERT_TRUE(report) << report.error().message;
  ASSERT_EQ(report->chunks.size(), 3U);
  EXPECT_EQ(report->chunks[0].outcome.rows_written, 30);
  EXPECT_EQ(report->chunks[0].outcome.rows_present, 20);
  EXPECT_EQ(report->chunks[2].range, (KeyRange{101, 120}));
  EXPECT_EQ(report->total.rows_written, 100);
  EXPECT_EQ(report->total.rows_present, 20);
  ASSERT_EQ(report->sample.rows.size(), 5U);
  EXPECT_EQ(report->sample.rows[0], (std::vector<std::string>{"21", "210"}));
  ASSERT_EQ(report->sampled.size(), 2U);
  EXPECT_GT(report->sampled[0].outcome.rows_written, 0);
  EXPECT_TRUE(report->estimated_duration.has_value());
  // Unchanged: the target as seeded, and no state tables.
  EXPECT_EQ(Scalar("SELECT count(*) FROM bf_target"), 20);
  StateStore store(*conn_);
  auto exist = store.TablesExist();
  ASSERT_TRUE(exist);
  EXPECT_FALSE(*exist);
}

INSTANTIATE_TEST_SUITE_P(All, ExecutorTest, ::testing::ValuesIn(strata::testing::kAllDialects),
                         strata::testing::DialectParamName);

// Server engines only: SQLite has no connections to kill and no health signals.
class ExecutorServerTest : public ExecutorTest {};

// Kills every worker session of the scratch database that is inside a chunk's sleep; returns
// how many it killed.
int KillWorkerSessions(db::Connection& admin, db::Dialect d) {
  if (d == db::Dialect::kPostgres) {
    auto killed = admin.Query(fmt::format(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '{}' "
        "AND state = 'active' AND query LIKE '%pg_sleep%' AND pid <> pg_backend_pid()",
        kWorkerApp));
    EXPECT_TRUE(killed) << killed.error().message;
    return killed ? static_cast<int>(killed->rows.size()) : 0;
  }
  auto ids = admin.Query(
      "SELECT id FROM information_schema.processlist WHERE info LIKE 'DO SLEEP%' AND id <> "
      "CONNECTION_ID()");
  EXPECT_TRUE(ids) << ids.error().message;
  if (!ids) return 0;
  int killed = 0;
  for (const auto& row : ids->rows) {
    if (admin.Query("KILL CONNECTION " + *row[0])) ++killed;
  }
  return killed;
}

TEST_P(ExecutorServerTest, AConnectionKilledMidChunkIsRetriedAndTheRunCompletes) {
  Seed(60);
  options_.workers = 2;
  auto job = Bind({{"sleep_ms", "300"}});
  RecordingListener listener;
  std::atomic<bool> finished{false};
  int kills = 0;
  // Polls until it has caught a worker inside a chunk rather than killing at fixed moments: on
  // a loaded machine (CI runs two test processes on two cores) a fixed schedule can miss every
  // chunk. Each chunk sleeps 300 ms, so a 20 ms poll cannot miss them all.
  std::thread killer([&] {
    auto admin = scratch_->Connect();
    while (kills < 2 && !finished) {
      std::this_thread::sleep_for(milliseconds(20));
      kills += KillWorkerSessions(*admin, GetParam());
    }
  });
  auto summary = Run(*job, listener);
  finished = true;
  killer.join();
  ASSERT_TRUE(summary) << summary.error().message;
  ASSERT_GE(kills, 1) << "the run finished before any worker session could be killed";
  EXPECT_EQ(summary->outcome, RunOutcome::kCompleted) << summary->error;
  EXPECT_GE(summary->retries_here, 1);
  EXPECT_EQ(summary->totals.failed, 0);
  EXPECT_EQ(summary->totals.rows_written, 60);
  EXPECT_EQ(Mismatches(), 0);
  EXPECT_GE(Scalar("SELECT MAX(attempts) FROM strata_backfill_chunk"), 2);
}

TEST_P(ExecutorServerTest, ABadHealthSignalHoldsTheRunWithItsReason) {
  Seed(50);
  // Thresholds no healthy server meets: the test session alone exceeds them.
  options_.throttle.max_connections_fraction = 0.0;
  options_.throttle.max_threads_running = 0;
  auto job = Bind();
  std::atomic<bool> stop{false};
  RecordingListener listener;
  listener.on_throttle = [&](const std::string& reason) {
    if (!reason.empty()) stop = true;
  };
  auto summary = Run(*job, listener, &stop);
  ASSERT_TRUE(summary) << summary.error().message;
  EXPECT_EQ(summary->outcome, RunOutcome::kInterrupted);
  ASSERT_FALSE(listener.throttles.empty());
  EXPECT_THAT(listener.throttles[0],
              HasSubstr(GetParam() == db::Dialect::kPostgres ? "connections" : "Threads_running"));
  EXPECT_EQ(summary->totals.chunks, 0) << "nothing is claimed while the signal is bad";
}

INSTANTIATE_TEST_SUITE_P(Servers, ExecutorServerTest,
                         ::testing::Values(db::Dialect::kPostgres, db::Dialect::kMariaDb),
                         strata::testing::DialectParamName);

// PostgreSQL with a streaming replica (backfill/testing/pg-replica) whose replay is paused:
// the run holds with reason "replica lag" and continues once replay resumes.
TEST(ExecutorReplicaTest, PausedReplayHoldsTheRunUntilReplayResumes) {
  auto primary_url = strata::testing::ServerUrl(db::Dialect::kPostgres);
  ASSERT_TRUE(primary_url.has_value());
  auto parsed = db::ParseUrl(*primary_url);
  ASSERT_TRUE(parsed);
  const int replica_port = parsed->port + 11;
  const std::string dir = fmt::format("/tmp/strata-bf-replica-{}", ::getpid());
  const std::string script =
      (strata::testing::SourceDir() / "backfill/testing/pg-replica").string();
  ASSERT_EQ(std::system(
                fmt::format("{} start {} {} {}", script, parsed->port, replica_port, dir).c_str()),
            0);
  struct StopReplica {
    std::string command;
    ~StopReplica() { (void)std::system(command.c_str()); }
  } stop_replica{fmt::format("{} stop {}", script, dir)};

  auto scratch = strata::testing::ScratchDatabase::Create(db::Dialect::kPostgres);
  ASSERT_NE(scratch, nullptr);
  auto conn = scratch->Connect();
  ASSERT_TRUE(
      conn->ExecuteScript("CREATE TABLE bf_source (id BIGINT PRIMARY KEY, val BIGINT NOT NULL); "
                          "CREATE TABLE bf_target (id BIGINT PRIMARY KEY, val BIGINT NOT NULL); "
                          "INSERT INTO bf_source SELECT g, g * 10 FROM generate_series(1, 600) g"));
  // The replica streams, then stops replaying.
  auto replica_url =
      db::ParseUrl(fmt::format("postgresql://postgres@127.0.0.1:{}/postgres", replica_port));
  ASSERT_TRUE(replica_url);
  auto replica = db::Open(*replica_url);
  ASSERT_TRUE(replica) << replica.error().message;
  bool streaming = false;
  for (int i = 0; i < 100 && !streaming; ++i) {
    auto rows = conn->Query(
        "SELECT count(*) FROM pg_stat_replication WHERE application_name = "
        "'strata_test_replica' AND state = 'streaming'");
    streaming = rows && rows->Int(0, 0).value_or(0) == 1;
    if (!streaming) std::this_thread::sleep_for(milliseconds(100));
  }
  ASSERT_TRUE(streaming);
  ASSERT_TRUE((*replica)->Query("SELECT pg_wal_replay_pause()"));

  auto job = testing::MakeCopyJob()->Bind({{"sleep_us_per_row", "4000"}});
  ASSERT_TRUE(job);
  ExecutorOptions options;
  options.chunk_target = milliseconds(200);
  options.throttle.max_replica_lag = milliseconds(1000);
  options.throttle.check_interval = milliseconds(100);
  options.progress_interval = milliseconds(100);
  ExecutorDeps deps;
  const std::string url = scratch->url();
  deps.connect = [url]() -> Result<std::unique_ptr<db::Connection>> {
    STRATA_ASSIGN_OR_RETURN(db::Url u, db::ParseUrl(url));
    return db::Open(u);
  };
  RecordingListener listener;
  std::atomic<bool> resumed{false};
  std::atomic<std::int64_t> done_when_held{-1};
  std::thread resumer;
  listener.on_throttle = [&](const std::string& reason) {
    if (reason.find("replica lag") == std::string::npos || resumed.exchange(true)) return;
    done_when_held = static_cast<std::int64_t>(listener.done.size());
    resumer = std::thread([&] {
      std::this_thread::sleep_for(milliseconds(700));
      auto resume = db::Open(*replica_url);
      if (resume) (void)(*resume)->Query("SELECT pg_wal_replay_resume()");
    });
  };
  auto summary = RunJob(testing::kCopyJobName, **job, options, deps, listener);
  if (resumer.joinable()) resumer.join();
  ASSERT_TRUE(summary) << summary.error().message;
  EXPECT_EQ(summary->outcome, RunOutcome::kCompleted) << summary->error;
  ASSERT_TRUE(resumed.load()) << "the run never held for replica lag";
  EXPECT_THAT(listener.throttles[0], HasSubstr("(strata_test_replica)"));
  EXPECT_EQ(listener.throttles.back(), "");
  EXPECT_LT(done_when_held.load(), static_cast<std::int64_t>(listener.done.size()))
      << "chunks continued after replay resumed";
  EXPECT_EQ(summary->totals.rows_written, 600);
}

}  // namespace
}  // namespace strata::backfill
