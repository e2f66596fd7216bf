// The targets of a fleet (docs/fleets.md): where they are defined (`[[targets]]` in strata.toml,
// or a --targets FILE holding the same tables or one URL per line), which of them a run selects
// (--target-name, --label, --all-targets, --retry-failed) and which this runner takes
// (--shard I/N). Pure functions over text and values: cli/fleet.h runs them.
#ifndef STRATA_CLI_FLEET_TARGETS_H_
#define STRATA_CLI_FLEET_TARGETS_H_

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "cli/config.h"

namespace strata::cli {

// One database (or one schema of one database) a fleet command runs on.
struct FleetTarget {
  std::string name;    // unique in the fleet; default: the schema, else the URL's database
  std::string url;     // as written (url) or read from the variable `url_env`; never printed
  std::string schema;  // the session's default schema; empty: the URL's
  std::map<std::string, std::string> labels;  // key = value, for --label
  std::string password_file;                  // first line is the password; empty: as configured
  std::string where;                          // "targets.toml:12": where it is defined
};

// Parses `[[targets]]` tables: name, url or url_env, schema, labels (a table of key = value
// strings), password_file. `file` names the text in messages; relative SQLite paths and
// password files resolve against `dir`. `other_keys_allowed`: strata.toml, whose other keys are
// the configuration's; in a --targets file any other key is an error. Errors (kInvalidArgument)
// name `file:line` and the target, never a password: a missing or unknown key, a URL that does
// not parse, an unset url_env variable, a duplicate name.
Result<std::vector<FleetTarget>> ParseTargetsToml(std::string_view text,
                                                  const std::filesystem::path& file,
                                                  const std::filesystem::path& dir,
                                                  const Getenv& getenv, bool other_keys_allowed);

// Parses one URL per line (`#` starts a comment; blank lines skipped). Each target is named
// after its URL's database (a SQLite file's name without its extension). Errors as above; two
// URLs with the same name are refused, naming both lines (name them in a TOML file instead).
Result<std::vector<FleetTarget>> ParseTargetsList(std::string_view text,
                                                  const std::filesystem::path& file,
                                                  const std::filesystem::path& dir);

// A --targets FILE: TOML when it holds a `[[targets]]` line, else one URL per line.
Result<std::vector<FleetTarget>> LoadTargetsFile(const std::filesystem::path& file,
                                                 const Getenv& getenv);
// The `[[targets]]` of strata.toml `file` (none when `file` is empty).
Result<std::vector<FleetTarget>> LoadConfigTargets(const std::filesystem::path& file,
                                                   const Getenv& getenv);

// Which targets a run selects. Nothing set: not a fleet run.
struct TargetSelection {
  std::vector<std::string> names;   // --target-name NAME (repeatable): any of these
  std::vector<std::string> labels;  // --label key=value (repeatable): all must match
  bool all = false;                 // --all-targets
  // --retry-failed: only these names (the failures of an earlier run); nullopt: no filter
  std::optional<std::vector<std::string>> only;

  bool Requested() const { return all || !names.empty() || !labels.empty() || only.has_value(); }
};

// The targets `selection` names, in the order they are defined. Errors (kInvalidArgument): a
// --target-name no target has, a --label that is not key=value. An empty result is not an error
// here.
Result<std::vector<FleetTarget>> SelectTargets(const std::vector<FleetTarget>& targets,
                                               const TargetSelection& selection);

// --shard I/N: this runner is shard `index` (from 0, like a Kubernetes indexed Job's
// JOB_COMPLETION_INDEX) of `count`.
struct Shard {
  int index = 0;
  int count = 1;
};
// Parses "I/N" with 0 <= I < N. Errors (kInvalidArgument) say the form.
Result<Shard> ParseShard(std::string_view text);
// A target's shard: FNV-1a (64-bit) of its name, mod `count`. It depends on the name only, so
// every runner puts each target in the same shard whatever else its list holds, and a target
// keeps its shard when others are added or removed.
int ShardOf(std::string_view name, int count);
// The targets of `shard`, in order.
std::vector<FleetTarget> InShard(const std::vector<FleetTarget>& targets, const Shard& shard);

// The names of the targets that did not succeed (status other than "ok") in a fleet --json
// document (docs/json-schema/fleet.schema.json), read from `file`. Errors: the file cannot be
// read or is not a fleet document.
Result<std::vector<std::string>> FailedTargetNames(const std::filesystem::path& file);

}  // namespace strata::cli

#endif  // STRATA_CLI_FLEET_TARGETS_H_
