// What every migration command shares — migrate and baseline (migrator.h), repair, clean and
// undo — so that each does it one way: they run under the migration lock (lock.h), read the
// history table under it, read the database (never writing it) to build a Script (script.h),
// give each new history row the next installed_rank, then either execute the script or, for
// --dry-run, render it. A dry run describes the lock instead of taking it, and does its reads
// in a read-only transaction, so the database itself guarantees it writes nothing.
#ifndef STRATA_MIGRATIONS_LIFECYCLE_H_
#define STRATA_MIGRATIONS_LIFECYCLE_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "db/connection.h"
#include "migrations/callbacks.h"
#include "migrations/history.h"
#include "migrations/history_row.h"
#include "migrations/lock.h"
#include "migrations/placeholders.h"
#include "migrations/resolver.h"
#include "migrations/script.h"
#include "migrations/sql_file.h"

namespace strata::migrations {

// How repair, clean and undo run (MigrateOptions and BaselineOptions carry the same settings
// among theirs).
struct RunOptions {
  HistoryTableName history;  // default: strata_schema_history in the current schema
  LockOptions lock;          // default: wait up to 10 min, report the holder every 10 s
  bool dry_run = false;      // render the script instead of executing it. Default false.
  // For U scripts and callback files: placeholder values (default: replacement on, no values),
  // whether a script may mix transactional and non-transactional statements (default false).
  PlaceholderSettings placeholders;
  bool mixed = false;
  std::vector<SqlCallback> callbacks;  // callback files found in the locations; default none
  std::string installed_by;  // installed_by of the rows written; default "": the connected user
};

// ---- The lock and the reads under it ---------------------------------------------------------

// The migration lock for a real run, or only its description for a dry run.
class LockHold {
 public:
  // Takes the lock for `quoted_table` on `lock_conn` (see MigrationLock::Acquire for what
  // `lock_conn` must be), waiting as `lock` says, or with `dry_run` only describes it
  // (DescribeLock): a dry run writes nothing, so it need not (and must not) wait behind a real
  // run.
  static Result<LockHold> Take(db::Connection& lock_conn, const std::string& quoted_table,
                               bool dry_run, const LockOptions& lock,
                               const LockWaitListener& on_wait);
  // The same, with options.dry_run and options.lock.
  static Result<LockHold> Take(db::Connection& lock_conn, const std::string& quoted_table,
                               const RunOptions& options, const LockWaitListener& on_wait) {
    return Take(lock_conn, quoted_table, options.dry_run, options.lock, on_wait);
  }

  // e.g. "pg_advisory_lock(77433833903597)".
  const std::string& description() const { return description_; }
  // Releases a real lock now (dry runs hold none): an error says it was already lost.
  Status Release();

 private:
  LockHold(std::optional<MigrationLock> lock, std::string description)
      : lock_(std::move(lock)), description_(std::move(description)) {}

  std::optional<MigrationLock> lock_;
  std::string description_;
};

// Runs `read` (which only reads) inside a read-only transaction when `dry_run`, so that the
// server refuses any write; directly otherwise.
template <typename Fn>
auto ReadOnlyIfDryRun(db::Connection& conn, bool dry_run, Fn read) -> decltype(read()) {
  if (!dry_run) return read();
  db::TxOptions options;
  options.read_only = true;
  STRATA_ASSIGN_OR_RETURN(db::Transaction tx, db::Transaction::Begin(conn, options));
  auto result = read();
  STRATA_TRY(tx.Rollback());
  return result;
}

// ---- Statements a dead runner left running ------------------------------------------------

// The statements strata runners that are gone left running against the history table of
// `conn`'s run: on `conn`'s database, by a command that takes the migration lock (migrate,
// undo, repair, baseline, clean), of another run, on the same history table (the label's
// scope, db/runner.h). Call it holding the migration lock: every such runner is then dead (its
// lock died with its connection; a live one would hold the lock or be queuing for it), though
// the server may not have noticed (a backend busy with a statement reads nothing from its
// client until the statement ends). `conn` must carry a runner label (db::ConnectOptions::
// runner); a run without one (strata used as a library) and SQLite (no server: nothing
// outlives the process) find none. For `info` and `validate` too.
Result<std::vector<Orphan>> FindOrphans(db::Connection& conn);

// "CREATE INDEX CONCURRENTLY big_v ON big (v) in PostgreSQL connection 4242, running for 12 s
// (left by strata migrate pid=1234 run=ab12cd34)": an orphan for messages.
std::string DescribeOrphan(const Orphan& orphan, db::Dialect dialect);

// Waits until FindOrphans(conn) finds nothing, reporting to lock.on_orphans at once and every
// lock.report_every, or with lock.cancel_orphans asks the server to cancel them and waits for
// them to be gone. `already_waited` (the wait for the lock) counts against lock.timeout: one
// budget bounds both waits. Errors: kLockTimeout naming the oldest orphan and --cancel-orphans
// when they are still running once lock.timeout is spent; kCancelled when *lock.stop is set.
Status WaitForOrphans(db::Connection& conn, const LockOptions& lock, Clock& clock = Clock::Real(),
                      std::chrono::milliseconds already_waited = std::chrono::milliseconds(0));

// A run's lock, and what the run read under it.
template <typename State>
struct Locked {
  LockHold lock;
  State state;
};

// How every run that writes the history starts: takes the lock for `quoted_table` on
// `lock_conn` (LockHold::Take: only described for a dry run), waits for what a dead runner left
// running (WaitForOrphans; not for dry runs), then runs `read`, which only reads, on `conn`
// under it (ReadOnlyIfDryRun). Reading once under the lock is as good as re-reading
// before each write: no other strata runner can write the history until the lock is released.
// lock.timeout bounds the two waits together, from the start of this call.
template <typename Fn>
auto LockThenRead(db::Connection& conn, db::Connection& lock_conn, const std::string& quoted_table,
                  bool dry_run, const LockOptions& lock, const LockWaitListener& on_wait, Fn read)
    -> Result<Locked<typename decltype(read())::value_type>> {
  using State = typename decltype(read())::value_type;
  const Clock::TimePoint start = Clock::Real().Now();
  STRATA_ASSIGN_OR_RETURN(LockHold hold,
                          LockHold::Take(lock_conn, quoted_table, dry_run, lock, on_wait));
  if (!dry_run) {
    const auto waited =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::Real().Now() - start);
    STRATA_TRY(WaitForOrphans(conn, lock, Clock::Real(), waited));
  }
  STRATA_ASSIGN_OR_RETURN(State state, ReadOnlyIfDryRun(conn, dry_run, std::move(read)));
  return Locked<State>{std::move(hold), std::move(state)};
}

