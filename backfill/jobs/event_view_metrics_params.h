// The event-view-metrics job's parameters (documented in event_view_metrics.h): their specs,
// and the settings they parse into. Internal to backfill/jobs/.
#ifndef STRATA_BACKFILL_JOBS_EVENT_VIEW_METRICS_PARAMS_H_
#define STRATA_BACKFILL_JOBS_EVENT_VIEW_METRICS_PARAMS_H_

#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

#include "backfill/job.h"
#include "base/result.h"
#include "domain/zone.h"

namespace strata::backfill::event_view_metrics {

inline constexpr std::int64_t kNoLowerBound = std::numeric_limits<std::int64_t>::min();
inline constexpr std::int64_t kNoUpperBound = std::numeric_limits<std::int64_t>::max();

// Under every engine's limit on bound parameters per statement (SQLite 32,766), with four
// parameters per row on MariaDB and SQLite.
inline constexpr std::int64_t kMaxRowsPerStatement = 7'500;

// How a chunk's missing rows are written (the write_method parameter).
enum class WriteMethod { kValues, kCopy, kPacked, kArray };

struct Settings {
  explicit Settings(domain::Zone found_zone) : zone(found_zone) {}

  domain::Zone zone;  // no default: built from the found zone
  std::int64_t first_event_id = kNoLowerBound;
  std::int64_t last_event_id = kNoUpperBound;
  std::int64_t max_days = 0;
  bool skip_over_max_days = false;
  std::int64_t rows_per_statement = 0;
  // nullopt: "auto", decided per engine (EventViewMetricsSql::AutoWriteMethod).
  std::optional<WriteMethod> write_method = std::nullopt;

  // Whether first_event_id or last_event_id bounds the events.
  bool has_event_range() const {
    return first_event_id != kNoLowerBound || last_event_id != kNoUpperBound;
  }
};

// The parameters with their descriptions and defaults.
std::vector<ParamSpec> Specs();

// `values` (every spec present, as ApplyParamSpecs leaves them) checked and parsed;
// kInvalidArgument naming the parameter and what it should be.
Result<Settings> ParseSettings(const ParamValues& values);

}  // namespace strata::backfill::event_view_metrics

#endif  // STRATA_BACKFILL_JOBS_EVENT_VIEW_METRICS_PARAMS_H_
