// The dry run: what a backfill would do, found on the real code path and guaranteed to write
// nothing. Every chunk is cut with BoundJob::NextChunk and counted with BoundJob::Count inside
// a READ ONLY transaction, so the server itself refuses any write; a sample of the rows comes
// from BoundJob::Sample the same way. With `sample_chunks` > 0, that many chunks spread over
// the plan are executed with BoundJob::Process and rolled back, for timings and an estimate
// of the full run's duration (rolled-back inserts may still advance sequences /
// AUTO_INCREMENT counters; table contents are unchanged).
//
// A dry run never creates or touches the state tables.
#ifndef STRATA_BACKFILL_DRY_RUN_H_
#define STRATA_BACKFILL_DRY_RUN_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "backfill/job.h"
#include "base/clock.h"
#include "base/result.h"
#include "db/connection.h"

namespace strata::backfill {

struct DryRunOptions {
  std::int64_t chunk_keys = 1000;  // keys per planned chunk (the real run adapts its size)
  int sample_rows = 10;            // rows shown from the first chunks that write any
  int sample_chunks = 0;           // chunks executed and rolled back
  int workers = 1;                 // for the duration estimate
};

struct PlannedChunk {
  std::int64_t chunk_no = 0;
  KeyRange range;
  ChunkOutcome outcome;  // exactly what Process would do now
  std::chrono::milliseconds count_time{0};
};

struct SampledChunk {
  std::int64_t chunk_no = 0;
  KeyRange range;
  ChunkOutcome outcome;  // what Process did before the rollback
  std::chrono::milliseconds duration{0};
  std::string error;  // Process failed: the real run would retry or park this chunk
};

struct DryRunReport {
  std::vector<PlannedChunk> chunks;
  ChunkOutcome total;
  SampleRows sample;
  std::vector<SampledChunk> sampled;
  std::optional<std::chrono::milliseconds> estimated_duration;  // only with sampled chunks
  std::chrono::milliseconds count_duration{0};
  bool interrupted = false;  // the stop flag cut the plan short
};

class DryRunListener {
 public:
  virtual ~DryRunListener() = default;
  virtual void OnChunkCounted(const PlannedChunk& chunk) { (void)chunk; }
  virtual void OnChunkSampled(const SampledChunk& chunk) { (void)chunk; }
};

// Checks the job's preconditions, then plans, counts and samples as described above.
Result<DryRunReport> DryRun(db::Connection& conn, const BoundJob& job, const DryRunOptions& options,
                            DryRunListener& listener, const std::atomic<bool>* stop = nullptr,
                            Clock& clock = Clock::Real());

}  // namespace strata::backfill

#endif  // STRATA_BACKFILL_DRY_RUN_H_
