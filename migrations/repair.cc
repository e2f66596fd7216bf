#include "migrations/repair.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "migrations/progress.h"

namespace strata::migrations {
namespace {

// ---- Planning --------------------------------------------------------------------------------

std::string ChecksumText(std::optional<std::int32_t> checksum) {
  return checksum ? std::to_string(*checksum) : "NULL";
}

// The same comparison validate makes (plan.cc): an Oracle-style "<< no description >>" row
// equals an empty file description.
bool DescriptionDiffers(const ResolvedMigration& file, const HistoryRow& row) {
  if (row.description == kNoDescriptionMarker) return !file.description.empty();
  return AbbreviateDescription(file.description) != row.description;
}

// What realigning `row` to `file` changes (and `realigned`, the row afterwards). Versioned rows:
// type, checksum and description, as validate compares them. Repeatables: only a checksum that
// matches the file's raw text but not its text with placeholders replaced (Flyway's one repeatable
// case); any other difference makes the repeatable Outdated, and migrate re-applies it.
std::vector<FieldChange> Differences(const ResolvedMigration& file, const HistoryRow& row,
                                     HistoryRow& realigned) {
  std::vector<FieldChange> changes;
  realigned = row;
  if (!row.version) {
    if (row.checksum && *row.checksum != file.checksum && file.ChecksumMatches(row.checksum)) {
      changes.push_back({"checksum", ChecksumText(row.checksum), ChecksumText(file.checksum)});
      realigned.checksum = file.checksum;
    }
    return changes;
  }
  if (row.type != file.type()) {
    changes.push_back({"type", std::string(MigrationTypeName(row.type)),
                       std::string(MigrationTypeName(file.type()))});
    realigned.type = file.type();
  }
  if (!file.ChecksumMatches(row.checksum)) {
    changes.push_back({"checksum", ChecksumText(row.checksum), ChecksumText(file.checksum)});
    realigned.checksum = file.checksum;
  }
  if (DescriptionDiffers(file, row)) {
    realigned.description = AbbreviateDescription(file.description);
    changes.push_back({"description", row.description, realigned.description});
  }
  return changes;
}

bool IgnoredByPatterns(const std::vector<IgnorePattern>& patterns, bool versioned,
                       MigrationState state) {
  return std::any_of(patterns.begin(), patterns.end(),
                     [&](const IgnorePattern& p) { return p.Matches(versioned, state); });
}

// Rows whose file is gone. Undo rows are left alone: the undo already ran, and a DELETE row
// carries only a version, so it would mark the wrong row of that version.
bool ShouldMarkDeleted(const PlanEntry& entry, const std::vector<IgnorePattern>& patterns) {
  const bool gone = entry.state == MigrationState::kMissingSuccess ||
                    entry.state == MigrationState::kFutureSuccess;
  return gone && !IsUndoType(entry.applied->type) &&
         !IgnoredByPatterns(patterns, entry.applied->version.has_value(), entry.state);
}

bool CanRealign(MigrationState state) {
  return state == MigrationState::kSuccess || state == MigrationState::kOutOfOrder ||
         state == MigrationState::kBaseline;
}

// ---- Statements ------------------------------------------------------------------------------

std::string Identify(const HistoryRow& row) {
  if (row.version) return fmt::format("version {} ({})", row.version->ToString(), row.script);
  return fmt::format("repeatable {}", row.script);
}

std::string Describe(const RepairAction& action) {
  const HistoryRow& row = action.row;
  switch (action.kind) {
    case RepairAction::Kind::kRemoveFailed:
      return fmt::format("remove failed row: {}, installed_rank {}", Identify(row),
                         row.installed_rank);
    case RepairAction::Kind::kMarkDeleted:
      return fmt::format("mark deleted: {}, installed_rank {}: its file is gone", Identify(row),
                         row.installed_rank);
    case RepairAction::Kind::kMarkApplied:
      return fmt::format("mark applied: {}: its effects are in place", Identify(row));
    case RepairAction::Kind::kForgetProgress:
      return fmt::format("forget the progress of {} left by an interrupted run", row.script);
    case RepairAction::Kind::kRealign: {
      std::string text =
          fmt::format("realign {}, installed_rank {}:", Identify(row), row.installed_rank);
      for (const FieldChange& c : action.changes) {
        text += fmt::format(" {} {} -> {}", c.field, c.old_value, c.new_value);
        if (&c != &action.changes.back()) text += ',';
      }
      return text;
    }
  }
  return "";
}

HistoryRow DeleteMarker(const HistoryRow& row, std::int32_t rank, const std::string& user) {
  HistoryRow marker = row;
  marker.installed_rank = rank;
  marker.type = MigrationType::kDelete;
  marker.installed_by = user;
  marker.execution_time = 0;
  return marker;
}

db::Params RealignParams(const HistoryRow& realigned) {
  return {realigned.description, std::string(MigrationTypeName(realigned.type)),
          realigned.checksum ? db::Param(std::int64_t{*realigned.checksum}) : db::Param(nullptr),
          std::int64_t{realigned.installed_rank}};
}

std::string P(db::Dialect d, int n) { return db::Placeholder(d, n); }

}  // namespace

std::string_view RepairActionName(RepairAction::Kind kind) {
  switch (kind) {
    case RepairAction::Kind::kRemoveFailed:
      return "remove failed";
    case RepairAction::Kind::kMarkDeleted:
      return "mark deleted";
    case RepairAction::Kind::kRealign:
      return "realign";
    case RepairAction::Kind::kMarkApplied:
      return "mark applied";
    case RepairAction::Kind::kForgetProgress:
      return "forget progress";
  }
  return "";
}

Result<std::vector<RepairAction>> PlanRepair(std::vector<ResolvedMigration> resolved,
                                             std::vector<HistoryRow> history,
                                             const std::vector<IgnorePattern>& patterns) {
  PlanOptions plan_options;
  plan_options.ignore_migration_patterns = patterns;
  STRATA_ASSIGN_OR_RETURN(Plan plan,
                          MakePlan(std::move(resolved), std::move(history), plan_options));
  std::vector<RepairAction> removals;
  std::vector<RepairAction> deletions;
  std::vector<RepairAction> realignments;
  for (PlanEntry& entry : plan.entries) {
    if (!entry.applied || IsSynthetic(entry.applied->type)) continue;
    if (!entry.applied->success) {
      removals.push_back({RepairAction::Kind::kRemoveFailed, *entry.applied, {}, {}});
    } else if (ShouldMarkDeleted(entry, patterns)) {
      deletions.push_back({RepairAction::Kind::kMarkDeleted, *entry.applied, {}, {}});
    } else if (entry.resolved && CanRealign(entry.state)) {
      RepairAction action{RepairAction::Kind::kRealign, *entry.applied, {}, {}};
      action.changes = Differences(*entry.resolved, *entry.applied, action.realigned);
      if (!action.changes.empty()) realignments.push_back(std::move(action));
    }
  }
  std::vector<RepairAction> actions = std::move(removals);
  actions.insert(actions.end(), std::make_move_iterator(deletions.begin()),
                 std::make_move_iterator(deletions.end()));
  actions.insert(actions.end(), std::make_move_iterator(realignments.begin()),
                 std::make_move_iterator(realignments.end()));
  return actions;
}

Script RepairScript(const std::vector<RepairAction>& actions, const SchemaHistory& history,
                    db::Dialect d, std::int32_t next_rank, const std::string& user,
                    bool progress_table) {
  Script script;
  if (actions.empty()) return script;
  const std::string table = history.quoted();
  script.push_back(Begin());
  for (const RepairAction& action : actions) {
    script.push_back(Comment(Describe(action)));
    switch (action.kind) {
      case RepairAction::Kind::kRemoveFailed:
        script.push_back(
            Statement(fmt::format("DELETE FROM {} WHERE installed_rank = {}", table, P(d, 1)),
                      {std::int64_t{action.row.installed_rank}}, "history"));
        break;
      case RepairAction::Kind::kMarkDeleted:
        script.push_back(HistoryInsert(history, DeleteMarker(action.row, next_rank++, user)));
        break;
      case RepairAction::Kind::kRealign:
        script.push_back(
            Statement(fmt::format("UPDATE {} SET description = {}, type = {}, checksum = {} WHERE "
                                  "installed_rank = {}",
                                  table, P(d, 1), P(d, 2), P(d, 3), P(d, 4)),
                      RealignParams(action.realigned), "history"));
        break;
      case RepairAction::Kind::kMarkApplied: {
        HistoryRow row = action.row;
        row.installed_rank = next_rank++;
        script.push_back(HistoryInsert(history, row));
        break;
      }
      case RepairAction::Kind::kForgetProgress:
        break;
    }
    const bool forgets = action.kind == RepairAction::Kind::kRemoveFailed ||
                         action.kind == RepairAction::Kind::kMarkApplied ||
                         action.kind == RepairAction::Kind::kForgetProgress;
    if (progress_table && forgets) {
      script.push_back(ForgetProgressStep(d, history.name(), action.row.script));
    }
  }
  script.push_back(Commit());
  return script;
}

namespace {

// What repair reads, in a read-only transaction for dry runs.
struct RepairState {
  HistoryContents history;
  std::string user;
  std::optional<RunFiles> files;
  bool progress_table = false;
  std::vector<PartialScript> partials;  // read only: repair forgets them
};

Result<RepairState> ReadState(db::Connection& conn, SchemaHistory& history,
                              std::vector<ResolvedMigration>& resolved, const RunOptions& run) {
  RepairState state;
  STRATA_ASSIGN_OR_RETURN(state.history, ReadHistory(history));
  state.user = run.installed_by;
  if (state.user.empty()) {
    STRATA_ASSIGN_OR_RETURN(state.user, history.CurrentUser());
  }
  STRATA_ASSIGN_OR_RETURN(RunFiles files, RunFiles::Make(conn, run));
  state.files = std::move(files);
  STRATA_TRY(WithReplacedChecksums(resolved, state.files->placeholders()));
  STRATA_ASSIGN_OR_RETURN(state.progress_table, ProgressTableExists(conn, history.name()));
  STRATA_ASSIGN_OR_RETURN(state.partials,
                          ReconcileProgress(conn, history.name(), state.history.rows, false));
  return state;
}

// Whether a migration in `state` may be marked applied: it is not applied now.
bool MayMarkApplied(MigrationState state) {
  return state == MigrationState::kPending || state == MigrationState::kIgnored ||
         state == MigrationState::kFailed || state == MigrationState::kUndone ||
         state == MigrationState::kAboveTarget;
}

// The kMarkApplied action for `version`, or the one-line refusal.
Result<RepairAction> MarkAppliedAction(const Version& version,
                                       const std::vector<ResolvedMigration>& resolved,
                                       const std::vector<HistoryRow>& rows,
                                       const std::vector<IgnorePattern>& patterns,
                                       const std::string& user) {
  PlanOptions plan_options;
  plan_options.ignore_migration_patterns = patterns;
  STRATA_ASSIGN_OR_RETURN(Plan plan, MakePlan(resolved, rows, plan_options));
  const PlanEntry* found = nullptr;
  for (const PlanEntry& e : plan.entries) {
    if (e.resolved && e.resolved->version == version && !IsUndoType(e.resolved->type())) {
      found = &e;
    }
  }
  if (found == nullptr) {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("cannot mark version {} applied: no migration file in the locations has "
                           "that version; nothing was repaired",
                           version.ToString()));
  }
  const ResolvedMigration& m = *found->resolved;
  if (!MayMarkApplied(found->state)) {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("cannot mark version {} ({}) applied: it is {} already; nothing was "
                           "repaired",
                           version.ToString(), m.script, MigrationStateName(found->state)));
  }
  RepairAction action;
  action.kind = RepairAction::Kind::kMarkApplied;
  action.row.version = m.version;
  action.row.description = m.description;
  action.row.type = m.type();
  action.row.script = m.script;
  action.row.checksum = m.checksum;
  action.row.installed_by = user;
  action.row.success = true;
  return action;
}

