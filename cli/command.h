// The command table. Each cli/<command>.cc defines one Register function that adds its CLI11
// subcommand, binds the flags to its options struct, and sets the function to run. Only
// implemented commands are registered.
#ifndef STRATA_CLI_COMMAND_H_
#define STRATA_CLI_COMMAND_H_

#include <CLI/CLI.hpp>
#include <functional>
#include <map>

#include "base/result.h"
#include "cli/context.h"

namespace strata::cli {

using CommandFn = std::function<Status(Context&)>;

// Maps each runnable (sub)command to its function.
class CommandTable {
 public:
  void Add(CLI::App* command, CommandFn fn) { commands_[command] = std::move(fn); }
  // The function of the deepest parsed subcommand under `app`, or nullptr.
  const CommandFn* Selected(CLI::App& app) const;

 private:
  std::map<const CLI::App*, CommandFn> commands_;
};

void RegisterDbCommands(CLI::App& app, CommandTable& table);
void RegisterMigrateCommands(CLI::App& app, CommandTable& table);
void RegisterSchemaCommands(CLI::App& app, CommandTable& table);
void RegisterSumCommands(CLI::App& app, CommandTable& table);
void RegisterLifecycleCommands(CLI::App& app, CommandTable& table);
void RegisterBackfillCommands(CLI::App& app, CommandTable& table);
void RegisterConfigCommands(CLI::App& app, CommandTable& table);
void RegisterLintCommands(CLI::App& app, CommandTable& table);
void RegisterVerifyUndoCommands(CLI::App& app, CommandTable& table);

}  // namespace strata::cli

#endif  // STRATA_CLI_COMMAND_H_
