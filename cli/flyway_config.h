// Flyway's own configuration, read so that a Flyway project runs under strata unchanged:
// flyway.conf (Java properties, `flyway.url=…`), flyway.toml (Flyway 10+: a `[flyway]` table and
// `[environments.NAME]` tables) and FLYWAY_* environment variables.
//
// Every Flyway key becomes the strata.toml key of the same meaning in snake_case
// (`flyway.outOfOrder` → `out_of_order`), so whatever strata.toml accepts is accepted from
// Flyway's files too, with the same checks; a few keys are translated (the JDBC `url` with
// `user`, `locations` without `filesystem:`); every other key is refused with its
// `file:line:col` and what to use instead, or (when it cannot change what strata does, such as
// `driver`) reported as a warning. Nothing is ignored silently. The table of keys is in
// flyway_config.cc; docs/flyway-takeover.md documents it.
#ifndef STRATA_CLI_FLYWAY_CONFIG_H_
#define STRATA_CLI_FLYWAY_CONFIG_H_

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "cli/config.h"

namespace strata::cli {

// What the Flyway configuration amounts to in strata's terms.
struct FlywaySettings {
  std::vector<RawSetting> settings;   // in the order to apply them
  std::vector<std::string> warnings;  // keys accepted without effect, one line each
};

// Reads `file` (flyway.toml when its name ends in .toml, else Java properties; none when
// empty) and, when `read_environment`, the FLYWAY_* variables among `env_names` on top.
// FLYWAY_PASSWORD is not a setting (ResolvePassword reads it); a `password` in the file is
// refused. Errors are kInvalidArgument naming `file:line:col` (or the variable) and the key.
Result<FlywaySettings> ReadFlywayConfig(const std::filesystem::path& file, bool read_environment,
                                        const Getenv& getenv,
                                        const std::vector<std::string>& env_names);

}  // namespace strata::cli

#endif  // STRATA_CLI_FLYWAY_CONFIG_H_
