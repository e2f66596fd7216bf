#include "migrations/lifecycle.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <iterator>

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

// ---- The history table -----------------------------------------------------------------------

Result<HistoryContents> ReadHistory(SchemaHistory& history) {
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
