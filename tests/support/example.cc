#include "tests/support/example.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "examples/events/generator/generator.h"
#include "migrations/migrator.h"
#include "migrations/resolver.h"

namespace strata::testing {

namespace fs = std::filesystem;

fs::path ExampleMigrations(db::Dialect dialect) {
  return SourceDir() / "examples/events/migrations" / examples::events::MigrationsFolder(dialect);
}

fs::path ExampleSnapshot(db::Dialect dialect) {
  return SourceDir() / "examples/events/schema" /
         (std::string(examples::events::MigrationsFolder(dialect)) + ".schema");
}

void CopyExampleSqlScripts(db::Dialect dialect, const fs::path& dir) {
  for (const auto& entry : fs::directory_iterator(ExampleMigrations(dialect))) {
    if (entry.path().extension() != ".sql") continue;
    fs::copy_file(entry.path(), dir / entry.path().filename());
  }
}

std::unique_ptr<ScratchDatabase> ExampleDatabase(db::Dialect dialect) {
  auto scratch = ScratchDatabase::Create(dialect);
  if (scratch == nullptr) return nullptr;
  auto conn = scratch->Connect();
  auto lock_conn = dialect == db::Dialect::kSqlite ? nullptr : scratch->Connect();
  if (conn == nullptr || (dialect != db::Dialect::kSqlite && lock_conn == nullptr)) return nullptr;
  auto resolved = migrations::ResolveMigrations({{ExampleMigrations(dialect)}});
  if (!resolved) {
    ADD_FAILURE() << resolved.error().message;
    return nullptr;
  }
  migrations::MigrateListener listener;
  migrations::MigrateOptions options;
  options.plan.target = migrations::Target::Parse("3").value();
  auto migrated = migrations::Migrate(*conn, lock_conn ? *lock_conn : *conn,
                                      std::move(resolved->migrations), options, listener);
  if (!migrated) {
    ADD_FAILURE() << migrated.error().message;
    return nullptr;
  }
  return scratch;
}

}  // namespace strata::testing
