// Shared by repair_test.cc, clean_test.cc and undo_test.cc: a scratch database per test on the
// real servers (tests/with-servers) or an SQLite file, a migrations directory, and a dump of the
// whole database with the engine's own tool (ScratchDatabase::Dump) to prove that dry runs
// change nothing.
#ifndef STRATA_MIGRATIONS_LIFECYCLE_TEST_UTIL_H_
#define STRATA_MIGRATIONS_LIFECYCLE_TEST_UTIL_H_

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "migrations/history.h"
#include "migrations/lifecycle.h"
#include "migrations/migrator.h"
#include "migrations/resolver.h"
#include "tests/support/test_env.h"

namespace strata::migrations {

class LifecycleTest : public testing::ScratchDatabaseTest {
 protected:
  void SetUp() override {
    ScratchDatabaseTest::SetUp();
    if (HasFatalFailure()) return;
    lock_conn_ = GetParam() == db::Dialect::kSqlite ? nullptr : scratch_->Connect();
    dir_ = testing::TestTempDir("lifecycle_engine");
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  db::Connection& conn() { return *conn_; }
  db::Connection& lock_conn() { return lock_conn_ ? *lock_conn_ : *conn_; }

  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name, std::ios::binary) << text;
  }
  void Remove(const std::string& name) { std::filesystem::remove(dir_ / name); }

  std::vector<ResolvedMigration> Files() {
    auto resolved = ResolveMigrations({{dir_}});
    EXPECT_TRUE(resolved) << resolved.error().message;
    return resolved ? std::move(resolved->migrations) : std::vector<ResolvedMigration>{};
  }
  std::vector<SqlCallback> CallbackFiles() {
    auto resolved = ResolveMigrations({{dir_}});
    return resolved ? std::move(resolved->callbacks) : std::vector<SqlCallback>{};
  }

  // Runs `strata migrate` on the files; fails the test on error.
  void Migrate() {
    MigrateListener listener;
    MigrateOptions options;
    auto done = migrations::Migrate(conn(), lock_conn(), Files(), options, listener);
    ASSERT_TRUE(done) << done.error().message;
  }

  RunOptions Run(bool dry_run = false) {
    RunOptions run;
    run.dry_run = dry_run;
    run.lock.timeout = std::chrono::seconds(20);
    run.callbacks = CallbackFiles();
    return run;
  }

  std::vector<HistoryRow> History() {
    SchemaHistory history(conn(), {});
    auto rows = history.ReadAll();
    EXPECT_TRUE(rows) << rows.error().message;
    return rows ? *rows : std::vector<HistoryRow>{};
  }

  // Runs a statement; fails the test on error.
  void Exec(const std::string& sql) {
    auto done = conn().Execute(sql);
    ASSERT_TRUE(done) << sql << ": " << done.error().message;
  }

  // The first column of the first row, "" on error (recorded as a failure).
  std::string Scalar(const std::string& sql) {
    auto rows = conn().Query(sql);
    EXPECT_TRUE(rows) << sql << ": " << (rows ? "" : rows.error().message);
    if (!rows || rows->empty()) return "";
    return rows->rows[0][0].value_or("NULL");
  }

  bool TableExists(const std::string& table) {
    SchemaHistory probe(conn(), {"", table});
    auto exists = probe.Exists();
    EXPECT_TRUE(exists) << exists.error().message;
    return exists && *exists;
  }

  // The whole database as the engine's own dump tool writes it.
  std::string Dump() { return scratch_->Dump(); }

  std::unique_ptr<db::Connection> lock_conn_;
  std::filesystem::path dir_;
};

}  // namespace strata::migrations

#endif  // STRATA_MIGRATIONS_LIFECYCLE_TEST_UTIL_H_
