// What the commands that run migrations share — migrate, baseline, info and validate
// (migrate_commands.cc); repair, clean and undo (lifecycle_commands.cc) — so that each does it
// one way: the flags that override the same strata.toml keys, the connections a run needs, how
// a dry run's SQL is emitted, how lock waits and versions are shown.
#ifndef STRATA_CLI_RUN_SUPPORT_H_
#define STRATA_CLI_RUN_SUPPORT_H_

#include <CLI/CLI.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "cli/context.h"
#include "cli/output.h"
#include "db/connection.h"
#include "db/runner.h"
#include "migrations/history.h"
#include "migrations/lock.h"
#include "migrations/placeholders.h"
#include "migrations/resolver.h"
#include "migrations/version.h"

namespace strata::cli {

// The flags every command that runs migrations may have; each overrides its strata.toml key.
// Each command registers the ones it takes, with help text of its own.
struct RunFlags {
  std::vector<std::string> locations;         // --locations DIR[,DIR...]
  std::optional<std::string> table;           // --table
  std::optional<std::string> schema;          // --schema
  std::optional<std::string> lock_timeout;    // --lock-timeout
  std::vector<std::string> placeholders;      // -p/--placeholder NAME=VALUE (repeatable)
  bool dry_run = false;                       // --dry-run
  std::optional<std::string> dry_run_output;  // --dry-run-output FILE (implies --dry-run)
  bool cancel_orphans = false;                // --cancel-orphans (migrate, baseline, repair, undo)

  // Whether this is a dry run: --dry-run, or --dry-run-output.
  bool DryRun() const { return dry_run || dry_run_output.has_value(); }
};

// ---- Settings: the flags over the configuration ----------------------------------------------

// Where the migrations are: --locations, else locations.
migrations::ResolveOptions ResolveOptionsFor(const Config& config, const RunFlags& flags);
// The history table: --table and --schema, else table and schema.
migrations::HistoryTableName HistoryTableFor(const Config& config, const RunFlags& flags);
// How long to wait for another runner's lock (--lock-timeout, else lock_timeout) and whether to
// cancel what a dead runner left running (--cancel-orphans, else cancel_orphans). Errors: a
// malformed duration.
Result<migrations::LockOptions> LockOptionsFor(const Config& config, const RunFlags& flags);
// placeholder_replacement and [placeholders], with the -p NAME=VALUE flags on top. Errors:
// kInvalidArgument for a flag that is not NAME=VALUE.
Result<migrations::PlaceholderSettings> PlaceholderSettingsFor(const Config& config,
                                                               const RunFlags& flags);

// ---- Connections -----------------------------------------------------------------------------

// The connections of one run.
struct RunConnections {
  std::unique_ptr<db::Connection> conn;       // runs the migrations
  std::unique_ptr<db::Connection> lock_conn;  // null: the lock goes on `conn`

  // Where the migration lock goes.
  db::Connection& lock_connection() const { return lock_conn ? *lock_conn : *conn; }
};

// Connects to the target and, unless `dry_run` (a dry run takes no lock) or the target is
// SQLite (whose lock is a file), once more for the lock: PostgreSQL and MariaDB locks live on
// a connection of their own that keeps no transaction open. Both connections carry the label
// of this process running `command` on `history` (ConnectAsRunner) and are opened with Flyway's
// settings (OpenMigrationConnection: connect_retries, init_sql, default_schema).
Result<RunConnections> ConnectForRun(Context& ctx, bool dry_run, std::string_view command,
                                     const migrations::HistoryTableName& history);
// One connection to the target opened as ConnectForRun opens them (info, validate, and the
// first connection of every run), carrying the label of this process running `command` on
// `history` (RunnerFor), whose scope names the history table with its schema as the server
// resolves it: every spelling of one history table gets one scope. The identity goes to
// `runner_out` when it is not null.
Result<std::unique_ptr<db::Connection>> ConnectAsRunner(Context& ctx, std::string_view command,
                                                        const migrations::HistoryTableName& history,
                                                        db::RunnerIdentity* runner_out = nullptr);
// One connection to the target opened with Flyway's settings, carrying `runner`'s label when
// one is given.
Result<std::unique_ptr<db::Connection>> ConnectForMigrations(
    Context& ctx, const db::RunnerIdentity* runner = nullptr);
// The files of a run: ResolveMigrations, warning about every file or location skipped
// (validate_migration_naming, fail_on_missing_locations, lookalike names).
Result<migrations::Resolution> ResolveAndWarn(Output& out,
                                              const migrations::ResolveOptions& options);

// ---- Runners: who this run is, what dead runners left running --------------------------------

// This process running `command` on the history table `history`: its pid, a fresh random run
// id, and the history table's scope tag (db/runner.h) as configured (ConnectAsRunner makes it
// name the resolved schema).
db::RunnerIdentity RunnerFor(std::string_view command, const migrations::HistoryTableName& history);
// Registers --cancel-orphans on `cmd`.
void AddCancelOrphansFlag(CLI::App* cmd, RunFlags& flags);
// Shows each report of a wait for statements a dead runner left running as a warning.
migrations::OrphanListener OrphanWaitWarnings(Output& out, db::Dialect dialect);

// ---- Output ----------------------------------------------------------------------------------

// Shows each report of a wait for another runner's lock as a warning.
migrations::LockWaitListener LockWaitWarnings(Output& out);

// A dry run's SQL (`sql`, from `strata <command> --dry-run` on `conn`) with a header saying
// what it is: to --dry-run-output FILE (named in `doc` as "dry_run_output"), or to stdout
// (inside the JSON document `doc` as "dry_run_sql" with --json). Sets doc["dry_run"]. Errors:
// the file cannot be written.
Status EmitDryRun(Context& ctx, const RunFlags& flags, std::string_view command,
                  const db::Connection& conn, const std::string& sql, nlohmann::json& doc);

// A version as text lines show it: "<none>" when there is none.
std::string VersionText(const std::optional<migrations::Version>& version);
// A version as JSON documents show it: null when there is none.
nlohmann::json VersionJson(const std::optional<migrations::Version>& version);

}  // namespace strata::cli

#endif  // STRATA_CLI_RUN_SUPPORT_H_
