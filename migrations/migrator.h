// Applying migrations (`migrate`) and inspecting them (`info`, `validate`).
//
// Migrate():
//   1. takes the migration lock (lock.h, through lifecycle.h like every migration command) for
//      the history table;
//   2. reads the history table under the lock (creating it only once there is something to
//      apply, so a run that applies nothing changes nothing);
//   3. computes the plan (plan.h); refuses to run when a migration failed earlier, and — with
//      validate_on_migrate — when validation finds problems other than pending migrations;
//   4. reads and splits every script it will run, and has options.jobs check every job step,
//      before running any, so a bad file (unterminated quote, client command, unknown job or
//      parameter) applies nothing;
//   5. applies each migration in order and records it:
//      - PostgreSQL and SQLite: the statements and the history row commit in one transaction,
//        so a crash leaves both or neither;
//      - scripts whose statements cannot run in a transaction (CREATE INDEX CONCURRENTLY,
//        VACUUM, ...) run outside one, statement by statement, then get their row; a script
//        mixing both kinds is refused unless `mixed` is set;
//      - MariaDB (DDL commits implicitly): a failure writes a success = false row, and later
//        runs refuse to continue until `repair`;
//      - job steps (job_step.h) run their job to completion outside a transaction, then get
//        their row; a job that does not complete records nothing, and the next run resumes it.
// The lock is held for the whole run, so reading the history once under the lock is the same
// as re-reading it before each migration: no other strata runner can write it meanwhile.
//
// Steps 2-4 only read the database and build the complete list of steps (history table
// creation, baseline row, callbacks, each migration's statements with placeholders replaced,
// each history INSERT). Step 5 executes that list; with `dry_run` the same list is rendered as
// SQL instead (script.h) and nothing that changes the database runs — the lock is not taken
// either (it is shown as a comment) and the reads run in a read-only transaction.
//
// Callbacks (callbacks.h): beforeMigrate and afterMigrate run in transactions of their own;
// beforeEachMigrate and afterEachMigrate inside the migration's transaction (so they commit or
// roll back with it); afterEachMigrateError and afterMigrateError after a failure, each in its
// own transaction.
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
#include "migrations/job_step.h"
#include "migrations/lifecycle.h"
#include "migrations/lock.h"
#include "migrations/placeholders.h"
#include "migrations/plan.h"
#include "migrations/resolver.h"

