// The lint rules strata knows: one entry per rule with its id, name, engine, default severity,
// a one-line reason and a safe recipe. The catalog is data; the checks that find each rule's
// statements live in postgres_checks.cc, mariadb_checks.cc and sqlite_checks.cc.
//
// Ids: PG1xx PostgreSQL, MY2xx MariaDB/MySQL, SL3xx SQLite, ST0xx any engine (the linter's
// own: suppressions, scripts that do not split). A recipe is SQL that runs on the engine and
// lints clean; a recipe spanning several migrations separates them with a line
// kRecipeNextMigration.
#ifndef STRATA_LINT_RULE_H_
#define STRATA_LINT_RULE_H_

#include <optional>
#include <span>
#include <string_view>

#include "db/dialect.h"

namespace strata::lint {

enum class Severity { kOff, kWarning, kError };

// "off", "warning", "error".
std::string_view SeverityName(Severity severity);
// Parses "off", "warning", "error" (any case); nullopt otherwise.
std::optional<Severity> ParseSeverity(std::string_view text);

// Separates the migrations of a recipe that needs more than one.
inline constexpr std::string_view kRecipeNextMigration = "-- then, in a later migration:";

struct Rule {
  std::string_view id;    // "PG101"
  std::string_view name;  // "create-index-not-concurrently"
  // The engine it applies to; nullopt for the ST rules, which apply to every engine.
  std::optional<db::Dialect> dialect;
  Severity severity = Severity::kError;  // the default; strata.toml [lint] overrides it
  // Whether the finding is about locking an existing table, so that its severity scales with
  // the table's size (lint_large_table) and it does not apply to tables created earlier in
  // the same set of migrations.
  bool size_sensitive = false;
  std::string_view reason;  // one line: what goes wrong in production
  std::string_view recipe;  // the safe way, as SQL
};

// Every rule, by id.
std::span<const Rule> AllRules();
// The rule with this id ("PG101") or name ("create-index-not-concurrently"), any case.
const Rule* FindRule(std::string_view id_or_name);

}  // namespace strata::lint

#endif  // STRATA_LINT_RULE_H_
