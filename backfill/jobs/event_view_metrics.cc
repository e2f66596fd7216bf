#include "backfill/jobs/event_view_metrics.h"

#include <date/date.h>
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "domain/event.h"
#include "domain/metric_days.h"
#include "domain/timestamp.h"
#include "domain/zone.h"

namespace strata::backfill {
namespace {

using db::Dialect;

constexpr std::int64_t kNoLowerBound = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kNoUpperBound = std::numeric_limits<std::int64_t>::max();

// Under every engine's limit on bound parameters per statement (SQLite 32,766), with four
// parameters per row on MariaDB and SQLite.
constexpr std::int64_t kMaxRowsPerStatement = 7'500;

// The temporary table the COPY method stages rows in (PostgreSQL, per session).
constexpr std::string_view kStageTable = "strata_event_view_metric_stage";

enum class WriteMethod { kValues, kCopy, kPacked, kArray };

// ---- Parameters -----------------------------------------------------------------------------

std::vector<ParamSpec> Specs() {
  return {
      {"zone", "IANA time zone whose calendar days count", std::string(domain::kDefaultZoneName)},
      {"first_event_id", "only events with event_id >= this (empty: no bound)", ""},
      {"last_event_id", "only events with event_id <= this (empty: no bound)", ""},
      {"max_days", "the longest span in days an event may need (1..1000000)", "3660"},
      {"over_max_days", "an event over max_days: fail (the chunk fails naming it) or skip", "fail"},
      {"rows_per_statement", "rows per INSERT statement (1..7500)", "5000"},
      {"write_method",
       "auto (copy on PostgreSQL, array on MariaDB, packed on MySQL, values on SQLite), "
       "values (multi-row INSERT), copy (PostgreSQL: COPY to a temporary table, then one "
       "INSERT ... SELECT), packed (the chunk's rows in one parameter the server unpacks: "
       "unnest, JSON_TABLE, json_each) or array (a one-row INSERT bound to many rows: one "
       "round trip on MariaDB, one statement per row elsewhere)",
       "auto"},
  };
}

struct Settings {
  domain::Zone zone;  // no default: built from the found zone
  std::int64_t first_event_id = kNoLowerBound;
  std::int64_t last_event_id = kNoUpperBound;
  std::int64_t max_days = 0;
  bool skip_over_max_days = false;
  std::int64_t rows_per_statement = 0;
  // nullopt: "auto", decided per dialect (see MethodFor).
  std::optional<WriteMethod> write_method = std::nullopt;
};

// Measured at 100,000 events (bench/backfill_driver.cc, bench/backfill_bench.py): on
// PostgreSQL COPY beat multi-row INSERTs 1.4x (and unnest). On MariaDB JSON_TABLE beat
// multi-row INSERTs 1.26x (prepared statements with 10,000 placeholders cost both sides), and
// array binding matched JSON_TABLE with one worker but, unlike it, scales with workers: an
// INSERT ... SELECT holds InnoDB's table-level AUTO-INC lock to the end of the statement,
// which serialises the workers and makes the service's own inserts into the table wait behind
// every chunk, while a bound INSERT ... VALUES only takes the auto-increment mutex. MySQL has
// no array binding (`batches_in_one_round_trip` false), so it keeps JSON_TABLE. SQLite keeps
// multi-row INSERTs.
WriteMethod MethodFor(const Settings& settings, Dialect d, bool batches_in_one_round_trip) {
  if (settings.write_method) return *settings.write_method;
  switch (d) {
    case Dialect::kPostgres:
      return WriteMethod::kCopy;
    case Dialect::kMariaDb:
      return batches_in_one_round_trip ? WriteMethod::kArray : WriteMethod::kPacked;
    case Dialect::kSqlite:
      return WriteMethod::kValues;
  }
  return WriteMethod::kValues;
}

Error BadParam(std::string_view name, std::string_view value, std::string_view expected) {
  return Err(ErrorCode::kInvalidArgument,
             fmt::format("job '{}': parameter {}='{}' is not {}", kEventViewMetricsJobName, name,
                         value, expected));
}

Result<std::int64_t> ParseInteger(std::string_view name, std::string_view text, std::int64_t min,
                                  std::int64_t max) {
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || value < min || value > max) {
    return BadParam(name, text,
                    min == kNoLowerBound ? std::string("an integer")
                                         : fmt::format("an integer from {} to {}", min, max));
  }
  return value;
}

Result<std::int64_t> ParseOptionalBound(std::string_view name, std::string_view text,
                                        std::int64_t unbounded) {
  if (text.empty()) return unbounded;
  return ParseInteger(name, text, kNoLowerBound, kNoUpperBound);
}

Result<Settings> ParseSettings(const ParamValues& values) {
  auto zone = domain::Zone::Find(values.at("zone"));
  if (!zone) {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("job '{}': parameter zone: {}", kEventViewMetricsJobName,
                           zone.error().message));
  }
  Settings settings{.zone = *zone};
  STRATA_ASSIGN_OR_RETURN(
      settings.first_event_id,
      ParseOptionalBound("first_event_id", values.at("first_event_id"), kNoLowerBound));
  STRATA_ASSIGN_OR_RETURN(
      settings.last_event_id,
      ParseOptionalBound("last_event_id", values.at("last_event_id"), kNoUpperBound));
  if (settings.first_event_id > settings.last_event_id) {
    return Err(
        ErrorCode::kInvalidArgument,
        fmt::format("job '{}': first_event_id {} is greater than last_event_id {}",
                    kEventViewMetricsJobName, settings.first_event_id, settings.last_event_id));
  }
  STRATA_ASSIGN_OR_RETURN(settings.max_days,
                          ParseInteger("max_days", values.at("max_days"), 1, 1'000'000));
  const std::string& over = values.at("over_max_days");
  if (over != "fail" && over != "skip") return BadParam("over_max_days", over, "fail or skip");
  settings.skip_over_max_days = over == "skip";
  STRATA_ASSIGN_OR_RETURN(
      settings.rows_per_statement,
      ParseInteger("rows_per_statement", values.at("rows_per_statement"), 1, kMaxRowsPerStatement));
  const std::string& method = values.at("write_method");
  if (method == "values") {
    settings.write_method = WriteMethod::kValues;
  } else if (method == "copy") {
    settings.write_method = WriteMethod::kCopy;
  } else if (method == "packed") {
    settings.write_method = WriteMethod::kPacked;
  } else if (method == "array") {
    settings.write_method = WriteMethod::kArray;
  } else if (method != "auto") {
    return BadParam("write_method", method, "auto, values, copy, packed or array");
  }
  return settings;
}

