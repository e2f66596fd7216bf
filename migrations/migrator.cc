// migrate and baseline: building the complete list of steps from what was read under the lock,
// then executing or rendering it. About 820 lines: the steps (units, prologue with schema
// creation and history rows, Flyway's group and cherry_pick) and their execution share the
// internal MigrationUnit and MigrateSteps types, so they read best as one file, in run order.
#include "migrations/migrator.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>

#include "base/clock.h"
#include "db/flavor/flavor.h"
#include "migrations/callbacks.h"
#include "migrations/progress.h"
#include "migrations/script.h"
#include "migrations/sql_file.h"

namespace strata::migrations {
namespace {

// ---- Building the steps (reads only) ------------------------------------------------------

// One migration, ready to run: what runs before its statements, the statements, its history
// row, and what runs after. Built once; executed by RunUnit or rendered by RenderSteps.
struct MigrationUnit {
  const ResolvedMigration* migration = nullptr;
  bool in_transaction = true;
  Script before;    // Begin (when in_transaction), beforeEachMigrate callbacks
  Script body;      // the script's statements
  HistoryRow row;   // success = true; execution_time is measured when it runs
  Script after;     // afterEachMigrate callbacks (the Commit follows when in_transaction)
  Script on_error;  // afterEachMigrateError callbacks
  // Whether its transaction commits after it: false inside a group (group = true) but for the
  // group's last migration.
  bool commits = true;
  // Job steps: the job that runs instead of `body`, and its per-chunk SQL for dry runs.
  std::optional<JobStep> job;
  std::vector<std::string> job_sql;
  // Scripts outside a transaction: the number in the file of body's first statement (above 1
  // when an earlier run's progress lets this one resume), and the file's statement count.
  int first_statement = 1;
  int statement_count = 0;
};

// Everything a migrate run would send, in order.
struct MigrateSteps {
  std::string lock;      // how the lock is taken
  bool grouped = false;  // every unit in one transaction (group = true)
  Script prologue;       // history table creation, baseline row, beforeMigrate callbacks
  std::vector<MigrationUnit> units;
  Script epilogue;  // afterMigrate callbacks
  Script on_error;  // afterMigrateError callbacks
};

std::optional<Version> LatestVersion(const std::optional<Version>& current,
                                     const std::vector<AppliedMigration>& applied) {
  std::optional<Version> latest = current;
  for (const AppliedMigration& a : applied) {
    if (a.version && (!latest || *a.version > *latest)) latest = a.version;
  }
  return latest;
}

HistoryRow RowFor(const ResolvedMigration& m, std::int32_t rank, const std::string& user) {
  HistoryRow row;
  row.installed_rank = rank;
  row.version = m.version;
  row.description = m.description;
  row.type = m.type();
  row.script = m.script;
  row.checksum = m.checksum;
  row.installed_by = user;
  row.success = true;
  return row;
}

HistoryRow BaselineRow(const BaselineSettings& baseline, const std::string& user) {
  HistoryRow row;
  row.installed_rank = 1;
  row.version = baseline.version;
  row.description = baseline.description;
  row.type = MigrationType::kBaseline;
  row.script = baseline.description;  // as Flyway writes it
  row.installed_by = user;
  row.success = true;
  return row;
}

// The table, its primary key and its index in one transaction where DDL is transactional (as
// Flyway creates it): one commit instead of three — on a durable server, one WAL flush instead
// of three for every new history table — and never a half-created table.
void AppendCreateHistory(const SchemaHistory& history, db::Dialect dialect, Script& script) {
  script.push_back(Comment("create the history table " + history.quoted()));
  const bool in_transaction = db::FlavorFor(dialect).has_transactional_ddl();
  if (in_transaction) script.push_back(Begin());
  for (std::string& sql : history.CreateStatements()) {
    script.push_back(Statement(std::move(sql), {}, "history table " + history.quoted()));
  }
  if (in_transaction) script.push_back(Commit());
}

Status RefuseFailedMigrations(const Plan& plan, const std::string& table,
                              const std::vector<PartialScript>& partials) {
  for (const PlanEntry& e : plan.entries) {
    if (!IsFailedState(e.state)) continue;
    // A U script that undo left partly applied: undo, not a hand, finishes it.
    if (const PartialScript* p = FindPartial(partials, e.script()); p != nullptr && p->undo) {
      return Err(
          ErrorCode::kValidation,
          fmt::format("history table {} records a failed undo of version {}: {}; {}", table,
                      e.version() ? e.version()->ToString() : "-", p->Describe(), p->NextStep()));
    }
    return Err(ErrorCode::kValidation,
               fmt::format("history table {} records a failed migration: version {} ({}). Remove "
                           "its half-applied changes by hand, then run strata repair",
                           table, e.version() ? e.version()->ToString() : "-", e.script()));
  }
  return Ok();
}

// Whether the schema holding the history table has objects of its own (tables, views,
// sequences, routines), the history table aside: baseline_on_migrate only baselines those.
Result<bool> SchemaHasObjects(db::Connection& conn, SchemaHistory& history) {
  STRATA_ASSIGN_OR_RETURN(std::string schema, history.ResolvedSchema());
  STRATA_ASSIGN_OR_RETURN(
      std::int64_t n, db::FlavorOf(conn).CountObjectsExcept(conn, schema, history.name().table));
  return n > 0;
}

// What a run needs to know about the database, read under the lock, in a read-only transaction
// for dry runs (ReadOnlyIfDryRun).
struct DatabaseState {
  HistoryContents history;
  std::string user;  // installed_by of the rows written
  Placeholders placeholders;
  bool schema_has_objects = false;
  std::vector<PartialScript> partials;       // migrate only: scripts an earlier run left unfinished
  std::vector<std::string> missing_schemas;  // of SchemaSetup::schemas, in its order
};

// The rows' installed_by: the configured one, else the connected user.
Result<std::string> InstalledBy(SchemaHistory& history, const std::string& configured) {
  if (!configured.empty()) return configured;
  return history.CurrentUser();
}

Result<std::vector<std::string>> MissingSchemas(db::Connection& conn,
                                                const std::vector<std::string>& schemas) {
  std::vector<std::string> missing;
  for (const std::string& schema : schemas) {
    STRATA_ASSIGN_OR_RETURN(bool exists, db::FlavorOf(conn).SchemaExists(conn, schema));
    if (!exists) missing.push_back(schema);
  }
  return missing;
}

// `settle_progress` (migrate): reads the progress of scripts that ran outside a transaction and,
// unless `dry_run`, settles what the catalog can establish (progress.h). Runs right after the
// lock is taken.
Result<DatabaseState> ReadState(db::Connection& conn, SchemaHistory& history,
                                const PlaceholderSettings& placeholders, bool need_schema_check,
                                const std::string& installed_by,
                                const std::vector<std::string>& schemas = {},
                                bool settle_progress = false, bool dry_run = false) {
  DatabaseState state;
  STRATA_ASSIGN_OR_RETURN(state.missing_schemas, MissingSchemas(conn, schemas));
  STRATA_ASSIGN_OR_RETURN(state.history, ReadHistory(history));
  if (settle_progress) {
    STRATA_ASSIGN_OR_RETURN(state.partials,
                            ReconcileProgress(conn, history.name(), state.history.rows, !dry_run));
  }
  STRATA_ASSIGN_OR_RETURN(state.user, InstalledBy(history, installed_by));
  STRATA_ASSIGN_OR_RETURN(state.placeholders, MakePlaceholders(conn, history.name(), placeholders));
  if (need_schema_check && state.history.rows.empty()) {
    STRATA_ASSIGN_OR_RETURN(state.schema_has_objects, SchemaHasObjects(conn, history));
  }
  return state;
}

// Reports each wait for another runner's lock to `listener`.
LockWaitListener LockWaitsTo(MigrateListener& listener) {
  return [&listener](const std::string& holder, std::chrono::milliseconds waited) {
    listener.OnLockWait(holder, waited);
  };
}

// The comments that open and close the SQL of a migrate or baseline dry run.
ScriptStep LockTakenComment(const std::string& lock) {
  return Comment(fmt::format(
      "lock: {}, taken before the first statement below and held until the last", lock));
}
ScriptStep LockReleasedComment(const std::string& lock) {
  return Comment("lock released: " + lock);
}

// Reads a job step and has the runner check it, so an unknown job or a bad parameter refuses
// the whole run before anything is applied.
Result<JobStep> CheckedJobStep(const ResolvedMigration& m, const JobStepRunner* jobs) {
  if (jobs == nullptr) {
    return Err(ErrorCode::kUnsupported,
               fmt::format("{}: this strata cannot run .job steps (it was built without the "
                           "backfill engine); nothing was applied",
                           m.path.string()));
  }
  auto step = ReadCheckedJobStep(m.path, *jobs);
  if (!step) {
    Error e = std::move(step).error();
    e.message += "; nothing was applied";
    return e;
  }
  return step;
}

Result<MigrationUnit> BuildUnit(const ResolvedMigration& m, const Callbacks& callbacks,
                                const SqlFileOptions& file_options, const JobStepRunner* jobs,
                                db::Dialect dialect, HistoryRow row) {
  MigrationUnit unit;
  unit.migration = &m;
  unit.row = std::move(row);
  if (m.kind == MigrationKind::kJob) {
    STRATA_ASSIGN_OR_RETURN(JobStep step, CheckedJobStep(m, jobs));
    STRATA_ASSIGN_OR_RETURN(unit.job_sql, jobs->DescribeSql(step, dialect));
    unit.job = std::move(step);
    // The job commits chunk by chunk on connections of its own: there is no one transaction
    // its work and the history row could share.
    unit.in_transaction = false;
  } else {
    STRATA_ASSIGN_OR_RETURN(SqlFile file, PrepareSqlFile(m.path, m.config_path, file_options));
    unit.in_transaction = file.in_transaction;
    unit.body = std::move(file.statements);
  }
  if (unit.in_transaction) unit.before.push_back(Begin());
  // Inside the migration's transaction when it has one: they commit or roll back with it.
  STRATA_ASSIGN_OR_RETURN(Script before_each,
                          callbacks.StepsFor("beforeEachMigrate", file_options, false));
  Append(unit.before, std::move(before_each));
  STRATA_ASSIGN_OR_RETURN(unit.after, callbacks.StepsFor("afterEachMigrate", file_options, false));
  STRATA_ASSIGN_OR_RETURN(unit.on_error,
                          callbacks.StepsFor("afterEachMigrateError", file_options, true));
  return unit;
}

// ---- Resuming what an earlier run left unfinished (progress.h) -----------------------------

// Makes `unit` pick up where the progress record of an earlier run left its script
// (ResumeSteps); scripts in a transaction have no progress to pick up.
Status ApplyProgress(MigrationUnit& unit, const PartialScript* partial,
                     std::optional<std::int32_t> failed_rank, db::Connection& conn,
                     const SchemaHistory& history) {
  unit.statement_count = static_cast<int>(unit.body.size());
  if (unit.in_transaction || unit.job) return Ok();
  STRATA_ASSIGN_OR_RETURN(Script resume,
                          ResumeSteps(*unit.migration, partial, failed_rank, conn, history.quoted(),
                                      unit.body, unit.first_statement));
  unit.before.insert(unit.before.begin(), resume.begin(), resume.end());
  return Ok();
}

// ---- Flyway settings: schemas, cherry_pick, skip_executing_migrations, group ---------------

// Flyway's SCHEMA marker: the schemas it created, quoted and comma-separated, at rank 0.
HistoryRow SchemaMarkerRow(const std::vector<std::string>& created, db::Dialect dialect,
                           const std::string& user) {
  std::string script;
  for (const std::string& schema : created) {
    if (!script.empty()) script += ",";
    script += db::QuoteIdentifier(dialect, schema);
  }
  HistoryRow row;
  row.installed_rank = 0;
  row.description = std::string(kSchemaCreationDescription);
  row.type = MigrationType::kSchema;
  row.script = std::move(script);
  row.installed_by = user;
  row.success = true;
  return row;
}

// Creates the missing schemas (create_schemas) and makes the default one the session's own,
// or refuses when create_schemas is false.
Result<Script> SchemaCreationSteps(db::Connection& conn, const SchemaSetup& setup,
                                   const std::vector<std::string>& missing) {
  Script script;
  if (missing.empty()) return script;
  if (conn.dialect() == db::Dialect::kSqlite) {
    // A SQLite schema is an attached database file: there is nothing CREATE SCHEMA could make.
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("schema '{}' does not exist on {}: SQLite has one schema, main (other "
                           "schemas are attached database files strata cannot create); remove it "
                           "from default_schema and schemas; nothing was applied",
                           missing.front(), conn.display_url()));
  }
  if (!setup.create) {
    return Err(ErrorCode::kNotFound,
               fmt::format("schema '{}' does not exist on {} and create_schemas is false: create "
                           "it first, or set create_schemas = true; nothing was applied",
                           missing.front(), conn.display_url()));
  }
  const db::Flavor& flavor = db::FlavorOf(conn);
  script.push_back(Comment(fmt::format("create_schemas: creating {}", fmt::join(missing, ", "))));
  for (const std::string& schema : missing) {
    script.push_back(Statement(flavor.CreateSchemaSql(schema), {}, "schema " + schema));
  }
  const bool default_created =
      std::find(missing.begin(), missing.end(), setup.default_schema) != missing.end();
  if (default_created && !flavor.SetDefaultSchemaSql(setup.default_schema).empty()) {
    script.push_back(Statement(flavor.SetDefaultSchemaSql(setup.default_schema), {},
                               "default schema " + setup.default_schema));
  }
  return script;
}

// Whether the SCHEMA marker's `script` (quoted names, comma-separated) lists `quoted`.
bool MarkerLists(std::string_view script, std::string_view quoted) {
  while (!script.empty()) {
    const std::size_t comma = script.find(',');
    if (script.substr(0, comma) == quoted) return true;
    script = comma == std::string_view::npos ? std::string_view() : script.substr(comma + 1);
  }
  return false;
}

// Records the schemas this run creates (`created`) in Flyway's SCHEMA marker, so that clean
// drops them: a new marker at rank 0 when that rank is free (a new history, or one whose
// schemas all existed when it was started), else the rank-0 marker's list extended — a schema
// recreated later (after clean, or dropped by hand) is recorded too, and the history keeps one
// marker, where Flyway looks for it. Nothing when rank 0 holds another row (not Flyway's layout).
Script SchemaMarkerSteps(const SchemaHistory& history, const std::vector<HistoryRow>& rows,
                         const std::vector<std::string>& created, db::Dialect dialect,
                         const std::string& user) {
  Script script;
  if (created.empty()) return script;
  if (rows.empty() || rows.front().installed_rank != 0) {
    script.push_back(HistoryInsert(history, SchemaMarkerRow(created, dialect, user)));
    return script;
  }
  const HistoryRow& marker = rows.front();
  if (marker.type != MigrationType::kSchema) return script;
  std::string listed = marker.script;
  for (const std::string& schema : created) {
    const std::string quoted = db::QuoteIdentifier(dialect, schema);
    if (MarkerLists(listed, quoted)) continue;
    listed += (listed.empty() ? "" : ",") + quoted;
  }
  if (listed == marker.script) return script;
  script.push_back(Statement(fmt::format("UPDATE {} SET script = {} WHERE installed_rank = 0",
                                         history.quoted(), db::Placeholder(dialect, 1)),
                             {listed}, "history"));
  return script;
}

// Whether cherry_pick names `m`: its version, or for a repeatable its description (with `_`
// read as a space, as in file names).
bool CherryPicked(const ResolvedMigration& m, const std::vector<std::string>& picks) {
  for (const std::string& pick : picks) {
    if (m.version) {
      auto version = Version::Parse(pick);
      if (version && *version == *m.version) return true;
    } else {
      std::string description = pick;
      std::replace(description.begin(), description.end(), '_', ' ');
      if (description == m.description) return true;
    }
  }
  return false;
}

void KeepCherryPicked(Plan& plan, const std::vector<std::string>& picks) {
  if (picks.empty()) return;
  std::erase_if(plan.to_apply, [&](std::size_t index) {
    return !CherryPicked(*plan.entries[index].resolved, picks);
  });
}

// group = true: one transaction around every unit, begun by the first and committed by the
// last. Refused where it cannot hold: MariaDB (DDL commits implicitly) and units that run
// outside a transaction.
Status GroupUnits(std::vector<MigrationUnit>& units, db::Dialect dialect) {
  if (!db::FlavorFor(dialect).has_transactional_ddl()) {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("group = true cannot hold on {}: its DDL statements commit implicitly, "
                           "so migrations cannot share one transaction; remove group (nothing "
                           "was applied)",
                           db::DialectName(dialect)));
  }
  for (const MigrationUnit& u : units) {
    if (u.in_transaction) continue;
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("group = true: {} cannot run in a transaction ({}), so it cannot join "
                           "the group; apply it in a run of its own without group (nothing was "
                           "applied)",
                           u.migration->script,
                           u.job ? "a .job step"
                                 : "executeInTransaction or "
                                   "its statements"));
  }
  for (std::size_t i = 0; i < units.size(); ++i) {
    if (i > 0 && !units[i].before.empty() &&
        units[i].before.front().kind == ScriptStep::Kind::kBegin) {
      units[i].before.erase(units[i].before.begin());
    }
    units[i].commits = i + 1 == units.size();
  }
  return Ok();
}

