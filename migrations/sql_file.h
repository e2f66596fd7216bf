// Turning one SQL file (a migration or a callback) into the statements that will run: read it,
// apply its X.sql.conf, replace placeholders, split it for the dialect, and decide whether it
// runs inside a transaction. Shared by migrate and the lifecycle commands so that every script
// is prepared the same way.
#ifndef STRATA_MIGRATIONS_SQL_FILE_H_
#define STRATA_MIGRATIONS_SQL_FILE_H_

#include <filesystem>
#include <optional>
#include <string>

#include "base/result.h"
#include "db/connection.h"
#include "migrations/placeholders.h"
#include "migrations/script.h"
#include "migrations/script_config.h"

namespace strata::migrations {

struct SqlFileOptions {
  db::Dialect dialect = db::Dialect::kPostgres;
  int server_version = 0;  // PostgreSQL server_version_num; 0 = newest (see splitter.h)
  // Allow a script to mix statements that can and cannot run in a transaction; it then runs
  // entirely outside one. Default false: such a script is refused.
  bool mixed = false;
  const Placeholders* placeholders = nullptr;  // null: no replacement
};

// Options for the dialect and version `conn` talks to.
SqlFileOptions SqlFileOptionsFor(const db::Connection& conn, bool mixed,
                                 const Placeholders* placeholders);

struct SqlFile {
  // The text after placeholder replacement (the raw text when replacement is off).
  std::string text;
  // One kStatement step per statement, origin "<path>:<line>:<col>", in order.
  Script statements;
  // Whether the file runs inside a transaction: the engine has transactional DDL, no statement
  // needs to run outside one, and executeInTransaction is not false.
  bool in_transaction = true;
};

// Prepares `path` (shown in messages as given) with its configuration file `config_path`.
// Errors (kInvalidArgument, with file:line:col): the configuration file, an unknown
// placeholder, a script that cannot be split, a mixed script without `mixed`, and
// executeInTransaction=true on a script with a statement that cannot run in a transaction.
// kIo/kNotFound when a file cannot be read.
Result<SqlFile> PrepareSqlFile(const std::filesystem::path& path,
                               const std::optional<std::filesystem::path>& config_path,
                               const SqlFileOptions& options);

}  // namespace strata::migrations

#endif  // STRATA_MIGRATIONS_SQL_FILE_H_