// ---- SQL ------------------------------------------------------------------------------------

// Placeholders in order of appearance. SQLite gets a plain "?" (the next number) rather than
// "?N": its parser looks each "?N" up in a linear list, which makes a statement with
// thousands of them quadratic to parse.
std::string Bulk(Dialect dialect, int n) {
  return dialect == Dialect::kSqlite ? std::string("?") : db::Placeholder(dialect, n);
}

// The next chunk: min and max of the next `limit` statistic ids after `after`, in the event
// range. The derived table keeps it one index range scan that returns one row.
std::string NextChunkSql(Dialect d) {
  return fmt::format(
      "SELECT MIN(k.event_statistic_id), MAX(k.event_statistic_id) FROM ("
      "SELECT s.event_statistic_id FROM event_statistic s "
      "WHERE s.event_statistic_id > {} AND s.event_id BETWEEN {} AND {} "
      "ORDER BY s.event_statistic_id LIMIT {}) k",
      Bulk(d, 1), Bulk(d, 2), Bulk(d, 3), Bulk(d, 4));
}

// The chunk's statistics with their events' times. PostgreSQL hands instants over as whole
// epoch seconds (floor, like the text parsers' truncation), which needs no parsing and no
// session time zone. MariaDB is told the join order: without STRAIGHT_JOIN it was seen to
// scan all of `event` for every chunk.
std::string ReadEventsSql(Dialect d) {
  switch (d) {
    case Dialect::kPostgres:
      return "SELECT s.event_statistic_id, e.event_id, "
             "floor(extract(epoch FROM e.registration_start))::bigint, "
             "floor(extract(epoch FROM e.event_end))::bigint "
             "FROM event_statistic s JOIN event e ON e.event_id = s.event_id "
             "WHERE s.event_statistic_id BETWEEN $1 AND $2 AND e.event_id BETWEEN $3 AND $4 "
             "ORDER BY s.event_statistic_id";
    case Dialect::kMariaDb:
      return "SELECT s.event_statistic_id, e.event_id, e.registration_start, e.event_end "
             "FROM event_statistic s STRAIGHT_JOIN event e ON e.event_id = s.event_id "
             "WHERE s.event_statistic_id BETWEEN ? AND ? AND s.event_id BETWEEN ? AND ? "
             "ORDER BY s.event_statistic_id";
    case Dialect::kSqlite:
      return "SELECT s.event_statistic_id, e.event_id, e.registration_start, e.event_end "
             "FROM event_statistic s JOIN event e ON e.event_id = s.event_id "
             "WHERE s.event_statistic_id BETWEEN ?1 AND ?2 AND s.event_id BETWEEN ?3 AND ?4 "
             "ORDER BY s.event_statistic_id";
  }
  return {};
}

// The metric rows that exist for the chunk's keys, in unique-key order (an index range scan).
std::string ReadExistingSql(Dialect d) {
  return fmt::format(
      "SELECT event_statistic_id, view_date FROM event_view_metric "
      "WHERE event_statistic_id BETWEEN {} AND {} ORDER BY event_statistic_id, view_date",
      db::Placeholder(d, 1), db::Placeholder(d, 2));
}

std::string_view ConflictClause(Dialect d) {
  switch (d) {
    case Dialect::kPostgres:
    case Dialect::kSqlite:
      return " ON CONFLICT DO NOTHING";
    case Dialect::kMariaDb:
      // A no-op update skips only duplicates; affected rows stay 0 for them (no
      // CLIENT_FOUND_ROWS), so the count is exactly the rows inserted.
      return " ON DUPLICATE KEY UPDATE event_statistic_id = event_statistic_id";
  }
  return {};
}

