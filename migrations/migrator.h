// Applying migrations (`migrate`) and inspecting them (`info`, `validate`).
//
// Migrate():
//   1. takes the migration lock (lock.h) for the history table;
//   2. reads the history table under the lock (creating it only once there is something to
//      apply, so a run that applies nothing changes nothing);
//   3. computes the plan (plan.h); refuses to run when a migration failed earlier, and — with
//      validate_on_migrate — when validation finds problems other than pending migrations;
//   4. reads and splits every script it will run before running any, so a bad file
//      (unterminated quote, client command, unknown job) applies nothing;
//   5. applies each migration in order and records it:
//      - PostgreSQL and SQLite: the statements and the history row commit in one transaction,
//        so a crash leaves both or neither;
//      - scripts whose statements cannot run in a transaction (CREATE INDEX CONCURRENTLY,
//        VACUUM, ...) run outside one, statement by statement, then get their row; a script
//        mixing both kinds is refused unless `mixed` is set;
//      - MariaDB (DDL commits implicitly): a failure writes a success = false row, and later
//        runs refuse to continue until `repair`.
// The lock is held for the whole run, so reading the history once under the lock is the same
// as re-reading it before each migration: no other strata runner can write it meanwhile.
//
// Engines never print: progress goes to a MigrateListener.
#ifndef STRATA_MIGRATIONS_MIGRATOR_H_
#define STRATA_MIGRATIONS_MIGRATOR_H_

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "db/connection.h"
#include "migrations/history.h"
#include "migrations/lock.h"
#include "migrations/plan.h"
#include "migrations/resolver.h"

namespace strata::migrations {

struct MigrateOptions {
  HistoryTableName history;  // default: strata_schema_history in the current schema
  PlanOptions plan;          // target (default latest), out_of_order (default false), patterns
  // Validate applied migrations against their files before migrating. Default true.
  bool validate_on_migrate = true;
  // Allow a script to mix statements that can and cannot run in a transaction; it then runs
  // entirely outside a transaction. Default false.
  bool mixed = false;
  LockOptions lock;  // default: wait up to 10 min, report the holder every 10 s
};

struct AppliedMigration {
  std::optional<Version> version;  // absent for repeatables
  std::string description;
  MigrationType type = MigrationType::kSql;
  std::string script;
  std::chrono::milliseconds duration{0};
};

struct MigrateResult {
  std::optional<Version> initial_version;  // current version before the run
  std::optional<Version> final_version;    // current version after it
  std::vector<AppliedMigration> applied;
  std::string lock;  // how the lock was taken, e.g. "pg_advisory_lock(77433833903597)"
};

class MigrateListener {
 public:
  virtual ~MigrateListener() = default;
  // Another runner holds the lock; called every LockOptions::report_every while waiting.
  virtual void OnLockWait(const std::string& /*holder*/, std::chrono::milliseconds /*waited*/) {}
  virtual void OnMigrationStart(const ResolvedMigration& /*migration*/) {}
  virtual void OnMigrationApplied(const AppliedMigration& /*migration*/) {}
};

// Applies what the plan says is pending. `conn` runs the migrations; `lock_conn` holds the
// lock: a second connection to the same database for PostgreSQL and MariaDB (it must keep no
// transaction open), and may be `conn` itself for SQLite.
// Errors: kValidation (failed earlier, checksum mismatch, ...), kInvalidArgument (a script
// that cannot be split, a mixed script, an unknown job), kLockTimeout, kDatabase for a failing
// statement ("V3__x.sql:14:1: <server message>"), kConnection.
Result<MigrateResult> Migrate(db::Connection& conn, db::Connection& lock_conn,
                              std::vector<ResolvedMigration> resolved,
                              const MigrateOptions& options, MigrateListener& listener);

// The plan for `info` and `validate`: reads the history (empty when the table does not exist;
// no lock, no writes) and computes the plan.
Result<Plan> Inspect(db::Connection& conn, std::vector<ResolvedMigration> resolved,
                     const HistoryTableName& history, const PlanOptions& options);

// One kValidation error listing every problem of `plan` (a summary line, then one line per
// problem), or Ok when there is none.
Status ValidationStatus(const Plan& plan);

}  // namespace strata::migrations

#endif  // STRATA_MIGRATIONS_MIGRATOR_H_
