#include "cli/config.h"

#include <fmt/format.h>
#include <toml++/toml.h>
#include <unistd.h>  // environ

#include <algorithm>
#include <cstdlib>

#include "base/file.h"
#include "cli/flyway_settings.h"
#include "db/flavor/flavor.h"
#include "db/url.h"

namespace strata::cli {
namespace {

// One key of strata.toml. Every key can also be set as STRATA_<KEY IN UPPER CASE>.
enum class KeyKind {
  kText,      // a string
  kPath,      // a string; relative values in the file resolve against the file's directory
  kPathList,  // a list of strings (or one string) resolved like kPath; comma-separated in env
  kList,      // a list of strings (or one string); comma-separated in env
  kBool,      // true / false
  kTextMap,   // a table of string values ([placeholders]); env: STRATA_<KEY>_<NAME>
};

struct KeySpec {
  const char* name = nullptr;
  KeyKind kind = KeyKind::kText;
  std::string Config::*text = nullptr;
  std::vector<std::string> Config::*list = nullptr;
  bool Config::*flag = nullptr;
  std::map<std::string, std::string> Config::*map = nullptr;
};

const KeySpec kKeys[] = {
    {"url", KeyKind::kPath, &Config::url},
    {"password_file", KeyKind::kPath, &Config::password_file},
    {"log_level", KeyKind::kText, &Config::log_level},
    {"locations", KeyKind::kPathList, nullptr, &Config::locations},
    {"table", KeyKind::kText, &Config::table},
    {"schema", KeyKind::kText, &Config::schema},
    {"target", KeyKind::kText, &Config::target},
    {"out_of_order", KeyKind::kBool, nullptr, nullptr, &Config::out_of_order},
    {"validate_on_migrate", KeyKind::kBool, nullptr, nullptr, &Config::validate_on_migrate},
    {"mixed", KeyKind::kBool, nullptr, nullptr, &Config::mixed},
    {"lock_timeout", KeyKind::kText, &Config::lock_timeout},
    {"ignore_migration_patterns", KeyKind::kText, &Config::ignore_migration_patterns},
    {"placeholders", KeyKind::kTextMap, nullptr, nullptr, nullptr, &Config::placeholders},
    {"placeholder_replacement", KeyKind::kBool, nullptr, nullptr, &Config::placeholder_replacement},
    {"baseline_on_migrate", KeyKind::kBool, nullptr, nullptr, &Config::baseline_on_migrate},
    {"baseline_version", KeyKind::kText, &Config::baseline_version},
    {"baseline_description", KeyKind::kText, &Config::baseline_description},
    {"clean_disabled", KeyKind::kBool, nullptr, nullptr, &Config::clean_disabled},
    {"schemas", KeyKind::kList, nullptr, &Config::schemas},
    {"backfill_workers", KeyKind::kText, &Config::backfill_workers},
    {"backfill_chunk_target", KeyKind::kText, &Config::backfill_chunk_target},
    {"backfill_max_rows_per_second", KeyKind::kText, &Config::backfill_max_rows_per_second},
    {"backfill_max_attempts", KeyKind::kText, &Config::backfill_max_attempts},
    {"backfill_max_replica_lag", KeyKind::kText, &Config::backfill_max_replica_lag},
    {"backfill_max_connections_fraction", KeyKind::kText,
     &Config::backfill_max_connections_fraction},
    {"backfill_max_threads_running", KeyKind::kText, &Config::backfill_max_threads_running},
    {"backfill_statement_timeout", KeyKind::kText, &Config::backfill_statement_timeout},
    {"backfill_lock_timeout", KeyKind::kText, &Config::backfill_lock_timeout},
    {"backfill_reclaim_after", KeyKind::kText, &Config::backfill_reclaim_after},
    {"backfill_replicas", KeyKind::kList, nullptr, &Config::backfill_replicas},
    // Flyway settings (cli/config.h).
    {"default_schema", KeyKind::kText, &Config::default_schema},
    {"create_schemas", KeyKind::kBool, nullptr, nullptr, &Config::create_schemas},
    {"validate_migration_naming", KeyKind::kBool, nullptr, nullptr,
     &Config::validate_migration_naming},
    {"sql_migration_prefix", KeyKind::kText, &Config::sql_migration_prefix},
    {"sql_migration_separator", KeyKind::kText, &Config::sql_migration_separator},
    {"sql_migration_suffixes", KeyKind::kList, nullptr, &Config::sql_migration_suffixes},
    {"repeatable_sql_migration_prefix", KeyKind::kText, &Config::repeatable_sql_migration_prefix},
    {"undo_sql_migration_prefix", KeyKind::kText, &Config::undo_sql_migration_prefix},
    {"baseline_migration_prefix", KeyKind::kText, &Config::baseline_migration_prefix},
    {"placeholder_prefix", KeyKind::kText, &Config::placeholder_prefix},
    {"placeholder_suffix", KeyKind::kText, &Config::placeholder_suffix},
    {"init_sql", KeyKind::kText, &Config::init_sql},
    {"connect_retries", KeyKind::kText, &Config::connect_retries},
    {"connect_retries_interval", KeyKind::kText, &Config::connect_retries_interval},
    {"installed_by", KeyKind::kText, &Config::installed_by},
    {"cherry_pick", KeyKind::kList, nullptr, &Config::cherry_pick},
    {"skip_executing_migrations", KeyKind::kBool, nullptr, nullptr,
     &Config::skip_executing_migrations},
    {"group", KeyKind::kBool, nullptr, nullptr, &Config::group},
    {"fail_on_missing_locations", KeyKind::kBool, nullptr, nullptr,
     &Config::fail_on_missing_locations},
};

std::string EnvName(std::string_view key) {
  std::string out = "STRATA_";
  for (char c : key) out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::vector<std::string> SplitComma(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
  }
  return out;
}

Status SetFromEnv(const KeySpec& spec, const std::string& value, Config& config) {
  switch (spec.kind) {
    case KeyKind::kText:
    case KeyKind::kPath:
      config.*(spec.text) = value;
      return Ok();
    case KeyKind::kPathList:
    case KeyKind::kList:
      config.*(spec.list) = SplitComma(value);
      return Ok();
    case KeyKind::kTextMap:
      return Ok();  // one variable per entry: see ApplyMapEnvironment
    case KeyKind::kBool:
      if (value != "true" && value != "false") {
        return Err(ErrorCode::kInvalidArgument,
                   fmt::format("{} must be true or false, not '{}'", EnvName(spec.name), value));
      }
      config.*(spec.flag) = value == "true";
      return Ok();
  }
  return Ok();
}

// A SQLite URL or a file path written relative to strata.toml, made absolute.
std::string ResolveRelative(const std::string& value, const std::filesystem::path& dir,
                            const std::string& key) {
  if (key == "url") {
    auto url = db::ParseUrl(value);
    if (!url || !db::FlavorFor(url->dialect).database_is_file() || url->database == ":memory:" ||
        std::filesystem::path(url->database).is_absolute()) {
      return value;
    }
    return url->scheme + ":" + (dir / url->database).lexically_normal().string();
  }
  // Flyway's location prefixes: filesystem: is dropped; classpath: is left for the resolver
  // to refuse with a message naming the directory to use.
  if (key == "locations" && value.starts_with("filesystem:")) {
    return ResolveRelative(value.substr(std::string_view("filesystem:").size()), dir, key);
  }
  if (key == "locations" && value.starts_with("classpath:")) return value;
  if (value.empty() || std::filesystem::path(value).is_absolute()) return value;
  return (dir / value).lexically_normal().string();
}

std::string Location(const std::filesystem::path& file, const toml::source_region& where) {
  return fmt::format("{}:{}:{}", file.string(), where.begin.line, where.begin.column);
}

Status SetFromFile(const KeySpec& spec, const toml::node& node, Config& config,
                   const std::string& where) {
  switch (spec.kind) {
    case KeyKind::kText:
    case KeyKind::kPath: {
      const std::optional<std::string> value = node.value<std::string>();
      if (!value) {
        return Err(ErrorCode::kInvalidArgument,
                   fmt::format("{}: '{}' must be a string", where, spec.name));
      }
      config.*(spec.text) =
          spec.kind == KeyKind::kPath ? ResolveRelative(*value, config.dir, spec.name) : *value;
      return Ok();
    }
    case KeyKind::kTextMap: {
      const toml::table* entries = node.as_table();
      if (entries == nullptr) {
        return Err(ErrorCode::kInvalidArgument,
                   fmt::format("{}: '{}' must be a table of strings, e.g. [{}]", where, spec.name,
                               spec.name));
      }
      for (const auto& [name, value] : *entries) {
        auto text = value.value<std::string>();
        if (!text) {
          return Err(ErrorCode::kInvalidArgument,
                     fmt::format("{}: {}.{} must be a string", where, spec.name, name.str()));
        }
        (config.*(spec.map))[std::string(name.str())] = *text;
      }
      return Ok();
    }
    case KeyKind::kPathList:
    case KeyKind::kList: {
      std::vector<std::string> items;
      if (auto one = node.value<std::string>()) {
        items.push_back(*one);
      } else if (const toml::array* array = node.as_array()) {
        for (const toml::node& item : *array) {
          auto text = item.value<std::string>();
          if (!text) {
            return Err(ErrorCode::kInvalidArgument,
                       fmt::format("{}: '{}' must be a list of strings", where, spec.name));
          }
          items.push_back(*text);
        }
      } else {
        return Err(ErrorCode::kInvalidArgument,
                   fmt::format("{}: '{}' must be a list of strings", where, spec.name));
      }
      if (spec.kind == KeyKind::kPathList) {
        for (std::string& item : items) item = ResolveRelative(item, config.dir, spec.name);
      }
      config.*(spec.list) = std::move(items);
      return Ok();
    }
    case KeyKind::kBool: {
      const std::optional<bool> value = node.value<bool>();
      if (!value) {
        return Err(ErrorCode::kInvalidArgument,
                   fmt::format("{}: '{}' must be true or false", where, spec.name));
      }
      config.*(spec.flag) = *value;
      return Ok();
    }
  }
  return Ok();
}

// STRATA_PLACEHOLDERS_<NAME>=value sets placeholders[<name in lower case>], as Flyway does
// for FLYWAY_PLACEHOLDERS_<NAME>.
void ApplyMapEnvironment(const KeySpec& spec, const std::vector<std::string>& env_names,
                         const Getenv& getenv, Config& config) {
  const std::string prefix = EnvName(spec.name) + "_";
  for (const std::string& var : env_names) {
    if (var.size() <= prefix.size() || var.compare(0, prefix.size(), prefix) != 0) continue;
    auto value = getenv(var);
    if (!value) continue;
    std::string name = var.substr(prefix.size());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    (config.*(spec.map))[name] = *value;
  }
}

Status ApplyFile(const std::filesystem::path& path, Config& config) {
  STRATA_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  toml::table table;
  try {
    // Debian builds toml++ with exceptions, so a syntax error arrives as toml::parse_error.
    table = toml::parse(text, path.string());
  } catch (const toml::parse_error& e) {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("{}: {}", Location(path, e.source()), e.description()));
  }
  if (table.contains("password")) {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("{}: a password does not belong in strata.toml: use password_file, "
                           "STRATA_PASSWORD or the URL",
                           Location(path, table.find("password")->first.source())));
  }
  for (const auto& [key, node] : table) {
    const KeySpec* spec = nullptr;
    for (const KeySpec& k : kKeys) {
      if (key.str() == k.name) spec = &k;
    }
    if (spec == nullptr) {
      return Err(ErrorCode::kInvalidArgument,
                 fmt::format("{}: unknown key '{}' (known keys: {})", Location(path, key.source()),
                             key.str(), fmt::join(KnownConfigKeys(), ", ")));
    }
    STRATA_TRY(SetFromFile(*spec, node, config, Location(path, node.source())));
  }
  return Ok();
}

}  // namespace

