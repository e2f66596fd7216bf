// The JobStepRunner `migrate` uses for `.job` steps (migrations/job_step.h): the backfill
// engine with the job registry of `strata backfill`, the configuration's backfill_* settings,
// and a progress bar on a terminal's stderr. Implemented in job_steps.cc with the pieces the
// backfill commands use (backfill_settings.h, backfill_render.h, stop_signals.h).
#ifndef STRATA_CLI_JOB_STEPS_H_
#define STRATA_CLI_JOB_STEPS_H_

#include <memory>

#include "cli/context.h"
#include "migrations/job_step.h"

namespace strata::cli {

// Runs job steps against ctx's target. SIGINT/SIGTERM while a job runs stop it between chunks
// (the step then fails with kCancelled and stays resumable). `ctx` must outlive the runner.
std::unique_ptr<migrations::JobStepRunner> MakeJobStepRunner(Context& ctx);

}  // namespace strata::cli

#endif  // STRATA_CLI_JOB_STEPS_H_