// ---- Rendering ------------------------------------------------------------------------------

std::string UnitTitle(const MigrationUnit& u) {
  const ResolvedMigration& m = *u.migration;
  const std::string what = m.version ? "version " + m.version->ToString() : "repeatable";
  std::string title = fmt::format("migration {} ({}): {} - {}", m.script,
                                  MigrationTypeName(m.type()), what, m.description);
  if (u.job) {
    title += fmt::format(
        "\njob step: runs the backfill job {} to completion here, outside a transaction, chunk "
        "by chunk (each chunk's rows and its done mark in strata_backfill_chunk commit "
        "together; the state tables are created on first use); its history row is written "
        "once the job completes. Per chunk it runs:",
        DescribeJobStep(*u.job));
    for (const std::string& sql : u.job_sql) title += "\n  " + sql;
  } else if (!u.in_transaction) {
    title += "\nruns outside a transaction; a failure is recorded with success = false";
  }
  return title;
}

Script ToScript(const MigrateSteps& steps, const SchemaHistory& history) {
  Script script;
  script.push_back(LockTakenComment(steps.lock));
  script.insert(script.end(), steps.prologue.begin(), steps.prologue.end());
  for (const MigrationUnit& u : steps.units) {
    script.push_back(Comment(UnitTitle(u)));
    script.insert(script.end(), u.before.begin(), u.before.end());
    script.insert(script.end(), u.body.begin(), u.body.end());
    script.push_back(HistoryInsert(history, u.row));
    script.insert(script.end(), u.after.begin(), u.after.end());
    if (u.in_transaction && u.commits) script.push_back(Commit());
  }
  script.insert(script.end(), steps.epilogue.begin(), steps.epilogue.end());
  script.push_back(LockReleasedComment(steps.lock));
  return script;
}

