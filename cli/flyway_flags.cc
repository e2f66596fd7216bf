#include "cli/flyway_flags.h"

#include <fmt/format.h>

#include <algorithm>
#include <initializer_list>
#include <string_view>

#include "cli/flyway_settings.h"

namespace strata::cli {
namespace {

// The commands a flag applies to.
enum CommandSet : unsigned {
  kMigrate = 1U << 0U,
  kBaseline = 1U << 1U,
  kInspect = 1U << 2U,     // info, validate
  kRepairUndo = 1U << 3U,  // repair, undo
  kClean = 1U << 4U,
  kLint = 1U << 5U,
  // Every command that opens a migration connection.
  kConnecting = kMigrate | kBaseline | kInspect | kRepairUndo | kClean,
  // Every command that reads the migration files.
  kReading = kConnecting | kLint,
};

enum class FlagKind { kText, kList, kSwitch };

struct FlagSpec {
  const char* key;  // the strata.toml key; the flag is its kebab-case form
  FlagKind kind;
  unsigned commands;
  const char* help;
};

const FlagSpec kFlags[] = {
    {"default_schema", FlagKind::kText, kConnecting,
     "The session's schema on every migration connection (default: the first of --schemas)"},
    // clean has its own --schemas: the schemas to clean.
    {"schemas", FlagKind::kList, kConnecting & ~kClean,
     "Schemas strata manages, comma-separated: created when missing, cleaned by clean"},
    {"create_schemas", FlagKind::kSwitch, kMigrate | kBaseline,
     "Create missing schemas (default), with Flyway's SCHEMA marker row"},
    {"validate_migration_naming", FlagKind::kSwitch, kReading,
     "Refuse misnamed migration files (default); --no-validate-migration-naming skips them, "
     "with a warning naming each"},
    {"sql_migration_prefix", FlagKind::kText, kReading,
     "Prefix of versioned migrations (default V; may be empty)"},
    {"sql_migration_separator", FlagKind::kText, kReading,
     "Separator between version and description (default __)"},
    {"sql_migration_suffixes", FlagKind::kList, kReading,
     "Suffixes of SQL migrations, comma-separated (default .sql)"},
    {"placeholder_prefix", FlagKind::kText, kConnecting, "Placeholder prefix (default ${)"},
    {"placeholder_suffix", FlagKind::kText, kConnecting, "Placeholder suffix (default })"},
    {"init_sql", FlagKind::kText, kConnecting, "SQL run on every connection opened for migrations"},
    {"connect_retries", FlagKind::kText, kConnecting, "Retries of a failed connection (default 0)"},
    {"connect_retries_interval", FlagKind::kText, kConnecting,
     "Longest wait between two connection retries, in seconds (default 120)"},
    {"installed_by", FlagKind::kText, kMigrate | kBaseline | kRepairUndo,
     "installed_by of the history rows written (default: the connected user)"},
    {"cherry_pick", FlagKind::kList, kMigrate,
     "Apply only these pending migrations: versions, or descriptions of repeatables"},
    {"skip_executing_migrations", FlagKind::kSwitch, kMigrate,
     "Record pending migrations as applied without running them"},
    {"group", FlagKind::kSwitch, kMigrate,
     "Apply every pending migration in one transaction (PostgreSQL, SQLite)"},
    {"fail_on_missing_locations", FlagKind::kSwitch, kReading,
     "A migration location that does not exist is an error (default)"},
};

std::string FlagName(std::string_view key) {
  std::string flag = "--";
  for (char c : key) flag += c == '_' ? '-' : c;
  return flag;
}

void AddFlag(CLI::App* cmd, const FlagSpec& spec, FlywayFlags& flags) {
  const std::string flag = FlagName(spec.key);
  switch (spec.kind) {
    case FlagKind::kText:
      cmd->add_option(flag, flags.text[spec.key], spec.help);
      break;
    case FlagKind::kList:
      cmd->add_option(flag, flags.lists[spec.key], spec.help)->delimiter(',');
      break;
    case FlagKind::kSwitch:
      // --x is true, --no-x false; --x=false and --x=true are accepted too, anything else is
      // a usage error naming the flag.
      flags.switch_options[spec.key].push_back(cmd->add_flag(
          fmt::format("{},!--no-{}", flag, flag.substr(2)), flags.switches[spec.key], spec.help));
      break;
  }
}

// The commands of `set`, found by name under `app` (nullptr entries for those not registered).
std::vector<CLI::App*> CommandsOf(CLI::App& app, unsigned set) {
  const auto find = [](CLI::App* parent, const char* name) -> CLI::App* {
    for (CLI::App* sub : parent->get_subcommands({})) {
      if (sub->get_name() == name) return sub;
    }
    return nullptr;
  };
  std::vector<CLI::App*> out;
  const auto add = [&](unsigned bit, std::initializer_list<const char*> names) {
    if ((set & bit) == 0) return;
    for (const char* name : names) out.push_back(find(&app, name));
  };
  add(kMigrate, {"migrate"});
  add(kBaseline, {"baseline"});
  add(kInspect, {"info", "validate"});
  add(kRepairUndo, {"repair", "undo"});
  add(kClean, {"clean"});
  add(kLint, {"lint"});
  return out;
}

// The same message with the flag named first, unless it already names it (config.Describe).
Error NamingFlag(Error error, const std::string& flag) {
  if (error.message.rfind(flag, 0) != 0) error.message = fmt::format("{}: {}", flag, error.message);
  return error;
}

}  // namespace

void RegisterFlywayFlags(CLI::App& app, FlywayFlags& flags) {
  CLI::App* show = nullptr;
  for (CLI::App* sub : app.get_subcommands({})) {
    if (sub->get_name() != "config") continue;
    for (CLI::App* s : sub->get_subcommands({})) {
      if (s->get_name() == "show") show = s;
    }
  }
  for (const FlagSpec& spec : kFlags) {
    for (CLI::App* cmd : CommandsOf(app, spec.commands)) {
      if (cmd != nullptr) AddFlag(cmd, spec, flags);
    }
    if (show != nullptr) AddFlag(show, spec, flags);
  }
}

Status ApplyFlywayFlags(const FlywayFlags& flags, Config& config) {
  for (const FlagSpec& spec : kFlags) {
    RawSetting raw;
    raw.key = spec.key;
    raw.source = SettingSource::Flag(FlagName(spec.key));
    if (spec.kind == FlagKind::kText) {
      const auto it = flags.text.find(spec.key);
      if (it == flags.text.end() || !it->second) continue;
      raw.value = *it->second;
    } else if (spec.kind == FlagKind::kList) {
      const auto it = flags.lists.find(spec.key);
      if (it == flags.lists.end() || it->second.empty()) continue;
      raw.value = it->second;
    } else {
      const auto options = flags.switch_options.find(spec.key);
      if (options == flags.switch_options.end() ||
          std::none_of(options->second.begin(), options->second.end(),
                       [](const CLI::Option* o) { return o->count() > 0; })) {
        continue;
      }
      const bool on = flags.switches.at(spec.key);
      raw.value = std::string(on ? "true" : "false");
      // Named as given: --no-x for false.
      if (!on) raw.source = SettingSource::Flag("--no-" + raw.source.where.substr(2));
    }
    if (Status applied = ApplySetting(raw, config); !applied) {
      return NamingFlag(std::move(applied).error(), raw.source.where);
    }
    // Checked flag by flag: the configuration was accepted before, so a failure is this flag's.
    if (Status checked = CheckFlywaySettings(config); !checked) {
      return NamingFlag(std::move(checked).error(), raw.source.where);
    }
  }
  return Ok();
}

}  // namespace strata::cli
