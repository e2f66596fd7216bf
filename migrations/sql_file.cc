#include "migrations/sql_file.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/file.h"
#include "db/flavor/flavor.h"
#include "db/sql/splitter.h"

namespace strata::migrations {

SqlFileOptions SqlFileOptionsFor(const db::Connection& conn, bool mixed,
                                 const Placeholders* placeholders) {
  SqlFileOptions options;
  options.dialect = conn.dialect();
  options.server_version = db::FlavorOf(conn).SplitterServerVersion(conn.server());
  options.mixed = mixed;
  options.placeholders = placeholders;
  return options;
}

Result<SqlFile> PrepareSqlFile(const std::filesystem::path& path,
                               const std::optional<std::filesystem::path>& config_path,
                               const SqlFileOptions& options) {
  STRATA_ASSIGN_OR_RETURN(ScriptConfig config, ReadScriptConfig(config_path));
  STRATA_ASSIGN_OR_RETURN(std::string raw, ReadFile(path));
  const std::string display = path.string();
  SqlFile file;
  // A script's own placeholderReplacement wins over the global switch, both ways.
  const bool replace = options.placeholders != nullptr &&
                       config.placeholder_replacement.value_or(options.placeholders->enabled());
  if (replace) {
    STRATA_ASSIGN_OR_RETURN(file.text,
                            options.placeholders->Replace(raw, display, path.filename().string()));
  } else {
    file.text = std::move(raw);
  }

  db::sql::SplitOptions split;
  split.dialect = options.dialect;
  split.server_version = options.server_version;
  split.file_name = display;
  STRATA_ASSIGN_OR_RETURN(std::vector<db::sql::Statement> statements,
                          db::sql::Split(file.text, split));

  const auto no_tx = std::find_if(statements.begin(), statements.end(),
                                  [](const auto& s) { return s.no_transaction; });
  const bool all_no_tx = std::all_of(statements.begin(), statements.end(),
                                     [](const auto& s) { return s.no_transaction; });
  if (no_tx != statements.end() && config.execute_in_transaction.value_or(false)) {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("{}:{}:{}: '{}' cannot run inside a transaction, but {}.conf sets "
                           "executeInTransaction=true; move the statement to a migration of its "
                           "own or remove the setting",
                           display, no_tx->line, no_tx->column, no_tx->text.substr(0, 60),
                           path.filename().string()));
  }
  if (no_tx != statements.end() && !all_no_tx && !options.mixed &&
      !config.execute_in_transaction.has_value()) {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("{}:{}:{}: '{}' cannot run inside a transaction, but the script also "
                           "has statements that can; move it to a migration of its own, or set "
                           "mixed = true to run the whole script outside a transaction",
                           display, no_tx->line, no_tx->column, no_tx->text.substr(0, 60)));
  }
  file.in_transaction = db::FlavorFor(options.dialect).has_transactional_ddl() &&
                        no_tx == statements.end() && config.execute_in_transaction.value_or(true);

  file.statements.reserve(statements.size());
  for (const db::sql::Statement& s : statements) {
    std::string origin = fmt::format("{}:{}:{}", display, s.line, s.column);
    if (s.copy_data) {
      file.statements.push_back(
          CopyStatement(std::string(s.text), std::string(*s.copy_data), std::move(origin)));
    } else {
      file.statements.push_back(Statement(std::string(s.text), {}, std::move(origin)));
    }
  }
  return file;
}

}  // namespace strata::migrations