// ---- Executing ------------------------------------------------------------------------------

std::chrono::milliseconds Elapsed(Clock::TimePoint start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::Real().Now() - start);
}

// Runs the error callbacks after a failure; their own failure is added to the message.
void RunErrorCallbacks(const Script& on_error, db::Connection& conn, Error& error) {
  if (on_error.empty()) return;
  if (Status ran = Execute(on_error, conn); !ran) {
    error.message += "; the error callback failed too: " + ran.error().message;
  }
}

// Runs a job step's job; a job that does not complete leaves no history row, so the step stays
// pending and the next migrate resumes the job's run.
Result<JobStepOutcome> RunJobStep(const MigrationUnit& u, JobStepRunner& jobs,
                                  db::Connection& conn) {
  auto ran = jobs.Run(*u.job);
  if (ran) return ran;
  Error e = std::move(ran).error();
  e.message = fmt::format(
      "{}: job step {} did not complete: {}; nothing was recorded for it: its progress is kept, "
      "and the next strata migrate resumes the job",
      u.migration->script, DescribeJobStep(*u.job), e.message);
  RunErrorCallbacks(u.on_error, conn, e);
  return e;
}

Status RunOneStatement(const ScriptStep& step, db::Connection& conn) {
  if (step.copy_data) return conn.CopyFrom(step.sql, *step.copy_data);
  auto done = conn.Execute(step.sql, step.params);
  if (!done) return std::move(done).error();
  return Ok();
}

