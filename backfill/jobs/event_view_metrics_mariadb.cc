// The event-view-metrics job's MariaDB (and MySQL) SQL. Event times are DATETIME wall-clock
// times already in the job's zone; the chunk's timestamp lives in a session variable; rows are
// array-bound by default (JSON_TABLE on MySQL).
#include <fmt/format.h>

#include "backfill/jobs/event_view_metrics_sql.h"
#include "domain/timestamp.h"

namespace strata::backfill::event_view_metrics {
namespace {

// The session variable holding the chunk's timestamp: "?" placeholders are positional, so
// binding the timestamp once per statement would need it per row, doubling the parameters
// (which MariaDB's prepared statements pay for on both sides).
constexpr std::string_view kNowVariable = "@strata_event_view_metrics_now";

class MariaDbSqlImpl final : public EventViewMetricsSql {
 public:
  MariaDbSqlImpl() : EventViewMetricsSql(db::FlavorFor(db::Dialect::kMariaDb)) {}

  // Told the join order: without STRAIGHT_JOIN it was seen to scan all of `event` for every
  // chunk.
  std::string ReadEventsSql() const override {
    return "SELECT s.event_statistic_id, e.event_id, e.registration_start, e.event_end "
           "FROM event_statistic s STRAIGHT_JOIN event e ON e.event_id = s.event_id "
           "WHERE s.event_statistic_id BETWEEN ? AND ? AND s.event_id BETWEEN ? AND ? "
           "ORDER BY s.event_statistic_id";
  }
  Result<domain::EventTime> ReadEventTime(const db::Rows& rows, std::size_t row, std::size_t col,
                                          std::int64_t event_id) const override {
    STRATA_ASSIGN_OR_RETURN(std::string text, rows.Text(row, col));
    auto local = domain::ParseLocalTimestamp(text);
    if (!local) {
      return local.error().WithContext(
          fmt::format("event {} has {} '{}'", event_id, rows.columns[col], text));
    }
    return domain::EventTime::WallClock(*local);
  }

  std::string TableExistsSql() const override {
    return "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() "
           "AND TABLE_NAME = 'event_view_metric'";
  }
  std::string UniqueKeySql() const override {
    return "SELECT INDEX_NAME FROM information_schema.STATISTICS "
           "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'event_view_metric' "
           "AND NON_UNIQUE = 0 GROUP BY INDEX_NAME HAVING COUNT(*) = 2 "
           "AND SUM(COLUMN_NAME IN ('event_statistic_id', 'view_date') "
           "AND SUB_PART IS NULL) = 2";
  }
  // InnoDB's estimate, which costs nothing.
  std::string EstimateAllKeysSql() const override {
    return "SELECT TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() "
           "AND TABLE_NAME = 'event_statistic'";
  }

  // Measured at 100,000 events (bench/backfill_driver.cc, bench/backfill_bench.py): JSON_TABLE
  // beat multi-row INSERTs 1.26x (prepared statements with 10,000 placeholders cost both
  // sides), and array binding matched JSON_TABLE with one worker but, unlike it, scales with
  // workers: an INSERT ... SELECT holds InnoDB's table-level AUTO-INC lock to the end of the
  // statement, which serialises the workers and makes the service's own inserts into the
  // table wait behind every chunk, while a bound INSERT ... VALUES only takes the
  // auto-increment mutex. MySQL has no array binding, so it keeps JSON_TABLE.
  WriteMethod AutoWriteMethod(bool batches_in_one_round_trip) const override {
    return batches_in_one_round_trip ? WriteMethod::kArray : WriteMethod::kPacked;
  }
  // A wall-clock DATETIME in the zone.
  std::string NowParam(date::sys_seconds now, const domain::Zone& zone) const override {
    return domain::FormatTimestamp(zone.ToLocal(now));
  }
  std::string SetNowSql() const override { return fmt::format("SET {} = ?", kNowVariable); }

  // The timestamp comes from kNowVariable.
  std::string InsertValuesSql(std::int64_t rows) const override {
    std::string sql(kInsertHead);
    sql += "VALUES ";
    sql.reserve(sql.size() + static_cast<std::size_t>(rows) * 64 + 80);
    const std::string one_row = fmt::format("(?, ?, 0, {0}, {0})", kNowVariable);
    for (std::int64_t row = 0; row < rows; ++row) {
      if (row > 0) sql += ", ";
      sql += one_row;
    }
    sql += SkipDuplicates();
    return sql;
  }

  // On MariaDB the driver sends the rows in one round trip and the server parses the
  // statement once.
  std::string InsertArraySql() const override {
    return fmt::format("{0}VALUES (?, ?, 0, {1}, {1}){2}", kInsertHead, kNowVariable,
                       SkipDuplicates());
  }
  void BindArrayRow(db::Params& params, const MetricRow& row,
                    const std::string& /*now*/) const override {
    params.reserve(3);
    params.emplace_back(row.event_statistic_id);
    params.emplace_back(domain::FormatDay(row.view_date));
  }

  // A JSON array JSON_TABLE unpacks; the conflict clause names the table, as the SELECT has
  // its own columns.
  std::string InsertPackedSql() const override {
    return fmt::format(
        "{}SELECT r.id, r.day, 0, ?, ? FROM JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH "
        "'$[0]', day DATE PATH '$[1]')) AS r{}",
        kInsertHead, flavor().OnConflictDoNothing("event_view_metric.event_statistic_id"));
  }
  db::Params PackedParams(const std::vector<MetricRow>& rows,
                          const std::string& now) const override {
    return {now, now, JsonPairs(rows)};
  }
};

}  // namespace

const EventViewMetricsSql& MariaDbSql() {
  static const MariaDbSqlImpl sql;
  return sql;
}

}  // namespace strata::backfill::event_view_metrics
