#include "cli/run_support.h"

#include <fmt/format.h>
#include <unistd.h>

#include <random>

#include "base/duration.h"
#include "base/file.h"
#include "cli/flyway_settings.h"
#include "db/flavor/flavor.h"
#include "migrations/history.h"
#include "migrations/lifecycle.h"

namespace strata::cli {

// ---- Settings: the flags over the configuration ----------------------------------------------

migrations::ResolveOptions ResolveOptionsFor(const Config& config, const RunFlags& flags) {
  migrations::ResolveOptions resolve;
  const std::vector<std::string>& locations =
      flags.locations.empty() ? config.locations : flags.locations;
  for (const std::string& l : locations) resolve.locations.emplace_back(l);
  resolve.naming = MigrationNamingFor(config);
  resolve.validate_migration_naming = config.validate_migration_naming;
  resolve.fail_on_missing_locations = config.fail_on_missing_locations;
  return resolve;
}

migrations::HistoryTableName HistoryTableFor(const Config& config, const RunFlags& flags) {
  migrations::HistoryTableName history;
  history.table = flags.table.value_or(config.table);
  history.schema = flags.schema.value_or(config.schema);
  // Flyway keeps its history table in the default schema: `schema` (strata's) wins when set.
  if (history.schema.empty()) history.schema = DefaultSchemaFor(config);
  return history;
}

Result<migrations::LockOptions> LockOptionsFor(const Config& config, const RunFlags& flags) {
  migrations::LockOptions lock;
  auto timeout = ParseDuration(flags.lock_timeout.value_or(config.lock_timeout));
  if (!timeout) {
    return std::move(timeout).error().WithContext(
        flags.lock_timeout ? "--lock-timeout" : config.Describe("lock_timeout"));
  }
  lock.timeout = *timeout;
  lock.cancel_orphans = flags.cancel_orphans || config.cancel_orphans;
  return lock;
}

Result<migrations::PlaceholderSettings> PlaceholderSettingsFor(const Config& config,
                                                               const RunFlags& flags) {
  migrations::PlaceholderSettings settings;
  settings.enabled = config.placeholder_replacement;
  settings.values = config.placeholders;
  settings.prefix = config.placeholder_prefix;
  settings.suffix = config.placeholder_suffix;
  for (const std::string& flag : flags.placeholders) {
    const std::size_t eq = flag.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Err(
          ErrorCode::kInvalidArgument,
          fmt::format("-p/--placeholder '{}': expected NAME=VALUE, e.g. -p owner=app", flag));
    }
    settings.values[flag.substr(0, eq)] = flag.substr(eq + 1);
  }
  return settings;
}

// ---- Connections -----------------------------------------------------------------------------

Result<std::unique_ptr<db::Connection>> ConnectForMigrations(Context& ctx,
                                                             const db::RunnerIdentity* runner) {
  STRATA_ASSIGN_OR_RETURN(db::Url url, ctx.TargetUrl());
  STRATA_ASSIGN_OR_RETURN(db::ConnectOptions options, ctx.ConnectOptionsFor());
  if (runner != nullptr) options.runner = runner->Label();
  return OpenMigrationConnection(ctx.config(), url, options, ctx.out());
}

namespace {

// Makes `runner`'s scope name the history table with its schema as the server resolves it on
// `conn` (an empty schema: the current one), so that every spelling of one history table
// ("--schema public" or none) gets one tag and a successor finds its predecessor's orphans
// whichever spelling each used. The label `conn` carries follows: PostgreSQL sets its
// application_name again (unless init_sql named the session otherwise); MariaDB, whose label
// leads every statement the driver sends and is a connection attribute, connects again. A
// schema that cannot be resolved (a MariaDB URL without a database, which every command
// refuses later) leaves the label as it is.
Status ScopeOnResolvedSchema(Context& ctx, const migrations::HistoryTableName& history,
                             db::RunnerIdentity& runner, std::unique_ptr<db::Connection>& conn) {
  if (!history.schema.empty() || conn->dialect() == db::Dialect::kSqlite) return Ok();
  migrations::SchemaHistory probe(*conn, history);
  Result<std::string> schema = probe.ResolvedSchema();
  if (!schema) return Ok();
  const std::string scope = db::ScopeTag(*schema, history.table);
  if (scope == runner.scope) return Ok();
  const std::string provisional = runner.Label();
  runner.scope = scope;
  if (conn->dialect() == db::Dialect::kPostgres) {
    STRATA_TRY(
        conn->Query("SELECT pg_catalog.set_config('application_name', $1, false) WHERE "
                    "pg_catalog.current_setting('application_name') = $2",
                    {runner.Label(), provisional}));
    return Ok();
  }
  STRATA_ASSIGN_OR_RETURN(conn, ConnectForMigrations(ctx, &runner));
  return Ok();
}

}  // namespace

