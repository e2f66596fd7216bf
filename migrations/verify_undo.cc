#include "migrations/verify_undo.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "migrations/undo.h"

namespace strata::migrations {

const char* UndoCheckName(UndoCheck check) {
  switch (check) {
    case UndoCheck::kOk:
      return "ok";
    case UndoCheck::kNoUndo:
      return "no_undo";
    case UndoCheck::kMigrateFailed:
      return "migrate_failed";
    case UndoCheck::kUndoFailed:
      return "undo_failed";
    case UndoCheck::kNotRestored:
      return "not_restored";
    case UndoCheck::kReapplyFailed:
      return "reapply_failed";
    case UndoCheck::kNotIdempotent:
      return "not_idempotent";
    case UndoCheck::kSkipped:
      return "skipped";
  }
  return "";
}

namespace {

// Errors that say nothing about the migration under test: the run cannot go on, and the
// verdicts so far would mislead.
bool IsRunError(const Error& error) {
  return error.code == ErrorCode::kLockTimeout || error.code == ErrorCode::kConnection ||
         error.code == ErrorCode::kCancelled || error.code == ErrorCode::kInternal;
}

class Silent : public MigrateListener {};

template <typename T>
Status StatusOf(Result<T> result) {
  if (!result) return std::move(result).error();
  return Ok();
}

// A verdict not given yet (kOk until a check fails).
UndoVerification Unjudged(const ResolvedMigration& m, const ResolvedMigration* undo) {
  return UndoVerification{*m.version,
                          m.description,
                          m.script,
                          undo == nullptr ? std::string() : undo->script,
                          UndoCheck::kOk,
                          "",
                          "",
                          ""};
}

// One round trip's moves on the database, each a Status whose error is a verdict unless
// IsRunError says otherwise.
class Mover {
 public:
  Mover(db::Connection& conn, db::Connection& lock_conn,
        const std::vector<ResolvedMigration>& resolved, const MigrateOptions& migrate)
      : conn_(conn), lock_conn_(lock_conn), resolved_(resolved), migrate_(migrate) {
    // Nothing but the migration under test runs, exactly as the configuration would run it.
    migrate_.baseline_on_migrate = false;
    migrate_.dry_run = false;
    migrate_.flyway.skip_executing_migrations = false;
  }

  // Applies `version` alone: repeatables and later versions stay out.
  Status Apply(const Version& version) {
    MigrateOptions options = migrate_;
    options.plan.target.kind = Target::Kind::kVersion;
    options.plan.target.version = version;
    options.flyway.cherry_pick = {version.ToString()};
    Silent listener;
    return StatusOf(Migrate(conn_, lock_conn_, resolved_, options, listener));
  }

  // Undoes the latest applied version.
  Status UndoLatest() {
    UndoOptions options;
    options.run.history = migrate_.history;
    options.run.lock = migrate_.lock;
    options.run.placeholders = migrate_.placeholders;
    options.run.mixed = migrate_.mixed;
    options.run.callbacks = migrate_.callbacks;
    options.run.installed_by = migrate_.flyway.installed_by;
    return StatusOf(Undo(conn_, lock_conn_, resolved_, options, LockWaitListener()));
  }

