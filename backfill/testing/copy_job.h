// A small job for testing the engine against real servers: copies the rows of a source table
// into a target table idempotently, keyed by the source's BIGINT primary key `id`.
//
//   source (id BIGINT PRIMARY KEY, val BIGINT)      default name bf_source
//   target (id BIGINT PRIMARY KEY, val BIGINT ...)  default name bf_target
//
// Parameters: source, target (table names, [a-z0-9_]+), sleep_ms and sleep_us_per_row (a
// server-side pause inside every chunk's transaction, between counting and inserting, of
// sleep_ms + rows × sleep_us_per_row — so tests can kill processes and connections mid-chunk
// and chunk sizes adapt as for real work; real jobs never sleep). A CHECK constraint on the target
// (e.g. val >= 0) makes chunks with offending rows fail for good, for dead-letter tests.
#ifndef STRATA_BACKFILL_TESTING_COPY_JOB_H_
#define STRATA_BACKFILL_TESTING_COPY_JOB_H_

#include <memory>
#include <string_view>

#include "backfill/job.h"

namespace strata::backfill::testing {

inline constexpr std::string_view kCopyJobName = "test-copy";

std::unique_ptr<JobDefinition> MakeCopyJob();

// Adds the test jobs (test-copy) to `registry`.
void RegisterTestJobs(JobRegistry& registry);

}  // namespace strata::backfill::testing

#endif  // STRATA_BACKFILL_TESTING_COPY_JOB_H_
