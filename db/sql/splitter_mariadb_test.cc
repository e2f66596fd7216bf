// MariaDB splitting: where the mariadb 10.11 client splits, DELIMITER, client commands.
#include <string>
#include <vector>

#include "db/sql/splitter.h"
#include "db/sql/splitter_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace strata::db::sql {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::vector<std::string> My(std::string_view script) { return TextsAs(Dialect::kMariaDb, script); }
std::string MyError(std::string_view script) { return ErrorAs(Dialect::kMariaDb, script); }

TEST(SplitMariaDbTest, SplitsAtSemicolons) {
  auto result = SplitAs(Dialect::kMariaDb, "CREATE TABLE t (a INT);\n INSERT INTO t VALUES (1)");
  ASSERT_TRUE(result) << result.error().message;
  ASSERT_EQ(result->size(), 2u);
  EXPECT_EQ((*result)[0].text, "CREATE TABLE t (a INT)");
  EXPECT_EQ((*result)[1].text, "INSERT INTO t VALUES (1)");
  EXPECT_EQ((*result)[1].line, 2);
  EXPECT_EQ((*result)[1].column, 2);
  EXPECT_FALSE((*result)[0].no_transaction);
  EXPECT_THAT(My(";; -- x\n;"), IsEmpty());
}

TEST(SplitMariaDbTest, DelimiterBlocksKeepCompoundStatementsWhole) {
  const char* procedure =
      "CREATE PROCEDURE p()\nBEGIN\n  DECLARE x INT DEFAULT 1;\n  SELECT x;\nEND";
  std::string script = std::string("SELECT 1;\nDELIMITER //\n") + procedure +
                       "//\nSELECT 2//\nDELIMITER ;\nSELECT 3;\n";
  auto result = SplitAs(Dialect::kMariaDb, script);
  ASSERT_TRUE(result) << result.error().message;
  ASSERT_EQ(result->size(), 4u);
  EXPECT_EQ((*result)[1].text, procedure);
  EXPECT_EQ((*result)[1].line, 3);
  EXPECT_EQ((*result)[2].text, "SELECT 2");
  EXPECT_EQ((*result)[3].text, "SELECT 3");
  EXPECT_EQ((*result)[3].line, 10);
}

TEST(SplitMariaDbTest, DelimiterCommandDetails) {
  // Any case, indented, any string; a delimiter inside quotes does not split.
  EXPECT_THAT(My("  DeLiMiTeR $$\nSELECT '$$', `a$$b` $$ SELECT 2$$\n delimiter ;\nSELECT 3"),
              ElementsAre("SELECT '$$', `a$$b`", "SELECT 2", "SELECT 3"));
  // The client finds the delimiter at any byte, even inside a word.
  EXPECT_THAT(My("DELIMITER $$\nSELECT a$$b$$"), ElementsAre("SELECT a", "b"));
  EXPECT_THAT(My("DELIMITER 'GO'\nSELECT 1 GO SELECT 2"), ElementsAre("SELECT 1", "SELECT 2"));
  // A DELIMITER line may hold the current delimiter.
  EXPECT_THAT(My("DELIMITER ;;\nSELECT 1;;\nDELIMITER ;\nSELECT 2;"),
              ElementsAre("SELECT 1", "SELECT 2"));
}

TEST(SplitMariaDbTest, DelimiterLinesWithCrLf) {
  EXPECT_THAT(My("DELIMITER //\r\nSELECT 1; SELECT 2//\r\nDELIMITER ;\r\nSELECT 3;\r\n"),
              ElementsAre("SELECT 1; SELECT 2", "SELECT 3"));
}

TEST(SplitMariaDbTest, DelimiterInsideCommentsIsIgnored) {
  EXPECT_THAT(My("/*\nDELIMITER //\n*/\nSELECT 1;\n# DELIMITER //\nSELECT 2;\n-- DELIMITER //\n"
                 "SELECT 3;"),
              ElementsAre("SELECT 1", "SELECT 2", "SELECT 3"));
}

TEST(SplitMariaDbTest, DelimiterOnlyOnALineOfItsOwn) {
  EXPECT_EQ(MyError("SELECT 1; DELIMITER //\nSELECT 2//"),
            "V1__test.sql:1:11: DELIMITER must be on a line of its own, at the start of a "
            "statement\n"
            "  SELECT 1; DELIMITER //\n"
            "            ^");
  // Inside a pending statement the client takes the line as SQL text.
  EXPECT_THAT(My("SELECT 1\nDELIMITER //\n;"), ElementsAre("SELECT 1\nDELIMITER //"));
}

TEST(SplitMariaDbTest, BadDelimiterArguments) {
  EXPECT_EQ(MyError("DELIMITER\nSELECT 1;"),
            "V1__test.sql:1:1: DELIMITER must be followed by a delimiter character or string\n"
            "  DELIMITER\n"
            "  ^");
  EXPECT_THAT(MyError("delimiter \\\\"),
              HasSubstr("1:1: DELIMITER cannot contain a backslash character"));
}

TEST(SplitMariaDbTest, CompoundStatementWithoutDelimiterSplitsLikeTheClient) {
  // The client does not track BEGIN ... END: without DELIMITER it cuts at the first ';'.
  EXPECT_THAT(My("CREATE PROCEDURE p() BEGIN SELECT 1; END;"),
              ElementsAre("CREATE PROCEDURE p() BEGIN SELECT 1", "END"));
}

TEST(SplitMariaDbTest, BackticksWithDoubledBackticks) {
  EXPECT_THAT(My("CREATE TABLE `a;``b` (`c\\` INT); SELECT 2"),
              ElementsAre("CREATE TABLE `a;``b` (`c\\` INT)", "SELECT 2"));
}