Result<std::unique_ptr<db::Connection>> ConnectAsRunner(Context& ctx, std::string_view command,
                                                        const migrations::HistoryTableName& history,
                                                        db::RunnerIdentity* runner_out) {
  db::RunnerIdentity runner = RunnerFor(command, history);
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<db::Connection> conn, ConnectForMigrations(ctx, &runner));
  STRATA_TRY(ScopeOnResolvedSchema(ctx, history, runner, conn));
  if (runner_out != nullptr) *runner_out = runner;
  return conn;
}

Result<RunConnections> ConnectForRun(Context& ctx, bool dry_run, std::string_view command,
                                     const migrations::HistoryTableName& history) {
  RunConnections connections;
  db::RunnerIdentity runner;
  STRATA_ASSIGN_OR_RETURN(connections.conn, ConnectAsRunner(ctx, command, history, &runner));
  // PostgreSQL and MariaDB locks live on a connection of their own that keeps no transaction
  // open; SQLite locks a file, and a dry run takes no lock at all.
  if (!dry_run && db::FlavorOf(*connections.conn).migration_lock_needs_connection()) {
    STRATA_ASSIGN_OR_RETURN(connections.lock_conn, ConnectForMigrations(ctx, &runner));
  }
  return connections;
}

Result<migrations::Resolution> ResolveAndWarn(Output& out,
                                              const migrations::ResolveOptions& options) {
  STRATA_ASSIGN_OR_RETURN(migrations::Resolution resolution,
                          migrations::ResolveMigrations(options));
  WarnAboutSkippedFiles(out, resolution);
  return resolution;
}

// ---- Runners: who this run is, what dead runners left running --------------------------------

db::RunnerIdentity RunnerFor(std::string_view command,
                             const migrations::HistoryTableName& history) {
  db::RunnerIdentity runner;
  runner.command = std::string(command);
  runner.pid = static_cast<std::int64_t>(::getpid());
  std::random_device random;
  runner.run_id = fmt::format("{:08x}", static_cast<std::uint32_t>(random()));
  runner.scope = db::ScopeTag(history.schema, history.table);
  return runner;
}

void AddCancelOrphansFlag(CLI::App* cmd, RunFlags& flags) {
  cmd->add_flag("--cancel-orphans", flags.cancel_orphans,
                "Cancel statements a dead strata runner left running on the server instead of "
                "waiting (up to the lock timeout) for them to end");
}

migrations::OrphanListener OrphanWaitWarnings(Output& out, db::Dialect dialect) {
  return [&out, dialect](const std::vector<migrations::Orphan>& running,
                         std::chrono::milliseconds waited, bool cancelling) {
    for (const migrations::Orphan& orphan : running) {
      out.Warning(
          fmt::format("{} a statement left running by a strata runner that is gone ({} so far): {}",
                      cancelling ? "cancelling" : "waiting for", FormatDuration(waited),
                      migrations::DescribeOrphan(orphan, dialect)));
    }
  };
}

// ---- Output ----------------------------------------------------------------------------------

migrations::LockWaitListener LockWaitWarnings(Output& out) {
  return [&out](const std::string& holder, std::chrono::milliseconds waited) {
    out.Warning(fmt::format("waiting {} for the migration lock, held by {}", FormatDuration(waited),
                            holder));
  };
}

Status EmitDryRun(Context& ctx, const RunFlags& flags, std::string_view command,
                  const db::Connection& conn, const std::string& sql, nlohmann::json& doc) {
  const std::string text = fmt::format(
      "-- strata {} --dry-run against {} ({})\n"
      "-- Nothing below has been executed. History rows show execution_time 0: it is measured "
      "when the statements run.\n{}",
      command, conn.display_url(), db::DialectName(conn.dialect()), sql);
  doc["dry_run"] = true;
  if (flags.dry_run_output) {
    // On a fleet, each target's own file (--dry-run-output 'out/{target}.sql').
    const std::string path = ctx.PathForTarget(*flags.dry_run_output);
    Status written = WriteFileAtomically(path, text);
    if (!written) return std::move(written).error().WithContext("writing the dry run to " + path);
    doc["dry_run_output"] = path;
    ctx.out().Line(fmt::format("dry run: SQL written to {}; nothing was changed", path));
  } else if (ctx.out().json()) {
    doc["dry_run_sql"] = text;
  } else {
    ctx.out().Line(text);
  }
  return Ok();
}

std::string VersionText(const std::optional<migrations::Version>& version) {
  return version ? version->ToString() : "<none>";
}

nlohmann::json VersionJson(const std::optional<migrations::Version>& version) {
  return version ? nlohmann::json(version->ToString()) : nlohmann::json(nullptr);
}

}  // namespace strata::cli
