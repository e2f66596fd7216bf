#include "examples/events/generator/generator.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string_view>
#include <utility>

#include "db/flavor/flavor.h"
#include "domain/event.h"
#include "domain/metric_days.h"
#include "domain/timestamp.h"

namespace strata::examples::events {
namespace {

using date::days;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr std::int64_t kMillion = 1'000'000;
constexpr std::int64_t kSecondsPerHour = 3'600;
constexpr std::int64_t kSecondsPerDay = 86'400;

// Registration starts fall on these local days: several years, two of them leap years.
constexpr date::local_days kFirstStartDay{date::year{2018} / 1 / 1};
constexpr date::local_days kLastStartDay{date::year{2025} / 12 / 31};

// Shares per 100,000 events; see EventShape.
constexpr std::int64_t kEndsBeforeStartShare = 500;
constexpr std::int64_t kLongShare = 100;
constexpr std::int64_t kSameDayShare = 5'000;
constexpr std::int64_t kNearMidnightShare = 5'000;
constexpr std::int64_t kLeapDayShare = 2'000;

constexpr std::int64_t kTwoStatisticsPpm = 50'000;  // about one event in twenty

// SplitMix64's finaliser: derives an unrelated seed for the coverage stream from the user's
// seed, so that seeds 1 and 2 do not give two streams offset by one.
std::uint64_t MixSeed(std::uint64_t seed) {
  std::uint64_t z = seed + 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

date::local_days LocalDay(date::sys_days civil) {
  return date::local_days{civil.time_since_epoch()};
}

}  // namespace

std::int64_t PortableRandom::Between(std::int64_t lo, std::int64_t hi) {
  // Unsigned arithmetic wraps, so hi - lo + 1 is right for any pair; 0 means all 2^64 values.
  const std::uint64_t range = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo) + 1;
  std::uint64_t x = engine_();
  if (range != 0) {
    // Rejecting the lowest 2^64 mod range outputs leaves a multiple of `range` equally likely
    // values, so x % range is exactly uniform. At most half of the outputs are ever rejected.
    const std::uint64_t reject_below = (0 - range) % range;
    while (x < reject_below) x = engine_();
    x %= range;
  }
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(lo) + x);
}

bool PortableRandom::Chance(std::int64_t parts_per_million) {
  return Between(0, kMillion - 1) < parts_per_million;
}

const char* EventShapeName(EventShape shape) {
  switch (shape) {
    case EventShape::kOrdinary:
      return "ordinary";
    case EventShape::kSameDay:
      return "same day";
    case EventShape::kNearMidnight:
      return "near midnight";
    case EventShape::kLeapDay:
      return "leap day";
    case EventShape::kLong:
      return "long";
    case EventShape::kEndsBeforeStart:
      return "ends before start";
  }
  return "?";
}

// Two random streams: `random_` decides the events (shapes, times, titles, statistics) and
// `coverage_` the existing metrics. Changing --covered-fraction therefore keeps the events
// and their ids the same, which lets benchmarks compare coverage levels on equal events.
LegacyEventSource::LegacyEventSource(std::uint64_t seed, std::int64_t covered_ppm,
                                     const domain::Zone& zone, FirstIds first)
    : random_(seed),
      coverage_(MixSeed(seed)),
      covered_ppm_(covered_ppm),
      zone_(zone),
      next_(first) {}

// Wall-clock times are drawn in the platform zone and stored as instants. Where the zone
// skips an hour (DST) the earliest valid instant is taken, which keeps the mapping monotonic:
// a later wall-clock time never becomes an earlier instant, so only kEndsBeforeStart events
// end before they start.
date::sys_seconds LegacyEventSource::Instant(date::local_seconds wall_clock) const {
  return zone_.time_zone()->to_sys(wall_clock, date::choose::earliest);
}

date::local_days LegacyEventSource::RandomStartDay() {
  return kFirstStartDay + days{random_.Between(0, (kLastStartDay - kFirstStartDay).count())};
}

