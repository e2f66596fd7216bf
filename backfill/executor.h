// The backfill executor: runs a bound job over its key space with N workers, resumably.
//
// Protocol (all state in the target database, see backfill/state.h):
// - A worker claims work in one short transaction: the first pending chunk (or one whose
//   worker's heartbeat is older than `reclaim_after`), skipping rows other workers hold
//   (FOR UPDATE SKIP LOCKED on PostgreSQL and MariaDB 10.6+; SQLite runs one worker and
//   serialises writers with BEGIN IMMEDIATE). When none is pending it locks the run row,
//   cuts the next chunk with BoundJob::NextChunk at the current adaptive size, records it as
//   its own and moves the run's cursor — so any number of processes share one run.
// - It processes the chunk in a second transaction that also marks it done, guarded by
//   "this worker still holds it": the data and the done mark commit together or not at all,
//   and a chunk taken over by another worker can never be committed twice.
// - A monitor thread per process (its own connection) refreshes the heartbeats of the
//   process's chunks, follows the run row (pause, resume, cancel), reads the health signals
//   and reports progress.
// - Failed attempts are recorded in their own transaction after the rollback. Transient
//   errors and timeouts retry with exponential backoff and jitter; after `max_attempts`, or at
//   once for errors that cannot go away by retrying, the chunk is parked as failed. More than
//   `max_failure_rate` failed chunks (after `failure_rate_min_chunks`) fail the run.
// - Nothing sleeps inside a transaction: throttling, backoff and pauses wait between chunks.
// - The stop flag (set by the CLI on SIGINT/SIGTERM) stops claiming; chunks in flight finish
//   (or roll back), chunks held for a retry are given back, and the run stays resumable.
//
// The engine never prints: it reports through RunListener, whose methods are called one at a
// time (the executor serialises them) from the executor's threads.
#ifndef STRATA_BACKFILL_EXECUTOR_H_
#define STRATA_BACKFILL_EXECUTOR_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backfill/job.h"
#include "backfill/state.h"
#include "backfill/throttle.h"
#include "base/clock.h"
#include "base/result.h"
#include "db/connection.h"

