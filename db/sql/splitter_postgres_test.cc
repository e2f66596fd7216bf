// PostgreSQL splitting: where psql 15 splits, COPY data, transaction flags, errors.
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

std::vector<std::string> Pg(std::string_view script) { return TextsAs(Dialect::kPostgres, script); }
std::string PgError(std::string_view script) { return ErrorAs(Dialect::kPostgres, script); }

// Whether each statement of `script` is flagged as unable to run in a transaction.
std::vector<bool> NoTransaction(std::string_view script, int server_version = 0) {
  auto result = SplitAs(Dialect::kPostgres, script, server_version);
  EXPECT_TRUE(result) << result.error().message;
  std::vector<bool> flags;
  if (result) {
    for (const Statement& s : *result) flags.push_back(s.no_transaction);
  }
  return flags;
}

TEST(SplitPostgresTest, SplitsAtSemicolonsAndReportsFirstTokenPositions) {
  auto result = SplitAs(Dialect::kPostgres, "SELECT 1;\n  SELECT 2 ;SELECT\n3;");
  ASSERT_TRUE(result) << result.error().message;
  ASSERT_EQ(result->size(), 3u);
  EXPECT_EQ((*result)[0].text, "SELECT 1");
  EXPECT_EQ((*result)[0].line, 1);
  EXPECT_EQ((*result)[0].column, 1);
  EXPECT_EQ((*result)[1].text, "SELECT 2");
  EXPECT_EQ((*result)[1].line, 2);
  EXPECT_EQ((*result)[1].column, 3);
  EXPECT_EQ((*result)[2].text, "SELECT\n3");
  EXPECT_EQ((*result)[2].line, 2);
  EXPECT_EQ((*result)[2].column, 13);
  EXPECT_EQ((*result)[2].keyword(), "SELECT");
  EXPECT_FALSE((*result)[0].copy_data.has_value());
}

TEST(SplitPostgresTest, EmptyStatementsAndCommentOnlyTailsYieldNothing) {
  EXPECT_THAT(Pg(";;\n-- only a comment\n SELECT 1;;\n/* tail */\n-- end"),
              ElementsAre("SELECT 1"));
  EXPECT_THAT(Pg(""), IsEmpty());
  EXPECT_THAT(Pg("  \n\t\n"), IsEmpty());
  EXPECT_THAT(Pg("/* a */ ; -- b\n;"), IsEmpty());
}

TEST(SplitPostgresTest, KeepsLastStatementWithoutSemicolon) {
  EXPECT_THAT(Pg("SELECT 1;\nSELECT 2\n"), ElementsAre("SELECT 1", "SELECT 2"));
  EXPECT_THAT(Pg("SELECT 1; SELECT 2 -- trailing"), ElementsAre("SELECT 1", "SELECT 2"));
}

TEST(SplitPostgresTest, TextRunsFromFirstToLastTokenWithoutSurroundingComments) {
  auto result = SplitAs(Dialect::kPostgres,
                        "-- leading\n/* block */ SELECT 1 /* inner */ + 2 /* after */ -- c\n;");
  ASSERT_TRUE(result) << result.error().message;
  ASSERT_EQ(result->size(), 1u);
  EXPECT_EQ((*result)[0].text, "SELECT 1 /* inner */ + 2");
  EXPECT_EQ((*result)[0].line, 2);
  EXPECT_EQ((*result)[0].column, 13);
}

TEST(SplitPostgresTest, SingleQuotedStringsWithDoubledQuotes) {
  EXPECT_THAT(Pg("SELECT 'a;b', 'it''s;'; SELECT ''';'"),
              ElementsAre("SELECT 'a;b', 'it''s;'", "SELECT ''';'"));
  // Without E, a backslash is an ordinary character (standard_conforming_strings).
  EXPECT_THAT(Pg("SELECT 'C:\\'; SELECT 2"), ElementsAre("SELECT 'C:\\'", "SELECT 2"));
  EXPECT_THAT(Pg("SELECT B'01;', X'1F;', N'n;'; SELECT 2"),
              ElementsAre("SELECT B'01;', X'1F;', N'n;'", "SELECT 2"));
}

