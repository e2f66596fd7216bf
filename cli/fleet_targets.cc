#include "cli/fleet_targets.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "base/file.h"
#include "db/flavor/flavor.h"
#include "db/url.h"

namespace strata::cli {
namespace {

namespace fs = std::filesystem;

std::string Where(const fs::path& file, const toml::source_region& region) {
  return fmt::format("{}:{}", file.string(), region.begin.line);
}

// A SQLite URL relative to the file that defines it, made absolute (as strata.toml's url is).
std::string ResolveSqlitePath(const std::string& text, const db::Url& url, const fs::path& dir) {
  if (!db::FlavorFor(url.dialect).database_is_file() || url.database == ":memory:" ||
      fs::path(url.database).is_absolute() || dir.empty()) {
    return text;
  }
  return url.scheme + ":" + (dir / url.database).lexically_normal().string();
}

// The URL checked as --url is: parsed, with the parser's message (which never echoes a
// password) after the place and the target.
Result<std::string> CheckedUrl(const std::string& text, const fs::path& dir,
                               const std::string& where, const std::string& name) {
  auto url = db::ParseUrl(text);
  if (!url) {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("{}: target '{}': {}", where, name, url.error().message));
  }
  return ResolveSqlitePath(text, *url, dir);
}

// The name a URL gives its target: the database, a SQLite file's stem.
std::string NameFromUrl(const db::Url& url) {
  if (db::FlavorFor(url.dialect).database_is_file()) {
    return fs::path(url.database).stem().string();
  }
  return url.database.empty() ? url.host : url.database;
}

std::optional<std::string> StringKey(const toml::table& table, std::string_view key) {
  if (const toml::node* node = table.get(key)) {
    if (auto value = node->value<std::string>()) return *value;
  }
  return std::nullopt;
}

Result<FleetTarget> TargetFromTable(const toml::table& table, const fs::path& file,
                                    const fs::path& dir, const Getenv& getenv) {
  FleetTarget target;
  target.where = Where(file, table.source());
  if (table.contains("password")) {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("{}: [[targets]]: a password does not belong in a targets file: use "
                           "password_file, STRATA_PASSWORD or the URL",
                           target.where));
  }
  for (const auto& [key, node] : table) {
    if (key.str() == "name" || key.str() == "url" || key.str() == "url_env" ||
        key.str() == "schema" || key.str() == "labels" || key.str() == "password_file") {
      continue;
    }
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("{}: [[targets]]: unknown key '{}' (known keys: name, url, url_env, "
                           "schema, labels, password_file)",
                           Where(file, key.source()), key.str()));
  }
  for (const auto& [key, node] : table) {
    if (key.str() != "labels" && !node.is_string()) {
      return Err(ErrorCode::kInvalidArgument, fmt::format("{}: [[targets]]: '{}' must be a string",
                                                          Where(file, node.source()), key.str()));
    }
  }
  target.schema = StringKey(table, "schema").value_or("");
  const std::optional<std::string> url = StringKey(table, "url");
  const std::optional<std::string> url_env = StringKey(table, "url_env");
  std::string label = StringKey(table, "name").value_or(target.schema);
  if (url.has_value() == url_env.has_value()) {
    return Err(
        ErrorCode::kInvalidArgument,
        fmt::format("{}: target '{}': give exactly one of url and url_env", target.where, label));
  }
  std::string text;
  if (url) {
    text = *url;
  } else {
    std::optional<std::string> value = getenv(*url_env);
    if (!value || value->empty()) {
      return Err(ErrorCode::kInvalidArgument,
                 fmt::format("{}: target '{}': url_env names {}, which is not set", target.where,
                             label, *url_env));
    }
    text = *value;
  }
  STRATA_ASSIGN_OR_RETURN(target.url, CheckedUrl(text, dir, target.where, label));
  if (label.empty()) label = NameFromUrl(*db::ParseUrl(target.url));
  target.name = label;
  if (const toml::node* labels = table.get("labels")) {
    const toml::table* entries = labels->as_table();
    if (entries == nullptr) {
      return Err(ErrorCode::kInvalidArgument,
                 fmt::format("{}: target '{}': labels must be a table of key = \"value\"",
                             Where(file, labels->source()), target.name));
    }
    for (const auto& [key, value] : *entries) {
      auto text_value = value.value<std::string>();
      if (!text_value) {
        return Err(ErrorCode::kInvalidArgument,
                   fmt::format("{}: target '{}': label '{}' must be a string",
                               Where(file, value.source()), target.name, key.str()));
      }
      target.labels[std::string(key.str())] = *text_value;
    }
  }
  if (auto password_file = StringKey(table, "password_file")) {
    target.password_file = fs::path(*password_file).is_absolute()
                               ? *password_file
                               : (dir / *password_file).lexically_normal().string();
  }
  return target;
}

