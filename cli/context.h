// What every command receives: the merged configuration, the output, and a way to connect.
#ifndef STRATA_CLI_CONTEXT_H_
#define STRATA_CLI_CONTEXT_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "cli/config.h"
#include "cli/output.h"
#include "db/connection.h"
#include "db/runner.h"
#include "db/url.h"

namespace strata::cli {

// Options accepted by every command (before or after the command name).
struct GlobalOptions {
  std::string config_path;               // -c/--config FILE; default ./strata.toml if present
  std::optional<std::string> url;        // --url; overrides url from file and STRATA_URL
  std::optional<std::string> log_level;  // --log-level; trace|debug|info|warn|error|off
  std::string directory;                 // -C DIR: run as if started in DIR
  bool json = false;                     // --json: machine-readable output on stdout
  bool no_color = false;                 // --no-color (also NO_COLOR in the environment)
  std::string flyway_config;             // --flyway-config FILE: flyway.conf or flyway.toml
};

class Context {
 public:
  Context(Config config, Output& out, Getenv getenv)
      : config_(std::move(config)), out_(out), getenv_(std::move(getenv)) {}

  const Config& config() const { return config_; }
  Output& out() { return out_; }
  const Getenv& getenv() const { return getenv_; }

  // The configured target URL, parsed. Errors when none is configured or it is malformed.
  Result<db::Url> TargetUrl() const;
  // Options for connecting: strata's application name and the password from
  // STRATA_PASSWORD / password_file when the URL carries none.
  Result<db::ConnectOptions> ConnectOptionsFor() const;
  // On a fleet run (cli/fleet.h), the name of the target this context runs on; "" otherwise.
  const std::string& fleet_target() const { return fleet_target_; }
  void set_fleet_target(std::string name) { fleet_target_ = std::move(name); }
  // A file a command writes (--dry-run-output FILE): on a fleet run, `path` with every
  // "{target}" replaced by the target's name, so that each target writes a file of its own;
  // `path` as it is otherwise.
  std::string PathForTarget(std::string_view path) const;

  // Opens a connection to the configured target.
  Result<std::unique_ptr<db::Connection>> Connect() const;
  // The same, the connection carrying `runner`'s label (db::ConnectOptions::runner).
  Result<std::unique_ptr<db::Connection>> Connect(const db::RunnerIdentity& runner) const;

 private:
  Config config_;
  Output& out_;
  Getenv getenv_;
  std::string fleet_target_;
};

}  // namespace strata::cli

#endif  // STRATA_CLI_CONTEXT_H_