// Runs the statements of a unit outside a transaction, each recorded in the progress table
// before and after it runs. On failure, `failed_at` is the statement's number in the file.
Status RunRecorded(const MigrationUnit& u, db::Connection& conn, ProgressRecorder& progress,
                   int& failed_at) {
  const ResolvedMigration& m = *u.migration;
  for (std::size_t i = 0; i < u.body.size(); ++i) {
    const ScriptStep& step = u.body[i];
    const int number = u.first_statement + static_cast<int>(i);
    failed_at = number;
    STRATA_TRY(progress.Start(m, number, u.statement_count, step));
    if (Status ran = RunOneStatement(step, conn); !ran) {
      Error e = ran.error();
      // The first failure is the one to report; a failed progress write adds to it.
      if (Status noted = progress.Failed(m.script, number, e.message); !noted) {
        e.message += "; recording it in the progress table also failed: " + noted.error().message;
      }
      e.message = fmt::format("{}: statement {} of {} failed: {}",
                              step.origin.empty() ? m.script : step.origin, number,
                              u.statement_count, e.message);
      return e;
    }
    STRATA_TRY(progress.Done(m.script, number));
  }
  return Ok();
}

// What follows a failure outside a transaction: how far the script got and how to go on.
std::string AfterPartialFailure(int failed_at) {
  return fmt::format(
      "; {} applied before it; recorded as failed: remove the cause (e.g. a conflicting object "
      "or bad data), then run strata migrate: it resumes at statement {} (the file must stay as "
      "it is: its checksum is checked); or undo the applied statements by hand and run strata "
      "repair, after which strata migrate runs the whole script",
      StatementsText(failed_at - 1), failed_at);
}

