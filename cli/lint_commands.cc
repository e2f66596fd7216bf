// `strata lint`: the migrations that would lock or break production, before they run.
// By default the pending migrations of the target (which needs its history: a URL); with --all
// every migration file, offline. With a URL the target's table sizes and version weigh the
// findings (lint/linter.h).
#include "cli/lint_commands.h"

#include <fmt/format.h>

#include <charconv>
#include <filesystem>
#include <iostream>

#include "base/file.h"
#include "base/strings.h"
#include "cli/command.h"
#include "cli/lint_render.h"
#include "db/flavor/flavor.h"
#include "lint/linter.h"
#include "lint/online_ddl.h"
#include "migrations/migrator.h"
#include "migrations/placeholders.h"
#include "migrations/resolver.h"

namespace strata::cli {
namespace {

constexpr std::string_view kToolVersion = "0.1.0";

struct LintFlags {
  RunFlags run;         // --locations, --table, --schema, -p
  bool all = false;     // --all: every file, no history needed
  std::string format;   // --format text|json|github|sarif; default text (json with --json)
  std::string dialect;  // --dialect, offline without a URL; default postgresql
  // --server-version: the MariaDB/MySQL version assumed offline ("mariadb-10.6",
  // "mysql-8.0.29"); default [lint] server_version, else lint::kDefaultMyServer.
  std::string server_version;
};

// The engine of the scripts when there is no URL to tell: --dialect, else PostgreSQL.
Result<db::Dialect> DialectForOffline(const LintFlags& flags) {
  for (db::Dialect d : {db::Dialect::kPostgres, db::Dialect::kMariaDb, db::Dialect::kSqlite}) {
    if (flags.dialect.empty() || flags.dialect == db::DialectName(d)) return d;
  }
  return Err(ErrorCode::kInvalidArgument,
             fmt::format("--dialect {}: not postgresql, mariadb or sqlite", flags.dialect));
}

// ---- Settings --------------------------------------------------------------------------------

// "1000000 rows, 1 GiB", "5000000 rows", "20 GiB": the lint_large_table thresholds.
Status ParseLargeTable(std::string_view text, lint::JudgeOptions& judge) {
  const auto bad = [&] {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("lint_large_table '{}' is not '<n> rows', '<n> GiB' (B, KiB, MiB, GiB, "
                           "TiB) or both separated by a comma",
                           text));
  };
  judge.large_rows = INT64_MAX;
  judge.large_bytes = INT64_MAX;
  std::string_view rest = text;
  while (!rest.empty()) {
    const std::size_t comma = rest.find(',');
    const std::string_view part = Trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    std::int64_t n = 0;
    auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), n);
    if (ec != std::errc() || n < 0) return bad();
    const std::string_view unit = Trim(part.substr(static_cast<std::size_t>(ptr - part.data())));
    static const std::pair<std::string_view, int> kUnits[] = {
        {"b", 0}, {"kib", 10}, {"mib", 20}, {"gib", 30}, {"tib", 40}};
    if (unit.empty() || EqualsIgnoreCase(unit, "rows")) {
      judge.large_rows = n;
      continue;
    }
    bool known = false;
    for (const auto& [name, shift] : kUnits) {
      if (EqualsIgnoreCase(unit, name)) {
        judge.large_bytes = n << shift;
        known = true;
      }
    }
    if (!known) return bad();
  }
  return Ok();
}

Result<lint::JudgeOptions> JudgeOptionsFor(const Config& config) {
  lint::JudgeOptions judge;
  std::string large_table = config.lint_large_table;
  for (const auto& [key, value] : config.lint) {
    if (key == "large_table") {
      large_table = value;
      continue;
    }
    if (key == "on_migrate") continue;      // STRATA_LINT_ON_MIGRATE lands here too
    if (key == "server_version") continue;  // read by OfflineServer
    const lint::Rule* rule = lint::FindRule(key);
    if (rule == nullptr) {
      return Err(ErrorCode::kInvalidArgument,
                 fmt::format("[lint] {}: no such rule (see docs/lint.md for the rule ids)", key));
    }
    auto severity = lint::ParseSeverity(value);
    if (!severity) {
      return Err(ErrorCode::kInvalidArgument,
                 fmt::format("[lint] {} = \"{}\": a severity is \"error\", \"warning\" or \"off\"",
                             key, value));
    }
    judge.severities[std::string(rule->id)] = *severity;
  }
  STRATA_TRY(ParseLargeTable(large_table, judge));
  return judge;
}

// The MariaDB/MySQL server assumed without a URL: --server-version, else [lint]
// server_version, else the oldest MariaDB strata supports.
Result<lint::MyServer> OfflineServer(const Config& config, const LintFlags& flags) {
  std::string text = flags.server_version;
  std::string source = "--server-version";
  if (text.empty()) {
    if (auto it = config.lint.find("server_version"); it != config.lint.end()) {
      text = it->second;
      source = "[lint] server_version";
    }
  }
  if (text.empty()) return lint::kDefaultMyServer;
  auto server = lint::ParseMyServer(text);
  if (!server) {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("{} '{}' is not a MariaDB or MySQL version: write e.g. mariadb-10.6 or "
                           "mysql-8.0.29",
                           source, text));
  }
  return *server;
}

