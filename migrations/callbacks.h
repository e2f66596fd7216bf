// SQL callbacks: scripts named after lifecycle events (`beforeMigrate.sql`,
// `afterEachMigrate__refresh_views.sql`, ...) found in the migration locations and run when the
// event happens (docs/flyway.md §7). Several files for one event run in description order.
//
// Events strata fires, and where (see docs/migrations.md):
//   migrate   beforeMigrate, beforeEachMigrate, afterEachMigrate, afterEachMigrateError,
//             afterMigrate, afterMigrateError
//   baseline  beforeBaseline, afterBaseline      repair  beforeRepair, afterRepair
//   clean     beforeClean, afterClean            undo    beforeUndo, afterUndo
// kSupportedCallbackEvents is exactly that list. The resolver also recognises Flyway's other
// event names (beforeValidate, beforeInfo, … included: info and validate stay read-only); a
// file for an event strata never fires is refused by CheckSupported, in every command, rather
// than silently never run.
//
// Usage by a lifecycle command (repair, clean, undo, baseline):
//   Callbacks callbacks(resolution.callbacks);
//   STRATA_TRY(callbacks.CheckSupported());
//   STRATA_ASSIGN_OR_RETURN(Script before, callbacks.StepsFor("beforeRepair", file_options, true));
//   script.insert(script.begin(), before.begin(), before.end());   // then Execute or render
#ifndef STRATA_MIGRATIONS_CALLBACKS_H_
#define STRATA_MIGRATIONS_CALLBACKS_H_

#include <array>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "migrations/resolver.h"
#include "migrations/script.h"
#include "migrations/sql_file.h"

namespace strata::migrations {

inline constexpr std::array<std::string_view, 14> kSupportedCallbackEvents = {
    "beforeMigrate", "beforeEachMigrate", "afterEachMigrate", "afterEachMigrateError",
    "afterMigrate",  "afterMigrateError", "beforeBaseline",   "afterBaseline",
    "beforeRepair",  "afterRepair",       "beforeClean",      "afterClean",
    "beforeUndo",    "afterUndo"};

class Callbacks {
 public:
  Callbacks() = default;
  // `callbacks` as the resolver found them (sorted by event, description, script).
  explicit Callbacks(std::vector<SqlCallback> callbacks);

  // kInvalidArgument listing every callback file whose event strata does not fire.
  Status CheckSupported() const;

  bool Has(std::string_view event) const;

  // The steps that run every callback of `event`, in order: for each file a comment naming it,
  // then its statements (placeholders replaced, origin file:line:col). With `own_transaction`,
  // each file that can run in a transaction is wrapped in Begin/Commit; without it the
  // statements join the caller's open transaction (or run in autocommit). Empty when no file
  // handles the event. Errors as PrepareSqlFile's.
  Result<Script> StepsFor(std::string_view event, const SqlFileOptions& options,
                          bool own_transaction) const;

 private:
  std::vector<SqlCallback> callbacks_;
};

}  // namespace strata::migrations

#endif  // STRATA_MIGRATIONS_CALLBACKS_H_