constexpr std::string_view kInsertHead =
    "INSERT INTO event_view_metric (event_statistic_id, view_date, view_count, created_at, "
    "updated_at) ";

// MariaDB's session variable holding the chunk's timestamp: "?" placeholders are positional,
// so binding the timestamp once per statement would need it per row, doubling the parameters
// (which MariaDB's prepared statements pay for on both sides).
constexpr std::string_view kMariaDbNowVariable = "@strata_event_view_metrics_now";

std::string SetMariaDbNowSql() { return fmt::format("SET {} = ?", kMariaDbNowVariable); }

// A multi-row INSERT for `rows` rows. PostgreSQL binds the timestamp once as $1, MariaDB reads
// it from kMariaDbNowVariable, SQLite (plain "?") binds it per row.
std::string InsertValuesSql(Dialect d, std::int64_t rows) {
  std::string sql(kInsertHead);
  sql += "VALUES ";
  sql.reserve(sql.size() + static_cast<std::size_t>(rows) * 64 + 80);
  const std::string mariadb_row = fmt::format("(?, ?, 0, {0}, {0})", kMariaDbNowVariable);
  int n = 1;
  for (std::int64_t row = 0; row < rows; ++row) {
    if (row > 0) sql += ", ";
    switch (d) {
      case Dialect::kPostgres:
        sql += fmt::format("(${}, ${}, 0, $1, $1)", n + 1, n + 2);
        n += 2;
        break;
      case Dialect::kMariaDb:
        sql += mariadb_row;
        break;
      case Dialect::kSqlite:
        sql += "(?, ?, 0, ?, ?)";
        break;
    }
  }
  sql += ConflictClause(d);
  return sql;
}

// One row's INSERT, bound to many rows at once (ExecuteBatch). MariaDB reads the timestamp
// from kMariaDbNowVariable; the others bind it with every row.
std::string InsertArraySql(Dialect d) {
  switch (d) {
    case Dialect::kPostgres:
      return fmt::format("{}VALUES ($1, $2, 0, $3, $3){}", kInsertHead, ConflictClause(d));
    case Dialect::kMariaDb:
      return fmt::format("{0}VALUES (?, ?, 0, {1}, {1}){2}", kInsertHead, kMariaDbNowVariable,
                         ConflictClause(d));
    case Dialect::kSqlite:
      return fmt::format("{}VALUES (?1, ?2, 0, ?3, ?3){}", kInsertHead, ConflictClause(d));
  }
  return {};
}

std::string CreateStageSql() {
  return fmt::format(
      "CREATE TEMPORARY TABLE IF NOT EXISTS {} (event_statistic_id bigint NOT NULL, "
      "view_date date NOT NULL) ON COMMIT DELETE ROWS",
      kStageTable);
}

std::string CopyStageSql() {
  return fmt::format("COPY {} (event_statistic_id, view_date) FROM STDIN", kStageTable);
}

std::string InsertFromStageSql() {
  return fmt::format(
      "{}SELECT event_statistic_id, view_date, 0, $1, $1 FROM {} ON CONFLICT DO NOTHING",
      kInsertHead, kStageTable);
}

// The packed method: all of a chunk's rows in one statement, as parameters the server expands
// into rows — PostgreSQL two arrays (unnest), MariaDB a JSON array (JSON_TABLE), SQLite a JSON
// array (json_each; the WHERE clause keeps ON CONFLICT from parsing as a join constraint).
std::string InsertPackedSql(Dialect d) {
  switch (d) {
    case Dialect::kPostgres:
      return fmt::format(
          "{}SELECT r.id, r.day, 0, $1, $1 FROM unnest($2::bigint[], $3::date[]) AS r(id, day)"
          "{}",
          kInsertHead, ConflictClause(d));
    case Dialect::kMariaDb:
      return fmt::format(
          "{}SELECT r.id, r.day, 0, ?, ? FROM JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH "
          "'$[0]', day DATE PATH '$[1]')) AS r ON DUPLICATE KEY UPDATE "
          "event_view_metric.event_statistic_id = event_view_metric.event_statistic_id",
          kInsertHead);
    case Dialect::kSqlite:
      return fmt::format(
          "{}SELECT json_extract(r.value, '$[0]'), json_extract(r.value, '$[1]'), 0, ?1, ?1 "
          "FROM json_each(?2) AS r WHERE true{}",
          kInsertHead, ConflictClause(d));
  }
  return {};
}

// ---- One chunk's rows -----------------------------------------------------------------------

struct MetricRow {
  std::int64_t event_statistic_id = 0;
  date::sys_days view_date;
};

// What a chunk needs: the rows missing now, and how many rows it wants in all.
struct ChunkRows {
  std::vector<MetricRow> missing;
  std::int64_t wanted = 0;
  SkippedEvents skipped;
};

// One statistic's wanted days.
struct StatisticDays {
  std::int64_t event_statistic_id = 0;
  domain::DayRange days;
};

