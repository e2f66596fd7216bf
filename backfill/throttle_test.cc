// The rows/s ceiling and the health signals, on a fake clock and fake connections: no server,
// no real waiting. The executor's tests (executor_test.cc) cover the same pieces against real
// servers.
#include "backfill/throttle.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "base/duration.h"
#include "base/fake_clock.h"

namespace strata::backfill {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// ---- The rows/s ceiling ---------------------------------------------------------------------

TEST(RateLimiterTest, WithoutACeilingNothingWaits) {
  FakeClock clock;
  RateLimiter limiter(0, clock);
  limiter.Account(1'000'000);
  EXPECT_EQ(limiter.Wait(), Clock::Duration::zero());
}

TEST(RateLimiterTest, RowsWrittenCostTheirShareOfASecond) {
  FakeClock clock;
  RateLimiter limiter(100, clock);  // 10 ms per row
  EXPECT_EQ(limiter.Wait(), Clock::Duration::zero()) << "nothing written yet";
  limiter.Account(50);
  EXPECT_EQ(limiter.Wait(), milliseconds(500));
  clock.Advance(milliseconds(200));
  EXPECT_EQ(limiter.Wait(), milliseconds(300));
  clock.Advance(milliseconds(300));
  EXPECT_EQ(limiter.Wait(), Clock::Duration::zero());
  limiter.Account(0);
  limiter.Account(-5);
  EXPECT_EQ(limiter.Wait(), Clock::Duration::zero()) << "no rows, no cost";
}

TEST(RateLimiterTest, CostsAddUpWhileTheWorkersRunAhead) {
  FakeClock clock;
  RateLimiter limiter(1000, clock);
  limiter.Account(300);
  limiter.Account(200);  // a second worker, before the first one's rows are paid for
  EXPECT_EQ(limiter.Wait(), milliseconds(500));
}

TEST(RateLimiterTest, IdleTimeIsNotSavedUpForABurst) {
  FakeClock clock;
  RateLimiter limiter(100, clock);
  clock.Advance(seconds(60));
  limiter.Account(100);
  EXPECT_EQ(limiter.Wait(), seconds(1)) << "a minute idle buys no credit";
}

// Workers that wait as the executor does (sleep until Wait() is zero, write a chunk, account
// for it) write no faster than the ceiling, whatever the chunk sizes and however many workers
// share the limiter.
TEST(RateLimiterTest, WorkersThatWaitTheirTurnStayUnderTheCeiling) {
  FakeClock clock;
  constexpr double kRate = 2000;
  RateLimiter limiter(kRate, clock);
  const Clock::TimePoint start = clock.Now();
  const std::vector<std::int64_t> chunks = {100, 250, 50, 400, 100, 300, 200, 600};
  std::int64_t rows = 0;
  for (int round = 0; round < 25; ++round) {
    for (std::int64_t chunk : chunks) {  // one worker after the other
      for (Clock::Duration wait = limiter.Wait(); wait > Clock::Duration::zero();
           wait = limiter.Wait()) {
        clock.SleepFor(std::min<Clock::Duration>(wait, milliseconds(200)));
      }
      limiter.Account(chunk);
      rows += chunk;
    }
  }
  const double elapsed_s = std::chrono::duration<double>(clock.Now() - start).count();
  ASSERT_GT(elapsed_s, 0);
  // The last chunk's cost is still owed when the loop ends: count it as time too.
  const double paid_s = elapsed_s + std::chrono::duration<double>(limiter.Wait()).count();
  EXPECT_NEAR(static_cast<double>(rows) / paid_s, kRate, kRate * 1e-6);
  EXPECT_GE(elapsed_s, static_cast<double>(rows - chunks.back()) / kRate - 1e-6);
  EXPECT_EQ(clock.slept(), clock.Now() - start) << "all the time went to waiting";
}

// ---- Health signals -------------------------------------------------------------------------

// A connection that answers each statement containing a key with that key's rows, and fails
// any other; it records what it ran.
class FakeConnection final : public db::Connection {
 public:
  explicit FakeConnection(db::Dialect dialect, std::string url = "fake://server")
      : dialect_(dialect), url_(std::move(url)) {}

  // Statements containing `key` return `rows` (the latest answer for a key wins).
  void Answer(std::string key, db::Rows rows) {
    answers_.insert(answers_.begin(), {std::move(key), std::move(rows)});
  }
  const std::vector<std::string>& ran() const { return ran_; }

