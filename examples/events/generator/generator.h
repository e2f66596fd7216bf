// Legacy data for the event platform example: events, their statistics and some of their
// daily view metrics, as the legacy service left them before every day had a metric row.
//
// The backfill job (event view metrics) and its benchmarks need such data at 100,000 and
// 1,000,000 events, with the awkward cases real legacy data has: spans of 0 to 3,000 days,
// registration starts at any time of day (so the UTC date and the platform-zone date often
// differ), times a few seconds either side of local midnight, February 29, events that end
// before they start, statistics whose metrics are partly there already. Everything is a pure
// function of (seed, number of events, zone, covered fraction, first ids): batch size and
// engine change how the rows are written, never which rows.
//
// Determinism across platforms: std::mt19937_64's output sequence is fixed by the C++
// standard, but the standard distributions (std::uniform_int_distribution, ...) are not —
// libstdc++, libc++ and MSVC turn the same engine output into different numbers. So the
// distributions here are written by hand (PortableRandom), and the golden values in
// generator_test.cc hold on every standard library.
#ifndef STRATA_EXAMPLES_EVENTS_GENERATOR_GENERATOR_H_
#define STRATA_EXAMPLES_EVENTS_GENERATOR_GENERATOR_H_

#include <date/date.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "base/result.h"
#include "db/connection.h"
#include "domain/zone.h"

namespace strata::examples::events {

// Uniform random numbers from std::mt19937_64 with hand-written, portable distributions.
class PortableRandom {
 public:
  explicit PortableRandom(std::uint64_t seed) : engine_(seed) {}

  // Uniform in [lo, hi], both included. REQUIRES: lo <= hi.
  std::int64_t Between(std::int64_t lo, std::int64_t hi);

  // True with probability parts_per_million / 1,000,000 (always false at 0, always true at
  // 1,000,000). Draws exactly one number either way, so the stream stays aligned.
  bool Chance(std::int64_t parts_per_million);

 private:
  std::mt19937_64 engine_;
};

// What kind of legacy event a generated event models. Shares, per 100,000 events:
enum class EventShape {
  kOrdinary,         // the rest (~87.4%): ends 1-60 calendar days after registration starts
  kSameDay,          // 5,000: starts and ends on the same local day (one metric day)
  kNearMidnight,     // 5,000: starts and ends within a minute of local midnight, 0-3 days apart
  kLeapDay,          // 2,000: starts Feb 26-29 of 2020 or 2024, 0-4 days long
  kLong,             // 100: longer than 1,000 days (1,001-3,000)
  kEndsBeforeStart,  // 500: legacy bad data, ends 2 hours to 30 days before it starts
};

// "ordinary", "same day", "near midnight", "leap day", "long", "ends before start".
const char* EventShapeName(EventShape shape);

// A pre-existing event_view_metric row. created_at = updated_at = written_at.
struct LegacyMetric {
  std::int64_t id = 0;
  date::sys_days view_date;     // a civil date in the platform zone
  std::int64_t view_count = 0;  // > 0: these days had views
  date::sys_seconds written_at;
};

struct LegacyStatistic {
  std::int64_t id = 0;
  std::int64_t total_view_count = 0;  // the sum of its metrics' view counts
  date::sys_seconds created_at;
  // Empty, or one row per day of a random sub-range of the event's metric days.
  std::vector<LegacyMetric> metrics;
};

// One generated event with its statistics. Times are instants; each engine stores them its own
// way (PostgreSQL timestamptz, SQLite UTC text, MariaDB wall-clock time in the zone).
struct LegacyEvent {
  std::int64_t id = 0;
  EventShape shape = EventShape::kOrdinary;
  std::string title;  // "Legacy event 17 (leap day)"; about one in ten in Korean
  date::sys_seconds registration_start;
  date::sys_seconds event_end;
  date::sys_seconds created_at;
  std::vector<LegacyStatistic> statistics;  // one; about one event in twenty has two
};

// The ids the first generated rows get; later rows count up from them without gaps.
struct FirstIds {
  std::int64_t event = 1;
  std::int64_t statistic = 1;
  std::int64_t metric = 1;
};

// Produces the events one after another. The i-th event depends only on the constructor's
// arguments and i.
class LegacyEventSource {
 public:
  // `covered_ppm`: the chance, in parts per million, that a statistic already has some metrics.
  LegacyEventSource(std::uint64_t seed, std::int64_t covered_ppm, const domain::Zone& zone,
                    FirstIds first);