TEST(SplitPostgresTest, EscapeStringsTakeBackslashEscapes) {
  EXPECT_THAT(Pg("SELECT E'it\\'s; fine'; SELECT 2"),
              ElementsAre("SELECT E'it\\'s; fine'", "SELECT 2"));
  EXPECT_THAT(Pg("SELECT e'\\\\'; SELECT 2"), ElementsAre("SELECT e'\\\\'", "SELECT 2"));
  EXPECT_THAT(Pg("SELECT E'a''b;\\n'; SELECT 2"), ElementsAre("SELECT E'a''b;\\n'", "SELECT 2"));
  // A word ending in E is an identifier, not an E prefix: the string is standard.
  EXPECT_THAT(Pg("SELECT typE'\\'; SELECT 2"), ElementsAre("SELECT typE'\\'", "SELECT 2"));
}

TEST(SplitPostgresTest, ContinuedStringOnNextLineIsStandardAsInPsql) {
  // psql lexes line by line and never continues E'...' into the next line's '...', so the
  // backslash there does not escape (the server would disagree and report an error).
  EXPECT_THAT(Pg("SELECT E'x'\n'\\'; SELECT 2"), ElementsAre("SELECT E'x'\n'\\'", "SELECT 2"));
}

TEST(SplitPostgresTest, UnicodeEscapeStringsAndIdentifiers) {
  EXPECT_THAT(Pg("SELECT U&'d\\0061t;a' AS U&\"x;y\"; SELECT 2"),
              ElementsAre("SELECT U&'d\\0061t;a' AS U&\"x;y\"", "SELECT 2"));
}

TEST(SplitPostgresTest, QuotedIdentifiersWithDoubledQuotes) {
  EXPECT_THAT(Pg("CREATE TABLE \"a;\"\"b\" (x int); SELECT 2"),
              ElementsAre("CREATE TABLE \"a;\"\"b\" (x int)", "SELECT 2"));
}

TEST(SplitPostgresTest, DollarQuotesWithAndWithoutTags) {
  EXPECT_THAT(Pg("SELECT $$a;b$$; SELECT $fn$ x; $$ ; $fn$; SELECT 3"),
              ElementsAre("SELECT $$a;b$$", "SELECT $fn$ x; $$ ; $fn$", "SELECT 3"));
  // Nested, different tags: only the opening tag closes.
  EXPECT_THAT(
      Pg("DO $outer$ BEGIN EXECUTE $inner$ SELECT 1; $inner$; END $outer$;\nSELECT 2"),
      ElementsAre("DO $outer$ BEGIN EXECUTE $inner$ SELECT 1; $inner$; END $outer$", "SELECT 2"));
  // Tags are case-sensitive.
  EXPECT_THAT(Pg("SELECT $a$ $A$; $a$; SELECT 2"), ElementsAre("SELECT $a$ $A$; $a$", "SELECT 2"));
}

TEST(SplitPostgresTest, ParametersAndIdentifierDollarsAreNotTags) {
  EXPECT_THAT(Pg("PREPARE p AS SELECT $1, $2;EXECUTE p(1, 2)"),
              ElementsAre("PREPARE p AS SELECT $1, $2", "EXECUTE p(1, 2)"));
  EXPECT_THAT(Pg("SELECT a$$b; SELECT 2"), ElementsAre("SELECT a$$b", "SELECT 2"));
  EXPECT_THAT(Pg("SELECT $ 1; SELECT 2"), ElementsAre("SELECT $ 1", "SELECT 2"));
  // After a number a dollar quote may start.
  EXPECT_THAT(Pg("SELECT 1$$;$$; SELECT 2"), ElementsAre("SELECT 1$$;$$", "SELECT 2"));
}