// ---- Which files -----------------------------------------------------------------------------

// The path findings name: relative to the working directory when under it (what CI
// annotations and SARIF expect), else as found.
std::string DisplayPath(const std::filesystem::path& path) {
  std::error_code ec;
  const std::filesystem::path relative =
      std::filesystem::relative(path, std::filesystem::current_path(), ec);
  if (ec || relative.empty() || *relative.begin() == "..") return path.string();
  return relative.string();
}

// Versioned, baseline and repeatable scripts: what migrate runs (undo scripts run only on
// undo, job steps are not SQL).
bool IsLinted(const migrations::ResolvedMigration& m) {
  return m.kind == migrations::MigrationKind::kVersioned ||
         m.kind == migrations::MigrationKind::kRepeatable ||
         m.kind == migrations::MigrationKind::kBaseline;
}

// The script's text with its ${placeholders} replaced when every one has a value; the raw
// text otherwise (the statements with one may then not parse: PG100).
Result<lint::SourceFile> ReadSource(const migrations::ResolvedMigration& m,
                                    const migrations::Placeholders& placeholders) {
  STRATA_ASSIGN_OR_RETURN(std::string text, ReadFile(m.path));
  lint::SourceFile file{DisplayPath(m.path), std::move(text)};
  if (placeholders.enabled() && file.text.find("${") != std::string::npos) {
    auto replaced = placeholders.Replace(file.text, file.name, m.path.filename().string());
    if (replaced) file.text = std::move(*replaced);
  }
  return file;
}

// The migrations to lint, in the order they would run.
Result<std::vector<migrations::ResolvedMigration>> Selected(
    Context& ctx, const LintFlags& flags, db::Connection* conn,
    const migrations::PlaceholderSettings& placeholder_settings) {
  STRATA_ASSIGN_OR_RETURN(
      migrations::Resolution resolution,
      migrations::ResolveMigrations(ResolveOptionsFor(ctx.config(), flags.run)));
  std::vector<migrations::ResolvedMigration> selected;
  if (flags.all) {
    for (auto& m : resolution.migrations) {
      if (IsLinted(m)) selected.push_back(std::move(m));
    }
    return selected;
  }
  migrations::PlanOptions plan_options;
  STRATA_ASSIGN_OR_RETURN(plan_options.target, migrations::Target::Parse(ctx.config().target));
  plan_options.out_of_order = ctx.config().out_of_order;
  STRATA_ASSIGN_OR_RETURN(migrations::Plan plan,
                          migrations::Inspect(*conn, std::move(resolution.migrations),
                                              HistoryTableFor(ctx.config(), flags.run),
                                              plan_options, placeholder_settings));
  for (std::size_t index : plan.to_apply) {
    auto& resolved = plan.entries[index].resolved;
    if (resolved && IsLinted(*resolved)) selected.push_back(std::move(*resolved));
  }
  return selected;
}

struct LintRun {
  std::vector<lint::Finding> findings;
  LintSummary summary;
};

// What lint weighs from one table's catalog row (db::Flavor::LintTableSizes).
lint::TableFacts LiveTableFacts(const db::Flavor::LintTableSize& size) {
  lint::TableFacts facts;
  facts.rows = size.rows;
  facts.bytes = size.bytes;
  facts.not_null_checked.insert(size.not_null_checked.begin(), size.not_null_checked.end());
  for (const std::string& index : size.indexes) {
    const std::size_t space = index.find(' ');
    if (space != std::string::npos) facts.indexes[index.substr(0, space)] = index.substr(space + 1);
  }
  return facts;
}

