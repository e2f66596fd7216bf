#include "migrations/migrator.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/clock.h"
#include "base/file.h"
#include "db/sql/splitter.h"

namespace strata::migrations {
namespace {

// A migration read and split before anything runs.
struct PreparedMigration {
  const ResolvedMigration* migration = nullptr;
  std::string content;  // the statements below point into it
  std::vector<db::sql::Statement> statements;
  bool in_transaction = true;
};

// "file:line:col: <message>" for a statement's failure, keeping the error's code and flags.
Error StatementError(const PreparedMigration& p, std::size_t index, const Error& cause) {
  const db::sql::Statement& s = p.statements[index];
  Error e = cause;
  e.message = fmt::format("{}:{}:{}: statement {} of {} failed: {}", p.migration->path.string(),
                          s.line, s.column, index + 1, p.statements.size(), cause.message);
  return e;
}

Result<PreparedMigration> Prepare(const ResolvedMigration& m, const db::Connection& conn,
                                  bool mixed) {
  if (m.kind == MigrationKind::kJob) {
    return Err(ErrorCode::kUnsupported,
               fmt::format("{}: .job steps (native backfill jobs) cannot run yet: this build of "
                           "strata has no backfill engine; nothing was applied",
                           m.path.string()));
  }
  PreparedMigration p;
  p.migration = &m;
  STRATA_ASSIGN_OR_RETURN(p.content, ReadFile(m.path));
  db::sql::SplitOptions split;
  split.dialect = conn.dialect();
  split.server_version =
      conn.dialect() == db::Dialect::kPostgres ? conn.server().version_number : 0;
  split.file_name = m.path.string();
  STRATA_ASSIGN_OR_RETURN(p.statements, db::sql::Split(p.content, split));

  const auto no_tx = std::find_if(p.statements.begin(), p.statements.end(),
                                  [](const auto& s) { return s.no_transaction; });
  const bool all_no_tx = std::all_of(p.statements.begin(), p.statements.end(),
                                     [](const auto& s) { return s.no_transaction; });
  if (no_tx != p.statements.end() && !all_no_tx && !mixed) {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("{}:{}:{}: '{}' cannot run inside a transaction, but the script also "
                           "has statements that can; move it to a migration of its own, or set "
                           "mixed = true to run the whole script outside a transaction",
                           m.path.string(), no_tx->line, no_tx->column, no_tx->text.substr(0, 60)));
  }
  p.in_transaction = db::HasTransactionalDdl(conn.dialect()) && no_tx == p.statements.end();
  return p;
}

Status RunStatements(db::Connection& conn, const PreparedMigration& p) {
  for (std::size_t i = 0; i < p.statements.size(); ++i) {
    const db::sql::Statement& s = p.statements[i];
    if (s.copy_data) {
      if (Status copied = conn.CopyFrom(s.text, *s.copy_data); !copied) {
        return StatementError(p, i, copied.error());
      }
    } else if (auto executed = conn.Execute(s.text); !executed) {
      return StatementError(p, i, executed.error());
    }
  }
  return Ok();
}

HistoryRow RowFor(const ResolvedMigration& m, std::int32_t rank, const std::string& user,
                  std::chrono::milliseconds duration, bool success) {
  HistoryRow row;
  row.installed_rank = rank;
  row.version = m.version;
  row.description = m.description;
  row.type = m.type();
  row.script = m.script;
  row.checksum = m.checksum;
  row.installed_by = user;
  row.execution_time = static_cast<std::int32_t>(duration.count());
  row.success = success;
  return row;
}

Status RefuseFailedMigrations(const Plan& plan, const std::string& table) {
  for (const PlanEntry& e : plan.entries) {
    if (!IsFailedState(e.state)) continue;
    return Err(ErrorCode::kValidation,
               fmt::format("history table {} records a failed migration: version {} ({}). Remove "
                           "its half-applied changes by hand, then run strata repair",
                           table, e.version() ? e.version()->ToString() : "-", e.script()));
  }
  return Ok();
}

std::optional<Version> LatestVersion(const std::optional<Version>& current,
                                     const std::vector<AppliedMigration>& applied) {
  std::optional<Version> latest = current;
  for (const AppliedMigration& a : applied) {
    if (a.version && (!latest || *a.version > *latest)) latest = a.version;
  }
  return latest;
}

class Applier {
 public:
  Applier(db::Connection& conn, SchemaHistory& history, std::string user, std::int32_t next_rank)
      : conn_(conn), history_(history), user_(std::move(user)), next_rank_(next_rank) {}

