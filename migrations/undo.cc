#include "migrations/undo.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "base/clock.h"
#include "migrations/history.h"

namespace strata::migrations {
namespace {

// ---- Planning --------------------------------------------------------------------------------

// Rows that say "this version is in the database" (as the plan's current version counts them):
// not undo rows, not the SCHEMA marker, not deleted or undone. Failed rows were refused before.
bool IsUndoCandidate(const PlanEntry& e) {
  if (!e.applied || !e.applied->version) return false;
  const MigrationType t = e.applied->type;
  return !IsUndoType(t) && t != MigrationType::kSchema && e.state != MigrationState::kDeleted &&
         e.state != MigrationState::kUndone;
}

std::string Identify(const HistoryRow& row) {
  return fmt::format("version {} ({})", row.version->ToString(), row.script);
}

// "U3__add_email.sql" for "V3__add_email.sql": the name the missing undo script should have.
std::string ExpectedUndoName(const HistoryRow& row) {
  std::string name = row.script.substr(row.script.find_last_of('/') + 1);
  if (!name.empty() && name.front() == 'V') name.front() = 'U';
  if (name.ends_with(".job")) name.replace(name.size() - 4, 4, ".sql");
  return name;
}

Status RefuseFailed(const Plan& plan) {
  for (const PlanEntry& e : plan.entries) {
    if (!IsFailedState(e.state)) continue;
    return Err(
        ErrorCode::kValidation,
        fmt::format("the history records a failed migration: {} ({}); remove its "
                    "half-applied changes by hand, then run strata repair; nothing was "
                    "undone",
                    e.version() ? "version " + e.version()->ToString() : "repeatable", e.script()));
  }
  return Ok();
}

// The entries undo reverts, in the order it runs them.
std::vector<const PlanEntry*> InRange(const Plan& plan, const std::optional<Version>& target) {
  std::vector<const PlanEntry*> range;
  for (const PlanEntry& e : plan.entries) {
    if (IsUndoCandidate(e) && (!target || *e.applied->version > *target)) range.push_back(&e);
  }
  if (!target) {
    // The latest applied version only.
    const auto latest = std::max_element(range.begin(), range.end(), [](auto* a, auto* b) {
      return *a->applied->version < *b->applied->version;
    });
    if (latest == range.end()) return {};
    return {*latest};
  }
  std::sort(range.begin(), range.end(), [](const PlanEntry* a, const PlanEntry* b) {
    return a->applied->installed_rank > b->applied->installed_rank;
  });
  return range;
}

// ---- Running ---------------------------------------------------------------------------------

// One U script ready to run.
struct UndoUnit {
  const UndoStep* step = nullptr;
  SqlFile file;
};

HistoryRow UndoRow(const UndoStep& step, std::int32_t rank, const std::string& user,
                   std::chrono::milliseconds duration, bool success) {
  HistoryRow row;
  row.installed_rank = rank;
  row.version = step.applied.version;
  row.description = step.undo.description;
  row.type = MigrationType::kUndoSql;
  row.script = step.undo.script;
  row.checksum = step.undo.checksum;
  row.installed_by = user;
  row.execution_time = static_cast<std::int32_t>(duration.count());
  row.success = success;
  return row;
}

// The U script's statements, in a transaction when it can run in one.
Script Body(const UndoUnit& unit) {
  Script script;
  script.push_back(
      Comment(fmt::format("undo {} with {}{}", Identify(unit.step->applied), unit.step->undo.script,
                          unit.file.in_transaction ? "" : " (outside a transaction)")));
  if (unit.file.in_transaction) script.push_back(Begin());
  script.insert(script.end(), unit.file.statements.begin(), unit.file.statements.end());
  return script;
}

// Records the undo, and commits it with the U script's statements.
Script Finish(const UndoUnit& unit, const SchemaHistory& history, const HistoryRow& row) {
  Script script;
  script.push_back(HistoryInsert(history, row));
  if (unit.file.in_transaction) script.push_back(Commit());
  return script;
}

std::chrono::milliseconds Since(Clock::TimePoint start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::Real().Now() - start);
}

// What undo reads, in a read-only transaction for dry runs.
struct UndoState {
  Plan plan;
  std::vector<UndoStep> steps;
  std::vector<UndoUnit> units;  // point into `steps`: filled once `steps` no longer moves
  std::optional<RunFiles> files;
  std::string user;
  std::int32_t next_rank = 1;
};

Result<std::unique_ptr<UndoState>> ReadState(db::Connection& conn, SchemaHistory& history,
                                             std::vector<ResolvedMigration> resolved,
                                             const UndoOptions& options) {
  auto state = std::make_unique<UndoState>();
  STRATA_ASSIGN_OR_RETURN(HistoryContents contents, ReadHistory(history));
  state->next_rank = NextInstalledRank(contents.rows);
  STRATA_ASSIGN_OR_RETURN(state->plan, MakePlan(std::move(resolved), std::move(contents.rows), {}));
  STRATA_ASSIGN_OR_RETURN(state->steps, PlanUndo(state->plan, options.target));
  state->user = options.run.installed_by;
  if (state->user.empty()) {
    STRATA_ASSIGN_OR_RETURN(state->user, history.CurrentUser());
  }
  STRATA_ASSIGN_OR_RETURN(RunFiles files, RunFiles::Make(conn, options.run));
  state->files = std::move(files);
  // Every U script is read and split before any runs: a bad one undoes nothing.
  for (const UndoStep& step : state->steps) {
    STRATA_ASSIGN_OR_RETURN(SqlFile file, state->files->Prepare(step.undo));
    state->units.push_back({&step, std::move(file)});
  }
  return state;
}

std::optional<Version> VersionAfter(const Plan& plan, const std::vector<UndoStep>& steps) {
  std::set<std::int32_t> undone;
  for (const UndoStep& s : steps) undone.insert(s.applied.installed_rank);
  std::optional<Version> highest;
  for (const PlanEntry& e : plan.entries) {
    if (!IsUndoCandidate(e) || undone.contains(e.applied->installed_rank)) continue;
    if (!highest || *e.applied->version > *highest) highest = e.applied->version;
  }
  return highest;
}

// Runs one U script and records it. A script outside a transaction that fails is recorded as
// failed, so that nothing continues until the partial changes are dealt with.
Result<UndoneMigration> RunUnit(const UndoUnit& unit, db::Connection& conn, SchemaHistory& history,
                                const std::string& user, std::int32_t& next_rank) {
  const auto start = Clock::Real().Now();
  if (Status ran = Execute(Body(unit), conn); !ran) {
    Error e = std::move(ran).error();
    if (unit.file.in_transaction) {
      e.message += "; the undo was rolled back and nothing was recorded";
      return e;
    }
    Status recorded = history.Insert(UndoRow(*unit.step, next_rank++, user, Since(start), false));
    e.message += recorded ? "; recorded as failed: undo its partial changes by hand, then run "
                            "strata repair"
                          : "; recording the failure also failed: " + recorded.error().message;
    return e;
  }
  const HistoryRow row = UndoRow(*unit.step, next_rank, user, Since(start), true);
  STRATA_TRY(Execute(Finish(unit, history, row), conn));
  ++next_rank;
  return UndoneMigration{*unit.step->applied.version, unit.step->applied.description,
                         unit.step->undo.script, Since(start)};
}

}  // namespace

