// Placeholder replacement in SQL scripts, as Flyway does it (docs/flyway.md §7).
//
// `${name}` anywhere in a script's text — inside strings and comments too, because Flyway
// replaces on the raw text before parsing — is replaced by the value configured for `name`
// (names are case-insensitive). Built-ins, under the `strata:` prefix and Flyway's `flyway:`
// spelling: database, user, schema (also `defaultSchema`), table, filename, timestamp. A
// placeholder without a value is an error naming it with file:line:col; an empty value is
// allowed and removes the placeholder. `${` without a closing `}` is left as written. There is
// no default-value syntax (Flyway has none either).
#ifndef STRATA_MIGRATIONS_PLACEHOLDERS_H_
#define STRATA_MIGRATIONS_PLACEHOLDERS_H_

#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "base/result.h"

namespace strata::migrations {

// Placeholder replacement as configured: placeholder_replacement, [placeholders],
// STRATA_PLACEHOLDERS_<NAME> and -p name=value.
struct PlaceholderSettings {
  bool enabled = true;                        // placeholder_replacement; default true
  std::map<std::string, std::string> values;  // name -> value; names are case-insensitive
  std::string prefix = "${";                  // placeholder_prefix; default Flyway's ${
  std::string suffix = "}";                   // placeholder_suffix; default Flyway's }
};

// The built-in values of one run.
struct BuiltinPlaceholders {
  std::string database;   // PostgreSQL current_database(), MariaDB DATABASE(), SQLite "main"
  std::string user;       // the connected user, as recorded in installed_by
  std::string schema;     // the schema of the history table
  std::string table;      // the history table's name
  std::string timestamp;  // "yyyy-MM-dd HH:mm:ss" (UTC), taken once when the run starts
};

class Placeholders {
 public:
  // `values` as configured ([placeholders], STRATA_PLACEHOLDERS_<NAME>, -p name=value); names
  // are compared case-insensitively. `enabled` false switches replacement off everywhere.
  Placeholders(bool enabled, const std::map<std::string, std::string>& values,
               BuiltinPlaceholders builtins);
  Placeholders() : Placeholders(false, {}, {}) {}

  // The global switch (placeholder_replacement); a script's own placeholderReplacement wins.
  bool enabled() const { return enabled_; }
  // What opens and closes a placeholder (placeholder_prefix, placeholder_suffix); default
  // `${` and `}`. REQUIRES: neither is empty.
  void SetDelimiters(std::string prefix, std::string suffix) {
    prefix_ = std::move(prefix);
    suffix_ = std::move(suffix);
  }

  // Replaces every placeholder in `text` (whatever enabled() says: the caller decides), the content
  // of the script `display_path` (named in errors) whose file name is `file_name` (the value of
  // ${strata:filename}). Fails with kInvalidArgument "<display_path>:<line>:<col>: no value for
  // placeholder ${x}; ..." naming how to set it. Lines count '\n', columns count characters, as the
  // SQL splitter does.
  Result<std::string> Replace(std::string_view text, std::string_view display_path,
                              std::string_view file_name) const;

 private:
  Result<std::string> Lookup(std::string_view name, std::string_view file_name) const;

  bool enabled_;
  std::string prefix_ = "${";
  std::string suffix_ = "}";
  std::map<std::string, std::string> values_;  // lower-cased names
  BuiltinPlaceholders builtins_;
};

// Formats `time` (seconds since the epoch) as ${strata:timestamp} shows it, in UTC.
std::string PlaceholderTimestamp(std::int64_t seconds_since_epoch);

}  // namespace strata::migrations

#endif  // STRATA_MIGRATIONS_PLACEHOLDERS_H_
