// `strata verify-undo`: the migrate → undo → migrate round trip of every versioned migration on
// a scratch database (migrations/verify_undo.h), the schema read as `schema dump` reads it
// (strata's own tables left out) and compared with the schema diff. docs/verify-undo.md is the
// user's page; the --json document is specified in docs/json.md.
#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <memory>
#include <sstream>

#include "cli/command.h"
#include "cli/flyway_settings.h"
#include "cli/job_steps.h"
#include "cli/run_support.h"
#include "cli/stop_signals.h"
#include "migrations/history.h"
#include "migrations/verify_undo.h"
#include "schema/diff.h"
#include "schema/snapshot.h"

namespace strata::cli {
namespace {

using migrations::UndoCheck;
using migrations::UndoVerification;

struct VerifyUndoFlags {
  RunFlags run;                     // --locations, --table, --schema, --lock-timeout, -p
  std::optional<std::string> from;  // --from VERSION: verify from this version (default: first)
  std::optional<std::string> to;    // --to VERSION: up to this version (default: last)
  bool force = false;               // --force: run on a database that is not empty
  bool allow_missing_undo = false;  // --allow-missing-undo: no_undo is not a failure
};

Result<std::optional<migrations::Version>> VersionFlag(const std::optional<std::string>& text,
                                                       std::string_view flag) {
  if (!text) return std::optional<migrations::Version>();
  auto version = migrations::Version::Parse(*text);
  if (!version) {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("verify-undo {} '{}' is not a version: give a migration version, "
                           "e.g. {} 2.1",
                           flag, *text, flag));
  }
  return std::optional<migrations::Version>(std::move(*version));
}

// The schema under verification, as `schema dump` sees it: the configured schemas (default: the
// current one), strata's tables left out. A schema that does not exist yet (create_schemas makes
// it on the first migration) reads as an empty one.
migrations::SchemaReader SchemaReaderFor(db::Connection& conn, const Config& config,
                                         const migrations::HistoryTableName& history) {
  schema::SnapshotOptions options;
  options.schemas = config.schemas;
  options.excluded_tables = schema::StrataTables(history.table);
  return [&conn, options]() -> Result<std::string> {
    Result<schema::Snapshot> snapshot = schema::ReadSnapshot(conn, options);
    if (!snapshot && snapshot.error().code == ErrorCode::kNotFound) {
      schema::Snapshot empty;
      empty.dialect = db::FlavorOf(conn).name();
      empty.schemas = options.schemas;
      return empty.Render();
    }
    STRATA_ASSIGN_OR_RETURN(schema::Snapshot read, std::move(snapshot));
    return read.Render();
  };
}

// Refuses a database that holds anything (objects in the schema, strata's history table)
// unless --force: verify-undo migrates, undoes and migrates again, so it belongs on a scratch
// database, and a schema that was not empty to begin with makes its comparisons harder to read.
Status CheckScratch(db::Connection& conn, const Config& config,
                    const migrations::HistoryTableName& history, bool force) {
  if (force) return Ok();
  schema::SnapshotOptions options;
  options.schemas = config.schemas;
  options.excluded_tables = schema::StrataTables(history.table);  // named below, as what they are
  Result<schema::Snapshot> snapshot = schema::ReadSnapshot(conn, options);
  if (!snapshot && snapshot.error().code != ErrorCode::kNotFound) return snapshot.error();
  std::vector<std::string> found;
  if (snapshot) {
    for (const schema::SchemaObject& o : snapshot->objects) found.push_back(o.kind + " " + o.name);
  }
  migrations::SchemaHistory table(conn, history);
  STRATA_ASSIGN_OR_RETURN(bool history_exists, table.Exists());
  if (history_exists) found.insert(found.begin(), "history table " + history.table);
  if (found.empty()) return Ok();
  const std::size_t shown = std::min<std::size_t>(found.size(), 3);
  std::string names = fmt::format(
      "{}", fmt::join(found.begin(), found.begin() + static_cast<std::ptrdiff_t>(shown), ", "));
  if (found.size() > shown) names += fmt::format(" and {} more", found.size() - shown);
  return Err(ErrorCode::kInvalidArgument,
             fmt::format("verify-undo runs migrations and their undos on a scratch database, but "
                         "{} is not empty ({}); point --url at an empty database, or pass --force "
                         "to run the round trips over what is there",
                         conn.display_url(), names));
}

bool IsFailure(UndoCheck check, bool allow_missing_undo) {
  switch (check) {
    case UndoCheck::kOk:
    case UndoCheck::kSkipped:
      return false;
    case UndoCheck::kNoUndo:
      return !allow_missing_undo;
    default:
      return true;
  }
}

// "U3__add_index.sql": the U script a V script's undo would be, as undo looks for it.
std::string ExpectedUndoScript(const UndoVerification& v) {
  const std::string& s = v.script;
  if (s.size() > 4 && s.ends_with(".job")) return "";
  return s.empty() ? std::string() : "U" + s.substr(1);
}

// The lines of a unified diff that differ ("+  index users_email_idx btree (email)").
std::vector<std::string> ChangedLines(const std::string& unified) {
  std::vector<std::string> lines;
  std::istringstream in(unified);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("+++") || line.starts_with("---")) continue;
    if (line.starts_with("+") || line.starts_with("-")) lines.push_back(line);
  }
  return lines;
}

