// SQLite splitting: where the sqlite3 shell (sqlite3_complete) splits, trigger bodies, flags.
#include <string>
#include <vector>

#include "db/sql/splitter.h"
#include "db/sql/splitter_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace strata::db::sql {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<std::string> Lite(std::string_view script) { return TextsAs(Dialect::kSqlite, script); }
std::string LiteError(std::string_view script) { return ErrorAs(Dialect::kSqlite, script); }

TEST(SplitSqliteTest, QuotesAndComments) {
  EXPECT_THAT(Lite("SELECT 'a;''b', \"c;\"\"d\", [e;f], `g;``h` -- x;\n/* y; */; SELECT 2;;"),
              ElementsAre("SELECT 'a;''b', \"c;\"\"d\", [e;f], `g;``h`", "SELECT 2"));
  // No backslash escapes in SQLite.
  EXPECT_THAT(Lite("SELECT '\\'; SELECT 2"), ElementsAre("SELECT '\\'", "SELECT 2"));
  EXPECT_THAT(Lite("/* only */ -- comments\n"), IsEmpty());
}

TEST(SplitSqliteTest, TriggerBodiesKeepTheirSemicolons) {
  const char* trigger =
      "CREATE TRIGGER touch AFTER UPDATE ON event FOR EACH ROW\n"
      "BEGIN\n"
      "  UPDATE event SET kind = CASE WHEN NEW.kind IS NULL THEN 'x' ELSE NEW.kind END\n"
      "    WHERE id = NEW.id;\n"
      "  SELECT CASE 1 WHEN 1 THEN 2 END;\n"
      "END";
  std::string script = std::string(trigger) + ";\nINSERT INTO event VALUES (1);";
  auto result = SplitAs(Dialect::kSqlite, script);
  ASSERT_TRUE(result) << result.error().message;
  ASSERT_EQ(result->size(), 2u);
  EXPECT_EQ((*result)[0].text, trigger);
  EXPECT_EQ((*result)[1].text, "INSERT INTO event VALUES (1)");
  EXPECT_EQ((*result)[1].line, 7);

  EXPECT_THAT(
      Lite("create temp trigger t before delete on x begin delete from y; end; select 1"),
      ElementsAre("create temp trigger t before delete on x begin delete from y; end", "select 1"));
  EXPECT_THAT(
      Lite("EXPLAIN CREATE TEMPORARY TRIGGER t AFTER INSERT ON x BEGIN SELECT 1; END;"
           "SELECT 2"),
      ElementsAre("EXPLAIN CREATE TEMPORARY TRIGGER t AFTER INSERT ON x BEGIN SELECT 1; END",
                  "SELECT 2"));
}

TEST(SplitSqliteTest, OtherStatementsMentioningTriggerOrEndSplitNormally) {
  EXPECT_THAT(Lite("CREATE TABLE trigger_log (a);SELECT CASE 1 WHEN 1 THEN 2 END;DROP TRIGGER t;"
                   "BEGIN;END;"),
              ElementsAre("CREATE TABLE trigger_log (a)", "SELECT CASE 1 WHEN 1 THEN 2 END",
                          "DROP TRIGGER t", "BEGIN", "END"));
}

TEST(SplitSqliteTest, FlagsStatementsThatCannotRunInATransaction) {
  auto result = SplitAs(Dialect::kSqlite,
                        "VACUUM; VACUUM INTO 'x.db'; PRAGMA foreign_keys = OFF;"
                        "PRAGMA main.journal_mode = WAL; PRAGMA user_version = 3; "
                        "CREATE TABLE t (a); ANALYZE");
  ASSERT_TRUE(result) << result.error().message;
  std::vector<bool> flags;
  for (const Statement& s : *result) flags.push_back(s.no_transaction);
  EXPECT_THAT(flags, ElementsAre(true, true, true, true, false, false, false));
}

TEST(SplitSqliteTest, DotCommandsAreRejected) {
  EXPECT_EQ(LiteError("SELECT 1;\n.read other.sql\n"),
            "V1__test.sql:2:1: .read is a sqlite3 shell dot-command, not SQL: it cannot run in a "
            "migration\n"
            "  .read other.sql\n"
            "  ^");
  EXPECT_THAT(Lite("SELECT 1 .5;"), ElementsAre("SELECT 1 .5"));
}

TEST(SplitSqliteTest, UnterminatedTokens) {
  EXPECT_EQ(LiteError("SELECT [a;\n"),
            "V1__test.sql:1:8: unterminated quoted identifier\n  SELECT [a;\n         ^");
  EXPECT_EQ(LiteError("SELECT 1; /* a"),
            "V1__test.sql:1:11: unterminated /* comment\n  SELECT 1; /* a\n            ^");
  EXPECT_EQ(LiteError("SELECT 'a''"),
            "V1__test.sql:1:8: unterminated quoted string\n  SELECT 'a''\n         ^");
}

}  // namespace
}  // namespace strata::db::sql