TEST(SplitPostgresTest, NestedBlockComments) {
  EXPECT_THAT(Pg("SELECT 1 /* a /* b; */ c; */ + 1; SELECT 2"),
              ElementsAre("SELECT 1 /* a /* b; */ c; */ + 1", "SELECT 2"));
  EXPECT_THAT(Pg("/**/SELECT 1;/*/ ; */SELECT 2"), ElementsAre("SELECT 1", "SELECT 2"));
}

TEST(SplitPostgresTest, DashDashComments) {
  EXPECT_THAT(Pg("SELECT 1 -- not the end;\n+ 1; SELECT 2 --x;\n;"),
              ElementsAre("SELECT 1 -- not the end;\n+ 1", "SELECT 2"));
  // psql ends a -- comment at a carriage return too.
  EXPECT_THAT(Pg("SELECT 1 -- c\r; SELECT 2"), ElementsAre("SELECT 1", "SELECT 2"));
}

TEST(SplitPostgresTest, SemicolonsInsideParenthesesDoNotSplitAsInPsql) {
  // psql counts parentheses and sends "SELECT (1;\n2)" as one statement (the server rejects it).
  EXPECT_THAT(Pg("SELECT (1;\n2);SELECT 3"), ElementsAre("SELECT (1;\n2)", "SELECT 3"));
  EXPECT_THAT(Pg("SELECT (1));SELECT 3"), ElementsAre("SELECT (1))", "SELECT 3"));
}

TEST(SplitPostgresTest, BeginAtomicBodiesKeepTheirSemicolons) {
  const char* function =
      "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql\n"
      "BEGIN ATOMIC\n"
      "  SELECT CASE WHEN a > 0 THEN 1 ELSE 2 END;\n"
      "  SELECT 3;\n"
      "END";
  const char* procedure =
      "create or replace procedure p() language sql begin atomic insert into t values (1); end";
  EXPECT_THAT(Pg(std::string(function) + ";\n" + procedure + ";\nSELECT 4;"),
              ElementsAre(function, procedure, "SELECT 4"));
  // Outside CREATE FUNCTION/PROCEDURE, BEGIN is a transaction statement.
  EXPECT_THAT(Pg("BEGIN; SELECT 1; END; CREATE TABLE t (a int); COMMIT"),
              ElementsAre("BEGIN", "SELECT 1", "END", "CREATE TABLE t (a int)", "COMMIT"));
}

TEST(SplitPostgresTest, FunctionBodiesInDollarQuotes) {
  const char* function =
      "CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $fn$\n"
      "BEGIN\n  NEW.updated_at := now();\n  RETURN NEW;\nEND;\n$fn$";
  EXPECT_THAT(Pg(std::string(function) + ";\nSELECT 1;"), ElementsAre(function, "SELECT 1"));
}

TEST(SplitPostgresTest, CopyFromStdinCarriesItsDataBlock) {
  auto result = SplitAs(Dialect::kPostgres,
                        "CREATE TABLE t (a int, b text);\n"
                        "COPY t (a, b) FROM stdin WITH (FORMAT text);\n"
                        "1\tx;y\n"
                        "2\t\\N\n"
                        "\\.\n"
                        "SELECT count(*) FROM t;\n");
  ASSERT_TRUE(result) << result.error().message;
  ASSERT_EQ(result->size(), 3u);
  const Statement& copy = (*result)[1];
  EXPECT_EQ(copy.text, "COPY t (a, b) FROM stdin WITH (FORMAT text)");
  ASSERT_TRUE(copy.copy_data.has_value());
  EXPECT_EQ(*copy.copy_data, "1\tx;y\n2\t\\N\n");
  EXPECT_FALSE(copy.no_transaction);
  EXPECT_EQ((*result)[2].text, "SELECT count(*) FROM t");
  EXPECT_EQ((*result)[2].line, 6);
}

