// How far a script that is not atomic got: the statement-by-statement record of every script
// that runs outside a transaction (every script on MariaDB, whose DDL commits implicitly;
// PostgreSQL scripts with CREATE INDEX CONCURRENTLY and the like), so that a failure or a dead
// runner is reported as "V7__x.sql: statements 1–2 of 4 applied, statement 3 (line 12) was
// running in server connection 1334 when the runner died; it finished", and `migrate` resumes
// the script at its first unapplied statement instead of running the applied ones again.
//
// The record lives in a strata-owned table beside the history table, "<history table>_progress"
// (the history table itself keeps Flyway's exact columns), one row per statement started:
//
//   script          VARCHAR(1000)  the migration's file name, as in the history table
//   version         VARCHAR(50)    its version (NULL for repeatables)
//   description     VARCHAR(200)
//   checksum        INTEGER        the file's checksum when the statement ran
//   statement_no    INTEGER        1-based, in the whole file
//   statement_count INTEGER        statements in the file
//   line            INTEGER        where the statement starts in the file
//   state           VARCHAR(10)    'running', 'done' or 'failed'
//   connection_id   VARCHAR(40)    the server session that ran it (pg_backend_pid(),
//                                  CONNECTION_ID()); NULL on SQLite
//   runner          VARCHAR(200)   who ran it: the connection's runner label ("strata migrate
//                                  pid=4242 run=ab12cd34 scope=5e6f7a8b", db/runner.h), or
//                                  "strata pid 4242 on host" for a connection without one
//   effect          VARCHAR(600)   what the statement creates, when that can be checked in the
//                                  catalog: "index|schema|name|concurrently", "table|schema|name",
//                                  "column|schema|table|name"; "" otherwise
//   error           VARCHAR(1000)  the failure, or how a dead runner's statement was settled
//   started_at      BIGINT         epoch milliseconds
//   finished_at     BIGINT         epoch milliseconds; NULL while running
//
// Each row is written in autocommit mode before its statement runs ('running') and updated
// after it ('done' or 'failed'), so a crash leaves the truth behind. A script's rows are deleted
// once its history row is written. The table is created the first time a script runs outside a
// transaction. Dry runs never write it (and do not render these writes: they are bookkeeping).
#ifndef STRATA_MIGRATIONS_PROGRESS_H_
#define STRATA_MIGRATIONS_PROGRESS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "db/connection.h"
#include "migrations/history.h"
#include "migrations/history_row.h"
#include "migrations/resolver.h"
#include "migrations/script.h"

namespace strata::migrations {

// The progress table of `history`: the same schema, the table name followed by "_progress".
HistoryTableName ProgressTableName(const HistoryTableName& history);

// What a statement creates, when the catalog can tell whether it is there (ParseEffect).
struct StatementEffect {
  enum class Kind { kNone, kIndex, kTable, kColumn };
  Kind kind = Kind::kNone;
  std::string schema;         // as written in the statement; empty: the current schema
  std::string table;          // kColumn: the table that gets the column
  std::string name;           // the index, table or column
  bool concurrently = false;  // kIndex: CREATE INDEX CONCURRENTLY (PostgreSQL)

  std::string Encode() const;
  static StatementEffect Decode(std::string_view text);
};

// The effect of `sql`: CREATE [UNIQUE] INDEX [CONCURRENTLY] [IF NOT EXISTS] name ON t,
// CREATE TABLE [IF NOT EXISTS] t, ALTER TABLE t ADD [COLUMN] [IF NOT EXISTS] c (the first
// column added); kNone for anything else. Unquoted PostgreSQL names are folded to lower case.
StatementEffect ParseEffect(std::string_view sql, db::Dialect dialect);

enum class StatementState { kRunning, kDone, kFailed };
// "running", "done", "failed", as the state column holds them.
std::string_view StatementStateName(StatementState state);

// One row of the progress table.
struct StatementRecord {
  std::string script;
  std::optional<std::string> version;
  std::string description;
  std::optional<std::int32_t> checksum;
  int number = 0;  // 1-based
  int count = 0;
  int line = 0;
  StatementState state = StatementState::kRunning;
  std::string connection_id;  // "" when the engine has none
  std::string runner;
  std::string effect;  // StatementEffect::Encode()
  std::string error;
};

// How a statement that a runner left 'running' (it died meanwhile) ended, as far as strata can
// tell after the fact.
enum class Outcome {
  kRecorded,      // not left running: its runner recorded it failed
  kFinished,      // its effect is in place (or its session finished it): it counts as done
  kFailed,        // its session is gone and its effect is not in place
  kStillRunning,  // its session still runs a statement
  kUnknown,       // its session is gone and its effect cannot be checked: it runs again
};

// A script the progress table shows unfinished: its first statements done, then one that
// failed, died or is still running (or none: every statement done but no history row).
struct PartialScript {
  std::string script;
  std::optional<std::string> version;
  std::string description;
  std::optional<std::int32_t> checksum;
  int statement_count = 0;
  int statements_done = 0;                 // the leading statements done
  std::optional<StatementRecord> stopped;  // the first statement not done
  Outcome outcome = Outcome::kRecorded;
  // PostgreSQL: indexes that `stopped` left INVALID (an interrupted CREATE INDEX CONCURRENTLY).
  std::vector<std::string> invalid_indexes;
  // Whether the script is a U script run by `undo` (its runner label names undo, or the history
  // records it as UNDO_SQL): `undo`, not `migrate`, resumes it.
  bool undo = false;

