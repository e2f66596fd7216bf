// A runner that dies mid-statement (issue 15): real `strata migrate` processes whose migration
// runs a statement that takes seconds, killed with SIGKILL at a random moment or stopped with
// SIGTERM, followed at once by another `strata migrate`. A watcher connection polls the
// server every 50 ms meanwhile. What must always hold:
//   - never two runners' statements on the big table at once (the successor waits for what
//     the dead runner left running: migrations/lifecycle.h WaitForOrphans);
//   - never "deadlock detected";
//   - SIGTERM: the runner exits 6 (or 0 when it had finished), and leaves no statement of its
//     own running on the server;
//   - the successor ends in an outcome ClassifyOutcome() accepts.
// Trials per scenario and signal: STRATA_DEATH_TRIALS (default 1, so CI stays cheap; the issue
// asks for 10). Rows in the big table: STRATA_DEATH_ROWS, a number or "issue" for the issue's
// scale (3,000,000 on PostgreSQL, 2,000,000 on MariaDB); the default keeps CI cheap. At the
// issue's scale the setup times one uninterrupted run of the long statement and fails unless it
// takes at least 2 s, and the kill moments spread over that whole run. The issue's runs:
//   STRATA_DEATH_TRIALS=10 STRATA_DEATH_ROWS=issue ctest -R RunnerDeath
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "db/runner.h"
#include "migrations/history.h"
#include "tests/support/run_strata.h"
#include "tests/support/test_env.h"
#include "tests/support/test_project.h"

namespace strata::testing {
namespace {

// ---- Scenarios -------------------------------------------------------------------------------

struct Scenario {
  const char* name;
  db::Dialect dialect;
  const char* script;  // V1__long.sql: its long statement touches the table big
};

// The default row counts: the long statement takes a second or more on a CI machine and the
// table builds in a few seconds (PostgreSQL sorts text (md5) keys, MariaDB copies every row).
constexpr int kPostgresRows = 600000;
constexpr int kMariaDbRows = 500000;
// The issue's scale (STRATA_DEATH_ROWS=issue), at which the long statement must take >= 2 s.
constexpr int kPostgresIssueRows = 3000000;
constexpr int kMariaDbIssueRows = 2000000;
constexpr std::chrono::milliseconds kIssueMinimumStatement{2000};

const Scenario kScenarios[] = {
    {"postgres_cic", db::Dialect::kPostgres, "CREATE INDEX CONCURRENTLY big_v ON big (v);\n"},
    {"postgres_three_statements", db::Dialect::kPostgres,
     "CREATE INDEX CONCURRENTLY small_a ON small (id);\n"
     "CREATE INDEX CONCURRENTLY big_v ON big (v);\n"
     "CREATE INDEX CONCURRENTLY small_b ON small (id);\n"},
    {"mariadb_copy_alter", db::Dialect::kMariaDb,
     "ALTER TABLE big ADD COLUMN c int NOT NULL DEFAULT 0, ALGORITHM=COPY;\n"},
    {"mariadb_three_statements", db::Dialect::kMariaDb,
     "CREATE TABLE side_a (id int);\n"
     "ALTER TABLE big ADD COLUMN c int NOT NULL DEFAULT 0, ALGORITHM=COPY;\n"
     "CREATE TABLE side_b (id int);\n"},
};

std::string ScenarioName(const ::testing::TestParamInfo<Scenario>& info) { return info.param.name; }

int Trials() {
  const char* env = std::getenv("STRATA_DEATH_TRIALS");
  return env != nullptr && std::atoi(env) > 0 ? std::atoi(env) : 1;
}

// Whether STRATA_DEATH_ROWS asks for the issue's scale.
bool IssueScale() {
  const char* env = std::getenv("STRATA_DEATH_ROWS");
  return env != nullptr && std::string_view(env) == "issue";
}

// The rows of the big table: STRATA_DEATH_ROWS ("issue" or a number), else the default.
int Rows(db::Dialect dialect) {
  const bool postgres = dialect == db::Dialect::kPostgres;
  if (IssueScale()) return postgres ? kPostgresIssueRows : kMariaDbIssueRows;
  const char* env = std::getenv("STRATA_DEATH_ROWS");
  if (env != nullptr && std::atoi(env) > 0) return std::atoi(env);
  return postgres ? kPostgresRows : kMariaDbRows;
}

// The scenario's long statement alone, and what undoes it.
const char* LongStatement(db::Dialect dialect) {
  return dialect == db::Dialect::kPostgres
             ? "CREATE INDEX CONCURRENTLY big_v ON big (v)"
             : "ALTER TABLE big ADD COLUMN c int NOT NULL DEFAULT 0, ALGORITHM=COPY";
}
const char* UndoLongStatement(db::Dialect dialect) {
  return dialect == db::Dialect::kPostgres ? "DROP INDEX big_v" : "ALTER TABLE big DROP COLUMN c";
}

// ---- The watcher -----------------------------------------------------------------------------

// Polls the server every 50 ms on a connection of its own for strata statements on the big
// table, and remembers any moment when two runners ran one at once. On PostgreSQL only client
// backends count: an index build's parallel workers carry the leader's name, and one may still
// show as active for a moment after its leader's statement has ended. " big " with its spaces:
// strata's own queries on pg_stat_activity mention "bigint".
class Watcher {
 public:
  explicit Watcher(const ScratchDatabase& db) : conn_(db.Connect()), dialect_(db.dialect()) {
    thread_ = std::thread([this] { Loop(); });
  }
  ~Watcher() { Stop(); }