TEST(SplitPostgresTest, CopyDataEndsAtEndOfFileAsInPsql) {
  auto result = SplitAs(Dialect::kPostgres, "COPY t FROM STDIN; -- data follows\n1\n2\n");
  ASSERT_TRUE(result) << result.error().message;
  ASSERT_EQ(result->size(), 1u);
  EXPECT_EQ(*(*result)[0].copy_data, "1\n2\n");

  result = SplitAs(Dialect::kPostgres, "copy t from stdin;");
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(*(*result)[0].copy_data, "");

  result = SplitAs(Dialect::kPostgres, "COPY t FROM stdin");
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(*(*result)[0].copy_data, "");
}

TEST(SplitPostgresTest, CopyTerminatorVariants) {
  // CRLF line ends, a final "\." without newline, and lines that only start with "\.".
  auto result =
      SplitAs(Dialect::kPostgres,
              "COPY t FROM stdin;\r\n1\r\n\\.x\r\n\\.\r\nSELECT 1;COPY u FROM stdin;\n2\n\\.");
  ASSERT_TRUE(result) << result.error().message;
  ASSERT_EQ(result->size(), 3u);
  EXPECT_EQ(*(*result)[0].copy_data, "1\r\n\\.x\r\n");
  EXPECT_EQ((*result)[1].text, "SELECT 1");
  EXPECT_EQ((*result)[1].line, 5);
  EXPECT_EQ(*(*result)[2].copy_data, "2\n");
}

TEST(SplitPostgresTest, CopyToStdoutAndCopyFromFileHaveNoData) {
  auto result = SplitAs(Dialect::kPostgres,
                        "COPY (SELECT 1 FROM stdin) TO STDOUT;\nCOPY t FROM '/tmp/x';\nSELECT 2;");
  ASSERT_TRUE(result) << result.error().message;
  ASSERT_EQ(result->size(), 3u);
  EXPECT_FALSE((*result)[0].copy_data.has_value());
  EXPECT_FALSE((*result)[1].copy_data.has_value());
}

TEST(SplitPostgresTest, CopyDataStartsOnTheNextLine) {
  EXPECT_EQ(PgError("COPY t FROM stdin; SELECT 1;\n1\n\\.\n"),
            "V1__test.sql:1:20: COPY ... FROM STDIN must be the last statement on its line: its "
            "data starts on the next line\n"
            "  COPY t FROM stdin; SELECT 1;\n"
            "                     ^");
}

TEST(SplitPostgresTest, RequiredCopyTerminatorCatchesAMissingBackslashDot) {
  SplitOptions options;
  options.file_name = "V2__data.sql";
  options.require_copy_terminator = true;
  auto result = Split("SELECT 1;\n  COPY t FROM stdin;\n1\nSELECT 2;\n", options);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(result.error().message,
            "V2__data.sql:2:3: unterminated COPY data: no \\. line before the end of the file\n"
            "    COPY t FROM stdin;\n"
            "    ^");
  EXPECT_TRUE(Split("COPY t FROM stdin;\n1\n\\.\n", options));
}