namespace strata::migrations {

// Adopting a database that already has a schema (baseline, baseline_on_migrate).
struct BaselineSettings {
  Version version = Version::Parse("1").value();                       // baseline_version
  std::string description = std::string(kDefaultBaselineDescription);  // baseline_description
};

// The schemas a run manages, as Flyway's defaultSchema, schemas and createSchemas say.
struct SchemaSetup {
  // The session's default schema; made the session's own once Migrate creates it (the caller
  // sets it on connections when it exists). Default: none.
  std::string default_schema;
  // Every schema to make sure exists, the default schema first. Default: none.
  std::vector<std::string> schemas;
  // create_schemas: create the missing ones, with a SCHEMA marker row ("<< Flyway Schema
  // Creation >>", installed_rank 0, the quoted names comma-separated in `script`) when the
  // history is empty, as Flyway does; false: a missing schema is refused. Default true.
  bool create = true;
};

// Flyway's settings that decide what a run records and how (docs/flyway.md §6).
struct FlywayRunSettings {
  std::string installed_by;  // the rows' installed_by; default "": the connected user
  // Only these pending migrations run: versions, or descriptions of repeatables (`_` read as
  // a space). Default: none, i.e. every pending migration.
  std::vector<std::string> cherry_pick;
  // Record each pending migration as applied without running its statements (callbacks
  // still run), as Flyway's skipExecutingMigrations. Default false.
  bool skip_executing_migrations = false;
  // Every pending migration in one transaction, committed together (PostgreSQL and SQLite;
  // refused on MariaDB, whose DDL commits implicitly, and for scripts that cannot run in a
  // transaction). Default false.
  bool group = false;
};

struct MigrateOptions {
  HistoryTableName history;  // default: strata_schema_history in the current schema
  PlanOptions plan;          // target (default latest), out_of_order (default false), patterns
  // Validate applied migrations against their files before migrating. Default true.
  bool validate_on_migrate = true;
  // Allow a script to mix statements that can and cannot run in a transaction; it then runs
  // entirely outside a transaction. Default false.
  bool mixed = false;
  LockOptions lock;  // default: wait up to 10 min, report the holder every 10 s
  PlaceholderSettings placeholders;
  std::vector<SqlCallback> callbacks;  // callback files found in the locations; default none
  // Record a BASELINE row first when the history is empty and the schema is not. Default false.
  bool baseline_on_migrate = false;
  BaselineSettings baseline;
  // Build the steps and render them (MigrateResult::dry_run_sql) instead of running them.
  bool dry_run = false;
  // Checks and runs `.job` steps (job_step.h); not owned. Default none: a pending job step is
  // then refused (kUnsupported) before anything runs.
  JobStepRunner* jobs = nullptr;
  SchemaSetup schemas;       // default: no schema managed
  FlywayRunSettings flyway;  // default: Flyway's defaults
};

struct AppliedMigration {
  std::optional<Version> version;  // absent for repeatables
  std::string description;
  MigrationType type = MigrationType::kSql;
  std::string script;
  std::chrono::milliseconds duration{0};  // as recorded in its history row's execution_time
  std::optional<JobStepOutcome> job;      // job steps only (not in dry runs): what the job did
};

struct MigrateResult {
  std::optional<Version> initial_version;  // current version before the run
  std::optional<Version> final_version;    // current version after it
  std::vector<AppliedMigration> applied;
  std::string lock;        // how the lock was taken, e.g. "pg_advisory_lock(77433833903597)"
  bool baselined = false;  // a BASELINE row was recorded first (baseline_on_migrate)
  // Dry runs only: `applied` lists what would run (durations 0), and this is the SQL.
  std::string dry_run_sql;
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
// no lock, no writes) and computes the plan. Repeatables' checksums follow `placeholders`
// (see WithReplacedChecksums).
Result<Plan> Inspect(db::Connection& conn, std::vector<ResolvedMigration> resolved,
                     const HistoryTableName& history, const PlanOptions& options,
                     const PlaceholderSettings& placeholders = {});

struct BaselineOptions {
  HistoryTableName history;
  std::string installed_by;  // installed_by; default "": the connected user
  BaselineSettings baseline;
  LockOptions lock;
  PlaceholderSettings placeholders;    // for callback scripts
  std::vector<SqlCallback> callbacks;  // beforeBaseline / afterBaseline
  bool dry_run = false;
  // The schemas to make sure exist, created (and recorded in the SCHEMA marker) as Migrate
  // creates them. Default: none.
  SchemaSetup schemas;
};

struct BaselineResult {
  bool already_baselined = false;  // the same baseline row was there: nothing done
  std::string lock;
  std::string dry_run_sql;  // dry runs only
};

// `baseline`: records a BASELINE row (rank 1, the version and description given) in a new or
// empty history table, creating it, so that migrations up to that version count as applied.
// First creates the missing schemas of options.schemas as Migrate does (with the SCHEMA marker
// at rank 0, as Flyway's baseline). Refused with kValidation when the history already has rows
// other than the SCHEMA marker, unless they are exactly this baseline (then only missing
// schemas are created, already_baselined). Locks like Migrate.
Result<BaselineResult> Baseline(db::Connection& conn, db::Connection& lock_conn,
                                const BaselineOptions& options, MigrateListener& listener);

// One kValidation error listing every problem of `plan` (a summary line, then one line per
// problem), or Ok when there is none.
Status ValidationStatus(const Plan& plan);

}  // namespace strata::migrations

#endif  // STRATA_MIGRATIONS_MIGRATOR_H_
