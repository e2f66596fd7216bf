// Over 600 lines: the table of keys, the sources they are read from (file, variables, Flyway's
// configuration), the checks of their values and their display in `config show` share the one
// table and are read together.
#include "cli/config.h"

#include <fmt/format.h>
#include <toml++/toml.h>
#include <unistd.h>  // environ

#include <algorithm>
#include <charconv>
#include <cstdlib>

#include "base/duration.h"
#include "base/file.h"
#include "cli/flyway_config.h"
#include "cli/flyway_settings.h"
#include "cli/suggest.h"
#include "db/flavor/flavor.h"
#include "db/url.h"
#include "migrations/plan.h"
#include "migrations/version.h"

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
    {"cancel_orphans", KeyKind::kBool, nullptr, nullptr, &Config::cancel_orphans},
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
    {"lint", KeyKind::kTextMap, nullptr, nullptr, nullptr, &Config::lint},
    {"lint_large_table", KeyKind::kText, &Config::lint_large_table},
    {"lint_on_migrate", KeyKind::kBool, nullptr, nullptr, &Config::lint_on_migrate},
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

// How messages name `key` set by `source`: "strata.toml:7:19: backfill_workers",
// "STRATA_BACKFILL_WORKERS", "--workers", or the key itself for a default.
std::string Label(const SettingSource& source, const std::string& key) {
  switch (source.kind) {
    case SettingSource::Kind::kFile:
      return fmt::format("{}: {}", source.where, key);
    case SettingSource::Kind::kEnvironment:
    case SettingSource::Kind::kFlag:
      return source.where;
    case SettingSource::Kind::kDefault:
      break;
  }
  return key;
}

std::string ResolveRelative(const std::string& value, const std::filesystem::path& dir,
                            const std::string& key);

