// strata's configuration: a Flyway configuration file (flyway.conf / flyway.toml, see
// cli/flyway_config.h), then strata.toml, then FLYWAY_* environment variables (only when no
// strata.toml is in use), then STRATA_* environment variables, then flags (highest). This file
// handles all but the flags; commands apply their flags on top. Every effective setting
// records its source (file:line:col of the value, variable, flag or default), and every value
// error names that source.
//
// strata.toml is looked up in the working directory unless -c/--config names a file. Keys are
// declared in config.cc; an unknown key is an error naming the key and its line. Relative
// paths written in the file (SQLite URLs, locations) resolve against the file's directory, so
// `strata -c examples/events/strata.toml migrate` works from anywhere.
#ifndef STRATA_CLI_CONFIG_H_
#define STRATA_CLI_CONFIG_H_

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "base/result.h"

namespace strata::cli {

// Where one effective setting came from.
struct SettingSource {
  enum class Kind { kDefault, kFile, kEnvironment, kFlag };
  Kind kind = Kind::kDefault;
  // kFile: "strata.toml:7:19" (file as given, line and column of the value); kEnvironment:
  // the variable's name; kFlag: the flag ("--url"); kDefault: empty, or why the default
  // differs from strata's own (e.g. "Flyway's default").
  std::string where;

  static SettingSource File(std::string where) { return {Kind::kFile, std::move(where)}; }
  static SettingSource Environment(std::string name) {
    return {Kind::kEnvironment, std::move(name)};
  }
  static SettingSource Flag(std::string flag) { return {Kind::kFlag, std::move(flag)}; }
  // "default", "environment", "file" or "flag".
  std::string KindName() const;
  // For people: "strata.toml:7:19", "STRATA_URL", "--url", "default".
  std::string ToString() const;
};

// Every key can also be set as STRATA_<KEY> (lists comma-separated, booleans true/false).
// One Config exists per run, so its fields are grouped for the reader, not packed for size.
// NOLINTNEXTLINE(clang-analyzer-optin.performance.Padding)
struct Config {
  std::string url;            // url / STRATA_URL / --url. No default.
  std::string password_file;  // password_file / STRATA_PASSWORD_FILE: first line is the password
  std::string log_level = "warn";  // log_level / STRATA_LOG_LEVEL / --log-level

  // Migrations.
  std::vector<std::string> locations;  // locations / --locations; default: "migrations" dir
  std::string table = "strata_schema_history";  // table / --table: the history table
  std::string schema;  // schema / --schema: where the history table lives; default: current
  std::string target = "latest";     // target / --target: latest, current, next or a version
  bool out_of_order = false;         // out_of_order / --out-of-order
  bool validate_on_migrate = true;   // validate_on_migrate
  bool mixed = false;                // mixed: scripts may mix transactional/non-tx statements
  std::string lock_timeout = "10m";  // lock_timeout / --lock-timeout
  std::string ignore_migration_patterns = "*:future";  // ignore_migration_patterns (Flyway's)
  // cancel_orphans / --cancel-orphans: cancel what a dead runner left running, not wait for it
  bool cancel_orphans = false;

  // Lifecycle.
  // [placeholders] table / STRATA_PLACEHOLDERS_<NAME> (name lower-cased, as Flyway does) /
  // -p name=value: values for ${name} in SQL scripts.
  std::map<std::string, std::string> placeholders;
  bool placeholder_replacement = true;  // placeholder_replacement: off = no ${} replacement
  bool baseline_on_migrate = false;     // baseline_on_migrate: baseline a non-empty schema
  std::string baseline_version = "1";   // baseline_version / --baseline-version
  std::string baseline_description = "<< Flyway Baseline >>";  // baseline_description
  bool clean_disabled = true;  // clean_disabled: `clean` refuses unless set to false
  // schemas / --schemas: the schemas clean and schema dump work on; default: the current one.
  std::vector<std::string> schemas;