Result<domain::EventTime> EventTimeFromCell(const db::Rows& rows, std::size_t row, std::size_t col,
                                            Dialect d, std::int64_t event_id) {
  if (d == Dialect::kPostgres) {
    STRATA_ASSIGN_OR_RETURN(std::int64_t seconds, rows.Int(row, col));
    return domain::EventTime::Instant(date::sys_seconds{std::chrono::seconds{seconds}});
  }
  STRATA_ASSIGN_OR_RETURN(std::string text, rows.Text(row, col));
  const std::string context =
      fmt::format("event {} has {} '{}'", event_id, rows.columns[col], text);
  if (d == Dialect::kMariaDb) {
    auto local = domain::ParseLocalTimestamp(text);
    if (!local) return local.error().WithContext(context);
    return domain::EventTime::WallClock(*local);
  }
  auto utc = domain::ParseUtcTimestamp(text);
  if (!utc) return utc.error().WithContext(context);
  return domain::EventTime::Instant(*utc);
}

// The bound job. Immutable after construction apart from the skip counters.
class EventViewMetricsBound final : public EventViewMetricsJob {
 public:
  EventViewMetricsBound(ParamValues params, Settings settings)
      : params_(std::move(params)), settings_(settings) {}

  const ParamValues& params() const override { return params_; }

  SkippedEvents skipped_events() const override {
    return {ends_before_start_.load(), over_max_days_.load()};
  }

  Status Check(db::Connection& conn) const override;
  Result<std::optional<KeyRange>> NextChunk(db::Connection& conn, std::optional<std::int64_t> after,
                                            std::int64_t max_keys) const override;
  Result<std::optional<std::int64_t>> EstimateKeys(db::Connection& conn) const override;
  Result<ChunkOutcome> Process(db::Connection& conn, const KeyRange& chunk) const override;
  Result<ChunkOutcome> Count(db::Connection& conn, const KeyRange& chunk) const override;
  Result<SampleRows> Sample(db::Connection& conn, const KeyRange& chunk, int limit) const override;
  std::vector<std::string> DescribeSql(Dialect dialect) const override;

 private:
  Result<std::vector<StatisticDays>> WantedDays(db::Connection& conn, const KeyRange& chunk,
                                                SkippedEvents& skipped) const;
  Result<ChunkRows> MissingRows(db::Connection& conn, const KeyRange& chunk) const;
  void Record(const SkippedEvents& skipped) const {
    ends_before_start_ += skipped.ends_before_start;
    over_max_days_ += skipped.over_max_days;
  }
  std::string NowParam(Dialect d, date::sys_seconds now) const;
  Result<std::int64_t> InsertValues(db::Connection& conn, const std::vector<MetricRow>& rows,
                                    const std::string& now) const;
  Result<std::int64_t> InsertByCopy(db::Connection& conn, const std::vector<MetricRow>& rows,
                                    const std::string& now) const;
  static Result<std::int64_t> InsertPacked(db::Connection& conn, const std::vector<MetricRow>& rows,
                                           const std::string& now);
  Result<std::int64_t> InsertArray(db::Connection& conn, const std::vector<MetricRow>& rows,
                                   const std::string& now) const;

  const ParamValues params_;
  const Settings settings_;
  mutable std::atomic<std::int64_t> ends_before_start_{0};
  mutable std::atomic<std::int64_t> over_max_days_{0};
};

// ---- Check ----------------------------------------------------------------------------------

// Names of unique, non-partial indexes on exactly (event_statistic_id, view_date), any order.
// Empty result: no such key. NULL first column: the table itself is missing (PostgreSQL).
std::string UniqueKeySql(Dialect d) {
  switch (d) {
    case Dialect::kPostgres:
      return "SELECT i.indexrelid::regclass::text FROM pg_index i "
             "WHERE i.indrelid = to_regclass('event_view_metric') AND i.indisunique "
             "AND i.indimmediate AND i.indpred IS NULL AND i.indexprs IS NULL "
             "AND i.indnkeyatts = 2 AND (SELECT array_agg(a.attname::text ORDER BY a.attname) "
             "FROM pg_attribute a WHERE a.attrelid = i.indrelid "
             "AND a.attnum IN (i.indkey[0], i.indkey[1])) "
             "= ARRAY['event_statistic_id', 'view_date']";
    case Dialect::kMariaDb:
      return "SELECT INDEX_NAME FROM information_schema.STATISTICS "
             "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'event_view_metric' "
             "AND NON_UNIQUE = 0 GROUP BY INDEX_NAME HAVING COUNT(*) = 2 "
             "AND SUM(COLUMN_NAME IN ('event_statistic_id', 'view_date') "
             "AND SUB_PART IS NULL) = 2";
    case Dialect::kSqlite:
      return "SELECT il.name FROM pragma_index_list('event_view_metric') il "
             "WHERE il.\"unique\" = 1 AND il.partial = 0 "
             "AND (SELECT COUNT(*) FROM pragma_index_info(il.name)) = 2 "
             "AND (SELECT COUNT(*) FROM pragma_index_info(il.name) ii "
             "WHERE ii.name IN ('event_statistic_id', 'view_date')) = 2";
  }
  return {};
}