Result<AppliedMigration> RunUnit(MigrationUnit& u, db::Connection& conn,
                                 const SchemaHistory& history, JobStepRunner* jobs,
                                 ProgressRecorder& progress) {
  const auto start = Clock::Real().Now();
  const ResolvedMigration& m = *u.migration;
  STRATA_TRY(Execute(u.before, conn));
  std::optional<JobStepOutcome> job_outcome;
  int failed_at = 0;
  if (u.job) {
    // jobs is set: BuildUnit refused job steps without a runner.
    STRATA_ASSIGN_OR_RETURN(job_outcome, RunJobStep(u, *jobs, conn));
  } else if (Status ran = u.in_transaction ? Execute(u.body, conn)
                                           : RunRecorded(u, conn, progress, failed_at);
             !ran) {
    Error e = ran.error();
    if (u.in_transaction) {
      e.message += "; the migration was rolled back and nothing was recorded";
    } else {
      HistoryRow failed = u.row;
      failed.success = false;
      failed.execution_time = static_cast<std::int32_t>(Elapsed(start).count());
      Status recorded = Execute({HistoryInsert(history, failed)}, conn);
      e.message += recorded ? AfterPartialFailure(failed_at)
                            : "; recording the failure also failed: " + recorded.error().message;
    }
    RunErrorCallbacks(u.on_error, conn, e);
    return e;
  }
  u.row.execution_time = static_cast<std::int32_t>(Elapsed(start).count());
  Script finish = {HistoryInsert(history, u.row)};
  Append(finish, u.after);
  if (u.in_transaction && u.commits) finish.push_back(Commit());
  STRATA_TRY(Execute(finish, conn));
  // The history row is the truth from here on; progress rows left by a failure to forget them
  // are stale, and the next run's reconciliation deletes them.
  if (!u.in_transaction && !u.job) (void)progress.Forget(m.script);
  // The time reported is the one recorded in the history row, so that output and history agree
  // (recording the row, the after-callbacks and the commit come after its measurement).
  return AppliedMigration{m.version,
                          m.description,
                          m.type(),
                          m.script,
                          std::chrono::milliseconds(u.row.execution_time),
                          job_outcome};
}