// Two targets with one name would make every result ambiguous.
Status CheckUniqueNames(const std::vector<FleetTarget>& targets) {
  std::map<std::string, const FleetTarget*> seen;
  for (const FleetTarget& t : targets) {
    auto [it, inserted] = seen.emplace(t.name, &t);
    if (!inserted) {
      return Err(ErrorCode::kInvalidArgument,
                 fmt::format("{}: target '{}' is also defined at {}: target names must be unique",
                             t.where, t.name, it->second->where));
    }
  }
  return Ok();
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())) != 0) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())) != 0) {
    text.remove_suffix(1);
  }
  return text;
}

bool LooksLikeToml(std::string_view text) {
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    if (Trim(text.substr(start, end - start)).starts_with("[[targets]]")) return true;
    start = end + 1;
  }
  return false;
}

}  // namespace

Result<std::vector<FleetTarget>> ParseTargetsToml(std::string_view text, const fs::path& file,
                                                  const fs::path& dir, const Getenv& getenv,
                                                  bool other_keys_allowed) {
  toml::table table;
  try {
    table = toml::parse(text, file.string());
  } catch (const toml::parse_error& e) {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("{}:{}:{}: {}", file.string(), e.source().begin.line,
                           e.source().begin.column, e.description()));
  }
  if (!other_keys_allowed) {
    for (const auto& [key, node] : table) {
      if (key.str() != "targets") {
        return Err(ErrorCode::kInvalidArgument,
                   fmt::format("{}: unknown key '{}' in a targets file (only [[targets]] tables)",
                               Where(file, key.source()), key.str()));
      }
    }
  }
  std::vector<FleetTarget> targets;
  const toml::node* node = table.get("targets");
  if (node == nullptr) return targets;
  const toml::array* list = node->as_array();
  if (list == nullptr || !list->is_array_of_tables()) {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("{}: targets must be [[targets]] tables", Where(file, node->source())));
  }
  for (const toml::node& entry : *list) {
    STRATA_ASSIGN_OR_RETURN(FleetTarget target,
                            TargetFromTable(*entry.as_table(), file, dir, getenv));
    targets.push_back(std::move(target));
  }
  STRATA_TRY(CheckUniqueNames(targets));
  return targets;
}

Result<std::vector<FleetTarget>> ParseTargetsList(std::string_view text, const fs::path& file,
                                                  const fs::path& dir) {
  std::vector<FleetTarget> targets;
  std::size_t start = 0;
  for (int line = 1; start <= text.size(); ++line) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view content = text.substr(start, end - start);
    start = end + 1;
    if (const std::size_t hash = content.find('#'); hash != std::string_view::npos) {
      content = content.substr(0, hash);
    }
    content = Trim(content);
    if (content.empty()) continue;
    FleetTarget target;
    target.where = fmt::format("{}:{}", file.string(), line);
    auto url = db::ParseUrl(content);
    if (!url) {
      return Err(ErrorCode::kInvalidArgument,
                 fmt::format("{}: target {}: {}", target.where, db::RedactUrlText(content),
                             url.error().message));
    }
    target.name = NameFromUrl(*url);
    target.url = ResolveSqlitePath(std::string(content), *url, dir);
    targets.push_back(std::move(target));
  }
  STRATA_TRY(CheckUniqueNames(targets));
  return targets;
}

Result<std::vector<FleetTarget>> LoadTargetsFile(const fs::path& file, const Getenv& getenv) {
  STRATA_ASSIGN_OR_RETURN(std::string text, ReadFile(file));
  const fs::path dir = fs::absolute(file).parent_path();
  std::vector<FleetTarget> targets;
  if (LooksLikeToml(text)) {
    STRATA_ASSIGN_OR_RETURN(targets, ParseTargetsToml(text, file, dir, getenv, false));
  } else {
    STRATA_ASSIGN_OR_RETURN(targets, ParseTargetsList(text, file, dir));
  }
  if (targets.empty()) {
    return Err(
        ErrorCode::kInvalidArgument,
        fmt::format("{}: no targets: write one URL per line or [[targets]] tables", file.string()));
  }
  return targets;
}

