// Reading and steering runs through their run row: what `strata backfill status`, `pause`,
// `resume`, `cancel` and `redrive` do. Workers of every process follow the run row within
// about a second (see executor.h). Status reads never create the state tables.
#ifndef STRATA_BACKFILL_CONTROL_H_
#define STRATA_BACKFILL_CONTROL_H_

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "backfill/job.h"
#include "backfill/state.h"
#include "base/result.h"
#include "db/connection.h"

namespace strata::backfill {

struct RunStatus {
  RunRow run;
  RunTotals totals;
  std::vector<FailedChunk> failed;  // the first 20
  // Keys finished per second of the run's working time (StateStore::ActiveMs: paused and held
  // time excluded), and, for a running run, the time left at that rate (nullopt when the job
  // gave no key estimate or nothing finished yet). A paused or failed run makes no progress:
  // no rate, no ETA.
  double keys_per_second = 0;
  std::optional<std::int64_t> eta_seconds;
};

// The newest run of `job`, or nullopt when it has none (or the tables do not exist).
Result<std::optional<RunStatus>> ReadRunStatus(db::Connection& conn, std::string_view job);
// The newest run of every job that has one, by job name.
Result<std::vector<RunStatus>> ReadAllRunStatus(db::Connection& conn);

// running → paused. Errors: no run (kNotFound), not running (kInvalidArgument).
Result<RunRow> PauseRun(db::Connection& conn, std::string_view job);
// paused → running.
Result<RunRow> ResumeRun(db::Connection& conn, std::string_view job);
// running, paused or failed → cancelled; the next `run` starts a new run.
Result<RunRow> CancelRun(db::Connection& conn, std::string_view job);
// Failed chunks back to pending (attempts reset) and a failed run back to running. Returns the
// run and how many chunks went back.
Result<std::pair<RunRow, std::int64_t>> RedriveRun(db::Connection& conn, std::string_view job);

// Jobs beyond the built-in ones that the CLI offers: a test binary registers its test jobs
// here before running the CLI. The shipped strata executable registers none.
using JobRegistrar = void (*)(JobRegistry& registry);
void SetExtraJobRegistrar(JobRegistrar registrar);
void RegisterExtraJobs(JobRegistry& registry);

}  // namespace strata::backfill

#endif  // STRATA_BACKFILL_CONTROL_H_
