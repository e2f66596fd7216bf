// How `strata lint` shows its findings: text for people (`file:line:col: error[PG101
// create-index-not-concurrently]: message`, then why and the recipe, indented), GitHub workflow
// annotations (`::error file=...,line=...,col=...,title=...::message`), SARIF 2.1.0 for code
// scanning, and strata's JSON document. Pure functions: the command prints what they return.
#ifndef STRATA_CLI_LINT_RENDER_H_
#define STRATA_CLI_LINT_RENDER_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lint/linter.h"

namespace strata::cli {

// What a run covered, for the summary line and the documents.
struct LintSummary {
  std::size_t files = 0;
  // "" offline; else the target's URL (password redacted) the sizes were read from.
  std::string target;
  // MariaDB/MySQL: the server the online DDL rules were judged for ("MariaDB 10.11"), read from
  // the target or assumed offline (server_assumed); "" for the other engines.
  std::string server;
  bool server_assumed = false;
};

// Every finding that is not suppressed, each followed by its reason and recipe, then a summary
// line ("lint: 2 errors, 1 warning, 1 suppressed in 12 files; ...").
std::string RenderLintText(const std::vector<lint::Finding>& findings, const LintSummary& summary);
// One workflow command per finding that is not suppressed (error or warning).
std::string RenderLintGithub(const std::vector<lint::Finding>& findings);
// A SARIF 2.1.0 log: one run, the rules that fired, every finding (suppressed ones carry an
// inSource suppression with its reason).
nlohmann::json RenderLintSarif(const std::vector<lint::Finding>& findings,
                               std::string_view tool_version);
// strata's own document: {"findings": [...], "errors": n, "warnings": n, "suppressed": n,
// "files": n, "target": url or null, "server": "MariaDB 10.6" or null, "server_assumed": bool}.
nlohmann::json RenderLintJson(const std::vector<lint::Finding>& findings,
                              const LintSummary& summary);

}  // namespace strata::cli

#endif  // STRATA_CLI_LINT_RENDER_H_
