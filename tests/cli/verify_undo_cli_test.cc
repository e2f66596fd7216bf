// `strata verify-undo` as a CI job runs it, on every engine: undos that restore the schema, an
// undo that forgets an index (the diff names it), a missing undo, a failing undo, and a database
// that is not empty (refused without --force).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/run_strata.h"
#include "tests/support/test_env.h"
#include "tests/support/test_project.h"

namespace strata::testing {
namespace {

class VerifyUndoCliTest : public ::testing::TestWithParam<db::Dialect> {
 protected:
  void SetUp() override {
    scratch_ = ScratchDatabase::Create(GetParam());
    ASSERT_NE(scratch_, nullptr);
    WriteConfig();
    // Three migrations whose undos are right.
    project_.Write("V1__create_users.sql",
                   "CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(100));\n");
    project_.Write("U1__create_users.sql", "DROP TABLE users;\n");
    project_.Write("V2__index_email.sql", "CREATE INDEX users_email_idx ON users (email);\n");
    project_.Write("U2__index_email.sql", DropIndexSql());
    project_.Write("V3__add_name.sql", "ALTER TABLE users ADD COLUMN name VARCHAR(50);\n");
    project_.Write("U3__add_name.sql", "ALTER TABLE users DROP COLUMN name;\n");
  }

  // A history table of its own: MariaDB's migration lock (GET_LOCK) is named after the table
  // alone, server-wide, so the default name would queue behind other tests' runs.
  void WriteConfig() {
    project_.WriteConfig(
        fmt::format("url = \"{}\"\ntable = \"verify_undo_history\"\n", scratch_->url()));
  }

  std::string DropIndexSql() const {
    return GetParam() == db::Dialect::kMariaDb ? "DROP INDEX users_email_idx ON users;\n"
                                               : "DROP INDEX users_email_idx;\n";
  }

  RunResult Strata(std::vector<std::string> args) { return project_.Strata(std::move(args)); }

  // Runs with --json and returns the document (exit code checked by the caller).
  nlohmann::json Json(std::vector<std::string> args, int expected_exit) {
    args.insert(args.begin(), "--json");
    const RunResult r = Strata(std::move(args));
    EXPECT_EQ(r.exit_code, expected_exit) << r.all();
    return nlohmann::json::parse(r.out, nullptr, false);
  }

  static std::string Check(const nlohmann::json& doc, std::size_t i) {
    if (!doc.contains("migrations") || doc["migrations"].size() <= i) return "<none>";
    return doc["migrations"][i]["check"].get<std::string>();
  }

