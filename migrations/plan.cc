// The plan: one pure function from (resolved files, history rows, options) to one state per
// migration, and the checks `validate` makes of it. It is longer than most files here (about 780
// lines) because the states decide each other: whether a row is Out of Order, Superseded, Ignored
// or Above Target depends on the others and on the baseline and undo rows, so the stages below
// (names, matching files to rows, versioned states, repeatables, validation) read as one
// computation, in the order it runs; split apart, each part would need the others' internals.
#include "migrations/plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "base/strings.h"

namespace strata::migrations {

// ---------------------------------------------------------------------------------------------
// Names and options

std::string_view MigrationStateName(MigrationState state) {
  switch (state) {
    case MigrationState::kPending:
      return "Pending";
    case MigrationState::kAboveTarget:
      return "Above Target";
    case MigrationState::kBelowBaseline:
      return "Below Baseline";
    case MigrationState::kBaselineIgnored:
      return "Ignored (Baseline)";
    case MigrationState::kBaseline:
      return "Baseline";
    case MigrationState::kIgnored:
      return "Ignored";
    case MigrationState::kMissingSuccess:
      return "Missing";
    case MigrationState::kMissingFailed:
      return "Failed (Missing)";
    case MigrationState::kSuccess:
      return "Success";
    case MigrationState::kUndone:
      return "Undone";
    case MigrationState::kAvailable:
      return "Available";
    case MigrationState::kFailed:
      return "Failed";
    case MigrationState::kOutOfOrder:
      return "Out of Order";
    case MigrationState::kFutureSuccess:
      return "Future";
    case MigrationState::kFutureFailed:
      return "Failed (Future)";
    case MigrationState::kOutdated:
      return "Outdated";
    case MigrationState::kSuperseded:
      return "Superseded";
    case MigrationState::kDeleted:
      return "Deleted";
  }
  return "Unknown";
}

bool IsFailedState(MigrationState state) {
  return state == MigrationState::kFailed || state == MigrationState::kMissingFailed ||
         state == MigrationState::kFutureFailed;
}

std::string_view ProblemKindName(ProblemKind kind) {
  switch (kind) {
    case ProblemKind::kFailed:
      return "failed";
    case ProblemKind::kMissing:
      return "missing";
    case ProblemKind::kFuture:
      return "future";
    case ProblemKind::kIgnored:
      return "ignored";
    case ProblemKind::kPending:
      return "pending";
    case ProblemKind::kOutdated:
      return "outdated";
    case ProblemKind::kTypeMismatch:
      return "type mismatch";
    case ProblemKind::kChecksumMismatch:
      return "checksum mismatch";
    case ProblemKind::kDescriptionMismatch:
      return "description mismatch";
  }
  return "unknown";
}

namespace {

// Plan text separates items with spaces and tabs only.
std::string_view TrimBlanks(std::string_view text) { return Trim(text, " \t"); }

}  // namespace

Result<Target> Target::Parse(std::string_view text) {
  const std::string lower = AsciiLower(TrimBlanks(text));
  if (lower == "latest") return Target{Kind::kLatest, std::nullopt, true};
  if (lower == "current") return Target{Kind::kCurrent, std::nullopt, true};
  if (lower == "next") return Target{Kind::kNext, std::nullopt, true};
  std::string_view version_text = TrimBlanks(text);
  const bool must_exist = !version_text.ends_with('?');
  if (!must_exist) version_text.remove_suffix(1);
  auto version = Version::Parse(version_text);
  if (!version) {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("invalid target '{}': use latest, current, next, a version such as "
                           "2.1, or 2.1? to allow a version that does not exist",
                           text));
  }
  return Target{Kind::kVersion, std::move(*version), must_exist};
}