// Stops before the next migration once `stop` is set (SIGINT/SIGTERM): the statement that was
// running when it came has been cancelled on the server by the caller, and nothing new starts.
Status StopBefore(const MigrationUnit& u, const std::atomic<bool>* stop,
                  const MigrateResult& result) {
  if (stop == nullptr || !stop->load()) return Ok();
  return Err(ErrorCode::kCancelled,
             fmt::format("stopped before {}: {} migration{} applied; run strata migrate again to "
                         "apply the rest",
                         u.migration->script, result.applied.size(),
                         result.applied.size() == 1 ? "" : "s"));
}

Status ExecuteSteps(MigrateSteps& steps, db::Connection& conn, const SchemaHistory& history,
                    JobStepRunner* jobs, MigrateListener& listener, MigrateResult& result,
                    const std::atomic<bool>* stop) {
  ProgressRecorder progress(conn, history.name());
  if (Status done = Execute(steps.prologue, conn); !done) {
    Error e = done.error();
    RunErrorCallbacks(steps.on_error, conn, e);
    return e;
  }
  for (MigrationUnit& u : steps.units) {
    STRATA_TRY(StopBefore(u, stop, result));
    listener.OnMigrationStart(*u.migration);
    auto applied = RunUnit(u, conn, history, jobs, progress);
    if (!applied) {
      Error e = std::move(applied).error();
      if (steps.grouped) {
        e.message += "; group = true: every migration of this run was rolled back with it";
      }
      RunErrorCallbacks(steps.on_error, conn, e);
      return e;
    }
    listener.OnMigrationApplied(*applied);
    result.applied.push_back(std::move(applied).value());
  }
  if (Status done = Execute(steps.epilogue, conn); !done) {
    Error e = done.error();
    RunErrorCallbacks(steps.on_error, conn, e);
    return e;
  }
  return Ok();
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
                     const HistoryTableName& history_name, const PlanOptions& options,
                     const PlaceholderSettings& placeholder_settings) {
  SchemaHistory history(conn, history_name);
  STRATA_ASSIGN_OR_RETURN(HistoryContents contents, ReadHistory(history));
  const bool any_repeatable =
      std::any_of(resolved.begin(), resolved.end(),
                  [](const ResolvedMigration& m) { return m.kind == MigrationKind::kRepeatable; });
  if (any_repeatable) {
    STRATA_ASSIGN_OR_RETURN(Placeholders placeholders,
                            MakePlaceholders(conn, history_name, placeholder_settings));
    STRATA_TRY(WithReplacedChecksums(resolved, placeholders));
  }
  return MakePlan(std::move(resolved), std::move(contents.rows), options);
}

