// The engine flavors FlavorFor() hands out; each is defined in its own file. Internal to
// db/flavor/.
#ifndef STRATA_DB_FLAVOR_FLAVORS_H_
#define STRATA_DB_FLAVOR_FLAVORS_H_

#include "db/flavor/flavor.h"

namespace strata::db::flavors {

const Flavor& Postgres();  // postgres_flavor.cc
const Flavor& MariaDb();   // mariadb_flavor.cc
const Flavor& Sqlite();    // sqlite_flavor.cc

// Runs `sql` (one row, one column) and returns the value; kInvalidArgument with
// `null_message` when it is NULL.
Result<std::string> QueryText(Connection& conn, std::string_view sql, const Params& params,
                              std::string_view null_message);
// Runs `sql` (one row, one column) and says whether it returned true ("t" or "1").
Result<bool> QueryTrue(Connection& conn, std::string_view sql, const Params& params);
// Runs a `SELECT count(*) ...` and says whether it counted any row.
Result<bool> QueryAny(Connection& conn, std::string_view sql, const Params& params);
// The sizes LintTableSizes returns, from rows of (lower-cased name, rows or NULL, bytes or
// NULL): the one shape both servers' catalog queries produce.
Result<std::vector<Flavor::LintTableSize>> LintTableSizesFrom(const Rows& rows);

}  // namespace strata::db::flavors

#endif  // STRATA_DB_FLAVOR_FLAVORS_H_