schema::SnapshotDiff DiffOf(const UndoVerification& v) {
  const std::string expected = v.check == UndoCheck::kNotRestored
                                   ? fmt::format("before version {}", v.version.ToString())
                                   : fmt::format("after version {}", v.version.ToString());
  const std::string actual = v.check == UndoCheck::kNotRestored
                                 ? fmt::format("after {}", v.undo_script)
                                 : fmt::format("after version {} again", v.version.ToString());
  return schema::DiffSnapshots(v.expected_schema, v.actual_schema, expected, actual);
}

// What the verdict's line says after its name.
std::string Detail(const UndoVerification& v, const schema::SnapshotDiff* diff) {
  switch (v.check) {
    case UndoCheck::kOk:
      return fmt::format("{} restored the schema; applied again, same schema", v.undo_script);
    case UndoCheck::kNoUndo: {
      const std::string expected = ExpectedUndoScript(v);
      return expected.empty() ? std::string("a .job step has no undo")
                              : fmt::format("no undo script {}", expected);
    }
    case UndoCheck::kSkipped:
      return "already applied before verify-undo started: not verified";
    case UndoCheck::kMigrateFailed:
      return fmt::format("the migration failed: {}", v.error);
    case UndoCheck::kUndoFailed:
      return fmt::format("{} failed: {}", v.undo_script, v.error);
    case UndoCheck::kReapplyFailed:
      return fmt::format("applied again after {}, it failed: {}", v.undo_script, v.error);
    case UndoCheck::kNotRestored:
    case UndoCheck::kNotIdempotent: {
      const std::vector<std::string> lines = ChangedLines(diff->unified);
      std::string what = v.check == UndoCheck::kNotRestored
                             ? fmt::format("{} did not restore the schema", v.undo_script)
                             : std::string("applied again, it left a different schema");
      std::vector<std::string> objects;
      for (const schema::ObjectChange& c : diff->objects) objects.push_back(c.object);
      what += fmt::format(" ({}: {})", fmt::join(objects, ", "),
                          fmt::join(lines.begin(),
                                    lines.begin() + static_cast<std::ptrdiff_t>(
                                                        std::min<std::size_t>(lines.size(), 3)),
                                    "; "));
      if (!v.error.empty()) what += "; " + v.error;
      return what;
    }
  }
  return "";
}

