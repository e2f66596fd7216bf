// `strata repair`, `strata clean`, `strata undo`: the lifecycle commands beside migrate
// (docs/lifecycle.md). Each runs under the migration lock, or with --dry-run prints (or writes
// to --dry-run-output FILE) the exact SQL it would run and changes nothing.
//
// Their --json documents are specified in docs/json.md.
#include <fmt/format.h>

#include <memory>

#include "base/duration.h"
#include "cli/command.h"
#include "cli/flyway_settings.h"
#include "cli/run_support.h"
#include "cli/stop_signals.h"
#include "migrations/clean.h"
#include "migrations/repair.h"
#include "migrations/resolver.h"
#include "migrations/undo.h"

namespace strata::cli {
namespace {

// Flags shared by repair, clean and undo; each overrides its strata.toml key.
struct LifecycleFlags {
  RunFlags run;  // --locations, --table, --schema, --lock-timeout, -p, --dry-run(-output)
  std::optional<std::string> target;        // --target VERSION (undo)
  std::vector<std::string> schemas;         // --schemas S[,S...] (clean)
  std::optional<std::string> mark_applied;  // --mark-applied VERSION (repair)
};

void AddLifecycleFlags(CLI::App* cmd, LifecycleFlags& f) {
  cmd->add_option("--locations", f.run.locations,
                  "Directories holding migrations and callbacks, searched recursively (default: "
                  "migrations/ beside strata.toml)")
      ->delimiter(',');
  cmd->add_option("--table", f.run.table, "History table (default strata_schema_history)");
  cmd->add_option("--schema", f.run.schema,
                  "Schema of the history table (default: current schema)");
  cmd->add_option("--lock-timeout", f.run.lock_timeout,
                  "How long to wait for another runner's lock (default 10m)");
  cmd->add_option("-p,--placeholder", f.run.placeholders,
                  "NAME=VALUE for ${NAME} in SQL scripts and callbacks (repeatable)");
  cmd->add_flag("--dry-run", f.run.dry_run,
                "Print the SQL that would run, in order, and change nothing");
  cmd->add_option("--dry-run-output", f.run.dry_run_output,
                  "Write the dry run's SQL to FILE instead of stdout (implies --dry-run; on a "
                  "fleet, {target} in FILE is each target's name)");
}

Result<migrations::RunOptions> RunOptionsFor(const Config& config, const RunFlags& flags,
                                             std::vector<migrations::SqlCallback> callbacks) {
  migrations::RunOptions run;
  run.history = HistoryTableFor(config, flags);
  STRATA_ASSIGN_OR_RETURN(run.lock, LockOptionsFor(config, flags));
  run.dry_run = flags.DryRun();
  STRATA_ASSIGN_OR_RETURN(run.placeholders, PlaceholderSettingsFor(config, flags));
  run.mixed = config.mixed;
  run.callbacks = std::move(callbacks);
  run.installed_by = config.installed_by;
  return run;
}

// What every command needs before it runs: the files, a connection, and one for the lock.
struct Prepared {
  migrations::Resolution resolution;
  migrations::RunOptions run;
  RunConnections connections;

