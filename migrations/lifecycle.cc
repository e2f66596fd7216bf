#include "migrations/lifecycle.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <iterator>

#include "base/duration.h"
#include "base/file.h"
#include "db/flavor/flavor.h"
#include "migrations/checksum.h"
#include "migrations/script_config.h"

namespace strata::migrations {
namespace {

// ${strata:database}. A MariaDB session without a database (the history's schema named
// explicitly) has none: the placeholder is then empty, not an error, since it is only needed
// by scripts that use it.
Result<std::string> CurrentDatabaseOrEmpty(db::Connection& conn) {
  Result<std::string> database = db::FlavorOf(conn).CurrentDatabase(conn);
  if (!database && database.error().code == ErrorCode::kInvalidArgument) return std::string();
  return database;
}

}  // namespace

// ---- The lock --------------------------------------------------------------------------------

Result<LockHold> LockHold::Take(db::Connection& lock_conn, const std::string& quoted_table,
                                bool dry_run, const LockOptions& lock,
                                const LockWaitListener& on_wait) {
  if (dry_run) {
    STRATA_ASSIGN_OR_RETURN(std::string description, DescribeLock(lock_conn, quoted_table));
    return LockHold(std::nullopt, std::move(description));
  }
  STRATA_ASSIGN_OR_RETURN(MigrationLock taken,
                          MigrationLock::Acquire(lock_conn, quoted_table, lock, on_wait));
  std::string description = taken.description();
  return LockHold(std::move(taken), std::move(description));
}

Status LockHold::Release() {
  if (!lock_) return Ok();
  Status released = lock_->Release();
  lock_.reset();
  return released;
}

// ---- Statements a dead runner left running ------------------------------------------------

namespace {

// The commands that take the migration lock: only their statements can be a dead runner's
// migration work (info and validate only read, backfill workers carry no label).
bool TakesTheLock(std::string_view command) {
  for (const std::string_view c : {"migrate", "undo", "repair", "baseline", "clean"}) {
    if (command == c) return true;
  }
  return false;
}

// This run's identity, as the server shows `conn`'s session to others: its own statement is
// running while it asks. nullopt for a session without a label.
Result<std::optional<db::RunnerIdentity>> OwnRunner(db::Connection& conn) {
  const db::Flavor& flavor = db::FlavorOf(conn);
  STRATA_ASSIGN_OR_RETURN(const std::int64_t id, flavor.ServerConnectionId(conn));
  if (id == 0) return std::optional<db::RunnerIdentity>();
  STRATA_ASSIGN_OR_RETURN(std::optional<db::ServerStatement> own, flavor.StatementIn(conn, id));
  if (!own) return std::optional<db::RunnerIdentity>();
  return db::RunnerIdentity::Parse(own->label);
}

Result<std::vector<Orphan>> OrphansOf(db::Connection& conn, const db::RunnerIdentity& self) {
  STRATA_ASSIGN_OR_RETURN(std::vector<db::ServerStatement> running,
                          db::FlavorOf(conn).FindRunnerStatements(conn));
  std::vector<Orphan> orphans;
  for (db::ServerStatement& statement : running) {
    std::optional<db::RunnerIdentity> runner = db::RunnerIdentity::Parse(statement.label);
    if (!runner || runner->run_id == self.run_id || runner->scope != self.scope ||
        !TakesTheLock(runner->command)) {
      continue;
    }
    orphans.push_back(Orphan{std::move(statement), std::move(*runner)});
  }
  return orphans;
}

// The statement's first line, cut to a length a message can carry.
std::string Abbreviated(std::string_view sql) {
  constexpr std::size_t kMax = 100;
  std::string text(sql.substr(0, sql.find('\n')));
  if (text.size() > kMax || text.size() < sql.size()) text = text.substr(0, kMax) + "...";
  return text;
}

std::string TimeoutMessage(const Orphan& oldest, std::size_t count, db::Dialect dialect,
                           std::chrono::milliseconds waited,
                           std::chrono::milliseconds lock_waited) {
  const std::string lock_part =
      lock_waited.count() > 0
          ? fmt::format(" (after {} for the lock: lock_timeout bounds both waits)",
                        FormatDuration(lock_waited))
          : std::string();
  return fmt::format(
      "{} left running by a strata runner that is gone {} still running after {}{}: {}; wait for "
      "{} to end (then run the command again), or run it again with --cancel-orphans to cancel "
      "{} on the server",
      count == 1 ? "a statement" : fmt::format("{} statements", count), count == 1 ? "is" : "are",
      FormatDuration(waited), lock_part, DescribeOrphan(oldest, dialect),
      count == 1 ? "it" : "them", count == 1 ? "it" : "them");
}

}  // namespace

Result<std::vector<Orphan>> FindOrphans(db::Connection& conn) {
  STRATA_ASSIGN_OR_RETURN(std::optional<db::RunnerIdentity> self, OwnRunner(conn));
  if (!self) return std::vector<Orphan>();
  return OrphansOf(conn, *self);
}

std::string DescribeOrphan(const Orphan& orphan, db::Dialect dialect) {
  return fmt::format(
      "{} in {} connection {}, running for {} (left by {})", Abbreviated(orphan.statement.sql),
      dialect == db::Dialect::kPostgres ? "PostgreSQL" : "MariaDB", orphan.statement.connection_id,
      FormatDuration(orphan.statement.running_for), orphan.runner.Label());
}

Status WaitForOrphans(db::Connection& conn, const LockOptions& lock, Clock& clock,
                      std::chrono::milliseconds already_waited) {
  STRATA_ASSIGN_OR_RETURN(std::optional<db::RunnerIdentity> self, OwnRunner(conn));
  if (!self) return Ok();
  STRATA_ASSIGN_OR_RETURN(std::vector<Orphan> running, OrphansOf(conn, *self));
  if (running.empty()) return Ok();
  const db::Flavor& flavor = db::FlavorOf(conn);
  const Clock::TimePoint start = clock.Now();
  Clock::TimePoint next_report = start;
  // Each poll reads pg_stat_activity / PROCESSLIST: a few times a second is plenty.
  const std::chrono::milliseconds poll = std::max(lock.poll, std::chrono::milliseconds(250));
  while (!running.empty()) {
    const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(clock.Now() - start);
    if (lock.stop != nullptr && lock.stop->load()) {
      return Err(ErrorCode::kCancelled,
                 fmt::format("stopped while waiting for {}; nothing was applied",
                             DescribeOrphan(running.front(), conn.dialect())));
    }
    if (already_waited + waited >= lock.timeout) {
      return Err(ErrorCode::kLockTimeout, TimeoutMessage(running.front(), running.size(),
                                                         conn.dialect(), waited, already_waited));
    }
    if (lock.cancel_orphans) {
      // Asked again each round until the statement is gone: a second cancel is harmless,
      // and PostgreSQL may ignore one that arrives while the backend cannot be interrupted.
      for (const Orphan& o : running) {
        STRATA_TRY(flavor.CancelServerStatement(conn, o.statement.connection_id));
      }
    }
    if (clock.Now() >= next_report) {
      if (lock.on_orphans) lock.on_orphans(running, waited, lock.cancel_orphans);
      next_report += lock.report_every;
    }
    clock.SleepFor(poll);
    STRATA_ASSIGN_OR_RETURN(running, OrphansOf(conn, *self));
  }
  return Ok();
}

// ---- The history table -----------------------------------------------------------------------

Result<HistoryContents> ReadHistory(SchemaHistory& history) {
  // The history table is looked up in the session's schema: a session without one (a MariaDB
  // URL without a database) would make every history look empty. Every command refuses it
  // alike, `info` and `validate` as `migrate` does.
  STRATA_TRY(history.ResolvedSchema());
  HistoryContents contents;
  STRATA_ASSIGN_OR_RETURN(contents.exists, history.Exists());
  if (contents.exists) {
    STRATA_ASSIGN_OR_RETURN(contents.rows, history.ReadAll());
  }
  return contents;
}

std::int32_t NextInstalledRank(const std::vector<HistoryRow>& rows) {
  std::int32_t highest = 0;
  for (const HistoryRow& row : rows) highest = std::max(highest, row.installed_rank);
  return highest + 1;
}

ScriptStep HistoryInsert(const SchemaHistory& history, const HistoryRow& row) {
  return Statement(history.InsertSql(), history.InsertParams(row), "history");
}

// ---- Placeholders ----------------------------------------------------------------------------

Result<Placeholders> MakePlaceholders(db::Connection& conn, const HistoryTableName& history_name,
                                      const PlaceholderSettings& settings) {
  SchemaHistory history(conn, history_name);
  BuiltinPlaceholders builtins;
  STRATA_ASSIGN_OR_RETURN(builtins.database, CurrentDatabaseOrEmpty(conn));
  STRATA_ASSIGN_OR_RETURN(builtins.user, history.CurrentUser());
  STRATA_ASSIGN_OR_RETURN(builtins.schema, history.ResolvedSchema());
  builtins.table = history_name.table;
  builtins.timestamp = PlaceholderTimestamp(std::chrono::duration_cast<std::chrono::seconds>(
                                                std::chrono::system_clock::now().time_since_epoch())
                                                .count());
  Placeholders placeholders(settings.enabled, settings.values, std::move(builtins));
  placeholders.SetDelimiters(settings.prefix, settings.suffix);
  return placeholders;
}

Status WithReplacedChecksums(std::vector<ResolvedMigration>& resolved,
                             const Placeholders& placeholders) {
  for (ResolvedMigration& m : resolved) {
    if (m.kind != MigrationKind::kRepeatable) continue;
    STRATA_ASSIGN_OR_RETURN(ScriptConfig config, ReadScriptConfig(m.config_path));
    if (!config.placeholder_replacement.value_or(placeholders.enabled())) continue;
    STRATA_ASSIGN_OR_RETURN(std::string raw, ReadFile(m.path));
    STRATA_ASSIGN_OR_RETURN(std::string replaced,
                            placeholders.Replace(raw, m.path.string(), m.path.filename().string()));
    const std::int32_t replaced_checksum = FlywayChecksum(replaced);
    if (replaced_checksum == m.checksum) continue;
    m.equivalent_checksum = m.checksum;
    m.checksum = replaced_checksum;
  }
  return Ok();
}

// ---- Scripts ---------------------------------------------------------------------------------

Result<RunFiles> RunFiles::Make(db::Connection& conn, const RunOptions& options) {
  Callbacks callbacks(options.callbacks);
  STRATA_TRY(callbacks.CheckSupported());
  STRATA_ASSIGN_OR_RETURN(Placeholders placeholders,
                          MakePlaceholders(conn, options.history, options.placeholders));
  auto owned = std::make_unique<Placeholders>(std::move(placeholders));
  const SqlFileOptions file_options = SqlFileOptionsFor(conn, options.mixed, owned.get());
  return RunFiles(std::move(owned), std::move(callbacks), file_options);
}

Result<Script> RunFiles::CallbackSteps(std::string_view event) const {
  return callbacks_.StepsFor(event, file_options_, /*own_transaction=*/true);
}

Result<SqlFile> RunFiles::Prepare(const ResolvedMigration& migration) const {
  return PrepareSqlFile(migration.path, migration.config_path, file_options_);
}

Script HeaderComments(const std::string& lock) {
  return {Comment(
      fmt::format("lock: {} (taken before the first statement, released after the last)", lock))};
}

void Append(Script& script, Script more) {
  script.insert(script.end(), std::make_move_iterator(more.begin()),
                std::make_move_iterator(more.end()));
}

}  // namespace strata::migrations