Result<std::vector<UndoStep>> PlanUndo(const Plan& plan, const std::optional<Version>& target) {
  STRATA_TRY(RefuseFailed(plan));
  std::map<Version, const ResolvedMigration*> undo_files;
  for (const PlanEntry& e : plan.entries) {
    if (e.resolved && e.resolved->kind == MigrationKind::kUndo) {
      undo_files[*e.resolved->version] = &*e.resolved;
    }
  }
  const std::vector<const PlanEntry*> range = InRange(plan, target);
  for (const PlanEntry* e : range) {
    if (!IsBaselineType(e->applied->type)) continue;
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("cannot undo {}: it is the baseline of this database ({}), and there "
                           "is nothing before it to undo to; undo only the versions above it "
                           "with --target {}; nothing was undone",
                           Identify(*e->applied), MigrationTypeName(e->applied->type),
                           e->applied->version->ToString()));
  }
  std::vector<std::string> missing;
  std::optional<Version> highest_missing;  // a target at or above it needs none of them
  for (const PlanEntry* e : range) {
    const Version& version = *e->applied->version;
    if (undo_files.contains(version)) continue;
    missing.push_back(
        fmt::format("{}, expected {}", Identify(*e->applied), ExpectedUndoName(*e->applied)));
    if (!highest_missing || version > *highest_missing) highest_missing = version;
  }
  if (!missing.empty()) {
    std::string list;
    for (const std::string& m : missing) list += (list.empty() ? "" : "; ") + m;
    return Err(ErrorCode::kNotFound,
               fmt::format("no undo script for {}; add the U script{} to the migration "
                           "locations, or choose a --target at or above {}; nothing was undone",
                           list, missing.size() == 1 ? "" : "s", highest_missing->ToString()));
  }
  std::vector<UndoStep> steps;
  steps.reserve(range.size());
  for (const PlanEntry* e : range) {
    steps.push_back({*e->applied, *undo_files.at(*e->applied->version)});
  }
  return steps;
}

