// `strata migrate`, `strata info`, `strata validate`: the Flyway-compatible migration commands.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <future>
#include <memory>

#include "base/duration.h"
#include "cli/command.h"
#include "cli/flyway_settings.h"
#include "cli/job_steps.h"
#include "cli/lint_commands.h"
#include "cli/run_support.h"
#include "cli/stop_signals.h"
#include "migrations/callbacks.h"
#include "migrations/migrator.h"
#include "migrations/progress.h"
#include "migrations/resolver.h"
#include "migrations/sum.h"

namespace strata::cli {
namespace {

using migrations::Plan;
using migrations::PlanEntry;

// ---- Flags and settings ----------------------------------------------------------------------

// Flags shared by the migration commands; each overrides its strata.toml key.
struct MigrationFlags {
  // --locations, --table, --schema, -p; --lock-timeout, --dry-run and --dry-run-output for
  // migrate and baseline.
  RunFlags run;
  std::optional<std::string> target;                // --target
  bool out_of_order = false;                        // --out-of-order
  std::optional<std::string> baseline_version;      // --baseline-version (baseline)
  std::optional<std::string> baseline_description;  // --baseline-description (baseline)
};

void AddMigrationFlags(CLI::App* cmd, MigrationFlags& f) {
  cmd->add_option("--locations", f.run.locations,
                  "Directories holding migrations, searched recursively (default: migrations/ "
                  "beside strata.toml)")
      ->delimiter(',');
  cmd->add_option("--table", f.run.table, "History table (default strata_schema_history)");
  cmd->add_option("--schema", f.run.schema,
                  "Schema of the history table (default: current schema)");
  cmd->add_option("--target", f.target,
                  "Migrate up to: latest (default), current, next, or a "
                  "version");
  cmd->add_flag("--out-of-order", f.out_of_order,
                "Apply pending versions below the current version instead of ignoring them");
  cmd->add_option("-p,--placeholder", f.run.placeholders,
                  "NAME=VALUE for ${NAME} in SQL scripts (repeatable; overrides [placeholders] "
                  "and STRATA_PLACEHOLDERS_<NAME>)");
}

// migrate and baseline.
void AddDryRunFlags(CLI::App* cmd, MigrationFlags& f) {
  cmd->add_flag("--dry-run", f.run.dry_run,
                "Print the SQL that would run, in order, and change nothing (not even the "
                "history table)");
  cmd->add_option("--dry-run-output", f.run.dry_run_output,
                  "Write the dry run's SQL to FILE instead of stdout (implies --dry-run; on a "
                  "fleet, {target} in FILE is each target's name)");
}

// migrate and baseline.
void AddLockTimeoutFlag(CLI::App* cmd, MigrationFlags& f) {
  cmd->add_option("--lock-timeout", f.run.lock_timeout,
                  "How long to wait for another runner's lock (default 10m)");
  AddCancelOrphansFlag(cmd, f.run);
}

struct Settings {
  migrations::ResolveOptions resolve;
  migrations::HistoryTableName history;
  migrations::PlanOptions plan;
  migrations::LockOptions lock;
  bool validate_on_migrate = true;
  bool mixed = false;
  migrations::PlaceholderSettings placeholders;
  bool baseline_on_migrate = false;
  migrations::BaselineSettings baseline;
  migrations::SchemaSetup schemas;       // default_schema, schemas, create_schemas
  migrations::FlywayRunSettings flyway;  // installed_by, cherry_pick, skip_executing_..., group
};

Result<migrations::BaselineSettings> BaselineFor(const Config& config, const MigrationFlags& f) {
  migrations::BaselineSettings b;
  const std::string version = f.baseline_version.value_or(config.baseline_version);
  auto parsed = migrations::Version::Parse(version);
  if (!parsed) {
    // The parser's message already quotes the text: say only where it came from.
    return Err(
        ErrorCode::kInvalidArgument,
        fmt::format("{}: {}",
                    f.baseline_version ? "--baseline-version" : config.Describe("baseline_version"),
                    parsed.error().message));
  }
  b.version = std::move(*parsed);
  b.description = f.baseline_description.value_or(config.baseline_description);
  return b;
}

Result<Settings> SettingsFor(const Config& config, const MigrationFlags& f) {
  Settings s;
  s.resolve = ResolveOptionsFor(config, f.run);
  s.history = HistoryTableFor(config, f.run);
  auto target = migrations::Target::Parse(f.target.value_or(config.target));
  if (!target) {
    return std::move(target).error().WithContext(f.target ? "--target" : config.Describe("target"));
  }
  s.plan.target = std::move(*target);
  s.plan.out_of_order = f.out_of_order || config.out_of_order;
  STRATA_ASSIGN_OR_RETURN(s.plan.ignore_migration_patterns,
                          migrations::IgnorePattern::ParseList(config.ignore_migration_patterns));
  STRATA_ASSIGN_OR_RETURN(s.lock, LockOptionsFor(config, f.run));
  s.validate_on_migrate = config.validate_on_migrate;
  s.mixed = config.mixed;
  STRATA_ASSIGN_OR_RETURN(s.placeholders, PlaceholderSettingsFor(config, f.run));
  s.baseline_on_migrate = config.baseline_on_migrate;
  STRATA_ASSIGN_OR_RETURN(s.baseline, BaselineFor(config, f));
  s.schemas = SchemaSetupFor(config);
  s.flyway.installed_by = config.installed_by;
  s.flyway.cherry_pick = config.cherry_pick;
  s.flyway.skip_executing_migrations = config.skip_executing_migrations;
  s.flyway.group = config.group;
  return s;
}

// ---- migrate and baseline --------------------------------------------------------------------

// A migration `migrate` applied (or, in a dry run, would apply) as its --json document lists it.
nlohmann::json AppliedJson(const migrations::AppliedMigration& m) {
  nlohmann::json j = {{"version", VersionJson(m.version)},
                      {"description", m.description},
                      {"type", JsonName(migrations::MigrationTypeName(m.type))},
                      {"script", m.script},
                      {"execution_time_ms", m.duration.count()}};
  if (m.job) {
    j["job"] = {{"run_no", m.job->run_no},
                {"resumed", m.job->resumed},
                {"rows_written", m.job->rows_written},
                {"rows_present", m.job->rows_present}};
  }
  return j;
}

// Renders progress of a run: a line per migration on a terminal, lock waits as warnings. Keeps
// the migrations applied so far, for the --json document of a run that fails part way: what
// committed before the failure stays committed, and a pipeline must be able to tell.
class CliMigrateListener : public migrations::MigrateListener {
 public:
  explicit CliMigrateListener(Output& out) : out_(out), lock_waits_(LockWaitWarnings(out)) {}
  void OnLockWait(const std::string& holder, std::chrono::milliseconds waited) override {
    lock_waits_(holder, waited);
  }
  void OnMigrationApplied(const migrations::AppliedMigration& m) override {
    const std::string what =
        m.version ? fmt::format("version {}", m.version->ToString()) : std::string("repeatable");
    out_.Line(fmt::format("{} {} - {} ({})", out_.Green("applied"), what, m.description,
                          FormatDuration(m.duration)));
    applied_.push_back(AppliedJson(m));
  }
  void OnMigrationStart(const migrations::ResolvedMigration& m) override {
    // A job step can run for hours: say which one is running before its progress bar.
    if (m.kind != migrations::MigrationKind::kJob) return;
    out_.Line(
        fmt::format("running job step version {} - {}", m.version->ToString(), m.description));
  }