Result<MigrateResult> Migrate(db::Connection& conn, db::Connection& lock_conn,
                              std::vector<ResolvedMigration> resolved,
                              const MigrateOptions& options, MigrateListener& listener) {
  SchemaHistory history(conn, options.history);
  const Callbacks callbacks(options.callbacks);
  STRATA_TRY(callbacks.CheckSupported());

  // Read (not create) first: a run that has nothing to do, or that refuses a bad script,
  // leaves the database exactly as it was, without even an empty history table.
  STRATA_ASSIGN_OR_RETURN(const std::string lock_name, history.LockName());
  STRATA_ASSIGN_OR_RETURN(
      Locked<DatabaseState> run,
      LockThenRead(
          conn, lock_conn, lock_name, options.dry_run, options.lock, LockWaitsTo(listener), [&] {
            return ReadState(conn, history, options.placeholders, options.baseline_on_migrate,
                             options.flyway.installed_by, options.schemas.schemas,
                             /*settle_progress=*/true, options.dry_run);
          }));
  const DatabaseState& state = run.state;
  MigrateSteps steps;
  steps.lock = run.lock.description();
  const std::vector<HistoryRow>& rows = state.history.rows;
  const bool baseline_now = options.baseline_on_migrate && rows.empty() && state.schema_has_objects;

  PlanOptions plan_options = options.plan;
  plan_options.ignore_migration_patterns.push_back(
      {IgnorePattern::Type::kAny, IgnorePattern::State::kPending});
  if (baseline_now) plan_options.baseline_version = options.baseline.version;
  STRATA_TRY(WithReplacedChecksums(resolved, state.placeholders));
  std::map<std::string, std::int32_t> resumed_failed;
  STRATA_ASSIGN_OR_RETURN(std::vector<HistoryRow> plan_rows,
                          RowsToPlan(rows, state.partials, resolved, resumed_failed));
  STRATA_ASSIGN_OR_RETURN(Plan plan, MakePlan(std::move(resolved), plan_rows, plan_options));
  STRATA_TRY(RefuseFailedMigrations(plan, history.quoted(), state.partials));
  if (options.validate_on_migrate) STRATA_TRY(ValidationStatus(plan));
  KeepCherryPicked(plan, options.flyway.cherry_pick);
  STRATA_ASSIGN_OR_RETURN(Script create_schemas,
                          SchemaCreationSteps(conn, options.schemas, state.missing_schemas));
  // Flyway records the schemas it created so that clean can drop them.
  const Script schema_marker =
      create_schemas.empty()
          ? Script()
          : SchemaMarkerSteps(history, rows, state.missing_schemas, conn.dialect(), state.user);

  // Every script is read, replaced and split before anything runs.
  const SqlFileOptions file_options = SqlFileOptionsFor(conn, options.mixed, &state.placeholders);
  std::int32_t rank = NextInstalledRank(rows);  // above any failed row a resumed run deletes
  if (baseline_now) {
    steps.prologue.push_back(Comment(fmt::format(
        "baseline_on_migrate: the schema has objects but no history; baselined at version {}",
        options.baseline.version.ToString())));
    steps.prologue.push_back(HistoryInsert(history, BaselineRow(options.baseline, state.user)));
    rank = 2;
  }
  for (std::size_t index : plan.to_apply) {
    const ResolvedMigration& m = *plan.entries[index].resolved;
    STRATA_ASSIGN_OR_RETURN(MigrationUnit unit,
                            BuildUnit(m, callbacks, file_options, options.jobs, conn.dialect(),
                                      RowFor(m, rank++, state.user)));
    if (options.flyway.skip_executing_migrations) {
      // Recorded as applied, callbacks and all, without its own statements or job.
      unit.body.clear();
      unit.job.reset();
      unit.job_sql.clear();
    }
    const auto failed = resumed_failed.find(m.script);
    STRATA_TRY(
        ApplyProgress(unit, FindPartial(state.partials, m.script),
                      failed == resumed_failed.end() ? std::nullopt : std::optional(failed->second),
                      conn, history));
    steps.units.push_back(std::move(unit));
  }
  if (options.flyway.group && !steps.units.empty()) {
    STRATA_TRY(GroupUnits(steps.units, conn.dialect()));
    steps.grouped = true;
  }
  steps.prologue.insert(steps.prologue.begin(), schema_marker.begin(), schema_marker.end());
  if (!state.history.exists && (!steps.units.empty() || baseline_now || !schema_marker.empty())) {
    Script create;
    AppendCreateHistory(history, conn.dialect(), create);
    steps.prologue.insert(steps.prologue.begin(), create.begin(), create.end());
  }
  STRATA_ASSIGN_OR_RETURN(Script before, callbacks.StepsFor("beforeMigrate", file_options, true));
  steps.prologue.insert(steps.prologue.begin(), before.begin(), before.end());
  // Before anything else, as Flyway creates the schemas before the command's callbacks.
  steps.prologue.insert(steps.prologue.begin(), create_schemas.begin(), create_schemas.end());
  STRATA_ASSIGN_OR_RETURN(steps.epilogue, callbacks.StepsFor("afterMigrate", file_options, true));
  STRATA_ASSIGN_OR_RETURN(steps.on_error,
                          callbacks.StepsFor("afterMigrateError", file_options, true));

  MigrateResult result;
  result.initial_version = plan.current_version;
  result.lock = steps.lock;
  result.baselined = baseline_now;
  if (options.dry_run) {
    for (const MigrationUnit& u : steps.units) {
      const ResolvedMigration& m = *u.migration;
      result.applied.push_back({m.version, m.description, m.type(), m.script, {}, {}});
    }
    result.dry_run_sql = RenderDryRun(ToScript(steps, history), conn.dialect());
  } else {
    STRATA_TRY(
        ExecuteSteps(steps, conn, history, options.jobs, listener, result, options.lock.stop));
    STRATA_TRY(run.lock.Release());
  }
  result.final_version = LatestVersion(
      baseline_now ? std::optional<Version>(options.baseline.version) : plan.current_version,
      result.applied);
  return result;
}

