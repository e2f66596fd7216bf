// `undo`: reverts applied versioned migrations by running their U scripts
// (`U<version>__<description>.sql`), newest first, and records each run as an UNDO_SQL row, as
// Flyway Teams does (docs/flyway.md §5). The undone migrations' state becomes Undone and
// their V files are Pending again (plan.h).
//
// Which migrations: without a target, the latest applied version only (Flyway's default target
// `current`); with a target version V, every applied version above V, in reverse order of
// application (installed_rank), so that a migration applied out of order after a higher one is
// undone before it. Repeatables cannot be undone and are left alone.
//
// Refused before anything runs: a failed migration in the history (repair first), a baseline in
// the range (a BASELINE or SQL_BASELINE row has nothing to undo to), a version in the range
// without a U script (every one is named), and a U script that cannot be read, has an unknown
// placeholder or cannot be split.
//
// Transactions, as in migrate: on PostgreSQL and SQLite each U script and its UNDO_SQL row commit
// together; a U script that cannot run in a transaction (or MariaDB, which commits DDL) runs
// statement by statement, each recorded in the progress table (progress.h) as migrate records a
// V script's. A failure records a failed UNDO_SQL row: migrate refuses to continue, naming how
// far the U script got, and the next undo resumes it at its first unapplied statement (a dead
// runner's too); or the partial changes are cleaned up by hand and `repair` removes the row.
//
// SIGINT/SIGTERM (UndoOptions::run.lock.stop): the statement running is cancelled by the caller,
// and undo stops before the next U script (kCancelled), having recorded what it did.
#ifndef STRATA_MIGRATIONS_UNDO_H_
#define STRATA_MIGRATIONS_UNDO_H_

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "db/connection.h"
#include "migrations/history_row.h"
#include "migrations/lifecycle.h"
#include "migrations/plan.h"
#include "migrations/resolver.h"
#include "migrations/version.h"

namespace strata::migrations {

// One migration to undo: its history row and its U file.
struct UndoStep {
  HistoryRow applied;
  ResolvedMigration undo;
};

// What undo reverts, in the order it runs, from `plan` (MakePlan over the files, U files
// included, and the history). `target`: undo every applied version above it; unset: the latest
// applied version only. Empty when nothing is applied above the target. Pure.
// Errors: kValidation for a failed migration; kInvalidArgument for a baseline in the range;
// kNotFound naming every version in the range that has no U script.
Result<std::vector<UndoStep>> PlanUndo(const Plan& plan, const std::optional<Version>& target);

struct UndoOptions {
  // History table, lock, dry run; placeholders and `mixed` for the U scripts; beforeUndo and
  // afterUndo callbacks, each file in a transaction of its own, before the first U script and
  // after the last.
  RunOptions run;
  // Undo every applied version above this one. Default (unset): the latest applied only.
  std::optional<Version> target;
};

struct UndoneMigration {
  Version version;
  std::string description;  // the undone migration's
  std::string script;       // the U script that ran
  std::chrono::milliseconds duration{0};
};

struct UndoResult {
  std::optional<Version> initial_version;  // current version before
  std::optional<Version> final_version;    // after (absent: nothing versioned is left applied)
  std::vector<UndoneMigration> undone;     // in the order they ran (would run, for dry runs)
  std::string lock;
  std::string dry_run_sql;  // dry runs only
};

// Undoes on `conn` under the lock held on `lock_conn` (see Migrate() in migrator.h), or with
// run.dry_run renders what it would run. Errors: those of PlanUndo and of preparing the U
// scripts (nothing has run), kLockTimeout, kConnection, and kDatabase for a failing statement
// ("U3__x.sql:4:1: statement 2 of 5 failed: ...") after the migrations undone before it.
Result<UndoResult> Undo(db::Connection& conn, db::Connection& lock_conn,
                        std::vector<ResolvedMigration> resolved, const UndoOptions& options,
                        const LockWaitListener& on_wait);

}  // namespace strata::migrations

#endif  // STRATA_MIGRATIONS_UNDO_H_
