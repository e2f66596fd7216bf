#include "backfill/jobs/event_view_metrics_write.h"

#include <fmt/format.h>

#include <algorithm>

namespace strata::backfill::event_view_metrics {
namespace {

// Multi-row INSERTs of up to `per_statement` rows each. The SQL of a full statement is built
// once per chunk; only the last, shorter one needs its own.
Result<std::int64_t> InsertValues(db::Connection& conn, const EventViewMetricsSql& sql,
                                  const std::vector<MetricRow>& rows, const std::string& now,
                                  std::int64_t rows_per_statement) {
  const auto per_statement = static_cast<std::size_t>(rows_per_statement);
  std::int64_t inserted = 0;
  std::string full_sql;
  db::Params params;
  if (const std::string set_now = sql.SetNowSql(); !set_now.empty()) {
    STRATA_TRY(conn.Execute(set_now, {now}));
  }
  for (std::size_t first = 0; first < rows.size(); first += per_statement) {
    const std::size_t count = std::min(per_statement, rows.size() - first);
    params.clear();
    sql.BindValuesStatement(params, now);
    for (std::size_t i = first; i < first + count; ++i) sql.BindValuesRow(params, rows[i], now);
    std::string partial_sql;
    const std::string* statement = &full_sql;
    if (count == per_statement) {
      if (full_sql.empty()) full_sql = sql.InsertValuesSql(static_cast<std::int64_t>(count));
    } else {
      partial_sql = sql.InsertValuesSql(static_cast<std::int64_t>(count));
      statement = &partial_sql;
    }
    STRATA_ASSIGN_OR_RETURN(std::int64_t affected, conn.Execute(*statement, params));
    inserted += affected;
  }
  return inserted;
}

// One single-row INSERT bound to up to `per_call` rows per call. On MariaDB the driver sends
// them in one round trip (array binding) and the server parses the statement once.
Result<std::int64_t> InsertArray(db::Connection& conn, const EventViewMetricsSql& sql,
                                 const std::vector<MetricRow>& rows, const std::string& now,
                                 std::int64_t rows_per_statement) {
  const std::string insert = sql.InsertArraySql();
  if (const std::string set_now = sql.SetNowSql(); !set_now.empty()) {
    STRATA_TRY(conn.Execute(set_now, {now}));
  }
  const auto per_call = static_cast<std::size_t>(rows_per_statement);
  std::vector<db::Params> batch;
  batch.reserve(std::min(per_call, rows.size()));
  std::int64_t inserted = 0;
  for (std::size_t first = 0; first < rows.size(); first += per_call) {
    batch.clear();
    const std::size_t end = std::min(rows.size(), first + per_call);
    for (std::size_t i = first; i < end; ++i) sql.BindArrayRow(batch.emplace_back(), rows[i], now);
    STRATA_ASSIGN_OR_RETURN(std::int64_t affected, conn.ExecuteBatch(insert, batch));
    inserted += affected;
  }
  return inserted;
}

}  // namespace

WriteMethod MethodFor(const Settings& settings, const EventViewMetricsSql& sql,
                      bool batches_in_one_round_trip) {
  if (settings.write_method) return *settings.write_method;
  return sql.AutoWriteMethod(batches_in_one_round_trip);
}

Result<std::int64_t> WriteRows(db::Connection& conn, const EventViewMetricsSql& sql,
                               WriteMethod method, const std::vector<MetricRow>& rows,
                               const std::string& now, std::int64_t rows_per_statement) {
  switch (method) {
    case WriteMethod::kCopy:
      return sql.InsertByCopy(conn, rows, now);
    case WriteMethod::kPacked:
      return conn.Execute(sql.InsertPackedSql(), sql.PackedParams(rows, now));
    case WriteMethod::kArray:
      return InsertArray(conn, sql, rows, now, rows_per_statement);
    case WriteMethod::kValues:
      return InsertValues(conn, sql, rows, now, rows_per_statement);
  }
  return Err(ErrorCode::kInternal, "unknown write method");
}

std::vector<std::string> DescribeWrite(const EventViewMetricsSql& sql, WriteMethod method,
                                       bool auto_chosen, std::int64_t rows_per_statement) {
  std::vector<std::string> out;
  const std::string set_now = sql.SetNowSql();
  switch (method) {
    case WriteMethod::kCopy:
      // Described as it runs on PostgreSQL whatever the engine; Check refuses it elsewhere.
      return CopyStatements();
    case WriteMethod::kPacked:
      out.push_back(sql.InsertPackedSql() + " -- one statement per chunk, only the missing days");
      return out;
    case WriteMethod::kArray: {
      if (!set_now.empty()) out.push_back(set_now);
      std::string insert =
          sql.InsertArraySql() + fmt::format(
                                     " -- bound to up to {} rows at once, only the "
                                     "missing days",
                                     rows_per_statement);
      // "auto" chose array for a server that batches rows (MariaDB); MySQL, which does not,
      // runs the packed statement instead.
      if (auto_chosen && sql.AutoWriteMethod(false) == WriteMethod::kPacked) {
        insert += "; on MySQL, which has no array binding: " + sql.InsertPackedSql();
      }
      out.push_back(std::move(insert));
      return out;
    }
    case WriteMethod::kValues:
      if (!set_now.empty()) out.push_back(set_now);
      out.push_back(sql.InsertValuesSql(2) +
                    fmt::format(" -- up to {} rows per statement, only the missing days",
                                rows_per_statement));
      return out;
  }
  return out;
}

}  // namespace strata::backfill::event_view_metrics
