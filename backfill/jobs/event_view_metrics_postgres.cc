// The event-view-metrics job's PostgreSQL SQL. Event times are timestamptz, read as whole epoch
// seconds; rows are written by COPY straight into event_view_metric by default, under a
// savepoint, with a COPY into a temporary stage table and INSERT ... ON CONFLICT DO NOTHING
// when someone else wrote one of the rows first.
#include <fmt/format.h>

#include <string_view>

#include "backfill/jobs/event_view_metrics_sql.h"
#include "domain/timestamp.h"

namespace strata::backfill::event_view_metrics {
namespace {

// The temporary table the COPY method's fallback stages rows in (per session).
constexpr std::string_view kStageTable = "strata_event_view_metric_stage";
// The savepoint the direct COPY runs under, so that a conflict undoes only the COPY.
constexpr std::string_view kCopySavepoint = "strata_event_view_metric_copy";
// unique_violation: someone else wrote one of the chunk's rows after the job read them.
constexpr std::string_view kUniqueViolation = "23505";

std::string CopyTableSql() {
  return "COPY event_view_metric (event_statistic_id, view_date, view_count, created_at, "
         "updated_at) FROM STDIN";
}

// The rows in COPY's text format, every column given: the table's defaults would stamp them
// with the transaction's start rather than the chunk's timestamp the other methods write.
std::string CopyTableData(const std::vector<MetricRow>& rows, const std::string& now) {
  const std::string tail = fmt::format("\t0\t{0}\t{0}\n", now);
  std::string data;
  data.reserve(rows.size() * (tail.size() + 32));
  for (const MetricRow& row : rows) {
    data += std::to_string(row.event_statistic_id);
    data += '\t';
    data += domain::FormatDay(row.view_date);
    data += tail;
  }
  return data;
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

class PostgresSqlImpl final : public EventViewMetricsSql {
 public:
  PostgresSqlImpl() : EventViewMetricsSql(db::FlavorFor(db::Dialect::kPostgres)) {}

  // Instants as whole epoch seconds (floor, like the text parsers' truncation): no parsing,
  // and no session time zone.
  std::string ReadEventsSql() const override {
    return "SELECT s.event_statistic_id, e.event_id, "
           "floor(extract(epoch FROM e.registration_start))::bigint, "
           "floor(extract(epoch FROM e.event_end))::bigint "
           "FROM event_statistic s JOIN event e ON e.event_id = s.event_id "
           "WHERE s.event_statistic_id BETWEEN $1 AND $2 AND e.event_id BETWEEN $3 AND $4 "
           "ORDER BY s.event_statistic_id";
  }
  Result<domain::EventTime> ReadEventTime(const db::Rows& rows, std::size_t row, std::size_t col,
                                          std::int64_t /*event_id*/) const override {
    STRATA_ASSIGN_OR_RETURN(std::int64_t seconds, rows.Int(row, col));
    return domain::EventTime::Instant(date::sys_seconds{std::chrono::seconds{seconds}});
  }

  // to_regclass follows the search_path, as the job's unqualified statements do.
  std::string TableExistsSql() const override {
    return "SELECT COUNT(*) FROM (SELECT to_regclass('event_view_metric') AS t) x "
           "WHERE t IS NOT NULL";
  }
  std::string UniqueKeySql() const override {
    return "SELECT i.indexrelid::regclass::text FROM pg_index i "
           "WHERE i.indrelid = to_regclass('event_view_metric') AND i.indisunique "
           "AND i.indimmediate AND i.indpred IS NULL AND i.indexprs IS NULL "
           "AND i.indnkeyatts = 2 AND (SELECT array_agg(a.attname::text ORDER BY a.attname) "
           "FROM pg_attribute a WHERE a.attrelid = i.indrelid "
           "AND a.attnum IN (i.indkey[0], i.indkey[1])) "
           "= ARRAY['event_statistic_id', 'view_date']";
  }
  // The planner's estimate, which costs nothing (-1 for a table never analysed).
  std::string EstimateAllKeysSql() const override {
    return "SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass('event_statistic')";
  }

  // Measured at 100,000 events (bench/backfill_driver.cc): COPY beat multi-row INSERTs 1.4x
  // (and unnest).
  WriteMethod AutoWriteMethod(bool /*batches_in_one_round_trip*/) const override {
    return WriteMethod::kCopy;
  }
  bool has_copy() const override { return true; }
  // timestamptz text with its offset.
  std::string NowParam(date::sys_seconds now, const domain::Zone& /*zone*/) const override {
    return domain::FormatTimestamp(now) + "+00";
  }

  // The timestamp is bound once, as $1.
  std::string InsertValuesSql(std::int64_t rows) const override {
    std::string sql(kInsertHead);
    sql += "VALUES ";
    sql.reserve(sql.size() + static_cast<std::size_t>(rows) * 64 + 80);
    int n = 1;
    for (std::int64_t row = 0; row < rows; ++row) {
      if (row > 0) sql += ", ";
      sql += fmt::format("(${}, ${}, 0, $1, $1)", n + 1, n + 2);
      n += 2;
    }
    sql += SkipDuplicates();
    return sql;
  }
  void BindValuesStatement(db::Params& params, const std::string& now) const override {
    params.emplace_back(now);
  }

  std::string InsertArraySql() const override {
    return fmt::format("{}VALUES ($1, $2, 0, $3, $3){}", kInsertHead, SkipDuplicates());
  }

  // Two arrays the server unnests.
  std::string InsertPackedSql() const override {
    return fmt::format(
        "{}SELECT r.id, r.day, 0, $1, $1 FROM unnest($2::bigint[], $3::date[]) AS r(id, day)"
        "{}",
        kInsertHead, SkipDuplicates());
  }
  db::Params PackedParams(const std::vector<MetricRow>& rows,
                          const std::string& now) const override {
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
    return {now, std::move(ids), std::move(days)};
  }

  // The rows are the ones missing when the chunk read the table, so COPY straight into it
  // writes each once, at the cost of loading them (measured at production durability: the
  // stage table and ON CONFLICT's speculative insertion cost 1.45x the WAL of COPY and about
  // twice its time). A row someone else wrote since makes the unique index refuse the COPY
  // (after waiting for that writer, as ON CONFLICT would); then the savepoint undoes the COPY
  // alone and the rows go in through the stage, skipping the ones that exist.
  Result<std::int64_t> InsertByCopy(db::Connection& conn, const std::vector<MetricRow>& rows,
                                    const std::string& now) const override {
    STRATA_TRY(conn.Savepoint(kCopySavepoint));
    const Status copied = conn.CopyFrom(CopyTableSql(), CopyTableData(rows, now));
    if (copied) {
      STRATA_TRY(conn.ReleaseSavepoint(kCopySavepoint));
      return static_cast<std::int64_t>(rows.size());
    }
    if (copied.error().sqlstate != kUniqueViolation) return copied.error();
    STRATA_TRY(conn.RollbackToSavepoint(kCopySavepoint));
    STRATA_TRY(conn.ReleaseSavepoint(kCopySavepoint));
    return InsertThroughStage(conn, rows, now);
  }

 private:
  // COPY (no per-parameter overhead) into a temporary table that empties itself at commit,
  // then one INSERT ... SELECT. The rows are already the missing ones, so the INSERT needs no
  // NOT EXISTS over the metric table; ON CONFLICT covers rows someone else wrote meanwhile.
  static Result<std::int64_t> InsertThroughStage(db::Connection& conn,
                                                 const std::vector<MetricRow>& rows,
                                                 const std::string& now) {
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
    // The stage is emptied at commit; empty it now too, for callers that run several chunks
    // in one transaction.
    STRATA_TRY(conn.Execute(fmt::format("TRUNCATE {}", kStageTable)));
    return inserted;
  }
};

}  // namespace

std::vector<std::string> CopyStatements() {
  return {fmt::format("SAVEPOINT {}", kCopySavepoint),
          CopyTableSql() + " -- only the missing days",
          fmt::format("RELEASE SAVEPOINT {}", kCopySavepoint),
          fmt::format("-- when a row was written meanwhile (unique_violation): ROLLBACK TO "
                      "SAVEPOINT {}, then:",
                      kCopySavepoint),
          CreateStageSql(),
          CopyStageSql(),
          InsertFromStageSql()};
}

const EventViewMetricsSql& PostgresSql() {
  static const PostgresSqlImpl sql;
  return sql;
}

}  // namespace strata::backfill::event_view_metrics