  // Backfill (`strata backfill run`); numbers and durations as text, checked by the command.
  std::string backfill_workers = "1";                     // backfill_workers / --workers
  std::string backfill_chunk_target = "500ms";            // backfill_chunk_target / --chunk-target
  std::string backfill_max_rows_per_second = "0";         // backfill_max_rows_per_second; 0 = none
  std::string backfill_max_attempts = "5";                // backfill_max_attempts / --max-attempts
  std::string backfill_max_replica_lag = "5s";            // backfill_max_replica_lag
  std::string backfill_max_connections_fraction = "0.9";  // PostgreSQL connections limit
  std::string backfill_max_threads_running = "25";        // MariaDB Threads_running limit
  std::string backfill_statement_timeout = "30s";         // per worker session
  std::string backfill_lock_timeout = "5s";               // per worker session
  std::string backfill_reclaim_after = "60s";             // a silent worker's chunks are taken over
  std::vector<std::string> backfill_replicas;  // MariaDB replica URLs whose lag throttles

  // Lint (`strata lint`, docs/lint.md).
  // [lint] table / STRATA_LINT_<RULE>: a rule id (or name) = "error", "warning" or "off".
  std::map<std::string, std::string> lint;
  // lint_large_table: a table this large makes lock findings errors: "<n> rows", "<n> GiB"
  // (B, KiB, MiB, GiB, TiB), or both separated by a comma.
  std::string lint_large_table = "1000000 rows, 1 GiB";
  bool lint_on_migrate = false;  // lint_on_migrate: migrate lints the pending migrations first
  // Flyway settings (docs/flyway.md §6), each with Flyway's default unless noted; numbers are
  // text, checked by the commands (cli/flyway_settings.h), so a bad value names its key.
  // default_schema / --default-schema: the session's schema on every migration connection
  // (PostgreSQL search_path, MariaDB current database; SQLite: main only), where the history
  // table goes unless `schema` says otherwise. Default: the first of `schemas`, else none.
  std::string default_schema;
  bool create_schemas = true;  // create_schemas: create missing default_schema/schemas
  // validate_migration_naming: refuse misnamed files (strata's default; Flyway's is false:
  // with false strata skips them, with a warning naming each file).
  bool validate_migration_naming = true;
  std::string sql_migration_prefix = "V";                   // may be empty
  std::string sql_migration_separator = "__";               // sql_migration_separator
  std::vector<std::string> sql_migration_suffixes{".sql"};  // sql_migration_suffixes
  std::string repeatable_sql_migration_prefix = "R";        // repeatable_sql_migration_prefix
  std::string undo_sql_migration_prefix = "U";              // undo_sql_migration_prefix
  std::string baseline_migration_prefix = "B";              // baseline_migration_prefix
  std::string placeholder_prefix = "${";                    // placeholder_prefix
  std::string placeholder_suffix = "}";                     // placeholder_suffix
  std::string init_sql;               // init_sql: run on every connection opened for migrations
  std::string connect_retries = "0";  // connect_retries: retries of a failed connect
  std::string connect_retries_interval = "120";  // connect_retries_interval: max wait, seconds
  std::string installed_by;  // installed_by: the history rows' installed_by; default: the user
  std::vector<std::string> cherry_pick;    // cherry_pick: only these versions/descriptions
  bool skip_executing_migrations = false;  // skip_executing_migrations: record, do not run
  bool group = false;  // group: every pending migration in one transaction (PostgreSQL, SQLite)
  // fail_on_missing_locations: a location that does not exist is an error (strata's default;
  // Flyway's is false, which warns and goes on).
  bool fail_on_missing_locations = true;

  // Where the configuration came from: the strata.toml read (empty when none) and the
  // directory relative paths resolve against (the file's directory, else the working dir).
  std::filesystem::path file;
  std::filesystem::path dir;