// ---- The history table -----------------------------------------------------------------------

// The history table as a run finds it.
struct HistoryContents {
  bool exists = false;           // whether the table exists yet
  std::vector<HistoryRow> rows;  // ordered by installed_rank; none when it does not exist
};

// Reads the history table, which need not exist. A run reads it once, under the lock: no other
// strata runner can write it until the lock is released.
Result<HistoryContents> ReadHistory(SchemaHistory& history);

// The installed_rank the next row gets: one above the highest, 1 for an empty history.
std::int32_t NextInstalledRank(const std::vector<HistoryRow>& rows);

// The step that appends `row` (whose installed_rank is the next one) to `history`: the same
// INSERT SchemaHistory::Insert sends, tagged "history" for dry runs and error messages.
ScriptStep HistoryInsert(const SchemaHistory& history, const HistoryRow& row);

// ---- Placeholders ----------------------------------------------------------------------------

// The placeholders of a run on `conn` for the history table `history`: the configured values
// and the built-ins (database, user, schema, table, timestamp).
Result<Placeholders> MakePlaceholders(db::Connection& conn, const HistoryTableName& history,
                                      const PlaceholderSettings& settings);

// Flyway's checksums for repeatables: when placeholder replacement applies to a repeatable
// script, its checksum is that of the replaced text, and the raw file's checksum is kept as
// equivalent_checksum. Versioned scripts keep the raw checksum. Errors: an unknown placeholder
// in a repeatable, a bad configuration file.
Status WithReplacedChecksums(std::vector<ResolvedMigration>& resolved,
                             const Placeholders& placeholders);

// ---- Scripts ---------------------------------------------------------------------------------

// The SQL files of one run (U scripts, callbacks) with this run's placeholders.
class RunFiles {
 public:
  // Checks the callbacks (Callbacks::CheckSupported) and computes the built-in placeholders
  // (reads the database).
  static Result<RunFiles> Make(db::Connection& conn, const RunOptions& options);

  // The steps of every callback file for `event`, each file in a transaction of its own.
  Result<Script> CallbackSteps(std::string_view event) const;
  // `migration` read, placeholders replaced, split (sql_file.h).
  Result<SqlFile> Prepare(const ResolvedMigration& migration) const;
  const Placeholders& placeholders() const { return *placeholders_; }

 private:
  RunFiles(std::unique_ptr<Placeholders> placeholders, Callbacks callbacks,
           SqlFileOptions file_options)
      : placeholders_(std::move(placeholders)),
        callbacks_(std::move(callbacks)),
        file_options_(file_options) {}

  std::unique_ptr<Placeholders> placeholders_;  // file_options_ points to it
  Callbacks callbacks_;
  SqlFileOptions file_options_;
};

// The first comment of a repair, clean or undo dry run: the lock, e.g. "lock:
// pg_advisory_lock(...) (taken before the first statement, released after the last)". (Migrate
// and baseline word theirs differently, as they always have.)
Script HeaderComments(const std::string& lock);

// Appends `more` to `script`.
void Append(Script& script, Script more);

}  // namespace strata::migrations

#endif  // STRATA_MIGRATIONS_LIFECYCLE_H_