std::string TableExistsSql(Dialect d) {
  switch (d) {
    case Dialect::kPostgres:
      return "SELECT COUNT(*) FROM (SELECT to_regclass('event_view_metric') AS t) x "
             "WHERE t IS NOT NULL";
    case Dialect::kMariaDb:
      return "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() "
             "AND TABLE_NAME = 'event_view_metric'";
    case Dialect::kSqlite:
      return "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' "
             "AND name = 'event_view_metric'";
  }
  return {};
}

std::string AddUniqueKeyHint(Dialect d) {
  if (d == Dialect::kSqlite) {
    return "CREATE UNIQUE INDEX event_view_metric_statistic_day_uk ON event_view_metric "
           "(event_statistic_id, view_date)";
  }
  return "ALTER TABLE event_view_metric ADD CONSTRAINT event_view_metric_statistic_day_uk "
         "UNIQUE (event_statistic_id, view_date)";
}

Status EventViewMetricsBound::Check(db::Connection& conn) const {
  const Dialect d = conn.dialect();
  if (MethodFor(settings_, d, conn.batches_in_one_round_trip()) == WriteMethod::kCopy &&
      d != Dialect::kPostgres) {
    return Err(ErrorCode::kUnsupported,
               fmt::format("job '{}': write_method=copy works on PostgreSQL only, and {} is {}; "
                           "use write_method=values",
                           kEventViewMetricsJobName, conn.display_url(), db::DialectName(d)));
  }
  STRATA_ASSIGN_OR_RETURN(db::Rows table, conn.Query(TableExistsSql(d)));
  STRATA_ASSIGN_OR_RETURN(std::int64_t tables, table.Int(0, 0));
  if (tables == 0) {
    return Err(ErrorCode::kValidation,
               fmt::format("job '{}': table event_view_metric does not exist on {} (apply the "
                           "event platform's migrations first)",
                           kEventViewMetricsJobName, conn.display_url()));
  }
  STRATA_ASSIGN_OR_RETURN(db::Rows keys, conn.Query(UniqueKeySql(d)));
  if (keys.empty()) {
    return Err(ErrorCode::kValidation,
               fmt::format("job '{}': event_view_metric on {} has no unique key on "
                           "(event_statistic_id, view_date), so rows could be written twice; "
                           "add it with: {}",
                           kEventViewMetricsJobName, conn.display_url(), AddUniqueKeyHint(d)));
  }
  return Ok();
}

// ---- Chunks ---------------------------------------------------------------------------------

Result<std::optional<KeyRange>> EventViewMetricsBound::NextChunk(db::Connection& conn,
                                                                 std::optional<std::int64_t> after,
                                                                 std::int64_t max_keys) const {
  if (max_keys < 1) {
    return Err(ErrorCode::kInternal, fmt::format("NextChunk: max_keys {} < 1", max_keys));
  }
  STRATA_ASSIGN_OR_RETURN(db::Rows rows,
                          conn.Query(NextChunkSql(conn.dialect()),
                                     {after.value_or(kNoLowerBound), settings_.first_event_id,
                                      settings_.last_event_id, max_keys}));
  if (rows.empty() || rows.IsNull(0, 0)) return std::optional<KeyRange>();
  STRATA_ASSIGN_OR_RETURN(std::int64_t first, rows.Int(0, 0));
  STRATA_ASSIGN_OR_RETURN(std::int64_t last, rows.Int(0, 1));
  return std::optional<KeyRange>(KeyRange{first, last});
}

// The statistics of the event range when one is given (an index range scan on event_id);
// otherwise the servers' row estimates, which cost nothing (SQLite has none: it counts).
std::string EstimateKeysSql(Dialect d, bool event_range) {
  if (event_range) {
    return fmt::format("SELECT COUNT(*) FROM event_statistic WHERE event_id BETWEEN {} AND {}",
                       db::Placeholder(d, 1), db::Placeholder(d, 2));
  }
  switch (d) {
    case Dialect::kPostgres:
      return "SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass('event_statistic')";
    case Dialect::kMariaDb:
      return "SELECT TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() "
             "AND TABLE_NAME = 'event_statistic'";
    case Dialect::kSqlite:
      return "SELECT COUNT(*) FROM event_statistic";
  }
  return {};
}

Result<std::optional<std::int64_t>> EventViewMetricsBound::EstimateKeys(
    db::Connection& conn) const {
  const bool event_range =
      settings_.first_event_id != kNoLowerBound || settings_.last_event_id != kNoUpperBound;
  db::Params params;
  if (event_range) params = {settings_.first_event_id, settings_.last_event_id};
  STRATA_ASSIGN_OR_RETURN(db::Rows rows,
                          conn.Query(EstimateKeysSql(conn.dialect(), event_range), params));
  if (rows.empty() || rows.IsNull(0, 0)) return std::optional<std::int64_t>();
  STRATA_ASSIGN_OR_RETURN(std::int64_t keys, rows.Int(0, 0));
  // PostgreSQL says -1 for a table never analysed.
  if (keys < 0) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(keys);
}

