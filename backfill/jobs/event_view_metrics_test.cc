// The event-view-metrics job: parameters without a database, then the job driven chunk by
// chunk (NextChunk/Process in transactions, as the engine does) against real PostgreSQL and
// MariaDB servers (tests/with-servers) and SQLite files with the example's migrations applied.
//
// Expectations are computed independently of domain::metric_days: hand-written day ranges for
// crafted events, and for generated data the database's own date arithmetic (PostgreSQL
// AT TIME ZONE + generate_series, MariaDB DATE() of the stored wall-clock times, SQLite
// date(…, '+9 hours') for Seoul, which has no daylight-saving time).
#include "backfill/jobs/event_view_metrics.h"

#include <date/date.h>
#include <date/tz.h>
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "backfill/dry_run.h"
#include "backfill/executor.h"
#include "backfill/jobs/builtin.h"
#include "db/open.h"
#include "db/url.h"
#include "domain/timestamp.h"
#include "examples/events/generator/generator.h"
#include "tests/support/example.h"
#include "tests/support/test_env.h"

namespace strata::backfill {
namespace {

using testing::ExampleDatabase;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::QueryInt;
using testing::ScratchDatabase;
using namespace date::literals;  // NOLINT(google-build-using-namespace): 2024_y/mar/10
using examples::events::MigrationsFolder;

// ---------------------------------------------------------------------------------------------
// Binding parameters (no database)

std::unique_ptr<BoundJob> MustBind(const ParamValues& values = {}) {
  auto job = MakeEventViewMetricsJob()->Bind(values);
  EXPECT_TRUE(job) << job.error().message;
  return job ? std::move(*job) : nullptr;
}

TEST(EventViewMetricsBindTest, DefaultsAreFilledIn) {
  auto job = MustBind();
  ASSERT_NE(job, nullptr);
  EXPECT_EQ(job->params(), (ParamValues{{"first_event_id", ""},
                                        {"last_event_id", ""},
                                        {"max_days", "3660"},
                                        {"over_max_days", "fail"},
                                        {"rows_per_statement", "5000"},
                                        {"write_method", "auto"},
                                        {"zone", "Asia/Seoul"}}));
}

TEST(EventViewMetricsBindTest, BadValuesNameTheParameter) {
  struct Case {
    ParamValues values;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{{"zone", "Mars/Olympus"}}, "parameter zone: "},
      {{{"max_days", "0"}}, "parameter max_days='0' is not an integer from 1 to 1000000"},
      {{{"max_days", "12x"}}, "parameter max_days='12x' is not an integer from 1 to 1000000"},
      {{{"rows_per_statement", "7501"}}, "rows_per_statement='7501' is not an integer from 1"},
      {{{"first_event_id", "ten"}}, "parameter first_event_id='ten' is not an integer"},
      {{{"first_event_id", "10"}, {"last_event_id", "9"}},
       "first_event_id 10 is greater than last_event_id 9"},
      {{{"over_max_days", "truncate"}}, "over_max_days='truncate' is not fail or skip"},
      {{{"write_method", "load"}},
       "write_method='load' is not auto, values, copy, packed or array"},
      {{{"zones", "UTC"}}, "job 'event-view-metrics' has no parameter 'zones'"},
  };
  for (const Case& c : cases) {
    auto job = MakeEventViewMetricsJob()->Bind(c.values);
    ASSERT_FALSE(job) << c.message;
    EXPECT_EQ(job.error().code, ErrorCode::kInvalidArgument);
    EXPECT_THAT(job.error().message, HasSubstr(c.message));
  }
}

TEST(EventViewMetricsBindTest, RegisteredAsABuiltinJob) {
  JobRegistry registry;
  RegisterBuiltinJobs(registry);
  const JobDefinition* job = registry.Find("event-view-metrics");
  ASSERT_NE(job, nullptr);
  EXPECT_EQ(job->parameters().size(), 7U);
  EXPECT_THAT(std::string(job->description()), HasSubstr("event_view_metric"));
}

TEST(EventViewMetricsBindTest, SqlIsIdempotentWithoutInsertIgnore) {
  auto job = MustBind();
  ASSERT_NE(job, nullptr);
  const auto joined = [&](db::Dialect d) {
    std::string text;
    for (const std::string& sql : job->DescribeSql(d)) text += sql + "\n";
    return text;
  };
  EXPECT_THAT(joined(db::Dialect::kPostgres), HasSubstr("ON CONFLICT DO NOTHING"));
  EXPECT_THAT(joined(db::Dialect::kSqlite), HasSubstr("ON CONFLICT DO NOTHING"));
  const std::string mariadb = joined(db::Dialect::kMariaDb);
  // auto is array binding on MariaDB, and JSON_TABLE on MySQL (no array binding).
  EXPECT_THAT(mariadb, HasSubstr("VALUES (?, ?, 0, @strata_event_view_metrics_now, "
                                 "@strata_event_view_metrics_now) ON DUPLICATE KEY UPDATE "
                                 "event_statistic_id = event_statistic_id"));
  EXPECT_THAT(mariadb, HasSubstr("on MySQL, which has no array binding: INSERT"));
  auto packed = MustBind({{"write_method", "packed"}});
  ASSERT_NE(packed, nullptr);
  EXPECT_THAT(packed->DescribeSql(db::Dialect::kMariaDb).back(),
              HasSubstr("JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$[0]', day DATE PATH "
                        "'$[1]')) AS r ON DUPLICATE KEY UPDATE "
                        "event_view_metric.event_statistic_id = "
                        "event_view_metric.event_statistic_id"));
  auto values = MustBind({{"write_method", "values"}});
  ASSERT_NE(values, nullptr);
  EXPECT_THAT(values->DescribeSql(db::Dialect::kMariaDb).back(),
              HasSubstr("ON DUPLICATE KEY UPDATE event_statistic_id = event_statistic_id"));
  EXPECT_THAT(values->DescribeSql(db::Dialect::kMariaDb).back(), Not(HasSubstr("IGNORE")));
  EXPECT_THAT(mariadb, Not(HasSubstr("IGNORE")));
  EXPECT_THAT(mariadb, HasSubstr("STRAIGHT_JOIN"));
  // Every read of the metric table is bounded to the chunk's keys.
  EXPECT_THAT(mariadb, HasSubstr("FROM event_view_metric WHERE event_statistic_id BETWEEN"));
  auto copy = MustBind({{"write_method", "copy"}});
  ASSERT_NE(copy, nullptr);
  const std::vector<std::string> copy_sql = copy->DescribeSql(db::Dialect::kPostgres);
  EXPECT_THAT(copy_sql.back(),
              HasSubstr("FROM strata_event_view_metric_stage ON CONFLICT DO NOTHING"));
  std::string copy_text;
  for (const std::string& sql : copy_sql) copy_text += sql + "\n";
  EXPECT_THAT(copy_text, HasSubstr("SAVEPOINT strata_event_view_metric_copy\nCOPY "
                                   "event_view_metric (event_statistic_id, view_date"));
  EXPECT_THAT(copy_text, HasSubstr("unique_violation"));
}

// ---------------------------------------------------------------------------------------------
// Against the databases: helpers

// How each engine stores the instant `utc` (see the migrations): PostgreSQL timestamptz text,
// MariaDB the wall-clock time in `zone`, SQLite ISO-8601 UTC text.
std::string Stored(db::Dialect dialect, date::sys_seconds utc, const std::string& zone) {
  switch (dialect) {
    case db::Dialect::kPostgres:
      return date::format("%F %T+00", utc);
    case db::Dialect::kMariaDb:
      return date::format("%F %T", date::make_zoned(zone, utc).get_local_time());
    case db::Dialect::kSqlite:
      return date::format("%FT%TZ", utc);
  }
  return {};
}

date::sys_seconds Utc(date::sys_days day, int h, int m, int s) {
  return date::sys_seconds{day} + std::chrono::hours{h} + std::chrono::minutes{m} +
         std::chrono::seconds{s};
}

struct TestEvent {
  std::int64_t id;
  date::sys_seconds start;
  date::sys_seconds end;
  std::vector<std::int64_t> statistics;
};

void InsertEvents(db::Connection& conn, const std::vector<TestEvent>& events,
                  const std::string& zone) {
  const db::Dialect d = conn.dialect();
  for (const TestEvent& e : events) {
    ASSERT_TRUE(conn.Execute(
        fmt::format("INSERT INTO event (event_id, title, "
                    "registration_start, event_end) VALUES ({}, 'e', {}, {})",
                    db::Placeholder(d, 1), db::Placeholder(d, 2), db::Placeholder(d, 3)),
        {e.id, Stored(d, e.start, zone), Stored(d, e.end, zone)}));
    for (std::int64_t s : e.statistics) {
      ASSERT_TRUE(conn.Execute(
          fmt::format("INSERT INTO event_statistic (event_statistic_id, event_id) VALUES ({}, {})",
                      db::Placeholder(d, 1), db::Placeholder(d, 2)),
          {s, e.id}));
    }
  }
}

void InsertMetric(db::Connection& conn, std::int64_t statistic, date::sys_days day,
                  std::int64_t views) {
  const db::Dialect d = conn.dialect();
  const std::string old = d == db::Dialect::kSqlite     ? "2001-02-03T04:05:06Z"
                          : d == db::Dialect::kPostgres ? "2001-02-03 04:05:06+00"
                                                        : "2001-02-03 04:05:06";
  ASSERT_TRUE(conn.Execute(
      fmt::format("INSERT INTO event_view_metric (event_statistic_id, view_date, view_count, "
                  "created_at, updated_at) VALUES ({}, {}, {}, {}, {})",
                  db::Placeholder(d, 1), db::Placeholder(d, 2), db::Placeholder(d, 3),
                  db::Placeholder(d, 4), db::Placeholder(d, 5)),
      {statistic, domain::FormatDay(day), views, old, old}));
}

struct LoopTotals {
  ChunkOutcome sum;
  std::vector<KeyRange> chunks;
  std::vector<std::int64_t> keys;  // how many keys each chunk held
  std::vector<ChunkOutcome> outcomes;
};

// The engine's loop in miniature: chunks of `max_keys` keys, each processed (or counted, in a
// read-only transaction) in its own transaction.
Result<LoopTotals> RunChunks(db::Connection& conn, const BoundJob& job, std::int64_t max_keys,
                             bool count_only = false) {
  LoopTotals totals;
  std::optional<std::int64_t> after;
  while (true) {
    STRATA_ASSIGN_OR_RETURN(std::optional<ChunkCut> cut, job.NextChunk(conn, after, max_keys));
    if (!cut) break;
    const KeyRange* chunk = &cut->range;
    db::TxOptions options;
    options.read_only = count_only;
    STRATA_ASSIGN_OR_RETURN(db::Transaction tx, db::Transaction::Begin(conn, options));
    STRATA_ASSIGN_OR_RETURN(ChunkOutcome outcome,
                            count_only ? job.Count(conn, *chunk) : job.Process(conn, *chunk));
    STRATA_TRY(count_only ? tx.Rollback() : tx.Commit());
    totals.sum.rows_written += outcome.rows_written;
    totals.sum.rows_present += outcome.rows_present;
    totals.chunks.push_back(*chunk);
    totals.keys.push_back(cut->keys);
    totals.outcomes.push_back(outcome);
    after = chunk->last;
  }
  return totals;
}

LoopTotals MustRun(db::Connection& conn, const BoundJob& job, std::int64_t max_keys,
                   bool count_only = false) {
  auto totals = RunChunks(conn, job, max_keys, count_only);
  EXPECT_TRUE(totals) << totals.error().message;
  return totals ? *totals : LoopTotals{};
}

// "statistic|day|views" for every metric row, in key order.
std::vector<std::string> MetricTable(db::Connection& conn) {
  auto rows = conn.Query(
      "SELECT event_statistic_id, view_date, view_count FROM event_view_metric "
      "ORDER BY event_statistic_id, view_date");
  EXPECT_TRUE(rows) << rows.error().message;
  std::vector<std::string> out;
  if (!rows) return out;
  for (const auto& r : rows->rows) out.push_back(fmt::format("{}|{}|{}", *r[0], *r[1], *r[2]));
  return out;
}

// Builds the expected table: day ranges written by hand, plus rows that already existed.
class Expectation {
 public:
  void Days(std::int64_t statistic, date::sys_days first, date::sys_days last) {
    for (date::sys_days day = first; day <= last; day += date::days{1}) {
      rows_[{statistic, day}] = 0;
    }
  }
  void Existing(std::int64_t statistic, date::sys_days day, std::int64_t views) {
    rows_[{statistic, day}] = views;
  }
  std::vector<std::string> Table() const {
    std::vector<std::string> out;
    for (const auto& [key, views] : rows_) {
      out.push_back(fmt::format("{}|{}|{}", key.first, domain::FormatDay(key.second), views));
    }
    return out;
  }
  std::int64_t size() const { return static_cast<std::int64_t>(rows_.size()); }

