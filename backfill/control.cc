#include "backfill/control.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>

namespace strata::backfill {
namespace {

// A gap longer than this between two chunks is time the run did not work: workers hold for a
// pause or a health signal at least a second, while moving on to the next chunk takes
// milliseconds.
constexpr std::int64_t kBridgeMs = 1500;

Result<RunStatus> StatusOf(StateStore& store, RunRow run) {
  RunStatus s;
  STRATA_ASSIGN_OR_RETURN(s.totals, store.Totals(run.id));
  STRATA_ASSIGN_OR_RETURN(s.failed, store.FailedChunks(run.id, 20));
  // A paused or failed run makes no progress: it has no rate and no ETA.
  const bool stalled = run.state == RunState::kPaused || run.state == RunState::kFailed;
  if (!stalled && s.totals.keys_done > 0) {
    STRATA_ASSIGN_OR_RETURN(std::int64_t active_ms, store.ActiveMs(run.id, kBridgeMs));
    const double seconds = static_cast<double>(std::max<std::int64_t>(active_ms, 1)) / 1000.0;
    s.keys_per_second = static_cast<double>(s.totals.keys_done) / seconds;
    if (run.total_keys && run.state == RunState::kRunning) {
      const double left =
          static_cast<double>(std::max<std::int64_t>(0, *run.total_keys - s.totals.keys_done));
      s.eta_seconds = static_cast<std::int64_t>(left / s.keys_per_second);
    }
  }
  s.run = std::move(run);
  return s;
}

Result<RunRow> LatestOrNotFound(StateStore& store, std::string_view job) {
  STRATA_ASSIGN_OR_RETURN(std::optional<RunRow> run, store.LatestRun(job));
  if (!run) {
    return Err(ErrorCode::kNotFound,
               fmt::format("job {} has no run in this database: start one with `strata backfill "
                           "run {}`",
                           job, job));
  }
  return *run;
}

Result<RunRow> Transition(db::Connection& conn, std::string_view job, RunState to,
                          const std::vector<RunState>& from, std::string_view verb) {
  StateStore store(conn);
  STRATA_ASSIGN_OR_RETURN(RunRow run, LatestOrNotFound(store, job));
  STRATA_ASSIGN_OR_RETURN(bool changed, store.SetRunState(run.id, to, from));
  if (!changed) {
    STRATA_ASSIGN_OR_RETURN(RunRow now, store.ReadRun(run.id));
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("run {} of {} is {}: there is nothing to {}", now.run_no, job,
                           RunStateName(now.state), verb));
  }
  return store.ReadRun(run.id);
}

std::atomic<JobRegistrar> extra_registrar{nullptr};

}  // namespace

Result<std::optional<RunStatus>> ReadRunStatus(db::Connection& conn, std::string_view job) {
  StateStore store(conn);
  STRATA_ASSIGN_OR_RETURN(std::optional<RunRow> run, store.LatestRun(job));
  if (!run) return std::optional<RunStatus>();
  STRATA_ASSIGN_OR_RETURN(RunStatus s, StatusOf(store, std::move(*run)));
  return std::optional<RunStatus>(std::move(s));
}

Result<std::vector<RunStatus>> ReadAllRunStatus(db::Connection& conn) {
  StateStore store(conn);
  STRATA_ASSIGN_OR_RETURN(std::vector<RunRow> runs, store.LatestRuns());
  std::vector<RunStatus> out;
  for (RunRow& run : runs) {
    STRATA_ASSIGN_OR_RETURN(RunStatus s, StatusOf(store, std::move(run)));
    out.push_back(std::move(s));
  }
  return out;
}

Result<RunRow> PauseRun(db::Connection& conn, std::string_view job) {
  return Transition(conn, job, RunState::kPaused, {RunState::kRunning}, "pause");
}

Result<RunRow> ResumeRun(db::Connection& conn, std::string_view job) {
  return Transition(conn, job, RunState::kRunning, {RunState::kPaused}, "resume");
}

Result<RunRow> CancelRun(db::Connection& conn, std::string_view job) {
  return Transition(conn, job, RunState::kCancelled,
                    {RunState::kRunning, RunState::kPaused, RunState::kFailed}, "cancel");
}

Result<std::pair<RunRow, std::int64_t>> RedriveRun(db::Connection& conn, std::string_view job) {
  StateStore store(conn);
  STRATA_ASSIGN_OR_RETURN(RunRow run, LatestOrNotFound(store, job));
  if (!IsUnfinished(run.state)) {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("run {} of {} is {}: there is nothing to redrive", run.run_no, job,
                           RunStateName(run.state)));
  }
  STRATA_ASSIGN_OR_RETURN(db::Transaction tx, db::Transaction::Begin(conn));
  STRATA_ASSIGN_OR_RETURN(std::int64_t chunks, store.Redrive(run.id));
  STRATA_TRY(store.SetRunState(run.id, RunState::kRunning, {RunState::kFailed}));
  STRATA_TRY(tx.Commit());
  STRATA_ASSIGN_OR_RETURN(RunRow now, store.ReadRun(run.id));
  return std::make_pair(std::move(now), chunks);
}

void SetExtraJobRegistrar(JobRegistrar registrar) { extra_registrar = registrar; }

void RegisterExtraJobs(JobRegistry& registry) {
  if (JobRegistrar r = extra_registrar.load()) r(registry);
}

}  // namespace strata::backfill