  std::unique_ptr<ScratchDatabase> scratch_;
  TestProject project_{"verify_undo_cli"};
};

TEST_P(VerifyUndoCliTest, RightUndosPassAndLeaveTheDatabaseMigrated) {
  const RunResult r = Strata({"verify-undo"});
  ASSERT_EQ(r.exit_code, 0) << r.all();
  EXPECT_NE(r.out.find("ok              version 2 - index email: U2__index_email.sql restored"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("3 of 3 migrations round-trip"), std::string::npos) << r.out;
  // The database ends migrated to the last version: a second run is refused as not empty.
  const RunResult again = Strata({"verify-undo"});
  EXPECT_EQ(again.exit_code, 2) << again.all();
  EXPECT_NE(again.err.find("is not empty (history table verify_undo_history, table users"),
            std::string::npos)
      << again.err;
  EXPECT_NE(again.err.find("--force"), std::string::npos) << again.err;
}

TEST_P(VerifyUndoCliTest, AnUndoThatForgetsAnIndexIsNotRestoredAndTheDiffNamesIt) {
  project_.Write("U2__index_email.sql", "-- forgot to drop the index\nSELECT 1;\n");
  const RunResult r = Strata({"verify-undo"});
  EXPECT_EQ(r.exit_code, 3) << r.all();
  EXPECT_NE(r.out.find("not_restored"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("+  index users_email_idx"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("version 2 not_restored"), std::string::npos) << r.err;

  auto conn = scratch_->Connect();
  ASSERT_NE(conn, nullptr);
  ASSERT_TRUE(conn->Execute("DROP TABLE verify_undo_history"));
  ASSERT_TRUE(conn->Execute("DROP TABLE users"));
  if (GetParam() == db::Dialect::kMariaDb) {
    ASSERT_TRUE(conn->Execute("DROP TABLE IF EXISTS verify_undo_history_progress"));
  }
  const nlohmann::json doc = Json({"verify-undo"}, 3);
  EXPECT_EQ(Check(doc, 0), "ok") << doc;
  ASSERT_EQ(Check(doc, 1), "not_restored") << doc;
  const nlohmann::json& v2 = doc["migrations"][1];
  EXPECT_EQ(v2["undo_script"], "U2__index_email.sql");
  EXPECT_EQ(v2["differences"][0]["object"], "table users") << v2;
  EXPECT_NE(v2["diff"].get<std::string>().find("users_email_idx"), std::string::npos) << v2;
  EXPECT_NE(v2["expected_fingerprint"], v2["fingerprint"]);
  EXPECT_EQ(doc["passed"], false);
  EXPECT_EQ(doc["error"]["kind"], "validation");
}

TEST_P(VerifyUndoCliTest, AMissingUndoFailsUnlessAllowed) {
  std::filesystem::remove(project_.root() / "migrations" / "U1__create_users.sql");
  const nlohmann::json doc = Json({"verify-undo", "--to", "2"}, 3);
  EXPECT_EQ(Check(doc, 0), "no_undo") << doc;
  EXPECT_EQ(doc["migrations"][0]["undo_script"], nullptr) << doc;
  EXPECT_EQ(Check(doc, 1), "ok") << doc;
  EXPECT_EQ(doc["migrations"].size(), 2u) << doc;  // --to 2: version 3 is left alone

  scratch_ = ScratchDatabase::Create(GetParam());
  ASSERT_NE(scratch_, nullptr);
  WriteConfig();
  const RunResult r = Strata({"verify-undo", "--allow-missing-undo"});
  EXPECT_EQ(r.exit_code, 0) << r.all();
  EXPECT_NE(r.out.find("no undo script U1__create_users.sql"), std::string::npos) << r.out;
}

TEST_P(VerifyUndoCliTest, AFailingUndoStopsTheRunAndSaysWhy) {
  project_.Write("U2__index_email.sql", "DROP TABLE no_such_table;\n");
  const nlohmann::json doc = Json({"verify-undo"}, 3);
  EXPECT_EQ(Check(doc, 0), "ok") << doc;
  ASSERT_EQ(Check(doc, 1), "undo_failed") << doc;
  EXPECT_NE(doc["migrations"][1]["error"].get<std::string>().find("no_such_table"),
            std::string::npos)
      << doc;
  EXPECT_EQ(doc["migrations"].size(), 2u) << doc;
  EXPECT_EQ(doc["not_verified"], 1) << doc;
}

TEST_P(VerifyUndoCliTest, ANonEmptyDatabaseIsRefusedWithoutForce) {
  auto conn = scratch_->Connect();
  ASSERT_NE(conn, nullptr);
  ASSERT_TRUE(conn->Execute("CREATE TABLE keep_me (id INT)"));
  const RunResult r = Strata({"verify-undo"});
  EXPECT_EQ(r.exit_code, 2) << r.all();
  EXPECT_NE(r.err.find("is not empty (table keep_me); point --url at an empty database, or pass "
                       "--force"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "one line: " << r.err;
  const RunResult forced = Strata({"verify-undo", "--force"});
  EXPECT_EQ(forced.exit_code, 0) << forced.all();
  // --force over an existing history: what was applied before is skipped, not verified.
  const nlohmann::json doc = Json({"verify-undo", "--force"}, 0);
  EXPECT_EQ(Check(doc, 0), "skipped") << doc;
  EXPECT_EQ(doc["ok"], 0) << doc;
  Json({"verify-undo", "--from", "x.y"}, 2);
}

INSTANTIATE_TEST_SUITE_P(All, VerifyUndoCliTest, ::testing::ValuesIn(kAllDialects),
                         DialectParamName);

}  // namespace
}  // namespace strata::testing
