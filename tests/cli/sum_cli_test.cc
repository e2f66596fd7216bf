// `strata sum` as a user meets it: written, checked offline, and checked again by migrate and
// validate before they touch the database.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "tests/support/example.h"
#include "tests/support/run_strata.h"
#include "tests/support/test_project.h"

namespace strata::testing {
namespace {

namespace fs = std::filesystem;

class SumCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Write("V1__create_users.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY);\n");
    Write("V2__create_orders.sql", "CREATE TABLE orders (id INTEGER PRIMARY KEY);\n");
  }

  void Write(const std::string& name, const std::string& text) { project_.Write(name, text); }
  RunResult Strata(std::vector<std::string> args) { return project_.Strata(std::move(args)); }

  TestProject project_{"sum_cli", "url = \"sqlite:app.db\"\n"};
  const fs::path root_ = project_.root();
};

TEST_F(SumCliTest, WritesAndChecksWithoutADatabase) {
  RunResult sum = Strata({"sum"});
  ASSERT_EQ(sum.exit_code, 0) << sum.all();
  EXPECT_NE(sum.out.find("strata.sum: 2 files, total "), std::string::npos) << sum.out;
  ASSERT_TRUE(fs::exists(root_ / "migrations" / "strata.sum"));
  RunResult check = Strata({"sum", "--check"});
  EXPECT_EQ(check.exit_code, 0) << check.all();
  EXPECT_NE(check.out.find("strata.sum matches 2 files"), std::string::npos) << check.out;
  EXPECT_FALSE(fs::exists(root_ / "app.db"));  // offline: the database was never opened
}

TEST_F(SumCliTest, CheckNamesEveryEditedAddedAndMissingFile) {
  ASSERT_EQ(Strata({"sum"}).exit_code, 0);
  Write("V1__create_users.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);\n");
  Write("V3__add.sql", "SELECT 1;\n");
  fs::remove(root_ / "migrations" / "V2__create_orders.sql");
  RunResult check = Strata({"sum", "--check"});
  EXPECT_EQ(check.exit_code, 3) << check.all();
  EXPECT_NE(check.err.find("(3 problems)"), std::string::npos) << check.err;
  EXPECT_NE(check.err.find("V1__create_users.sql: edited since strata.sum was written"),
            std::string::npos)
      << check.err;
  EXPECT_NE(check.err.find("V2__create_orders.sql: missing"), std::string::npos) << check.err;
  EXPECT_NE(check.err.find("V3__add.sql: added"), std::string::npos) << check.err;

  RunResult json = Strata({"sum", "--check", "--json"});
  EXPECT_EQ(json.exit_code, 3);
  const auto doc = nlohmann::json::parse(json.out);
  EXPECT_EQ(doc["valid"], false);
  ASSERT_EQ(doc["problems"].size(), 3u);
  EXPECT_EQ(doc["problems"][0]["kind"], "edited");
  EXPECT_EQ(doc["problems"][0]["file"], "V1__create_users.sql");
  EXPECT_EQ(doc["problems"][1]["kind"], "missing");
  EXPECT_EQ(doc["problems"][2]["kind"], "added");
}

TEST_F(SumCliTest, CheckWithoutSumFileFails) {
  RunResult check = Strata({"sum", "--check"});
  EXPECT_EQ(check.exit_code, 3) << check.all();
  EXPECT_NE(check.err.find("no strata.sum: create it with `strata sum`"), std::string::npos)
      << check.err;
}

TEST_F(SumCliTest, MigrateAndValidateRefuseEditedFilesBeforeTouchingTheDatabase) {
  ASSERT_EQ(Strata({"sum"}).exit_code, 0);
  Write("V2__create_orders.sql", "CREATE TABLE orders (id INTEGER PRIMARY KEY, total INT);\n");
  RunResult migrate = Strata({"migrate"});
  EXPECT_EQ(migrate.exit_code, 3) << migrate.all();
  EXPECT_NE(migrate.err.find("V2__create_orders.sql: edited since strata.sum was written"),
            std::string::npos)
      << migrate.err;
  EXPECT_FALSE(fs::exists(root_ / "app.db"));
  RunResult validate = Strata({"validate"});
  EXPECT_EQ(validate.exit_code, 3) << validate.all();
  EXPECT_NE(validate.err.find("do not match strata.sum"), std::string::npos) << validate.err;

  ASSERT_EQ(Strata({"sum"}).exit_code, 0);
  RunResult again = Strata({"migrate"});
  EXPECT_EQ(again.exit_code, 0) << again.all();
  EXPECT_EQ(Strata({"validate"}).exit_code, 0);
}

TEST_F(SumCliTest, CommittedExampleSumsMatch) {
  RunResult check = RunStrata({"sum", "--check", "--locations",
                               ExampleMigrations(db::Dialect::kPostgres).string() + "," +
                                   ExampleMigrations(db::Dialect::kMariaDb).string() + "," +
                                   ExampleMigrations(db::Dialect::kSqlite).string()});
  EXPECT_EQ(check.exit_code, 0) << check.all();
}

}  // namespace
}  // namespace strata::testing