  db::Dialect dialect() const override { return dialect_; }
  const db::ServerInfo& server() const override { return server_; }
  const std::string& display_url() const override { return url_; }
  std::int64_t session_id() const override { return 0; }
  Result<db::Rows> Query(std::string_view sql, const db::Params& /*params*/) override {
    ran_.emplace_back(sql);
    for (const auto& [key, rows] : answers_) {
      if (sql.find(key) != std::string_view::npos) return rows;
    }
    return Err(ErrorCode::kInternal, fmt::format("unexpected statement: {}", sql));
  }
  Status ExecuteScript(std::string_view sql) override {
    STRATA_TRY(Query(sql, {}));
    return Ok();
  }
  Status CopyFrom(std::string_view /*copy*/, std::string_view /*data*/) override {
    return Err(ErrorCode::kUnsupported, "no COPY");
  }
  Status Begin(const db::TxOptions& /*options*/) override { return Ok(); }
  Status Commit() override { return Ok(); }
  Status Rollback() override { return Ok(); }
  bool InTransaction() const override { return false; }
  std::shared_ptr<db::Canceler> GetCanceler() override { return nullptr; }

 private:
  const db::Dialect dialect_;
  const std::string url_;
  db::ServerInfo server_;
  std::vector<std::pair<std::string, db::Rows>> answers_;
  std::vector<std::string> ran_;
};

db::Rows Table(std::vector<std::string> columns, std::vector<std::vector<db::Cell>> rows) {
  db::Rows out;
  out.columns = std::move(columns);
  out.rows = std::move(rows);
  return out;
}

// pg_stat_replication as strata reads it: pid, name, replay_lag s, bytes behind, replay_lsn.
db::Rows PgReplica(std::string pid, std::string name, std::string lag, std::string behind,
                   std::string lsn) {
  return Table(
      {"pid", "name", "lag", "behind", "lsn"},
      {{std::move(pid), std::move(name), std::move(lag), std::move(behind), std::move(lsn)}});
}

class PostgresHealthTest : public ::testing::Test {
 protected:
  PostgresHealthTest() {
    options_.max_replica_lag = milliseconds(5000);
    options_.max_connections_fraction = 0.9;
    primary_.Answer("pg_stat_replication", Table({}, {}));
    Connections(10, 100);
  }
  void Connections(int used, int max) {
    primary_.Answer("pg_stat_activity",
                    Table({"used", "max"}, {{std::to_string(used), std::to_string(max)}}));
  }
  std::string Check(HealthChecker& checker) {
    Result<std::string> reason = checker.Check(primary_, {});
    EXPECT_TRUE(reason) << reason.error().message;
    return reason ? *reason : "error";
  }

  FakeClock clock_;
  ThrottleOptions options_;
  FakeConnection primary_{db::Dialect::kPostgres};
};

TEST_F(PostgresHealthTest, AHealthyServerGivesNoReason) {
  HealthChecker checker(options_, clock_);
  EXPECT_THAT(Check(checker), IsEmpty());
}

TEST_F(PostgresHealthTest, TooManyConnectionsHoldTheRun) {
  HealthChecker checker(options_, clock_);
  Connections(91, 100);
  EXPECT_EQ(Check(checker), "connections 91 of max_connections 100 (limit 90%)");
  Connections(90, 100);
  EXPECT_THAT(Check(checker), IsEmpty()) << "at the limit is still healthy";
}

TEST_F(PostgresHealthTest, AReportedReplayLagOverTheLimitHoldsTheRun) {
  HealthChecker checker(options_, clock_);
  primary_.Answer("pg_stat_replication", PgReplica("7", "standby1", "7.1", "100", "0/10"));
  EXPECT_EQ(Check(checker),
            fmt::format("replica lag 7.1s > {} (standby1)", FormatDuration(milliseconds(5000))));
}

// A replica whose replay stops (pg_wal_replay_pause, a conflict) stops reporting replay_lag:
// the checker counts the time its replay position stands still while it is behind, holds the
// run once that passes the limit, and lets it go as soon as replay moves again.
TEST_F(PostgresHealthTest, AReplicaWhoseReplayStandsStillHoldsTheRunUntilItMoves) {
  HealthChecker checker(options_, clock_);
  primary_.Answer("pg_stat_replication", PgReplica("7", "standby1", "0.2", "100", "0/10"));
  EXPECT_THAT(Check(checker), IsEmpty());
  clock_.Advance(seconds(5));
  EXPECT_THAT(Check(checker), IsEmpty()) << "5 s standing still is at the limit, not over it";
  clock_.Advance(milliseconds(1500));
  EXPECT_EQ(Check(checker),
            fmt::format("replica lag 6.5s > {} (standby1)", FormatDuration(milliseconds(5000))));
  primary_.Answer("pg_stat_replication", PgReplica("7", "standby1", "0.2", "100", "0/20"));
  EXPECT_THAT(Check(checker), IsEmpty()) << "replay moved: the lag is the reported 0.2 s";
  clock_.Advance(seconds(3));
  EXPECT_THAT(Check(checker), IsEmpty());
  clock_.Advance(seconds(3));
  EXPECT_THAT(Check(checker), HasSubstr("replica lag 6.0s")) << "counted from when it moved";
}

TEST_F(PostgresHealthTest, AnIdleReplicaThatHasReplayedEverythingIsNotLagging) {
  HealthChecker checker(options_, clock_);
  primary_.Answer("pg_stat_replication", PgReplica("7", "standby1", "0", "0", "0/10"));
  EXPECT_THAT(Check(checker), IsEmpty());
  clock_.Advance(seconds(600));
  EXPECT_THAT(Check(checker), IsEmpty());
}

TEST_F(PostgresHealthTest, AReconnectedReplicaStartsAfresh) {
  HealthChecker checker(options_, clock_);
  primary_.Answer("pg_stat_replication", PgReplica("7", "standby1", "0", "100", "0/10"));
  EXPECT_THAT(Check(checker), IsEmpty());
  clock_.Advance(seconds(4));
  primary_.Answer("pg_stat_replication", PgReplica("8", "standby1", "0", "100", "0/10"));
  EXPECT_THAT(Check(checker), IsEmpty());
  clock_.Advance(seconds(4));
  EXPECT_THAT(Check(checker), IsEmpty()) << "8 s in all, but 4 s since pid 8 appeared";
}

class MariaDbHealthTest : public ::testing::Test {
 protected:
  MariaDbHealthTest() {
    options_.max_replica_lag = milliseconds(5000);
    options_.max_threads_running = 25;
    ThreadsRunning(3);
  }
  void ThreadsRunning(int n) {
    primary_.Answer("Threads_running",
                    Table({"Variable_name", "Value"}, {{"Threads_running", std::to_string(n)}}));
  }
  void SecondsBehind(db::Cell seconds) {
    replica_.Answer("SHOW SLAVE STATUS",
                    Table({"Slave_IO_State", "Seconds_Behind_Master", "Last_Error"},
                          {{"Waiting for master", std::move(seconds), ""}}));
  }
  std::string Check(HealthChecker& checker) {
    Result<std::string> reason = checker.Check(primary_, {&replica_});
    EXPECT_TRUE(reason) << reason.error().message;
    return reason ? *reason : "error";
  }