  // The source of each key set by anything but strata's default ("placeholders.<name>" for
  // placeholders), and what loading noticed but did not refuse (shown as warnings).
  std::map<std::string, SettingSource> sources;
  std::vector<std::string> warnings;
  // Whether FLYWAY_* variables (FLYWAY_PASSWORD included) apply: no strata.toml is in use.
  bool flyway_environment = false;
  // The fleet target this configuration was made for (cli/fleet.h); empty outside a fleet.
  std::string fleet_target;

  // The source of `key` (kDefault when nothing set it).
  SettingSource SourceOf(const std::string& key) const;
  // How error messages name `key`: "strata.toml:7:19: backfill_workers",
  // "STRATA_BACKFILL_WORKERS", "--log-level", or the bare key when it has its default.
  std::string Describe(const std::string& key) const;
};

// One setting as a source other than strata.toml wrote it, before it is checked and applied:
// a strata.toml key and its value as text (lists comma-separated, booleans true/false) or as
// a list. The Flyway reader (cli/flyway_config.h) produces these.
struct RawSetting {
  std::string key;    // a strata.toml key, e.g. "table"
  std::string entry;  // for a table key (placeholders): the entry's name; else empty
  std::variant<std::string, std::vector<std::string>> value;
  SettingSource source;
  std::filesystem::path base_dir;  // relative paths resolve against it; empty: left as written
};

// Where LoadConfig reads from; empty paths mean "look in the working directory".
struct ConfigFiles {
  std::filesystem::path strata;  // -c/--config (else STRATA_CONFIG, else ./strata.toml)
  // --flyway-config; else ./flyway.toml or ./flyway.conf, only when no strata.toml is in use.
  std::filesystem::path flyway;
};

// Reads an environment variable; injectable for tests.
using Getenv = std::function<std::optional<std::string>(const std::string& name)>;
Getenv ProcessEnvironment();
// The names of the process's environment variables (for STRATA_PLACEHOLDERS_<NAME>).
std::vector<std::string> ProcessEnvironmentNames();

// Loads strata.toml (`explicit_path`, or ./strata.toml when that exists) and applies the
// STRATA_* environment variables on top. A missing explicit file is an error; a missing
// default file is not. `env_names` lists the variables that exist, for the prefixed ones
// (STRATA_PLACEHOLDERS_<NAME>); getenv supplies their values.
Result<Config> LoadConfig(const std::filesystem::path& explicit_path, const Getenv& getenv,
                          const std::vector<std::string>& env_names = {});
// The same with a Flyway configuration too (flyway.conf or flyway.toml). Errors
// (kInvalidArgument, kNotFound) name the source: `file:line:col: key ...` or the variable.
Result<Config> LoadConfig(const ConfigFiles& files, const Getenv& getenv,
                          const std::vector<std::string>& env_names = {});

// The password to use when the URL has none: STRATA_PASSWORD, else the first line of
// password_file, else (with a Flyway configuration) FLYWAY_PASSWORD; nullopt when none is set.
Result<std::optional<std::string>> ResolvePassword(const Config& config, const Getenv& getenv);

// Applies one setting given outside the files (the Flyway reader's, a flag's: cli/flyway_flags.h)
// on top of `config`, recording raw.source as its source. Errors: kInvalidArgument for a key
// strata does not have, or a value of the wrong shape (a list for a one-value key, a boolean
// that is not true/false), naming the source.
Status ApplySetting(const RawSetting& raw, Config& config);

// Names of every key strata.toml accepts, for messages and docs.
std::vector<std::string> KnownConfigKeys();

// One line of `strata config show`: a key, its effective value with passwords redacted
// (URLs shown redacted; placeholders whose name says password/secret/token as "***"), and
// its source. Placeholders appear one per entry as "placeholders.<name>".
struct EffectiveSetting {
  std::string key;
  std::variant<std::string, std::vector<std::string>, bool> value;
  SettingSource source;
};
std::vector<EffectiveSetting> EffectiveSettings(const Config& config);

}  // namespace strata::cli

#endif  // STRATA_CLI_CONFIG_H_