nlohmann::json VerdictJson(const UndoVerification& v) {
  nlohmann::json j = {{"version", v.version.ToString()},
                      {"description", v.description},
                      {"script", v.script},
                      {"undo_script", v.undo_script.empty() ? nlohmann::json(nullptr)
                                                            : nlohmann::json(v.undo_script)},
                      {"check", migrations::UndoCheckName(v.check)}};
  if (!v.error.empty()) j["error"] = v.error;
  if (!v.expected_schema.empty() || !v.actual_schema.empty()) {
    const schema::SnapshotDiff diff = DiffOf(v);
    nlohmann::json differences = nlohmann::json::array();
    for (const schema::ObjectChange& c : diff.objects) {
      differences.push_back(
          {{"object", c.object}, {"change", schema::ObjectChangeKindName(c.kind)}});
    }
    j["expected_fingerprint"] = schema::Fingerprint(v.expected_schema);
    j["fingerprint"] = schema::Fingerprint(v.actual_schema);
    j["differences"] = std::move(differences);
    j["diff"] = diff.unified;
  }
  return j;
}

void PrintVerdict(Output& out, const UndoVerification& v, bool allow_missing_undo) {
  std::optional<schema::SnapshotDiff> diff;
  if (!v.expected_schema.empty() || !v.actual_schema.empty()) diff = DiffOf(v);
  const std::string name = migrations::UndoCheckName(v.check);
  const std::string shown = IsFailure(v.check, allow_missing_undo) ? out.Red(name)
                            : v.check == UndoCheck::kOk            ? out.Green(name)
                                                                   : name;
  // Padded by the plain name's width: colors add invisible characters.
  out.Line(fmt::format("{}{} version {} - {}: {}", shown, std::string(15 - name.size(), ' '),
                       v.version.ToString(), v.description, Detail(v, diff ? &*diff : nullptr)));
  if (diff) {
    std::string unified = diff->unified;
    if (!unified.empty() && unified.back() == '\n') unified.pop_back();
    out.Line(unified);
  }
}