Result<IgnorePattern> IgnorePattern::Parse(std::string_view text) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos || text.find(':', colon + 1) != std::string_view::npos) {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("invalid ignore pattern '{}': it must look like <type>:<state>, "
                           "e.g. *:future or versioned:missing",
                           text));
  }
  const std::string type = AsciiLower(TrimBlanks(text.substr(0, colon)));
  const std::string state = AsciiLower(TrimBlanks(text.substr(colon + 1)));
  IgnorePattern pattern;
  if (type == "versioned") {
    pattern.type = Type::kVersioned;
  } else if (type == "repeatable") {
    pattern.type = Type::kRepeatable;
  } else if (type != "*") {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("invalid migration type '{}' in ignore pattern '{}': use *, "
                           "repeatable or versioned",
                           text.substr(0, colon), text));
  }
  if (state == "missing") {
    pattern.state = State::kMissing;
  } else if (state == "pending") {
    pattern.state = State::kPending;
  } else if (state == "ignored") {
    pattern.state = State::kIgnored;
  } else if (state == "future") {
    pattern.state = State::kFuture;
  } else if (state != "*") {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("invalid migration state '{}' in ignore pattern '{}': use *, "
                           "missing, pending, ignored or future",
                           text.substr(colon + 1), text));
  }
  return pattern;
}

