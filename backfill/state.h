// The backfill state tables in the target database, and every statement the engine runs on
// them. One run row per run of a job, one chunk row per key range cut from it:
//
//   strata_backfill_run    id, job, run_no (1, 2, … per job), params (JSON), state, cursor_key
//                          (the last key cut), cut_done, chunks_cut, chunk_size (the adaptive
//                          size, kept for resumes), total_keys (estimate), throttle_reason,
//                          last_error, created_ms, updated_ms, finished_ms
//   strata_backfill_chunk  (run_id, chunk_no), first_key, last_key, key_count (keys held),
//                          status, attempts, rows_written, rows_present, duration_ms, worker,
//                          process_id, heartbeat_ms, finished_ms, last_error
//
// Times are milliseconds since the Unix epoch read from the DATABASE's clock, so that workers
// on machines with skewed clocks agree on heartbeat ages. The tables are created on first use
// by a real run (EnsureTables); dry runs, `status` and `list` only read, and treat missing
// tables as "no runs".
//
// A StateStore wraps one connection and is used by one thread. Methods that say "in the
// caller's transaction" expect one to be open; the others run in autocommit.
#ifndef STRATA_BACKFILL_STATE_H_
#define STRATA_BACKFILL_STATE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backfill/job.h"
#include "base/result.h"
#include "db/connection.h"
#include "db/flavor/flavor.h"

namespace strata::backfill {

inline constexpr std::string_view kRunTable = "strata_backfill_run";
inline constexpr std::string_view kChunkTable = "strata_backfill_chunk";

// running: workers may claim chunks; paused: workers hold (no claims) until resumed;
// completed: every chunk done; failed: chunks were parked as failed (redrive puts them back)
// or the failure rate passed its limit; cancelled: stopped for good, a new `run` starts over.
enum class RunState { kRunning, kPaused, kCompleted, kFailed, kCancelled };
const char* RunStateName(RunState state);
Result<RunState> ParseRunState(std::string_view text);
// Whether a run in this state is the job's current one (running, paused, failed).
bool IsUnfinished(RunState state);

enum class ChunkStatus { kPending, kRunning, kDone, kFailed };
const char* ChunkStatusName(ChunkStatus status);

struct RunRow {
  std::int64_t id = 0;
  std::string job;
  std::int64_t run_no = 0;
  std::string params_json;  // the bound parameters, {"name": "value", …}
  RunState state = RunState::kRunning;
  std::optional<std::int64_t> cursor_key;
  bool cut_done = false;
  std::int64_t chunks_cut = 0;
  std::int64_t chunk_size = 0;
  std::optional<std::int64_t> total_keys;
  std::string throttle_reason;
  std::string last_error;
  std::int64_t created_ms = 0;
  std::int64_t updated_ms = 0;
  std::optional<std::int64_t> finished_ms;
};

// A chunk this worker now holds (status running, worker = it).
struct ClaimedChunk {
  std::int64_t chunk_no = 0;
  KeyRange range;
  std::int64_t key_count = 0;
  int attempts = 0;        // failed attempts before this claim
  bool reclaimed = false;  // taken over from a worker whose heartbeat stopped
};

// Totals over a run's chunks.
struct RunTotals {
  std::int64_t chunks = 0, pending = 0, running = 0, done = 0, failed = 0;
  std::int64_t keys_done = 0;
  std::int64_t rows_written = 0, rows_present = 0;
  std::int64_t processing_ms = 0;  // sum of the done chunks' durations
};

struct FailedChunk {
  std::int64_t chunk_no = 0;
  KeyRange range;
  int attempts = 0;
  std::string error;
};

class StateStore {
 public:
  explicit StateStore(db::Connection& conn) : conn_(conn), flavor_(db::FlavorOf(conn)) {}

  db::Connection& connection() { return conn_; }

  // Whether both tables exist (read-only).
  Result<bool> TablesExist();
  // Creates the tables if missing. Safe when several processes start at once.
  Status EnsureTables();

