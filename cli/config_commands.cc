// `strata config show`: the effective configuration, every setting with its value and where it
// came from (file:line:col, environment variable, flag or default), passwords redacted.
//
// --json document:
//   {"file": path or null,
//    "settings": [{"key", "value" (string, list of strings or boolean), "source", "origin"}]}
// where origin is "default", "file", "environment" or "flag" and source says which one
// ("strata.toml:3:7", "STRATA_URL", "--url", "default"). No database is contacted.
#include <fmt/format.h>

#include <memory>
#include <variant>

#include "cli/command.h"

namespace strata::cli {
namespace {

std::string ValueText(const EffectiveSetting& s) {
  if (const bool* flag = std::get_if<bool>(&s.value)) return *flag ? "true" : "false";
  if (const auto* text = std::get_if<std::string>(&s.value)) return *text;
  return fmt::format("{}", fmt::join(std::get<std::vector<std::string>>(s.value), ", "));
}

nlohmann::json ValueJson(const EffectiveSetting& s) {
  if (const bool* flag = std::get_if<bool>(&s.value)) return *flag;
  if (const auto* text = std::get_if<std::string>(&s.value)) return *text;
  return std::get<std::vector<std::string>>(s.value);
}

Status RunShow(Context& ctx) {
  const Config& config = ctx.config();
  const std::vector<EffectiveSetting> settings = EffectiveSettings(config);
  std::vector<std::vector<std::string>> rows;
  nlohmann::json listed = nlohmann::json::array();
  for (const EffectiveSetting& s : settings) {
    rows.push_back({s.key, ValueText(s), s.source.ToString()});
    listed.push_back({{"key", s.key},
                      {"value", ValueJson(s)},
                      {"source", s.source.ToString()},
                      {"origin", s.source.KindName()}});
  }
  ctx.out().Line(config.file.empty() ? std::string("configuration file: none")
                                     : fmt::format("configuration file: {}", config.file.string()));
  ctx.out().Table({"key", "value", "source"}, rows);
  ctx.out().Json({{"file", config.file.empty() ? nlohmann::json(nullptr)
                                               : nlohmann::json(config.file.string())},
                  {"settings", std::move(listed)}});
  return Ok();
}

}  // namespace

void RegisterConfigCommands(CLI::App& app, CommandTable& table) {
  CLI::App* config = app.add_subcommand("config", "Inspect strata's configuration");
  config->require_subcommand(1);
  CLI::App* show = config->add_subcommand(
      "show",
      "Print every setting's effective value and where it came from (file:line, environment, "
      "flag or default); passwords are redacted");
  table.Add(show, [](Context& ctx) { return RunShow(ctx); });
}

}  // namespace strata::cli
