// What a lifecycle command (migrate, undo, repair, clean, baseline) will send to the database,
// as an ordered list of steps. Each command first builds its steps (reading the database, never
// writing it), then either executes them (Execute) or renders them for --dry-run
// (RenderDryRun). Because the dry run prints the very list that would be executed, it cannot
// drift from the real path.
#ifndef STRATA_MIGRATIONS_SCRIPT_H_
#define STRATA_MIGRATIONS_SCRIPT_H_

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "db/connection.h"

namespace strata::migrations {

struct ScriptStep {
  enum class Kind {
    kComment,    // shown by dry runs only (lock taken, migration boundaries, notes)
    kBegin,      // start a transaction
    kCommit,     // commit it
    kStatement,  // run `sql` with `params`
  };
  Kind kind = Kind::kStatement;
  std::string sql;     // the statement, or the comment text
  db::Params params;   // bound parameters of a statement
  std::string origin;  // "V3__x.sql:14:1" for script statements, "history" for bookkeeping
  // PostgreSQL `COPY ... FROM STDIN` statements only: the data sent with the COPY protocol.
  std::optional<std::string> copy_data;
};

using Script = std::vector<ScriptStep>;

// Helpers to build scripts.
ScriptStep Comment(std::string text);
ScriptStep Begin();
ScriptStep Commit();
ScriptStep Statement(std::string sql, db::Params params = {}, std::string origin = {});
ScriptStep CopyStatement(std::string sql, std::string data, std::string origin = {});

// Runs `script` on `conn` in order (comments skipped), stopping at the first error, which is
// returned with the failing step's origin and statement number as context. A transaction left
// open by a failure is rolled back.
Status Execute(const Script& script, db::Connection& conn);

// Renders `script` as SQL text a person can read and a client could run: statements end in
// ';' (or the dialect's delimiter when the statement contains ';' on MariaDB), bound parameters
// are shown inline as SQL literals, transaction boundaries as BEGIN/COMMIT, comments as
// `-- ` lines. Deterministic: no timestamps beyond what the steps carry.
std::string RenderDryRun(const Script& script, db::Dialect dialect);

}  // namespace strata::migrations

#endif  // STRATA_MIGRATIONS_SCRIPT_H_
