// Per-script settings in `X.sql.conf` beside `X.sql`, in Flyway's format (docs/flyway.md
// §7): Java-properties lines `key=value` (or `key: value`), `#` and `!` comment lines.
//
// Keys (case-sensitive, as in Flyway):
//   executeInTransaction   true/false: run the script inside a transaction or not (default:
//                          decided from its statements, see sql_file.h)
//   placeholderReplacement true/false: replace ${...} in this script (default: the global
//                          placeholder_replacement)
//   encoding               the file's encoding; strata reads UTF-8 only, so only UTF-8 (any
//                          spelling: UTF-8, utf8) is accepted
// Any other key (also Flyway Teams' shouldExecute) is an error naming the file and line.
#ifndef STRATA_MIGRATIONS_SCRIPT_CONFIG_H_
#define STRATA_MIGRATIONS_SCRIPT_CONFIG_H_

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace strata::migrations {

struct ScriptConfig {
  std::optional<bool> execute_in_transaction;   // unset: decided from the statements
  std::optional<bool> placeholder_replacement;  // unset: the global setting
};

// Parses the text of a configuration file named `file_name` (for errors). Fails with
// kInvalidArgument "<file_name>:<line>: ..." on an unknown key, a value that is not a boolean,
// an encoding other than UTF-8, or a line without a value.
Result<ScriptConfig> ParseScriptConfig(std::string_view text, std::string_view file_name);

// Reads and parses `path`; an unset path gives the defaults.
Result<ScriptConfig> ReadScriptConfig(const std::optional<std::filesystem::path>& path);

}  // namespace strata::migrations

#endif  // STRATA_MIGRATIONS_SCRIPT_CONFIG_H_