Result<UndoResult> Undo(db::Connection& conn, db::Connection& lock_conn,
                        std::vector<ResolvedMigration> resolved, const UndoOptions& options,
                        const LockWaitListener& on_wait) {
  SchemaHistory history(conn, options.run.history);
  UndoResult result;
  STRATA_ASSIGN_OR_RETURN(const std::string lock_name, history.LockName());
  STRATA_ASSIGN_OR_RETURN(
      Locked<std::unique_ptr<UndoState>> run,
      LockThenRead(conn, lock_conn, lock_name, options.run.dry_run, options.run.lock, on_wait,
                   [&] { return ReadState(conn, history, std::move(resolved), options); }));
  const std::unique_ptr<UndoState>& state = run.state;
  result.lock = run.lock.description();
  result.initial_version = state->plan.current_version;
  result.final_version = VersionAfter(state->plan, state->steps);
  STRATA_ASSIGN_OR_RETURN(Script before, state->files->CallbackSteps("beforeUndo"));
  STRATA_ASSIGN_OR_RETURN(Script after, state->files->CallbackSteps("afterUndo"));

  Script script = HeaderComments(result.lock);
  if (state->steps.empty()) script.push_back(Comment("nothing to undo"));
  Append(script, std::move(before));

  if (options.run.dry_run) {
    std::int32_t rank = state->next_rank;
    for (const UndoUnit& unit : state->units) {
      Append(script, Body(unit));
      Append(script,
             Finish(unit, history,
                    UndoRow(*unit.step, rank++, state->user, std::chrono::milliseconds(0), true)));
      result.undone.push_back({*unit.step->applied.version, unit.step->applied.description,
                               unit.step->undo.script, std::chrono::milliseconds(0)});
    }
    Append(script, std::move(after));
    result.dry_run_sql = RenderDryRun(script, conn.dialect());
    return result;
  }

  STRATA_TRY(Execute(script, conn));
  std::int32_t rank = state->next_rank;
  for (const UndoUnit& unit : state->units) {
    Result<UndoneMigration> undone = RunUnit(unit, conn, history, state->user, rank);
    if (!undone) {
      Error e = std::move(undone).error();
      if (!result.undone.empty()) {
        std::string versions;
        for (const UndoneMigration& u : result.undone) {
          versions += (versions.empty() ? "" : ", ") + u.version.ToString();
        }
        e.message += fmt::format(" (undone before the failure: {})", versions);
      }
      return e;
    }
    result.undone.push_back(std::move(undone).value());
  }
  STRATA_TRY(Execute(after, conn));
  STRATA_TRY(run.lock.Release());
  return result;
}

}  // namespace strata::migrations
