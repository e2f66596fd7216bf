// The event-view-metrics job (see event_view_metrics.h): cutting the statistics into chunks,
// and per chunk the wanted days, the missing rows and their writing. Its parameters are in
// event_view_metrics_params.cc, what it says differently to each engine in
// event_view_metrics_{postgres,mariadb,sqlite}.cc, and the write methods' loops in
// event_view_metrics_write.cc.
#include "backfill/jobs/event_view_metrics.h"

#include <date/date.h>
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "backfill/jobs/event_view_metrics_params.h"
#include "backfill/jobs/event_view_metrics_sql.h"
#include "backfill/jobs/event_view_metrics_write.h"
#include "domain/event.h"
#include "domain/metric_days.h"
#include "domain/timestamp.h"

namespace strata::backfill {
namespace {

using event_view_metrics::EventViewMetricsSql;
using event_view_metrics::kNoLowerBound;
using event_view_metrics::MetricRow;
using event_view_metrics::Settings;
using event_view_metrics::WriteMethod;

// ---- Generic SQL ----------------------------------------------------------------------------

// The next chunk: min, max and count of the next `limit` statistic ids after `after`, in the
// event range. The derived table keeps it one index range scan that returns one row.
std::string NextChunkSql(const EventViewMetricsSql& sql) {
  return fmt::format(
      "SELECT MIN(k.event_statistic_id), MAX(k.event_statistic_id), COUNT(*) FROM ("
      "SELECT s.event_statistic_id FROM event_statistic s "
      "WHERE s.event_statistic_id > {} AND s.event_id BETWEEN {} AND {} "
      "ORDER BY s.event_statistic_id LIMIT {}) k",
      sql.BulkParam(1), sql.BulkParam(2), sql.BulkParam(3), sql.BulkParam(4));
}

// The metric rows that exist for the chunk's keys, in unique-key order (an index range scan).
std::string ReadExistingSql(const db::Flavor& flavor) {
  return fmt::format(
      "SELECT event_statistic_id, view_date FROM event_view_metric "
      "WHERE event_statistic_id BETWEEN {} AND {} ORDER BY event_statistic_id, view_date",
      flavor.Param(1), flavor.Param(2));
}

// The statistics of the event range when one is given (an index range scan on event_id);
// otherwise the engine's estimate of all of them.
std::string EstimateKeysSql(const EventViewMetricsSql& sql, bool event_range) {
  if (!event_range) return sql.EstimateAllKeysSql();
  return fmt::format("SELECT COUNT(*) FROM event_statistic WHERE event_id BETWEEN {} AND {}",
                     sql.flavor().Param(1), sql.flavor().Param(2));
}

// ---- One chunk's rows -----------------------------------------------------------------------

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

date::sys_seconds NowSeconds() {
  return date::floor<std::chrono::seconds>(std::chrono::system_clock::now());
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
  Result<std::optional<ChunkCut>> NextChunk(db::Connection& conn, std::optional<std::int64_t> after,
                                            std::int64_t max_keys) const override;
  Result<std::optional<std::int64_t>> EstimateKeys(db::Connection& conn) const override;
  Result<ChunkOutcome> Process(db::Connection& conn, const KeyRange& chunk) const override;
  Result<ChunkOutcome> Count(db::Connection& conn, const KeyRange& chunk) const override;
  Result<SampleRows> Sample(db::Connection& conn, const KeyRange& chunk, int limit) const override;
  std::vector<std::string> DescribeSql(db::Dialect dialect) const override;

 private:
  Result<std::vector<StatisticDays>> WantedDays(db::Connection& conn, const KeyRange& chunk,
                                                SkippedEvents& skipped) const;
  Result<ChunkRows> MissingRows(db::Connection& conn, const KeyRange& chunk) const;
  void Record(const SkippedEvents& skipped) const {
    ends_before_start_ += skipped.ends_before_start;
    over_max_days_ += skipped.over_max_days;
  }

  const ParamValues params_;
  const Settings settings_;
  mutable std::atomic<std::int64_t> ends_before_start_{0};
  mutable std::atomic<std::int64_t> over_max_days_{0};
};

// ---- Check ----------------------------------------------------------------------------------

Status EventViewMetricsBound::Check(db::Connection& conn) const {
  const EventViewMetricsSql& sql = EventViewMetricsSql::Of(conn);
  if (MethodFor(settings_, sql, conn.batches_in_one_round_trip()) == WriteMethod::kCopy &&
      !sql.has_copy()) {
    return Err(ErrorCode::kUnsupported,
               fmt::format("job '{}': write_method=copy works on PostgreSQL only, and {} is {}; "
                           "use write_method=values",
                           kEventViewMetricsJobName, conn.display_url(), sql.flavor().name()));
  }
  STRATA_ASSIGN_OR_RETURN(db::Rows table, conn.Query(sql.TableExistsSql()));
  STRATA_ASSIGN_OR_RETURN(std::int64_t tables, table.Int(0, 0));
  if (tables == 0) {
    return Err(ErrorCode::kValidation,
               fmt::format("job '{}': table event_view_metric does not exist on {} (apply the "
                           "event platform's migrations first)",
                           kEventViewMetricsJobName, conn.display_url()));
  }
  STRATA_ASSIGN_OR_RETURN(db::Rows keys, conn.Query(sql.UniqueKeySql()));
  if (keys.empty()) {
    return Err(ErrorCode::kValidation,
               fmt::format("job '{}': event_view_metric on {} has no unique key on "
                           "(event_statistic_id, view_date), so rows could be written twice; "
                           "add it with: {}",
                           kEventViewMetricsJobName, conn.display_url(), sql.AddUniqueKeySql()));
  }
  return Ok();
}

// ---- Chunks ---------------------------------------------------------------------------------

Result<std::optional<ChunkCut>> EventViewMetricsBound::NextChunk(db::Connection& conn,
                                                                 std::optional<std::int64_t> after,
                                                                 std::int64_t max_keys) const {
  if (max_keys < 1) {
    return Err(ErrorCode::kInternal, fmt::format("NextChunk: max_keys {} < 1", max_keys));
  }
  STRATA_ASSIGN_OR_RETURN(db::Rows rows,
                          conn.Query(NextChunkSql(EventViewMetricsSql::Of(conn)),
                                     {after.value_or(kNoLowerBound), settings_.first_event_id,
                                      settings_.last_event_id, max_keys}));
  if (rows.empty() || rows.IsNull(0, 0)) return std::optional<ChunkCut>();
  ChunkCut cut;
  STRATA_ASSIGN_OR_RETURN(cut.range.first, rows.Int(0, 0));
  STRATA_ASSIGN_OR_RETURN(cut.range.last, rows.Int(0, 1));
  STRATA_ASSIGN_OR_RETURN(cut.keys, rows.Int(0, 2));
  return std::optional<ChunkCut>(cut);
}

Result<std::optional<std::int64_t>> EventViewMetricsBound::EstimateKeys(
    db::Connection& conn) const {
  const bool event_range = settings_.has_event_range();
  db::Params params;
  if (event_range) params = {settings_.first_event_id, settings_.last_event_id};
  STRATA_ASSIGN_OR_RETURN(
      db::Rows rows,
      conn.Query(EstimateKeysSql(EventViewMetricsSql::Of(conn), event_range), params));
  if (rows.empty() || rows.IsNull(0, 0)) return std::optional<std::int64_t>();
  STRATA_ASSIGN_OR_RETURN(std::int64_t keys, rows.Int(0, 0));
  // PostgreSQL says -1 for a table never analysed.
  if (keys < 0) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(keys);
}

// ---- Wanted and missing rows ----------------------------------------------------------------

Result<std::vector<StatisticDays>> EventViewMetricsBound::WantedDays(db::Connection& conn,
                                                                     const KeyRange& chunk,
                                                                     SkippedEvents& skipped) const {
  const EventViewMetricsSql& sql = EventViewMetricsSql::Of(conn);
  STRATA_ASSIGN_OR_RETURN(
      db::Rows rows,
      conn.Query(sql.ReadEventsSql(),
                 {chunk.first, chunk.last, settings_.first_event_id, settings_.last_event_id}));
  std::vector<StatisticDays> wanted;
  wanted.reserve(rows.size());
  for (std::size_t r = 0; r < rows.size(); ++r) {
    domain::Event event;
    STRATA_ASSIGN_OR_RETURN(std::int64_t statistic_id, rows.Int(r, 0));
    STRATA_ASSIGN_OR_RETURN(event.event_id, rows.Int(r, 1));
    STRATA_ASSIGN_OR_RETURN(event.registration_start,
                            sql.ReadEventTime(rows, r, 2, event.event_id));
    STRATA_ASSIGN_OR_RETURN(event.event_end, sql.ReadEventTime(rows, r, 3, event.event_id));
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
  STRATA_ASSIGN_OR_RETURN(db::Rows existing, conn.Query(ReadExistingSql(db::FlavorOf(conn)),
                                                        {chunk.first, chunk.last}));
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

// ---- Process, count, sample, describe -------------------------------------------------------

Result<ChunkOutcome> EventViewMetricsBound::Process(db::Connection& conn,
                                                    const KeyRange& chunk) const {
  STRATA_ASSIGN_OR_RETURN(ChunkRows rows, MissingRows(conn, chunk));
  Record(rows.skipped);
  std::int64_t inserted = 0;
  if (!rows.missing.empty()) {
    const EventViewMetricsSql& sql = EventViewMetricsSql::Of(conn);
    const WriteMethod method = MethodFor(settings_, sql, conn.batches_in_one_round_trip());
    STRATA_ASSIGN_OR_RETURN(inserted, WriteRows(conn, sql, method, rows.missing,
                                                sql.NowParam(NowSeconds(), settings_.zone),
                                                settings_.rows_per_statement));
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
  const std::string now_text = EventViewMetricsSql::Of(conn).NowParam(NowSeconds(), settings_.zone);
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
std::vector<std::string> EventViewMetricsBound::DescribeSql(db::Dialect dialect) const {
  const EventViewMetricsSql& engine = EventViewMetricsSql::For(dialect);
  std::vector<std::string> sql = {NextChunkSql(engine), engine.ReadEventsSql(),
                                  ReadExistingSql(engine.flavor())};
  const WriteMethod method = MethodFor(settings_, engine, /*batches_in_one_round_trip=*/true);
  for (std::string& write :
       DescribeWrite(engine, method, !settings_.write_method, settings_.rows_per_statement)) {
    sql.push_back(std::move(write));
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
  std::vector<ParamSpec> parameters() const override { return event_view_metrics::Specs(); }

  Result<std::unique_ptr<BoundJob>> Bind(const ParamValues& values) const override {
    STRATA_ASSIGN_OR_RETURN(ParamValues params,
                            ApplyParamSpecs(event_view_metrics::Specs(), values, name()));
    STRATA_ASSIGN_OR_RETURN(Settings settings, event_view_metrics::ParseSettings(params));
    return std::unique_ptr<BoundJob>(
        std::make_unique<EventViewMetricsBound>(std::move(params), settings));
  }
};

}  // namespace

std::unique_ptr<JobDefinition> MakeEventViewMetricsJob() {
  return std::make_unique<EventViewMetricsDefinition>();
}

}  // namespace strata::backfill
