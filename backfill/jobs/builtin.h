// The jobs strata ships with, added to a registry explicitly (no static initialisers).
#ifndef STRATA_BACKFILL_JOBS_BUILTIN_H_
#define STRATA_BACKFILL_JOBS_BUILTIN_H_

#include "backfill/job.h"

namespace strata::backfill {

// Adds every built-in job (today: event-view-metrics) to `registry`. Calling it twice on the
// same registry is a programming error and aborts with the duplicate's name.
void RegisterBuiltinJobs(JobRegistry& registry);

}  // namespace strata::backfill

#endif  // STRATA_BACKFILL_JOBS_BUILTIN_H_
