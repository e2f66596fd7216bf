#include "cli/app.h"

#include <fmt/format.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "cli/command.h"
#include "cli/config.h"
#include "cli/context.h"
#include "cli/exit_codes.h"
#include "cli/fleet.h"
#include "cli/fleet_live.h"
#include "cli/flyway_flags.h"
#include "cli/output.h"
#include "cli/suggest.h"

namespace strata::cli {
namespace {

constexpr const char* kVersion = "0.1.0";

void AddGlobalOptions(CLI::App& app, GlobalOptions& global) {
  app.add_option("-c,--config", global.config_path,
                 "Configuration file (default: strata.toml in the working directory)");
  app.add_option("--url", global.url,
                 "Target database URL, e.g. postgresql://app@db:5432/events, "
                 "mariadb://app@db/events, sqlite:events.db (also STRATA_URL)");
  app.add_option("--log-level", global.log_level,
                 "Log detail on stderr: trace, debug, info, warn (default), error, off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  app.add_option("-C", global.directory, "Run as if strata was started in this directory");
  app.add_flag("--json", global.json, "Machine-readable output: one JSON document on stdout");
  app.add_flag("--no-color", global.no_color, "No colors in output (also NO_COLOR)");
  app.set_version_flag("--version", kVersion);
  app.add_option("--flyway-config", global.flyway_config,
                 "Read Flyway's configuration: flyway.conf or flyway.toml (default: either one in "
                 "the working directory when there is no strata.toml)");
}

std::vector<std::string> SubcommandNames(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands({})) names.push_back(sub->get_name());
  return names;
}

// For an argument list whose command is not known, the path to the mistyped word and a
// suggestion; empty when every word names a command.
std::string UnknownCommandMessage(CLI::App& app, const std::vector<std::string>& args) {
  static const std::vector<std::string> kOptionsWithValue = {
      "-c", "--config", "--url", "--log-level", "-C", "--flyway-config"};
  CLI::App* current = &app;
  std::string path = "strata";
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& word = args[i];
    if (word.rfind('-', 0) == 0) {
      if (std::find(kOptionsWithValue.begin(), kOptionsWithValue.end(), word) !=
          kOptionsWithValue.end()) {
        ++i;
      }
      continue;
    }
    const std::vector<std::string> names = SubcommandNames(*current);
    if (names.empty()) return "";
    if (std::find(names.begin(), names.end(), word) != names.end()) {
      current = current->get_subcommand(word);
      path += " " + word;
      continue;
    }
    std::string message = fmt::format("unknown command '{}' for '{}'", word, path);
    if (auto best = ClosestMatch(word, names)) {
      message += fmt::format(". Did you mean '{}'?", *best);
    } else {
      message += fmt::format(". Commands: {}", fmt::join(names, ", "));
    }
    return message;
  }
  return "";
}

// ---- The JSON contract on the command line (docs/json.md) ------------------------------------

// Whether the command line asks for JSON, read from the words themselves: a command line CLI11
// cannot parse still owes a pipeline its document.
bool AsksForJson(const std::vector<std::string>& args) {
  for (const std::string& word : args) {
    if (word == "--") return false;
    if (word == "--json" || word == "--json=true") return true;
  }
  return false;
}

// The command a parsed command line runs, e.g. "schema verify".
std::string ParsedCommandPath(CLI::App& app) {
  std::string path;
  for (CLI::App* current = &app;;) {
    const std::vector<CLI::App*> parsed = current->get_subcommands();
    if (parsed.empty()) return path;
    current = parsed.front();
    path += (path.empty() ? "" : " ") + current->get_name();
  }
}

// The deepest command the arguments name, and its path ("strata backfill run"): a usage error
// points at that command's --help.
std::pair<const CLI::App*, std::string> NamedCommand(const CLI::App& app,
                                                     const std::vector<std::string>& args) {
  static const std::vector<std::string> kOptionsWithValue = {"-c", "--config", "--url",
                                                             "--log-level", "-C"};
  const CLI::App* current = &app;
  std::string path = "strata";
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& word = args[i];
    if (word.starts_with('-')) {
      if (std::find(kOptionsWithValue.begin(), kOptionsWithValue.end(), word) !=
          kOptionsWithValue.end()) {
        ++i;
      }
      continue;
    }
    const auto subs =
        current->get_subcommands([&](const CLI::App* sub) { return sub->get_name() == word; });
    if (subs.empty()) continue;  // a positional argument
    current = subs.front();
    path += " " + word;
  }
  return {current, path};
}

// The flags `command` accepts, its own and those of the commands above it ("--workers", "-c").
std::vector<std::string> FlagNames(const CLI::App* command) {
  std::vector<std::string> names;
  for (const CLI::App* c = command; c != nullptr; c = c->get_parent()) {
    for (const CLI::Option* option : c->get_options()) {
      for (const std::string& name : option->get_lnames()) names.push_back("--" + name);
      for (const std::string& name : option->get_snames()) names.push_back("-" + name);
    }
  }
  return names;
}

// For arguments with a flag `command` does not know, the message naming it with the closest
// flag it does know; empty when every flag is known.
std::string UnknownFlagMessage(const CLI::App* command, const std::string& path,
                               const std::vector<std::string>& args) {
  const std::vector<std::string> known = FlagNames(command);
  for (const std::string& arg : args) {
    if (!arg.starts_with('-') || arg == "-" || arg == "--") continue;
    const std::string flag = arg.substr(0, arg.find('='));
    if (std::find(known.begin(), known.end(), flag) != known.end()) continue;
    std::string message = fmt::format("unknown flag '{}' for '{}'", flag, path);
    if (auto best = ClosestMatch(flag, known))
      message += fmt::format(". Did you mean '{}'?", *best);
    return message;
  }
  return "";
}