  LegacyEvent Next();

 private:
  struct Span {
    EventShape shape;
    date::sys_seconds start;
    date::sys_seconds end;
  };
  Span NextSpan();
  date::sys_seconds Instant(date::local_seconds wall_clock) const;
  date::local_days RandomStartDay();
  date::local_seconds RandomTimeOn(date::local_days day);
  date::local_seconds RandomTimeNearMidnight(date::local_days day);
  void AddCoveredMetrics(const LegacyEvent& event, LegacyStatistic& statistic);

  PortableRandom random_;    // the events
  PortableRandom coverage_;  // their existing metrics
  std::int64_t covered_ppm_;
  domain::Zone zone_;
  FirstIds next_;
};

// What a complete backfill must do for one event, judged with domain::metric_days in `zone`
// the way the backfill reads the event from `dialect`: instants from PostgreSQL and SQLite,
// wall-clock times from MariaDB.
struct BackfillExpectation {
  std::int64_t missing_metric_rows = 0;  // over all its statistics: days minus existing rows
  bool skipped = false;                  // metric_days skips it (ends before it starts)
};
BackfillExpectation ExpectedBackfill(const LegacyEvent& event, const domain::Zone& zone,
                                     db::Dialect dialect);

struct GeneratorOptions {
  std::int64_t events = 0;  // N >= 0
  std::uint64_t seed = 1;
  std::string zone = std::string(domain::kDefaultZoneName);  // the platform zone
  double covered_fraction = 0.2;  // of statistics that already have some metrics, 0..1
  std::int64_t batch = 1000;      // events per transaction, >= 1
  // Add to tables that already hold rows, with ids after the largest existing ones. Without
  // it, non-empty tables are refused.
  bool append = false;
  // Called after each committed batch with the number of events written so far.
  std::function<void(std::int64_t)> on_batch;
};

struct GeneratorSummary {
  std::string target;  // the redacted URL
  std::uint64_t seed = 0;
  std::string zone;
  FirstIds first;                         // ids of the first rows written
  std::int64_t events = 0;                // ids first.event .. first.event + events - 1
  std::int64_t statistics = 0;            // ids first.statistic .. + statistics - 1
  std::int64_t existing_metric_rows = 0;  // metric rows written (view_count > 0)
  // Rows a complete backfill of these events must add (domain::metric_days in `zone`).
  std::int64_t missing_metric_rows = 0;
  std::int64_t skipped_events = 0;  // events metric_days skips: no rows expected
  std::chrono::milliseconds elapsed{0};
};

// The folder of examples/events/migrations holding `dialect`'s scripts: "postgres",
// "mariadb" or "sqlite".
const char* MigrationsFolder(db::Dialect dialect);

// Checks the options: kInvalidArgument naming the bad one.
Status ValidateOptions(const GeneratorOptions& options);

// Writes options.events events into the example schema (examples/events/migrations/<dialect>
// applied) over `conn`: multi-row INSERTs with bound parameters, one transaction per batch,
// explicit ids. On PostgreSQL the identity sequences are moved past the written ids, so later
// inserts without ids do not collide. A failure leaves the batches committed before it.
// Errors: kInvalidArgument (bad options; a table already holds rows and options.append is
// off), kNotFound (unknown zone), kDatabase (e.g. the tables do not exist), kConnection.
Result<GeneratorSummary> GenerateLegacyData(db::Connection& conn, const GeneratorOptions& options);

// One line for people: "generated 100000 events (ids 1..100000), 105012 statistics and
// 398761 existing metric rows into sqlite:/tmp/e.db in 4.2 s (23809 events/s); a complete
// backfill adds 3012345 metric rows (497 events end before they start and get none);
// seed 1, zone Asia/Seoul".
std::string SummaryLine(const GeneratorSummary& summary);

// The same as one JSON object on one line, keys: target, seed, zone, events, first_event_id,
// statistics, first_statistic_id, existing_metric_rows, missing_metric_rows, skipped_events,
// elapsed_ms, events_per_second.
std::string SummaryJson(const GeneratorSummary& summary);

}  // namespace strata::examples::events

#endif  // STRATA_EXAMPLES_EVENTS_GENERATOR_GENERATOR_H_