TEST(SplitMariaDbTest, StringsWithBackslashEscapesAndDoubledQuotes) {
  EXPECT_THAT(My("SELECT 'it\\'s;', 'a'';', \"b\\\";\", \"c\"\";\"; SELECT 2"),
              ElementsAre("SELECT 'it\\'s;', 'a'';', \"b\\\";\", \"c\"\";\"", "SELECT 2"));
  EXPECT_THAT(My("SELECT '\\\\'; SELECT 2"), ElementsAre("SELECT '\\\\'", "SELECT 2"));
}

TEST(SplitMariaDbTest, HashAndDashDashComments) {
  EXPECT_THAT(My("SELECT 1 # c;\n+ 1; SELECT 2 -- c;\n; SELECT 3 --\n;"),
              ElementsAre("SELECT 1 # c;\n+ 1", "SELECT 2", "SELECT 3"));
  // "--x" is the minus operator twice inside a statement ...
  EXPECT_THAT(My("SELECT 4 --x\n;"), ElementsAre("SELECT 4 --x"));
  // ... but at the start of a statement the client skips the line as a comment.
  EXPECT_THAT(My("--y;\nSELECT 5;"), ElementsAre("SELECT 5"));
  // "--" at the end of the input is a comment.
  EXPECT_THAT(My("SELECT 6 --"), ElementsAre("SELECT 6"));
}

TEST(SplitMariaDbTest, BlockAndExecutableComments) {
  EXPECT_THAT(My("SELECT 1 /* ; */ + 1; /* lead */ SELECT 2;"),
              ElementsAre("SELECT 1 /* ; */ + 1", "SELECT 2"));
  EXPECT_THAT(My("/*!40101 SET NAMES utf8mb4 */;\n/*M!100100 SET x = 1 */;"),
              ElementsAre("/*!40101 SET NAMES utf8mb4 */", "/*M!100100 SET x = 1 */"));
  // The client splits at a delimiter inside an executable comment (checked with mariadb 10.11).
  EXPECT_THAT(My("/*!40101 SELECT 1; SELECT 2 */;"),
              ElementsAre("/*!40101 SELECT 1", "SELECT 2 */"));
  // mysqldump's trigger form.
  EXPECT_THAT(My("DELIMITER ;;\n/*!50003 CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW BEGIN "
                 "SET NEW.a = 1; END */;;\nDELIMITER ;"),
              ElementsAre("/*!50003 CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW BEGIN SET "
                          "NEW.a = 1; END */"));
}

TEST(SplitMariaDbTest, ClientCommandsAreRejected) {
  EXPECT_EQ(MyError("SELECT 1;\nsource other.sql\n"),
            "V1__test.sql:2:1: source is a mariadb client command, not SQL: it cannot run in a "
            "migration\n"
            "  source other.sql\n"
            "  ^");
  EXPECT_THAT(MyError("SOURCE other.sql;"), HasSubstr("1:1: SOURCE is a mariadb client command"));
  EXPECT_THAT(MyError("  connect otherdb"), HasSubstr("1:3: connect is a mariadb client command"));
  EXPECT_THAT(MyError("charset utf8mb4;"), HasSubstr("1:1: charset is a mariadb client command"));
  EXPECT_THAT(MyError("status;"), HasSubstr("1:1: status is a mariadb client command"));
  EXPECT_THAT(MyError("SELECT 1\\G"), HasSubstr("1:9: \\G is a mariadb client command"));
  EXPECT_THAT(MyError("SELECT 1 \\g"), HasSubstr("1:10: \\g is a mariadb client command"));
  EXPECT_THAT(MyError("\\. other.sql"), HasSubstr("1:1: \\. is a mariadb client command"));
  // A command that takes no arguments is SQL when it has some, as in the client.
  EXPECT_THAT(My("status x;"), ElementsAre("status x"));
  // \N is NULL; backslashes inside strings are escapes.
  EXPECT_THAT(My("SELECT \\N, '\\g';"), ElementsAre("SELECT \\N, '\\g'"));
}

TEST(SplitMariaDbTest, UseIsSentAsAStatement) {
  auto result = SplitAs(Dialect::kMariaDb, "use app\nSELECT DATABASE();\nUSE `other`;");
  ASSERT_TRUE(result) << result.error().message;
  ASSERT_EQ(result->size(), 3u);
  EXPECT_EQ((*result)[0].text, "use app");
  EXPECT_EQ((*result)[0].keyword(), "use");
  EXPECT_EQ((*result)[1].text, "SELECT DATABASE()");
  EXPECT_EQ((*result)[2].text, "USE `other`");
}

TEST(SplitMariaDbTest, UnterminatedTokens) {
  EXPECT_EQ(MyError("SELECT 'a\\';"),
            "V1__test.sql:1:8: unterminated quoted string\n  SELECT 'a\\';\n         ^");
  EXPECT_EQ(MyError("SELECT \"a"),
            "V1__test.sql:1:8: unterminated quoted string\n  SELECT \"a\n         ^");
  EXPECT_EQ(MyError("SELECT `é;\n"),
            "V1__test.sql:1:8: unterminated quoted identifier\n  SELECT `é;\n         ^");
  EXPECT_EQ(MyError("SELECT 'ü';\nSELECT 'ä', `x"),
            "V1__test.sql:2:13: unterminated quoted identifier\n  SELECT 'ä', `x\n              ^");
  EXPECT_EQ(MyError("SELECT 1; /* /* */ */ /* x"),
            "V1__test.sql:1:23: unterminated /* comment\n"
            "  SELECT 1; /* /* */ */ /* x\n"
            "                        ^");
}

}  // namespace
}  // namespace strata::db::sql
