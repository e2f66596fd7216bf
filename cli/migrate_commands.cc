// `strata migrate`, `strata info`, `strata validate`: the Flyway-compatible migration commands.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <future>
#include <memory>

#include "base/duration.h"
#include "cli/command.h"
#include "migrations/migrator.h"
#include "migrations/resolver.h"

namespace strata::cli {
namespace {

using migrations::Plan;
using migrations::PlanEntry;

// Flags shared by the migration commands; each overrides its strata.toml key.
struct MigrationFlags {
  std::vector<std::string> locations;       // --locations DIR[,DIR...]
  std::optional<std::string> table;         // --table
  std::optional<std::string> schema;        // --schema
  std::optional<std::string> target;        // --target
  std::optional<std::string> lock_timeout;  // --lock-timeout
  bool out_of_order = false;                // --out-of-order
};

void AddMigrationFlags(CLI::App* cmd, MigrationFlags& f) {
  cmd->add_option("--locations", f.locations,
                  "Directories holding migrations, searched recursively (default: migrations/ "
                  "beside strata.toml)")
      ->delimiter(',');
  cmd->add_option("--table", f.table, "History table (default strata_schema_history)");
  cmd->add_option("--schema", f.schema, "Schema of the history table (default: current schema)");
  cmd->add_option("--target", f.target,
                  "Migrate up to: latest (default), current, next, or a "
                  "version");
  cmd->add_flag("--out-of-order", f.out_of_order,
                "Apply pending versions below the current version instead of ignoring them");
}

struct Settings {
  migrations::ResolveOptions resolve;
  migrations::HistoryTableName history;
  migrations::PlanOptions plan;
  migrations::LockOptions lock;
  bool validate_on_migrate = true;
  bool mixed = false;
};

Result<Settings> SettingsFor(const Config& config, const MigrationFlags& f) {
  Settings s;
  const std::vector<std::string>& locations = f.locations.empty() ? config.locations : f.locations;
  for (const std::string& l : locations) s.resolve.locations.emplace_back(l);
  s.history.table = f.table.value_or(config.table);
  s.history.schema = f.schema.value_or(config.schema);
  STRATA_ASSIGN_OR_RETURN(s.plan.target,
                          migrations::Target::Parse(f.target.value_or(config.target)));
  s.plan.out_of_order = f.out_of_order || config.out_of_order;
  STRATA_ASSIGN_OR_RETURN(s.plan.ignore_migration_patterns,
                          migrations::IgnorePattern::ParseList(config.ignore_migration_patterns));
  STRATA_ASSIGN_OR_RETURN(s.lock.timeout,
                          ParseDuration(f.lock_timeout.value_or(config.lock_timeout)));
  s.validate_on_migrate = config.validate_on_migrate;
  s.mixed = config.mixed;
  return s;
}

std::string VersionText(const std::optional<migrations::Version>& v) {
  return v ? v->ToString() : "<none>";
}

nlohmann::json VersionJson(const std::optional<migrations::Version>& v) {
  return v ? nlohmann::json(v->ToString()) : nlohmann::json(nullptr);
}

// Renders progress of a run: a line per migration on a terminal, lock waits as warnings.
class CliMigrateListener : public migrations::MigrateListener {
 public:
  explicit CliMigrateListener(Output& out) : out_(out) {}
  void OnLockWait(const std::string& holder, std::chrono::milliseconds waited) override {
    out_.Warning(fmt::format("waiting {} for the migration lock, held by {}",
                             FormatDuration(waited), holder));
  }
  void OnMigrationApplied(const migrations::AppliedMigration& m) override {
    const std::string what =
        m.version ? fmt::format("version {}", m.version->ToString()) : std::string("repeatable");
    out_.Line(fmt::format("{} {} - {} ({})", out_.Green("applied"), what, m.description,
                          FormatDuration(m.duration)));
  }

