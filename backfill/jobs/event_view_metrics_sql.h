// What the event-view-metrics job says differently to each engine: how it reads event times
// (each engine stores them its own way, see examples/events/migrations), how it checks the
// metric table, and the statements and parameter shapes of its bulk writes. One implementation
// per engine (event_view_metrics_{postgres,mariadb,sqlite}.cc), chosen once per connection by
// EventViewMetricsSql::Of(). This SQL belongs to this job's tables, so it lives here rather
// than in db::Flavor; what is generic (placeholders, the conflict clause) comes from the
// flavor. Internal to backfill/jobs/.
#ifndef STRATA_BACKFILL_JOBS_EVENT_VIEW_METRICS_SQL_H_
#define STRATA_BACKFILL_JOBS_EVENT_VIEW_METRICS_SQL_H_

#include <date/date.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "backfill/jobs/event_view_metrics_params.h"
#include "base/result.h"
#include "db/connection.h"
#include "db/flavor/flavor.h"
#include "domain/event.h"
#include "domain/zone.h"

namespace strata::backfill::event_view_metrics {

// One event_view_metric row to write (view_count 0, created_at = updated_at = now).
struct MetricRow {
  std::int64_t event_statistic_id = 0;
  date::sys_days view_date;
};

inline constexpr std::string_view kInsertHead =
    "INSERT INTO event_view_metric (event_statistic_id, view_date, view_count, created_at, "
    "updated_at) ";

class EventViewMetricsSql {
 public:
  virtual ~EventViewMetricsSql() = default;
  EventViewMetricsSql(const EventViewMetricsSql&) = delete;
  EventViewMetricsSql& operator=(const EventViewMetricsSql&) = delete;

  // The implementation for `dialect` (the one switch on it); lives as long as the program.
  static const EventViewMetricsSql& For(db::Dialect dialect);
  static const EventViewMetricsSql& Of(const db::Connection& conn) { return For(conn.dialect()); }

  const db::Flavor& flavor() const { return flavor_; }

  // ---- Reading ----------------------------------------------------------------------------

  // The n-th placeholder of a statement that may have thousands (see SQLite's).
  virtual std::string BulkParam(int n) const { return flavor_.Param(n); }
  // The chunk's statistics with their events' times: statistic id, event id, registration
  // start, event end; parameters: first and last statistic id, first and last event id.
  virtual std::string ReadEventsSql() const = 0;
  // The event time in `rows` at (row, col), as ReadEventsSql returns it.
  virtual Result<domain::EventTime> ReadEventTime(const db::Rows& rows, std::size_t row,
                                                  std::size_t col, std::int64_t event_id) const = 0;

  // ---- Checks and estimates ---------------------------------------------------------------

  // One row, one count: 1 when event_view_metric exists, 0 when not.
  virtual std::string TableExistsSql() const = 0;
  // Names of unique, non-partial indexes on exactly (event_statistic_id, view_date), any
  // order. Empty result: no such key.
  virtual std::string UniqueKeySql() const = 0;
  // The statement that adds that key, for the error that asks for it.
  virtual std::string AddUniqueKeySql() const {
    return "ALTER TABLE event_view_metric ADD CONSTRAINT event_view_metric_statistic_day_uk "
           "UNIQUE (event_statistic_id, view_date)";
  }
  // One row: the number of statistics, or an estimate of it (NULL or negative: unknown).
  virtual std::string EstimateAllKeysSql() const = 0;

  // ---- Writing ----------------------------------------------------------------------------

  // What write_method=auto means here, for a connection that does or does not send array-bound
  // rows in one round trip.
  virtual WriteMethod AutoWriteMethod(bool batches_in_one_round_trip) const = 0;
  // Whether write_method=copy works (PostgreSQL's COPY).
  virtual bool has_copy() const { return false; }
  // created_at/updated_at as the engine's columns store the moment `now`.
  virtual std::string NowParam(date::sys_seconds now, const domain::Zone& zone) const = 0;
  // A statement run once, bound to the timestamp, before the values and array writes; ""
  // when there is none. (MariaDB keeps the timestamp in a session variable.)
  virtual std::string SetNowSql() const { return ""; }

  // values: a multi-row INSERT for `rows` rows; its parameters are the statement's
  // (BindValuesStatement) followed by each row's (BindValuesRow).
  virtual std::string InsertValuesSql(std::int64_t rows) const = 0;
  virtual void BindValuesStatement(db::Params& /*params*/, const std::string& /*now*/) const {}
  virtual void BindValuesRow(db::Params& params, const MetricRow& row,
                             const std::string& now) const;

  // array: one row's INSERT, bound to many rows at once (Connection::ExecuteBatch).
  virtual std::string InsertArraySql() const = 0;
  virtual void BindArrayRow(db::Params& params, const MetricRow& row, const std::string& now) const;

  // packed: all of a chunk's rows in one statement, as parameters the server unpacks.
  virtual std::string InsertPackedSql() const = 0;
  virtual db::Params PackedParams(const std::vector<MetricRow>& rows,
                                  const std::string& now) const = 0;

  // copy: the rows through COPY into the table (under a savepoint; on a unique violation
  // through a stage table and INSERT ... SELECT ... ON CONFLICT DO NOTHING instead); returns
  // the rows inserted. kUnsupported where !has_copy().
  virtual Result<std::int64_t> InsertByCopy(db::Connection& conn,
                                            const std::vector<MetricRow>& rows,
                                            const std::string& now) const;

 protected:
  explicit EventViewMetricsSql(const db::Flavor& flavor) : flavor_(flavor) {}

  // " ON CONFLICT DO NOTHING" or its MariaDB equivalent.
  std::string SkipDuplicates() const { return flavor_.OnConflictDoNothing("event_statistic_id"); }
  // The rows as a JSON array of [id, "day"] pairs (MariaDB's JSON_TABLE, SQLite's json_each).
  static std::string JsonPairs(const std::vector<MetricRow>& rows);

 private:
  const db::Flavor& flavor_;
};

// The statements of the copy method, as they run on PostgreSQL, with its fallback.
std::vector<std::string> CopyStatements();

// The engines' implementations (one file each).
const EventViewMetricsSql& PostgresSql();  // event_view_metrics_postgres.cc
const EventViewMetricsSql& MariaDbSql();   // event_view_metrics_mariadb.cc
const EventViewMetricsSql& SqliteSql();    // event_view_metrics_sqlite.cc

}  // namespace strata::backfill::event_view_metrics

#endif  // STRATA_BACKFILL_JOBS_EVENT_VIEW_METRICS_SQL_H_
