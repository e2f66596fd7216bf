// The plan: what state every migration is in, given the files and the history table.
//
// A pure function of (resolved migrations, history rows, options), computed as Flyway's
// MigrationInfoService computes it (docs/flyway.md §2 and §5). `info` prints it,
// `validate` judges its problems, `migrate` runs its `to_apply` list. No database, no printing.
//
// Where strata knowingly differs from Flyway:
//   - A row is matched to the file of the same version among V and job files, U files or B files
//     (Flyway: same version and same type), so a V file turned into a job step is reported as a
//     type mismatch instead of "missing" plus "pending".
//   - B files in a database that already has a history are Ignored without a problem, and a
//     SQL_BASELINE row whose B file was later removed is not reported missing: B files only ever
//     start new databases, and teams regenerate them.
//   - Only a strictly higher earlier version makes a row Out of Order.
//   - current_version does not fall back to the latest repeatable when nothing versioned ran.
//   - Messages are strata's own, one line each; the kinds match Flyway's error codes.
#ifndef STRATA_MIGRATIONS_PLAN_H_
#define STRATA_MIGRATIONS_PLAN_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "migrations/history_row.h"
#include "migrations/resolver.h"
#include "migrations/version.h"

namespace strata::migrations {

// Flyway's MigrationState. MigrationStateName gives the text `info` shows.
enum class MigrationState {
  kPending,          // "Pending": not applied yet, will be
  kAboveTarget,      // "Above Target": not applied, and won't be: above the target version
  kBelowBaseline,    // "Below Baseline": not applied: the database was baselined higher
  kBaselineIgnored,  // "Ignored (Baseline)": not applied: a baseline stands at this version
  kBaseline,         // "Baseline": this row baselined the database (BASELINE, SQL_BASELINE)
  kIgnored,          // "Ignored": not applied and below the current version (out_of_order off);
                     //            or a B file in a database that already has a history
  kMissingSuccess,   // "Missing": applied, file gone, below the highest file version
  kMissingFailed,    // "Failed (Missing)": as above, and it failed
  kSuccess,          // "Success"
  kUndone,           // "Undone": applied, then undone by a later undo row
  kAvailable,        // "Available": an undo file that could be applied
  kFailed,           // "Failed": success = false
  kOutOfOrder,       // "Out of Order": succeeded after a higher version had been applied
  kFutureSuccess,    // "Future": applied, file gone, above every file's version
  kFutureFailed,     // "Failed (Future)": as above, and it failed
  kOutdated,         // "Outdated": a repeatable whose file changed since its latest run
  kSuperseded,       // "Superseded": an older run of a repeatable that ran again since
  kDeleted,          // "Deleted": marked deleted by repair (a later DELETE row)
};

std::string_view MigrationStateName(MigrationState state);
// Failed, Failed (Missing), Failed (Future).
bool IsFailedState(MigrationState state);

// How far `migrate` goes. Flyway's `target` setting.
struct Target {
  enum class Kind {
    kLatest,   // every pending migration
    kCurrent,  // nothing beyond the current version
    kNext,     // only the first pending versioned migration
    kVersion,  // up to and including `version`
  };
  Kind kind = Kind::kLatest;
  std::optional<Version> version;  // set exactly for kVersion
  // kVersion only: MakePlan fails when no migration, applied or on disk, has this version.
  // Flyway's `failOnMissingTarget`; a target written "2.1?" allows a missing version.
  bool must_exist = true;

  // Parses "latest", "current", "next" (any case), "2.1" or "2.1?". Fails with kInvalidArgument.
  static Result<Target> Parse(std::string_view text);
};

// One entry of Flyway's `ignoreMigrationPatterns`: "<type>:<state>", type `versioned`,
// `repeatable` or `*`, state `missing`, `pending`, `ignored`, `future` or `*` (any case,
// spaces around either part ignored). A migration that matches any pattern is not validated at
// all. As in Flyway, `missing` and `future` match only the successful states (Missing, Future),
// and the state `*` matches every state — `versioned:*` also skips checksum checks.
struct IgnorePattern {
  enum class Type { kAny, kVersioned, kRepeatable };
  enum class State { kAny, kMissing, kPending, kIgnored, kFuture };
  Type type = Type::kAny;
  State state = State::kAny;

  // Fails with kInvalidArgument explaining the expected form.
  static Result<IgnorePattern> Parse(std::string_view text);
  // A comma-separated list; empty items are skipped, so "" is the empty list.
  static Result<std::vector<IgnorePattern>> ParseList(std::string_view text);