date::local_seconds LegacyEventSource::RandomTimeOn(date::local_days day) {
  return day + seconds{random_.Between(0, kSecondsPerDay - 1)};
}

// Within a minute either side of the midnight that starts `day`.
date::local_seconds LegacyEventSource::RandomTimeNearMidnight(date::local_days day) {
  return day + seconds{random_.Between(-60, 59)};
}

LegacyEventSource::Span LegacyEventSource::NextSpan() {
  const std::int64_t draw = random_.Between(0, 99'999);
  std::int64_t bound = 0;
  auto in_share = [&](std::int64_t share) { return draw < (bound += share); };

  if (in_share(kEndsBeforeStartShare)) {
    // Hours back at least, so that no zone's clock change can make it look ordered.
    const date::sys_seconds start = Instant(RandomTimeOn(RandomStartDay()));
    return {EventShape::kEndsBeforeStart, start,
            start - seconds{random_.Between(kSecondsPerHour * 2, 30 * kSecondsPerDay)}};
  }
  if (in_share(kLongShare)) {
    const date::local_days day = RandomStartDay();
    const date::local_seconds start = RandomTimeOn(day);
    const date::local_seconds end = RandomTimeOn(day + days{random_.Between(1'001, 3'000)});
    return {EventShape::kLong, Instant(start), Instant(end)};
  }
  if (in_share(kSameDayShare)) {
    const date::local_days day = RandomStartDay();
    const std::int64_t from = random_.Between(0, kSecondsPerDay - 1);
    const std::int64_t to = random_.Between(from, kSecondsPerDay - 1);
    return {EventShape::kSameDay, Instant(day + seconds{from}), Instant(day + seconds{to})};
  }
  if (in_share(kNearMidnightShare)) {
    const date::local_days day = RandomStartDay();
    date::local_seconds start = RandomTimeNearMidnight(day);
    date::local_seconds end = RandomTimeNearMidnight(day + days{random_.Between(0, 3)});
    if (end < start) std::swap(start, end);
    return {EventShape::kNearMidnight, Instant(start), Instant(end)};
  }
  if (in_share(kLeapDayShare)) {
    const date::year year = random_.Between(0, 1) == 0 ? date::year{2020} : date::year{2024};
    const date::local_days day =
        date::local_days{year / date::February / 26} + days{random_.Between(0, 3)};
    date::local_seconds start = RandomTimeOn(day);
    date::local_seconds end = RandomTimeOn(day + days{random_.Between(0, 4)});
    if (end < start) std::swap(start, end);
    return {EventShape::kLeapDay, Instant(start), Instant(end)};
  }
  const date::local_days day = RandomStartDay();
  const date::local_seconds start = RandomTimeOn(day);
  const date::local_seconds end = RandomTimeOn(day + days{random_.Between(1, 60)});
  return {EventShape::kOrdinary, Instant(start), Instant(end)};
}

// A random sub-range [first + a, first + b] of the event's metric days, each with views. The
// days are those of the instants, which every engine agrees on (see ExpectedBackfill).
void LegacyEventSource::AddCoveredMetrics(const LegacyEvent& event, LegacyStatistic& statistic) {
  if (!coverage_.Chance(covered_ppm_)) return;
  const domain::Event times{event.id, domain::EventTime::Instant(event.registration_start),
                            domain::EventTime::Instant(event.event_end)};
  const domain::MetricDays metric_days = domain::metric_days(times, zone_);
  if (metric_days.skipped() || metric_days.days.empty()) return;
  const std::int64_t size = metric_days.days.size();
  const std::int64_t a = coverage_.Between(0, size - 1);
  const std::int64_t b = coverage_.Between(a, size - 1);
  for (std::int64_t i = a; i <= b; ++i) {
    const date::sys_days day = metric_days.days.first() + days{i};
    // Legacy metrics were written ten minutes after their day ended, local time.
    const date::sys_seconds written_at = Instant(LocalDay(day) + days{1} + minutes{10});
    const std::int64_t views = coverage_.Between(1, 500);
    statistic.metrics.push_back(LegacyMetric{next_.metric++, day, views, written_at});
    statistic.total_view_count += views;
  }
}

LegacyEvent LegacyEventSource::Next() {
  LegacyEvent event;
  event.id = next_.event++;
  const Span span = NextSpan();
  event.shape = span.shape;
  event.registration_start = span.start;
  event.event_end = span.end;
  event.created_at = span.start - seconds{random_.Between(0, 30 * kSecondsPerDay)};
  event.title = random_.Between(0, 9) == 0
                    ? fmt::format("레거시 이벤트 {} ({})", event.id, EventShapeName(span.shape))
                    : fmt::format("Legacy event {} ({})", event.id, EventShapeName(span.shape));
  const int statistics = random_.Chance(kTwoStatisticsPpm) ? 2 : 1;
  for (int i = 0; i < statistics; ++i) {
    LegacyStatistic statistic;
    statistic.id = next_.statistic++;
    statistic.created_at = event.created_at;
    AddCoveredMetrics(event, statistic);
    event.statistics.push_back(std::move(statistic));
  }
  return event;
}

namespace {

// How the example schema's timestamp columns hold an instant.
enum class TimeColumn {
  kWithOffset,  // PostgreSQL TIMESTAMPTZ, written "YYYY-MM-DD hh:mm:ss+00"
  kWallClock,   // MariaDB DATETIME: the wall-clock time in the zone, read back as such
  kIsoText,     // SQLite TEXT, "YYYY-MM-DDThh:mm:ssZ"
};

// The example schema on each engine: the folder of examples/events/migrations with its
// scripts, and how its timestamp columns hold an instant. These are the example's choices, not
// the engine's (another application may store instants otherwise), so they stay here rather
// than in db::Flavor; this table is the one place in this file that tells the engines apart.
struct ExampleSchema {
  db::Dialect dialect;
  const char* folder;
  TimeColumn time;
};

constexpr std::array<ExampleSchema, 3> kExampleSchemas = {{
    {db::Dialect::kPostgres, "postgres", TimeColumn::kWithOffset},
    {db::Dialect::kMariaDb, "mariadb", TimeColumn::kWallClock},
    {db::Dialect::kSqlite, "sqlite", TimeColumn::kIsoText},
}};

const ExampleSchema* ExampleSchemaFor(db::Dialect dialect) {
  for (const ExampleSchema& schema : kExampleSchemas) {
    if (schema.dialect == dialect) return &schema;
  }
  return nullptr;
}

TimeColumn TimeColumnOf(db::Dialect dialect) {
  const ExampleSchema* schema = ExampleSchemaFor(dialect);
  return schema == nullptr ? TimeColumn::kWithOffset : schema->time;
}

}  // namespace

BackfillExpectation ExpectedBackfill(const LegacyEvent& event, const domain::Zone& zone,
                                     db::Dialect dialect) {
  // Read the event back the way the backfill will: MariaDB holds wall-clock times.
  const bool wall_clock = TimeColumnOf(dialect) == TimeColumn::kWallClock;
  auto as_read = [&](date::sys_seconds t) {
    return wall_clock ? domain::EventTime::WallClock(zone.ToLocal(t))
                      : domain::EventTime::Instant(t);
  };
  const domain::Event read{event.id, as_read(event.registration_start), as_read(event.event_end)};
  const domain::MetricDays metric_days = domain::metric_days(read, zone);
  if (metric_days.skipped()) return {0, true};
  BackfillExpectation expectation;
  for (const LegacyStatistic& statistic : event.statistics) {
    // Existing rows are on days of the instants; counting only those inside the days read back
    // keeps this right even where wall-clock and instant readings could disagree.
    const auto existing = std::count_if(
        statistic.metrics.begin(), statistic.metrics.end(),
        [&](const LegacyMetric& metric) { return metric_days.days.contains(metric.view_date); });
    expectation.missing_metric_rows += metric_days.days.size() - existing;
  }
  return expectation;
}

namespace {

// SQLite's default limit on bound parameters per statement is 32,766; PostgreSQL and MariaDB
// allow 65,535. One limit under all three keeps the statements the same everywhere.
constexpr std::size_t kMaxParamsPerStatement = 30'000;

// Placeholders in order of appearance (Flavor::ParamInOrder): SQLite gets a plain "?" rather
// than Param()'s "?N": its parser looks each "?N" up in a linear list of the numbers seen so
// far (sqlite3VListNumToName), which made a 30,000-parameter INSERT quadratic and SQLite 15
// times slower than PostgreSQL here. A plain "?" takes the next number, which is the same
// binding.
std::string BulkPlaceholder(db::Dialect dialect, int n) {
  return db::FlavorFor(dialect).ParamInOrder(n);
}

// How the example schema's column stores an instant (see the migrations).
std::string TimestampParam(date::sys_seconds instant, db::Dialect dialect,
                           const domain::Zone& zone) {
  switch (TimeColumnOf(dialect)) {
    case TimeColumn::kWithOffset:
      return domain::FormatTimestamp(instant) + "+00";
    case TimeColumn::kWallClock:
      return domain::FormatTimestamp(zone.ToLocal(instant));
    case TimeColumn::kIsoText: {
      std::string text = domain::FormatTimestamp(instant);
      text[10] = 'T';
      return text + "Z";
    }
  }
  return {};
}

// The rows of one table for one batch, inserted with as few multi-row INSERTs as the
// parameter limit allows.
class TableRows {
 public:
  TableRows(std::string_view table, std::vector<std::string_view> columns)
      : table_(table), columns_(std::move(columns)) {}

  // `values` holds one value per column, in column order.
  void Add(std::initializer_list<db::Param> values) {
    params_.insert(params_.end(), values.begin(), values.end());
  }

  Status Insert(db::Connection& conn) const {
    const std::size_t width = columns_.size();
    const std::size_t rows_per_statement = kMaxParamsPerStatement / width;
    const std::size_t rows = params_.size() / width;
    if (rows <= rows_per_statement) {  // the usual case: no copy
      if (rows > 0) STRATA_TRY(conn.Execute(InsertSql(conn.dialect(), rows), params_));
      return Ok();
    }
    for (std::size_t first = 0; first < rows; first += rows_per_statement) {
      const std::size_t count = std::min(rows_per_statement, rows - first);
      const auto begin = params_.begin() + static_cast<std::ptrdiff_t>(first * width);
      const db::Params params(begin, begin + static_cast<std::ptrdiff_t>(count * width));
      STRATA_TRY(conn.Execute(InsertSql(conn.dialect(), count), params));
    }
    return Ok();
  }

 private:
  std::string InsertSql(db::Dialect dialect, std::size_t rows) const {
    std::string sql = fmt::format("INSERT INTO {} ({}) VALUES ", table_, fmt::join(columns_, ", "));
    int n = 0;
    for (std::size_t row = 0; row < rows; ++row) {
      sql += row == 0 ? "(" : ", (";
      for (std::size_t col = 0; col < columns_.size(); ++col) {
        if (col > 0) sql += ", ";
        sql += BulkPlaceholder(dialect, ++n);
      }
      sql += ')';
    }
    return sql;
  }

  std::string_view table_;
  std::vector<std::string_view> columns_;
  db::Params params_;
};

// The three tables, in foreign-key order, with the rows of one batch.
struct Batch {
  TableRows events{"event", {"event_id", "title", "registration_start", "event_end", "created_at"}};
  TableRows statistics{"event_statistic",
                       {"event_statistic_id", "event_id", "total_view_count", "created_at"}};
  TableRows metrics{"event_view_metric",
                    {"event_view_metric_id", "event_statistic_id", "view_date", "view_count",
                     "created_at", "updated_at"}};

  void Add(const LegacyEvent& event, db::Dialect dialect, const domain::Zone& zone) {
    auto ts = [&](date::sys_seconds t) { return db::Param(TimestampParam(t, dialect, zone)); };
    events.Add({event.id, event.title, ts(event.registration_start), ts(event.event_end),
                ts(event.created_at)});
    for (const LegacyStatistic& statistic : event.statistics) {
      statistics.Add(
          {statistic.id, event.id, statistic.total_view_count, ts(statistic.created_at)});
      for (const LegacyMetric& metric : statistic.metrics) {
        metrics.Add({metric.id, statistic.id, domain::FormatDay(metric.view_date),
                     metric.view_count, ts(metric.written_at), ts(metric.written_at)});
      }
    }
  }

  Status Insert(db::Connection& conn) const {
    STRATA_TRY(events.Insert(conn));
    STRATA_TRY(statistics.Insert(conn));
    return metrics.Insert(conn);
  }
};

struct TableState {
  std::string_view table;
  std::string_view id_column;
  std::int64_t rows = 0;
  std::int64_t max_id = 0;
};

Result<TableState> ReadTableState(db::Connection& conn, std::string_view table,
                                  std::string_view id_column) {
  auto rows =
      conn.Query(fmt::format("SELECT COUNT(*), COALESCE(MAX({}), 0) FROM {}", id_column, table));
  if (!rows) {
    return std::move(rows).error().WithContext(
        fmt::format("cannot read table {} (are examples/events/migrations/{} applied?)", table,
                    MigrationsFolder(conn.dialect())));
  }
  STRATA_ASSIGN_OR_RETURN(const std::int64_t count, rows->Int(0, 0));
  STRATA_ASSIGN_OR_RETURN(const std::int64_t max_id, rows->Int(0, 1));
  return TableState{table, id_column, count, max_id};
}

// The ids to start from: 1 in empty tables; after the largest existing id with `append`.
Result<FirstIds> ChooseFirstIds(db::Connection& conn, bool append) {
  std::array<TableState, 3> tables;
  STRATA_ASSIGN_OR_RETURN(tables[0], ReadTableState(conn, "event", "event_id"));
  STRATA_ASSIGN_OR_RETURN(tables[1], ReadTableState(conn, "event_statistic", "event_statistic_id"));
  STRATA_ASSIGN_OR_RETURN(tables[2],
                          ReadTableState(conn, "event_view_metric", "event_view_metric_id"));
  if (!append) {
    for (const TableState& state : tables) {
      if (state.rows > 0) {
        return Err(ErrorCode::kInvalidArgument,
                   fmt::format("table {} on {} already holds {} rows; generate into empty tables, "
                               "or pass --append to add after them",
                               state.table, conn.display_url(), state.rows));
      }
    }
  }
  return FirstIds{tables[0].max_id + 1, tables[1].max_id + 1, tables[2].max_id + 1};
}

// Explicit ids do not advance PostgreSQL identity sequences (MariaDB's AUTO_INCREMENT and
// SQLite's rowid follow the largest id by themselves), so the next insert without an id — the
// backfill's — would collide with id 1 (Flavor::AdvanceIdentitySql).
Status AdvanceIdentities(db::Connection& conn) {
  for (const auto& [table, column] :
       {std::pair{"event", "event_id"}, std::pair{"event_statistic", "event_statistic_id"},
        std::pair{"event_view_metric", "event_view_metric_id"}}) {
    const std::string sql = db::FlavorOf(conn).AdvanceIdentitySql(table, column);
    if (!sql.empty()) STRATA_TRY(conn.Query(sql));
  }
  return Ok();
}

double Seconds(std::chrono::milliseconds elapsed) {
  return static_cast<double>(elapsed.count()) / 1000.0;
}

std::int64_t EventsPerSecond(const GeneratorSummary& summary) {
  if (summary.elapsed.count() <= 0) return 0;
  return static_cast<std::int64_t>(static_cast<double>(summary.events) / Seconds(summary.elapsed));
}

}  // namespace

Status ValidateOptions(const GeneratorOptions& options) {
  if (options.events < 0) {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("--events must be 0 or more, not {}", options.events));
  }
  if (options.batch < 1) {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("--batch must be at least 1, not {}", options.batch));
  }
  if (!(options.covered_fraction >= 0.0 && options.covered_fraction <= 1.0)) {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("--covered-fraction must be between 0 and 1, not {}",
                           options.covered_fraction));
  }
  return Ok();
}

