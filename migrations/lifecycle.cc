#include "migrations/lifecycle.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

namespace strata::migrations {

Result<LockHold> LockHold::Take(db::Connection& lock_conn, const std::string& quoted_table,
                                const RunOptions& options, const LockWaitListener& on_wait) {
  if (options.dry_run) {
    // A dry run writes nothing, so it need not (and must not) wait behind a real run.
    STRATA_ASSIGN_OR_RETURN(std::string description, DescribeLock(lock_conn, quoted_table));
    return LockHold(std::nullopt, std::move(description));
  }
  STRATA_ASSIGN_OR_RETURN(MigrationLock lock,
                          MigrationLock::Acquire(lock_conn, quoted_table, options.lock, on_wait));
  std::string description = lock.description();
  return LockHold(std::move(lock), std::move(description));
}

Status LockHold::Release() {
  if (!lock_) return Ok();
  Status released = lock_->Release();
  lock_.reset();
  return released;
}

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

std::int32_t NextInstalledRank(const std::vector<HistoryRow>& rows) {
  std::int32_t highest = 0;
  for (const HistoryRow& row : rows) highest = std::max(highest, row.installed_rank);
  return highest + 1;
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
