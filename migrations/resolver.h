// Finding migration files in their locations, parsing their names as Flyway does
// (docs/flyway.md §1) and computing their checksums (§3).
//
// Stricter than Flyway on purpose, because a skipped migration is worse than a refused one:
// names that start like a migration but do not parse, configuration files without their script
// and locations that do not exist are errors (Flyway skips, ignores or warns). UTF-8 is the only
// encoding, as with Flyway's default `encoding`.
#ifndef STRATA_MIGRATIONS_RESOLVER_H_
#define STRATA_MIGRATIONS_RESOLVER_H_

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "base/result.h"
#include "migrations/history_row.h"
#include "migrations/version.h"

namespace strata::migrations {

enum class MigrationKind {
  kVersioned,   // V<version>__<description>.sql
  kJob,         // V<version>__<description>.job: a native C++ job step (a small TOML file)
  kRepeatable,  // R__<description>.sql
  kUndo,        // U<version>__<description>.sql
  kBaseline,    // B<version>__<description>.sql: the whole schema at <version>, for new databases
};

// Where a kind sorts among migrations of equal version: B (0), then V and job steps (1), then
// U (2); repeatables (3) come after every versioned file. Equal ranks collide at equal versions.
int KindRank(MigrationKind kind);

// A migration file found on disk. Its content is not kept: read `path` again to execute it.
struct ResolvedMigration {
  MigrationKind kind = MigrationKind::kVersioned;
  std::optional<Version> version;  // absent exactly for repeatables
  std::string description;         // from the file name, every `_` replaced by a space
  // The path relative to its location with `/` separators, e.g. "2024/V3__add_users.sql": what
  // Flyway stores in the history table's `script` column.
  std::string script;
  std::filesystem::path path;  // the file itself: location / script
  std::int32_t checksum = 0;   // FlywayChecksum of the file's bytes
  // A second checksum that also counts as a match. Flyway hashes repeatables after placeholder
  // replacement and accepts the raw text's checksum too; whoever replaces placeholders sets
  // `checksum` to the replaced text's and this to the raw one. Unset by the resolver.
  std::optional<std::int32_t> equivalent_checksum;
  std::optional<std::filesystem::path> config_path;  // "<file>.conf" beside the script, if any

  // The history table `type` recorded when this migration runs: SQL for V and R scripts,
  // UNDO_SQL, SQL_BASELINE, and JDBC for .job steps.
  MigrationType type() const;
  // Whether a history row's checksum agrees with this file. A missing checksum on the row agrees
  // with anything, as in Flyway.
  bool ChecksumMatches(std::optional<std::int32_t> applied) const;
};

// An SQL callback: `<event>.sql` or `<event>__<description>.sql`, e.g. beforeMigrate.sql.
struct SqlCallback {
  std::string event;        // e.g. "afterEachMigrate"
  std::string description;  // may be empty
  std::string script;       // relative to its location, `/`-separated
  std::filesystem::path path;
  std::optional<std::filesystem::path> config_path;
};

// One file that cannot be used, and why. ToString() gives the line to show: "<path>: <message>",
// or "<path>:<line>: <message>" when the problem is on one line of the file.
struct FileProblem {
  std::filesystem::path path;
  std::string message;
  int line = 0;  // 1-based; 0 when the problem is the file as a whole

  std::string ToString() const;
};

// What a file name means, from the name alone (no file system access).
struct MigrationFileName {
  MigrationKind kind;
  std::optional<Version> version;
  std::string description;
};
struct CallbackFileName {
  std::string event;
  std::string description;
};
struct ScriptConfigFileName {
  std::string script_name;  // the name of the script it configures: the name without ".conf"
};
struct OtherFileName {};  // not ours: ignored
struct InvalidFileName {
  std::string message;  // why the name does not parse, with the form it should have
};
using FileName = std::variant<MigrationFileName, CallbackFileName, ScriptConfigFileName,
                              OtherFileName, InvalidFileName>;

// Classifies a file name (not a path).
//
// Prefixes are case-sensitive and tried longest first (`V`, `R`, `U`, `B` and the callback
// event names); suffixes `.sql` and `.job` are case-insensitive. After the prefix, the name is
// split at the FIRST `__`: the text before it is the version (required for V, U and B, forbidden
// for R and callbacks), the text after it the description. As in Flyway, the description may be
// empty (`V1__.sql`, even `V1.sql`) and `V1__2__x.sql` is version 1, description "2  x".
// A name that starts with a prefix and ends with a suffix but does not parse is Invalid: Flyway
// skips such files by default, strata refuses them (`V1_init.sql`, `Vx__a.sql`, `Readme.sql`).
// Only V files may be `.job` steps.
FileName ClassifyFileName(std::string_view name);

// How migration files are named: Flyway's sqlMigrationPrefix, repeatableSqlMigrationPrefix,
// undoSqlMigrationPrefix, baselineMigrationPrefix, sqlMigrationSeparator and
// sqlMigrationSuffixes, with Flyway's defaults. The versioned prefix may be empty
// (`20170206205240748__initial_schema.sql` is then version 20170206205240748); the others, the
// separator and each suffix may not (CheckMigrationNaming). Suffixes are compared
// case-insensitively; `.job` steps keep their suffix and the versioned prefix.
struct MigrationNaming {
  std::string versioned_prefix = "V";            // sql_migration_prefix
  std::string repeatable_prefix = "R";           // repeatable_sql_migration_prefix
  std::string undo_prefix = "U";                 // undo_sql_migration_prefix
  std::string baseline_prefix = "B";             // baseline_migration_prefix
  std::string separator = "__";                  // sql_migration_separator
  std::vector<std::string> suffixes = {".sql"};  // sql_migration_suffixes

