// Fleets (docs/fleets.md): one command run on many targets, in this process. Each target runs
// the command's own function (CommandFn) on a copy of the configuration whose url (and, for a
// schema-per-tenant target, default schema) is the target's, with an Output of its own that
// captures the command's --json document; the fleet prints one line per target as it finishes,
// a summary grouping the targets by state, and with --json one document holding every
// target's document. A bounded pool of threads runs the targets (--parallel), so at most that
// many targets' connections are open at once; each target takes its own migration lock.
#ifndef STRATA_CLI_FLEET_H_
#define STRATA_CLI_FLEET_H_

#include <CLI/CLI.hpp>
#include <iosfwd>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cli/command.h"
#include "cli/config.h"
#include "cli/output.h"

namespace strata::cli {

// The fleet flags, accepted by every command (before or after its name).
struct FleetFlags {
  std::string targets_file;               // --targets FILE: TOML [[targets]] or one URL a line
  std::vector<std::string> target_names;  // --target-name NAME (repeatable)
  std::vector<std::string> labels;        // --label key=value (repeatable; all must match)
  bool all_targets = false;               // --all-targets
  std::string retry_failed;               // --retry-failed RESULTS.json: its failed targets only
  int parallel = 1;                       // --parallel N (default 1)
  int canary = 0;                         // --canary N (default 0: none)
  int max_failures = 0;                   // --max-failures K (default 0: no limit)
  std::string shard;                      // --shard I/N (default: the whole fleet)
  std::string junit;                      // --junit FILE: a JUnit XML report too
  bool no_live = false;                   // --no-live: a line per target even on a terminal

  // Whether the command line selects targets: a fleet run.
  bool Requested() const {
    return all_targets || !target_names.empty() || !labels.empty() || !retry_failed.empty();
  }
  // Whether a flag that only means something for a fleet is set.
  bool AnyRolloutFlag() const {
    return !targets_file.empty() || parallel != 1 || canary != 0 || max_failures != 0 ||
           !shard.empty() || !junit.empty();
  }
};

// Adds the fleet flags to `app` (global: they may follow the command name).
void AddFleetOptions(CLI::App& app, FleetFlags& flags);

// What a fleet run needs from the command line besides its flags.
struct FleetRun {
  std::string command;    // the command as typed: "migrate", "schema fingerprint"
  const CommandFn* fn;    // its function
  Config config;          // the merged configuration (its url is replaced per target)
  Getenv getenv;          // the process environment
  bool url_flag = false;  // whether --url was given (refused beside a selection)
  // The terminal (stdout) for the live view (cli/fleet_live.h, LiveViewWanted); null: a line
  // per target as it finishes.
  std::ostream* terminal = nullptr;
  // The options of the command that name a file it writes, as given: {"--dry-run-output",
  // "out/{target}.sql"} (FileOutputFlags). On a fleet each must hold "{target}", which each
  // target replaces with its name (Context::PathForTarget).
  std::vector<std::pair<std::string, std::string>> file_flags = {};
};

// The options given to the command `app` parsed that name a file the command writes
// (--dry-run-output), each with its value, for FleetRun::file_flags.
std::vector<std::pair<std::string, std::string>> FileOutputFlags(const CLI::App& app);

// Runs `run` on the targets `flags` select and returns the exit code (the worst of the
// targets', see WorstExitCode; 6 when a signal stopped the run). Every output goes through
// `out`: a line per target, the summary, or (with --json) one document.
int RunFleet(const FleetFlags& flags, const FleetRun& run, Output& out);

}  // namespace strata::cli

#endif  // STRATA_CLI_FLEET_H_