  FakeClock clock_;
  ThrottleOptions options_;
  FakeConnection primary_{db::Dialect::kMariaDb, "mariadb://primary"};
  FakeConnection replica_{db::Dialect::kMariaDb, "mariadb://replica1"};
};

TEST_F(MariaDbHealthTest, AHealthyServerAndReplicaGiveNoReason) {
  HealthChecker checker(options_, clock_);
  SecondsBehind("5");
  EXPECT_THAT(Check(checker), IsEmpty());
}

TEST_F(MariaDbHealthTest, TooManyThreadsRunningHoldTheRun) {
  HealthChecker checker(options_, clock_);
  SecondsBehind("0");
  ThreadsRunning(26);
  EXPECT_EQ(Check(checker), "Threads_running 26 > 25");
}

TEST_F(MariaDbHealthTest, AReplicaBehindOrStoppedHoldsTheRun) {
  HealthChecker checker(options_, clock_);
  SecondsBehind("6");
  EXPECT_EQ(Check(checker), fmt::format("replica lag 6s > {} (mariadb://replica1)",
                                        FormatDuration(milliseconds(5000))));
  SecondsBehind(std::nullopt);
  EXPECT_EQ(Check(checker), "replica lag unknown: replication stopped on mariadb://replica1");
  replica_.Answer("SHOW SLAVE STATUS", Table({"Slave_IO_State"}, {}));
  EXPECT_EQ(Check(checker), "replica lag unknown: mariadb://replica1 is not a replica");
}

TEST(SqliteHealthTest, ALocalFileHasNothingToWatch) {
  FakeClock clock;
  FakeConnection file(db::Dialect::kSqlite);
  HealthChecker checker(ThrottleOptions{}, clock);
  Result<std::string> reason = checker.Check(file, {});
  ASSERT_TRUE(reason) << reason.error().message;
  EXPECT_THAT(*reason, IsEmpty());
  EXPECT_THAT(file.ran(), IsEmpty());
}

// ---- The fake clock itself ------------------------------------------------------------------

TEST(FakeClockTest, TimeMovesOnlyWhenToldAndSleepsAdvanceIt) {
  FakeClock clock;
  const Clock::TimePoint t0 = clock.Now();
  const auto w0 = clock.WallNow();
  EXPECT_EQ(clock.Now(), t0);
  clock.SleepFor(milliseconds(250));
  clock.Advance(seconds(2));
  EXPECT_EQ(clock.Now() - t0, milliseconds(2250));
  EXPECT_EQ(clock.WallNow() - w0, milliseconds(2250));
  EXPECT_EQ(clock.slept(), milliseconds(250));
}

}  // namespace
}  // namespace strata::backfill
