// Flyway's settings that change behaviour (docs/flyway.md §6): checked as soon as the
// configuration is loaded, so that a bad value refuses the run (exit 2, naming the key) before
// anything connects or changes, and turned into the options of the layers they act on.
#ifndef STRATA_CLI_FLYWAY_SETTINGS_H_
#define STRATA_CLI_FLYWAY_SETTINGS_H_

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "cli/config.h"
#include "cli/output.h"
#include "db/connection.h"
#include "db/url.h"
#include "migrations/migrator.h"
#include "migrations/resolver.h"

namespace strata::cli {

// kInvalidArgument naming the key for the first value that cannot work: a bad number, a
// misnamed prefix or suffix, a placeholder prefix or suffix that is empty, a default_schema
// that is not among `schemas`.
Status CheckFlywaySettings(const Config& config);

// sql_migration_prefix, repeatable_/undo_sql_migration_prefix, baseline_migration_prefix,
// sql_migration_separator and sql_migration_suffixes.
migrations::MigrationNaming MigrationNamingFor(const Config& config);

// The session's default schema: default_schema, else the first of `schemas`, else "" (the
// connection's own).
std::string DefaultSchemaFor(const Config& config);

// The schemas a migrate run makes sure exist (create_schemas): the default schema first, then
// the rest of `schemas`.
migrations::SchemaSetup SchemaSetupFor(const Config& config);

// connect_retries and connect_retries_interval (seconds), as CheckFlywaySettings accepted.
struct ConnectRetries {
  int retries = 0;                         // retries after the first attempt; default 0
  std::chrono::seconds max_interval{120};  // the longest wait between two attempts
};
ConnectRetries ConnectRetriesFor(const Config& config);

// Opens a connection as every migration command does, with Flyway's settings: retried as
// connect_retries says (1 s, 2 s, 4 s, ... at most connect_retries_interval apart, warning
// before each retry), init_sql run on it, and the default schema made the session's own when
// it exists (migrate creates it otherwise). SQLite refuses a default schema other than main.
Result<std::unique_ptr<db::Connection>> OpenMigrationConnection(const Config& config,
                                                                const db::Url& url,
                                                                const db::ConnectOptions& options,
                                                                Output& out);

// A warning for every misnamed file skipped (validate_migration_naming = false) and every
// missing location skipped (fail_on_missing_locations = false).
void WarnAboutSkippedFiles(Output& out, const migrations::Resolution& resolution);

}  // namespace strata::cli

#endif  // STRATA_CLI_FLYWAY_SETTINGS_H_