Result<std::vector<StatisticDays>> EventViewMetricsBound::WantedDays(db::Connection& conn,
                                                                     const KeyRange& chunk,
                                                                     SkippedEvents& skipped) const {
  const Dialect d = conn.dialect();
  STRATA_ASSIGN_OR_RETURN(db::Rows rows, conn.Query(ReadEventsSql(d), {chunk.first, chunk.last,
                                                                       settings_.first_event_id,
                                                                       settings_.last_event_id}));
  std::vector<StatisticDays> wanted;
  wanted.reserve(rows.size());
  for (std::size_t r = 0; r < rows.size(); ++r) {
    domain::Event event;
    STRATA_ASSIGN_OR_RETURN(std::int64_t statistic_id, rows.Int(r, 0));
    STRATA_ASSIGN_OR_RETURN(event.event_id, rows.Int(r, 1));
    STRATA_ASSIGN_OR_RETURN(event.registration_start,
                            EventTimeFromCell(rows, r, 2, d, event.event_id));
    STRATA_ASSIGN_OR_RETURN(event.event_end, EventTimeFromCell(rows, r, 3, d, event.event_id));
    const domain::MetricDays days = domain::metric_days(event, settings_.zone);
    if (days.skipped()) {
      ++skipped.ends_before_start;
      continue;
    }
    if (days.days.size() > settings_.max_days) {
      if (settings_.skip_over_max_days) {
        ++skipped.over_max_days;
        continue;
      }
      return Err(
          ErrorCode::kInvalidArgument,
          fmt::format("job '{}': event {} (statistic {}) needs {} metric days, from {} to "
                      "{} in {}, more than max_days={}; fix the event's dates, raise "
                      "max_days, or pass over_max_days=skip to leave such events out",
                      kEventViewMetricsJobName, event.event_id, statistic_id, days.days.size(),
                      domain::FormatDay(days.days.first()), domain::FormatDay(days.days.last()),
                      settings_.zone.name(), settings_.max_days));
    }
    wanted.push_back({statistic_id, days.days});
  }
  return wanted;
}

// Wanted days minus the rows that exist. Both lists are in (statistic, day) order, so one
// merge pass finds the missing ones; existing rows outside the wanted days are ignored.
Result<ChunkRows> EventViewMetricsBound::MissingRows(db::Connection& conn,
                                                     const KeyRange& chunk) const {
  ChunkRows out;
  STRATA_ASSIGN_OR_RETURN(std::vector<StatisticDays> wanted, WantedDays(conn, chunk, out.skipped));
  std::int64_t wanted_rows = 0;
  for (const StatisticDays& s : wanted) wanted_rows += s.days.size();
  out.wanted = wanted_rows;
  if (wanted.empty()) return out;
  STRATA_ASSIGN_OR_RETURN(db::Rows existing,
                          conn.Query(ReadExistingSql(conn.dialect()), {chunk.first, chunk.last}));
  out.missing.reserve(static_cast<std::size_t>(wanted_rows));
  std::size_t e = 0;
  std::int64_t existing_id = 0;
  date::sys_days existing_day;
  auto load_existing = [&]() -> Status {
    if (e >= existing.size()) return Ok();
    STRATA_ASSIGN_OR_RETURN(existing_id, existing.Int(e, 0));
    STRATA_ASSIGN_OR_RETURN(std::string text, existing.Text(e, 1));
    STRATA_ASSIGN_OR_RETURN(existing_day, domain::ParseDay(text));
    return Ok();
  };
  STRATA_TRY(load_existing());
  for (const StatisticDays& s : wanted) {
    for (date::sys_days day : s.days) {
      // Skip existing rows that sort before (s, day).
      while (e < existing.size() && (existing_id < s.event_statistic_id ||
                                     (existing_id == s.event_statistic_id && existing_day < day))) {
        ++e;
        STRATA_TRY(load_existing());
      }
      const bool present =
          e < existing.size() && existing_id == s.event_statistic_id && existing_day == day;
      if (!present) out.missing.push_back({s.event_statistic_id, day});
    }
  }
  return out;
}

// ---- Writing --------------------------------------------------------------------------------

// created_at/updated_at as each engine's column stores a moment: PostgreSQL timestamptz text
// with its offset, MariaDB a wall-clock DATETIME in the zone, SQLite ISO-8601 UTC text in the
// shape of the columns' defaults.
std::string EventViewMetricsBound::NowParam(Dialect d, date::sys_seconds now) const {
  switch (d) {
    case Dialect::kPostgres:
      return domain::FormatTimestamp(now) + "+00";
    case Dialect::kMariaDb:
      return domain::FormatTimestamp(settings_.zone.ToLocal(now));
    case Dialect::kSqlite: {
      std::string text = domain::FormatTimestamp(now);
      text[10] = 'T';
      return text + "Z";
    }
  }
  return {};
}

