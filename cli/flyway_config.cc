// One file over 600 lines: the table of Flyway keys, the two file formats, the variables and
// their translation into strata's keys are one contract, read together.
#include "cli/flyway_config.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>
#include <variant>

#include "base/file.h"
#include "cli/jdbc_url.h"
#include "cli/suggest.h"
#include "db/url.h"

namespace strata::cli {
namespace {

namespace fs = std::filesystem;

// ---- The keys ----------------------------------------------------------------------------

enum class Disposition {
  kSame,      // the strata.toml key of the same name in snake_case
  kSpecial,   // translated by its own code below (url, user, password, locations, encoding)
  kRefused,   // an error: `why` says what to do instead
  kNoEffect,  // accepted with a warning: `why` says why it changes nothing in strata
};

struct FlywayKey {
  const char* name = nullptr;  // Flyway's name, without the `flyway.` of flyway.conf
  Disposition what = Disposition::kRefused;
  const char* why = "";
};

// Every Flyway setting strata knows. A Flyway key not listed is refused as unknown.
const FlywayKey kFlywayKeys[] = {
    {"url", Disposition::kSpecial},
    {"user", Disposition::kSpecial},
    {"password", Disposition::kSpecial},
    {"locations", Disposition::kSpecial},
    {"encoding", Disposition::kSpecial},
    {"table", Disposition::kSame},
    {"schemas", Disposition::kSame},
    {"defaultSchema", Disposition::kSame},
    {"createSchemas", Disposition::kSame},
    {"target", Disposition::kSame},
    {"outOfOrder", Disposition::kSame},
    {"validateOnMigrate", Disposition::kSame},
    {"mixed", Disposition::kSame},
    {"ignoreMigrationPatterns", Disposition::kSame},
    {"baselineOnMigrate", Disposition::kSame},
    {"baselineVersion", Disposition::kSame},
    {"baselineDescription", Disposition::kSame},
    {"cleanDisabled", Disposition::kSame},
    {"placeholderReplacement", Disposition::kSame},
    {"placeholderPrefix", Disposition::kSame},
    {"placeholderSuffix", Disposition::kSame},
    {"sqlMigrationPrefix", Disposition::kSame},
    {"sqlMigrationSeparator", Disposition::kSame},
    {"sqlMigrationSuffixes", Disposition::kSame},
    {"repeatableSqlMigrationPrefix", Disposition::kSame},
    {"undoSqlMigrationPrefix", Disposition::kSame},
    {"baselineMigrationPrefix", Disposition::kSame},
    {"validateMigrationNaming", Disposition::kSame},
    {"initSql", Disposition::kSame},
    {"connectRetries", Disposition::kSame},
    {"connectRetriesInterval", Disposition::kSame},
    {"installedBy", Disposition::kSame},
    {"cherryPick", Disposition::kSame},
    {"skipExecutingMigrations", Disposition::kSame},
    {"group", Disposition::kSame},
    {"failOnMissingLocations", Disposition::kSame},
    {"lockRetryCount", Disposition::kRefused,
     "strata waits for the migration lock up to lock_timeout, a duration (default 10m), "
     "instead of counting retries: set lock_timeout"},
    {"cleanOnValidationError", Disposition::kRefused,
     "strata never cleans on its own: run `strata clean` explicitly"},
    {"ignoreMissingMigrations", Disposition::kRefused,
     "removed in Flyway 9: use ignoreMigrationPatterns = *:missing"},
    {"ignoreIgnoredMigrations", Disposition::kRefused,
     "removed in Flyway 9: use ignoreMigrationPatterns = *:ignored"},
    {"ignorePendingMigrations", Disposition::kRefused,
     "removed in Flyway 9: use ignoreMigrationPatterns = *:pending"},
    {"ignoreFutureMigrations", Disposition::kRefused,
     "removed in Flyway 9: use ignoreMigrationPatterns = *:future"},
    {"callbacks", Disposition::kRefused,
     "Java callbacks cannot run in strata; SQL callback files in the locations run as in Flyway"},
    {"skipDefaultCallbacks", Disposition::kRefused,
     "strata always runs the SQL callback files it finds in the locations"},
    {"resolvers", Disposition::kRefused,
     "Java migration resolvers cannot run in strata; native steps are .job files"},
    {"skipDefaultResolvers", Disposition::kRefused, "strata has one resolver, for files"},
    {"jarDirs", Disposition::kRefused,
     "Java migrations cannot run in strata; native steps are .job files"},
    {"placeholderSeparator", Disposition::kRefused,
     "strata's built-in placeholders are spelled ${flyway:name} or ${strata:name}"},
    {"scriptPlaceholderPrefix", Disposition::kRefused, "strata has no script placeholders"},
    {"scriptPlaceholderSuffix", Disposition::kRefused, "strata has no script placeholders"},
    {"tablespace", Disposition::kRefused,
     "strata creates the history table in the default tablespace"},
    {"batch", Disposition::kRefused, "strata runs statements one by one"},
    {"stream", Disposition::kRefused, "strata reads each script whole"},
    {"outputQueryResults", Disposition::kRefused, "strata does not print query results"},
    {"errorOverrides", Disposition::kRefused, "every SQL error fails the migration in strata"},
    {"dryRunOutput", Disposition::kRefused, "use --dry-run-output FILE"},
    {"detectEncoding", Disposition::kRefused, "strata reads UTF-8 only"},
    {"configFiles", Disposition::kRefused, "name the one file with --flyway-config"},
    {"configFileEncoding", Disposition::kRefused, "strata reads configuration as UTF-8"},
    {"workingDirectory", Disposition::kRefused, "use -C DIR"},
    {"jdbcProperties", Disposition::kRefused,
     "write driver options as parameters of strata's URL (README: Database URLs)"},
    {"kerberosConfigFile", Disposition::kRefused, "strata does not log in with Kerberos"},
    {"outputType", Disposition::kRefused, "use --json"},
    {"reportEnabled", Disposition::kRefused, "strata writes no HTML report; --json is its output"},
    {"reportFilename", Disposition::kRefused, "strata writes no HTML report"},
    {"driver", Disposition::kNoEffect, "strata picks its driver from the URL"},
    {"licenseKey", Disposition::kNoEffect, "strata needs no license"},
    {"color", Disposition::kNoEffect, "use --no-color"},
    {"loggers", Disposition::kNoEffect, "strata logs to stderr (--log-level)"},
    {"postgresql.transactional.lock", Disposition::kNoEffect,
     "strata always takes a session lock on a connection of its own (docs/flyway.md §4)"},
};

const FlywayKey* FindFlywayKey(std::string_view name) {
  for (const FlywayKey& k : kFlywayKeys) {
    if (name == k.name) return &k;
  }
  return nullptr;
}

// outOfOrder → out_of_order; postgresql.transactional.lock → postgresql_transactional_lock.
std::string SnakeCase(std::string_view camel) {
  std::string out;
  for (char c : camel) {
    if (c == '.') {
      out += '_';
    } else if (std::isupper(static_cast<unsigned char>(c)) != 0) {
      out += '_';
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else {
      out += c;
    }
  }
  return out;
}

// Flyway's environment variable for a key: outOfOrder → FLYWAY_OUT_OF_ORDER.
std::string EnvironmentName(std::string_view key) {
  std::string out = "FLYWAY_";
  for (char c : SnakeCase(key)) {
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

// ---- Values as read, before translation ----------------------------------------------------

struct FlywayValue {
  std::string key;      // Flyway's name: "outOfOrder", "placeholders.owner"
  std::string written;  // as its source names it: "flyway.outOfOrder", "FLYWAY_OUT_OF_ORDER"
  std::variant<std::string, std::vector<std::string>> value;
  SettingSource source;
  fs::path base_dir;  // the file's directory; empty for variables
};

// How a message names the key: "flyway.conf:3:16: key flyway.outOfOrder" or the variable.
std::string Named(const FlywayValue& v) {
  if (v.source.kind == SettingSource::Kind::kFile) {
    return fmt::format("{}: key {}", v.source.where, v.written);
  }
  return v.written;
}

Error Invalid(std::string message) { return Err(ErrorCode::kInvalidArgument, std::move(message)); }

// `${NAME}` (flyway.conf) or `${env.NAME}` (flyway.toml) replaced by the variable's value.
// Flyway's other resolvers (vault, secret managers) are refused.
Result<std::string> Substitute(const std::string& text, bool toml, const Getenv& getenv,
                               const std::string& where) {
  std::string out;
  std::size_t pos = 0;
  while (true) {
    const std::size_t open = text.find("${", pos);
    const std::size_t close = open == std::string::npos ? open : text.find('}', open);
    if (close == std::string::npos) break;
    std::string name = text.substr(open + 2, close - open - 2);
    if (toml) {
      if (name.rfind("env.", 0) != 0) {
        return Invalid(
            fmt::format("{}: ${{{}}}: strata resolves only environment variables (${{env.NAME}})",
                        where, name));
      }
      name = name.substr(4);
    }
    auto value = getenv(name);
    if (!value) {
      return Invalid(fmt::format("{}: environment variable {} is not set", where, name));
    }
    out += text.substr(pos, open - pos) + *value;
    pos = close + 1;
  }
  return out + text.substr(pos);
}

// ---- flyway.conf -------------------------------------------------------------------------

// Java properties: `key=value`, `key: value` or `key value`; `#` and `!` comment lines; a line
// ending in an odd number of backslashes continues on the next (its leading blanks dropped);
// backslash escapes (\t \n \r \f \uXXXX, else the character itself).
struct Property {
  std::string key;
  std::string value;
  int line = 0;
  int column = 0;  // of the value
};

std::string Unescape(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\' || i + 1 == text.size()) {
      out += text[i];
      continue;
    }
    const char c = text[++i];
    if (c == 'u' && i + 4 < text.size()) {
      unsigned code = 0;
      const auto hex = text.substr(i + 1, 4);
      if (hex.size() == 4 &&
          std::from_chars(hex.data(), hex.data() + 4, code, 16).ec == std::errc()) {
        // UTF-8 of a BMP code point.
        if (code < 0x80) {
          out += static_cast<char>(code);
        } else if (code < 0x800) {
          out += static_cast<char>(0xC0 | (code >> 6));
          out += static_cast<char>(0x80 | (code & 0x3F));
        } else {
          out += static_cast<char>(0xE0 | (code >> 12));
          out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
          out += static_cast<char>(0x80 | (code & 0x3F));
        }
        i += 4;
        continue;
      }
    }
    out += c == 't' ? '\t' : c == 'n' ? '\n' : c == 'r' ? '\r' : c == 'f' ? '\f' : c;
  }
  return out;
}

bool EndsWithOddBackslashes(std::string_view line) {
  std::size_t n = 0;
  while (n < line.size() && line[line.size() - 1 - n] == '\\') ++n;
  return n % 2 == 1;
}

std::vector<Property> ParseProperties(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
    start = end + 1;
  }
  std::vector<Property> out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string& first = lines[i];
    const std::size_t begin = first.find_first_not_of(" \t\f");
    if (begin == std::string::npos || first[begin] == '#' || first[begin] == '!') continue;
    const int line_number = static_cast<int>(i) + 1;
    std::string logical = first.substr(begin);
    while (EndsWithOddBackslashes(logical) && i + 1 < lines.size()) {
      logical.pop_back();
      const std::string& next = lines[++i];
      const std::size_t lead = next.find_first_not_of(" \t\f");
      if (lead != std::string::npos) logical += next.substr(lead);
    }
    std::size_t k = 0;
    while (k < logical.size() && logical[k] != '=' && logical[k] != ':' && logical[k] != ' ' &&
           logical[k] != '\t') {
      k += logical[k] == '\\' ? 2 : 1;
    }
    k = std::min(k, logical.size());
    std::size_t v = logical.find_first_not_of(" \t\f", k);
    if (v != std::string::npos && (logical[v] == '=' || logical[v] == ':')) {
      v = logical.find_first_not_of(" \t\f", v + 1);
    }
    if (v == std::string::npos) v = logical.size();
    out.push_back({Unescape(logical.substr(0, k)), Unescape(logical.substr(v)), line_number,
                   static_cast<int>(begin + v) + 1});
  }
  return out;
}

Result<std::vector<FlywayValue>> ReadConf(const fs::path& path, const Getenv& getenv) {
  STRATA_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  std::vector<FlywayValue> out;
  for (const Property& p : ParseProperties(text)) {
    const std::string where = fmt::format("{}:{}:{}", path.string(), p.line, p.column);
    if (p.key.rfind("flyway.", 0) != 0) {
      return Invalid(fmt::format("{}: key {} is not a Flyway setting (they start with flyway.)",
                                 where, p.key));
    }
    std::string value = p.value;
    if (p.key != "flyway.password") {
      STRATA_ASSIGN_OR_RETURN(value, Substitute(p.value, false, getenv, where));
    }
    out.push_back({p.key.substr(7), p.key, std::move(value), SettingSource::File(where),
                   fs::absolute(path).parent_path()});
  }
  return out;
}

// ---- flyway.toml -------------------------------------------------------------------------

std::string TomlWhere(const toml::node& node) {
  const toml::source_region& r = node.source();
  return fmt::format("{}:{}:{}", r.path ? *r.path : std::string("flyway.toml"), r.begin.line,
                     r.begin.column);
}

Result<std::string> TomlText(const toml::node& node, const Getenv& getenv) {
  // By type: value<bool>() would also take an integer.
  if (const auto* s = node.as_string()) return Substitute(s->get(), true, getenv, TomlWhere(node));
  if (const auto* b = node.as_boolean()) return std::string(b->get() ? "true" : "false");
  if (const auto* i = node.as_integer()) return std::to_string(i->get());
  return Invalid(fmt::format("{}: expected a string, a number or true/false", TomlWhere(node)));
}

// One TOML value as `key`; a table's entries as dotted keys ([flyway.placeholders] owner = …
// → placeholders.owner). `shown` prefixes the key in messages.
Status AddToml(const std::string& key, const toml::node& node, const std::string& shown,
               const fs::path& dir, const Getenv& getenv, std::vector<FlywayValue>& out) {
  if (const toml::table* nested = node.as_table()) {
    for (const auto& [k, child] : *nested) {
      STRATA_TRY(AddToml(key + "." + std::string(k.str()), child, shown, dir, getenv, out));
    }
    return Ok();
  }
  FlywayValue v{key, shown + key, std::string(), SettingSource::File(TomlWhere(node)), dir};
  if (const toml::array* array = node.as_array()) {
    std::vector<std::string> items;
    for (const toml::node& item : *array) {
      STRATA_ASSIGN_OR_RETURN(std::string text, TomlText(item, getenv));
      items.push_back(std::move(text));
    }
    v.value = std::move(items);
  } else if (key != "password") {  // refused in Translate, never read
    STRATA_ASSIGN_OR_RETURN(v.value, TomlText(node, getenv));
  }
  out.push_back(std::move(v));
  return Ok();
}

// Top-level keys of a Flyway Desktop project that do not configure migrations.
bool IsProjectData(std::string_view key) {
  return key == "id" || key == "name" || key == "databaseType" || key == "flywayDesktop" ||
         key == "redgateCompare";
}

Result<std::vector<FlywayValue>> ReadToml(const fs::path& path, const Getenv& getenv) {
  STRATA_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  toml::table doc;
  try {
    doc = toml::parse(text, path.string());
  } catch (const toml::parse_error& e) {
    return Invalid(fmt::format("{}:{}:{}: {}", path.string(), e.source().begin.line,
                               e.source().begin.column, e.description()));
  }
  const fs::path dir = fs::absolute(path).parent_path();
  for (const auto& [k, node] : doc) {
    if (k.str() != "flyway" && k.str() != "environments" && !IsProjectData(k.str())) {
      return Invalid(
          fmt::format("{}: key {} is not a Flyway setting (expected [flyway] or "
                      "[environments.NAME])",
                      TomlWhere(node), k.str()));
    }
  }
  std::vector<FlywayValue> out;
  std::string environment = "default";
  const toml::table* flyway = doc["flyway"].as_table();
  bool chosen = false;
  if (flyway != nullptr) {
    if (const toml::node* env = flyway->get("environment")) {
      STRATA_ASSIGN_OR_RETURN(environment, TomlText(*env, getenv));
      chosen = true;
    }
    for (const auto& [k, node] : *flyway) {
      if (k.str() == "environment") continue;
      STRATA_TRY(AddToml(std::string(k.str()), node, "", dir, getenv, out));
    }
  }
  const toml::table* env = doc["environments"][environment].as_table();
  if (env == nullptr) {
    if (chosen) {
      return Invalid(fmt::format("{}: environment '{}' is not defined ([environments.{}])",
                                 path.string(), environment, environment));
    }
    return out;
  }
  // An environment's connection settings, then its own [environments.NAME.flyway] overrides.
  const std::string shown = fmt::format("environments.{}.", environment);
  for (const auto& [k, node] : *env) {
    const std::string key(k.str());
    if (key == "flyway" && node.is_table()) continue;
    if (key == "displayName") continue;  // a label for Flyway Desktop
    if (key == "resolvers" || key == "provisioner") {
      return Invalid(
          fmt::format("{}: key {}{} is not supported by strata (use environment "
                      "variables: ${{env.NAME}}, FLYWAY_URL, FLYWAY_PASSWORD)",
                      TomlWhere(node), shown, key));
    }
    STRATA_TRY(AddToml(key, node, shown, dir, getenv, out));
  }
  if (const toml::table* overrides = (*env)["flyway"].as_table()) {
    for (const auto& [k, node] : *overrides) {
      STRATA_TRY(AddToml(std::string(k.str()), node, shown + "flyway.", dir, getenv, out));
    }
  }
  return out;
}

// ---- FLYWAY_* variables ------------------------------------------------------------------

void ReadEnvironment(const Getenv& getenv, const std::vector<std::string>& env_names,
                     std::vector<FlywayValue>& out, std::vector<std::string>& warnings) {
  for (const std::string& var : env_names) {
    if (var.rfind("FLYWAY_", 0) != 0 || var == "FLYWAY_PASSWORD") continue;
    auto value = getenv(var);
    if (!value) continue;
    std::string key;
    if (var.rfind("FLYWAY_PLACEHOLDERS_", 0) == 0 && var.size() > 20) {
      key = "placeholders.";
      for (char c : var.substr(20)) {
        key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      }
    } else if (var.rfind("FLYWAY_JDBC_PROPERTIES_", 0) == 0) {
      key = "jdbcProperties";
    } else {
      for (const FlywayKey& k : kFlywayKeys) {
        if (EnvironmentName(k.name) == var) key = k.name;
      }
    }
    if (key.empty()) {
      warnings.push_back(fmt::format("{} is not a Flyway setting strata knows; ignored", var));
      continue;
    }
    out.push_back({key, var, *value, SettingSource::Environment(var), fs::path()});
  }
}

// ---- Translation to strata's keys --------------------------------------------------------

RawSetting Setting(const FlywayValue& v, std::string key,
                   std::variant<std::string, std::vector<std::string>> value) {
  return RawSetting{std::move(key), "", std::move(value), v.source, v.base_dir};
}

std::vector<std::string> AsList(const FlywayValue& v) {
  if (const auto* list = std::get_if<std::vector<std::string>>(&v.value)) return *list;
  std::vector<std::string> out;
  std::string_view text = std::get<std::string>(v.value);
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    std::string item(text.substr(0, comma));
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty()) out.push_back(std::move(item));
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
  }
  return out;
}