void ConfigureLogging(std::ostream& err, const std::string& level) {
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(err, /*force_flush=*/true);
  auto logger = std::make_shared<spdlog::logger>("strata", sink);
  logger->set_pattern("strata: %l: %v");
  logger->set_level(spdlog::level::from_str(level));
  spdlog::set_default_logger(logger);
}

Status ChangeDirectory(const std::string& directory) {
  if (directory.empty()) return Ok();
  std::error_code ec;
  std::filesystem::current_path(directory, ec);
  if (ec) {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("-C {}: cannot change into the directory: {}", directory, ec.message()));
  }
  return Ok();
}

}  // namespace

const CommandFn* CommandTable::Selected(CLI::App& app) const {
  for (CLI::App* sub : app.get_subcommands()) {
    if (const CommandFn* deeper = Selected(*sub)) return deeper;
    auto it = commands_.find(sub);
    if (it != commands_.end()) return &it->second;
  }
  return nullptr;
}

int RunStrata(int argc, const char* const* argv, std::ostream& out, std::ostream& err,
              bool interactive) {
  CLI::App app{
      "strata: versioned migrations and native backfills for PostgreSQL, MariaDB "
      "and SQLite",
      "strata"};
  app.fallthrough();  // global options may follow the command name
  app.require_subcommand(1);
  GlobalOptions global;
  AddGlobalOptions(app, global);
  FleetFlags fleet;
  AddFleetOptions(app, fleet);
  CommandTable table;
  RegisterMigrateCommands(app, table);
  RegisterDbCommands(app, table);
  RegisterSchemaCommands(app, table);
  RegisterSumCommands(app, table);
  RegisterLifecycleCommands(app, table);
  RegisterBackfillCommands(app, table);
  RegisterConfigCommands(app, table);
  RegisterLintCommands(app, table);
  RegisterVerifyUndoCommands(app, table);
  FlywayFlags flyway_flags;  // --default-schema, --group, ...: Flyway's settings as flags
  RegisterFlywayFlags(app, flyway_flags);

  std::vector<std::string> args(argv + 1, argv + argc);
  const bool no_color_env = std::getenv("NO_COLOR") != nullptr;
  Output early(out, err, AsksForJson(args), interactive && !no_color_env);
  try {
    std::vector<std::string> reversed(args.rbegin(), args.rend());
    app.parse(reversed);
  } catch (const CLI::CallForHelp& e) {
    out << app.help();
    return kExitOk;
  } catch (const CLI::CallForAllHelp& e) {
    out << app.help("", CLI::AppFormatMode::All);
    return kExitOk;
  } catch (const CLI::CallForVersion& e) {
    if (!AsksForJson(args)) {
      out << "strata " << kVersion << '\n';
      return kExitOk;
    }
    early.SetCommand("version");
    early.Json({{"version", kVersion}});
    return early.Finish(Ok());
  } catch (const CLI::ParseError& e) {
    const auto [command, path] = NamedCommand(app, args);
    std::string message = UnknownCommandMessage(app, args);
    if (message.empty()) message = UnknownFlagMessage(command, path, args);
    if (message.empty()) message = e.what();
    // The document names the command without the program: "db" for `strata db pnig`.
    early.SetCommand(path == "strata" ? "" : path.substr(std::string("strata ").size()));
    return early.Finish(
        Err(ErrorCode::kInvalidArgument, fmt::format("{} (run '{} --help')", message, path)),
        "usage");
  }

  const Getenv getenv = ProcessEnvironment();
  Output output(out, err, global.json, interactive && !global.no_color && !no_color_env);
  output.SetCommand(ParsedCommandPath(app));
  if (Status st = ChangeDirectory(global.directory); !st) return output.Finish(st);
  auto config = LoadConfig(ConfigFiles{global.config_path, global.flyway_config}, getenv,
                           ProcessEnvironmentNames());
  if (!config) {
    ConfigureLogging(err, "warn");
    return output.Finish(std::move(config).error());
  }
  if (global.url) {
    config->url = *global.url;
    config->sources["url"] = SettingSource::Flag("--url");
  }
  if (global.log_level) {
    config->log_level = *global.log_level;
    config->sources["log_level"] = SettingSource::Flag("--log-level");
  }
  if (Status flags = ApplyFlywayFlags(flyway_flags, *config); !flags) {
    ConfigureLogging(err, "warn");
    return output.Finish(flags, "usage");
  }
  ConfigureLogging(err, config->log_level);
  for (const std::string& warning : config->warnings) output.Warning(warning);
  if (!config->file.empty()) spdlog::debug("configuration from {}", config->file.string());

  const CommandFn* command = table.Selected(app);
  if (command == nullptr) {
    return output.Finish(Err(ErrorCode::kInvalidArgument, "no command given (see strata --help)"),
                         "usage");
  }
  // Fleets (cli/fleet.h): the command on every selected target instead of the one --url names.
  if (fleet.Requested() || fleet.AnyRolloutFlag()) {
    if (!fleet.Requested()) {
      return output.Finish(Err(ErrorCode::kInvalidArgument,
                               "--targets, --parallel, --canary, --max-failures, --shard and "
                               "--junit need a fleet: select targets with --all-targets, "
                               "--target-name, --label or --retry-failed"),
                           "usage");
    }
    const bool url_flag = global.url.has_value();
    FleetRun run{ParsedCommandPath(app), command, std::move(*config), getenv, url_flag};
    run.file_flags = FileOutputFlags(app);
    if (LiveViewWanted(interactive, global.json, fleet.no_live, getenv)) run.terminal = &out;
    return RunFleet(fleet, run, output);
  }
  Context ctx(std::move(*config), output, getenv);
  return output.Finish((*command)(ctx));
}

}  // namespace strata::cli
