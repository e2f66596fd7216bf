// The JobStepRunner of `migrate`: binds a `.job` step with the registry of `strata backfill`
// and runs it to completion as `strata backfill run JOB` without flags would, showing progress
// as a bar only (migrate's --json output is its one result document).
#include "cli/job_steps.h"

#include <memory>
#include <string>
#include <vector>

#include "backfill/executor.h"
#include "cli/backfill_render.h"
#include "cli/backfill_settings.h"
#include "cli/stop_signals.h"

namespace strata::cli {
namespace {

class CliJobStepRunner : public migrations::JobStepRunner {
 public:
  explicit CliJobStepRunner(Context& ctx) : ctx_(ctx) {}

  Status Check(const migrations::JobStep& step) const override {
    STRATA_ASSIGN_OR_RETURN(std::unique_ptr<backfill::BoundJob> job, Bind(step));
    return Ok();
  }

  Result<std::vector<std::string>> DescribeSql(const migrations::JobStep& step,
                                               db::Dialect dialect) const override {
    STRATA_ASSIGN_OR_RETURN(std::unique_ptr<backfill::BoundJob> job, Bind(step));
    return job->DescribeSql(dialect);
  }

  Result<migrations::JobStepOutcome> Run(const migrations::JobStep& step) override {
    STRATA_ASSIGN_OR_RETURN(std::unique_ptr<backfill::BoundJob> job, Bind(step));
    // The same settings as `strata backfill run` without flags: the backfill_* keys.
    STRATA_ASSIGN_OR_RETURN(backfill::ExecutorOptions options,
                            ExecutorOptionsFor(ctx_.config(), BackfillRunFlags{}));
    STRATA_ASSIGN_OR_RETURN(backfill::ExecutorDeps deps,
                            ExecutorDepsFor(ctx_, "strata migrate " + step.job));
    StopOnSignals signals;
    deps.stop = signals.stop_requested();
    BackfillProgress progress(ctx_.out(), step.job, /*events=*/false);
    Result<backfill::RunSummary> summary =
        backfill::RunJob(step.job, *job, options, deps, progress);
    progress.Clear();
    if (!summary) return std::move(summary).error();
    ctx_.out().Line("  " + RunSummaryLine(step.job, *summary));
    PrintFailedChunks(ctx_.out(), summary->failed);
    STRATA_TRY(RunOutcomeStatus(step.job, *summary));
    return migrations::JobStepOutcome{summary->run_no, summary->resumed,
                                      summary->totals.rows_written, summary->totals.rows_present};
  }

 private:
  static Result<std::unique_ptr<backfill::BoundJob>> Bind(const migrations::JobStep& step) {
    STRATA_ASSIGN_OR_RETURN(const backfill::JobDefinition* def, FindBackfillJob(step.job));
    return def->Bind(step.params);
  }

  Context& ctx_;
};

}  // namespace

std::unique_ptr<migrations::JobStepRunner> MakeJobStepRunner(Context& ctx) {
  return std::make_unique<CliJobStepRunner>(ctx);
}

}  // namespace strata::cli