TEST(SplitPostgresTest, FlagsStatementsThatCannotRunInATransaction) {
  EXPECT_THAT(NoTransaction("CREATE INDEX CONCURRENTLY i ON t (a);"
                            "create unique index concurrently if not exists i on t (a);"
                            "DROP INDEX CONCURRENTLY IF EXISTS i;"
                            "REINDEX INDEX CONCURRENTLY i;"
                            "REINDEX (VERBOSE) TABLE CONCURRENTLY t;"
                            "REINDEX SCHEMA public;"
                            "REINDEX DATABASE app;"
                            "REINDEX SYSTEM app;"
                            "VACUUM;"
                            "VACUUM (ANALYZE) t;"
                            "CLUSTER;"
                            "CLUSTER VERBOSE;"
                            "CLUSTER (VERBOSE);"
                            "CREATE DATABASE app2;"
                            "DROP DATABASE IF EXISTS app2 WITH (FORCE);"
                            "CREATE TABLESPACE ts LOCATION '/data';"
                            "DROP TABLESPACE ts;"
                            "ALTER SYSTEM SET work_mem = '64MB';"
                            "ALTER DATABASE \"app\" SET TABLESPACE ts;"
                            "ALTER TABLE s.p DETACH PARTITION s.p1 CONCURRENTLY;"
                            "DISCARD ALL;"
                            "COMMIT PREPARED 'x';"
                            "ROLLBACK PREPARED 'x';"
                            "CREATE SUBSCRIPTION s CONNECTION 'host=x' PUBLICATION p;"
                            "DROP SUBSCRIPTION s;"
                            "ALTER SUBSCRIPTION s REFRESH PUBLICATION;"
                            "ALTER SUBSCRIPTION s SET PUBLICATION p;"
                            "ALTER SUBSCRIPTION s ADD PUBLICATION p;"
                            "ALTER SUBSCRIPTION s DROP PUBLICATION p;"),
              ::testing::Each(true));
  EXPECT_THAT(NoTransaction("CREATE INDEX i ON t (a);"
                            "CREATE TABLE concurrently (a int);"
                            "REINDEX TABLE t;"
                            "CLUSTER t USING i;"
                            "ANALYZE t;"
                            "ALTER DATABASE app SET work_mem = '1MB';"
                            "ALTER TABLE p DETACH PARTITION p1;"
                            "ALTER SUBSCRIPTION s ENABLE;"
                            "DISCARD PLANS;"
                            "COMMIT;"
                            "SELECT 'VACUUM';"
                            "REFRESH MATERIALIZED VIEW CONCURRENTLY mv;"
                            "ALTER TYPE mood ADD VALUE 'meh';"),
              ::testing::Each(false));
}

TEST(SplitPostgresTest, AlterTypeAddValueNeedsNoTransactionBeforePostgres12) {
  const char* script = "ALTER TYPE s.mood ADD VALUE IF NOT EXISTS 'meh' AFTER 'ok';";
  EXPECT_THAT(NoTransaction(script, 110022), ElementsAre(true));
  EXPECT_THAT(NoTransaction(script, 120000), ElementsAre(false));
  EXPECT_THAT(NoTransaction(script, 0), ElementsAre(false));
  EXPECT_THAT(NoTransaction("ALTER TYPE mood RENAME VALUE 'a' TO 'b';", 110000),
              ElementsAre(false));
}

TEST(SplitPostgresTest, MetaCommandsAreRejected) {
  EXPECT_EQ(PgError("SELECT 1;\n\\set ON_ERROR_STOP on\nSELECT 2;"),
            "V1__test.sql:2:1: \\set is a psql meta-command, not SQL: it cannot run in a "
            "migration\n"
            "  \\set ON_ERROR_STOP on\n"
            "  ^");
  EXPECT_EQ(PgError("SELECT 1 \\gexec"),
            "V1__test.sql:1:10: \\gexec is a psql meta-command, not SQL: it cannot run in a "
            "migration\n"
            "  SELECT 1 \\gexec\n"
            "           ^");
  EXPECT_THAT(PgError("\\i other.sql"), ::testing::HasSubstr("1:1: \\i is a psql meta-command"));
  EXPECT_THAT(PgError("  \\c otherdb"), ::testing::HasSubstr("1:3: \\c is a psql meta-command"));
  // Backslashes inside strings, identifiers, dollar quotes and comments are not commands.
  EXPECT_THAT(Pg("SELECT '\\i', \"\\c\", $$\\set$$ /* \\q */ -- \\x\n;"),
              ElementsAre("SELECT '\\i', \"\\c\", $$\\set$$"));
}

TEST(SplitPostgresTest, UnterminatedDollarQuoteShowsLineAndCaret) {
  EXPECT_EQ(PgError("SELECT 1;\n\nCREATE FUNCTION f() RETURNS int AS $fn$\n  SELECT 1;\n"),
            "V1__test.sql:3:36: unterminated dollar-quoted string $fn$\n"
            "  CREATE FUNCTION f() RETURNS int AS $fn$\n"
            "                                     ^");
}