Result<GeneratorSummary> GenerateLegacyData(db::Connection& conn, const GeneratorOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  STRATA_TRY(ValidateOptions(options));
  STRATA_ASSIGN_OR_RETURN(const domain::Zone zone, domain::Zone::Find(options.zone));
  STRATA_ASSIGN_OR_RETURN(const FirstIds first, ChooseFirstIds(conn, options.append));

  GeneratorSummary summary;
  summary.target = conn.display_url();
  summary.seed = options.seed;
  summary.zone = std::string(zone.name());
  summary.first = first;
  const auto covered_ppm =
      static_cast<std::int64_t>(std::llround(options.covered_fraction * kMillion));
  LegacyEventSource source(options.seed, covered_ppm, zone, first);

  while (summary.events < options.events) {
    const std::int64_t count = std::min(options.batch, options.events - summary.events);
    Batch batch;
    for (std::int64_t i = 0; i < count; ++i) {
      const LegacyEvent event = source.Next();
      batch.Add(event, conn.dialect(), zone);
      const BackfillExpectation expected = ExpectedBackfill(event, zone, conn.dialect());
      summary.missing_metric_rows += expected.missing_metric_rows;
      summary.skipped_events += expected.skipped ? 1 : 0;
      summary.statistics += static_cast<std::int64_t>(event.statistics.size());
      for (const LegacyStatistic& statistic : event.statistics) {
        summary.existing_metric_rows += static_cast<std::int64_t>(statistic.metrics.size());
      }
    }
    const std::int64_t first_id = first.event + summary.events;
    auto context = [&](const Error& error) {
      return error.WithContext(fmt::format("writing events {}..{} to {}", first_id,
                                           first_id + count - 1, conn.display_url()));
    };
    auto tx = db::Transaction::Begin(conn);
    if (!tx) return context(tx.error());
    if (Status inserted = batch.Insert(conn); !inserted) return context(inserted.error());
    if (Status committed = tx->Commit(); !committed) return context(committed.error());
    summary.events += count;
    if (options.on_batch) options.on_batch(summary.events);
  }

  if (summary.events > 0) STRATA_TRY(AdvanceIdentities(conn));
  summary.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  return summary;
}