 private:
  Output& out_;
};

Result<std::unique_ptr<db::Connection>> LockConnection(const Context& ctx, db::Connection& conn) {
  if (conn.dialect() == db::Dialect::kSqlite) return std::unique_ptr<db::Connection>();
  return ctx.Connect();
}

Status RunMigrate(Context& ctx, const MigrationFlags& flags) {
  STRATA_ASSIGN_OR_RETURN(Settings s, SettingsFor(ctx.config(), flags));
  STRATA_ASSIGN_OR_RETURN(migrations::Resolution resolution,
                          migrations::ResolveMigrations(s.resolve));
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<db::Connection> conn, ctx.Connect());
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<db::Connection> lock_conn, LockConnection(ctx, *conn));
  migrations::MigrateOptions options;
  options.history = s.history;
  options.plan = s.plan;
  options.lock = s.lock;
  options.validate_on_migrate = s.validate_on_migrate;
  options.mixed = s.mixed;
  CliMigrateListener listener(ctx.out());
  STRATA_ASSIGN_OR_RETURN(migrations::MigrateResult result,
                          migrations::Migrate(*conn, lock_conn ? *lock_conn : *conn,
                                              std::move(resolution.migrations), options, listener));
  if (result.applied.empty()) {
    ctx.out().Line(fmt::format("{} is up to date at version {}", conn->display_url(),
                               VersionText(result.final_version)));
  } else {
    ctx.out().Line(fmt::format("migrated {} from version {} to {}: {} migration{} applied",
                               conn->display_url(), VersionText(result.initial_version),
                               VersionText(result.final_version), result.applied.size(),
                               result.applied.size() == 1 ? "" : "s"));
  }
  nlohmann::json applied = nlohmann::json::array();
  for (const auto& m : result.applied) {
    applied.push_back({{"version", VersionJson(m.version)},
                       {"description", m.description},
                       {"type", std::string(migrations::MigrationTypeName(m.type))},
                       {"script", m.script},
                       {"execution_time_ms", m.duration.count()}});
  }
  ctx.out().Json({{"target", conn->display_url()},
                  {"initial_version", VersionJson(result.initial_version)},
                  {"final_version", VersionJson(result.final_version)},
                  {"migrations_executed", result.applied.size()},
                  {"applied", applied},
                  {"lock", result.lock},
                  {"warnings", nlohmann::json::array()}});
  return Ok();
}

// Resolving the files (reading and checksumming every one) and connecting (which on SQLite
// parses the whole schema) are independent, and at 10,000 migrations each takes tens of
// milliseconds: they run at the same time when a thread is available. A problem with the files
// is reported before a failed connection, as if they ran in turn.
Result<Plan> InspectFor(const Context& ctx, const Settings& s) {
  std::future<Result<migrations::Resolution>> resolving =
      std::async(std::launch::async | std::launch::deferred,
                 [&s] { return migrations::ResolveMigrations(s.resolve); });
  Result<std::unique_ptr<db::Connection>> conn = ctx.Connect();
  STRATA_ASSIGN_OR_RETURN(migrations::Resolution resolution, resolving.get());
  if (!conn) return std::move(conn).error();
  return migrations::Inspect(**conn, std::move(resolution.migrations), s.history, s.plan);
}

std::string ChecksumAgreement(const PlanEntry& e) {
  if (!e.applied || !e.resolved) return "";
  return e.resolved->ChecksumMatches(e.applied->checksum) ? "match" : "DIFFERS";
}

// The --json document of `info`. Built only when asked for: at 10,000 migrations it costs more
// than reading them.
nlohmann::json InfoJson(const Plan& plan) {
  nlohmann::json list = nlohmann::json::array();
  list.get_ref<nlohmann::json::array_t&>().reserve(plan.entries.size());
  for (const PlanEntry& e : plan.entries) {
    nlohmann::json& j = list.emplace_back(nlohmann::json::object());
    j["category"] = e.category();
    j["version"] = VersionJson(e.version());
    j["description"] = e.description();
    j["type"] = migrations::MigrationTypeName(e.type());
    j["script"] = e.script();
    j["state"] = migrations::MigrationStateName(e.state);
    j["installed_on"] = e.applied ? nlohmann::json(e.applied->installed_on) : nullptr;
    j["checksum"] = e.checksum() ? nlohmann::json(*e.checksum()) : nullptr;
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
  STRATA_ASSIGN_OR_RETURN(Plan plan, InspectFor(ctx, s));
  if (ctx.out().json()) {
    ctx.out().Json(InfoJson(plan));
  } else {
    PrintInfoTable(ctx.out(), plan);
  }
  return Ok();
}

Status RunValidate(Context& ctx, const MigrationFlags& flags) {
  STRATA_ASSIGN_OR_RETURN(Settings s, SettingsFor(ctx.config(), flags));
  STRATA_ASSIGN_OR_RETURN(Plan plan, InspectFor(ctx, s));
  if (ctx.out().json()) {
    nlohmann::json problems = nlohmann::json::array();
    for (const auto& p : plan.problems) {
      problems.push_back({{"kind", migrations::ProblemKindName(p.kind)}, {"message", p.message}});
    }
    ctx.out().Json({{"valid", plan.problems.empty()},
                    {"migrations", plan.entries.size()},
                    {"problems", std::move(problems)}});
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
  migrate->add_option("--lock-timeout", migrate_flags->lock_timeout,
                      "How long to wait for another runner's lock (default 10m)");
  table.Add(migrate, [migrate_flags](Context& ctx) { return RunMigrate(ctx, *migrate_flags); });

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
