#include "cli/lint_render.h"

#include <fmt/format.h>

#include <map>

namespace strata::cli {
namespace {

struct Counts {
  std::size_t errors = 0;
  std::size_t warnings = 0;
  std::size_t suppressed = 0;
};

Counts Count(const std::vector<lint::Finding>& findings) {
  Counts c;
  for (const lint::Finding& f : findings) {
    if (f.suppressed) {
      ++c.suppressed;
    } else if (f.severity == lint::Severity::kError) {
      ++c.errors;
    } else {
      ++c.warnings;
    }
  }
  return c;
}

std::string Plural(std::size_t n, std::string_view word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

// Each line of `text` prefixed with `indent`.
std::string Indented(std::string_view text, std::string_view indent) {
  std::string out;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    out += fmt::format("{}{}\n", indent, text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
  }
  return out;
}

// GitHub's workflow command escaping: data escapes %, CR and LF; properties also ':' and ','.
std::string EscapeData(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '%') {
      out += "%25";
    } else if (c == '\r') {
      out += "%0D";
    } else if (c == '\n') {
      out += "%0A";
    } else {
      out += c;
    }
  }
  return out;
}
std::string EscapeProperty(std::string_view text) {
  std::string out;
  for (char c : EscapeData(text)) {
    if (c == ':') {
      out += "%3A";
    } else if (c == ',') {
      out += "%2C";
    } else {
      out += c;
    }
  }
  return out;
}

std::string Label(const lint::Finding& f) { return fmt::format("{} {}", f.rule->id, f.rule->name); }

}  // namespace

std::string RenderLintText(const std::vector<lint::Finding>& findings, const LintSummary& summary) {
  std::string out;
  for (const lint::Finding& f : findings) {
    if (f.suppressed) continue;
    out += fmt::format("{}:{}:{}: {}[{}]: {}\n", f.file, f.line, f.column,
                       lint::SeverityName(f.severity), Label(f), f.message);
    out += fmt::format("    why: {}\n    instead:\n", f.rule->reason);
    out += Indented(f.rule->recipe, "        ");
  }
  const Counts c = Count(findings);
  out += fmt::format(
      "lint: {}, {}, {} in {}; {}", Plural(c.errors, "error"), Plural(c.warnings, "warning"),
      fmt::format("{} suppressed", c.suppressed), Plural(summary.files, "file"),
      summary.target.empty() ? "offline: every existing table was assumed large (give --url to "
                               "weigh them)"
                             : "table sizes from " + summary.target);
  if (!summary.server.empty()) {
    out += summary.server_assumed
               ? fmt::format("; assumed {} (set [lint] server_version or --server-version)",
                             summary.server)
               : fmt::format("; server {}", summary.server);
  }
  return out;
}

std::string RenderLintGithub(const std::vector<lint::Finding>& findings) {
  std::string out;
  for (const lint::Finding& f : findings) {
    if (f.suppressed) continue;
    out += fmt::format("::{} file={},line={},col={},title={}::{}\n",
                       f.severity == lint::Severity::kError ? "error" : "warning",
                       EscapeProperty(f.file), f.line, f.column, EscapeProperty(Label(f)),
                       EscapeData(fmt::format("{}\nwhy: {}\ninstead:\n{}", f.message,
                                              f.rule->reason, f.rule->recipe)));
  }
  return out;
}

nlohmann::json RenderLintSarif(const std::vector<lint::Finding>& findings,
                               std::string_view tool_version) {
  std::map<std::string_view, std::size_t> rule_index;
  nlohmann::json rules = nlohmann::json::array();
  nlohmann::json results = nlohmann::json::array();
  for (const lint::Finding& f : findings) {
    auto [it, added] = rule_index.emplace(f.rule->id, rules.size());
    if (added) {
      rules.push_back(
          {{"id", f.rule->id},
           {"name", f.rule->name},
           {"shortDescription", {{"text", f.rule->reason}}},
           {"help", {{"text", f.rule->recipe}}},
           {"defaultConfiguration",
            {{"level", f.rule->severity == lint::Severity::kError ? "error" : "warning"}}}});
    }
    nlohmann::json result = {
        {"ruleId", f.rule->id},
        {"ruleIndex", it->second},
        {"level", f.severity == lint::Severity::kError ? "error" : "warning"},
        {"message", {{"text", f.message}}},
        {"locations",
         {{{"physicalLocation",
            {{"artifactLocation", {{"uri", f.file}}},
             {"region", {{"startLine", f.line}, {"startColumn", f.column}}}}}}}}};
    if (f.suppressed) {
      result["suppressions"] = {{{"kind", "inSource"}, {"justification", f.suppression_reason}}};
    }
    results.push_back(std::move(result));
  }
  return {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
          {"version", "2.1.0"},
          {"runs",
           {{{"tool",
              {{"driver",
                {{"name", "strata"}, {"version", tool_version}, {"rules", std::move(rules)}}}}},
             {"results", std::move(results)}}}}};
}

nlohmann::json RenderLintJson(const std::vector<lint::Finding>& findings,
                              const LintSummary& summary) {
  nlohmann::json list = nlohmann::json::array();
  for (const lint::Finding& f : findings) {
    list.push_back({{"file", f.file},
                    {"line", f.line},
                    {"column", f.column},
                    {"rule", f.rule->id},
                    {"name", f.rule->name},
                    {"severity", lint::SeverityName(f.severity)},
                    {"message", f.message},
                    {"reason", f.rule->reason},
                    {"recipe", f.rule->recipe},
                    {"suppressed", f.suppressed},
                    {"suppression_reason",
                     f.suppressed ? nlohmann::json(f.suppression_reason) : nlohmann::json()}});
  }
  const Counts c = Count(findings);
  return {{"findings", std::move(list)},
          {"errors", c.errors},
          {"warnings", c.warnings},
          {"suppressed", c.suppressed},
          {"files", summary.files},
          {"target", summary.target.empty() ? nlohmann::json() : nlohmann::json(summary.target)},
          {"server", summary.server.empty() ? nlohmann::json() : nlohmann::json(summary.server)},
          {"server_assumed", summary.server_assumed}};
}

}  // namespace strata::cli
