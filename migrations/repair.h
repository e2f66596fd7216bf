// `repair`: makes the history table agree with the migration files again, as Flyway's repair
// does (docs/flyway.md §5), without running any migration:
//   1. removes failed rows (success = false: MariaDB failures, non-transactional scripts), once
//      their half-applied changes have been cleaned up by hand;
//   2. marks applied migrations whose files are gone as deleted, with a DELETE row (Flyway's
//      marker: version, description, script and checksum copied, execution_time 0), unless an
//      ignore pattern matches them (`*:missing`, and `*:future` — the default — for migrations
//      applied by newer files: see below);
//   3. realigns the checksum, description and type of applied migrations to their files;
//   4. with `mark_applied`, records that version as applied (a success row with its file's
//      checksum) once its effects are known to be in place;
//   5. forgets the statement progress (progress.h) of every script it repairs, and of scripts
//      an interrupted run left unfinished without a history row (their changes were cleaned up
//      by hand, so the next migrate runs them from the first statement).
// Every change happens in one transaction (the history table is transactional on every
// engine), under the migration lock: all of it or none of it.
//
// Deliberate difference from Flyway: Flyway marks Future rows (applied by newer files than
// these) deleted whatever the patterns say, so running an old build's repair makes the next
// new build re-apply them. strata honours `*:future` for repair too: a Future row is marked
// deleted only when the patterns no longer ignore Future rows, i.e. when validate complains.
#ifndef STRATA_MIGRATIONS_REPAIR_H_
#define STRATA_MIGRATIONS_REPAIR_H_

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "db/connection.h"
#include "migrations/history.h"
#include "migrations/history_row.h"
#include "migrations/lifecycle.h"
#include "migrations/plan.h"
#include "migrations/resolver.h"
#include "migrations/script.h"

namespace strata::migrations {

// One value repair changes: "checksum" -123 -> 456.
struct FieldChange {
  std::string field;  // "checksum", "description" or "type"
  std::string old_value;
  std::string new_value;
};

struct RepairAction {
  enum class Kind {
    kRemoveFailed,    // DELETE the failed row
    kMarkDeleted,     // INSERT a DELETE row for it
    kRealign,         // UPDATE its checksum / description / type
    kMarkApplied,     // INSERT a success row for a version whose effects are in place
    kForgetProgress,  // DELETE the progress rows an interrupted run left (no history row)
  };
  Kind kind = Kind::kRealign;
  // The row acted on, as it is before repair; kMarkApplied: the row it inserts (rank assigned
  // by RepairScript); kForgetProgress: the script and version, nothing else.
  HistoryRow row;
  std::vector<FieldChange> changes;  // kRealign only: what changes, in column order
  HistoryRow realigned;              // kRealign only: the row after repair
};

// "remove failed", "mark deleted", "realign", "mark applied", "forget progress".
std::string_view RepairActionName(RepairAction::Kind kind);

// What repair must do, in order: removals, then DELETE markers, then realignments (each in
// history order). Pure. `patterns` are ignore_migration_patterns (only their missing and future
// states matter here). Empty when the history needs no repair. Fails as MakePlan does.
Result<std::vector<RepairAction>> PlanRepair(std::vector<ResolvedMigration> resolved,
                                             std::vector<HistoryRow> history,
                                             const std::vector<IgnorePattern>& patterns);

// The statements that carry out `actions` on `history`'s table (on a `dialect` connection), in
// one transaction, each preceded by a comment saying what it does; DELETE rows get
// installed_rank from `next_rank` on and installed_by `user`. Empty when `actions` is.
// With `progress_table` (the progress table exists), removing a failed row, marking a version
// applied and kForgetProgress also delete the script's progress rows.
Script RepairScript(const std::vector<RepairAction>& actions, const SchemaHistory& history,
                    db::Dialect dialect, std::int32_t next_rank, const std::string& user,
                    bool progress_table = false);

struct RepairOptions {
  // History table, lock, dry run; placeholders (repeatables' checksums follow them, as in
  // migrate) and the beforeRepair / afterRepair callbacks, run before the repair transaction and
  // after it commits.
  RunOptions run;
  // Flyway's ignoreMigrationPatterns; default {"*:future"}.
  std::vector<IgnorePattern> ignore_migration_patterns = {
      {IgnorePattern::Type::kAny, IgnorePattern::State::kFuture}};
  // `repair --mark-applied VERSION`: record this version as applied. Refused (kInvalidArgument,
  // nothing repaired) when no file has the version or it is applied already. Default none.
  std::optional<Version> mark_applied;
};

struct RepairResult {
  std::string history_table;  // quoted name
  bool history_exists = false;
  std::vector<RepairAction> actions;  // empty: nothing to repair
  std::string lock;                   // how the lock was taken (or would be, for dry runs)
  std::string dry_run_sql;            // dry runs only: the rendered script
};

// Repairs the history of `conn` (`lock_conn` holds the lock: see Migrate() in migrator.h).
// Reads the history under the lock, plans, then executes (or with run.dry_run renders) the
// callbacks and the repair script. A history that needs no repair is not an error: the result
// has no actions and only the callbacks ran. Errors: kLockTimeout, kConnection, kDatabase
// (nothing changed: the transaction rolled back), kValidation for a corrupt history.
Result<RepairResult> Repair(db::Connection& conn, db::Connection& lock_conn,
                            std::vector<ResolvedMigration> resolved, const RepairOptions& options,
                            const LockWaitListener& on_wait);

}  // namespace strata::migrations

#endif  // STRATA_MIGRATIONS_REPAIR_H_