 private:
  std::map<std::pair<std::int64_t, date::sys_days>, std::int64_t> rows_;
};

class EventViewMetricsTest : public ::testing::TestWithParam<db::Dialect> {
 protected:
  void SetUp() override {
    scratch_ = ExampleDatabase(GetParam());
    ASSERT_NE(scratch_, nullptr);
    conn_ = scratch_->Connect();
    ASSERT_NE(conn_, nullptr);
  }

  // Events with every awkward shape, in Asia/Seoul (UTC+9, no daylight saving), and what a
  // complete backfill must leave in the table.
  Expectation InsertSeoulEvents() {
    using date::days;
    std::vector<TestEvent> events = {
        // A 0-day span: starts and ends at the same instant -> one day.
        {1, Utc(2024_y / 5 / 1, 3, 0, 0), Utc(2024_y / 5 / 1, 3, 0, 0), {11}},
        // UTC dates 03-09..03-10, Seoul dates 03-10..03-10.
        {2, Utc(2024_y / 3 / 9, 16, 0, 0), Utc(2024_y / 3 / 10, 14, 59, 59), {12}},
        // 1,500 days, past MariaDB's silent 1,000-row recursion cut.
        {3, Utc(2020_y / 1 / 1, 0, 0, 0), Utc(2024_y / 2 / 8, 12, 0, 0), {13}},
        // Ends before it starts: nothing.
        {4, Utc(2024_y / 6 / 10, 0, 0, 0), Utc(2024_y / 6 / 9, 0, 0, 0), {14}},
        // Partly covered already (rows added below).
        {5, Utc(2024_y / 7 / 1, 0, 0, 0), Utc(2024_y / 7 / 10, 0, 0, 0), {15}},
        // Two statistics; Seoul midnight to Seoul 23:59:59 the next day.
        {6, Utc(2024_y / 12 / 31, 15, 0, 0), Utc(2025_y / 1 / 2, 14, 59, 59), {16, 17}},
        // One second before Seoul midnight to Seoul midnight, over February 29.
        {7, Utc(2024_y / 2 / 28, 14, 59, 59), Utc(2024_y / 2 / 29, 15, 0, 0), {18}},
        // An event without statistics: nothing, and no chunk key.
        {8, Utc(2024_y / 1 / 1, 0, 0, 0), Utc(2024_y / 1 / 5, 0, 0, 0), {}},
    };
    InsertEvents(*conn_, events, "Asia/Seoul");
    InsertMetric(*conn_, 15, 2024_y / 7 / 3, 7);
    InsertMetric(*conn_, 15, 2024_y / 7 / 9, 3);
    InsertMetric(*conn_, 15, 2024_y / 6 / 1, 1);  // outside the span: left alone too

    Expectation expected;
    expected.Days(11, 2024_y / 5 / 1, 2024_y / 5 / 1);
    expected.Days(12, 2024_y / 3 / 10, 2024_y / 3 / 10);
    expected.Days(13, 2020_y / 1 / 1, date::sys_days{2020_y / 1 / 1} + days{1'499});
    expected.Days(15, 2024_y / 7 / 1, 2024_y / 7 / 10);
    expected.Existing(15, 2024_y / 7 / 3, 7);
    expected.Existing(15, 2024_y / 7 / 9, 3);
    expected.Existing(15, 2024_y / 6 / 1, 1);
    expected.Days(16, 2025_y / 1 / 1, 2025_y / 1 / 2);
    expected.Days(17, 2025_y / 1 / 1, 2025_y / 1 / 2);
    expected.Days(18, 2024_y / 2 / 28, 2024_y / 3 / 1);
    EXPECT_EQ(date::sys_days{2020_y / 1 / 1} + days{1'499}, date::sys_days{2024_y / 2 / 8});
    return expected;
  }

  std::unique_ptr<ScratchDatabase> scratch_;
  std::unique_ptr<db::Connection> conn_;
};

// Rows wanted in all: 1 + 1 + 1,500 + 10 + 2 + 2 + 3; 2 of them exist.
constexpr std::int64_t kSeoulWanted = 1'519;
constexpr std::int64_t kSeoulPresent = 2;

// ---------------------------------------------------------------------------------------------
// Against the databases: tests

TEST_P(EventViewMetricsTest, TableEqualsTheHandWrittenExpectation) {
  const Expectation expected = InsertSeoulEvents();
  auto job = MustBind();
  ASSERT_NE(job, nullptr);
  ASSERT_TRUE(job->Check(*conn_)) << job->Check(*conn_).error().message;

  const LoopTotals first = MustRun(*conn_, *job, 3);
  EXPECT_EQ(first.chunks, (std::vector<KeyRange>{{11, 13}, {14, 16}, {17, 18}}));
  EXPECT_EQ(first.keys, (std::vector<std::int64_t>{3, 3, 2}));  // the keys held, not asked for
  EXPECT_EQ(first.sum.rows_written, kSeoulWanted - kSeoulPresent);
  EXPECT_EQ(first.sum.rows_present, kSeoulPresent);
  EXPECT_EQ(MetricTable(*conn_), expected.Table());
  const auto* typed = dynamic_cast<const EventViewMetricsJob*>(job.get());
  ASSERT_NE(typed, nullptr);
  EXPECT_EQ(typed->skipped_events().ends_before_start, 1);
  EXPECT_EQ(typed->skipped_events().over_max_days, 0);

  // New rows: view_count 0, created_at = updated_at = one moment, not the old rows' time.
  EXPECT_EQ(QueryInt(*conn_,
                     "SELECT COUNT(*) FROM event_view_metric WHERE view_count = 0 AND "
                     "created_at = updated_at AND created_at > '2020-01-01'"),
            kSeoulWanted - kSeoulPresent);
  // The rows that existed kept their values and times.
  EXPECT_EQ(QueryInt(*conn_,
                     "SELECT COUNT(*) FROM event_view_metric WHERE view_count > 0 AND "
                     "created_at < '2002-01-01' AND updated_at < '2002-01-01'"),
            3);

  // A second pass writes nothing and finds every wanted row.
  const LoopTotals second = MustRun(*conn_, *job, 3);
  EXPECT_EQ(second.sum.rows_written, 0);
  EXPECT_EQ(second.sum.rows_present, kSeoulWanted);
  EXPECT_EQ(MetricTable(*conn_), expected.Table());
}

TEST_P(EventViewMetricsTest, EveryWriteMethodWritesTheSameTable) {
  const Expectation expected = InsertSeoulEvents();
  const std::vector<std::string> before = MetricTable(*conn_);
  for (const char* method : {"packed", "array", "values"}) {
    SCOPED_TRACE(method);
    // 7 rows per statement or batch: several per chunk.
    auto job = MustBind({{"write_method", method}, {"rows_per_statement", "7"}});
    ASSERT_NE(job, nullptr);
    ASSERT_TRUE(job->Check(*conn_));
    const LoopTotals first = MustRun(*conn_, *job, 3);
    EXPECT_EQ(first.sum.rows_written, kSeoulWanted - kSeoulPresent);
    EXPECT_EQ(first.sum.rows_present, kSeoulPresent);
    EXPECT_EQ(MetricTable(*conn_), expected.Table());
    EXPECT_EQ(QueryInt(*conn_,
                       "SELECT COUNT(*) FROM event_view_metric WHERE view_count = 0 AND "
                       "created_at = updated_at AND created_at > '2020-01-01'"),
              kSeoulWanted - kSeoulPresent);
    EXPECT_EQ(MustRun(*conn_, *job, 3).sum.rows_written, 0);
    // Back to the start for the next method.
    ASSERT_TRUE(conn_->Execute("DELETE FROM event_view_metric WHERE created_at > '2020-01-01'"));
    ASSERT_EQ(MetricTable(*conn_), before);
  }
}

TEST_P(EventViewMetricsTest, CountIsExactlyWhatProcessWrites) {
  InsertSeoulEvents();
  // Multi-row INSERTs of 7 rows: several statements per chunk, on every engine.
  auto job = MustBind({{"rows_per_statement", "7"}, {"write_method", "values"}});
  ASSERT_NE(job, nullptr);
  const std::vector<std::string> before = MetricTable(*conn_);
  const LoopTotals counted = MustRun(*conn_, *job, 2, /*count_only=*/true);
  EXPECT_EQ(MetricTable(*conn_), before);  // the read-only count changed nothing
  const LoopTotals processed = MustRun(*conn_, *job, 2);
  EXPECT_EQ(counted.chunks, processed.chunks);
  ASSERT_EQ(counted.outcomes.size(), processed.outcomes.size());
  for (std::size_t i = 0; i < counted.outcomes.size(); ++i) {
    EXPECT_EQ(counted.outcomes[i].rows_written, processed.outcomes[i].rows_written) << i;
    EXPECT_EQ(counted.outcomes[i].rows_present, processed.outcomes[i].rows_present) << i;
  }
  EXPECT_EQ(counted.sum.rows_written, kSeoulWanted - kSeoulPresent);
  const LoopTotals recount = MustRun(*conn_, *job, 2, /*count_only=*/true);
  EXPECT_EQ(recount.sum.rows_written, 0);
  EXPECT_EQ(recount.sum.rows_present, kSeoulWanted);
}

TEST_P(EventViewMetricsTest, SampleShowsTheMissingRows) {
  InsertSeoulEvents();
  auto job = MustBind();
  ASSERT_NE(job, nullptr);
  auto sample = job->Sample(*conn_, KeyRange{15, 15}, 3);
  ASSERT_TRUE(sample) << sample.error().message;
  EXPECT_EQ(sample->columns, (std::vector<std::string>{"event_statistic_id", "view_date",
                                                       "view_count", "created_at", "updated_at"}));
  ASSERT_EQ(sample->rows.size(), 3U);
  EXPECT_EQ(sample->rows[0][1], "2024-07-01");
  EXPECT_EQ(sample->rows[1][1], "2024-07-02");
  EXPECT_EQ(sample->rows[2][1], "2024-07-04");  // 07-03 exists
  EXPECT_EQ(sample->rows[2][2], "0");
}

TEST_P(EventViewMetricsTest, DaylightSavingChangesNeitherAddNorDropDays) {
  const std::string zone = "America/New_York";
  using date::days;
  InsertEvents(*conn_,
               {
                   // 2024-03-09 23:30 EST to 2024-03-11 00:30 EDT (clocks jump on 03-10).
                   {1, Utc(2024_y / 3 / 10, 4, 30, 0), Utc(2024_y / 3 / 11, 4, 30, 0), {1}},
                   // 2024-11-02 23:30 EDT to 2024-11-03 23:30 EST (clocks fall back on 11-03).
                   {2, Utc(2024_y / 11 / 3, 3, 30, 0), Utc(2024_y / 11 / 4, 4, 30, 0), {2}},
                   // 2024-03-10 03:00 EDT (just after the jump) to 2024-03-10 23:59:59 EDT.
                   {3, Utc(2024_y / 3 / 10, 7, 0, 0), Utc(2024_y / 3 / 11, 3, 59, 59), {3}},
               },
               zone);
  auto job = MustBind({{"zone", zone}});
  ASSERT_NE(job, nullptr);
  const LoopTotals totals = MustRun(*conn_, *job, 2);
  Expectation expected;
  expected.Days(1, 2024_y / 3 / 9, 2024_y / 3 / 11);
  expected.Days(2, 2024_y / 11 / 2, 2024_y / 11 / 3);
  expected.Days(3, 2024_y / 3 / 10, 2024_y / 3 / 10);
  EXPECT_EQ(MetricTable(*conn_), expected.Table());
  EXPECT_EQ(totals.sum.rows_written, 6);
}

TEST_P(EventViewMetricsTest, EventRangeLimitsTheWork) {
  const Expectation all = InsertSeoulEvents();
  auto job = MustBind({{"first_event_id", "5"}, {"last_event_id", "6"}});
  ASSERT_NE(job, nullptr);
  const LoopTotals totals = MustRun(*conn_, *job, 2);
  EXPECT_EQ(totals.chunks, (std::vector<KeyRange>{{15, 16}, {17, 17}}));
  EXPECT_EQ(totals.keys, (std::vector<std::int64_t>{2, 1}));
  EXPECT_EQ(totals.sum.rows_written, 8 + 2 + 2);
  EXPECT_EQ(totals.sum.rows_present, 2);
  // A chunk that spans keys of other events still writes only those of the range.
  auto wide = MustBind({{"last_event_id", "1"}});
  ASSERT_NE(wide, nullptr);
  auto outcome = wide->Count(*conn_, KeyRange{11, 18});
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_EQ(outcome->rows_written, 1);
  EXPECT_EQ(outcome->rows_present, 0);
}

TEST_P(EventViewMetricsTest, EstimatesTheKeys) {
  InsertSeoulEvents();
  auto ranged = MustBind({{"first_event_id", "5"}, {"last_event_id", "6"}});
  ASSERT_NE(ranged, nullptr);
  auto exact = ranged->EstimateKeys(*conn_);
  ASSERT_TRUE(exact) << exact.error().message;
  EXPECT_EQ(*exact, std::optional<std::int64_t>(3));
  // Without a range: the server's estimate (after ANALYZE on PostgreSQL; SQLite counts).
  if (GetParam() == db::Dialect::kPostgres) {
    ASSERT_TRUE(conn_->Execute("ANALYZE event_statistic"));
  }
  if (GetParam() == db::Dialect::kMariaDb) {
    ASSERT_TRUE(conn_->Query("ANALYZE TABLE event_statistic"));
  }
  auto job = MustBind();
  ASSERT_NE(job, nullptr);
  auto estimate = job->EstimateKeys(*conn_);
  ASSERT_TRUE(estimate) << estimate.error().message;
  ASSERT_TRUE(estimate->has_value());
  EXPECT_EQ(**estimate, 8);
}

TEST_P(EventViewMetricsTest, AbsurdSpansFailTheChunkOrAreSkippedAndCounted) {
  InsertEvents(*conn_,
               {{1, Utc(2024_y / 1 / 1, 3, 0, 0), Utc(2024_y / 1 / 3, 3, 0, 0), {1}},
                {2, Utc(2024_y / 1 / 1, 3, 0, 0), Utc(9999_y / 12 / 30, 0, 0, 0), {2}}},
               "Asia/Seoul");
  auto strict = MustBind();
  ASSERT_NE(strict, nullptr);
  auto failed = RunChunks(*conn_, *strict, 10);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(failed.error().message,
              HasSubstr("event 2 (statistic 2) needs 2913173 metric days, from 2024-01-01 to "
                        "9999-12-30 in Asia/Seoul, more than max_days=3660"));
  EXPECT_THAT(failed.error().message, HasSubstr("over_max_days=skip"));
  EXPECT_EQ(QueryInt(*conn_, "SELECT COUNT(*) FROM event_view_metric"), 0);  // rolled back

  auto lenient = MustBind({{"over_max_days", "skip"}});
  ASSERT_NE(lenient, nullptr);
  const LoopTotals totals = MustRun(*conn_, *lenient, 10);
  EXPECT_EQ(totals.sum.rows_written, 3);
  EXPECT_EQ(dynamic_cast<const EventViewMetricsJob&>(*lenient).skipped_events().over_max_days, 1);
  EXPECT_EQ(QueryInt(*conn_, "SELECT COUNT(*) FROM event_view_metric"), 3);
}

TEST_P(EventViewMetricsTest, CheckPassesOnTheExampleSchemaAndNamesTheFixOtherwise) {
  auto job = MustBind();
  ASSERT_NE(job, nullptr);
  EXPECT_TRUE(job->Check(*conn_));

  auto bare = ScratchDatabase::Create(GetParam());
  ASSERT_NE(bare, nullptr);
  auto conn = bare->Connect();
  ASSERT_NE(conn, nullptr);
  auto missing = job->Check(*conn);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kValidation);
  EXPECT_THAT(missing.error().message,
              HasSubstr("table event_view_metric does not exist on " + conn->display_url()));

  // A unique key on other columns does not count.
  ASSERT_TRUE(conn->ExecuteScript(
      "CREATE TABLE event_view_metric (event_view_metric_id BIGINT NOT NULL PRIMARY KEY, "
      "event_statistic_id BIGINT NOT NULL, view_date DATE NOT NULL, view_count BIGINT NOT NULL, "
      "created_at TIMESTAMP NULL, updated_at TIMESTAMP NULL);"
      "CREATE UNIQUE INDEX evm_day_count ON event_view_metric (view_date, view_count)"));
  auto no_key = job->Check(*conn);
  ASSERT_FALSE(no_key);
  EXPECT_EQ(no_key.error().code, ErrorCode::kValidation);
  EXPECT_THAT(no_key.error().message,
              HasSubstr("event_view_metric on " + conn->display_url() +
                        " has no unique key on (event_statistic_id, view_date)"));
  EXPECT_THAT(no_key.error().message,
              HasSubstr(GetParam() == db::Dialect::kSqlite
                            ? "add it with: CREATE UNIQUE INDEX event_view_metric_statistic_day_uk "
                              "ON event_view_metric (event_statistic_id, view_date)"
                            : "add it with: ALTER TABLE event_view_metric ADD CONSTRAINT "
                              "event_view_metric_statistic_day_uk UNIQUE (event_statistic_id, "
                              "view_date)"));

  ASSERT_TRUE(conn->ExecuteScript(
      "CREATE UNIQUE INDEX evm_uk ON event_view_metric (view_date, event_statistic_id)"));
  EXPECT_TRUE(job->Check(*conn));
}

// Generated legacy data: the table afterwards holds, per statistic, exactly the days the
// database's own date arithmetic gives, and the generator's expectation agrees.
TEST_P(EventViewMetricsTest, GeneratedDataMatchesTheDatabasesOwnDateArithmetic) {
  examples::events::GeneratorOptions options;
  options.events = 400;
  options.seed = 11;
  auto summary = examples::events::GenerateLegacyData(*conn_, options);
  ASSERT_TRUE(summary) << summary.error().message;
  const std::int64_t before = QueryInt(*conn_, "SELECT COUNT(*) FROM event_view_metric");

  auto job = MustBind({{"rows_per_statement", "500"}});
  ASSERT_NE(job, nullptr);
  const LoopTotals totals = MustRun(*conn_, *job, 64);
  EXPECT_EQ(totals.sum.rows_written, summary->missing_metric_rows);
  EXPECT_EQ(QueryInt(*conn_, "SELECT COUNT(*) FROM event_view_metric"),
            before + summary->missing_metric_rows);
  EXPECT_EQ(dynamic_cast<const EventViewMetricsJob&>(*job).skipped_events().ends_before_start,
            summary->skipped_events);

  // Rows the job wrote all lie within their event's local days ...
  std::string local_start;
  std::string local_end;
  switch (GetParam()) {
    case db::Dialect::kPostgres:
      local_start = "(e.registration_start AT TIME ZONE 'Asia/Seoul')::date";
      local_end = "(e.event_end AT TIME ZONE 'Asia/Seoul')::date";
      break;
    case db::Dialect::kMariaDb:
      local_start = "DATE(e.registration_start)";
      local_end = "DATE(e.event_end)";
      break;
    case db::Dialect::kSqlite:
      local_start = "date(e.registration_start, '+9 hours')";
      local_end = "date(e.event_end, '+9 hours')";
      break;
  }
  EXPECT_EQ(QueryInt(*conn_, fmt::format("SELECT COUNT(*) FROM event_view_metric m "
                                         "JOIN event_statistic s ON s.event_statistic_id = "
                                         "m.event_statistic_id JOIN event e ON e.event_id = "
                                         "s.event_id WHERE m.view_count = 0 AND "
                                         "(m.view_date < {} OR m.view_date > {} OR "
                                         "e.event_end < e.registration_start)",
                                         local_start, local_end)),
            0);
  // ... and every statistic has exactly one row per local day (rows are unique per day).
  const std::string days = GetParam() == db::Dialect::kPostgres
                               ? fmt::format("({} - {} + 1)", local_end, local_start)
                           : GetParam() == db::Dialect::kMariaDb
                               ? fmt::format("(DATEDIFF({}, {}) + 1)", local_end, local_start)
                               : fmt::format("CAST(julianday({}) - julianday({}) + 1 AS INTEGER)",
                                             local_end, local_start);
  EXPECT_EQ(QueryInt(*conn_, fmt::format("SELECT COUNT(*) FROM event_statistic s "
                                         "JOIN event e ON e.event_id = s.event_id "
                                         "WHERE e.event_end >= e.registration_start AND {} <> "
                                         "(SELECT COUNT(*) FROM event_view_metric m WHERE "
                                         "m.event_statistic_id = s.event_statistic_id AND "
                                         "m.view_date BETWEEN {} AND {})",
                                         days, local_start, local_end)),
            0);
  const LoopTotals again = MustRun(*conn_, *job, 64);
  EXPECT_EQ(again.sum.rows_written, 0);
}

// End to end through the engine: a dry run that changes nothing, a run with two workers (one
// on SQLite) that writes exactly the missing rows, and a second run that writes none.
TEST_P(EventViewMetricsTest, RunsThroughTheEngine) {
  examples::events::GeneratorOptions generate;
  generate.events = 300;
  generate.seed = 5;
  auto summary = examples::events::GenerateLegacyData(*conn_, generate);
  ASSERT_TRUE(summary) << summary.error().message;
  const std::vector<std::string> before = MetricTable(*conn_);
  auto job = MustBind();
  ASSERT_NE(job, nullptr);

  DryRunOptions dry;
  dry.chunk_keys = 50;
  DryRunListener dry_listener;
  auto report = DryRun(*conn_, *job, dry, dry_listener);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->total.rows_written, summary->missing_metric_rows);
  EXPECT_EQ(report->total.rows_present, summary->existing_metric_rows);
  EXPECT_EQ(report->sample.rows.size(), 10U);
  EXPECT_EQ(MetricTable(*conn_), before);

  ExecutorOptions options;
  options.workers = GetParam() == db::Dialect::kSqlite ? 1 : 2;
  ExecutorDeps deps;
  const std::string url = scratch_->url();
  deps.connect = [url]() -> Result<std::unique_ptr<db::Connection>> {
    STRATA_ASSIGN_OR_RETURN(db::Url parsed, db::ParseUrl(url));
    return db::Open(parsed);
  };
  RunListener listener;
  auto run = RunJob(kEventViewMetricsJobName, *job, options, deps, listener);
  ASSERT_TRUE(run) << run.error().message;
  EXPECT_EQ(run->outcome, RunOutcome::kCompleted) << run->error;
  EXPECT_EQ(run->totals.rows_written, summary->missing_metric_rows);
  EXPECT_EQ(run->totals.rows_present, summary->existing_metric_rows);
  EXPECT_EQ(QueryInt(*conn_, "SELECT COUNT(*) FROM event_view_metric"),
            summary->existing_metric_rows + summary->missing_metric_rows);

  auto again = RunJob(kEventViewMetricsJobName, *job, options, deps, listener);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->outcome, RunOutcome::kCompleted);
  EXPECT_EQ(again->run_no, run->run_no + 1);
  EXPECT_EQ(again->totals.rows_written, 0);
  EXPECT_EQ(again->totals.rows_present,
            summary->existing_metric_rows + summary->missing_metric_rows);
}

INSTANTIATE_TEST_SUITE_P(All, EventViewMetricsTest, ::testing::ValuesIn(testing::kAllDialects),
                         [](const auto& info) {
                           return std::string(MigrationsFolder(info.param));
                         });

// On PostgreSQL every write method (COPY, the default there, multi-row INSERT, unnest) writes
// the same table; packed, array and values on every engine: EveryWriteMethodWritesTheSameTable.
TEST(EventViewMetricsCopyTest, EveryMethodWritesTheSameRowsOnPostgres) {
  for (const char* method : {"copy", "values", "packed"}) {
    SCOPED_TRACE(method);
    auto scratch = ExampleDatabase(db::Dialect::kPostgres);
    ASSERT_NE(scratch, nullptr);
    auto conn = scratch->Connect();
    ASSERT_NE(conn, nullptr);
    InsertEvents(*conn,
                 {{1, Utc(2024_y / 3 / 9, 16, 0, 0), Utc(2024_y / 3 / 12, 0, 0, 0), {1, 2}},
                  {2, Utc(2020_y / 1 / 1, 0, 0, 0), Utc(2024_y / 2 / 8, 12, 0, 0), {3}}},
                 "Asia/Seoul");
    InsertMetric(*conn, 2, 2024_y / 3 / 11, 4);
    auto job = MustBind({{"write_method", method}, {"rows_per_statement", "100"}});
    ASSERT_NE(job, nullptr);
    ASSERT_TRUE(job->Check(*conn));
    const LoopTotals first = MustRun(*conn, *job, 2);
    EXPECT_EQ(first.sum.rows_written, 3 + 2 + 1'500);
    EXPECT_EQ(first.sum.rows_present, 1);
    Expectation expected;
    expected.Days(1, 2024_y / 3 / 10, 2024_y / 3 / 12);
    expected.Days(2, 2024_y / 3 / 10, 2024_y / 3 / 12);
    expected.Existing(2, 2024_y / 3 / 11, 4);
    expected.Days(3, 2020_y / 1 / 1, 2024_y / 2 / 8);
    EXPECT_EQ(MetricTable(*conn), expected.Table());
    EXPECT_EQ(MustRun(*conn, *job, 2).sum.rows_written, 0);
  }
}

// A connection that forwards everything to `inner`, and runs `before_copy` first on each
// CopyFrom: another session's write landing between the chunk's read and its COPY.
class InterposedCopyConnection final : public db::Connection {
 public:
  InterposedCopyConnection(db::Connection& inner, std::function<void()> before_copy)
      : inner_(inner), before_copy_(std::move(before_copy)) {}

  db::Dialect dialect() const override { return inner_.dialect(); }
  const db::ServerInfo& server() const override { return inner_.server(); }
  const std::string& display_url() const override { return inner_.display_url(); }
  std::int64_t session_id() const override { return inner_.session_id(); }
  Result<db::Rows> Query(std::string_view sql, const db::Params& params) override {
    return inner_.Query(sql, params);
  }
  Status ExecuteScript(std::string_view sql) override { return inner_.ExecuteScript(sql); }
  Status CopyFrom(std::string_view copy_statement, std::string_view data) override {
    copies_.emplace_back(copy_statement);
    before_copy_();
    return inner_.CopyFrom(copy_statement, data);
  }
  Status Begin(const db::TxOptions& options) override { return inner_.Begin(options); }
  Status Commit() override { return inner_.Commit(); }
  Status Rollback() override { return inner_.Rollback(); }
  bool InTransaction() const override { return inner_.InTransaction(); }
  std::shared_ptr<db::Canceler> GetCanceler() override { return inner_.GetCanceler(); }
  Status Savepoint(std::string_view name) override { return inner_.Savepoint(name); }
  Status RollbackToSavepoint(std::string_view name) override {
    return inner_.RollbackToSavepoint(name);
  }
  Status ReleaseSavepoint(std::string_view name) override { return inner_.ReleaseSavepoint(name); }

  const std::vector<std::string>& copies() const { return copies_; }

 private:
  db::Connection& inner_;
  std::function<void()> before_copy_;
  std::vector<std::string> copies_;
};

// COPY straight into the table has no conflict clause: when another session commits one of
// the chunk's rows after the chunk read the table, the unique key refuses the COPY, the
// savepoint undoes it alone, and the rows go in through the stage, skipping that row. The
// other session's row is kept as it wrote it and counted as present; the chunk commits.
TEST(EventViewMetricsCopyTest, ARowWrittenMeanwhileFallsBackToOnConflict) {
  auto scratch = ExampleDatabase(db::Dialect::kPostgres);
  ASSERT_NE(scratch, nullptr);
  auto conn = scratch->Connect();
  auto service = scratch->Connect();
  ASSERT_NE(conn, nullptr);
  ASSERT_NE(service, nullptr);
  InsertEvents(*conn, {{1, Utc(2024_y / 3 / 9, 16, 0, 0), Utc(2024_y / 3 / 12, 0, 0, 0), {1, 2}}},
               "Asia/Seoul");
  bool written = false;
  InterposedCopyConnection interposed(*conn, [&] {
    if (written) return;
    written = true;
    InsertMetric(*service, 2, 2024_y / 3 / 11, 9);
  });
  auto job = MustBind();
  ASSERT_NE(job, nullptr);
  const LoopTotals first = MustRun(interposed, *job, 10);
  EXPECT_TRUE(written);
  EXPECT_EQ(first.sum.rows_written, 5);
  EXPECT_EQ(first.sum.rows_present, 1);
  // The direct COPY, then the stage's.
  ASSERT_EQ(interposed.copies().size(), 2U);
  EXPECT_THAT(interposed.copies()[0], HasSubstr("COPY event_view_metric ("));
  EXPECT_THAT(interposed.copies()[1], HasSubstr("COPY strata_event_view_metric_stage"));
  Expectation expected;
  expected.Days(1, 2024_y / 3 / 10, 2024_y / 3 / 12);
  expected.Days(2, 2024_y / 3 / 10, 2024_y / 3 / 12);
  expected.Existing(2, 2024_y / 3 / 11, 9);
  EXPECT_EQ(MetricTable(*conn), expected.Table());
  EXPECT_FALSE(conn->InTransaction());
  EXPECT_EQ(MustRun(*conn, *job, 10).sum.rows_written, 0);
}

// Without a conflict the rows go straight into the table with one COPY, and carry the
// chunk's timestamp rather than the columns' defaults.
TEST(EventViewMetricsCopyTest, CopyGoesStraightIntoTheTable) {
  auto scratch = ExampleDatabase(db::Dialect::kPostgres);
  ASSERT_NE(scratch, nullptr);
  auto conn = scratch->Connect();
  ASSERT_NE(conn, nullptr);
  InsertEvents(*conn, {{1, Utc(2024_y / 3 / 9, 16, 0, 0), Utc(2024_y / 3 / 12, 0, 0, 0), {1}}},
               "Asia/Seoul");
  InterposedCopyConnection interposed(*conn, [] {});
  auto job = MustBind();
  ASSERT_NE(job, nullptr);
  EXPECT_EQ(MustRun(interposed, *job, 10).sum.rows_written, 3);
  ASSERT_EQ(interposed.copies().size(), 1U);
  EXPECT_THAT(interposed.copies()[0], HasSubstr("COPY event_view_metric ("));
  EXPECT_EQ(QueryInt(*conn,
                     "SELECT count(*) FROM event_view_metric WHERE view_count = 0 AND "
                     "created_at = updated_at AND created_at > now() - interval '1 hour' AND "
                     "date_trunc('second', created_at) = created_at"),
            3);
}

TEST(EventViewMetricsCopyTest, CopyIsRefusedOnOtherEngines) {
  auto scratch = ExampleDatabase(db::Dialect::kSqlite);
  ASSERT_NE(scratch, nullptr);
  auto conn = scratch->Connect();
  ASSERT_NE(conn, nullptr);
  auto job = MustBind({{"write_method", "copy"}});
  ASSERT_NE(job, nullptr);
  auto checked = job->Check(*conn);
  ASSERT_FALSE(checked);
  EXPECT_EQ(checked.error().code, ErrorCode::kUnsupported);
  EXPECT_THAT(checked.error().message, HasSubstr("write_method=copy works on PostgreSQL only"));
}

}  // namespace
}  // namespace strata::backfill