Result<std::int64_t> EventViewMetricsBound::InsertValues(db::Connection& conn,
                                                         const std::vector<MetricRow>& rows,
                                                         const std::string& now) const {
  const Dialect d = conn.dialect();
  const auto per_statement = static_cast<std::size_t>(settings_.rows_per_statement);
  std::int64_t inserted = 0;
  std::string full_sql;  // the SQL for a full statement, built once per chunk
  db::Params params;
  if (d == Dialect::kMariaDb) STRATA_TRY(conn.Execute(SetMariaDbNowSql(), {now}));
  for (std::size_t first = 0; first < rows.size(); first += per_statement) {
    const std::size_t count = std::min(per_statement, rows.size() - first);
    params.clear();
    if (d == Dialect::kPostgres) params.emplace_back(now);
    for (std::size_t i = first; i < first + count; ++i) {
      params.emplace_back(rows[i].event_statistic_id);
      params.emplace_back(domain::FormatDay(rows[i].view_date));
      if (d == Dialect::kSqlite) {
        params.emplace_back(now);
        params.emplace_back(now);
      }
    }
    std::string partial_sql;
    const std::string* sql = &full_sql;
    if (count == per_statement) {
      if (full_sql.empty()) full_sql = InsertValuesSql(d, static_cast<std::int64_t>(count));
    } else {
      partial_sql = InsertValuesSql(d, static_cast<std::int64_t>(count));
      sql = &partial_sql;
    }
    STRATA_ASSIGN_OR_RETURN(std::int64_t affected, conn.Execute(*sql, params));
    inserted += affected;
  }
  return inserted;
}

// PostgreSQL: the rows go through COPY (no per-parameter overhead) into a temporary table that
// empties itself at commit, then one INSERT … SELECT. The rows are already the missing ones,
// so the INSERT needs no NOT EXISTS over the metric table; ON CONFLICT covers rows someone
// else wrote meanwhile.
Result<std::int64_t> EventViewMetricsBound::InsertByCopy(db::Connection& conn,
                                                         const std::vector<MetricRow>& rows,
                                                         const std::string& now) const {
  STRATA_TRY(conn.Execute(CreateStageSql()));
  std::string data;
  data.reserve(rows.size() * 24);
  for (const MetricRow& row : rows) {
    data += std::to_string(row.event_statistic_id);
    data += '\t';
    data += domain::FormatDay(row.view_date);
    data += '\n';
  }
  STRATA_TRY(conn.CopyFrom(CopyStageSql(), data));
  STRATA_ASSIGN_OR_RETURN(std::int64_t inserted, conn.Execute(InsertFromStageSql(), {now}));
  // The stage is emptied at commit; empty it now too, for callers that run several chunks in
  // one transaction.
  STRATA_TRY(conn.Execute(fmt::format("TRUNCATE {}", kStageTable)));
  return inserted;
}

Result<std::int64_t> EventViewMetricsBound::InsertPacked(db::Connection& conn,
                                                         const std::vector<MetricRow>& rows,
                                                         const std::string& now) {
  const Dialect d = conn.dialect();
  db::Params params;
  if (d == Dialect::kPostgres) {
    std::string ids = "{";
    std::string days = "{";
    ids.reserve(rows.size() * 8);
    days.reserve(rows.size() * 11);
    for (std::size_t i = 0; i < rows.size(); ++i) {
      if (i > 0) {
        ids += ',';
        days += ',';
      }
      ids += std::to_string(rows[i].event_statistic_id);
      days += domain::FormatDay(rows[i].view_date);
    }
    ids += '}';
    days += '}';
    params = {now, std::move(ids), std::move(days)};
  } else {
    std::string json = "[";
    json.reserve(rows.size() * 22);
    for (std::size_t i = 0; i < rows.size(); ++i) {
      if (i > 0) json += ',';
      json += '[';
      json += std::to_string(rows[i].event_statistic_id);
      json += ",\"";
      json += domain::FormatDay(rows[i].view_date);
      json += "\"]";
    }
    json += ']';
    if (d == Dialect::kMariaDb) {
      params = {now, now, std::move(json)};
    } else {
      params = {now, std::move(json)};
    }
  }
  return conn.Execute(InsertPackedSql(d), params);
}

// One single-row INSERT bound to up to rows_per_statement rows per call. On MariaDB the
// driver sends them in one round trip (array binding) and the server parses the statement
// once; see MethodFor for why this beats INSERT ... SELECT there.
Result<std::int64_t> EventViewMetricsBound::InsertArray(db::Connection& conn,
                                                        const std::vector<MetricRow>& rows,
                                                        const std::string& now) const {
  const Dialect d = conn.dialect();
  const std::string sql = InsertArraySql(d);
  if (d == Dialect::kMariaDb) STRATA_TRY(conn.Execute(SetMariaDbNowSql(), {now}));
  const auto per_call = static_cast<std::size_t>(settings_.rows_per_statement);
  std::vector<db::Params> batch;
  batch.reserve(std::min(per_call, rows.size()));
  std::int64_t inserted = 0;
  for (std::size_t first = 0; first < rows.size(); first += per_call) {
    batch.clear();
    const std::size_t end = std::min(rows.size(), first + per_call);
    for (std::size_t i = first; i < end; ++i) {
      db::Params& row = batch.emplace_back();
      row.reserve(3);
      row.emplace_back(rows[i].event_statistic_id);
      row.emplace_back(domain::FormatDay(rows[i].view_date));
      if (d != Dialect::kMariaDb) row.emplace_back(now);
    }
    STRATA_ASSIGN_OR_RETURN(std::int64_t affected, conn.ExecuteBatch(sql, batch));
    inserted += affected;
  }
  return inserted;
}