  // Whether the runner that started `stopped` died before recording its end.
  bool runner_died() const { return stopped && stopped->state == StatementState::kRunning; }
  // The 1-based statement a resumed run starts at.
  int resume_at() const { return statements_done + 1; }
  // "V7__x.sql: statements 1–2 of 4 applied, statement 3 (line 12) was running in server
  // connection 1334 when the runner died; it finished".
  std::string Describe() const;
  // What to do next, e.g. "run strata migrate: it resumes at statement 4" ("strata undo" for
  // a U script).
  std::string NextStep() const;
  // "undo" for a U script, "migrate" otherwise: the command that resumes it.
  std::string_view command() const { return undo ? "undo" : "migrate"; }
};

// "statements 1–2", "statement 1", "no statement": the first `n` statements.
std::string StatementsText(int n);

// Reads the progress table of `history` (none: no partial script) and settles what it can:
// rows of scripts that `rows` records as applied with the same checksum are stale (the runner
// died after writing the history row) and are deleted; a statement left 'running' whose session
// is gone becomes 'done' when its effect is in place (the bookkeeping its runner did not finish)
// and 'failed' when it is not. A session still running the statement is given up to 5 s to end
// (a runner killed a moment ago) before the outcome is kStillRunning. With `settle` false
// (info, validate, dry runs) nothing is written and nothing waited for: the outcomes are only
// computed. Call it under the migration lock when settling: migrate calls it right after the
// lock is taken (and the orphan wait), before it plans.
Result<std::vector<PartialScript>> ReconcileProgress(db::Connection& conn,
                                                     const HistoryTableName& history,
                                                     const std::vector<HistoryRow>& rows,
                                                     bool settle);

// For info and validate (no lock, no writes): the partial scripts of `history`, outcomes
// computed but not settled. Reads nothing more than whether the progress table exists when it
// does not.
Result<std::vector<PartialScript>> ReadPartialScripts(db::Connection& conn,
                                                      const HistoryTableName& history);

// The outcome as info --json shows it: "recorded_failed", "finished", "failed",
// "still_running", "unknown".
std::string_view OutcomeName(Outcome outcome);

// The partial script of `script`, or null.
const PartialScript* FindPartial(const std::vector<PartialScript>& partials,
                                 std::string_view script);

// The statement that forgets every progress row of `script` (for repair's transaction; the
// caller checks that the progress table exists).
ScriptStep ForgetProgressStep(db::Dialect dialect, const HistoryTableName& history,
                              const std::string& script);
// Whether the progress table of `history` exists.
Result<bool> ProgressTableExists(db::Connection& conn, const HistoryTableName& history);

// ---- Resuming (migrate) ------------------------------------------------------------------------

// "V7__x.sql changed since an earlier run applied statements 1–2 of 4 of it ...": the refusal
// to resume a script whose file changed (kValidation), with both ways on.
Error ScriptEditedSinceEarlierRun(const PartialScript& partial, std::int32_t checksum_now);

// The history rows migrate's plan sees: failed rows of scripts that `partials` shows partly
// applied, with an unchanged file, are left out (their migration is pending again: it resumes),
// and their ranks are put in `resumed_failed` (by script) so that the resumed run deletes them.
// A failed row whose file changed since is refused (ScriptEditedSinceEarlierRun). With
// `undo_rows`, the rows undo's plan sees: the same for failed UNDO_SQL rows (the version counts
// as applied again, and undo resumes its U script) instead of failed migration rows.
Result<std::vector<HistoryRow>> RowsToPlan(const std::vector<HistoryRow>& rows,
                                           const std::vector<PartialScript>& partials,
                                           const std::vector<ResolvedMigration>& resolved,
                                           std::map<std::string, std::int32_t>& resumed_failed,
                                           bool undo_rows = false);

// For migration `m`, about to run outside a transaction with the statements `body` (all of its
// file's): drops from `body` the statements `partial` (may be null) shows done, sets
// `first_statement` to the number of the first one left, and returns the steps to run first —
// deleting the earlier failed row (`failed_rank`) from `quoted_history`, and on PostgreSQL a
// DROP INDEX CONCURRENTLY IF EXISTS for each INVALID index a remaining CREATE INDEX
// CONCURRENTLY would build (reads the catalog). Refuses (kValidation) a statement still running
// on the server, or a file changed since the partial run.
Result<Script> ResumeSteps(const ResolvedMigration& m, const PartialScript* partial,
                           std::optional<std::int32_t> failed_rank, db::Connection& conn,
                           const std::string& quoted_history, Script& body, int& first_statement);

// Writes the progress of one run's scripts that run outside a transaction, on the connection
// that runs their statements (autocommit). Creates the table on first use.
class ProgressRecorder {
 public:
  // REQUIRES: `conn` outlives this object.
  ProgressRecorder(db::Connection& conn, const HistoryTableName& history);

  // Records statement `number` of `count` of `migration` (`step` is the statement) as running,
  // after forgetting any earlier record of that statement and of the ones after it.
  Status Start(const ResolvedMigration& migration, int number, int count, const ScriptStep& step);
  Status Done(const std::string& script, int number);
  Status Failed(const std::string& script, int number, const std::string& error);
  // Forgets the records of `script` (its history row is written).
  Status Forget(const std::string& script);

 private:
  Status Prepare();

  db::Connection& conn_;
  HistoryTableName table_;
  std::string quoted_;
  bool prepared_ = false;
  std::string connection_id_;
  std::string runner_;
};

// "strata pid 4242 on host": who this process is, as progress rows record it when the
// connection carries no runner label.
std::string RunnerIdentity();

// The line a statement starts at, from its origin "path:line:col"; 0 when it has none.
int OriginLine(const std::string& origin);

}  // namespace strata::migrations

#endif  // STRATA_MIGRATIONS_PROGRESS_H_