 private:
  db::Connection& conn_;
  db::Connection& lock_conn_;
  const std::vector<ResolvedMigration>& resolved_;
  MigrateOptions migrate_;
};

// The versions applied before the run starts (a --force run over an existing history).
Result<std::set<Version>> AppliedVersions(db::Connection& conn,
                                          const std::vector<ResolvedMigration>& resolved,
                                          const MigrateOptions& migrate) {
  STRATA_ASSIGN_OR_RETURN(Plan plan,
                          Inspect(conn, resolved, migrate.history, {}, migrate.placeholders));
  std::set<Version> applied;
  for (const PlanEntry& e : plan.entries) {
    if (!e.applied || !e.applied->version) continue;
    if (e.state == MigrationState::kSuccess || e.state == MigrationState::kOutOfOrder ||
        IsFailedState(e.state)) {
      applied.insert(*e.applied->version);
    }
  }
  return applied;
}

// The forward migrations (V scripts and job steps) by version.
std::vector<const ResolvedMigration*> ForwardMigrations(
    const std::vector<ResolvedMigration>& resolved) {
  std::vector<const ResolvedMigration*> forward;
  for (const ResolvedMigration& m : resolved) {
    if (m.kind == MigrationKind::kVersioned || m.kind == MigrationKind::kJob) forward.push_back(&m);
  }
  std::sort(forward.begin(), forward.end(),
            [](const ResolvedMigration* a, const ResolvedMigration* b) {
              return *a->version < *b->version;
            });
  return forward;
}

struct Verdict {
  UndoVerification verification;
  bool stops = false;  // the database is no longer in a known state
};

Verdict Failed(UndoVerification v, UndoCheck check, const Error& error) {
  v.check = check;
  v.error = error.message;
  return {std::move(v), true};
}

// The round trip of one migration (the header's steps 1-3).
Result<Verdict> RoundTrip(Mover& mover, const ResolvedMigration& m, const ResolvedMigration* undo,
                          const SchemaReader& read_schema) {
  UndoVerification v = Unjudged(m, undo);

  STRATA_ASSIGN_OR_RETURN(std::string before, read_schema());
  if (Status s = mover.Apply(*m.version); !s) {
    if (IsRunError(s.error())) return s.error();
    return Failed(std::move(v), UndoCheck::kMigrateFailed, s.error());
  }
  if (undo == nullptr) {
    v.check = UndoCheck::kNoUndo;
    return Verdict{std::move(v), false};
  }
  STRATA_ASSIGN_OR_RETURN(std::string after, read_schema());
  if (Status s = mover.UndoLatest(); !s) {
    if (IsRunError(s.error())) return s.error();
    return Failed(std::move(v), UndoCheck::kUndoFailed, s.error());
  }
  STRATA_ASSIGN_OR_RETURN(std::string undone, read_schema());
  if (undone != before) {
    v.check = UndoCheck::kNotRestored;
    v.expected_schema = std::move(before);
    v.actual_schema = std::move(undone);
  }
  if (Status s = mover.Apply(*m.version); !s) {
    if (IsRunError(s.error())) return s.error();
    // What undo left behind usually makes the second application fail: that stays the verdict,
    // with the failure as its detail.
    if (v.check == UndoCheck::kNotRestored) {
      v.error = "applied again after its undo, it failed: " + s.error().message;
      return Verdict{std::move(v), true};
    }
    return Failed(std::move(v), UndoCheck::kReapplyFailed, s.error());
  }
  if (v.check == UndoCheck::kOk) {
    STRATA_ASSIGN_OR_RETURN(std::string again, read_schema());
    if (again != after) {
      v.check = UndoCheck::kNotIdempotent;
      v.expected_schema = std::move(after);
      v.actual_schema = std::move(again);
    }
  }
  return Verdict{std::move(v), false};
}

}  // namespace

Result<VerifyUndoResult> VerifyUndo(db::Connection& conn, db::Connection& lock_conn,
                                    const std::vector<ResolvedMigration>& resolved,
                                    const VerifyUndoOptions& options,
                                    const SchemaReader& read_schema) {
  STRATA_ASSIGN_OR_RETURN(std::set<Version> applied,
                          AppliedVersions(conn, resolved, options.migrate));
  std::map<Version, const ResolvedMigration*> undos;
  for (const ResolvedMigration& m : resolved) {
    if (m.kind == MigrationKind::kUndo) undos[*m.version] = &m;
  }
  Mover mover(conn, lock_conn, resolved, options.migrate);
  VerifyUndoResult result;
  bool stopped = false;
  for (const ResolvedMigration* m : ForwardMigrations(resolved)) {
    const Version& version = *m->version;
    if (options.to && *options.to < version) break;
    const bool in_range = !options.from || !(version < *options.from);
    if (applied.count(version) != 0) {
      if (!in_range) continue;
      UndoVerification skipped = Unjudged(*m, nullptr);
      skipped.check = UndoCheck::kSkipped;
      if (options.on_verdict) options.on_verdict(skipped);
      result.migrations.push_back(std::move(skipped));
      continue;
    }
    if (stopped) {
      result.not_verified += in_range ? 1 : 0;
      continue;
    }
    const auto undo = undos.find(version);
    const ResolvedMigration* undo_file =
        m->kind == MigrationKind::kJob || undo == undos.end() ? nullptr : undo->second;
    // Below the range: applied forward only, but a failure still stops the run and is shown.
    STRATA_ASSIGN_OR_RETURN(Verdict verdict,
                            RoundTrip(mover, *m, in_range ? undo_file : nullptr, read_schema));
    stopped = verdict.stops;
    if (!in_range && !stopped) continue;
    if (options.on_verdict) options.on_verdict(verdict.verification);
    result.migrations.push_back(std::move(verdict.verification));
  }
  return result;
}

}  // namespace strata::migrations