  // The migrations applied so far, as AppliedJson lists them.
  const nlohmann::json& applied() const { return applied_; }

 private:
  Output& out_;
  migrations::LockWaitListener lock_waits_;
  nlohmann::json applied_ = nlohmann::json::array();
};

void PrintMigrateSummary(Context& ctx, const MigrationFlags& flags, const db::Connection& conn,
                         const migrations::MigrateResult& result) {
  if (flags.run.DryRun()) {
    // On stdout the summary follows the SQL, so it is an SQL comment too.
    ctx.out().Line(fmt::format("{}dry run: {} migration{} would be applied to {}{}",
                               flags.run.dry_run_output ? "" : "-- ", result.applied.size(),
                               result.applied.size() == 1 ? "" : "s", conn.display_url(),
                               result.baselined ? ", after a baseline row" : ""));
  } else if (result.applied.empty()) {
    ctx.out().Line(fmt::format("{} is up to date at version {}", conn.display_url(),
                               VersionText(result.final_version)));
  } else {
    ctx.out().Line(fmt::format("migrated {} from version {} to {}: {} migration{} applied",
                               conn.display_url(), VersionText(result.initial_version),
                               VersionText(result.final_version), result.applied.size(),
                               result.applied.size() == 1 ? "" : "s"));
  }
}

Status RunMigrate(Context& ctx, const MigrationFlags& flags) {
  const bool dry_run = flags.run.DryRun();
  STRATA_ASSIGN_OR_RETURN(Settings s, SettingsFor(ctx.config(), flags));
  STRATA_TRY(migrations::VerifySumFiles(s.resolve.locations));  // strata.sum, when present
  if (ctx.config().lint_on_migrate) STRATA_TRY(LintBeforeMigrate(ctx, flags.run));
  STRATA_ASSIGN_OR_RETURN(migrations::Resolution resolution, ResolveAndWarn(ctx.out(), s.resolve));
  STRATA_ASSIGN_OR_RETURN(RunConnections c, ConnectForRun(ctx, dry_run, "migrate", s.history));
  db::Connection& conn = *c.conn;
  const StopRunOnSignals stop({c.conn.get(), c.lock_conn.get()});
  s.lock.stop = stop.stop_requested();
  s.lock.on_orphans = OrphanWaitWarnings(ctx.out(), conn.dialect());
  migrations::MigrateOptions options;
  options.history = s.history;
  options.plan = s.plan;
  options.lock = s.lock;
  options.validate_on_migrate = s.validate_on_migrate;
  options.mixed = s.mixed;
  options.placeholders = s.placeholders;
  options.callbacks = std::move(resolution.callbacks);
  options.baseline_on_migrate = s.baseline_on_migrate;
  options.baseline = s.baseline;
  options.dry_run = dry_run;
  std::unique_ptr<migrations::JobStepRunner> jobs = MakeJobStepRunner(ctx);
  options.jobs = jobs.get();
  options.schemas = s.schemas;
  options.flyway = s.flyway;
  CliMigrateListener listener(ctx.out());
  Result<migrations::MigrateResult> migrated = stop.Checked(migrations::Migrate(
      conn, c.lock_connection(), std::move(resolution.migrations), options, listener));
  nlohmann::json doc = {{"target", conn.display_url()}, {"dry_run", dry_run}};
  if (!migrated) {
    // The document of a failed run still lists what was applied before the failure.
    doc["migrations_executed"] = dry_run ? 0 : listener.applied().size();
    doc[dry_run ? "would_apply" : "applied"] = listener.applied();
    ctx.out().Json(doc);
    return std::move(migrated).error();
  }
  const migrations::MigrateResult& result = *migrated;
  if (result.baselined && !dry_run) {
    // Said in text too: the BASELINE row marks every migration up to it as applied.
    ctx.out().Line(fmt::format(
        "baselined {} at version {} (baseline_on_migrate: its schema had objects but no history "
        "table): migrations up to it count as applied",
        conn.display_url(), s.baseline.version.ToString()));
  }
  if (dry_run) STRATA_TRY(EmitDryRun(ctx, flags.run, "migrate", conn, result.dry_run_sql, doc));
  PrintMigrateSummary(ctx, flags, conn, result);
  nlohmann::json applied = nlohmann::json::array();
  for (const auto& m : result.applied) applied.push_back(AppliedJson(m));
  doc["initial_version"] = VersionJson(result.initial_version);
  doc["final_version"] = VersionJson(result.final_version);
  doc["migrations_executed"] = dry_run ? 0 : result.applied.size();
  doc[dry_run ? "would_apply" : "applied"] = applied;
  doc["baselined"] = result.baselined;
  doc["lock"] = result.lock;
  doc["warnings"] = nlohmann::json::array();
  ctx.out().Json(doc);
  return Ok();
}

Status RunBaseline(Context& ctx, const MigrationFlags& flags) {
  const bool dry_run = flags.run.DryRun();
  STRATA_ASSIGN_OR_RETURN(Settings s, SettingsFor(ctx.config(), flags));
  STRATA_ASSIGN_OR_RETURN(migrations::Resolution resolution, ResolveAndWarn(ctx.out(), s.resolve));
  STRATA_ASSIGN_OR_RETURN(RunConnections c, ConnectForRun(ctx, dry_run, "baseline", s.history));
  db::Connection& conn = *c.conn;
  const StopRunOnSignals stop({c.conn.get(), c.lock_conn.get()});
  s.lock.stop = stop.stop_requested();
  s.lock.on_orphans = OrphanWaitWarnings(ctx.out(), conn.dialect());
  migrations::BaselineOptions options;
  options.history = s.history;
  options.installed_by = s.flyway.installed_by;
  options.baseline = s.baseline;
  options.lock = s.lock;
  options.placeholders = s.placeholders;
  options.callbacks = std::move(resolution.callbacks);
  options.dry_run = dry_run;
  options.schemas = s.schemas;
  CliMigrateListener listener(ctx.out());
  STRATA_ASSIGN_OR_RETURN(
      migrations::BaselineResult result,
      stop.Checked(migrations::Baseline(conn, c.lock_connection(), options, listener)));
  nlohmann::json doc = {{"dry_run", dry_run}};
  const std::string version = s.baseline.version.ToString();
  if (dry_run) {
    STRATA_TRY(EmitDryRun(ctx, flags.run, "baseline", conn, result.dry_run_sql, doc));
  } else if (result.already_baselined) {
    ctx.out().Line(fmt::format("{} is already baselined at version {}; nothing to do",
                               conn.display_url(), version));
  } else {
    ctx.out().Line(
        fmt::format("baselined {} at version {} ({}): migrations up to it count as "
                    "applied",
                    conn.display_url(), version, s.baseline.description));
  }
  doc["target"] = conn.display_url();
  doc["baseline_version"] = version;
  doc["baseline_description"] = s.baseline.description;
  doc["already_baselined"] = result.already_baselined;
  doc["lock"] = result.lock;
  ctx.out().Json(doc);
  return Ok();
}

// ---- info and validate -----------------------------------------------------------------------

// Resolving the files (reading and checksumming every one) and connecting (which on SQLite
// parses the whole schema) are independent, and at 10,000 migrations each takes tens of
// milliseconds: they run at the same time when a thread is available. A problem with the files
// is reported before a failed connection, as if they ran in turn.
// What info and validate show: the plan, and the scripts an earlier run left partly applied
// (migrations/progress.h).
struct Inspection {
  Plan plan;
  std::vector<migrations::PartialScript> partials;
};

// `command` ("info", "validate") names the connection's runner label (db/runner.h), as every
// strata connection is named in pg_stat_activity / PROCESSLIST; orphan detection ignores it.
Result<Inspection> InspectFor(Context& ctx, const Settings& s, std::string_view command) {
  std::future<Result<migrations::Resolution>> resolving =
      std::async(std::launch::async | std::launch::deferred,
                 [&s] { return migrations::ResolveMigrations(s.resolve); });
  Result<std::unique_ptr<db::Connection>> conn = ConnectAsRunner(ctx, command, s.history);
  STRATA_ASSIGN_OR_RETURN(migrations::Resolution resolution, resolving.get());
  WarnAboutSkippedFiles(ctx.out(), resolution);
  // A callback strata never runs is refused here too, as by every command that runs callbacks.
  STRATA_TRY(migrations::Callbacks(resolution.callbacks).CheckSupported());
  if (!conn) return std::move(conn).error();
  Inspection inspection;
  STRATA_ASSIGN_OR_RETURN(inspection.plan,
                          migrations::Inspect(**conn, std::move(resolution.migrations), s.history,
                                              s.plan, s.placeholders));
  STRATA_ASSIGN_OR_RETURN(inspection.partials, migrations::ReadPartialScripts(**conn, s.history));
  return inspection;
}

// The in-flight state of info --json and validate --json: one object per partial script.
nlohmann::json PartialsJson(const std::vector<migrations::PartialScript>& partials) {
  nlohmann::json list = nlohmann::json::array();
  for (const migrations::PartialScript& p : partials) {
    nlohmann::json stopped = nullptr;
    if (p.stopped) {
      const migrations::StatementRecord& r = *p.stopped;
      stopped = {{"number", r.number},
                 {"line", r.line},
                 {"state", migrations::StatementStateName(r.state)},
                 {"connection_id", r.connection_id.empty() ? nlohmann::json(nullptr)
                                                           : nlohmann::json(r.connection_id)},
                 {"runner", r.runner},
                 {"error", r.error}};
    }
    list.push_back(
        {{"script", p.script},
         {"version", p.version ? nlohmann::json(*p.version) : nlohmann::json(nullptr)},
         {"checksum", p.checksum ? nlohmann::json(*p.checksum) : nlohmann::json(nullptr)},
         {"statement_count", p.statement_count},
         {"statements_done", p.statements_done},
         {"resume_at", p.resume_at()},
         {"statement", std::move(stopped)},
         {"runner_died", p.runner_died()},
         {"outcome", migrations::OutcomeName(p.outcome)},
         {"invalid_indexes", p.invalid_indexes},
         {"message", p.Describe()},
         {"next_step", p.NextStep()}});
  }
  return list;
}

// One line per partial script, and one per INVALID index it left.
std::vector<std::string> PartialLines(const std::vector<migrations::PartialScript>& partials) {
  std::vector<std::string> lines;
  for (const migrations::PartialScript& p : partials) {
    lines.push_back(fmt::format("partly applied: {}; {}", p.Describe(), p.NextStep()));
    for (const std::string& index : p.invalid_indexes) {
      lines.push_back(fmt::format(
          "INVALID index {} left by {} (statement {}): it is not used by queries but slows every "
          "write; strata migrate drops it concurrently and builds it again",
          index, p.script, p.stopped ? p.stopped->number : p.resume_at()));
    }
  }
  return lines;
}

std::string ChecksumAgreement(const PlanEntry& e) {
  if (!e.applied || !e.resolved) return "";
  return e.resolved->ChecksumMatches(e.applied->checksum) ? "match" : "DIFFERS";
}

// The "checksum_match" of an info entry: whether the file's checksum matches the applied one,
// null when there is not both a file and a history row to compare.
nlohmann::json ChecksumMatchJson(const PlanEntry& e) {
  if (!e.applied || !e.resolved) return nullptr;
  return e.resolved->ChecksumMatches(e.applied->checksum);
}

// The --json document of `info`. Built only when asked for: at 10,000 migrations it costs more
// than reading them.
nlohmann::json InfoJson(const Plan& plan) {
  nlohmann::json list = nlohmann::json::array();
  list.get_ref<nlohmann::json::array_t&>().reserve(plan.entries.size());
  for (const PlanEntry& e : plan.entries) {
    nlohmann::json& j = list.emplace_back(nlohmann::json::object());
    j["category"] =
        e.category().empty() ? nlohmann::json(nullptr) : nlohmann::json(JsonName(e.category()));
    j["version"] = VersionJson(e.version());
    j["description"] = e.description();
    j["type"] = JsonName(migrations::MigrationTypeName(e.type()));
    j["script"] = e.script();
    j["state"] = JsonName(migrations::MigrationStateName(e.state));
    j["installed_on"] = e.applied ? nlohmann::json(e.applied->installed_on) : nullptr;
    j["checksum"] = e.checksum() ? nlohmann::json(*e.checksum()) : nullptr;
    j["checksum_match"] = ChecksumMatchJson(e);
    if (e.applied) j["execution_time_ms"] = e.applied->execution_time;
  }
  nlohmann::json doc = nlohmann::json::object();
  doc["current_version"] = VersionJson(plan.current_version);
  doc["migrations"] = std::move(list);
  return doc;
}

void PrintInfoTable(Output& out, const Plan& plan) {
  out.Line(fmt::format("current version: {}", VersionText(plan.current_version)));
  std::vector<std::vector<std::string>> rows;
  rows.reserve(plan.entries.size());
  for (const PlanEntry& e : plan.entries) {
    rows.push_back({std::string(e.category()), e.version() ? e.version()->ToString() : "",
                    e.description(), std::string(migrations::MigrationTypeName(e.type())),
                    e.applied ? e.applied->installed_on : "",
                    std::string(migrations::MigrationStateName(e.state)), ChecksumAgreement(e)});
  }
  out.Table({"Category", "Version", "Description", "Type", "Installed On", "State", "Checksum"},
            rows);
}

Status RunInfo(Context& ctx, const MigrationFlags& flags) {
  STRATA_ASSIGN_OR_RETURN(Settings s, SettingsFor(ctx.config(), flags));
  STRATA_ASSIGN_OR_RETURN(Inspection inspection, InspectFor(ctx, s, "info"));
  if (ctx.out().json()) {
    nlohmann::json doc = InfoJson(inspection.plan);
    doc["partial"] = PartialsJson(inspection.partials);
    ctx.out().Json(doc);
  } else {
    PrintInfoTable(ctx.out(), inspection.plan);
    for (const std::string& line : PartialLines(inspection.partials)) ctx.out().Line(line);
  }
  return Ok();
}

// Every job step is checked as migrate checks it, so a CI's validate catches an unknown job or
// a bad parameter in a pending step before a release pipeline runs it.
Status CheckJobSteps(Context& ctx, const Plan& plan) {
  const std::unique_ptr<migrations::JobStepRunner> jobs = MakeJobStepRunner(ctx);
  for (const PlanEntry& e : plan.entries) {
    if (!e.resolved || e.resolved->kind != migrations::MigrationKind::kJob) continue;
    STRATA_TRY(migrations::ReadCheckedJobStep(e.resolved->path, *jobs));
  }
  return Ok();
}

// A validation problem as `validate --json` lists it: {"version" (null for repeatables),
// "script", "kind" (snake_case), "message"}.
nlohmann::json ProblemJson(const Plan& plan, const migrations::ValidationProblem& p) {
  nlohmann::json j = {{"version", nullptr},
                      {"script", nullptr},
                      {"kind", JsonName(migrations::ProblemKindName(p.kind))},
                      {"message", p.message}};
  if (p.entry < plan.entries.size()) {
    const PlanEntry& e = plan.entries[p.entry];
    j["version"] = VersionJson(e.version());
    j["script"] = e.script();
  }
  return j;
}

Status RunValidate(Context& ctx, const MigrationFlags& flags) {
  STRATA_ASSIGN_OR_RETURN(Settings s, SettingsFor(ctx.config(), flags));
  STRATA_TRY(migrations::VerifySumFiles(s.resolve.locations));  // strata.sum, when present
  STRATA_ASSIGN_OR_RETURN(Inspection inspection, InspectFor(ctx, s, "validate"));
  const Plan& plan = inspection.plan;
  STRATA_TRY(CheckJobSteps(ctx, plan));
  if (!ctx.out().json()) {
    for (const std::string& line : PartialLines(inspection.partials)) ctx.out().Warning(line);
  }
  if (ctx.out().json()) {
    nlohmann::json problems = nlohmann::json::array();
    for (const auto& p : plan.problems) problems.push_back(ProblemJson(plan, p));
    ctx.out().Json({{"valid", plan.problems.empty()},
                    {"migrations", plan.entries.size()},
                    {"problems", std::move(problems)},
                    {"partial", PartialsJson(inspection.partials)}});
  }
  STRATA_TRY(migrations::ValidationStatus(plan));
  ctx.out().Line(fmt::format("validated {} migrations: no problems", plan.entries.size()));
  return Ok();
}

}  // namespace

void RegisterMigrateCommands(CLI::App& app, CommandTable& table) {
  auto migrate_flags = std::make_shared<MigrationFlags>();
  CLI::App* migrate = app.add_subcommand(
      "migrate", "Apply pending migrations, under a lock, each with its history row");
  AddMigrationFlags(migrate, *migrate_flags);
  AddDryRunFlags(migrate, *migrate_flags);
  AddLockTimeoutFlag(migrate, *migrate_flags);
  table.Add(migrate, [migrate_flags](Context& ctx) { return RunMigrate(ctx, *migrate_flags); });

  auto baseline_flags = std::make_shared<MigrationFlags>();
  CLI::App* baseline = app.add_subcommand(
      "baseline",
      "Adopt an existing database: record a baseline row so that migrations up to the baseline "
      "version count as applied (refused when the history has rows, exit 3)");
  AddMigrationFlags(baseline, *baseline_flags);
  AddDryRunFlags(baseline, *baseline_flags);
  baseline->add_option("--baseline-version", baseline_flags->baseline_version,
                       "Version to baseline at (default: baseline_version, else 1)");
  baseline->add_option("--baseline-description", baseline_flags->baseline_description,
                       "Description of the baseline row (default: << Flyway Baseline >>)");
  AddLockTimeoutFlag(baseline, *baseline_flags);
  table.Add(baseline, [baseline_flags](Context& ctx) { return RunBaseline(ctx, *baseline_flags); });

  auto info_flags = std::make_shared<MigrationFlags>();
  CLI::App* info = app.add_subcommand("info", "Show every migration and its state");
  AddMigrationFlags(info, *info_flags);
  table.Add(info, [info_flags](Context& ctx) { return RunInfo(ctx, *info_flags); });

  auto validate_flags = std::make_shared<MigrationFlags>();
  CLI::App* validate = app.add_subcommand(
      "validate", "Check applied migrations against their files (exit 3 on problems)");
  AddMigrationFlags(validate, *validate_flags);
  table.Add(validate, [validate_flags](Context& ctx) { return RunValidate(ctx, *validate_flags); });
}

}  // namespace strata::cli