Getenv ProcessEnvironment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr || *value == '\0') return std::nullopt;
    return std::string(value);
  };
}

std::vector<std::string> ProcessEnvironmentNames() {
  std::vector<std::string> names;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    std::string_view text(*entry);
    names.emplace_back(text.substr(0, text.find('=')));
  }
  return names;
}

Result<Config> LoadConfig(const std::filesystem::path& explicit_path, const Getenv& getenv,
                          const std::vector<std::string>& env_names) {
  Config config;
  config.dir = std::filesystem::current_path();
  std::filesystem::path path = explicit_path;
  if (path.empty()) {
    if (auto from_env = getenv("STRATA_CONFIG")) path = *from_env;
  }
  if (path.empty() && std::filesystem::exists("strata.toml")) path = "strata.toml";
  if (!path.empty()) {
    if (!std::filesystem::exists(path)) {
      return Err(ErrorCode::kNotFound,
                 fmt::format("configuration file {} does not exist", path.string()));
    }
    config.file = std::filesystem::absolute(path).lexically_normal();
    config.dir = config.file.parent_path();
    STRATA_TRY(ApplyFile(path, config));
  }
  for (const KeySpec& k : kKeys) {
    if (auto value = getenv(EnvName(k.name))) STRATA_TRY(SetFromEnv(k, *value, config));
    if (k.kind == KeyKind::kTextMap) ApplyMapEnvironment(k, env_names, getenv, config);
  }
  if (config.locations.empty()) config.locations.push_back((config.dir / "migrations").string());
  STRATA_TRY(CheckFlywaySettings(config));
  return config;
}

Result<std::optional<std::string>> ResolvePassword(const Config& config, const Getenv& getenv) {
  if (auto pw = getenv("STRATA_PASSWORD")) return std::optional<std::string>(*pw);
  if (config.password_file.empty()) return std::optional<std::string>();
  auto content = ReadFile(config.password_file);
  if (!content) return std::move(content).error().WithContext("password_file");
  std::string password = *content;
  password = password.substr(0, password.find_first_of("\r\n"));
  return std::optional<std::string>(std::move(password));
}

std::vector<std::string> KnownConfigKeys() {
  std::vector<std::string> names;
  for (const KeySpec& k : kKeys) names.emplace_back(k.name);
  return names;
}

}  // namespace strata::cli
