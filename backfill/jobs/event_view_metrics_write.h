// Writing a chunk's missing event_view_metric rows with one write method, and describing the
// statements that does. The engine's EventViewMetricsSql supplies the SQL and the shape of the
// parameters; the loops over the rows are here, the same for every engine. Internal to
// backfill/jobs/.
#ifndef STRATA_BACKFILL_JOBS_EVENT_VIEW_METRICS_WRITE_H_
#define STRATA_BACKFILL_JOBS_EVENT_VIEW_METRICS_WRITE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "backfill/jobs/event_view_metrics_params.h"
#include "backfill/jobs/event_view_metrics_sql.h"
#include "base/result.h"
#include "db/connection.h"

namespace strata::backfill::event_view_metrics {

// The write method `settings` ask for on a connection to `sql`'s engine ("auto" resolved).
WriteMethod MethodFor(const Settings& settings, const EventViewMetricsSql& sql,
                      bool batches_in_one_round_trip);

// Inserts `rows` (created_at = updated_at = `now`, as the engine stores it) with `method`,
// skipping rows that exist; returns the rows the server inserted.
Result<std::int64_t> WriteRows(db::Connection& conn, const EventViewMetricsSql& sql,
                               WriteMethod method, const std::vector<MetricRow>& rows,
                               const std::string& now, std::int64_t rows_per_statement);

// The statements WriteRows runs for `method`, annotated, as DescribeSql shows them.
// `auto_chosen`: the method is write_method=auto's choice.
std::vector<std::string> DescribeWrite(const EventViewMetricsSql& sql, WriteMethod method,
                                       bool auto_chosen, std::int64_t rows_per_statement);

}  // namespace strata::backfill::event_view_metrics

#endif  // STRATA_BACKFILL_JOBS_EVENT_VIEW_METRICS_WRITE_H_