// kForgetProgress for each partial script no other action covers.
void AddForgetProgress(const std::vector<PartialScript>& partials,
                       std::vector<RepairAction>& actions) {
  for (const PartialScript& p : partials) {
    const bool covered = std::any_of(actions.begin(), actions.end(), [&](const RepairAction& a) {
      return a.row.script == p.script && (a.kind == RepairAction::Kind::kRemoveFailed ||
                                          a.kind == RepairAction::Kind::kMarkApplied);
    });
    if (covered) continue;
    RepairAction forget;
    forget.kind = RepairAction::Kind::kForgetProgress;
    forget.row.script = p.script;
    forget.row.description = p.description;
    if (p.version) {
      auto version = Version::Parse(*p.version);
      if (version) forget.row.version = std::move(*version);
    }
    actions.push_back(std::move(forget));
  }
}

}  // namespace

Result<RepairResult> Repair(db::Connection& conn, db::Connection& lock_conn,
                            std::vector<ResolvedMigration> resolved, const RepairOptions& options,
                            const LockWaitListener& on_wait) {
  SchemaHistory history(conn, options.run.history);
  RepairResult result;
  result.history_table = history.quoted();
  STRATA_ASSIGN_OR_RETURN(const std::string lock_name, history.LockName());
  STRATA_ASSIGN_OR_RETURN(
      Locked<RepairState> run,
      LockThenRead(conn, lock_conn, lock_name, options.run.dry_run, options.run.lock, on_wait,
                   [&] { return ReadState(conn, history, resolved, options.run); }));
  RepairState& state = run.state;
  result.lock = run.lock.description();
  result.history_exists = state.history.exists;
  const std::int32_t next_rank = NextInstalledRank(state.history.rows);
  std::optional<RepairAction> mark;
  if (options.mark_applied) {
    STRATA_ASSIGN_OR_RETURN(mark,
                            MarkAppliedAction(*options.mark_applied, resolved, state.history.rows,
                                              options.ignore_migration_patterns, state.user));
  }
  STRATA_ASSIGN_OR_RETURN(result.actions,
                          PlanRepair(std::move(resolved), std::move(state.history.rows),
                                     options.ignore_migration_patterns));
  if (mark) result.actions.push_back(std::move(*mark));
  AddForgetProgress(state.partials, result.actions);

  Script script = HeaderComments(result.lock);
  if (result.actions.empty()) {
    script.push_back(Comment(fmt::format("history table {} needs no repair", history.quoted())));
  }
  STRATA_ASSIGN_OR_RETURN(Script before, state.files->CallbackSteps("beforeRepair"));
  STRATA_ASSIGN_OR_RETURN(Script after, state.files->CallbackSteps("afterRepair"));
  Append(script, std::move(before));
  Append(script, RepairScript(result.actions, history, conn.dialect(), next_rank, state.user,
                              state.progress_table));
  Append(script, std::move(after));

  if (options.run.dry_run) {
    result.dry_run_sql = RenderDryRun(script, conn.dialect());
  } else if (Status done = Execute(script, conn); !done) {
    return std::move(done).error().WithContext(
        fmt::format("repair of history table {}", history.quoted()));
  }
  STRATA_TRY(run.lock.Release());
  return result;
}

}  // namespace strata::migrations
