#include "backfill/jobs/builtin.h"

#include <cstdio>
#include <cstdlib>

#include "backfill/jobs/event_view_metrics.h"

namespace strata::backfill {

void RegisterBuiltinJobs(JobRegistry& registry) {
  const Status added = registry.Add(MakeEventViewMetricsJob());
  if (!added) {
    // Only a second call on the same registry gets here: a bug, not a user error.
    std::fprintf(stderr, "strata: %s\n", added.error().message.c_str());
    std::abort();
  }
}

}  // namespace strata::backfill