// A value written as text (environment variables, flyway.conf): lists comma-separated,
// booleans true/false. Relative paths resolve against `base_dir` when it is not empty.
Status SetFromText(const KeySpec& spec, const std::string& value, const SettingSource& source,
                   const std::filesystem::path& base_dir, Config& config) {
  const auto resolve = [&](const std::string& v) {
    return base_dir.empty() ? v : ResolveRelative(v, base_dir, spec.name);
  };
  switch (spec.kind) {
    case KeyKind::kText:
      config.*(spec.text) = value;
      break;
    case KeyKind::kPath:
      config.*(spec.text) = resolve(value);
      break;
    case KeyKind::kPathList:
    case KeyKind::kList: {
      std::vector<std::string> items = SplitComma(value);
      if (spec.kind == KeyKind::kPathList) {
        for (std::string& item : items) item = resolve(item);
      }
      config.*(spec.list) = std::move(items);
      break;
    }
    case KeyKind::kTextMap:
      return Ok();  // one variable per entry: see ApplyMapEnvironment
    case KeyKind::kBool:
      if (value != "true" && value != "false") {
        return Err(ErrorCode::kInvalidArgument, fmt::format("{} must be true or false, not '{}'",
                                                            Label(source, spec.name), value));
      }
      config.*(spec.flag) = value == "true";
      break;
  }
  config.sources[spec.name] = source;
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

// The same, with the file the parser recorded in the region.
std::string Location(const toml::source_region& where) {
  return Location(where.path ? *where.path : std::string("strata.toml"), where);
}

// A text setting as written: a string, or a number, which strata keeps as text and checks
// later (`backfill_workers = 4` means what `backfill_workers = "4"` does); nullopt otherwise.
std::optional<std::string> TextOf(const toml::node& node) {
  if (auto text = node.value_exact<std::string>()) return text;
  if (auto whole = node.value_exact<std::int64_t>()) return std::to_string(*whole);
  if (auto real = node.value_exact<double>()) return fmt::format("{}", *real);
  return std::nullopt;
}

// A value from strata.toml; `where` is its file:line:col.
Status SetFromFile(const KeySpec& spec, const toml::node& node, Config& config,
                   const std::string& where) {
  if (spec.kind != KeyKind::kTextMap) config.sources[spec.name] = SettingSource::File(where);
  switch (spec.kind) {
    case KeyKind::kText:
    case KeyKind::kPath: {
      const std::optional<std::string> value =
          spec.kind == KeyKind::kText ? TextOf(node) : node.value_exact<std::string>();
      if (!value) {
        return Err(ErrorCode::kInvalidArgument,
                   fmt::format("{}: '{}' must be a {}", where, spec.name,
                               spec.kind == KeyKind::kText ? "string or a number" : "string"));
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
        // The entry's own position, not the table header's.
        const std::string at = Location(value.source());
        auto text = value.value<std::string>();
        if (!text) {
          return Err(ErrorCode::kInvalidArgument,
                     fmt::format("{}: {}.{} must be a string", at, spec.name, name.str()));
        }
        (config.*(spec.map))[std::string(name.str())] = *text;
        config.sources[fmt::format("{}.{}", spec.name, name.str())] = SettingSource::File(at);
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
                       fmt::format("{}: '{}' must be a list of strings", Location(item.source()),
                                   spec.name));
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
    config.sources[fmt::format("{}.{}", spec.name, name)] = SettingSource::Environment(var);
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
    if (key.str() == "targets") continue;  // [[targets]]: a fleet's, read by cli/fleet_targets.h
    const KeySpec* spec = nullptr;
    for (const KeySpec& k : kKeys) {
      if (key.str() == k.name) spec = &k;
    }
    if (spec == nullptr) {
      const std::vector<std::string> known = KnownConfigKeys();
      const std::optional<std::string> near = ClosestMatch(key.str(), known);
      return Err(
          ErrorCode::kInvalidArgument,
          near ? fmt::format("{}: unknown key '{}' (did you mean {}?)",
                             Location(path, key.source()), key.str(), *near)
               : fmt::format("{}: unknown key '{}' (known keys: {})", Location(path, key.source()),
                             key.str(), fmt::join(known, ", ")));
    }
    STRATA_TRY(SetFromFile(*spec, node, config, Location(path, node.source())));
  }
  return Ok();
}

const KeySpec* FindKey(std::string_view name) {
  for (const KeySpec& k : kKeys) {
    if (name == k.name) return &k;
  }
  return nullptr;
}

// A setting from the Flyway reader (or any source written as text or a list).
Status ApplyRaw(const RawSetting& raw, Config& config) {
  const KeySpec* spec = FindKey(raw.key);
  if (spec == nullptr) {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("{}: not a strata setting", Label(raw.source, raw.key)));
  }
  if (spec->kind == KeyKind::kTextMap) {
    const std::string* text = std::get_if<std::string>(&raw.value);
    if (text == nullptr || raw.entry.empty()) {
      return Err(ErrorCode::kInvalidArgument,
                 fmt::format("{} must be a text value per entry", Label(raw.source, raw.key)));
    }
    (config.*(spec->map))[raw.entry] = *text;
    config.sources[fmt::format("{}.{}", raw.key, raw.entry)] = raw.source;
    return Ok();
  }
  if (const auto* text = std::get_if<std::string>(&raw.value)) {
    return SetFromText(*spec, *text, raw.source, raw.base_dir, config);
  }
  std::vector<std::string> items = std::get<std::vector<std::string>>(raw.value);
  if (spec->kind != KeyKind::kList && spec->kind != KeyKind::kPathList) {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("{} takes one value, not a list", Label(raw.source, raw.key)));
  }
  if (spec->kind == KeyKind::kPathList && !raw.base_dir.empty()) {
    for (std::string& item : items) item = ResolveRelative(item, raw.base_dir, raw.key);
  }
  config.*(spec->list) = std::move(items);
  config.sources[raw.key] = raw.source;
  return Ok();
}

// ---- Values checked as the configuration loads --------------------------------------------
// So that a bad value is reported with its true source (file:line:col, variable or flag)
// before any command starts, rather than later under a flag's name.

template <typename T>
Status StatusOf(Result<T> result) {
  if (!result) return std::move(result).error();
  return Ok();
}

Status CheckLogLevel(const std::string& value) {
  static const std::vector<std::string> kLevels = {"trace", "debug", "info",
                                                   "warn",  "error", "off"};
  if (std::find(kLevels.begin(), kLevels.end(), value) != kLevels.end()) return Ok();
  return Err(ErrorCode::kInvalidArgument,
             fmt::format("must be one of {}, not '{}'", fmt::join(kLevels, ", "), value));
}

Status CheckDuration(const std::string& value) { return StatusOf(ParseDuration(value)); }

Status CheckPositiveDuration(const std::string& value) {
  STRATA_ASSIGN_OR_RETURN(std::chrono::milliseconds d, ParseDuration(value));
  if (d.count() > 0) return Ok();
  return Err(ErrorCode::kInvalidArgument, fmt::format("must be longer than 0, not '{}'", value));
}

Status CheckWholeNumber(const std::string& value, std::int64_t min) {
  std::int64_t v = 0;
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (ec != std::errc() || ptr != value.data() + value.size() || v < min) {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("must be a whole number of at least {}, not '{}'", min, value));
  }
  return Ok();
}

Status CheckNumber(const std::string& value) {
  double v = 0;
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (ec != std::errc() || ptr != value.data() + value.size() || v < 0) {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("must be a number of at least 0, not '{}'", value));
  }
  return Ok();
}

struct KeyCheck {
  const char* name = nullptr;
  Status (*check)(const std::string& value) = nullptr;
};