  Result<AppliedMigration> Apply(const PreparedMigration& p) {
    const auto start = Clock::Real().Now();
    const ResolvedMigration& m = *p.migration;
    if (p.in_transaction) {
      db::TxOptions options;
      options.immediate = true;  // SQLite: take the write lock now, not at the first write
      STRATA_ASSIGN_OR_RETURN(db::Transaction tx, db::Transaction::Begin(conn_, options));
      if (Status ran = RunStatements(conn_, p); !ran) {
        Error e = ran.error();
        e.message += "; the migration was rolled back and nothing was recorded";
        return e;
      }
      STRATA_TRY(history_.Insert(RowFor(m, next_rank_, user_, Elapsed(start), true)));
      STRATA_TRY(tx.Commit());
    } else {
      if (Status ran = RunStatements(conn_, p); !ran) {
        Error e = ran.error();
        Status recorded = history_.Insert(RowFor(m, next_rank_++, user_, Elapsed(start), false));
        e.message += recorded ? "; recorded as failed: undo its partial changes by hand, then run "
                                "strata repair"
                              : "; recording the failure also failed: " + recorded.error().message;
        return e;
      }
      STRATA_TRY(history_.Insert(RowFor(m, next_rank_, user_, Elapsed(start), true)));
    }
    ++next_rank_;
    return AppliedMigration{m.version, m.description, m.type(), m.script, Elapsed(start)};
  }

 private:
  static std::chrono::milliseconds Elapsed(Clock::TimePoint start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::Real().Now() - start);
  }

  db::Connection& conn_;
  SchemaHistory& history_;
  std::string user_;
  std::int32_t next_rank_;
};

std::int32_t NextRank(const std::vector<HistoryRow>& rows) {
  std::int32_t max_rank = 0;
  for (const HistoryRow& r : rows) max_rank = std::max(max_rank, r.installed_rank);
  return max_rank + 1;
}

}  // namespace

Status ValidationStatus(const Plan& plan) {
  if (plan.problems.empty()) return Ok();
  std::string message = fmt::format("validation failed: {} problem{}", plan.problems.size(),
                                    plan.problems.size() == 1 ? "" : "s");
  for (const ValidationProblem& p : plan.problems) message += "\n  " + p.message;
  return Err(ErrorCode::kValidation, message);
}

Result<Plan> Inspect(db::Connection& conn, std::vector<ResolvedMigration> resolved,
                     const HistoryTableName& history_name, const PlanOptions& options) {
  SchemaHistory history(conn, history_name);
  STRATA_ASSIGN_OR_RETURN(bool exists, history.Exists());
  std::vector<HistoryRow> rows;
  if (exists) {
    STRATA_ASSIGN_OR_RETURN(rows, history.ReadAll());
  }
  return MakePlan(std::move(resolved), std::move(rows), options);
}

Result<MigrateResult> Migrate(db::Connection& conn, db::Connection& lock_conn,
                              std::vector<ResolvedMigration> resolved,
                              const MigrateOptions& options, MigrateListener& listener) {
  SchemaHistory history(conn, options.history);
  auto on_wait = [&](const std::string& holder, std::chrono::milliseconds waited) {
    listener.OnLockWait(holder, waited);
  };
  STRATA_ASSIGN_OR_RETURN(MigrationLock lock, MigrationLock::Acquire(lock_conn, history.quoted(),
                                                                     options.lock, on_wait));
  // Read (not create) first: a run that has nothing to do, or that refuses a bad script,
  // leaves the database exactly as it was, without even an empty history table.
  STRATA_ASSIGN_OR_RETURN(bool history_exists, history.Exists());
  std::vector<HistoryRow> rows;
  if (history_exists) {
    STRATA_ASSIGN_OR_RETURN(rows, history.ReadAll());
  }

  PlanOptions plan_options = options.plan;
  plan_options.ignore_migration_patterns.push_back(
      {IgnorePattern::Type::kAny, IgnorePattern::State::kPending});
  STRATA_ASSIGN_OR_RETURN(Plan plan, MakePlan(std::move(resolved), rows, plan_options));
  STRATA_TRY(RefuseFailedMigrations(plan, history.quoted()));
  if (options.validate_on_migrate) STRATA_TRY(ValidationStatus(plan));

  std::vector<PreparedMigration> prepared;
  prepared.reserve(plan.to_apply.size());
  for (std::size_t index : plan.to_apply) {
    STRATA_ASSIGN_OR_RETURN(PreparedMigration p,
                            Prepare(*plan.entries[index].resolved, conn, options.mixed));
    prepared.push_back(std::move(p));
  }

  if (!prepared.empty() && !history_exists) STRATA_TRY(history.CreateIfMissing());

  MigrateResult result;
  result.initial_version = plan.current_version;
  result.lock = lock.description();
  STRATA_ASSIGN_OR_RETURN(std::string user, history.CurrentUser());
  Applier applier(conn, history, std::move(user), NextRank(rows));
  for (const PreparedMigration& p : prepared) {
    listener.OnMigrationStart(*p.migration);
    auto applied = applier.Apply(p);
    if (!applied) {
      return std::move(applied).error();
    }
    listener.OnMigrationApplied(*applied);
    result.applied.push_back(std::move(applied).value());
  }
  result.final_version = LatestVersion(plan.current_version, result.applied);
  STRATA_TRY(lock.Release());
  return result;
}

}  // namespace strata::migrations