namespace strata::backfill {

// Opens a new connection to the target (the engine never knows drivers or URLs).
using ConnectionFactory = std::function<Result<std::unique_ptr<db::Connection>>()>;

struct ExecutorOptions {
  int workers = 1;                                      // threads, each with its own connection
  std::chrono::milliseconds chunk_target{500};          // adaptive chunk size aims at this
  std::int64_t initial_chunk_keys = 16;                 // a new run starts small
  std::int64_t max_chunk_keys = 1'000'000;              // and never grows beyond this
  int max_attempts = 5;                                 // per chunk, then parked as failed
  double max_failure_rate = 0.5;                        // failed / finished chunks, then the
  std::int64_t failure_rate_min_chunks = 20;            // run fails (once this many finished)
  std::chrono::milliseconds reclaim_after{60'000};      // a chunk whose heartbeat is this old
  std::chrono::milliseconds retry_base_delay{200};      // backoff: base × 2^(attempt-1),
  std::chrono::milliseconds retry_max_delay{30'000};    // capped, with ±50% jitter
  std::chrono::milliseconds statement_timeout{30'000};  // per session (PG, MariaDB)
  std::chrono::milliseconds lock_timeout{5'000};        // PG lock_timeout, innodb_lock_wait_timeout
  std::chrono::milliseconds progress_interval{1'000};
  ThrottleOptions throttle;
};

// Everything the executor needs from outside besides the job and options.
struct ExecutorDeps {
  ConnectionFactory connect;
  std::vector<ConnectionFactory> replicas;  // MariaDB replicas whose lag throttles the run
  const std::atomic<bool>* stop = nullptr;  // set from a signal handler; may be null
  Clock* clock = &Clock::Real();
};

struct ProgressSnapshot {
  std::int64_t run_id = 0;
  std::int64_t run_no = 0;
  RunTotals totals;                         // the whole run, every process
  std::optional<std::int64_t> total_keys;   // the job's estimate of the key space
  std::int64_t chunk_size = 0;              // this process's current adaptive size
  double rows_per_second = 0;               // rows written by this process per active second
  double keys_per_second = 0;               // keys finished by the run per active second
  std::optional<std::chrono::seconds> eta;  // excluding paused and throttled time
  std::chrono::milliseconds elapsed{0};
  std::chrono::milliseconds held{0};  // paused or throttled so far
  std::string throttle_reason;        // empty while running freely
};

struct ChunkReport {
  std::int64_t chunk_no = 0;
  KeyRange range;
  std::int64_t key_count = 0;
  int attempt = 0;  // 1 for the first try
  ChunkOutcome outcome;
  std::chrono::milliseconds duration{0};
  std::string worker;
  bool reclaimed = false;  // taken over from a dead worker
};

enum class RunOutcome {
  kCompleted,    // every chunk done
  kFailed,       // chunks parked as failed, or the failure rate passed its limit
  kInterrupted,  // the stop flag was set: resumable
  kCancelled,    // someone cancelled the run
  kPaused,       // the run was paused and this process was stopped while waiting
};
const char* RunOutcomeName(RunOutcome outcome);

struct RunSummary {
  std::int64_t run_id = 0;
  std::int64_t run_no = 0;
  bool resumed = false;
  RunOutcome outcome = RunOutcome::kCompleted;
  RunTotals totals;                    // the whole run
  std::int64_t rows_written_here = 0;  // by this process
  std::int64_t chunks_here = 0;
  std::int64_t retries_here = 0;
  std::vector<FailedChunk> failed;  // the first failed chunks with their errors
  std::string error;                // why the run failed, when it did
  std::chrono::milliseconds duration{0};
};

class RunListener {
 public:
  virtual ~RunListener() = default;
  // The run this process works on; `resumed` when it existed before.
  virtual void OnRunStarted(const RunRow& run, bool resumed) { (void)run, (void)resumed; }
  virtual void OnChunkDone(const ChunkReport& chunk) { (void)chunk; }
  // A failed attempt that will be retried after `delay`.
  virtual void OnChunkRetry(const ChunkReport& chunk, const Error& error,
                            std::chrono::milliseconds delay) {
    (void)chunk, (void)error, (void)delay;
  }
  // A chunk parked as failed (the dead-letter list).
  virtual void OnChunkFailed(const ChunkReport& chunk, const Error& error) {
    (void)chunk, (void)error;
  }
  // Claiming holds for `reason` (e.g. "paused", "replica lag 7.1s > 5s"); "" when it resumes.
  virtual void OnThrottle(const std::string& reason) { (void)reason; }
  virtual void OnProgress(const ProgressSnapshot& progress) { (void)progress; }
  // Something the operator should know that does not stop the run (a health probe failing).
  virtual void OnWarning(const std::string& message) { (void)message; }
};

// Runs `job` (registered as `job_name`) to completion: resumes the job's unfinished run (its
// parameters must equal `job.params()`), or starts a new run when the last one completed or
// was cancelled. Checks the job's preconditions before creating the state tables.
// Errors: a paused run (kInvalidArgument: resume it first), a failed run (kInvalidArgument:
// redrive it first), parameters differing from the unfinished run's (kInvalidArgument), and
// database/connection errors outside chunks. The run's own end (completed, failed,
// interrupted, cancelled) is in the summary, not an error.
Result<RunSummary> RunJob(std::string_view job_name, const BoundJob& job,
                          const ExecutorOptions& options, const ExecutorDeps& deps,
                          RunListener& listener);

// The bound parameters as the JSON object stored in the run row.
std::string ParamsJson(const ParamValues& params);

// Sets the session guards the executor uses on a worker connection: statement_timeout,
// lock_timeout and idle_in_transaction_session_timeout (PostgreSQL), innodb_lock_wait_timeout
// and max_statement_time (MariaDB).
Status ConfigureSession(db::Connection& conn, const ExecutorOptions& options);

}  // namespace strata::backfill

#endif  // STRATA_BACKFILL_EXECUTOR_H_