  bool operator==(const MigrationNaming&) const = default;
};

// kInvalidArgument naming the setting when `naming` cannot work: an empty prefix other than
// the versioned one, an empty separator, no suffix or an empty one, two kinds with one prefix.
Status CheckMigrationNaming(const MigrationNaming& naming);

// ClassifyFileName with other names than Flyway's defaults. Prefixes, callback event names
// included, are tried longest first, as Flyway's ResourceNameParser does, so an empty
// versioned prefix takes only what no other prefix claims.
FileName ClassifyFileName(std::string_view name, const MigrationNaming& naming);

struct ResolveOptions {
  ResolveOptions() = default;
  // Only the locations, every other setting its default: `ResolveMigrations({{dir}})`.
  // NOLINTNEXTLINE(google-explicit-constructor): implicit, so that braces name the locations.
  ResolveOptions(std::vector<std::filesystem::path> locations) : locations(std::move(locations)) {}

  // Directories searched recursively, in order. No default: the caller passes them (strata.toml,
  // flags). Hidden directories and files (name starting with '.') are skipped; symbolic links to
  // files are followed, symbolic links to directories are not. Flyway's `filesystem:` prefix is
  // accepted and removed; `classpath:` is refused (strata reads directories, not a Java
  // classpath), naming the directory to use instead.
  std::vector<std::filesystem::path> locations;
  MigrationNaming naming;  // default: Flyway's V, R, U, B, __ and .sql
  // validate_migration_naming: true (strata's default) makes a misnamed file a problem, which
  // refuses the whole resolution; false (Flyway's default) skips it, listed in
  // Resolution::skipped so that the caller can warn about each one.
  bool validate_migration_naming = true;
  // fail_on_missing_locations: true (strata's default) makes a location that does not exist an
  // error (kNotFound); false (Flyway's default) lists it in Resolution::missing_locations.
  bool fail_on_missing_locations = true;
};

// Everything found in the locations.
struct Resolution {
  // Versioned ones (V, job, B, U) by version, then B before V before U at equal versions; then
  // repeatables by description (byte order). Deterministic whatever the directory order.
  std::vector<ResolvedMigration> migrations;
  std::vector<SqlCallback> callbacks;  // by event, then description, then script
  std::vector<FileProblem> problems;   // by path; empty when every file is usable
  // Files skipped, by path, each with why: names that look like a migration or a callback
  // (migrations/naming.h, with the name likely meant), and misnamed files when
  // validate_migration_naming is false. Commands warn about them and go on.
  std::vector<FileProblem> skipped;
  // Locations that do not exist, skipped because fail_on_missing_locations is false.
  std::vector<std::filesystem::path> missing_locations;
};

// Scans the locations and reads every migration file once (for its checksum and to check that
// it is UTF-8). Problems with individual files are collected, all of them, in `problems`:
//   - names that start like a migration but do not parse, `.job` files that are not V files;
//   - files that are not valid UTF-8;
//   - two V (or job) files with the same version, two U or two B files with the same version,
//     two R files with the same description, two callbacks with the same event and description
//     (every file involved is listed; a V, a U and a B file may share a version);
//   - `X.sql.conf` files with no X.sql beside them, and those beside a migration or a callback
//     that do not parse (migrations/script_config.h), whether the script is applied or not.
// Fails only when a location cannot be listed: kNotFound when it does not exist,
// kInvalidArgument when it is not a directory, kIo otherwise; and kIo when a migration file
// cannot be read.
Result<Resolution> ScanLocations(const ResolveOptions& options);

// ScanLocations, but any problem fails the whole resolution with one kInvalidArgument error
// whose message is a summary line followed by one line per problem ("  <path>: <message>"), so
// that nothing can apply a partial set of migrations by accident.
Result<Resolution> ResolveMigrations(const ResolveOptions& options);

}  // namespace strata::migrations

#endif  // STRATA_MIGRATIONS_RESOLVER_H_