Status RunVerifyUndo(Context& ctx, const VerifyUndoFlags& flags) {
  migrations::VerifyUndoOptions options;
  STRATA_ASSIGN_OR_RETURN(options.from, VersionFlag(flags.from, "--from"));
  STRATA_ASSIGN_OR_RETURN(options.to, VersionFlag(flags.to, "--to"));
  const Config& config = ctx.config();
  migrations::MigrateOptions& m = options.migrate;
  m.history = HistoryTableFor(config, flags.run);
  STRATA_ASSIGN_OR_RETURN(m.lock, LockOptionsFor(config, flags.run));
  STRATA_ASSIGN_OR_RETURN(m.placeholders, PlaceholderSettingsFor(config, flags.run));
  STRATA_ASSIGN_OR_RETURN(m.plan.ignore_migration_patterns,
                          migrations::IgnorePattern::ParseList(config.ignore_migration_patterns));
  m.validate_on_migrate = config.validate_on_migrate;
  m.mixed = config.mixed;
  m.schemas = SchemaSetupFor(config);
  m.flyway.installed_by = config.installed_by;
  m.flyway.group = config.group;
  STRATA_ASSIGN_OR_RETURN(migrations::Resolution resolution,
                          ResolveAndWarn(ctx.out(), ResolveOptionsFor(config, flags.run)));
  m.callbacks = resolution.callbacks;
  STRATA_ASSIGN_OR_RETURN(RunConnections c, ConnectForRun(ctx, false, "verify-undo", m.history));
  db::Connection& conn = *c.conn;
  const StopRunOnSignals stop({c.conn.get(), c.lock_conn.get()});
  m.lock.stop = stop.stop_requested();
  m.lock.on_orphans = OrphanWaitWarnings(ctx.out(), conn.dialect());
  std::unique_ptr<migrations::JobStepRunner> jobs = MakeJobStepRunner(ctx);
  m.jobs = jobs.get();
  STRATA_TRY(CheckScratch(conn, config, m.history, flags.force));

  options.on_verdict = [&ctx, &flags](const UndoVerification& v) {
    PrintVerdict(ctx.out(), v, flags.allow_missing_undo);
  };
  STRATA_ASSIGN_OR_RETURN(
      migrations::VerifyUndoResult result,
      stop.Checked(migrations::VerifyUndo(conn, c.lock_connection(), resolution.migrations, options,
                                          SchemaReaderFor(conn, config, m.history))));

  nlohmann::json verdicts = nlohmann::json::array();
  std::size_t ok = 0;
  std::vector<std::string> failures;
  for (const UndoVerification& v : result.migrations) {
    verdicts.push_back(VerdictJson(v));
    if (v.check == UndoCheck::kOk) ++ok;
    if (IsFailure(v.check, flags.allow_missing_undo)) {
      failures.push_back(
          fmt::format("version {} {}", v.version.ToString(), migrations::UndoCheckName(v.check)));
    }
  }
  const std::size_t not_verified = result.not_verified;
  ctx.out().Json({{"target", conn.display_url()},
                  {"history_table", m.history.table},
                  {"from", VersionJson(options.from)},
                  {"to", VersionJson(options.to)},
                  {"allow_missing_undo", flags.allow_missing_undo},
                  {"migrations", std::move(verdicts)},
                  {"ok", ok},
                  {"failed", failures.size()},
                  {"not_verified", not_verified},
                  {"passed", failures.empty()}});
  const std::string tail =
      not_verified == 0 ? std::string() : fmt::format(", {} not verified after it", not_verified);
  if (!failures.empty()) {
    const bool missing =
        std::any_of(result.migrations.begin(), result.migrations.end(),
                    [](const UndoVerification& v) { return v.check == UndoCheck::kNoUndo; });
    return Err(
        ErrorCode::kValidation,
        fmt::format("verify-undo: {} of {} migrations failed the round trip ({}){}; fix "
                    "the U scripts{}",
                    failures.size(), result.migrations.size(), fmt::join(failures, ", "), tail,
                    missing ? " (or pass --allow-missing-undo to accept migrations "
                              "without one)"
                            : ""));
  }
  ctx.out().Line(
      fmt::format("verify-undo on {}: {} of {} migrations round-trip: undo restores "
                  "the schema and the migration applies again",
                  conn.display_url(), ok, result.migrations.size()));
  return Ok();
}

}  // namespace

void RegisterVerifyUndoCommands(CLI::App& app, CommandTable& table) {
  auto flags = std::make_shared<VerifyUndoFlags>();
  CLI::App* cmd = app.add_subcommand(
      "verify-undo",
      "On a scratch database: migrate each versioned migration, undo it, check the schema is "
      "back as before, migrate it again and check the schema is as after it");
  cmd->add_option("--locations", flags->run.locations,
                  "Directories holding migrations, searched recursively (default: migrations/ "
                  "beside strata.toml)")
      ->delimiter(',');
  cmd->add_option("--table", flags->run.table, "History table (default strata_schema_history)");
  cmd->add_option("--schema", flags->run.schema,
                  "Schema of the history table (default: current schema)");
  cmd->add_option("--lock-timeout", flags->run.lock_timeout,
                  "How long to wait for another runner's lock (default 10m)");
  cmd->add_option("-p,--placeholder", flags->run.placeholders,
                  "NAME=VALUE for ${NAME} in SQL scripts (repeatable)");
  cmd->add_option("--from", flags->from,
                  "Verify versions from this one (those below are only migrated; default: the "
                  "first)");
  cmd->add_option("--to", flags->to,
                  "Verify versions up to this one (those above are not migrated; default: the "
                  "last)");
  cmd->add_flag("--force", flags->force,
                "Run even though the database is not empty (it is migrated and undone: never "
                "point this at a database you care about)");
  cmd->add_flag("--allow-missing-undo", flags->allow_missing_undo,
                "A migration without a U script is reported, not a failure");
  table.Add(cmd, [flags](Context& ctx) { return RunVerifyUndo(ctx, *flags); });
}

}  // namespace strata::cli