  db::Connection& conn() const { return *connections.conn; }
  db::Connection& lock_connection() const { return connections.lock_connection(); }
};

Result<Prepared> Prepare(Context& ctx, const LifecycleFlags& flags, std::string_view command) {
  Prepared p;
  STRATA_ASSIGN_OR_RETURN(p.resolution,
                          ResolveAndWarn(ctx.out(), ResolveOptionsFor(ctx.config(), flags.run)));
  STRATA_ASSIGN_OR_RETURN(p.run, RunOptionsFor(ctx.config(), flags.run, p.resolution.callbacks));
  STRATA_ASSIGN_OR_RETURN(p.connections, ConnectForRun(ctx, p.run.dry_run, command, p.run.history));
  p.run.lock.on_orphans = OrphanWaitWarnings(ctx.out(), p.conn().dialect());
  return p;
}

std::string Plural(std::size_t n, const std::string& one, const std::string& many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

// ---- repair ----------------------------------------------------------------------------------

std::string ActionJsonName(migrations::RepairAction::Kind kind) {
  switch (kind) {
    case migrations::RepairAction::Kind::kRemoveFailed:
      return "remove_failed";
    case migrations::RepairAction::Kind::kMarkDeleted:
      return "mark_deleted";
    case migrations::RepairAction::Kind::kRealign:
      return "realign";
    case migrations::RepairAction::Kind::kMarkApplied:
      return "mark_applied";
    case migrations::RepairAction::Kind::kForgetProgress:
      return "forget_progress";
  }
  return "";
}

// "realign version 1 (V1__a.sql): checksum -12 -> 34, description "a" -> "b"".
std::string ActionLine(const migrations::RepairAction& a) {
  const std::string what =
      a.row.version ? fmt::format("version {} ({})", a.row.version->ToString(), a.row.script)
                    : fmt::format("repeatable {}", a.row.script);
  std::string line = fmt::format("{} {}", migrations::RepairActionName(a.kind), what);
  for (std::size_t i = 0; i < a.changes.size(); ++i) {
    const migrations::FieldChange& c = a.changes[i];
    const char* separator = i == 0 ? ":" : ",";
    if (c.field == "description") {
      line += fmt::format("{} {} \"{}\" -> \"{}\"", separator, c.field, c.old_value, c.new_value);
    } else {
      line += fmt::format("{} {} {} -> {}", separator, c.field, c.old_value, c.new_value);
    }
  }
  return line;
}

Status RunRepair(Context& ctx, const LifecycleFlags& flags) {
  migrations::RepairOptions options;
  if (flags.mark_applied) {
    auto version = migrations::Version::Parse(*flags.mark_applied);
    if (!version) {
      // The parser's message already quotes the text and says it is not a version.
      return Err(ErrorCode::kInvalidArgument,
                 fmt::format("--mark-applied: {}", version.error().message));
    }
    options.mark_applied = std::move(*version);
  }
  STRATA_ASSIGN_OR_RETURN(Prepared p, Prepare(ctx, flags, "repair"));
  const StopRunOnSignals stop({p.connections.conn.get(), p.connections.lock_conn.get()});
  p.run.lock.stop = stop.stop_requested();
  options.run = p.run;
  STRATA_ASSIGN_OR_RETURN(
      options.ignore_migration_patterns,
      migrations::IgnorePattern::ParseList(ctx.config().ignore_migration_patterns));
  STRATA_ASSIGN_OR_RETURN(migrations::RepairResult result,
                          stop.Checked(migrations::Repair(p.conn(), p.lock_connection(),
                                                          std::move(p.resolution.migrations),
                                                          options, LockWaitWarnings(ctx.out()))));
  std::size_t counts[5] = {0, 0, 0, 0, 0};
  nlohmann::json actions = nlohmann::json::array();
  for (const migrations::RepairAction& a : result.actions) {
    ++counts[static_cast<int>(a.kind)];
    nlohmann::json changes = nlohmann::json::array();
    for (const migrations::FieldChange& c : a.changes) {
      changes.push_back({{"field", c.field}, {"old", c.old_value}, {"new", c.new_value}});
    }
    actions.push_back({{"action", ActionJsonName(a.kind)},
                       {"installed_rank", a.row.installed_rank},
                       {"version", VersionJson(a.row.version)},
                       {"description", a.row.description},
                       {"script", a.row.script},
                       {"changes", std::move(changes)}});
  }
  // The history table by its names, unquoted: a value in a document is data, not SQL.
  nlohmann::json doc = {{"target", p.conn().display_url()},
                        {"history_table", options.run.history.table},
                        {"history_schema", options.run.history.schema.empty()
                                               ? nlohmann::json(nullptr)
                                               : nlohmann::json(options.run.history.schema)},
                        {"dry_run", options.run.dry_run},
                        {"lock", result.lock},
                        {"actions", std::move(actions)},
                        {"migrations_removed", counts[0]},
                        {"migrations_deleted", counts[1]},
                        {"migrations_aligned", counts[2]},
                        {"migrations_marked_applied", counts[3]},
                        {"progress_forgotten", counts[4]}};
  if (options.run.dry_run) {
    STRATA_TRY(EmitDryRun(ctx, flags.run, "repair", p.conn(), result.dry_run_sql, doc));
  }
  if (result.actions.empty()) {
    ctx.out().Line(fmt::format(
        "history table {} on {} needs no repair: no failed rows, no applied migration whose "
        "file is gone, every applied migration matches its file",
        result.history_table, p.conn().display_url()));
  } else {
    for (const migrations::RepairAction& a : result.actions) ctx.out().Line(ActionLine(a));
    ctx.out().Line(fmt::format(
        "{} history table {} on {}: {} removed, {} marked deleted, {} realigned",
        options.run.dry_run ? "dry run: would repair" : "repaired", result.history_table,
        p.conn().display_url(), Plural(counts[0], "failed row", "failed rows"),
        Plural(counts[1], "migration", "migrations"), counts[2]));
    if (counts[3] + counts[4] > 0) {
      ctx.out().Line(fmt::format("{} marked applied, progress of {} forgotten", counts[3],
                                 Plural(counts[4], "interrupted script", "interrupted scripts")));
    }
  }
  ctx.out().Json(doc);
  return Ok();
}

// ---- clean -----------------------------------------------------------------------------------

Status RunClean(Context& ctx, const LifecycleFlags& flags) {
  // Refused before reading a file or connecting: a disabled clean touches nothing.
  STRATA_TRY(migrations::CheckCleanEnabled(ctx.config().clean_disabled));
  STRATA_ASSIGN_OR_RETURN(Prepared p, Prepare(ctx, flags, "clean"));
  migrations::CleanOptions options;
  options.run = p.run;
  options.clean_disabled = ctx.config().clean_disabled;
  // default_schema and schemas, as Flyway cleans them (cli/flyway_settings.h).
  options.schemas = flags.schemas.empty() ? SchemaSetupFor(ctx.config()).schemas : flags.schemas;
  STRATA_ASSIGN_OR_RETURN(
      migrations::CleanResult result,
      migrations::Clean(p.conn(), p.lock_connection(), options, LockWaitWarnings(ctx.out())));
  nlohmann::json dropped = nlohmann::json::array();
  for (const migrations::DropObject& d : result.drops) {
    dropped.push_back({{"schema", d.schema}, {"kind", JsonName(d.kind)}, {"name", d.name}});
  }
  nlohmann::json doc = {{"target", p.conn().display_url()},
                        {"dry_run", options.run.dry_run},
                        {"lock", result.lock},
                        {"schemas", result.schemas},
                        {"dropped", std::move(dropped)},
                        {"objects_dropped", result.drops.size()}};
  std::string schemas;
  for (const std::string& s : result.schemas) schemas += (schemas.empty() ? "" : ", ") + s;
  if (options.run.dry_run) {
    STRATA_TRY(EmitDryRun(ctx, flags.run, "clean", p.conn(), result.dry_run_sql, doc));
    ctx.out().Line(fmt::format("dry run: clean would drop {} in {} on {}",
                               Plural(result.drops.size(), "object", "objects"), schemas,
                               p.conn().display_url()));
  } else {
    ctx.out().Line(fmt::format("cleaned {} on {}: dropped {}", schemas, p.conn().display_url(),
                               Plural(result.drops.size(), "object", "objects")));
  }
  ctx.out().Json(doc);
  return Ok();
}

// ---- undo ------------------------------------------------------------------------------------

Result<std::optional<migrations::Version>> UndoTarget(const LifecycleFlags& flags) {
  if (!flags.target) return std::optional<migrations::Version>();
  auto version = migrations::Version::Parse(*flags.target);
  if (!version) {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("undo --target '{}' is not a version: give the version to undo down "
                           "to (it stays applied), e.g. --target 2.1",
                           *flags.target));
  }
  return std::optional<migrations::Version>(std::move(*version));
}

Status RunUndo(Context& ctx, const LifecycleFlags& flags) {
  migrations::UndoOptions options;
  STRATA_ASSIGN_OR_RETURN(options.target, UndoTarget(flags));
  STRATA_ASSIGN_OR_RETURN(Prepared p, Prepare(ctx, flags, "undo"));
  const StopRunOnSignals stop({p.connections.conn.get(), p.connections.lock_conn.get()});
  p.run.lock.stop = stop.stop_requested();
  options.run = p.run;
  STRATA_ASSIGN_OR_RETURN(migrations::UndoResult result,
                          stop.Checked(migrations::Undo(p.conn(), p.lock_connection(),
                                                        std::move(p.resolution.migrations), options,
                                                        LockWaitWarnings(ctx.out()))));
  nlohmann::json undone = nlohmann::json::array();
  for (const migrations::UndoneMigration& u : result.undone) {
    undone.push_back({{"version", u.version.ToString()},
                      {"description", u.description},
                      {"script", u.script},
                      {"execution_time_ms", u.duration.count()}});
    if (!options.run.dry_run) {
      ctx.out().Line(fmt::format("{} version {} - {} with {} ({})", ctx.out().Green("undone"),
                                 u.version.ToString(), u.description, u.script,
                                 FormatDuration(u.duration)));
    }
  }
  nlohmann::json doc = {{"target", p.conn().display_url()},
                        {"dry_run", options.run.dry_run},
                        {"lock", result.lock},
                        {"initial_version", VersionJson(result.initial_version)},
                        {"final_version", VersionJson(result.final_version)},
                        {"undone", std::move(undone)},
                        {"migrations_undone", result.undone.size()}};
  if (options.run.dry_run) {
    STRATA_TRY(EmitDryRun(ctx, flags.run, "undo", p.conn(), result.dry_run_sql, doc));
  }
  if (result.undone.empty()) {
    ctx.out().Line(fmt::format(
        "nothing to undo on {}: no applied versioned migration {}", p.conn().display_url(),
        options.target ? "above version " + options.target->ToString() : std::string("is left")));
  } else {
    ctx.out().Line(fmt::format(
        "{} {} from version {} to {}", options.run.dry_run ? "dry run: would undo" : "undid",
        Plural(result.undone.size(), "migration", "migrations"),
        VersionText(result.initial_version), VersionText(result.final_version)));
  }
  ctx.out().Json(doc);
  return Ok();
}

}  // namespace

void RegisterLifecycleCommands(CLI::App& app, CommandTable& table) {
  auto repair_flags = std::make_shared<LifecycleFlags>();
  CLI::App* repair = app.add_subcommand(
      "repair",
      "Fix the history table: remove failed rows, realign checksums, descriptions and types to "
      "the files, mark migrations whose files are gone as deleted");
  AddLifecycleFlags(repair, *repair_flags);
  AddCancelOrphansFlag(repair, repair_flags->run);
  repair->add_option("--mark-applied", repair_flags->mark_applied,
                     "Record this version as applied (a success row with its file's checksum): "
                     "its effects are known to be in place");
  table.Add(repair, [repair_flags](Context& ctx) { return RunRepair(ctx, *repair_flags); });

  auto clean_flags = std::make_shared<LifecycleFlags>();
  CLI::App* clean = app.add_subcommand(
      "clean",
      "Drop every object in the configured schemas, history table included (refused unless "
      "clean_disabled = false)");
  AddLifecycleFlags(clean, *clean_flags);
  clean
      ->add_option("--schemas", clean_flags->schemas,
                   "Schemas to clean (default: schemas from strata.toml, else the history "
                   "table's schema)")
      ->delimiter(',');
  table.Add(clean, [clean_flags](Context& ctx) { return RunClean(ctx, *clean_flags); });

  auto undo_flags = std::make_shared<LifecycleFlags>();
  CLI::App* undo = app.add_subcommand(
      "undo",
      "Run the U scripts of applied migrations, newest first: the latest only, or every version "
      "above --target");
  AddLifecycleFlags(undo, *undo_flags);
  AddCancelOrphansFlag(undo, undo_flags->run);
  undo->add_option("--target", undo_flags->target,
                   "Undo every applied version above this one (default: only the latest)");
  table.Add(undo, [undo_flags](Context& ctx) { return RunUndo(ctx, *undo_flags); });
}

}  // namespace strata::cli
