// The event platform example (examples/events) as tests use it: its migrations per engine, its
// committed schema snapshots, and a scratch database with its schema applied.
#ifndef STRATA_TESTS_SUPPORT_EXAMPLE_H_
#define STRATA_TESTS_SUPPORT_EXAMPLE_H_

#include <filesystem>
#include <memory>

#include "db/dialect.h"
#include "tests/support/test_env.h"

namespace strata::testing {

// examples/events/migrations/<engine>: V1-V3 the schema, V4 the backfill job step,
// R__event_daily_views.sql.
std::filesystem::path ExampleMigrations(db::Dialect dialect);

// examples/events/schema/<engine>.schema: what `strata schema dump` prints after them.
std::filesystem::path ExampleSnapshot(db::Dialect dialect);

// Copies the example's SQL scripts (not the V4 job step, which needs a job runner) into `dir`.
void CopyExampleSqlScripts(db::Dialect dialect, const std::filesystem::path& dir);

// A scratch database with the example's schema: its migrations up to V3, without the V4 job
// step, which the tests that want it run themselves. nullptr after recording a failure.
std::unique_ptr<ScratchDatabase> ExampleDatabase(db::Dialect dialect);

}  // namespace strata::testing

#endif  // STRATA_TESTS_SUPPORT_EXAMPLE_H_