TEST(SplitPostgresTest, UnterminatedTokensPointAtTheirOpening) {
  EXPECT_EQ(PgError("SELECT 'abc"),
            "V1__test.sql:1:8: unterminated quoted string\n  SELECT 'abc\n         ^");
  EXPECT_EQ(PgError("SELECT 1;\n  SELECT E'ab\\'"),
            "V1__test.sql:2:10: unterminated quoted string\n    SELECT E'ab\\'\n           ^");
  EXPECT_EQ(PgError("SELECT \"col"),
            "V1__test.sql:1:8: unterminated quoted identifier\n  SELECT \"col\n         ^");
  EXPECT_EQ(PgError("SELECT U&\"col"),
            "V1__test.sql:1:8: unterminated quoted identifier\n  SELECT U&\"col\n         ^");
  EXPECT_EQ(PgError("SELECT 1 /* a /* b */\n*/ /* c"),
            "V1__test.sql:2:4: unterminated /* comment\n  */ /* c\n     ^");
  EXPECT_EQ(PgError("SELECT 1; /* a /* b */"),
            "V1__test.sql:1:11: unterminated /* comment\n  SELECT 1; /* a /* b */\n            ^");
  EXPECT_EQ(PgError("SELECT $$"),
            "V1__test.sql:1:8: unterminated dollar-quoted string $$\n  SELECT $$\n         ^");
}

TEST(SplitPostgresTest, ColumnsCountCharactersNotBytes) {
  // 'é' and 'ü' are two bytes each, '€' three: the columns count each as one.
  auto result = SplitAs(Dialect::kPostgres, "SELECT 'é'; SELECT '€'; SELECT 'ü';");
  ASSERT_TRUE(result) << result.error().message;
  ASSERT_EQ(result->size(), 3u);
  EXPECT_EQ((*result)[1].column, 13);
  EXPECT_EQ((*result)[2].column, 25);
  EXPECT_EQ(PgError("SELECT 'é', \"ü€\", 'x"),
            "V1__test.sql:1:19: unterminated quoted string\n"
            "  SELECT 'é', \"ü€\", 'x\n"
            "                    ^");
}

TEST(SplitPostgresTest, CaretKeepsTabs) {
  EXPECT_EQ(PgError("\tSELECT\t'x"),
            "V1__test.sql:1:9: unterminated quoted string\n  \tSELECT\t'x\n  \t      \t^");
}

TEST(SplitPostgresTest, SkipsByteOrderMark) {
  auto result = SplitAs(Dialect::kPostgres, "\xEF\xBB\xBFSELECT 1; SELECT 2");
  ASSERT_TRUE(result) << result.error().message;
  ASSERT_EQ(result->size(), 2u);
  EXPECT_EQ((*result)[0].text, "SELECT 1");
  EXPECT_EQ((*result)[0].column, 1);
  EXPECT_EQ((*result)[1].column, 11);
}

TEST(SplitPostgresTest, KeywordIsTheFirstWordAsWritten) {
  auto result = SplitAs(Dialect::kPostgres, "vacuum t; (SELECT 1); \"quoted\" ; E'x'");
  ASSERT_TRUE(result) << result.error().message;
  ASSERT_EQ(result->size(), 4u);
  EXPECT_EQ((*result)[0].keyword(), "vacuum");
  EXPECT_TRUE((*result)[0].no_transaction);
  EXPECT_EQ((*result)[1].keyword(), "");
  EXPECT_EQ((*result)[2].keyword(), "");
  EXPECT_EQ((*result)[3].keyword(), "");
}

TEST(SplitPostgresTest, DefaultFileNameInErrors) {
  SplitOptions options;
  auto result = Split("SELECT 'x", options);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message,
            "<input>:1:8: unterminated quoted string\n  SELECT 'x\n         ^");
}

}  // namespace
}  // namespace strata::db::sql