namespace {

// Whether `recorded` (the history but its SCHEMA marker) is exactly the baseline `baseline`.
bool AlreadyBaselined(const std::vector<const HistoryRow*>& recorded,
                      const BaselineSettings& baseline) {
  if (recorded.size() != 1) return false;
  const HistoryRow& row = *recorded.front();
  return row.type == MigrationType::kBaseline && row.version && *row.version == baseline.version &&
         row.description == baseline.description;
}

}  // namespace

Result<BaselineResult> Baseline(db::Connection& conn, db::Connection& lock_conn,
                                const BaselineOptions& options, MigrateListener& listener) {
  SchemaHistory history(conn, options.history);
  const Callbacks callbacks(options.callbacks);
  STRATA_TRY(callbacks.CheckSupported());
  STRATA_ASSIGN_OR_RETURN(const std::string lock_name, history.LockName());
  STRATA_ASSIGN_OR_RETURN(Locked<DatabaseState> run,
                          LockThenRead(conn, lock_conn, lock_name, options.dry_run, options.lock,
                                       LockWaitsTo(listener), [&] {
                                         return ReadState(conn, history, options.placeholders,
                                                          false, options.installed_by,
                                                          options.schemas.schemas);
                                       }));
  const DatabaseState& state = run.state;
  BaselineResult result;
  result.lock = run.lock.description();
  const std::vector<HistoryRow>& rows = state.history.rows;
  // The SCHEMA marker (migrate or Flyway created the schemas) is no history to refuse, as in
  // Flyway, whose baseline follows its own schema creation.
  std::vector<const HistoryRow*> recorded;
  for (const HistoryRow& row : rows) {
    if (row.type != MigrationType::kSchema) recorded.push_back(&row);
  }
  result.already_baselined = AlreadyBaselined(recorded, options.baseline);
  if (!recorded.empty() && !result.already_baselined) {
    const HistoryRow& last = *recorded.back();
    return Err(ErrorCode::kValidation,
               fmt::format("cannot baseline: history table {} already has {} row{} (the latest: "
                           "{} {}); baseline only adopts a database without history — run "
                           "strata migrate instead",
                           history.quoted(), recorded.size(), recorded.size() == 1 ? "" : "s",
                           last.version ? "version " + last.version->ToString() : "repeatable",
                           last.description));
  }
  // As migrate does (and Flyway's baseline): the missing schemas first, recorded in the marker.
  STRATA_ASSIGN_OR_RETURN(Script create_schemas,
                          SchemaCreationSteps(conn, options.schemas, state.missing_schemas));
  const Script schema_marker =
      create_schemas.empty()
          ? Script()
          : SchemaMarkerSteps(history, rows, state.missing_schemas, conn.dialect(), state.user);
  if (result.already_baselined && create_schemas.empty()) {
    STRATA_TRY(run.lock.Release());
    return result;
  }

  const SqlFileOptions file_options = SqlFileOptionsFor(conn, false, &state.placeholders);
  Script script;
  script.push_back(LockTakenComment(result.lock));
  Append(script, create_schemas);
  if (!result.already_baselined) {
    STRATA_ASSIGN_OR_RETURN(Script before,
                            callbacks.StepsFor("beforeBaseline", file_options, true));
    Append(script, std::move(before));
  }
  if (!state.history.exists) AppendCreateHistory(history, conn.dialect(), script);
  Append(script, schema_marker);
  if (!result.already_baselined) {
    script.push_back(
        Comment(fmt::format("baseline at version {}: {}", options.baseline.version.ToString(),
                            options.baseline.description)));
    script.push_back(HistoryInsert(history, BaselineRow(options.baseline, state.user)));
    STRATA_ASSIGN_OR_RETURN(Script after, callbacks.StepsFor("afterBaseline", file_options, true));
    Append(script, std::move(after));
  }
  script.push_back(LockReleasedComment(result.lock));

  if (options.dry_run) {
    result.dry_run_sql = RenderDryRun(script, conn.dialect());
    return result;
  }
  STRATA_TRY(Execute(script, conn));
  STRATA_TRY(run.lock.Release());
  return result;
}

}  // namespace strata::migrations