std::string AsText(const FlywayValue& v) {
  if (const auto* text = std::get_if<std::string>(&v.value)) return *text;
  std::string out;
  for (const std::string& item : std::get<std::vector<std::string>>(v.value)) {
    out += (out.empty() ? "" : ",") + item;
  }
  return out;
}

// filesystem:DIR → DIR; classpath: and prefix-less locations (classpath in Flyway) are refused
// naming the directory a Maven or Gradle project keeps them in.
Result<RawSetting> Locations(const FlywayValue& v) {
  std::vector<std::string> dirs;
  for (const std::string& location : AsList(v)) {
    if (location.rfind("filesystem:", 0) == 0) {
      dirs.push_back(location.substr(11));
      continue;
    }
    std::string path = location;
    if (location.rfind("classpath:", 0) == 0) path = location.substr(10);
    if (path.find(':') != std::string::npos) {
      return Invalid(
          fmt::format("{}: location '{}' is not supported by strata (only "
                      "filesystem: directories)",
                      Named(v), location));
    }
    while (!path.empty() && path.front() == '/') path.erase(0, 1);
    return Invalid(fmt::format(
        "{}: location '{}' is on the Java classpath, which strata cannot read: use "
        "filesystem:src/main/resources/{} (where a Maven or Gradle project keeps it) or the "
        "directory that holds the files",
        Named(v), location, path));
  }
  return Setting(v, "locations", std::move(dirs));
}