  void Stop() {
    if (!thread_.joinable()) return;
    done_ = true;
    thread_.join();
  }
  // "" when never two at once; otherwise what was seen.
  std::string Collision() {
    std::lock_guard<std::mutex> lock(mutex_);
    return collision_;
  }
  // The labels of the strata statements on big running now.
  std::set<std::string> RunningNow() { return Poll(); }

 private:
  std::set<std::string> Poll() {
    const char* sql =
        dialect_ == db::Dialect::kPostgres
            ? "SELECT application_name, query FROM pg_stat_activity WHERE datname = "
              "current_database() AND state = 'active' AND application_name LIKE 'strata %' AND "
              "query LIKE '% big %' AND backend_type = 'client backend'"
            : "SELECT INFO, INFO FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND "
              "INFO LIKE '/* strata %' AND INFO LIKE '% big %'";
    std::set<std::string> labels;
    auto rows = conn_->Query(sql);
    if (!rows) return labels;
    for (const auto& row : rows->rows) {
      auto runner = db::RunnerIdentity::Parse(row[0].value_or(""));
      if (runner) labels.insert(runner->run_id);
    }
    return labels;
  }

  void Loop() {
    while (!done_) {
      const std::set<std::string> labels = Poll();
      if (labels.size() > 1) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (collision_.empty()) collision_ = fmt::format("{} runs at once", labels.size());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

  std::unique_ptr<db::Connection> conn_;
  db::Dialect dialect_;
  std::atomic<bool> done_{false};
  std::mutex mutex_;
  std::string collision_;
  std::thread thread_;
};

// ---- Outcomes --------------------------------------------------------------------------------

enum class Outcome {
  kAppliedOnce,  // the successor (or the dead runner) applied V1, recorded once, effect there
  // The successor re-ran a statement the dead or stopped runner had already applied ("already
  // exists", "Duplicate column name") and recorded the failure.
  kRerunCollided,
  // The stopped runner recorded its cancelled migration as failed; the successor refuses until
  // `strata repair`.
  kBlockedByFailedRow,
  kUnexpected,
};

const char* OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kAppliedOnce:
      return "applied once";
    case Outcome::kRerunCollided:
      return "re-run collided with the dead runner's work";
    case Outcome::kBlockedByFailedRow:
      return "blocked by the stopped runner's failed row";
    case Outcome::kUnexpected:
      return "unexpected";
  }
  return "";
}

struct HistoryCounts {
  int successes = 0;
  int failures = 0;
};

HistoryCounts CountHistory(const ScratchDatabase& db) {
  HistoryCounts counts;
  auto conn = db.Connect();
  migrations::SchemaHistory history(*conn, {});
  auto exists = history.Exists();
  if (!exists || !*exists) return counts;
  auto rows = history.ReadAll();
  if (!rows) return counts;
  for (const auto& row : *rows) (row.success ? counts.successes : counts.failures)++;
  return counts;
}

bool EffectInPlace(const ScratchDatabase& db) {
  auto conn = db.Connect();
  if (db.dialect() == db::Dialect::kPostgres) {
    return QueryInt(*conn,
                    "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                    "WHERE c.relname = 'big_v' AND i.indisvalid") == 1;
  }
  return QueryInt(*conn,
                  "SELECT count(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = "
                  "DATABASE() AND TABLE_NAME = 'big' AND COLUMN_NAME = 'c'") == 1;
}

// What the successor's run ended in. With per-statement progress records, resume and the
// INVALID-index rebuild (migrations/progress.h) every trial must be kAppliedOnce: the two
// failure shapes strata had before them are named so that a regression says which it is.
Outcome ClassifyOutcome(const ScratchDatabase& db, const RunResult& successor) {
  const HistoryCounts counts = CountHistory(db);
  if (successor.exit_code == 0 && counts.successes == 1 && counts.failures == 0 &&
      EffectInPlace(db)) {
    return Outcome::kAppliedOnce;
  }
  const std::string out = successor.all();
  if (successor.exit_code == 1 && counts.successes == 0 && counts.failures == 1 &&
      (out.find("already exists") != std::string::npos ||
       out.find("Duplicate column name") != std::string::npos)) {
    return Outcome::kRerunCollided;
  }
  if (successor.exit_code == 3 && counts.successes == 0 && counts.failures == 1 &&
      out.find("repair") != std::string::npos) {
    return Outcome::kBlockedByFailedRow;
  }
  return Outcome::kUnexpected;
}

void ExpectAcceptable(Outcome outcome, const RunResult& successor) {
  switch (outcome) {
    case Outcome::kAppliedOnce:
      return;
    case Outcome::kRerunCollided:
      ADD_FAILURE() << "the successor ran the statement again beside its effect: "
                    << successor.all();
      return;
    case Outcome::kBlockedByFailedRow:
      ADD_FAILURE() << "the successor stopped at the failed row instead of resuming: "
                    << successor.all();
      return;
    case Outcome::kUnexpected:
      ADD_FAILURE() << "unexpected outcome, successor exit " << successor.exit_code << ": "
                    << successor.all();
      return;
  }
}

// ---- The test --------------------------------------------------------------------------------

class RunnerDeathTest : public ::testing::TestWithParam<Scenario> {
 protected:
  void SetUp() override {
    db_ = ScratchDatabase::Create(GetParam().dialect);
    if (db_ == nullptr) GTEST_SKIP() << "no server for " << db::DialectName(GetParam().dialect);
    project_ = std::make_unique<TestProject>("runner_death");
    project_->Write("V1__long.sql", GetParam().script);
    BuildBigTable();
    if (IssueScale()) MeasureLongStatement();
  }

  void BuildBigTable() {
    auto conn = db_->Connect();
    if (GetParam().dialect == db::Dialect::kPostgres) {
      ExecOrFail(*conn, fmt::format("CREATE TABLE big AS SELECT g AS id, md5(g::text) AS v FROM "
                                    "generate_series(1, {}) g",
                                    Rows(db::Dialect::kPostgres)));
      ExecOrFail(*conn, "CREATE TABLE small (id int)");
    } else {
      ExecOrFail(*conn, "CREATE TABLE big (id INT PRIMARY KEY, v INT) ENGINE=InnoDB");
      ExecOrFail(*conn, fmt::format("INSERT INTO big SELECT seq, seq % 1000 FROM seq_1_to_{}",
                                    Rows(db::Dialect::kMariaDb)));
    }
  }

  // Times one uninterrupted run of the long statement (then undoes it): the issue asks for
  // statements of at least 2 s, so a machine fast enough to make it shorter fails the run
  // rather than passing trials that prove less. The kill moments then spread over that time.
  void MeasureLongStatement() {
    auto conn = db_->Connect();
    const auto start = std::chrono::steady_clock::now();
    ExecOrFail(*conn, LongStatement(GetParam().dialect));
    statement_time_ = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    ExecOrFail(*conn, UndoLongStatement(GetParam().dialect));
    std::printf("  %d rows: the long statement alone takes %lld ms\n", Rows(GetParam().dialect),
                static_cast<long long>(statement_time_.count()));
    ASSERT_GE(statement_time_, kIssueMinimumStatement)
        << "the long statement is too quick to test what the issue asks for";
  }

  // When the first runner is killed: at the default scale within 2.5 s, at the issue's scale
  // anywhere in the time the long statement takes (plus its runner's start).
  std::chrono::milliseconds KillDelay(std::mt19937& random) const {
    const int last =
        statement_time_.count() > 0 ? static_cast<int>(statement_time_.count()) + 500 : 2500;
    return std::chrono::milliseconds(std::uniform_int_distribution<int>(300, last)(random));
  }

  // Undoes V1 and drops the history, for the next trial.
  void Reset() {
    auto conn = db_->Connect();
    if (GetParam().dialect == db::Dialect::kPostgres) {
      ExecOrFail(*conn,
                 "DROP INDEX IF EXISTS big_v; DROP INDEX IF EXISTS small_a; "
                 "DROP INDEX IF EXISTS small_b; DROP TABLE IF EXISTS strata_schema_history");
    } else {
      ExecOrFail(*conn, "ALTER TABLE big DROP COLUMN IF EXISTS c");
      ExecOrFail(*conn, "DROP TABLE IF EXISTS side_a, side_b, strata_schema_history");
    }
  }

  std::vector<std::string> Migrate() const {
    return {"-C",       project_->root().string(), "migrate", "--url",
            db_->url(), "--lock-timeout",          "120s"};
  }

  void Trial(int signo, std::mt19937& random) {
    Reset();
    Watcher watcher(*db_);
    const int first = SpawnStrata(Migrate());
    const std::chrono::milliseconds delay = KillDelay(random);
    std::this_thread::sleep_for(delay);
    const auto killed_at = std::chrono::steady_clock::now();
    ::kill(first, signo);
    const int first_exit = WaitStrata(first);
    if (signo == SIGKILL) {
      EXPECT_TRUE(first_exit == 128 + SIGKILL || first_exit == 0) << first_exit;
    } else {
      // 6: stopped cleanly; 0: it had finished; 128+SIGTERM only before it connected.
      EXPECT_TRUE(first_exit == 6 || first_exit == 0 || first_exit == 128 + SIGTERM) << first_exit;
      EXPECT_TRUE(watcher.RunningNow().empty())
          << "the stopped runner left a statement running on the server";
    }
    const RunResult successor = RunStrata(Migrate());
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - killed_at);
    watcher.Stop();
    EXPECT_EQ(watcher.Collision(), "") << "two runners' statements ran at once";
    EXPECT_EQ(successor.all().find("deadlock detected"), std::string::npos) << successor.all();
    const Outcome outcome = ClassifyOutcome(*db_, successor);
    ++outcomes_[outcome];
    std::printf(
        "  %s after %lld ms: first exit %d, successor exit %d, done %lld ms after the signal: %s\n",
        signo == SIGKILL ? "SIGKILL" : "SIGTERM", static_cast<long long>(delay.count()), first_exit,
        successor.exit_code, static_cast<long long>(elapsed.count()), OutcomeName(outcome));
    ExpectAcceptable(outcome, successor);
  }

  void TearDown() override {
    for (const auto& [outcome, n] : outcomes_) {
      std::printf("  %s: %d\n", OutcomeName(outcome), n);
    }
  }

  std::unique_ptr<ScratchDatabase> db_;
  std::unique_ptr<TestProject> project_;
  std::map<Outcome, int> outcomes_;
  std::chrono::milliseconds statement_time_{0};  // MeasureLongStatement(); 0: not measured
};

TEST_P(RunnerDeathTest, KillNineThenMigrateAtOnce) {
  std::mt19937 random(std::random_device{}());
  for (int trial = 0; trial < Trials(); ++trial) {
    SCOPED_TRACE(fmt::format("SIGKILL trial {}", trial));
    Trial(SIGKILL, random);
  }
}

TEST_P(RunnerDeathTest, SigtermThenMigrate) {
  std::mt19937 random(std::random_device{}());
  for (int trial = 0; trial < Trials(); ++trial) {
    SCOPED_TRACE(fmt::format("SIGTERM trial {}", trial));
    Trial(SIGTERM, random);
  }
}

INSTANTIATE_TEST_SUITE_P(Scenarios, RunnerDeathTest, ::testing::ValuesIn(kScenarios), ScenarioName);

}  // namespace
}  // namespace strata::testing