const KeyCheck kChecks[] = {
    {"log_level", CheckLogLevel},
    {"lock_timeout", CheckDuration},
    {"target", [](const std::string& v) { return StatusOf(migrations::Target::Parse(v)); }},
    {"baseline_version",
     [](const std::string& v) { return StatusOf(migrations::Version::Parse(v)); }},
    {"ignore_migration_patterns",
     [](const std::string& v) { return StatusOf(migrations::IgnorePattern::ParseList(v)); }},
    {"backfill_workers", [](const std::string& v) { return CheckWholeNumber(v, 1); }},
    {"backfill_chunk_target", CheckPositiveDuration},
    {"backfill_max_rows_per_second", CheckNumber},
    {"backfill_max_attempts", [](const std::string& v) { return CheckWholeNumber(v, 1); }},
    {"backfill_max_replica_lag", CheckPositiveDuration},
    {"backfill_max_connections_fraction", CheckNumber},
    {"backfill_max_threads_running", [](const std::string& v) { return CheckWholeNumber(v, 0); }},
    {"backfill_statement_timeout", CheckPositiveDuration},
    {"backfill_lock_timeout", CheckPositiveDuration},
    {"backfill_reclaim_after", CheckPositiveDuration},
};

Status CheckValues(const Config& config) {
  for (const KeyCheck& c : kChecks) {
    const KeySpec* spec = FindKey(c.name);
    if (spec == nullptr || spec->text == nullptr) continue;
    if (Status st = c.check(config.*(spec->text)); !st) {
      return Err(ErrorCode::kInvalidArgument,
                 fmt::format("{}: {}", config.Describe(c.name), st.error().message));
    }
  }
  return Ok();
}

// strata.toml: -c/--config, else STRATA_CONFIG, else ./strata.toml when it exists; empty when
// none is in use.
std::filesystem::path StrataFile(const std::filesystem::path& explicit_path, const Getenv& getenv) {
  if (!explicit_path.empty()) return explicit_path;
  if (auto from_env = getenv("STRATA_CONFIG")) return *from_env;
  if (std::filesystem::exists("strata.toml")) return "strata.toml";
  return {};
}

// --flyway-config, else (only without strata.toml) ./flyway.toml or ./flyway.conf.
Result<std::filesystem::path> FlywayFile(const ConfigFiles& files, bool strata_in_use) {
  if (!files.flyway.empty() || strata_in_use) return files.flyway;
  const bool toml = std::filesystem::exists("flyway.toml");
  const bool conf = std::filesystem::exists("flyway.conf");
  if (toml && conf) {
    return Err(ErrorCode::kInvalidArgument,
               "both flyway.toml and flyway.conf are in the working directory: name the one to "
               "use with --flyway-config");
  }
  if (toml) return std::filesystem::path("flyway.toml");
  if (conf) return std::filesystem::path("flyway.conf");
  return std::filesystem::path();
}

Status MustExist(const std::filesystem::path& path) {
  if (std::filesystem::exists(path)) return Ok();
  return Err(ErrorCode::kNotFound,
             fmt::format("configuration file {} does not exist", path.string()));
}

// strata's own values where Flyway's defaults differ and a Flyway configuration is in use:
// the history table Flyway writes is flyway_schema_history.
void UseFlywayDefaults(Config& config) {
  config.table = "flyway_schema_history";
  config.sources["table"] = SettingSource{SettingSource::Kind::kDefault, "Flyway's default"};
}

// FLYWAY_* variables are not read beside strata.toml; say so rather than ignore them silently.
void WarnAboutFlywayVariables(const std::vector<std::string>& env_names, Config& config) {
  std::vector<std::string> ignored;
  for (const std::string& name : env_names) {
    if (name.rfind("FLYWAY_", 0) == 0) ignored.push_back(name);
  }
  if (ignored.empty()) return;
  config.warnings.push_back(
      fmt::format("{} not read: strata.toml is in use, and its settings and STRATA_* variables "
                  "apply instead",
                  fmt::join(ignored, ", ")));
}

std::string Redact(const std::string& url) {
  if (url.empty()) return url;
  auto parsed = db::ParseUrl(url);
  return parsed ? parsed->Redacted() : db::RedactUrlText(url);
}