struct Connection {
  const FlywayValue* url = nullptr;
  const FlywayValue* user = nullptr;
};

Status Translate(const std::vector<FlywayValue>& values, FlywaySettings& out) {
  const std::vector<std::string> known = KnownConfigKeys();
  Connection connection;
  for (const FlywayValue& v : values) {
    if (v.key.rfind("placeholders.", 0) == 0) {
      out.settings.push_back(
          RawSetting{"placeholders", v.key.substr(13), AsText(v), v.source, v.base_dir});
      continue;
    }
    const std::string base = v.key.substr(0, v.key.find('.'));
    const FlywayKey* key = FindFlywayKey(v.key);
    if (key == nullptr && base == "jdbcProperties") key = FindFlywayKey(base);
    if (key == nullptr) {
      std::vector<std::string> names;
      for (const FlywayKey& k : kFlywayKeys) names.emplace_back(k.name);
      const auto near = ClosestMatch(v.key, names);
      return Invalid(fmt::format("{} is not a Flyway setting strata knows{}", Named(v),
                                 near ? fmt::format(" (did you mean {}?)", *near) : ""));
    }
    switch (key->what) {
      case Disposition::kRefused:
        return Invalid(fmt::format("{} is not supported by strata ({})", Named(v), key->why));
      case Disposition::kNoEffect:
        out.warnings.push_back(fmt::format("{} has no effect in strata ({})", Named(v), key->why));
        break;
      case Disposition::kSame: {
        const std::string strata_key = SnakeCase(key->name);
        if (std::find(known.begin(), known.end(), strata_key) == known.end()) {
          return Invalid(fmt::format(
              "{} is not supported by strata yet (it would be strata's {}, which this build "
              "does not have)",
              Named(v), strata_key));
        }
        out.settings.push_back(Setting(v, strata_key, v.value));
        break;
      }
      case Disposition::kSpecial:
        if (v.key == "url") {
          connection.url = &v;
        } else if (v.key == "user") {
          connection.user = &v;
        } else if (v.key == "password") {
          return Invalid(fmt::format(
              "{}: a password does not belong in a configuration file: use FLYWAY_PASSWORD, "
              "STRATA_PASSWORD or password_file",
              v.source.kind == SettingSource::Kind::kFile ? v.source.where : v.written));
        } else if (v.key == "locations") {
          STRATA_ASSIGN_OR_RETURN(RawSetting locations, Locations(v));
          out.settings.push_back(std::move(locations));
        } else if (v.key == "encoding") {
          std::string e = AsText(v);
          for (char& c : e) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
          if (e != "UTF-8" && e != "UTF8") {
            return Invalid(fmt::format("{} is not supported by strata (UTF-8 only, not '{}')",
                                       Named(v), AsText(v)));
          }
        }
        break;
    }
  }
  if (connection.user != nullptr && connection.url == nullptr) {
    return Invalid(
        fmt::format("{}: user needs url in the same configuration (strata puts the "
                    "user in its URL)",
                    Named(*connection.user)));
  }
  if (connection.url != nullptr) {
    const FlywayValue& url = *connection.url;
    auto translated = TranslateJdbcUrl(AsText(url), connection.user ? AsText(*connection.user) : "",
                                       url.base_dir);
    if (!translated) {
      return Invalid(fmt::format("{}: {}", Named(url), translated.error().message));
    }
    out.settings.push_back(Setting(url, "url", *translated));
  }
  return Ok();
}

// Order of the values as given, each key's last one winning (the variables after the file).
std::vector<FlywayValue> LastOfEach(std::vector<FlywayValue> values) {
  std::vector<FlywayValue> out;
  for (FlywayValue& v : values) {
    auto same =
        std::find_if(out.begin(), out.end(), [&](const FlywayValue& o) { return o.key == v.key; });
    if (same != out.end()) out.erase(same);
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace

Result<FlywaySettings> ReadFlywayConfig(const fs::path& file, bool read_environment,
                                        const Getenv& getenv,
                                        const std::vector<std::string>& env_names) {
  FlywaySettings out;
  std::vector<FlywayValue> values;
  if (!file.empty()) {
    if (file.extension() == ".toml") {
      STRATA_ASSIGN_OR_RETURN(values, ReadToml(file, getenv));
    } else {
      STRATA_ASSIGN_OR_RETURN(values, ReadConf(file, getenv));
    }
  }
  if (read_environment) ReadEnvironment(getenv, env_names, values, out.warnings);
  STRATA_TRY(Translate(LastOfEach(std::move(values)), out));
  return out;
}

}  // namespace strata::cli