std::string SummaryLine(const GeneratorSummary& summary) {
  const std::string ids = summary.events == 0
                              ? std::string()
                              : fmt::format(" (ids {}..{})", summary.first.event,
                                            summary.first.event + summary.events - 1);
  return fmt::format(
      "generated {} events{}, {} statistics and {} existing metric rows into {} in {:.1f} s "
      "({} events/s); a complete backfill adds {} metric rows ({} events end before they start "
      "and get none); seed {}, zone {}",
      summary.events, ids, summary.statistics, summary.existing_metric_rows, summary.target,
      Seconds(summary.elapsed), EventsPerSecond(summary), summary.missing_metric_rows,
      summary.skipped_events, summary.seed, summary.zone);
}

std::string SummaryJson(const GeneratorSummary& summary) {
  const nlohmann::json json = {
      {"target", summary.target},
      {"seed", summary.seed},
      {"zone", summary.zone},
      {"events", summary.events},
      {"first_event_id", summary.first.event},
      {"statistics", summary.statistics},
      {"first_statistic_id", summary.first.statistic},
      {"existing_metric_rows", summary.existing_metric_rows},
      {"missing_metric_rows", summary.missing_metric_rows},
      {"skipped_events", summary.skipped_events},
      {"elapsed_ms", summary.elapsed.count()},
      {"events_per_second", EventsPerSecond(summary)},
  };
  return json.dump();
}

const char* MigrationsFolder(db::Dialect dialect) {
  const ExampleSchema* schema = ExampleSchemaFor(dialect);
  return schema == nullptr ? "?" : schema->folder;
}

}  // namespace strata::examples::events