Result<ChunkOutcome> EventViewMetricsBound::Process(db::Connection& conn,
                                                    const KeyRange& chunk) const {
  STRATA_ASSIGN_OR_RETURN(ChunkRows rows, MissingRows(conn, chunk));
  Record(rows.skipped);
  std::int64_t inserted = 0;
  if (!rows.missing.empty()) {
    const auto now = date::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    const std::string now_param = NowParam(conn.dialect(), now);
    switch (MethodFor(settings_, conn.dialect(), conn.batches_in_one_round_trip())) {
      case WriteMethod::kCopy: {
        STRATA_ASSIGN_OR_RETURN(inserted, InsertByCopy(conn, rows.missing, now_param));
        break;
      }
      case WriteMethod::kPacked: {
        STRATA_ASSIGN_OR_RETURN(inserted, InsertPacked(conn, rows.missing, now_param));
        break;
      }
      case WriteMethod::kArray: {
        STRATA_ASSIGN_OR_RETURN(inserted, InsertArray(conn, rows.missing, now_param));
        break;
      }
      case WriteMethod::kValues: {
        STRATA_ASSIGN_OR_RETURN(inserted, InsertValues(conn, rows.missing, now_param));
        break;
      }
    }
  }
  return ChunkOutcome{inserted, rows.wanted - inserted};
}

Result<ChunkOutcome> EventViewMetricsBound::Count(db::Connection& conn,
                                                  const KeyRange& chunk) const {
  STRATA_ASSIGN_OR_RETURN(ChunkRows rows, MissingRows(conn, chunk));
  Record(rows.skipped);
  const auto missing = static_cast<std::int64_t>(rows.missing.size());
  return ChunkOutcome{missing, rows.wanted - missing};
}

Result<SampleRows> EventViewMetricsBound::Sample(db::Connection& conn, const KeyRange& chunk,
                                                 int limit) const {
  STRATA_ASSIGN_OR_RETURN(ChunkRows rows, MissingRows(conn, chunk));
  const auto now = date::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  const std::string now_text = NowParam(conn.dialect(), now);
  SampleRows sample;
  sample.columns = {"event_statistic_id", "view_date", "view_count", "created_at", "updated_at"};
  const std::size_t n = std::min(rows.missing.size(), static_cast<std::size_t>(std::max(0, limit)));
  for (std::size_t i = 0; i < n; ++i) {
    sample.rows.push_back({std::to_string(rows.missing[i].event_statistic_id),
                           domain::FormatDay(rows.missing[i].view_date), "0", now_text, now_text});
  }
  return sample;
}

// Described as it runs on a MariaDB server; on MySQL, which has no array binding, "auto" runs
// the packed statement instead, and the description says so.
std::vector<std::string> EventViewMetricsBound::DescribeSql(Dialect dialect) const {
  std::vector<std::string> sql = {NextChunkSql(dialect), ReadEventsSql(dialect),
                                  ReadExistingSql(dialect)};
  const WriteMethod method = MethodFor(settings_, dialect, /*batches_in_one_round_trip=*/true);
  if (method == WriteMethod::kCopy) {
    sql.push_back(CreateStageSql());
    sql.push_back(CopyStageSql());
    sql.push_back(InsertFromStageSql());
  } else if (method == WriteMethod::kPacked) {
    sql.push_back(InsertPackedSql(dialect) + " -- one statement per chunk, only the missing days");
  } else if (method == WriteMethod::kArray) {
    if (dialect == Dialect::kMariaDb) sql.push_back(SetMariaDbNowSql());
    std::string insert = InsertArraySql(dialect) +
                         fmt::format(" -- bound to up to {} rows at once, only the missing days",
                                     settings_.rows_per_statement);
    if (!settings_.write_method && dialect == Dialect::kMariaDb) {
      insert += "; on MySQL, which has no array binding: " + InsertPackedSql(dialect);
    }
    sql.push_back(std::move(insert));
  } else {
    if (dialect == Dialect::kMariaDb) sql.push_back(SetMariaDbNowSql());
    sql.push_back(InsertValuesSql(dialect, 2) +
                  fmt::format(" -- up to {} rows per statement, only the missing days",
                              settings_.rows_per_statement));
  }
  return sql;
}

// ---- Definition -----------------------------------------------------------------------------

class EventViewMetricsDefinition final : public JobDefinition {
 public:
  std::string_view name() const override { return kEventViewMetricsJobName; }
  std::string_view description() const override {
    return "one event_view_metric row (view_count 0) per calendar day of every event "
           "statistic's event, keeping existing rows";
  }
  std::vector<ParamSpec> parameters() const override { return Specs(); }

  Result<std::unique_ptr<BoundJob>> Bind(const ParamValues& values) const override {
    STRATA_ASSIGN_OR_RETURN(ParamValues params, ApplyParamSpecs(Specs(), values, name()));
    STRATA_ASSIGN_OR_RETURN(Settings settings, ParseSettings(params));
    return std::unique_ptr<BoundJob>(
        std::make_unique<EventViewMetricsBound>(std::move(params), settings));
  }
};

}  // namespace

std::unique_ptr<JobDefinition> MakeEventViewMetricsJob() {
  return std::make_unique<EventViewMetricsDefinition>();
}

}  // namespace strata::backfill
