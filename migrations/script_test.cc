// Script rendering (pure) and execution against real PostgreSQL and MariaDB servers and SQLite.
#include "migrations/script.h"

#include <gtest/gtest.h>

#include "tests/support/test_env.h"

namespace strata::migrations {
namespace {

TEST(RenderDryRunTest, ShowsStepsInOrderWithBoundariesAndComments) {
  const Script script = {Comment("lock: pg_advisory_lock(1)"), Begin(),
                         Statement("CREATE TABLE t (id INT)", {}, "V1__t.sql:1:1"),
                         Statement("INSERT INTO h VALUES ($1, $2, $3, $4)",
                                   {std::int64_t{7}, std::string("it's"), nullptr, true}),
                         Commit()};
  EXPECT_EQ(RenderDryRun(script, db::Dialect::kPostgres),
            "-- lock: pg_advisory_lock(1)\n"
            "BEGIN;\n"
            "CREATE TABLE t (id INT);\n"
            "INSERT INTO h VALUES (7, 'it''s', NULL, TRUE);\n"
            "COMMIT;\n");
}

TEST(RenderDryRunTest, BeginIsWhatExecuteSendsPerDialect) {
  const Script script = {Begin(), Commit()};
  EXPECT_EQ(RenderDryRun(script, db::Dialect::kMariaDb), "START TRANSACTION;\nCOMMIT;\n");
  EXPECT_EQ(RenderDryRun(script, db::Dialect::kSqlite), "BEGIN IMMEDIATE;\nCOMMIT;\n");
}

TEST(RenderDryRunTest, InlinesPositionalParametersOutsideQuotes) {
  const Script script = {Statement("SELECT '?', `a?`, ?, ?", {std::int64_t{1}, false})};
  EXPECT_EQ(RenderDryRun(script, db::Dialect::kMariaDb), "SELECT '?', `a?`, 1, FALSE;\n");
  const Script numbered = {Statement("SELECT ?2, ?1, '?1'", {std::string("a"), false})};
  EXPECT_EQ(RenderDryRun(numbered, db::Dialect::kSqlite), "SELECT 0, 'a', '?1';\n");
  const Script pg = {Statement(
      "SELECT $10, $1, '$1'",
      {std::int64_t{1}, std::int64_t{2}, std::int64_t{3}, std::int64_t{4}, std::int64_t{5},
       std::int64_t{6}, std::int64_t{7}, std::int64_t{8}, std::int64_t{9}, std::string("ten")})};
  EXPECT_EQ(RenderDryRun(pg, db::Dialect::kPostgres), "SELECT 'ten', 1, '$1';\n");
}

TEST(RenderDryRunTest, EscapesBackslashesOnlyForMariaDb) {
  const Script script = {Statement("SELECT ?", {std::string("a\\b'c")})};
  EXPECT_EQ(RenderDryRun(script, db::Dialect::kMariaDb), "SELECT 'a\\\\b''c';\n");
  const Script pg = {Statement("SELECT $1", {std::string("a\\b")})};
  EXPECT_EQ(RenderDryRun(pg, db::Dialect::kPostgres), "SELECT 'a\\b';\n");
}

TEST(RenderDryRunTest, MariaDbStatementsWithSemicolonsGetADelimiter) {
  const Script script = {Statement("CREATE PROCEDURE p() BEGIN SELECT 1; END")};
  EXPECT_EQ(RenderDryRun(script, db::Dialect::kMariaDb),
            "DELIMITER $$\nCREATE PROCEDURE p() BEGIN SELECT 1; END$$\nDELIMITER ;\n");
  const Script dollar = {Statement("CREATE PROCEDURE p() BEGIN SELECT '$$'; END")};
  EXPECT_EQ(RenderDryRun(dollar, db::Dialect::kMariaDb),
            "DELIMITER //\nCREATE PROCEDURE p() BEGIN SELECT '$$'; END//\nDELIMITER ;\n");
  // PostgreSQL needs no delimiter change: psql splits dollar quotes itself.
  const Script pg = {Statement("DO $$ BEGIN PERFORM 1; END $$")};
  EXPECT_EQ(RenderDryRun(pg, db::Dialect::kPostgres), "DO $$ BEGIN PERFORM 1; END $$;\n");
}

TEST(RenderDryRunTest, MultiLineCommentsAndCopyData) {
  const Script script = {Comment("first\n\nthird"),
                         CopyStatement("COPY t (a) FROM STDIN", "1\n2\n", "V1__c.sql:1:1"),
                         CopyStatement("COPY t (a) FROM STDIN", "3")};
  EXPECT_EQ(RenderDryRun(script, db::Dialect::kPostgres),
            "-- first\n--\n-- third\n"
            "COPY t (a) FROM STDIN;\n1\n2\n\\.\n"
            "COPY t (a) FROM STDIN;\n3\n\\.\n");
}

TEST(RenderDryRunTest, EmptyScriptRendersNothing) {
  EXPECT_EQ(RenderDryRun({}, db::Dialect::kPostgres), "");
}

class ScriptExecuteTest : public testing::ScratchDatabaseTest {
 protected:
  std::int64_t Count(const std::string& table) { return Scalar("SELECT count(*) FROM " + table); }

  std::string P(int n) const { return db::Placeholder(GetParam(), n); }
};

TEST_P(ScriptExecuteTest, RunsStatementsWithParametersInTransactions) {
  const Script script = {Comment("not sent"),
                         Statement("CREATE TABLE s (id INT, name VARCHAR(20))"),
                         Begin(),
                         Statement("INSERT INTO s VALUES (" + P(1) + ", " + P(2) + ")",
                                   {std::int64_t{1}, std::string("one")}),
                         Statement("INSERT INTO s VALUES (2, 'two')"),
                         Commit()};
  Status done = Execute(script, *conn_);
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(Count("s"), 2);
  EXPECT_FALSE(conn_->InTransaction());
}

TEST_P(ScriptExecuteTest, FailureNamesOriginAndNumberAndRollsBack) {
  ASSERT_TRUE(conn_->ExecuteScript("CREATE TABLE s (id INT)"));
  const Script script = {Begin(), Statement("INSERT INTO s VALUES (1)", {}, "V2__x.sql:1:1"),
                         Statement("INSERT INTO no_such_table VALUES (1)", {}, "V2__x.sql:2:3"),
                         Statement("INSERT INTO s VALUES (3)", {}, "V2__x.sql:3:1"), Commit()};
  Status done = Execute(script, *conn_);
  ASSERT_FALSE(done);
  EXPECT_EQ(done.error().code, ErrorCode::kDatabase);
  EXPECT_EQ(done.error().message.rfind("V2__x.sql:2:3: statement 2 of 3 failed: ", 0), 0u)
      << done.error().message;
  EXPECT_NE(done.error().message.find("no_such_table"), std::string::npos);
  EXPECT_FALSE(conn_->InTransaction());
  EXPECT_EQ(Count("s"), 0);  // the first insert was rolled back with the transaction
}

TEST_P(ScriptExecuteTest, FailureWithoutOriginSaysScript) {
  Status done = Execute({Statement("SELECT * FROM missing_table")}, *conn_);
  ASSERT_FALSE(done);
  EXPECT_EQ(done.error().message.rfind("script: statement 1 of 1 failed: ", 0), 0u)
      << done.error().message;
}

INSTANTIATE_TEST_SUITE_P(All, ScriptExecuteTest, ::testing::ValuesIn(testing::kAllDialects),
                         testing::DialectParamName);

}  // namespace
}  // namespace strata::migrations
