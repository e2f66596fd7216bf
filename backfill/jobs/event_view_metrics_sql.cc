#include "backfill/jobs/event_view_metrics_sql.h"

#include <fmt/format.h>

#include "domain/timestamp.h"

namespace strata::backfill::event_view_metrics {

// The job's one switch on the engine: its SQL is written against each engine's storage of
// the event tables (see examples/events/migrations), which no generic flavor fact describes.
const EventViewMetricsSql& EventViewMetricsSql::For(db::Dialect dialect) {
  switch (dialect) {
    case db::Dialect::kPostgres:
      return PostgresSql();
    case db::Dialect::kMariaDb:
      return MariaDbSql();
    case db::Dialect::kSqlite:
      return SqliteSql();
  }
  return SqliteSql();
}

void EventViewMetricsSql::BindValuesRow(db::Params& params, const MetricRow& row,
                                        const std::string& /*now*/) const {
  params.emplace_back(row.event_statistic_id);
  params.emplace_back(domain::FormatDay(row.view_date));
}

void EventViewMetricsSql::BindArrayRow(db::Params& params, const MetricRow& row,
                                       const std::string& now) const {
  params.reserve(3);
  params.emplace_back(row.event_statistic_id);
  params.emplace_back(domain::FormatDay(row.view_date));
  params.emplace_back(now);
}

Result<std::int64_t> EventViewMetricsSql::InsertByCopy(db::Connection& conn,
                                                       const std::vector<MetricRow>& /*rows*/,
                                                       const std::string& /*now*/) const {
  return Err(ErrorCode::kUnsupported,
             fmt::format("write_method=copy works on PostgreSQL only, and {} is {}",
                         conn.display_url(), flavor_.name()));
}

std::string EventViewMetricsSql::JsonPairs(const std::vector<MetricRow>& rows) {
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
  return json;
}

}  // namespace strata::backfill::event_view_metrics
