// The event-view-metrics job: for every event statistic, one event_view_metric row per day of
// domain::metric_days(event, zone), with view_count = 0 and created_at = updated_at = the
// chunk's start time, leaving every existing row untouched. It replaces the hand-written
// recursive-CTE INSERT … SELECT (one huge transaction, silently cut at 1,000 days on MariaDB).
//
// Key space: event_statistic.event_statistic_id, cut into keyset chunks. Per chunk the job
//   1. reads the chunk's statistics with their events' times (bounded by the chunk's keys),
//   2. computes each statistic's days in C++ with the domain library,
//   3. reads the metric rows that exist for the chunk's keys (bounded by the same range, so a
//      chunk never scans the whole metric table), and
//   4. writes only the missing rows in bulk — multi-row INSERTs with bound parameters, on
//      PostgreSQL COPY straight into the table under a savepoint, one INSERT … SELECT
//      from a packed parameter, or on MariaDB a one-row INSERT array-bound to all the rows
//      (write_method) — skipping rows written meanwhile by someone else: PostgreSQL and
//      SQLite ON CONFLICT DO NOTHING, MariaDB a no-op ON DUPLICATE KEY UPDATE (never INSERT
//      IGNORE, which turns other errors into warnings); PostgreSQL's COPY, which has no
//      conflict clause, is undone to its savepoint when the unique key refuses a row, and the
//      chunk's rows go through a temporary table and INSERT … SELECT … ON CONFLICT DO NOTHING.
// Count() runs steps 1–3 and reports exactly what step 4 would write; Process() reports the
// rows the server actually inserted, and counts every other wanted row as already present.
//
// Event times are read the way each engine stores them (see examples/events/migrations):
// PostgreSQL timestamptz and SQLite UTC text as instants, MariaDB DATETIME as wall-clock times
// already in `zone`. created_at/updated_at are written the same way.
//
// Parameters (all optional):
//   zone               IANA zone whose calendar days count (default Asia/Seoul).
//   first_event_id     only statistics of events with event_id >= this (default: no bound).
//   last_event_id      only statistics of events with event_id <= this (default: no bound).
//   max_days           the longest span, in days, an event may need (default 3660, ten years):
//                      a legacy event that "ends" in 9999 would otherwise add millions of rows.
//   over_max_days      what to do with an event over max_days: "fail" (default) fails the chunk
//                      with an error naming the event, its span and both ways out; "skip"
//                      writes nothing for it and counts it (see SkippedEvents()).
//   rows_per_statement rows per INSERT statement or array-bound call, 1..7500 (default 5000).
//   write_method       "auto" (the default: the fastest measured per engine — copy on
//                      PostgreSQL, array on MariaDB, packed on MySQL, values on SQLite),
//                      "values" (multi-row INSERTs, every engine), "copy" (PostgreSQL only:
//                      COPY into the table; on a conflict COPY into a temporary table and one
//                      INSERT … SELECT … ON CONFLICT DO NOTHING), "packed" (the
//                      chunk's rows as one parameter the server unpacks: unnest, JSON_TABLE,
//                      json_each) or "array" (a one-row INSERT bound to many rows: one round
//                      trip per call on MariaDB, which then never takes the table-level
//                      AUTO-INC lock; one statement per row elsewhere, slow).
#ifndef STRATA_BACKFILL_JOBS_EVENT_VIEW_METRICS_H_
#define STRATA_BACKFILL_JOBS_EVENT_VIEW_METRICS_H_

#include <cstdint>
#include <memory>
#include <string_view>

#include "backfill/job.h"

namespace strata::backfill {

inline constexpr std::string_view kEventViewMetricsJobName = "event-view-metrics";

// Events the job wrote nothing for, since this BoundJob was bound (all threads together).
struct SkippedEvents {
  // domain::metric_days skipped them: they end before they start (legacy bad data).
  std::int64_t ends_before_start = 0;
  // Longer than max_days with over_max_days=skip.
  std::int64_t over_max_days = 0;
};

// The bound job, with what the generic interface cannot report. Process/Count/Sample update
// the counters (atomically: the job is used from several threads at once).
class EventViewMetricsJob : public BoundJob {
 public:
  virtual SkippedEvents skipped_events() const = 0;
};

// The job definition, for JobRegistry::Add. Bind() returns an EventViewMetricsJob.
std::unique_ptr<JobDefinition> MakeEventViewMetricsJob();

}  // namespace strata::backfill

#endif  // STRATA_BACKFILL_JOBS_EVENT_VIEW_METRICS_H_
