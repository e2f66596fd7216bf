// How the backfill commands and the job steps inside `migrate` show runs: live progress (a bar
// on a terminal's stderr, or JSON-lines events on stdout with --json), the summary of a run and
// its outcome as an exit status, `backfill status` as a table or JSON, and the report of a dry
// run. Everything goes through Output; nothing here touches a database.
#ifndef STRATA_CLI_BACKFILL_RENDER_H_
#define STRATA_CLI_BACKFILL_RENDER_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "backfill/control.h"
#include "backfill/dry_run.h"
#include "backfill/executor.h"
#include "base/result.h"
#include "cli/output.h"
#include "db/connection.h"

namespace strata::cli {

// Progress of a run as it goes. Call Clear() when the run returns, so that what follows does
// not land on the bar's line.
class BackfillProgress : public backfill::RunListener {
 public:
  // `events`: JSON-lines events on stdout with --json (`backfill run`); off inside `migrate`,
  // whose --json output is one result document.
  BackfillProgress(Output& out, std::string job, bool events = true);

  void OnRunStarted(const backfill::RunRow& run, bool resumed) override;
  void OnChunkDone(const backfill::ChunkReport& c) override;
  void OnChunkRetry(const backfill::ChunkReport& c, const Error& e,
                    std::chrono::milliseconds delay) override;
  void OnChunkFailed(const backfill::ChunkReport& c, const Error& e) override;
  void OnThrottle(const std::string& reason) override;
  void OnWarning(const std::string& message) override;
  void OnProgress(const backfill::ProgressSnapshot& p) override;

  // Erases the progress bar, if one is drawn.
  void Clear();

 private:
  void Event(const nlohmann::json& event);
  void DrawBar(const backfill::ProgressSnapshot& p);

  Output& out_;
  std::string job_;
  bool bar_;
  bool events_;
  bool drawn_ = false;
};

// "run N of JOB completed: ... rows written, ..." — one line.
std::string RunSummaryLine(const std::string& job, const backfill::RunSummary& s);

// The failed chunks as a table (nothing when there are none).
void PrintFailedChunks(Output& out, const std::vector<backfill::FailedChunk>& failed);

// The run's outcome as a status (and so the exit code): Ok when completed; kDatabase when
// failed, kCancelled when interrupted, paused or cancelled, each saying what to do next.
Status RunOutcomeStatus(const std::string& job, const backfill::RunSummary& s);

// The final summary of `backfill run` (a JSON-lines "summary" event, or the summary line and
// the failed chunks), then RunOutcomeStatus.
Status ReportRunSummary(Output& out, const std::string& job, const backfill::RunSummary& s);

// `backfill status`: the runs as {"runs": [...]}, or a table plus each run's failed chunks.
// `job` is the one asked about ("" for all), for the message when there is no run.
void ReportRunStatus(Output& out, const std::string& job,
                     const std::vector<backfill::RunStatus>& runs);

// What a dry run over `conn` found, as a JSON document or text and tables; kCancelled when it
// was interrupted.
Status ReportDryRun(Output& out, const std::string& job_name, const backfill::BoundJob& job,
                    const db::Connection& conn, const backfill::DryRunOptions& options,
                    const backfill::DryRunReport& report);

}  // namespace strata::cli

#endif  // STRATA_CLI_BACKFILL_RENDER_H_
