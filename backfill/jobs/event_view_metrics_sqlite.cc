// The event-view-metrics job's SQLite SQL. Event times are ISO-8601 UTC text; rows are written
// by multi-row INSERTs by default.
#include <fmt/format.h>

#include "backfill/jobs/event_view_metrics_sql.h"
#include "domain/timestamp.h"

namespace strata::backfill::event_view_metrics {
namespace {

class SqliteSqlImpl final : public EventViewMetricsSql {
 public:
  SqliteSqlImpl() : EventViewMetricsSql(db::FlavorFor(db::Dialect::kSqlite)) {}

  // A plain "?" (the next number) rather than "?N": SQLite's parser looks each "?N" up in a
  // linear list, which makes a statement with thousands of them quadratic to parse.
  std::string BulkParam(int /*n*/) const override { return "?"; }

  std::string ReadEventsSql() const override {
    return "SELECT s.event_statistic_id, e.event_id, e.registration_start, e.event_end "
           "FROM event_statistic s JOIN event e ON e.event_id = s.event_id "
           "WHERE s.event_statistic_id BETWEEN ?1 AND ?2 AND s.event_id BETWEEN ?3 AND ?4 "
           "ORDER BY s.event_statistic_id";
  }
  Result<domain::EventTime> ReadEventTime(const db::Rows& rows, std::size_t row, std::size_t col,
                                          std::int64_t event_id) const override {
    STRATA_ASSIGN_OR_RETURN(std::string text, rows.Text(row, col));
    auto utc = domain::ParseUtcTimestamp(text);
    if (!utc) {
      return utc.error().WithContext(
          fmt::format("event {} has {} '{}'", event_id, rows.columns[col], text));
    }
    return domain::EventTime::Instant(*utc);
  }

  std::string TableExistsSql() const override {
    return "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' "
           "AND name = 'event_view_metric'";
  }
  std::string UniqueKeySql() const override {
    return "SELECT il.name FROM pragma_index_list('event_view_metric') il "
           "WHERE il.\"unique\" = 1 AND il.partial = 0 "
           "AND (SELECT COUNT(*) FROM pragma_index_info(il.name)) = 2 "
           "AND (SELECT COUNT(*) FROM pragma_index_info(il.name) ii "
           "WHERE ii.name IN ('event_statistic_id', 'view_date')) = 2";
  }
  // SQLite cannot add a constraint to a table; a unique index does the same.
  std::string AddUniqueKeySql() const override {
    return "CREATE UNIQUE INDEX event_view_metric_statistic_day_uk ON event_view_metric "
           "(event_statistic_id, view_date)";
  }
  // SQLite keeps no row estimates: it counts.
  std::string EstimateAllKeysSql() const override { return "SELECT COUNT(*) FROM event_statistic"; }

  // Multi-row INSERTs (bench/backfill_bench.py).
  WriteMethod AutoWriteMethod(bool /*batches_in_one_round_trip*/) const override {
    return WriteMethod::kValues;
  }
  // ISO-8601 UTC text in the shape of the columns' defaults.
  std::string NowParam(date::sys_seconds now, const domain::Zone& /*zone*/) const override {
    std::string text = domain::FormatTimestamp(now);
    text[10] = 'T';
    return text + "Z";
  }

  // Plain "?" placeholders: the timestamp is bound with every row.
  std::string InsertValuesSql(std::int64_t rows) const override {
    std::string sql(kInsertHead);
    sql += "VALUES ";
    sql.reserve(sql.size() + static_cast<std::size_t>(rows) * 64 + 80);
    for (std::int64_t row = 0; row < rows; ++row) {
      if (row > 0) sql += ", ";
      sql += "(?, ?, 0, ?, ?)";
    }
    sql += SkipDuplicates();
    return sql;
  }
  void BindValuesRow(db::Params& params, const MetricRow& row,
                     const std::string& now) const override {
    EventViewMetricsSql::BindValuesRow(params, row, now);
    params.emplace_back(now);
    params.emplace_back(now);
  }

  std::string InsertArraySql() const override {
    return fmt::format("{}VALUES (?1, ?2, 0, ?3, ?3){}", kInsertHead, SkipDuplicates());
  }

  // A JSON array json_each unpacks; the WHERE clause keeps ON CONFLICT from parsing as a join
  // constraint.
  std::string InsertPackedSql() const override {
    return fmt::format(
        "{}SELECT json_extract(r.value, '$[0]'), json_extract(r.value, '$[1]'), 0, ?1, ?1 "
        "FROM json_each(?2) AS r WHERE true{}",
        kInsertHead, SkipDuplicates());
  }
  db::Params PackedParams(const std::vector<MetricRow>& rows,
                          const std::string& now) const override {
    return {now, JsonPairs(rows)};
  }
};

}  // namespace

const EventViewMetricsSql& SqliteSql() {
  static const SqliteSqlImpl sql;
  return sql;
}

}  // namespace strata::backfill::event_view_metrics