Result<LintRun> Lint(Context& ctx, const LintFlags& flags) {
  STRATA_ASSIGN_OR_RETURN(lint::JudgeOptions judge, JudgeOptionsFor(ctx.config()));
  if (!flags.all && ctx.config().url.empty()) {
    return Err(ErrorCode::kInvalidArgument,
               "lint checks the pending migrations, which needs the target's history: give "
               "--url (or STRATA_URL), or lint every file offline with --all");
  }
  STRATA_ASSIGN_OR_RETURN(migrations::PlaceholderSettings placeholder_settings,
                          PlaceholderSettingsFor(ctx.config(), flags.run));
  std::unique_ptr<db::Connection> conn;
  lint::AnalyzeOptions analyze;
  LintRun run;
  if (!ctx.config().url.empty()) {
    STRATA_ASSIGN_OR_RETURN(conn, ctx.Connect());
    analyze.dialect = conn->dialect();
    analyze.server_version = conn->server().version_number;
    analyze.mysql = conn->server().product == "MySQL";
  } else {
    STRATA_ASSIGN_OR_RETURN(analyze.dialect, DialectForOffline(flags));
    if (analyze.dialect == db::Dialect::kMariaDb) {
      STRATA_ASSIGN_OR_RETURN(const lint::MyServer server, OfflineServer(ctx.config(), flags));
      analyze.server_version = server.version;
      analyze.mysql = server.mysql;
      run.summary.server_assumed = true;
    }
  }
  if (analyze.dialect == db::Dialect::kMariaDb) {
    run.summary.server = lint::MyServerName({analyze.mysql, analyze.server_version});
  }
  STRATA_ASSIGN_OR_RETURN(auto selected, Selected(ctx, flags, conn.get(), placeholder_settings));
  const migrations::Placeholders placeholders(placeholder_settings.enabled,
                                              placeholder_settings.values, {});
  std::vector<lint::SourceFile> files;
  files.reserve(selected.size());
  for (const auto& m : selected) {
    STRATA_ASSIGN_OR_RETURN(lint::SourceFile file, ReadSource(m, placeholders));
    files.push_back(std::move(file));
  }
  lint::Analysis analysis = lint::Analyze(files, analyze);
  lint::LiveFacts live;
  run.summary.files = files.size();
  if (conn) {
    const std::vector<std::string> tables(analysis.tables.begin(), analysis.tables.end());
    STRATA_ASSIGN_OR_RETURN(auto sizes, db::FlavorOf(*conn).LintTableSizes(*conn, tables));
    for (auto& size : sizes) live.tables[size.name] = LiveTableFacts(size);
    judge.live = &live;
    run.summary.target = conn->display_url();
  }
  run.findings = lint::Judge(std::move(analysis.findings), judge);
  return run;
}

Status Outcome(const LintRun& run) {
  if (!lint::HasErrors(run.findings)) return Ok();
  std::size_t errors = 0;
  for (const lint::Finding& f : run.findings) {
    if (!f.suppressed && f.severity == lint::Severity::kError) ++errors;
  }
  return Err(ErrorCode::kValidation,
             fmt::format("lint found {} error{}: fix them, or suppress one with "
                         "`-- strata:lint-ignore RULE reason` above its statement",
                         errors, errors == 1 ? "" : "s"));
}

Status RunLint(Context& ctx, const LintFlags& flags) {
  std::string format = flags.format.empty() ? (ctx.out().json() ? "json" : "text") : flags.format;
  STRATA_ASSIGN_OR_RETURN(LintRun run, Lint(ctx, flags));
  if (format == "json" || ctx.out().json()) {
    ctx.out().Json(RenderLintJson(run.findings, run.summary));
  } else if (format == "sarif") {
    ctx.out().Line(RenderLintSarif(run.findings, kToolVersion).dump(2));
  } else if (format == "github") {
    std::string text = RenderLintGithub(run.findings);
    if (!text.empty() && text.back() == '\n') text.pop_back();
    if (!text.empty()) ctx.out().Line(text);
  } else {
    ctx.out().Line(RenderLintText(run.findings, run.summary));
  }
  return Outcome(run);
}

}  // namespace

Status LintBeforeMigrate(Context& ctx, const RunFlags& flags) {
  LintFlags lint_flags;
  lint_flags.run = flags;
  STRATA_ASSIGN_OR_RETURN(LintRun run, Lint(ctx, lint_flags));
  if (!ctx.out().json()) ctx.out().Line(RenderLintText(run.findings, run.summary));
  STRATA_TRY(Outcome(run));
  return Ok();
}

void RegisterLintCommands(CLI::App& app, CommandTable& table) {
  auto flags = std::make_shared<LintFlags>();
  CLI::App* cmd = app.add_subcommand(
      "lint",
      "Find migrations that lock or break production (exit 3 on errors): the pending ones, or "
      "every file with --all");
  cmd->add_flag("--all", flags->all, "Lint every migration file, offline (no URL needed)");
  cmd->add_option("--format", flags->format,
                  "Output: text (default), json, github (workflow annotations), sarif (SARIF "
                  "2.1.0)")
      ->check(CLI::IsMember({"text", "json", "github", "sarif"}));
  cmd->add_option("--locations", flags->run.locations,
                  "Directories holding migrations (default: migrations/ beside strata.toml)")
      ->delimiter(',');
  cmd->add_option("--table", flags->run.table, "History table (default strata_schema_history)");
  cmd->add_option("--schema", flags->run.schema, "Schema of the history table");
  cmd->add_option("-p,--placeholder", flags->run.placeholders,
                  "NAME=VALUE for ${NAME} in SQL scripts (repeatable)");
  cmd->add_option("--dialect", flags->dialect,
                  "Engine of the scripts when linting offline without a URL: postgresql "
                  "(default), mariadb, sqlite");
  cmd->add_option("--server-version", flags->server_version,
                  "MariaDB/MySQL version assumed offline, e.g. mariadb-10.6 or mysql-8.0.29 "
                  "(default: [lint] server_version, else mariadb-10.6); a URL's server wins");
  table.Add(cmd, [flags](Context& ctx) { return RunLint(ctx, *flags); });
}

}  // namespace strata::cli
