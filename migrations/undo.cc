#include "migrations/undo.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <utility>

#include "base/clock.h"
#include "migrations/history.h"
#include "migrations/progress.h"

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
  SqlFile file;  // outside a transaction: only the statements left to run (resumed)
  // Outside a transaction: what runs first when an earlier run left the script partly applied
  // (ResumeSteps), the number of the first statement left, and the file's statement count.
  Script resume;
  int first_statement = 1;
  int statement_count = 0;
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
  Append(script, unit.resume);
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
  std::vector<PartialScript> partials;  // U scripts an earlier run left unfinished
};

// Outside a transaction, a U script an earlier run left partly applied resumes at its first
// unapplied statement (progress.h), after deleting that run's failed UNDO_SQL row.
Status PrepareResume(UndoUnit& unit, const UndoState& state,
                     const std::map<std::string, std::int32_t>& resumed_failed,
                     db::Connection& conn, const SchemaHistory& history) {
  unit.statement_count = static_cast<int>(unit.file.statements.size());
  if (unit.file.in_transaction) return Ok();
  const ResolvedMigration& undo = unit.step->undo;
  std::optional<std::int32_t> failed_rank;
  if (auto it = resumed_failed.find(undo.script); it != resumed_failed.end()) {
    failed_rank = it->second;
  }
  STRATA_ASSIGN_OR_RETURN(
      unit.resume, ResumeSteps(undo, FindPartial(state.partials, undo.script), failed_rank, conn,
                               history.quoted(), unit.file.statements, unit.first_statement));
  return Ok();
}