Result<std::vector<IgnorePattern>> IgnorePattern::ParseList(std::string_view text) {
  std::vector<IgnorePattern> patterns;
  while (!text.empty()) {
    const auto comma = text.find(',');
    const std::string_view item = TrimBlanks(text.substr(0, comma));
    if (!item.empty()) {
      STRATA_ASSIGN_OR_RETURN(IgnorePattern pattern, Parse(item));
      patterns.push_back(pattern);
    }
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return patterns;
}

bool IgnorePattern::Matches(bool versioned, MigrationState migration_state) const {
  if (type == Type::kVersioned && !versioned) return false;
  if (type == Type::kRepeatable && versioned) return false;
  switch (state) {
    case State::kAny:
      return true;
    case State::kMissing:
      return migration_state == MigrationState::kMissingSuccess;
    case State::kPending:
      return migration_state == MigrationState::kPending;
    case State::kIgnored:
      return migration_state == MigrationState::kIgnored;
    case State::kFuture:
      return migration_state == MigrationState::kFutureSuccess;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Entries

const std::optional<Version>& PlanEntry::version() const {
  return applied ? applied->version : resolved->version;
}

const std::string& PlanEntry::description() const {
  return applied ? applied->description : resolved->description;
}

MigrationType PlanEntry::type() const { return applied ? applied->type : resolved->type(); }

const std::string& PlanEntry::script() const {
  return applied ? applied->script : resolved->script;
}

std::optional<std::int32_t> PlanEntry::checksum() const {
  return applied ? applied->checksum : std::optional<std::int32_t>(resolved->checksum);
}

std::string_view PlanEntry::category() const {
  const MigrationType t = type();
  if (t == MigrationType::kSchema || t == MigrationType::kBaseline) return "";
  if (IsBaselineType(t)) return "Baseline";
  if (IsUndoType(t)) return "Undo";
  return version() ? "Versioned" : "Repeatable";
}

namespace {

// ---------------------------------------------------------------------------------------------
// Reading the history

// Versions live in three separate namespaces: V files and job steps, U files, B files. A history
// row belongs to the namespace of its type.
enum class Family { kForward, kUndo, kBaseline };

Family FamilyOf(MigrationKind kind) {
  if (kind == MigrationKind::kUndo) return Family::kUndo;
  if (kind == MigrationKind::kBaseline) return Family::kBaseline;
  return Family::kForward;
}

Family FamilyOf(MigrationType type) {
  if (IsUndoType(type)) return Family::kUndo;
  if (IsBaselineType(type)) return Family::kBaseline;
  return Family::kForward;
}

// A history row with what later rows say about it.
struct AppliedRow {
  const HistoryRow* row = nullptr;
  bool deleted = false;       // a later DELETE row marks it
  bool undone = false;        // a later undo row undoes it
  bool out_of_order = false;  // a higher version had been applied before it
};

// The latest row so far with the marker's version (or, for a repeatable, its description) that
// `eligible` accepts: what a DELETE or undo row refers to.
template <typename Eligible>
AppliedRow* LatestEarlier(std::vector<AppliedRow>& rows, const HistoryRow& marker,
                          Eligible eligible) {
  for (auto it = rows.rbegin(); it != rows.rend(); ++it) {
    const HistoryRow& row = *it->row;
    const bool same = marker.version ? row.version == marker.version
                                     : !row.version && row.description == marker.description;
    if (same && !IsSynthetic(row.type) && eligible(*it)) return &*it;
  }
  return nullptr;
}

// Applies DELETE and undo rows to the rows before them, in rank order, and drops the DELETE rows
// themselves (they are bookkeeping, not migrations). Only successful markers count, as in
// Flyway. Two DELETE rows for one applied version mean the table is corrupt (Flyway refuses it
// too); a repeatable may be deleted again, as Flyway allows.
Result<std::vector<AppliedRow>> ApplyMarkers(const std::vector<const HistoryRow*>& by_rank) {
  std::vector<AppliedRow> rows;
  rows.reserve(by_rank.size());
  for (const HistoryRow* row : by_rank) {
    if (row->type == MigrationType::kDelete) {
      if (!row->success) continue;
      AppliedRow* target = LatestEarlier(rows, *row, [](const AppliedRow&) { return true; });
      if (target && target->deleted && row->version) {
        return Err(ErrorCode::kValidation,
                   fmt::format("corrupted schema history: more than one DELETE row for version "
                               "{} (installed_rank {})",
                               row->version->ToString(), row->installed_rank));
      }
      if (target) target->deleted = true;
      continue;
    }
    if (IsUndoType(row->type) && row->success && row->version) {
      AppliedRow* target = LatestEarlier(
          rows, *row, [](const AppliedRow& r) { return !IsUndoType(r.row->type) && !r.undone; });
      if (target) target->undone = true;
    }
    rows.push_back({row});
  }
  return rows;
}

// Rows that say "this version is in the database": not markers of the table, not undo rows,
// not deleted or undone. Failed rows count, as in Flyway.
bool CountsAsApplied(const AppliedRow& r) {
  const MigrationType t = r.row->type;
  return r.row->version && !r.deleted && !r.undone && t != MigrationType::kSchema && !IsUndoType(t);
}

// A versioned migration is out of order when a higher version was applied before it.
void MarkOutOfOrder(std::vector<AppliedRow>& rows) {
  std::optional<Version> highest;
  for (AppliedRow& r : rows) {
    if (!CountsAsApplied(r)) continue;
    const Version& v = *r.row->version;
    if (highest && v < *highest && !IsBaselineType(r.row->type)) r.out_of_order = true;
    if (!highest || v > *highest) highest = v;
  }
}

// ---------------------------------------------------------------------------------------------
// Facts the states depend on

struct TargetLimit {
  bool limited = false;
  std::optional<Version> version;  // limited and absent: nothing is within the target

  bool Excludes(const Version& v) const { return limited && (!version || v > *version); }
};

struct Context {
  std::optional<Version> last_applied;      // highest version applied (CountsAsApplied)
  std::optional<Version> applied_baseline;  // highest baseline row's version
  std::optional<Version> pending_baseline;  // highest B file not applied
  std::optional<Version> highest_resolved;  // highest V, job or B file version
  std::map<std::string, std::int32_t> latest_repeatable_rank;  // by description
  TargetLimit target;
  bool out_of_order = false;

  bool AnythingApplied() const { return last_applied || applied_baseline; }
};

void RaiseTo(std::optional<Version>& highest, const Version& v) {
  if (!highest || v > *highest) highest = v;
}

// ---------------------------------------------------------------------------------------------
// Matching rows to files

class ResolvedIndex {
 public:
  static Result<ResolvedIndex> Build(const std::vector<ResolvedMigration>& resolved) {
    ResolvedIndex index;
    for (std::size_t i = 0; i < resolved.size(); ++i) {
      const ResolvedMigration& m = resolved[i];
      const bool inserted =
          m.version ? index.versioned_.emplace(std::pair(FamilyOf(m.kind), *m.version), i).second
                    : index.repeatable_.emplace(m.description, i).second;
      if (!inserted) {
        return Err(ErrorCode::kInvalidArgument,
                   fmt::format("two migrations share the {} of {}",
                               m.version ? "version" : "description", m.script));
      }
    }
    return index;
  }

  // The file a history row refers to. BASELINE and SCHEMA markers have none.
  std::optional<std::size_t> Find(const HistoryRow& row) const {
    if (row.type == MigrationType::kSchema || row.type == MigrationType::kBaseline) {
      return std::nullopt;
    }
    if (row.version) {
      const auto it = versioned_.find(std::pair(FamilyOf(row.type), *row.version));
      if (it != versioned_.end()) return it->second;
    } else {
      const auto it = repeatable_.find(row.description);
      if (it != repeatable_.end()) return it->second;
    }
    return std::nullopt;
  }

 private:
  std::map<std::pair<Family, Version>, std::size_t> versioned_;
  std::map<std::string, std::size_t> repeatable_;
};

// ---------------------------------------------------------------------------------------------
// States

MigrationState RepeatableRowState(const AppliedRow& r, const ResolvedMigration* file,
                                  const Context& context) {
  const HistoryRow& row = *r.row;
  const bool latest = context.latest_repeatable_rank.at(row.description) == row.installed_rank;
  if (!file && latest) {
    return row.success ? MigrationState::kMissingSuccess : MigrationState::kMissingFailed;
  }
  if (!row.success) return MigrationState::kFailed;
  if (!latest) return MigrationState::kSuperseded;
  return file->ChecksumMatches(row.checksum) ? MigrationState::kSuccess : MigrationState::kOutdated;
}

MigrationState AppliedState(const AppliedRow& r, const ResolvedMigration* file,
                            const Context& context) {
  const HistoryRow& row = *r.row;
  if (row.type == MigrationType::kSchema) return MigrationState::kSuccess;
  if (r.deleted) return MigrationState::kDeleted;
  if (r.undone) return MigrationState::kUndone;
  if (IsBaselineType(row.type)) {
    return row.success ? MigrationState::kBaseline : MigrationState::kFailed;
  }
  if (!row.version) return RepeatableRowState(r, file, context);
  if (!file) {
    // Gone below the highest file: removed. Gone above it: applied by newer files.
    if (context.highest_resolved && *row.version < *context.highest_resolved) {
      return row.success ? MigrationState::kMissingSuccess : MigrationState::kMissingFailed;
    }
    return row.success ? MigrationState::kFutureSuccess : MigrationState::kFutureFailed;
  }
  if (!row.success) return MigrationState::kFailed;
  return r.out_of_order ? MigrationState::kOutOfOrder : MigrationState::kSuccess;
}

MigrationState UnappliedState(const ResolvedMigration& file, const Context& context) {
  if (!file.version) return MigrationState::kPending;  // repeatables ignore target and baseline
  const Version& v = *file.version;
  // Before anything is applied, the highest B file is the baseline a new database starts from.
  const std::optional<Version>& baseline =
      context.AnythingApplied() ? context.applied_baseline : context.pending_baseline;
  if (baseline && v < *baseline) return MigrationState::kBelowBaseline;
  const bool starts_new_database =
      file.kind == MigrationKind::kBaseline && !context.AnythingApplied();
  if (baseline && v == *baseline && !starts_new_database) return MigrationState::kBaselineIgnored;
  if (context.target.Excludes(v)) return MigrationState::kAboveTarget;
  if (file.kind == MigrationKind::kUndo) return MigrationState::kAvailable;
  // B files only ever start new databases.
  if (file.kind == MigrationKind::kBaseline && context.AnythingApplied()) {
    return MigrationState::kIgnored;
  }
  if (context.last_applied && v < *context.last_applied && !context.out_of_order) {
    return MigrationState::kIgnored;
  }
  return MigrationState::kPending;
}

// ---------------------------------------------------------------------------------------------
// Validation

std::string Identify(const PlanEntry& entry) {
  const std::string& name = entry.script().empty() ? entry.description() : entry.script();
  if (entry.version()) return fmt::format("version {} ({})", entry.version()->ToString(), name);
  return fmt::format("repeatable migration {}", name);
}

bool DescriptionDiffers(const ResolvedMigration& file, const HistoryRow& row) {
  if (row.description == kNoDescriptionMarker) return !file.description.empty();
  return AbbreviateDescription(file.description) != row.description;
}

class Validator {
 public:
  Validator(const PlanOptions& options, const Context& context,
            const std::vector<PlanEntry>& entries)
      : patterns_(options.ignore_migration_patterns), context_(context) {
    for (const PlanEntry& entry : entries) {
      if (entry.state == MigrationState::kOutdated) outdated_.insert(entry.description());
    }
  }

  std::optional<ValidationProblem> Check(std::size_t index, const PlanEntry& entry) const {
    const MigrationState state = entry.state;
    if (state == MigrationState::kAboveTarget || state == MigrationState::kDeleted ||
        state == MigrationState::kUndone) {
      return std::nullopt;
    }
    const bool versioned = entry.version().has_value();
    if (Ignores(versioned, state)) return std::nullopt;
    auto problem = [&](ProblemKind kind, std::string message) {
      return ValidationProblem{index, kind, fmt::format("{} {}", Identify(entry), message)};
    };
    if (state == MigrationState::kFutureFailed &&
        IgnoresState(versioned, IgnorePattern::State::kFuture)) {
      return std::nullopt;
    }
    if (IsFailedState(state)) {
      return problem(ProblemKind::kFailed,
                     state == MigrationState::kFailed
                         ? "failed; remove its half-completed changes, then run repair"
                         : "failed, and its file is gone; remove its half-completed changes, "
                           "then run repair");
    }
    if (state == MigrationState::kMissingSuccess) {
      return problem(ProblemKind::kMissing,
                     "was applied but its file is gone; restore the file, or run repair to "
                     "mark it deleted");
    }
    if (state == MigrationState::kFutureSuccess) {
      return problem(ProblemKind::kFuture,
                     "was applied by newer migration files than these (its version is above "
                     "every file's); update the files, or ignore with '*:future'");
    }
    if (state == MigrationState::kIgnored) {
      // A B file only starts new databases: in one with a history it is expected to be unused.
      if (entry.resolved && entry.resolved->kind == MigrationKind::kBaseline) return std::nullopt;
      return problem(ProblemKind::kIgnored,
                     fmt::format("was not applied and is below the current version {}; set "
                                 "out_of_order to apply it, or ignore with '*:ignored'",
                                 context_.last_applied ? context_.last_applied->ToString() : ""));
    }
    // An edited repeatable is one problem, reported on its Outdated run; its Pending entry (the
    // file due again) would repeat it, and falsely say it was never applied.
    if (state == MigrationState::kPending && !versioned &&
        outdated_.contains(entry.description())) {
      return std::nullopt;
    }
    if (state == MigrationState::kPending) {
      return problem(ProblemKind::kPending,
                     "is not applied yet; run migrate, or ignore with '*:pending'");
    }
    // With pending migrations allowed (as in migrate), an outdated repeatable is simply due.
    if (state == MigrationState::kOutdated &&
        !IgnoresState(false, IgnorePattern::State::kPending)) {
      return problem(ProblemKind::kOutdated,
                     "changed since it was applied and will be applied again; run migrate");
    }
    return CheckAgainstFile(entry, problem);
  }

 private:
  template <typename MakeProblem>
  std::optional<ValidationProblem> CheckAgainstFile(const PlanEntry& entry,
                                                    MakeProblem problem) const {
    if (!entry.resolved || !entry.applied) return std::nullopt;
    const ResolvedMigration& file = *entry.resolved;
    const HistoryRow& row = *entry.applied;
    // Flyway compares only what lies above the applied baseline.
    if (row.version && context_.applied_baseline && *row.version <= *context_.applied_baseline) {
      return std::nullopt;
    }
    if (file.type() != row.type) {
      return problem(ProblemKind::kTypeMismatch,
                     fmt::format("was applied as type {} but the file is of type {}",
                                 MigrationTypeName(row.type), MigrationTypeName(file.type())));
    }
    // A repeatable's latest run matches its file by definition (else it is Outdated). A row
    // without a checksum matches any file.
    if (row.version && !file.ChecksumMatches(row.checksum)) {
      return problem(ProblemKind::kChecksumMismatch,
                     fmt::format("changed since it was applied: applied checksum {} differs from "
                                 "file checksum {}; revert the file, or run repair to accept it",
                                 *row.checksum, file.checksum));
    }
    if (DescriptionDiffers(file, row)) {
      return problem(ProblemKind::kDescriptionMismatch,
                     fmt::format("was renamed since it was applied: applied description \"{}\" "
                                 "differs from file description \"{}\"; rename it back, or run "
                                 "repair to accept it",
                                 row.description, file.description));
    }
    return std::nullopt;
  }

  bool Ignores(bool versioned, MigrationState state) const {
    return std::any_of(patterns_.begin(), patterns_.end(),
                       [&](const IgnorePattern& p) { return p.Matches(versioned, state); });
  }

  // Whether a pattern names `state` (or every state) for this kind of migration.
  bool IgnoresState(bool versioned, IgnorePattern::State state) const {
    return std::any_of(patterns_.begin(), patterns_.end(), [&](const IgnorePattern& p) {
      const bool type_matches = p.type == IgnorePattern::Type::kAny ||
                                (p.type == IgnorePattern::Type::kVersioned) == versioned;
      return type_matches && (p.state == state || p.state == IgnorePattern::State::kAny);
    });
  }

  const std::vector<IgnorePattern>& patterns_;
  const Context& context_;
  std::set<std::string> outdated_;  // descriptions of the repeatables whose file changed
};

// ---------------------------------------------------------------------------------------------
// Assembling the plan

HistoryRow AssumedBaselineRow(const Version& version) {
  HistoryRow row;
  row.installed_rank = 1;
  row.version = version;
  row.description = std::string(kDefaultBaselineDescription);
  row.type = MigrationType::kBaseline;
  row.script = std::string(kDefaultBaselineDescription);
  row.success = true;
  return row;
}

bool UnappliedOrder(const ResolvedMigration& a, const ResolvedMigration& b) {
  if (a.version.has_value() != b.version.has_value()) return a.version.has_value();
  if (a.version && *a.version != *b.version) return *a.version < *b.version;
  if (KindRank(a.kind) != KindRank(b.kind)) return KindRank(a.kind) < KindRank(b.kind);
  return a.description < b.description;
}

// An entry before it owns its data: which row and which file it shows.
struct Draft {
  std::optional<std::size_t> row;   // index into the history
  std::optional<std::size_t> file;  // index into the files
  MigrationState state = MigrationState::kPending;
};

class Planner {
 public:
  Planner(std::vector<ResolvedMigration>& files, std::vector<HistoryRow>& history,
          const PlanOptions& options, ResolvedIndex index)
      : files_(files), history_(history), options_(options), index_(std::move(index)) {}

  Result<Plan> Run() {
    if (history_.empty() && options_.baseline_version) {
      history_.push_back(AssumedBaselineRow(*options_.baseline_version));
    }
    // Rows are read in installed_rank order: checking costs less than sorting them again.
    auto by_rank_order = [](const HistoryRow& a, const HistoryRow& b) {
      return a.installed_rank < b.installed_rank;
    };
    if (!std::is_sorted(history_.begin(), history_.end(), by_rank_order)) {
      std::stable_sort(history_.begin(), history_.end(), by_rank_order);
    }
    std::vector<const HistoryRow*> by_rank;
    by_rank.reserve(history_.size());
    for (const HistoryRow& row : history_) by_rank.push_back(&row);
    STRATA_ASSIGN_OR_RETURN(std::vector<AppliedRow> rows, ApplyMarkers(by_rank));
    MarkOutOfOrder(rows);
    LearnFromHistory(rows);

    // done[i]: the history accounts for file i, so it is not due.
    std::vector<bool> done(files_.size(), false);
    std::vector<Draft> drafts;
    drafts.reserve(rows.size() + files_.size());
    for (const AppliedRow& r : rows) drafts.push_back(AppliedDraft(r, done));
    LearnFromFiles(done);
    ResolveTarget(done);
    AddUnappliedDrafts(done, drafts);

    Plan plan;
    plan.entries = Materialize(drafts);
    STRATA_TRY(CheckTargetExists(plan));
    plan.current_version = context_.last_applied;
    ListWhatToApply(plan);
    const Validator validator(options_, context_, plan.entries);
    for (std::size_t i = 0; i < plan.entries.size(); ++i) {
      if (auto problem = validator.Check(i, plan.entries[i])) {
        plan.problems.push_back(std::move(*problem));
      }
    }
    return plan;
  }

 private:
  void LearnFromHistory(const std::vector<AppliedRow>& rows) {
    for (const AppliedRow& r : rows) {
      if (CountsAsApplied(r)) RaiseTo(context_.last_applied, *r.row->version);
      if (IsBaselineType(r.row->type) && r.row->version && !r.deleted) {
        RaiseTo(context_.applied_baseline, *r.row->version);
      }
    }
    // A repeatable's latest run is its highest rank, DELETE rows included: a file that comes
    // back after repair marked it deleted is new again.
    for (const HistoryRow& row : history_) {
      if (row.version || row.type == MigrationType::kSchema) continue;
      auto [it, inserted] =
          context_.latest_repeatable_rank.emplace(row.description, row.installed_rank);
      if (!inserted) it->second = std::max(it->second, row.installed_rank);
    }
    context_.out_of_order = options_.out_of_order;
    // Whether a row whose file is gone is Missing or Future depends on the highest file.
    for (const ResolvedMigration& m : files_) {
      if (m.version && m.kind != MigrationKind::kUndo) {
        RaiseTo(context_.highest_resolved, *m.version);
      }
    }
  }

  Draft AppliedDraft(const AppliedRow& r, std::vector<bool>& done) const {
    const std::optional<std::size_t> match = index_.Find(*r.row);
    const ResolvedMigration* file = match ? &files_[*match] : nullptr;
    if (match && !r.deleted && !r.undone) {
      // A repeatable stays due unless its latest run matches the file. A failed row counts as
      // done, as in Flyway: validation stops the run until repair.
      const bool due_again =
          !r.row->version &&
          (context_.latest_repeatable_rank.at(r.row->description) != r.row->installed_rank ||
           !file->ChecksumMatches(r.row->checksum));
      if (!due_again) done[*match] = true;
    }
    const auto row_index = static_cast<std::size_t>(r.row - history_.data());
    return Draft{row_index, match, AppliedState(r, file, context_)};
  }

  void LearnFromFiles(const std::vector<bool>& done) {
    // Flyway 9: a new database starts from the highest B file not above the target.
    const bool has_target_version = options_.target.kind == Target::Kind::kVersion;
    for (std::size_t i = 0; i < files_.size(); ++i) {
      if (!done[i] && files_[i].kind == MigrationKind::kBaseline &&
          !(has_target_version && *files_[i].version > *options_.target.version)) {
        RaiseTo(context_.pending_baseline, *files_[i].version);
      }
    }
  }

  void ResolveTarget(const std::vector<bool>& done) {
    switch (options_.target.kind) {
      case Target::Kind::kLatest:
        break;
      case Target::Kind::kVersion:
        context_.target = {true, options_.target.version};
        break;
      case Target::Kind::kCurrent:
        context_.target = {true, context_.last_applied};
        break;
      case Target::Kind::kNext: {
        // The first migration that would be pending without a target.
        std::optional<Version> next;
        for (std::size_t i = 0; i < files_.size(); ++i) {
          const ResolvedMigration& m = files_[i];
          if (done[i] || !m.version || UnappliedState(m, context_) != MigrationState::kPending) {
            continue;
          }
          if (!next || *m.version < *next) next = m.version;
        }
        if (next) context_.target = {true, next};
        break;
      }
    }
  }

  void AddUnappliedDrafts(const std::vector<bool>& done, std::vector<Draft>& drafts) const {
    std::vector<std::size_t> unapplied;
    for (std::size_t i = 0; i < files_.size(); ++i) {
      if (!done[i]) unapplied.push_back(i);
    }
    std::sort(unapplied.begin(), unapplied.end(),
              [&](std::size_t a, std::size_t b) { return UnappliedOrder(files_[a], files_[b]); });
    for (const std::size_t i : unapplied) {
      drafts.push_back(Draft{std::nullopt, i, UnappliedState(files_[i], context_)});
    }
  }

  // Moves rows and files into their entries; a file shown by several entries (the runs of a
  // repeatable) is copied for all but its last.
  std::vector<PlanEntry> Materialize(const std::vector<Draft>& drafts) {
    std::vector<int> uses(files_.size(), 0);
    for (const Draft& d : drafts) {
      if (d.file) ++uses[*d.file];
    }
    std::vector<PlanEntry> entries(drafts.size());
    for (std::size_t i = 0; i < drafts.size(); ++i) {
      const Draft& d = drafts[i];
      PlanEntry& entry = entries[i];
      entry.state = d.state;
      if (d.row) entry.applied = std::move(history_[*d.row]);
      if (d.file) {
        ResolvedMigration& file = files_[*d.file];
        entry.resolved = --uses[*d.file] == 0 ? std::move(file) : file;
      }
    }
    return entries;
  }

  Status CheckTargetExists(const Plan& plan) const {
    const Target& target = options_.target;
    if (target.kind != Target::Kind::kVersion || !target.must_exist) return Ok();
    for (const PlanEntry& entry : plan.entries) {
      if (entry.version() == target.version) return Ok();
    }
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("no migration has the target version {}; check the target, or write "
                           "'{}?' to allow a version that does not exist",
                           target.version->ToString(), target.version->ToString()));
  }

  static void ListWhatToApply(Plan& plan) {
    // Entries never applied are already in execution order: versioned by version, then
    // repeatables by description.
    for (std::size_t i = 0; i < plan.entries.size(); ++i) {
      if (!plan.entries[i].applied && plan.entries[i].state == MigrationState::kPending) {
        plan.to_apply.push_back(i);
      }
    }
  }

  std::vector<ResolvedMigration>& files_;
  std::vector<HistoryRow>& history_;
  const PlanOptions& options_;
  ResolvedIndex index_;
  Context context_;
};

}  // namespace

Result<Plan> MakePlan(std::vector<ResolvedMigration> resolved, std::vector<HistoryRow> history,
                      const PlanOptions& options) {
  STRATA_ASSIGN_OR_RETURN(ResolvedIndex index, ResolvedIndex::Build(resolved));
  return Planner(resolved, history, options, std::move(index)).Run();
}

Result<Plan> MakePlan(std::span<const ResolvedMigration> resolved,
                      std::span<const HistoryRow> history, const PlanOptions& options) {
  return MakePlan(std::vector<ResolvedMigration>(resolved.begin(), resolved.end()),
                  std::vector<HistoryRow>(history.begin(), history.end()), options);
}

}  // namespace strata::migrations