bool LooksSecret(std::string name) {
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const char* word : {"password", "passwd", "secret", "token", "credential"}) {
    if (name.find(word) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

std::string SettingSource::KindName() const {
  switch (kind) {
    case Kind::kFile:
      return "file";
    case Kind::kEnvironment:
      return "environment";
    case Kind::kFlag:
      return "flag";
    case Kind::kDefault:
      break;
  }
  return "default";
}

std::string SettingSource::ToString() const {
  if (kind != Kind::kDefault) return where;
  return where.empty() ? "default" : fmt::format("default ({})", where);
}

SettingSource Config::SourceOf(const std::string& key) const {
  auto it = sources.find(key);
  return it == sources.end() ? SettingSource() : it->second;
}

std::string Config::Describe(const std::string& key) const { return Label(SourceOf(key), key); }

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
  return LoadConfig(ConfigFiles{explicit_path, {}}, getenv, env_names);
}

Result<Config> LoadConfig(const ConfigFiles& files, const Getenv& getenv,
                          const std::vector<std::string>& env_names) {
  Config config;
  config.dir = std::filesystem::current_path();
  const std::filesystem::path strata = StrataFile(files.strata, getenv);
  STRATA_ASSIGN_OR_RETURN(const std::filesystem::path flyway, FlywayFile(files, !strata.empty()));
  config.flyway_environment = strata.empty();

  // Lowest first: the Flyway file and FLYWAY_* variables, strata.toml, STRATA_* variables.
  if (!flyway.empty() || config.flyway_environment) {
    if (!flyway.empty()) {
      STRATA_TRY(MustExist(flyway));
      config.file = std::filesystem::absolute(flyway).lexically_normal();
      config.dir = config.file.parent_path();
    }
    STRATA_ASSIGN_OR_RETURN(FlywaySettings read,
                            ReadFlywayConfig(flyway, config.flyway_environment, getenv, env_names));
    if (!flyway.empty() || !read.settings.empty()) UseFlywayDefaults(config);
    for (const RawSetting& raw : read.settings) STRATA_TRY(ApplyRaw(raw, config));
    config.warnings = std::move(read.warnings);
  }
  if (!config.flyway_environment) WarnAboutFlywayVariables(env_names, config);
  if (!strata.empty()) {
    STRATA_TRY(MustExist(strata));
    config.file = std::filesystem::absolute(strata).lexically_normal();
    config.dir = config.file.parent_path();
    STRATA_TRY(ApplyFile(strata, config));
  }
  for (const KeySpec& k : kKeys) {
    if (auto value = getenv(EnvName(k.name))) {
      STRATA_TRY(SetFromText(k, *value, SettingSource::Environment(EnvName(k.name)), {}, config));
    }
    if (k.kind == KeyKind::kTextMap) ApplyMapEnvironment(k, env_names, getenv, config);
  }
  STRATA_TRY(CheckValues(config));
  if (config.locations.empty()) config.locations.push_back((config.dir / "migrations").string());
  STRATA_TRY(CheckFlywaySettings(config));
  return config;
}

Result<std::optional<std::string>> ResolvePassword(const Config& config, const Getenv& getenv) {
  if (auto pw = getenv("STRATA_PASSWORD")) return std::optional<std::string>(*pw);
  if (config.flyway_environment) {
    if (auto pw = getenv("FLYWAY_PASSWORD")) return std::optional<std::string>(*pw);
  }
  if (config.password_file.empty()) return std::optional<std::string>();
  auto content = ReadFile(config.password_file);
  if (!content) return std::move(content).error().WithContext("password_file");
  std::string password = *content;
  password = password.substr(0, password.find_first_of("\r\n"));
  return std::optional<std::string>(std::move(password));
}

Status ApplySetting(const RawSetting& raw, Config& config) { return ApplyRaw(raw, config); }

std::vector<std::string> KnownConfigKeys() {
  std::vector<std::string> names;
  for (const KeySpec& k : kKeys) names.emplace_back(k.name);
  return names;
}

}  // namespace strata::cli

namespace strata::cli {

std::vector<EffectiveSetting> EffectiveSettings(const Config& config) {
  std::vector<EffectiveSetting> out;
  for (const KeySpec& k : kKeys) {
    const std::string key = k.name;
    switch (k.kind) {
      case KeyKind::kText:
      case KeyKind::kPath:
        out.push_back({key, key == "url" ? Redact(config.*(k.text)) : config.*(k.text),
                       config.SourceOf(key)});
        break;
      case KeyKind::kList:
      case KeyKind::kPathList: {
        std::vector<std::string> items = config.*(k.list);
        if (key == "backfill_replicas") {
          for (std::string& item : items) item = Redact(item);
        }
        out.push_back({key, std::move(items), config.SourceOf(key)});
        break;
      }
      case KeyKind::kBool:
        out.push_back({key, config.*(k.flag), config.SourceOf(key)});
        break;
      case KeyKind::kTextMap:
        for (const auto& [name, value] : config.*(k.map)) {
          const std::string entry = fmt::format("{}.{}", key, name);
          out.push_back(
              {entry, LooksSecret(name) ? std::string("***") : value, config.SourceOf(entry)});
        }
        break;
    }
  }
  return out;
}

}  // namespace strata::cli
