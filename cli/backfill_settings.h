// What a backfill run takes from the command line and strata.toml: the job (from the registry
// `strata backfill list` shows, bound with --param), the executor's options (each flag over its
// backfill_* key) and connections to the target and the configured replicas. Shared by the
// backfill commands and the job steps inside `migrate` (cli/job_steps.cc).
#ifndef STRATA_CLI_BACKFILL_SETTINGS_H_
#define STRATA_CLI_BACKFILL_SETTINGS_H_

#include <CLI/CLI.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backfill/executor.h"
#include "backfill/job.h"
#include "base/result.h"
#include "cli/config.h"
#include "cli/context.h"

namespace strata::cli {

// `backfill run` and `backfill plan`; unset values come from strata.toml (backfill_* keys).
struct BackfillRunFlags {
  std::string job;
  std::vector<std::string> params;                      // --param k=v (repeatable)
  bool dry_run = false;                                 // --dry-run: count, sample, write nothing
  int sample_chunks = 0;                                // --sample-chunks N: execute + roll back
  std::int64_t plan_chunk_keys = 1000;                  // --plan-chunk-keys: dry-run chunk size
  std::optional<std::string> workers;                   // --workers (default 1)
  std::optional<std::string> max_rows_per_second;       // --max-rows-per-second (default 0: none)
  std::optional<std::string> chunk_target;              // --chunk-target (default 500ms)
  std::optional<std::string> max_attempts;              // --max-attempts (default 5)
  std::optional<std::string> max_replica_lag;           // --max-replica-lag (default 5s)
  std::optional<std::string> max_connections_fraction;  // --max-connections-fraction (0.9)
  std::optional<std::string> max_threads_running;       // --max-threads-running (default 25)
  std::optional<std::string> statement_timeout;         // --statement-timeout (default 30s)
  std::optional<std::string> lock_timeout;              // --lock-timeout (default 5s)
  std::optional<std::string> reclaim_after;             // --reclaim-after (default 60s)
};

// JOB and the flags `backfill plan` and `backfill run` share (not the dry-run ones).
void AddBackfillRunFlags(CLI::App* cmd, BackfillRunFlags& f);

// The jobs the CLI knows: the built-in ones, plus a test binary's (backfill/control.h).
const backfill::JobRegistry& BackfillJobs();

// The job called `name`; kNotFound listing the known jobs otherwise.
Result<const backfill::JobDefinition*> FindBackfillJob(const std::string& name);

// f.job bound with f.params (NAME=VALUE each).
Result<std::unique_ptr<backfill::BoundJob>> BindBackfillJob(const BackfillRunFlags& f);

// The executor's options: each flag given in `f`, else its backfill_* key in `c`.
// kInvalidArgument naming the flag, or where the key was set (Config::Describe), when a value
// is out of range or malformed.
Result<backfill::ExecutorOptions> ExecutorOptionsFor(const Config& c, const BackfillRunFlags& f);

// Connections to the target (and the configured replicas) named `application_name`. The stop
// flag is left for the caller to set.
Result<backfill::ExecutorDeps> ExecutorDepsFor(const Context& ctx,
                                               const std::string& application_name);

}  // namespace strata::cli

#endif  // STRATA_CLI_BACKFILL_SETTINGS_H_