  // The job's newest run, or nullopt (also when the tables do not exist).
  Result<std::optional<RunRow>> LatestRun(std::string_view job);
  Result<RunRow> ReadRun(std::int64_t run_id);
  // Every job's newest run, sorted by job name (empty when the tables do not exist).
  Result<std::vector<RunRow>> LatestRuns();

  // Creates run `run_no` of `job` in state running. When another process created that run_no
  // first, returns the existing run instead (so processes started together join one run).
  Result<RunRow> CreateRun(std::string_view job, std::int64_t run_no,
                           const std::string& params_json, std::int64_t chunk_size,
                           std::optional<std::int64_t> total_keys);

  // Sets the run's state; `only_from` restricts the change to runs currently in one of those
  // states. Returns whether a row changed.
  Result<bool> SetRunState(std::int64_t run_id, RunState state,
                           const std::vector<RunState>& only_from, std::string_view error = {});
  Status SetThrottleReason(std::int64_t run_id, std::string_view reason);

  // In the caller's transaction: claims the first pending chunk, or a running one whose
  // heartbeat is older than `reclaim_after_ms` (skipping rows other workers hold locked).
  Result<std::optional<ClaimedChunk>> ClaimExisting(std::int64_t run_id, std::string_view worker,
                                                    std::string_view process_id,
                                                    std::int64_t reclaim_after_ms);
  // In the caller's transaction: locks the run row and returns it (for cutting).
  Result<RunRow> LockRun(std::int64_t run_id);
  // In the caller's transaction, with the run row locked: records a chunk just cut, already
  // claimed by `worker`, and moves the run's cursor past it.
  Result<ClaimedChunk> InsertCutChunk(const RunRow& run, const KeyRange& range,
                                      std::int64_t key_count, std::int64_t next_chunk_size,
                                      std::string_view worker, std::string_view process_id);
  // In the caller's transaction: the key space is exhausted.
  Status MarkCutDone(std::int64_t run_id);

  // In the caller's transaction: marks the chunk done if `worker` still holds it. Returns
  // false when it does not (another worker reclaimed it): the caller must roll back.
  Result<bool> MarkChunkDone(std::int64_t run_id, std::int64_t chunk_no, std::string_view worker,
                             const ChunkOutcome& outcome, std::int64_t duration_ms);
  // After a failed attempt (own transaction): attempts+1 and the error; the chunk stays with
  // `worker` for a retry, or is parked as failed when `park` is set.
  Status RecordFailure(std::int64_t run_id, std::int64_t chunk_no, std::string_view worker,
                       std::string_view error, bool park);
  // Gives the chunk back (pending, no worker) without counting an attempt.
  Status Release(std::int64_t run_id, std::int64_t chunk_no, std::string_view worker);
  // Gives back every chunk `process_id` still holds.
  Status ReleaseAll(std::int64_t run_id, std::string_view process_id);
  // Refreshes the heartbeat of every chunk `process_id` holds.
  Status Heartbeat(std::int64_t run_id, std::string_view process_id);

  Result<RunTotals> Totals(std::int64_t run_id);
  // The run's working time: the union of its done chunks' processing intervals, where a gap
  // shorter than `bridge_ms` between two of them (a worker moving to its next chunk) counts as
  // working and a longer one (paused, held by a health signal or the rows/s ceiling, no
  // process running) does not. Rates and ETAs divide by this, never by wall time.
  Result<std::int64_t> ActiveMs(std::int64_t run_id, std::int64_t bridge_ms);
  Result<std::vector<FailedChunk>> FailedChunks(std::int64_t run_id, int limit);
  // Failed chunks back to pending with attempts reset; returns how many.
  Result<std::int64_t> Redrive(std::int64_t run_id);

 private:
  db::Connection& conn_;
  const db::Flavor& flavor_;
};

}  // namespace strata::backfill

#endif  // STRATA_BACKFILL_STATE_H_