  bool Matches(bool versioned, MigrationState state) const;
};

struct PlanOptions {
  // Default: latest, every pending migration.
  Target target;
  // Whether pending versions below the current version are applied (state Pending, then
  // Out of Order once applied) instead of being Ignored. Default: false.
  bool out_of_order = false;
  // Default: {"*:future"}, Flyway's default: rows applied by a newer set of files are fine.
  // `migrate` validates with "*:pending" added, as Flyway's validateOnMigrate does.
  std::vector<IgnorePattern> ignore_migration_patterns = {
      {IgnorePattern::Type::kAny, IgnorePattern::State::kFuture}};
  // When set and the history is empty, plan as if a BASELINE marker row at this version were
  // its first row: what `migrate` with baselineOnMigrate (or `baseline`) would record.
  // Ignored when the history has rows. Default: unset.
  std::optional<Version> baseline_version;
};

// One line of `info`: a history row, a file, or both.
struct PlanEntry {
  std::optional<ResolvedMigration> resolved;  // the file, when there is one
  std::optional<HistoryRow> applied;          // the history row, when there is one
  MigrationState state = MigrationState::kPending;

  // As Flyway shows them: the history row's values when there is a row, else the file's.
  const std::optional<Version>& version() const;
  const std::string& description() const;
  MigrationType type() const;
  const std::string& script() const;
  std::optional<std::int32_t> checksum() const;
  // "Versioned", "Repeatable", "Baseline", "Undo", or "" for SCHEMA and BASELINE markers.
  std::string_view category() const;
};

enum class ProblemKind {
  kFailed,               // a failed row (also when its file is gone)
  kMissing,              // applied, file gone
  kFuture,               // applied, file gone, newer than every file (unless "*:future")
  kIgnored,              // not applied, below the current version, out_of_order off
  kPending,              // not applied yet
  kOutdated,             // a repeatable changed since it ran
  kTypeMismatch,         // the file's type differs from the row's (SQL vs JDBC, ...)
  kChecksumMismatch,     // the file changed since it was applied
  kDescriptionMismatch,  // the file was renamed since it was applied
};

// e.g. "checksum mismatch".
std::string_view ProblemKindName(ProblemKind kind);

// Why `validate` fails for one migration. `message` is one line naming the migration and its
// file, e.g. "version 3 (V3__add_users.sql): applied checksum -12 differs from file checksum 34;
// revert the file, or run repair to accept it".
struct ValidationProblem {
  std::size_t entry = 0;  // index into Plan::entries
  ProblemKind kind = ProblemKind::kFailed;
  std::string message;
};

struct Plan {
  // Applied rows in installed_rank order (DELETE rows are not entries: they mark the rows they
  // delete), then files never applied: versioned ones by version (B before V before U), then
  // repeatables by description.
  std::vector<PlanEntry> entries;
  // What `migrate` would run, in order, as indices into `entries`: pending versioned migrations
  // (a pending B file first, then V and job steps by version), then repeatables that are new or
  // whose file changed, by description. Computed whatever `problems` says: a runner must refuse
  // to run while validation with "*:pending" finds problems (e.g. a failed migration).
  std::vector<std::size_t> to_apply;
  // Validation with the options' ignore patterns, in entry order; at most one per entry.
  std::vector<ValidationProblem> problems;
  // The highest applied version (failed rows count, as in Flyway; undone and deleted rows and
  // undo rows do not). Absent when nothing versioned was applied.
  std::optional<Version> current_version;
};

// Computes the plan. Takes its inputs by value and moves them into the entries, so that the plan
// stands alone: pass them with std::move when they are not needed afterwards (10,000 files are
// then planned without copying one).
// `resolved` must not contain duplicates (ResolveMigrations guarantees it); `history` may come in
// any order (it is sorted by installed_rank).
// Fails with kInvalidArgument when `resolved` has duplicates or the target version does not
// exist (see Target::must_exist), and with kValidation when the history is corrupt (two DELETE
// rows for the same applied version).
Result<Plan> MakePlan(std::vector<ResolvedMigration> resolved, std::vector<HistoryRow> history,
                      const PlanOptions& options);
// The same, copying the inputs.
Result<Plan> MakePlan(std::span<const ResolvedMigration> resolved,
                      std::span<const HistoryRow> history, const PlanOptions& options);

}  // namespace strata::migrations

#endif  // STRATA_MIGRATIONS_PLAN_H_
