#include "cli/flyway_settings.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <thread>

#include "db/flavor/flavor.h"
#include "db/open.h"

namespace strata::cli {
namespace {

// A whole number in [0, max] written as text (config numbers are text: cli/config.h).
Result<int> WholeNumber(std::string_view key, const std::string& text, int max) {
  int value = -1;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0 || value > max) {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("{} must be a whole number from 0 to {}, not '{}'", key, max, text));
  }
  return value;
}

// The default schema made the session's own (it exists), refused on SQLite unless it is main.
Status UseDefaultSchema(db::Connection& conn, const std::string& schema) {
  if (schema.empty()) return Ok();
  const db::Flavor& flavor = db::FlavorOf(conn);
  if (conn.dialect() == db::Dialect::kSqlite) {
    if (schema == "main") return Ok();
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("default_schema '{}': SQLite has one schema, main; remove "
                           "default_schema and schemas (or set them to main) for this database",
                           schema));
  }
  STRATA_ASSIGN_OR_RETURN(bool exists, flavor.SchemaExists(conn, schema));
  if (!exists) return Ok();  // migrate creates it (create_schemas), then makes it the default
  if (auto set = conn.Execute(flavor.SetDefaultSchemaSql(schema)); !set) {
    return std::move(set).error().WithContext(
        fmt::format("making default_schema '{}' the session's schema", schema));
  }
  return Ok();
}

Result<std::unique_ptr<db::Connection>> OpenWithRetries(const Config& config, const db::Url& url,
                                                        const db::ConnectOptions& options,
                                                        Output& out) {
  const ConnectRetries retries = ConnectRetriesFor(config);
  std::chrono::seconds wait{1};
  for (int attempt = 0;; ++attempt) {
    auto conn = db::Open(url, options);
    // Only a failure to reach the server is worth retrying: a refused password or an unknown
    // database stays refused.
    if (conn || conn.error().code != ErrorCode::kConnection || attempt >= retries.retries) {
      if (!conn && attempt > 0) {
        return std::move(conn).error().WithContext(
            fmt::format("after {} retr{} (connect_retries)", attempt, attempt == 1 ? "y" : "ies"));
      }
      return conn;
    }
    wait = std::min(wait, retries.max_interval);
    out.Warning(fmt::format("cannot connect to {} ({}); retry {} of {} in {}s", url.Redacted(),
                            conn.error().message, attempt + 1, retries.retries, wait.count()));
    std::this_thread::sleep_for(wait);
    wait *= 2;
  }
}

}  // namespace

Status CheckFlywaySettings(const Config& config) {
  STRATA_TRY(migrations::CheckMigrationNaming(MigrationNamingFor(config)));
  // Described by where each value came from (strata.toml:3:19: connect_retries, an
  // environment variable, a Flyway file), so the error names its true source.
  STRATA_TRY(WholeNumber(config.Describe("connect_retries"), config.connect_retries, 10000));
  STRATA_TRY(WholeNumber(config.Describe("connect_retries_interval"),
                         config.connect_retries_interval, 86400));
  if (config.placeholder_prefix.empty() || config.placeholder_suffix.empty()) {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("placeholder_{} may not be empty (Flyway's default is '{}')",
                           config.placeholder_prefix.empty() ? "prefix" : "suffix",
                           config.placeholder_prefix.empty() ? "${" : "}"));
  }
  for (const std::string& schema : config.schemas) {
    if (schema.empty()) return Err(ErrorCode::kInvalidArgument, "schemas: a schema name is empty");
  }
  for (const std::string& pick : config.cherry_pick) {
    if (pick.empty()) return Err(ErrorCode::kInvalidArgument, "cherry_pick: an entry is empty");
  }
  return Ok();
}

migrations::MigrationNaming MigrationNamingFor(const Config& config) {
  migrations::MigrationNaming naming;
  naming.versioned_prefix = config.sql_migration_prefix;
  naming.repeatable_prefix = config.repeatable_sql_migration_prefix;
  naming.undo_prefix = config.undo_sql_migration_prefix;
  naming.baseline_prefix = config.baseline_migration_prefix;
  naming.separator = config.sql_migration_separator;
  naming.suffixes = config.sql_migration_suffixes;
  return naming;
}

std::string DefaultSchemaFor(const Config& config) {
  if (!config.default_schema.empty()) return config.default_schema;
  return config.schemas.empty() ? std::string() : config.schemas.front();
}

migrations::SchemaSetup SchemaSetupFor(const Config& config) {
  migrations::SchemaSetup setup;
  setup.default_schema = DefaultSchemaFor(config);
  setup.create = config.create_schemas;
  if (!setup.default_schema.empty()) setup.schemas.push_back(setup.default_schema);
  for (const std::string& schema : config.schemas) {
    if (std::find(setup.schemas.begin(), setup.schemas.end(), schema) == setup.schemas.end()) {
      setup.schemas.push_back(schema);
    }
  }
  return setup;
}

ConnectRetries ConnectRetriesFor(const Config& config) {
  ConnectRetries retries;
  // CheckFlywaySettings accepted both when the configuration was loaded.
  retries.retries = WholeNumber("connect_retries", config.connect_retries, 10000).value_or(0);
  retries.max_interval = std::chrono::seconds(
      WholeNumber("connect_retries_interval", config.connect_retries_interval, 86400)
          .value_or(120));
  return retries;
}

Result<std::unique_ptr<db::Connection>> OpenMigrationConnection(const Config& config,
                                                                const db::Url& url,
                                                                const db::ConnectOptions& options,
                                                                Output& out) {
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<db::Connection> conn,
                          OpenWithRetries(config, url, options, out));
  // init_sql first, as Flyway runs it when it opens the connection, before it sets the schema.
  if (!config.init_sql.empty()) {
    if (Status ran = conn->ExecuteScript(config.init_sql); !ran) {
      return std::move(ran).error().WithContext("init_sql");
    }
  }
  STRATA_TRY(UseDefaultSchema(*conn, DefaultSchemaFor(config)));
  return conn;
}

void WarnAboutSkippedFiles(Output& out, const migrations::Resolution& resolution) {
  for (const migrations::FileProblem& skipped : resolution.skipped) {
    out.Warning(skipped.ToString());  // the message says why it was skipped
  }
  for (const std::filesystem::path& location : resolution.missing_locations) {
    out.Warning(
        fmt::format("migration location {} does not exist; skipped "
                    "(fail_on_missing_locations = false)",
                    location.string()));
  }
}

}  // namespace strata::cli