Result<std::unique_ptr<UndoState>> ReadState(db::Connection& conn, SchemaHistory& history,
                                             std::vector<ResolvedMigration> resolved,
                                             const UndoOptions& options) {
  auto state = std::make_unique<UndoState>();
  STRATA_ASSIGN_OR_RETURN(HistoryContents contents, ReadHistory(history));
  state->next_rank = NextInstalledRank(contents.rows);
  // Under the lock (and after the orphan wait): settle what a dead runner left; a dry run only
  // looks.
  STRATA_ASSIGN_OR_RETURN(state->partials, ReconcileProgress(conn, history.name(), contents.rows,
                                                             /*settle=*/!options.run.dry_run));
  std::map<std::string, std::int32_t> resumed_failed;
  STRATA_ASSIGN_OR_RETURN(std::vector<HistoryRow> plan_rows,
                          RowsToPlan(contents.rows, state->partials, resolved, resumed_failed,
                                     /*undo_rows=*/true));
  STRATA_ASSIGN_OR_RETURN(state->plan, MakePlan(std::move(resolved), std::move(plan_rows), {}));
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
    UndoUnit unit;
    unit.step = &step;
    unit.file = std::move(file);
    STRATA_TRY(PrepareResume(unit, *state, resumed_failed, conn, history));
    state->units.push_back(std::move(unit));
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

Status RunOneStatement(const ScriptStep& step, db::Connection& conn) {
  if (step.copy_data) return conn.CopyFrom(step.sql, *step.copy_data);
  auto done = conn.Execute(step.sql, step.params);
  if (!done) return std::move(done).error();
  return Ok();
}

// Runs the statements of a U script outside a transaction (after its resume steps), each
// recorded in the progress table before and after it runs, as migrate does for V scripts
// (migrator.cc). On failure, `failed_at` is the statement's number in the file.
Status RunRecorded(const UndoUnit& unit, db::Connection& conn, ProgressRecorder& progress,
                   int& failed_at) {
  const ResolvedMigration& u = unit.step->undo;
  STRATA_TRY(Execute(unit.resume, conn));
  for (std::size_t i = 0; i < unit.file.statements.size(); ++i) {
    const ScriptStep& step = unit.file.statements[i];
    const int number = unit.first_statement + static_cast<int>(i);
    failed_at = number;
    STRATA_TRY(progress.Start(u, number, unit.statement_count, step));
    if (Status ran = RunOneStatement(step, conn); !ran) {
      Error e = ran.error();
      if (Status noted = progress.Failed(u.script, number, e.message); !noted) {
        e.message += "; recording it in the progress table also failed: " + noted.error().message;
      }
      e.message = fmt::format("{}: statement {} of {} failed: {}",
                              step.origin.empty() ? u.script : step.origin, number,
                              unit.statement_count, e.message);
      return e;
    }
    STRATA_TRY(progress.Done(u.script, number));
  }
  return Ok();
}

// Runs one U script and records it. A script outside a transaction that fails is recorded as
// failed, with how far it got, so that nothing continues until `undo` resumes it (or the partial
// changes are dealt with by hand and `repair` removes the row).
Result<UndoneMigration> RunUnit(const UndoUnit& unit, db::Connection& conn, SchemaHistory& history,
                                ProgressRecorder& progress, const std::string& user,
                                std::int32_t& next_rank) {
  const auto start = Clock::Real().Now();
  int failed_at = 0;
  if (Status ran = unit.file.in_transaction ? Execute(Body(unit), conn)
                                            : RunRecorded(unit, conn, progress, failed_at);
      !ran) {
    Error e = std::move(ran).error();
    if (unit.file.in_transaction) {
      e.message += "; the undo was rolled back and nothing was recorded";
      return e;
    }
    Status recorded = history.Insert(UndoRow(*unit.step, next_rank++, user, Since(start), false));
    e.message += recorded
                     ? fmt::format(
                           "; {} applied before it; recorded as failed: remove the cause, then run "
                           "strata undo: it resumes at statement {} (the file must stay as it is: "
                           "its checksum is checked); or undo its partial changes by hand and run "
                           "strata repair",
                           StatementsText(failed_at - 1), failed_at)
                     : "; recording the failure also failed: " + recorded.error().message;
    return e;
  }
  const HistoryRow row = UndoRow(*unit.step, next_rank, user, Since(start), true);
  STRATA_TRY(Execute(Finish(unit, history, row), conn));
  ++next_rank;
  // The history row is the truth from here on; rows left by a failure to forget them are
  // stale, and the next run's reconciliation deletes them.
  if (!unit.file.in_transaction) (void)progress.Forget(unit.step->undo.script);
  return UndoneMigration{*unit.step->applied.version, unit.step->applied.description,
                         unit.step->undo.script, Since(start)};
}

// "3, 2": the versions undone so far.
std::string VersionsUndone(const UndoResult& result) {
  std::string versions;
  for (const UndoneMigration& u : result.undone) {
    versions += (versions.empty() ? "" : ", ") + u.version.ToString();
  }
  return versions;
}

// Stops before the next U script once `stop` is set (SIGINT/SIGTERM): the statement that was
// running when it came has been cancelled on the server by the caller (a MariaDB SLEEP() or a
// statement that ended just then is not an error), and nothing new starts.
Status StopBefore(const UndoUnit& unit, const std::atomic<bool>* stop, const UndoResult& result) {
  if (stop == nullptr || !stop->load()) return Ok();
  return Err(
      ErrorCode::kCancelled,
      fmt::format("stopped before {}: {} undone{}; run strata undo again to undo the rest",
                  unit.step->undo.script,
                  result.undone.size() == 1 ? "1 migration"
                                            : fmt::format("{} migrations", result.undone.size()),
                  result.undone.empty() ? std::string()
                                        : fmt::format(" (version {})", VersionsUndone(result))));
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
  ProgressRecorder progress(conn, history.name());
  std::int32_t rank = state->next_rank;
  for (const UndoUnit& unit : state->units) {
    STRATA_TRY(StopBefore(unit, options.run.lock.stop, result));
    Result<UndoneMigration> undone = RunUnit(unit, conn, history, progress, state->user, rank);
    if (!undone) {
      Error e = std::move(undone).error();
      if (!result.undone.empty()) {
        e.message += fmt::format(" (undone before the failure: {})", VersionsUndone(result));
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
