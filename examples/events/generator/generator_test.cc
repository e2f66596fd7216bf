// The legacy data generator: its random numbers and events without a database, then
// GenerateLegacyData and the strata-events-generate binary against real PostgreSQL and MariaDB
// servers (tests/with-servers) and SQLite files, with the example migrations applied.
#include "examples/events/generator/generator.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>

#include "db/open.h"
#include "domain/metric_days.h"
#include "domain/timestamp.h"
#include "tests/support/example.h"
#include "tests/support/test_env.h"

namespace strata::examples::events {
namespace {

using testing::ExampleDatabase;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::QueryInt;
using testing::ScratchDatabase;

// ---------------------------------------------------------------------------------------------
// Helpers

std::string Sha256Hex(std::string_view text) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  EXPECT_EQ(EVP_Digest(text.data(), text.size(), digest.data(), &size, EVP_sha256(), nullptr), 1);
  std::string hex;
  for (unsigned int i = 0; i < size; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

// For failure messages: the first line where two dumps differ, from each.
std::string FirstDifference(std::string_view a, std::string_view b) {
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    if (a[i] != b[i]) {
      auto line = [&](std::string_view text) {
        return text.substr(line_start, text.find('\n', line_start) - line_start);
      };
      return fmt::format("first difference:\n  {}\n  {}", line(a), line(b));
    }
    if (a[i] == '\n') line_start = i + 1;
  }
  return a.size() == b.size() ? "no difference" : "one dump is a prefix of the other";
}

domain::Zone MustFindZone(std::string_view name) {
  auto zone = domain::Zone::Find(name);
  EXPECT_TRUE(zone) << zone.error().message;
  return *zone;
}

domain::Zone Seoul() { return MustFindZone("Asia/Seoul"); }

std::vector<LegacyEvent> Generate(std::int64_t n, std::uint64_t seed = 1,
                                  std::int64_t covered_ppm = 200'000,
                                  const domain::Zone& zone = Seoul()) {
  LegacyEventSource source(seed, covered_ppm, zone, FirstIds{});
  std::vector<LegacyEvent> events;
  events.reserve(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) events.push_back(source.Next());
  return events;
}

// Everything about the events as text: what the golden digest pins.
std::string Describe(const std::vector<LegacyEvent>& events) {
  std::string text;
  for (const LegacyEvent& e : events) {
    text += fmt::format(
        "{}|{}|{}|{}|{}\n", e.id, e.title, domain::FormatTimestamp(e.registration_start),
        domain::FormatTimestamp(e.event_end), domain::FormatTimestamp(e.created_at));
    for (const LegacyStatistic& s : e.statistics) {
      text += fmt::format(" {}|{}|{}\n", s.id, s.total_view_count,
                          domain::FormatTimestamp(s.created_at));
      for (const LegacyMetric& m : s.metrics) {
        text += fmt::format("  {}|{}|{}|{}\n", m.id, domain::FormatDay(m.view_date), m.view_count,
                            domain::FormatTimestamp(m.written_at));
      }
    }
  }
  return text;
}

domain::DayRange MetricDaysOf(const LegacyEvent& e, const domain::Zone& zone) {
  return domain::metric_days(domain::Event{e.id, domain::EventTime::Instant(e.registration_start),
                                           domain::EventTime::Instant(e.event_end)},
                             zone)
      .days;
}

// ---------------------------------------------------------------------------------------------
// PortableRandom

TEST(PortableRandomTest, GoldenValuesHoldOnEveryStandardLibrary) {
  // std::mt19937_64's 10000th output for the default seed is fixed by the standard; the
  // distributions on top are ours, so their outputs are pinned here.
  std::mt19937_64 reference;
  reference.discard(9'999);
  EXPECT_EQ(reference(), 9'981'545'732'273'789'042ULL);

  PortableRandom random(42);
  std::vector<std::int64_t> dice(12);
  for (std::int64_t& die : dice) die = random.Between(1, 6);
  EXPECT_EQ(dice, (std::vector<std::int64_t>{1, 3, 5, 1, 6, 3, 5, 1, 5, 2, 2, 1}));
  EXPECT_EQ(random.Between(-1'000'000'000'000, 1'000'000'000'000), -952'774'750'120);
}

TEST(PortableRandomTest, BetweenIncludesBothEndsAndNothingElse) {
  PortableRandom random(7);
  std::map<std::int64_t, int> seen;
  for (int i = 0; i < 10'000; ++i) ++seen[random.Between(-3, 3)];
  ASSERT_EQ(seen.size(), 7U);
  EXPECT_EQ(seen.begin()->first, -3);
  EXPECT_EQ(seen.rbegin()->first, 3);
  for (const auto& [value, count] : seen) {
    EXPECT_GT(count, 1'200) << value;  // 1,428 expected each
    EXPECT_LT(count, 1'700) << value;
  }
  EXPECT_EQ(random.Between(5, 5), 5);
  // The whole 64-bit range (hi - lo + 1 wraps to 0) must not divide by zero.
  (void)random.Between(INT64_MIN, INT64_MAX);
}

TEST(PortableRandomTest, ChanceAtTheEdges) {
  PortableRandom random(3);
  int hits = 0;
  for (int i = 0; i < 1'000; ++i) {
    EXPECT_FALSE(random.Chance(0));
    EXPECT_TRUE(random.Chance(1'000'000));
    hits += random.Chance(250'000) ? 1 : 0;
  }
  EXPECT_GT(hits, 200);
  EXPECT_LT(hits, 300);
}

// ---------------------------------------------------------------------------------------------
// LegacyEventSource (no database)

TEST(LegacyEventSourceTest, GoldenDigestOfTheFirst10000Events) {
  const std::vector<LegacyEvent> events = Generate(10'000);
  EXPECT_EQ(events.front().id, 1);
  EXPECT_EQ(Describe({events.front()}),
            "1|Legacy event 1 (leap day)|2020-02-28 03:14:06|2020-03-03 05:40:09|"
            "2020-02-27 00:03:10\n"
            " 1|0|2020-02-27 00:03:10\n");
  EXPECT_EQ(Sha256Hex(Describe(events)),
            "6cd45b1c2c321d03fc511ca9d451d0669523ce417bab9758870a7cbd60484cd4");
}

TEST(LegacyEventSourceTest, SameSeedSameEventsOtherSeedOtherEvents) {
  EXPECT_EQ(Describe(Generate(2'000, 5)), Describe(Generate(2'000, 5)));
  EXPECT_NE(Describe(Generate(2'000, 5)), Describe(Generate(2'000, 6)));
}

TEST(LegacyEventSourceTest, IdsCountUpFromTheFirstIdsWithoutGaps) {
  LegacyEventSource source(1, 500'000, Seoul(), FirstIds{101, 201, 301});
  std::int64_t statistic = 201, metric = 301;
  for (std::int64_t id = 101; id < 1'101; ++id) {
    const LegacyEvent event = source.Next();
    ASSERT_EQ(event.id, id);
    for (const LegacyStatistic& s : event.statistics) {
      ASSERT_EQ(s.id, statistic++);
      for (const LegacyMetric& m : s.metrics) ASSERT_EQ(m.id, metric++);
    }
  }
  EXPECT_GT(metric, 1'000);
}

TEST(LegacyEventSourceTest, CoveredFractionChangesOnlyTheMetrics) {
  const std::vector<LegacyEvent> none = Generate(3'000, 9, 0);
  const std::vector<LegacyEvent> half = Generate(3'000, 9, 500'000);
  std::int64_t covered = 0, statistics = 0;
  for (std::size_t i = 0; i < none.size(); ++i) {
    ASSERT_EQ(none[i].registration_start, half[i].registration_start) << i;
    ASSERT_EQ(none[i].event_end, half[i].event_end) << i;
    ASSERT_EQ(none[i].title, half[i].title) << i;
    ASSERT_EQ(none[i].statistics.size(), half[i].statistics.size()) << i;
    for (const LegacyStatistic& s : none[i].statistics) EXPECT_TRUE(s.metrics.empty());
    for (const LegacyStatistic& s : half[i].statistics) {
      ++statistics;
      covered += s.metrics.empty() ? 0 : 1;
    }
  }
  // Half, less the ~0.5% events that end before they start and can have no metrics.
  EXPECT_GT(covered, statistics * 45 / 100);
  EXPECT_LT(covered, statistics * 55 / 100);
}

TEST(LegacyEventSourceTest, ShapesAppearInTheirSharesWithTheirSpans) {
  const domain::Zone zone = Seoul();
  const std::vector<LegacyEvent> events = Generate(100'000);
  std::map<EventShape, std::int64_t> shapes;
  std::int64_t two_statistics = 0, utc_date_differs = 0, korean = 0, includes_feb29 = 0;
  for (const LegacyEvent& e : events) {
    ++shapes[e.shape];
    two_statistics += e.statistics.size() == 2 ? 1 : 0;
    korean += e.title.starts_with("레거시") ? 1 : 0;
    EXPECT_THAT(e.title, HasSubstr(fmt::format(" {} ({})", e.id, EventShapeName(e.shape))));
    EXPECT_LE(e.created_at, e.registration_start);
    if (date::floor<date::days>(e.registration_start).time_since_epoch() !=
        zone.LocalDay(e.registration_start).time_since_epoch()) {
      ++utc_date_differs;
    }
    const domain::DayRange days = MetricDaysOf(e, zone);
    switch (e.shape) {
      case EventShape::kEndsBeforeStart:
        EXPECT_LE(e.event_end, e.registration_start - std::chrono::hours{2}) << e.id;
        EXPECT_TRUE(days.empty()) << e.id;
        break;
      case EventShape::kLong:
        EXPECT_GE(days.size(), 1'002) << e.id;
        EXPECT_LE(days.size(), 3'001) << e.id;
        break;
      case EventShape::kSameDay:
        EXPECT_EQ(days.size(), 1) << e.id;
        break;
      case EventShape::kNearMidnight: {
        EXPECT_GE(days.size(), 1) << e.id;
        EXPECT_LE(days.size(), 5) << e.id;
        const auto local_time = zone.ToLocal(e.registration_start);
        const auto since_midnight = local_time - date::floor<date::days>(local_time);
        EXPECT_TRUE(since_midnight < std::chrono::minutes{1} ||
                    since_midnight >= std::chrono::hours{24} - std::chrono::minutes{1})
            << e.id;
        break;
      }
      case EventShape::kLeapDay:
        EXPECT_LE(days.size(), 5) << e.id;
        for (int year : {2020, 2024}) {
          includes_feb29 += days.contains(date::sys_days{date::year{year} / 2 / 29}) ? 1 : 0;
        }
        break;
      case EventShape::kOrdinary:
        EXPECT_GE(days.size(), 2) << e.id;
        EXPECT_LE(days.size(), 61) << e.id;
        break;
    }
  }
  auto near = [](std::int64_t actual, std::int64_t expected) {
    return actual > expected * 8 / 10 && actual < expected * 12 / 10;
  };
  EXPECT_TRUE(near(shapes[EventShape::kEndsBeforeStart], 500))
      << shapes[EventShape::kEndsBeforeStart];
  EXPECT_TRUE(near(shapes[EventShape::kLong], 100)) << shapes[EventShape::kLong];
  EXPECT_TRUE(near(shapes[EventShape::kSameDay], 5'000)) << shapes[EventShape::kSameDay];
  EXPECT_TRUE(near(shapes[EventShape::kNearMidnight], 5'000)) << shapes[EventShape::kNearMidnight];
  EXPECT_TRUE(near(shapes[EventShape::kLeapDay], 2'000)) << shapes[EventShape::kLeapDay];
  EXPECT_TRUE(near(two_statistics, 5'000)) << two_statistics;
  EXPECT_TRUE(near(korean, 10'000)) << korean;
  EXPECT_GT(includes_feb29, 1'000);
  // Seoul is UTC+9: starts between 00:00 and 09:00 local fall on the previous UTC day.
  EXPECT_TRUE(near(utc_date_differs, 37'500)) << utc_date_differs;
}

TEST(LegacyEventSourceTest, CoveredMetricsAreAContiguousRunOfMetricDaysWithViews) {
  const domain::Zone zone = Seoul();
  std::int64_t runs = 0;
  for (const LegacyEvent& e : Generate(5'000)) {
    const domain::DayRange days = MetricDaysOf(e, zone);
    for (const LegacyStatistic& s : e.statistics) {
      std::int64_t total = 0;
      for (std::size_t i = 0; i < s.metrics.size(); ++i) {
        const LegacyMetric& m = s.metrics[i];
        EXPECT_TRUE(days.contains(m.view_date)) << e.id;
        EXPECT_GE(m.view_count, 1);
        EXPECT_LE(m.view_count, 500);
        if (i > 0) {
          EXPECT_EQ(m.view_date, s.metrics[i - 1].view_date + date::days{1}) << e.id;
        }
        // Written ten minutes after the day ended in Seoul (UTC+9): 15:10 UTC on the day.
        EXPECT_EQ(m.written_at,
                  date::sys_days{m.view_date} + std::chrono::hours{15} + std::chrono::minutes{10});
        total += m.view_count;
      }
      EXPECT_EQ(s.total_view_count, total);
      runs += s.metrics.empty() ? 0 : 1;
    }
  }
  EXPECT_GT(runs, 800);
}

// ---------------------------------------------------------------------------------------------
// ExpectedBackfill

LegacyEvent EventAt(std::string_view start, std::string_view end, std::int64_t statistics = 1) {
  LegacyEvent e;
  e.id = 7;
  e.registration_start = *domain::ParseUtcTimestamp(start);
  e.event_end = *domain::ParseUtcTimestamp(end);
  for (std::int64_t i = 0; i < statistics; ++i) {
    LegacyStatistic statistic;
    statistic.id = i + 1;
    e.statistics.push_back(statistic);
  }
  return e;
}

TEST(ExpectedBackfillTest, CountsLocalDaysPerStatisticLessExistingRows) {
  // 2024-02-28 15:30 UTC is 2024-02-29 00:30 in Seoul; 2024-03-02 14:59 UTC is 23:59 there.
  LegacyEvent e = EventAt("2024-02-28 15:30:00Z", "2024-03-02 14:59:00Z", 2);
  LegacyMetric existing;
  existing.id = 1;
  existing.view_date = date::sys_days{date::year{2024} / 3 / 1};
  existing.view_count = 4;
  e.statistics[0].metrics.push_back(existing);
  for (db::Dialect dialect : testing::kAllDialects) {
    const BackfillExpectation expected = ExpectedBackfill(e, Seoul(), dialect);
    EXPECT_EQ(expected.missing_metric_rows, 2 * 3 - 1);  // Feb 29, Mar 1, Mar 2 twice, less one
    EXPECT_FALSE(expected.skipped);
  }
  // In UTC the same instants span Feb 28 - Mar 2: four days.
  EXPECT_EQ(ExpectedBackfill(e, MustFindZone("UTC"), db::Dialect::kPostgres).missing_metric_rows,
            2 * 4 - 1);
  EXPECT_EQ(ExpectedBackfill(EventAt("2024-02-28 15:30:00Z", "2024-03-02 14:59:00Z"),
                             MustFindZone("UTC"), db::Dialect::kSqlite)
                .missing_metric_rows,
            4);
}

TEST(ExpectedBackfillTest, EventsEndingBeforeTheyStartAreSkipped) {
  const LegacyEvent e = EventAt("2024-03-10 00:00:00Z", "2024-03-09 00:00:00Z", 2);
  for (db::Dialect dialect : testing::kAllDialects) {
    const BackfillExpectation expected = ExpectedBackfill(e, Seoul(), dialect);
    EXPECT_TRUE(expected.skipped);
    EXPECT_EQ(expected.missing_metric_rows, 0);
  }
}

// ---------------------------------------------------------------------------------------------
// Options and summary

TEST(GeneratorOptionsTest, RejectsBadValuesByName) {
  GeneratorOptions options;
  options.events = -1;
  EXPECT_EQ(ValidateOptions(options).error().message, "--events must be 0 or more, not -1");
  options = {};
  options.batch = 0;
  EXPECT_EQ(ValidateOptions(options).error().message, "--batch must be at least 1, not 0");
  options = {};
  options.covered_fraction = 1.5;
  EXPECT_EQ(ValidateOptions(options).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(ValidateOptions(options).error().message,
            "--covered-fraction must be between 0 and 1, not 1.5");
  options.covered_fraction = std::nan("");
  EXPECT_FALSE(ValidateOptions(options));
  options.covered_fraction = 1.0;
  EXPECT_TRUE(ValidateOptions(options));
}

GeneratorSummary SampleSummary() {
  GeneratorSummary s;
  s.target = "postgresql://app:***@db:5432/events";
  s.seed = 3;
  s.zone = "Asia/Seoul";
  s.first = FirstIds{11, 21, 31};
  s.events = 100;
  s.statistics = 105;
  s.existing_metric_rows = 230;
  s.missing_metric_rows = 3'210;
  s.skipped_events = 1;
  s.elapsed = std::chrono::milliseconds{250};
  return s;
}

TEST(SummaryTest, OneLineForPeople) {
  EXPECT_EQ(SummaryLine(SampleSummary()),
            "generated 100 events (ids 11..110), 105 statistics and 230 existing metric rows into "
            "postgresql://app:***@db:5432/events in 0.2 s (400 events/s); a complete backfill adds "
            "3210 metric rows (1 events end before they start and get none); seed 3, zone "
            "Asia/Seoul");
}

TEST(SummaryTest, JsonForMachines) {
  EXPECT_EQ(SummaryJson(SampleSummary()),
            R"({"elapsed_ms":250,"events":100,"events_per_second":400,"existing_metric_rows":230,)"
            R"("first_event_id":11,"first_statistic_id":21,"missing_metric_rows":3210,"seed":3,)"
            R"("skipped_events":1,"statistics":105,"target":"postgresql://app:***@db:5432/events",)"
            R"("zone":"Asia/Seoul"})");
}

// ---------------------------------------------------------------------------------------------
// Against the databases

// Every row of the three tables, exactly as the server prints it.
std::string Dump(db::Connection& conn) {
  std::string text;
  for (const char* sql : {"SELECT * FROM event ORDER BY event_id",
                          "SELECT * FROM event_statistic ORDER BY event_statistic_id",
                          "SELECT * FROM event_view_metric ORDER BY event_view_metric_id"}) {
    auto rows = conn.Query(sql);
    EXPECT_TRUE(rows) << rows.error().message;
    if (!rows) return {};
    for (const auto& row : rows->rows) {
      for (const db::Cell& cell : row) text += cell.value_or("NULL") + "|";
      text += '\n';
    }
  }
  return text;
}

// The rows as the same values on every engine: times as UTC instants.
std::string CanonicalDump(db::Connection& conn, const domain::Zone& zone) {
  auto instant = [&](const db::Cell& cell) -> std::string {
    if (conn.dialect() == db::Dialect::kMariaDb) {
      const auto local = domain::ParseLocalTimestamp(*cell);
      EXPECT_TRUE(local) << local.error().message;
      return domain::FormatTimestamp(zone.time_zone()->to_sys(*local, date::choose::earliest));
    }
    const auto utc = domain::ParseUtcTimestamp(*cell);
    EXPECT_TRUE(utc) << utc.error().message;
    return domain::FormatTimestamp(*utc);
  };
  std::string text;
  auto rows = conn.Query(
      "SELECT event_id, title, registration_start, event_end, created_at FROM event "
      "ORDER BY event_id");
  EXPECT_TRUE(rows) << rows.error().message;
  for (const auto& r : rows->rows) {
    text +=
        fmt::format("{}|{}|{}|{}|{}\n", *r[0], *r[1], instant(r[2]), instant(r[3]), instant(r[4]));
  }
  rows = conn.Query(
      "SELECT event_statistic_id, event_id, total_view_count, created_at FROM event_statistic "
      "ORDER BY event_statistic_id");
  EXPECT_TRUE(rows) << rows.error().message;
  for (const auto& r : rows->rows) {
    text += fmt::format("{}|{}|{}|{}\n", *r[0], *r[1], *r[2], instant(r[3]));
  }
  rows = conn.Query(
      "SELECT event_view_metric_id, event_statistic_id, view_date, view_count, created_at, "
      "updated_at FROM event_view_metric ORDER BY event_view_metric_id");
  EXPECT_TRUE(rows) << rows.error().message;
  for (const auto& r : rows->rows) {
    text += fmt::format("{}|{}|{}|{}|{}|{}\n", *r[0], *r[1], *r[2], *r[3], instant(r[4]),
                        instant(r[5]));
  }
  return text;
}

GeneratorOptions Options(std::int64_t events, std::uint64_t seed = 1) {
  GeneratorOptions options;
  options.events = events;
  options.seed = seed;
  return options;
}

class GenerateTest : public ::testing::TestWithParam<db::Dialect> {
 protected:
  void SetUp() override {
    scratch_ = ExampleDatabase(GetParam());
    ASSERT_NE(scratch_, nullptr);
    conn_ = scratch_->Connect();
    ASSERT_NE(conn_, nullptr);
  }

  GeneratorSummary MustGenerate(db::Connection& conn, const GeneratorOptions& options) {
    auto summary = GenerateLegacyData(conn, options);
    EXPECT_TRUE(summary) << summary.error().message;
    return summary ? *summary : GeneratorSummary{};
  }

  // What a backfill must add, counted by the database itself from the stored rows: the days
  // from the local date of registration_start to that of event_end, per statistic, for events
  // that do not end before they start, less the metric rows already there. SQLite has no
  // time-zone database, so its count assumes Seoul's fixed +09:00.
  std::int64_t MissingRowsBySql(db::Connection& conn, std::string_view zone) {
    switch (conn.dialect()) {
      case db::Dialect::kPostgres:
        return QueryInt(conn,
                        "SELECT count(*) FROM event e "
                        "JOIN event_statistic s ON s.event_id = e.event_id "
                        "CROSS JOIN LATERAL generate_series("
                        "  (e.registration_start AT TIME ZONE $1)::date::timestamp,"
                        "  (e.event_end AT TIME ZONE $1)::date::timestamp,"
                        "  interval '1 day') AS d(day) "
                        "WHERE e.event_end >= e.registration_start AND NOT EXISTS ("
                        "  SELECT 1 FROM event_view_metric m "
                        "  WHERE m.event_statistic_id = s.event_statistic_id"
                        "    AND m.view_date = d.day::date)",
                        {std::string(zone)});
      case db::Dialect::kMariaDb:
        // DATETIMEs are wall-clock times in the zone already: their dates are the local dates.
        return QueryInt(
            conn,
            "SELECT COALESCE(SUM(DATEDIFF(e.event_end, e.registration_start) + 1), 0)"
            " - (SELECT COUNT(*) FROM event_view_metric m"
            "    JOIN event_statistic s2 ON s2.event_statistic_id = m.event_statistic_id"
            "    JOIN event e2 ON e2.event_id = s2.event_id"
            "    WHERE e2.event_end >= e2.registration_start"
            "      AND m.view_date BETWEEN DATE(e2.registration_start)"
            "                          AND DATE(e2.event_end)) "
            "FROM event e JOIN event_statistic s ON s.event_id = e.event_id "
            "WHERE e.event_end >= e.registration_start");
      case db::Dialect::kSqlite:
        EXPECT_EQ(zone, "Asia/Seoul");
        return QueryInt(
            conn,
            "SELECT CAST(COALESCE(SUM(julianday(date(e.event_end, '+9 hours'))"
            " - julianday(date(e.registration_start, '+9 hours')) + 1), 0) AS INTEGER)"
            " - (SELECT COUNT(*) FROM event_view_metric m"
            "    JOIN event_statistic s2 ON s2.event_statistic_id = m.event_statistic_id"
            "    JOIN event e2 ON e2.event_id = s2.event_id"
            "    WHERE e2.event_end >= e2.registration_start"
            "      AND m.view_date BETWEEN date(e2.registration_start, '+9 hours')"
            "                          AND date(e2.event_end, '+9 hours')) "
            "FROM event e JOIN event_statistic s ON s.event_id = e.event_id "
            "WHERE e.event_end >= e.registration_start");
    }
    return -1;
  }

  std::unique_ptr<ScratchDatabase> scratch_;
  std::unique_ptr<db::Connection> conn_;
};

TEST_P(GenerateTest, CountsMatchTheSummary) {
  const GeneratorSummary summary = MustGenerate(*conn_, Options(2'500));
  EXPECT_EQ(summary.events, 2'500);
  EXPECT_EQ(summary.first.event, 1);
  EXPECT_EQ(summary.first.statistic, 1);
  EXPECT_EQ(summary.seed, 1U);
  EXPECT_EQ(summary.zone, "Asia/Seoul");
  EXPECT_EQ(summary.target, conn_->display_url());
  EXPECT_EQ(QueryInt(*conn_, "SELECT COUNT(*) FROM event"), 2'500);
  EXPECT_EQ(QueryInt(*conn_, "SELECT MAX(event_id) FROM event"), 2'500);
  EXPECT_EQ(QueryInt(*conn_, "SELECT COUNT(*) FROM event_statistic"), summary.statistics);
  EXPECT_EQ(QueryInt(*conn_, "SELECT MAX(event_statistic_id) FROM event_statistic"),
            summary.statistics);
  EXPECT_EQ(QueryInt(*conn_, "SELECT COUNT(*) FROM event_view_metric"),
            summary.existing_metric_rows);
  EXPECT_EQ(QueryInt(*conn_, "SELECT COUNT(*) FROM event_view_metric WHERE view_count <= 0"), 0);
  EXPECT_EQ(QueryInt(*conn_, "SELECT COUNT(*) FROM event WHERE event_end < registration_start"),
            summary.skipped_events);
  // total_view_count is the sum of the statistic's metrics.
  EXPECT_EQ(QueryInt(*conn_,
                     "SELECT COUNT(*) FROM event_statistic s WHERE total_view_count <> "
                     "(SELECT COALESCE(SUM(view_count), 0) FROM event_view_metric m "
                     " WHERE m.event_statistic_id = s.event_statistic_id)"),
            0);
  // Shares (out of 2,500): ~5% with two statistics, ~20% covered, ~0.5% end before start.
  EXPECT_GT(summary.statistics, 2'550);
  EXPECT_LT(summary.statistics, 2'700);
  EXPECT_GT(summary.skipped_events, 3);
  EXPECT_LT(summary.skipped_events, 30);
  EXPECT_GT(summary.existing_metric_rows, 1'000);
  EXPECT_GT(summary.missing_metric_rows, 50'000);
}

// 8,000 events make 40,000 parameters: more than one statement may carry (30,000).
TEST_P(GenerateTest, LargeBatchesSplitIntoSeveralStatements) {
  GeneratorOptions options = Options(8'000, 3);
  options.batch = 8'000;
  std::vector<std::int64_t> progress;
  options.on_batch = [&](std::int64_t written) { progress.push_back(written); };
  const GeneratorSummary summary = MustGenerate(*conn_, options);
  EXPECT_EQ(progress, std::vector<std::int64_t>{8'000});
  EXPECT_EQ(QueryInt(*conn_, "SELECT COUNT(*) FROM event"), 8'000);
  EXPECT_EQ(QueryInt(*conn_, "SELECT COUNT(*) FROM event_statistic"), summary.statistics);
  EXPECT_EQ(QueryInt(*conn_, "SELECT COUNT(*) FROM event_view_metric"),
            summary.existing_metric_rows);
}

TEST_P(GenerateTest, ExpectedMissingRowsEqualAnIndependentSqlCount) {
  const GeneratorSummary summary = MustGenerate(*conn_, Options(1'500, 77));
  EXPECT_EQ(MissingRowsBySql(*conn_, "Asia/Seoul"), summary.missing_metric_rows);
  // Every existing metric lies within its event's local days.
  if (GetParam() == db::Dialect::kPostgres) {
    EXPECT_EQ(QueryInt(*conn_,
                       "SELECT COUNT(*) FROM event_view_metric m "
                       "JOIN event_statistic s USING (event_statistic_id) "
                       "JOIN event e USING (event_id) "
                       "WHERE m.view_date NOT BETWEEN (e.registration_start AT TIME ZONE "
                       "'Asia/Seoul')::date AND (e.event_end AT TIME ZONE 'Asia/Seoul')::date"),
              0);
  }
}

TEST_P(GenerateTest, SameSeedGivesByteIdenticalRowsWhateverTheBatchSize) {
  GeneratorOptions options = Options(1'200, 42);
  options.batch = 1'000;
  const GeneratorSummary first = MustGenerate(*conn_, options);

  auto other = ExampleDatabase(GetParam());
  ASSERT_NE(other, nullptr);
  auto other_conn = other->Connect();
  ASSERT_NE(other_conn, nullptr);
  options.batch = 7;
  const GeneratorSummary second = MustGenerate(*other_conn, options);

  const std::string dump = Dump(*conn_);
  EXPECT_GT(dump.size(), 100'000U);
  const std::string other_dump = Dump(*other_conn);
  EXPECT_EQ(Sha256Hex(dump), Sha256Hex(other_dump)) << FirstDifference(dump, other_dump);
  EXPECT_EQ(first.statistics, second.statistics);
  EXPECT_EQ(first.existing_metric_rows, second.existing_metric_rows);
  EXPECT_EQ(first.missing_metric_rows, second.missing_metric_rows);

  auto third = ExampleDatabase(GetParam());
  ASSERT_NE(third, nullptr);
  auto third_conn = third->Connect();
  ASSERT_NE(third_conn, nullptr);
  MustGenerate(*third_conn, Options(1'200, 43));
  EXPECT_NE(Sha256Hex(dump), Sha256Hex(Dump(*third_conn)));
}

TEST_P(GenerateTest, RefusesTablesWithRowsUnlessAppending) {
  MustGenerate(*conn_, Options(10));
  auto refused = GenerateLegacyData(*conn_, Options(5));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(refused.error().message,
              HasSubstr("table event on " + conn_->display_url() + " already holds 10 rows"));
  EXPECT_THAT(refused.error().message, HasSubstr("--append"));
  EXPECT_EQ(QueryInt(*conn_, "SELECT COUNT(*) FROM event"), 10);

  const std::int64_t statistics = QueryInt(*conn_, "SELECT COUNT(*) FROM event_statistic");
  GeneratorOptions append = Options(5);
  append.append = true;
  const GeneratorSummary appended = MustGenerate(*conn_, append);
  EXPECT_EQ(appended.first.event, 11);
  EXPECT_EQ(appended.first.statistic, statistics + 1);
  EXPECT_EQ(QueryInt(*conn_, "SELECT COUNT(*) FROM event"), 15);
  EXPECT_EQ(QueryInt(*conn_, "SELECT MAX(event_id) FROM event"), 15);

  // Rows inserted later without ids (the server's, the backfill's) get the next ids: on
  // PostgreSQL that needs the identity sequences moved past the explicit ids.
  const std::string start =
      GetParam() == db::Dialect::kSqlite ? "'2024-01-01T00:00:00Z'" : "'2024-01-01 00:00:00'";
  ASSERT_TRUE(conn_->Execute(fmt::format(
      "INSERT INTO event (title, registration_start, event_end) VALUES ('new', {0}, {0})", start)));
  EXPECT_EQ(QueryInt(*conn_, "SELECT event_id FROM event WHERE title = 'new'"), 16);
  ASSERT_TRUE(
      conn_->Execute("INSERT INTO event_view_metric (event_statistic_id, view_date) "
                     "VALUES (1, '2001-01-01')"));
  EXPECT_EQ(QueryInt(*conn_,
                     "SELECT event_view_metric_id FROM event_view_metric "
                     "WHERE view_date = '2001-01-01'"),
            QueryInt(*conn_, "SELECT COUNT(*) FROM event_view_metric"));
}

TEST_P(GenerateTest, ReportsMissingTablesWithTheMigrationsToApply) {
  auto bare = ScratchDatabase::Create(GetParam());
  ASSERT_NE(bare, nullptr);
  auto conn = bare->Connect();
  ASSERT_NE(conn, nullptr);
  auto result = GenerateLegacyData(*conn, Options(5));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kDatabase);
  EXPECT_THAT(result.error().message,
              HasSubstr(fmt::format("cannot read table event (are examples/events/migrations/{} "
                                    "applied?)",
                                    MigrationsFolder(GetParam()))));
}

INSTANTIATE_TEST_SUITE_P(All, GenerateTest, ::testing::ValuesIn(testing::kAllDialects),
                         [](const auto& info) {
                           return std::string(MigrationsFolder(info.param));
                         });

// The engines store times differently, yet hold the same events.
TEST(GenerateOnEveryEngineTest, SameInstantsEverywhere) {
  const domain::Zone zone = Seoul();
  std::vector<std::string> dumps;
  for (db::Dialect dialect : testing::kAllDialects) {
    auto scratch = ExampleDatabase(dialect);
    ASSERT_NE(scratch, nullptr);
    auto conn = scratch->Connect();
    ASSERT_NE(conn, nullptr);
    auto summary = GenerateLegacyData(*conn, Options(800, 5));
    ASSERT_TRUE(summary) << summary.error().message;
    dumps.push_back(CanonicalDump(*conn, zone));
  }
  EXPECT_GT(dumps[0].size(), 50'000U);
  EXPECT_EQ(Sha256Hex(dumps[0]), Sha256Hex(dumps[1])) << FirstDifference(dumps[0], dumps[1]);
  EXPECT_EQ(Sha256Hex(dumps[0]), Sha256Hex(dumps[2])) << FirstDifference(dumps[0], dumps[2]);
}

// New York changes its clocks; PostgreSQL counts its local days itself.
TEST(GenerateOnEveryEngineTest, PostgresCountsTheSameDaysInAZoneWithDst) {
  auto scratch = ExampleDatabase(db::Dialect::kPostgres);
  ASSERT_NE(scratch, nullptr);
  auto conn = scratch->Connect();
  ASSERT_NE(conn, nullptr);
  GeneratorOptions options = Options(1'500, 11);
  options.zone = "America/New_York";
  auto summary = GenerateLegacyData(*conn, options);
  ASSERT_TRUE(summary) << summary.error().message;
  EXPECT_EQ(summary->zone, "America/New_York");
  const std::int64_t by_sql = QueryInt(
      *conn,
      "SELECT count(*) FROM event e JOIN event_statistic s ON s.event_id = e.event_id "
      "CROSS JOIN LATERAL generate_series((e.registration_start AT TIME ZONE $1)::date::timestamp,"
      " (e.event_end AT TIME ZONE $1)::date::timestamp, interval '1 day') AS d(day) "
      "WHERE e.event_end >= e.registration_start AND NOT EXISTS (SELECT 1 FROM event_view_metric m"
      " WHERE m.event_statistic_id = s.event_statistic_id AND m.view_date = d.day::date)",
      {std::string("America/New_York")});
  EXPECT_EQ(by_sql, summary->missing_metric_rows);
}

// ---------------------------------------------------------------------------------------------
// The strata-events-generate binary

struct ProcessRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

ProcessRun RunGenerator(const std::string& args) {
  const std::string command = std::string(STRATA_EVENTS_GENERATE_PATH) + " " + args + " 2>&1";
  ProcessRun run;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  std::array<char, 4096> buffer{};
  while (std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe)) {
    run.output.append(buffer.data(), n);
  }
  const int status = ::pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

TEST(GeneratorBinaryTest, WritesAndPrintsTheSummaryAsJson) {
  auto scratch = ExampleDatabase(db::Dialect::kSqlite);
  ASSERT_NE(scratch, nullptr);
  const ProcessRun run = RunGenerator("--url " + scratch->url() + " --events 300 --seed 4 --json");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  auto conn = scratch->Connect();
  ASSERT_NE(conn, nullptr);
  GeneratorOptions options = Options(300, 4);
  LegacyEventSource source(4, 200'000, Seoul(), FirstIds{});
  std::int64_t statistics = 0, missing = 0;
  for (int i = 0; i < 300; ++i) {
    const LegacyEvent e = source.Next();
    statistics += static_cast<std::int64_t>(e.statistics.size());
    missing += ExpectedBackfill(e, Seoul(), db::Dialect::kSqlite).missing_metric_rows;
  }
  EXPECT_THAT(run.output, HasSubstr(R"("events":300,)"));
  EXPECT_THAT(run.output, HasSubstr(fmt::format(R"("statistics":{},)", statistics)));
  EXPECT_THAT(run.output, HasSubstr(fmt::format(R"("missing_metric_rows":{},)", missing)));
  EXPECT_EQ(QueryInt(*conn, "SELECT COUNT(*) FROM event_statistic"), statistics);

  const ProcessRun again = RunGenerator("--url " + scratch->url() + " --events 3");
  EXPECT_EQ(again.exit_code, 2) << again.output;
  EXPECT_THAT(again.output, HasSubstr("strata-events-generate: error: table event on sqlite:"));
  EXPECT_THAT(again.output, HasSubstr("already holds 300 rows"));
}

TEST(GeneratorBinaryTest, UsageErrorsExitWithTwo) {
  EXPECT_EQ(RunGenerator("--events 3").exit_code, 2);
  const ProcessRun bad = RunGenerator("--url sqlite::memory: --events 3 --covered-fraction 2");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.output, HasSubstr("--covered-fraction must be between 0 and 1, not 2"));
  const ProcessRun zone = RunGenerator("--url sqlite::memory: --events 3 --zone Asia/Soul");
  EXPECT_EQ(zone.exit_code, 2);
  EXPECT_THAT(zone.output, HasSubstr("unknown time zone \"Asia/Soul\""));
}

TEST(GeneratorBinaryTest, NeverPrintsThePassword) {
  const std::optional<std::string> admin = testing::ServerUrl(db::Dialect::kPostgres);
  ASSERT_TRUE(admin);
  auto parsed = db::ParseUrl(*admin);
  ASSERT_TRUE(parsed);
  const ProcessRun run = RunGenerator(fmt::format(
      "--url postgresql://nobody:s3cr3t-pw@127.0.0.1:{}/postgres --events 1", parsed->port));
  EXPECT_EQ(run.exit_code, 5) << run.output;
  EXPECT_THAT(run.output, HasSubstr("nobody:***@"));
  EXPECT_THAT(run.output, Not(HasSubstr("s3cr3t-pw")));
}

}  // namespace
}  // namespace strata::examples::events