Result<std::vector<FleetTarget>> LoadConfigTargets(const fs::path& file, const Getenv& getenv) {
  if (file.empty()) return std::vector<FleetTarget>{};
  STRATA_ASSIGN_OR_RETURN(std::string text, ReadFile(file));
  return ParseTargetsToml(text, file, fs::absolute(file).parent_path(), getenv, true);
}

Result<std::vector<FleetTarget>> SelectTargets(const std::vector<FleetTarget>& targets,
                                               const TargetSelection& selection) {
  std::vector<std::pair<std::string, std::string>> labels;
  for (const std::string& label : selection.labels) {
    const std::size_t eq = label.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Err(ErrorCode::kInvalidArgument,
                 fmt::format("--label {}: write key=value, e.g. --label region=eu", label));
    }
    labels.emplace_back(label.substr(0, eq), label.substr(eq + 1));
  }
  for (const std::string& name : selection.names) {
    const bool known = std::any_of(targets.begin(), targets.end(),
                                   [&](const FleetTarget& t) { return t.name == name; });
    if (!known) {
      return Err(ErrorCode::kInvalidArgument,
                 fmt::format("--target-name {}: no target has this name ({} targets defined)", name,
                             targets.size()));
    }
  }
  std::vector<FleetTarget> selected;
  for (const FleetTarget& t : targets) {
    if (!selection.names.empty() && std::find(selection.names.begin(), selection.names.end(),
                                              t.name) == selection.names.end()) {
      continue;
    }
    const bool labelled = std::all_of(labels.begin(), labels.end(), [&](const auto& kv) {
      auto it = t.labels.find(kv.first);
      return it != t.labels.end() && it->second == kv.second;
    });
    if (!labelled) continue;
    if (selection.only && std::find(selection.only->begin(), selection.only->end(), t.name) ==
                              selection.only->end()) {
      continue;
    }
    selected.push_back(t);
  }
  return selected;
}

Result<Shard> ParseShard(std::string_view text) {
  const std::size_t slash = text.find('/');
  Shard shard;
  try {
    if (slash == std::string_view::npos) throw std::invalid_argument("no slash");
    std::size_t used = 0;
    const std::string index(text.substr(0, slash));
    const std::string count(text.substr(slash + 1));
    shard.index = std::stoi(index, &used);
    if (used != index.size()) throw std::invalid_argument("index");
    shard.count = std::stoi(count, &used);
    if (used != count.size()) throw std::invalid_argument("count");
  } catch (const std::exception&) {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("--shard {}: write I/N, e.g. --shard 0/4 (I counts from 0)", text));
  }
  if (shard.count < 1 || shard.index < 0 || shard.index >= shard.count) {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("--shard {}: I must be 0 to N-1 (0/{} ... {}/{}), as a Kubernetes "
                           "indexed Job's JOB_COMPLETION_INDEX",
                           text, std::max(shard.count, 1), std::max(shard.count, 1) - 1,
                           std::max(shard.count, 1)));
  }
  return shard;
}

int ShardOf(std::string_view name, int count) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (const char c : name) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return static_cast<int>(hash % static_cast<std::uint64_t>(std::max(count, 1)));
}

std::vector<FleetTarget> InShard(const std::vector<FleetTarget>& targets, const Shard& shard) {
  std::vector<FleetTarget> mine;
  for (const FleetTarget& t : targets) {
    if (ShardOf(t.name, shard.count) == shard.index) mine.push_back(t);
  }
  return mine;
}

Result<std::vector<std::string>> FailedTargetNames(const fs::path& file) {
  STRATA_ASSIGN_OR_RETURN(std::string text, ReadFile(file));
  // The document is the last line: a --json run may have printed events before it.
  std::string_view last = Trim(text);
  if (const std::size_t nl = last.rfind('\n'); nl != std::string_view::npos) {
    last = last.substr(nl + 1);
  }
  const nlohmann::json doc = nlohmann::json::parse(last, nullptr, false);
  if (!doc.is_object() || !doc.contains("targets") || !doc["targets"].is_array()) {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("--retry-failed {}: not the --json document of a fleet run (no "
                           "\"targets\" list)",
                           file.string()));
  }
  std::vector<std::string> failed;
  for (const nlohmann::json& t : doc["targets"]) {
    if (t.value("status", "") != "ok") failed.push_back(t.value("name", ""));
  }
  return failed;
}

}  // namespace strata::cli
