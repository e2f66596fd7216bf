// Command-line flags for Flyway's settings (cli/config.h, docs/flyway.md §6), named after
// their strata.toml keys in kebab-case: default_schema is --default-schema, a boolean key x has
// --x and --no-x (and --x=false). Each command takes the flags of the settings it uses, and
// `strata config show` takes them all, to show what a command would run with. A flag overrides
// the environment and the files, and `config show` names it as the value's source.
#ifndef STRATA_CLI_FLYWAY_FLAGS_H_
#define STRATA_CLI_FLYWAY_FLAGS_H_

#include <CLI/CLI.hpp>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "cli/config.h"

namespace strata::cli {

// The values given on the command line, by strata.toml key. One instance serves every
// command: only one command is parsed per run.
struct FlywayFlags {
  std::map<std::string, std::optional<std::string>> text;  // text keys, e.g. "init_sql"
  std::map<std::string, std::vector<std::string>> lists;   // list keys, comma-separated flags
  // Boolean keys: the value, and the flag's options (one per command) to tell whether it was
  // given.
  std::map<std::string, bool> switches;
  std::map<std::string, std::vector<const CLI::Option*>> switch_options;
};

// Adds the flags to each command of `app` they apply to (migrate, baseline, info, validate,
// repair, clean, undo, lint, config show), bound to `flags`, which must outlive parsing.
void RegisterFlywayFlags(CLI::App& app, FlywayFlags& flags);

// Applies the flags given on top of `config`, each recorded as its source
// (SettingSource::Flag("--x")), and checks the result as the configuration's own values are
// checked (CheckFlywaySettings). Errors: kInvalidArgument, one line naming the flag.
Status ApplyFlywayFlags(const FlywayFlags& flags, Config& config);

}  // namespace strata::cli

#endif  // STRATA_CLI_FLYWAY_FLAGS_H_
