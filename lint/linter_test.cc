#include "lint/linter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lint/online_ddl.h"

namespace strata::lint {
namespace {

using db::Dialect;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

std::vector<Finding> LintAll(Dialect dialect, const std::vector<std::string>& scripts,
                             const JudgeOptions& judge = {}, int server_version = 0) {
  std::vector<SourceFile> files;
  for (std::size_t i = 0; i < scripts.size(); ++i) {
    files.push_back({"V" + std::to_string(i + 1) + "__x.sql", scripts[i]});
  }
  AnalyzeOptions options;
  options.dialect = dialect;
  options.server_version = server_version;
  return Judge(Analyze(files, options).findings, judge);
}

// The ids of the findings that are not suppressed.
std::vector<std::string> Ids(Dialect dialect, const std::vector<std::string>& scripts) {
  std::vector<std::string> ids;
  for (const Finding& f : LintAll(dialect, scripts)) {
    if (!f.suppressed) ids.emplace_back(f.rule->id);
  }
  return ids;
}

// One rule, one engine: a script that triggers it and one that does not.
struct RuleCase {
  std::string rule;
  Dialect dialect;
  std::string positive;
  std::string negative;
};

std::ostream& operator<<(std::ostream& os, const RuleCase& c) { return os << c.rule; }

class RuleTest : public ::testing::TestWithParam<RuleCase> {};

TEST_P(RuleTest, FiresOnPositiveAndNotOnNegative) {
  const RuleCase& c = GetParam();
  EXPECT_THAT(Ids(c.dialect, {c.positive}), Contains(c.rule)) << c.positive;
  EXPECT_THAT(Ids(c.dialect, {c.negative}), Not(Contains(c.rule))) << c.negative;
}

const RuleCase kCases[] = {
    // PostgreSQL
    {"PG100", Dialect::kPostgres, "SELEC 1;", "SELECT 1;"},
    {"PG101", Dialect::kPostgres, "CREATE INDEX i ON orders (a);",
     "CREATE INDEX CONCURRENTLY i ON orders (a);"},
    {"PG101", Dialect::kPostgres, "CREATE UNIQUE INDEX i ON s.orders (a);",
     "CREATE TABLE orders (a int);\nCREATE INDEX i ON orders (a);"},
    {"PG102", Dialect::kPostgres,
     "ALTER TABLE orders ADD CONSTRAINT f FOREIGN KEY (c) REFERENCES customers (id);",
     "ALTER TABLE orders ADD CONSTRAINT f FOREIGN KEY (c) REFERENCES customers (id) NOT VALID;"},
    {"PG102", Dialect::kPostgres, "ALTER TABLE orders ADD CHECK (total > 0);",
     "ALTER TABLE orders ADD CHECK (total > 0) NOT VALID;"},
    {"PG103", Dialect::kPostgres,
     "ALTER TABLE orders ADD CONSTRAINT c CHECK (total > 0) NOT VALID;\n"
     "ALTER TABLE orders VALIDATE CONSTRAINT c;",
     "ALTER TABLE orders VALIDATE CONSTRAINT c;"},
    {"PG104", Dialect::kPostgres, "ALTER TABLE orders ALTER COLUMN status SET NOT NULL;",
     "ALTER TABLE orders VALIDATE CONSTRAINT status_nn;\n"
     "ALTER TABLE orders ALTER COLUMN status SET NOT NULL;"},
    {"PG105", Dialect::kPostgres, "ALTER TABLE orders ALTER COLUMN total TYPE bigint;",
     "ALTER TABLE orders ALTER COLUMN note TYPE text;"},
    {"PG105", Dialect::kPostgres,
     "ALTER TABLE orders ALTER COLUMN note TYPE text USING upper(note);",
     "ALTER TABLE orders ALTER COLUMN note TYPE varchar;"},
    {"PG106", Dialect::kPostgres,
     "ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid();",
     "ALTER TABLE orders ADD COLUMN created timestamptz DEFAULT now();"},
    {"PG106", Dialect::kPostgres, "ALTER TABLE orders ADD COLUMN n bigserial;",
     "ALTER TABLE orders ADD COLUMN n bigint DEFAULT 0;"},
    {"PG107", Dialect::kPostgres, "DROP TABLE orders;", "DROP INDEX orders_idx;"},
    {"PG107", Dialect::kPostgres, "ALTER TABLE orders DROP COLUMN note;",
     "CREATE TABLE t (a int, b int);\nALTER TABLE t DROP COLUMN b;"},
    {"PG108", Dialect::kPostgres, "ALTER TABLE orders RENAME TO purchases;",
     "ALTER INDEX orders_idx RENAME TO orders_i;"},
    {"PG108", Dialect::kPostgres, "ALTER TABLE orders RENAME COLUMN status TO state;",
     "CREATE TABLE t (a int);\nALTER TABLE t RENAME COLUMN a TO b;"},
    {"PG109", Dialect::kPostgres, "ALTER TABLE orders ADD COLUMN x int;",
     "SET lock_timeout = '5s';\nALTER TABLE orders ADD COLUMN x int;"},
    {"PG110", Dialect::kPostgres,
     "CREATE TABLE t (a int);\nCREATE INDEX CONCURRENTLY i ON orders (a);",
     "CREATE INDEX CONCURRENTLY i ON orders (a);"},
    {"PG111", Dialect::kPostgres, "VACUUM FULL orders;", "VACUUM orders;"},
    {"PG112", Dialect::kPostgres, "CLUSTER orders USING orders_pkey;", "ANALYZE orders;"},
    {"PG113", Dialect::kPostgres, "REINDEX TABLE orders;", "REINDEX TABLE CONCURRENTLY orders;"},
    {"PG114", Dialect::kPostgres, "TRUNCATE orders;", "CREATE TABLE t (a int);\nTRUNCATE t;"},
    {"PG115", Dialect::kPostgres, "UPDATE orders SET status = 'x';",
     "UPDATE orders SET status = 'x' WHERE id = 1;"},
    {"PG115", Dialect::kPostgres, "DELETE FROM orders;", "DELETE FROM orders WHERE id = 1;"},
    {"PG116", Dialect::kPostgres, "UPDATE orders SET status = 'x' WHERE status IS NULL;",
     "CREATE TABLE t (a int);\nUPDATE t SET a = 1 WHERE a IS NULL;"},
    {"PG117", Dialect::kPostgres, "ALTER TABLE orders ADD CONSTRAINT u UNIQUE (customer_id);",
     "ALTER TABLE orders ADD CONSTRAINT u UNIQUE USING INDEX u_idx;"},
    // MariaDB
    {"MY201", Dialect::kMariaDb, "ALTER TABLE orders ADD COLUMN x INT;",
     "ALTER TABLE orders ADD COLUMN x INT, ALGORITHM=INPLACE, LOCK=NONE;"},
    {"MY201", Dialect::kMariaDb, "CREATE INDEX i ON orders (a);",
     "CREATE INDEX i ON orders (a) ALGORITHM=INPLACE LOCK=NONE;"},
    {"MY202", Dialect::kMariaDb, "ALTER TABLE orders MODIFY total BIGINT;",
     "ALTER TABLE orders MODIFY total BIGINT, ALGORITHM=INPLACE, LOCK=NONE;"},
    {"MY202", Dialect::kMariaDb, "ALTER TABLE orders ADD COLUMN x INT, ALGORITHM=COPY;",
     "ALTER TABLE orders ADD COLUMN x INT, ALGORITHM=INSTANT;"},
    {"MY202", Dialect::kMariaDb, "ALTER TABLE orders CONVERT TO CHARACTER SET utf8mb4;",
     "CREATE TABLE t (a INT);\nALTER TABLE t CONVERT TO CHARACTER SET utf8mb4;"},
    {"MY203", Dialect::kMariaDb, "DROP TABLE IF EXISTS orders;", "DROP VIEW orders_v;"},
    {"MY203", Dialect::kMariaDb,
     "ALTER TABLE orders DROP COLUMN note, ALGORITHM=INPLACE, LOCK=NONE;",
     "ALTER TABLE orders DROP INDEX note_idx, ALGORITHM=INPLACE, LOCK=NONE;"},
    {"MY204", Dialect::kMariaDb, "RENAME TABLE orders TO purchases;",
     "CREATE TABLE t (a INT);\nRENAME TABLE t TO u;"},
    {"MY204", Dialect::kMariaDb,
     "ALTER TABLE orders CHANGE status state VARCHAR(20), ALGORITHM=INPLACE, LOCK=NONE;",
     "ALTER TABLE orders RENAME INDEX a TO b, ALGORITHM=INPLACE, LOCK=NONE;"},
    {"MY205", Dialect::kMariaDb, "DELETE FROM orders;", "DELETE FROM orders WHERE id < 10;"},
    {"MY206", Dialect::kMariaDb, "UPDATE orders SET status = 'x' WHERE status IS NULL;",
     "CREATE TABLE t (a INT);\nUPDATE t SET a = 1 WHERE a IS NULL;"},
    {"MY207", Dialect::kMariaDb,
     "DELIMITER //\nCREATE PROCEDURE p() BEGIN ALTER TABLE orders ADD COLUMN x INT; END //\n",
     "DELIMITER //\nCREATE PROCEDURE p() BEGIN SELECT 1; END //\n"},
    {"MY209", Dialect::kMariaDb,
     "ALTER TABLE orders MODIFY total BIGINT, ALGORITHM=INPLACE, LOCK=NONE;",
     "ALTER TABLE orders ADD COLUMN x INT, ALGORITHM=INSTANT;"},
    {"MY209", Dialect::kMariaDb, "CREATE FULLTEXT INDEX f ON orders (note) LOCK=NONE;",
     "CREATE FULLTEXT INDEX f ON orders (note) ALGORITHM=INPLACE LOCK=SHARED;"},
    {"MY208", Dialect::kMariaDb, "TRUNCATE TABLE orders;", "CREATE TABLE t (a INT);\nTRUNCATE t;"},
    // SQLite
    {"SL301", Dialect::kSqlite, "ALTER TABLE orders ADD CONSTRAINT c CHECK (total > 0);",
     "ALTER TABLE orders ADD COLUMN shipped TEXT;"},
    {"SL301", Dialect::kSqlite, "ALTER TABLE orders ADD COLUMN code TEXT NOT NULL;",
     "ALTER TABLE orders ADD COLUMN code TEXT NOT NULL DEFAULT 'x';"},
    {"SL301", Dialect::kSqlite, "ALTER TABLE orders ADD COLUMN at TEXT DEFAULT CURRENT_TIMESTAMP;",
     "ALTER TABLE orders ADD COLUMN at TEXT DEFAULT '2024-01-01';"},
    {"SL302", Dialect::kSqlite, "DROP TABLE orders;",
     "CREATE TABLE n (id INTEGER);\nINSERT INTO n SELECT id FROM orders;\nDROP TABLE orders;\n"
     "ALTER TABLE n RENAME TO orders;"},
    {"SL302", Dialect::kSqlite, "ALTER TABLE orders DROP COLUMN note;",
     "CREATE TABLE t (a, b);\nALTER TABLE t DROP COLUMN b;"},
    {"SL303", Dialect::kSqlite, "ALTER TABLE orders RENAME COLUMN status TO state;",
     "CREATE TABLE t (a);\nALTER TABLE t RENAME TO u;"},
};

INSTANTIATE_TEST_SUITE_P(Rules, RuleTest, ::testing::ValuesIn(kCases));

TEST(LinterTest, EveryEngineRuleHasACase) {
  for (const Rule& rule : AllRules()) {
    if (!rule.dialect) continue;
    bool found = false;
    for (const RuleCase& c : kCases) found = found || c.rule == rule.id;
    EXPECT_TRUE(found) << rule.id << " has no positive/negative case";
  }
}

// The MariaDB/MySQL findings of one script on one server.
std::vector<Finding> LintOn(const std::string& server, const std::string& script) {
  const auto parsed = ParseMyServer(server);
  EXPECT_TRUE(parsed) << server;
  AnalyzeOptions options;
  options.dialect = Dialect::kMariaDb;
  options.server_version = parsed ? parsed->version : 0;
  options.mysql = parsed && parsed->mysql;
  return Judge(Analyze({{"V1__x.sql", script}}, options).findings, {});
}

std::string FirstMessage(const std::vector<Finding>& findings, std::string_view rule) {
  for (const Finding& f : findings) {
    if (f.rule->id == rule) return f.message;
  }
  return "(no " + std::string(rule) + ")";
}

TEST(LinterTest, MariaDbFindingsNameWhatThisServerVersionCanDo) {
  EXPECT_THAT(
      FirstMessage(LintOn("mariadb-10.11", "ALTER TABLE orders ADD COLUMN note TEXT;"), "MY201"),
      HasSubstr("ALTER TABLE orders ADD COLUMN note TEXT can run ALGORITHM=INSTANT on "
                "MariaDB 10.11: add ALGORITHM=INSTANT so the server refuses rather than "
                "copies"));
  EXPECT_THAT(
      FirstMessage(LintOn("mariadb-10.11", "ALTER TABLE orders MODIFY amount BIGINT;"), "MY202"),
      HasSubstr("ALTER TABLE orders MODIFY amount BIGINT needs ALGORITHM=COPY, LOCK=SHARED on "
                "MariaDB 10.11: writes to orders wait for the whole copy; add a new column"));
  EXPECT_THAT(FirstMessage(LintOn("mariadb-10.11", "CREATE INDEX i ON orders (a);"), "MY201"),
              HasSubstr("can run ALGORITHM=NOCOPY, LOCK=NONE on MariaDB 10.11"));
  // DROP COLUMN is instant from MariaDB 10.4 and MySQL 8.0.29.
  EXPECT_THAT(FirstMessage(LintOn("mariadb-10.3",
                                  "ALTER TABLE orders DROP COLUMN note, "
                                  "ALGORITHM=INSTANT;"),
                           "MY209"),
              HasSubstr("cannot run ALGORITHM=INSTANT on MariaDB 10.3: the server refuses it (the "
                        "best it can do for DROP COLUMN is ALGORITHM=INPLACE, LOCK=NONE)"));
  EXPECT_EQ(FirstMessage(LintOn("mariadb-10.4",
                                "ALTER TABLE orders DROP COLUMN note, "
                                "ALGORITHM=INSTANT;"),
                         "MY209"),
            "(no MY209)");
  EXPECT_THAT(FirstMessage(LintOn("mysql-8.0.28", "ALTER TABLE orders ADD COLUMN x INT AFTER id;"),
                           "MY201"),
              HasSubstr("can run ALGORITHM=INPLACE, LOCK=NONE on MySQL 8.0.28"));
  EXPECT_THAT(FirstMessage(LintOn("mysql-8.0.29", "ALTER TABLE orders ADD COLUMN x INT AFTER id;"),
                           "MY201"),
              HasSubstr("can run ALGORITHM=INSTANT on MySQL 8.0.29"));
  // MySQL has no NOCOPY; a FULLTEXT index blocks writes on both.
  EXPECT_THAT(FirstMessage(LintOn("mysql-5.7", "ALTER TABLE orders ADD INDEX i (a);"), "MY201"),
              HasSubstr("can run ALGORITHM=INPLACE, LOCK=NONE on MySQL 5.7"));
  EXPECT_THAT(
      FirstMessage(LintOn("mysql-8.0", "ALTER TABLE orders ADD FULLTEXT INDEX f (t);"), "MY202"),
      HasSubstr("needs ALGORITHM=INPLACE, LOCK=SHARED on MySQL 8.0: writes to orders "
                "wait until it finishes"));
  // The clause that needs the most is the one named; a replaced primary key runs in place.
  EXPECT_THAT(FirstMessage(LintOn("mariadb-10.11",
                                  "ALTER TABLE orders ADD COLUMN x INT, ADD "
                                  "CONSTRAINT f FOREIGN KEY (c) REFERENCES "
                                  "customers (id);"),
                           "MY202"),
              HasSubstr("ALTER TABLE orders ADD CONSTRAINT f FOREIGN KEY"));
  EXPECT_THAT(FirstMessage(LintOn("mariadb-10.11",
                                  "ALTER TABLE orders DROP PRIMARY KEY, ADD PRIMARY KEY (id, a);"),
                           "MY201"),
              HasSubstr("can run ALGORITHM=INPLACE, LOCK=NONE"));
}

TEST(LinterTest, MariaDbIndexFindingsCarryTheirColumnsForTheLiveDuplicateCheck) {
  const auto key = [](const std::string& script) {
    for (const Finding& f : LintOn("mariadb-10.11", script)) {
      if (f.rule->id == "MY201" || f.rule->id == "MY202") return f.live_key;
    }
    return std::string("(none)");
  };
  EXPECT_EQ(key("CREATE INDEX i ON orders (customer, `Note` DESC);"), "customer,note");
  EXPECT_EQ(key("ALTER TABLE orders ADD COLUMN x INT, ADD UNIQUE KEY u (customer);"), "customer");
  EXPECT_EQ(key("ALTER TABLE orders ADD CONSTRAINT u UNIQUE (a, b);"), "a,b");
  EXPECT_EQ(key("CREATE INDEX i ON orders (note(10));"), "");  // a prefix: not a plain index
  EXPECT_EQ(key("ALTER TABLE orders ADD COLUMN x INT;"), "");

  TableFacts facts;
  facts.rows = 10;
  facts.indexes["orders_customer_idx"] = "customer";
  LiveFacts live;
  live.tables["orders"] = facts;
  JudgeOptions judge;
  judge.live = &live;
  AnalyzeOptions options;
  options.dialect = Dialect::kMariaDb;
  const auto judged = Judge(Analyze({{"V1__x.sql",
                                      "CREATE INDEX again ON orders (customer);\n"
                                      "CREATE INDEX other ON orders (customer, note);"}},
                                    options)
                                .findings,
                            judge);
  ASSERT_EQ(judged.size(), 2u);
  EXPECT_THAT(judged[0].message,
              HasSubstr("orders already has index orders_customer_idx on (customer): this one "
                        "may duplicate it"));
  EXPECT_THAT(judged[1].message, Not(HasSubstr("already has index")));
}

TEST(LinterTest, ParsesServerVersions) {
  EXPECT_EQ(ParseMyServer("mariadb-10.6")->version, 100600);
  EXPECT_FALSE(ParseMyServer("MariaDB 10.11.6")->mysql);
  EXPECT_EQ(ParseMyServer("MariaDB 10.11.6")->version, 101106);
  EXPECT_TRUE(ParseMyServer("mysql-8.0.29")->mysql);
  EXPECT_TRUE(ParseMyServer("8.0")->mysql);
  EXPECT_FALSE(ParseMyServer("11.4")->mysql);
  EXPECT_FALSE(ParseMyServer("mariadb"));
  EXPECT_FALSE(ParseMyServer("10.x"));
  EXPECT_FALSE(ParseMyServer("oracle-19"));
  EXPECT_EQ(MyServerName(*ParseMyServer("mysql 8.0.29")), "MySQL 8.0.29");
}

TEST(LinterTest, PositionIsFileLineColumnOfTheStatement) {
  const auto findings = LintAll(Dialect::kPostgres,
                                {"SET lock_timeout = '1s';\n\n  CREATE INDEX i ON orders (a);\n"});
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].file, "V1__x.sql");
  EXPECT_EQ(findings[0].line, 3);
  EXPECT_EQ(findings[0].column, 3);
  EXPECT_EQ(findings[0].rule->name, "create-index-not-concurrently");
}

TEST(LinterTest, ParseErrorPointsAtTheTokenInTheFile) {
  const auto findings = LintAll(Dialect::kPostgres, {"SELECT 1;\nSELECT 2 FRM t;\n"});
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].rule->id, "PG100");
  EXPECT_EQ(findings[0].line, 2);
  EXPECT_EQ(findings[0].column, 14);
}

TEST(LinterTest, TablesCreatedInEarlierFilesAreNew) {
  EXPECT_THAT(Ids(Dialect::kPostgres,
                  {"CREATE TABLE events (id bigint);", "CREATE INDEX e ON events (id);"}),
              Not(Contains("PG101")));
  EXPECT_THAT(Ids(Dialect::kMariaDb,
                  {"CREATE TABLE events (id INT);", "ALTER TABLE events ADD COLUMN x INT;"}),
              Not(Contains("MY201")));
}

TEST(LinterTest, SuppressionWithReasonAboveOrOnTheStatement) {
  EXPECT_THAT(Ids(Dialect::kPostgres, {"-- strata:lint-ignore PG101 a 200-row lookup table\n"
                                       "CREATE INDEX i ON orders (a);"}),
              Not(Contains("PG101")));
  EXPECT_THAT(Ids(Dialect::kPostgres,
                  {"CREATE INDEX i ON orders (a); -- strata:lint-ignore PG101,PG109 small\n"
                   "CREATE INDEX j ON orders (b);"}),
              Contains("PG101"));  // the second statement is not covered
  const auto covered = LintAll(Dialect::kPostgres,
                               {"CREATE INDEX i ON orders (a); -- strata:lint-ignore PG101 small"});
  ASSERT_FALSE(covered.empty());
  EXPECT_TRUE(covered[0].suppressed);
  EXPECT_EQ(covered[0].suppression_reason, "small");
}

TEST(LinterTest, SuppressionWithoutReasonIsAFindingAndSuppressesNothing) {
  const auto ids = Ids(Dialect::kMariaDb, {"# strata:lint-ignore MY208\nTRUNCATE TABLE orders;"});
  EXPECT_THAT(ids, Contains("ST001"));
  EXPECT_THAT(ids, Contains("MY208"));
  EXPECT_THAT(Ids(Dialect::kSqlite, {"-- strata:lint-ignore XX999 because\nSELECT 1;"}),
              Contains("ST003"));
}

TEST(LinterTest, UnsplittableScriptIsAFinding) {
  const auto findings = LintAll(Dialect::kPostgres, {"SELECT 1;\nSELECT 'open"});
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].rule->id, "ST002");
  EXPECT_EQ(findings[0].line, 2);
}

TEST(LinterTest, SeverityScalesWithLiveTableSize) {
  LiveFacts live;
  live.tables["orders"].rows = 48'000'000;
  live.tables["orders"].bytes = std::int64_t{19} << 30;
  live.tables["small"].rows = 120;
  live.tables["small"].bytes = 65536;
  JudgeOptions judge;
  judge.live = &live;
  const auto findings = LintAll(Dialect::kPostgres,
                                {"SET lock_timeout = '1s';\nCREATE INDEX a ON orders (x);\n"
                                 "CREATE INDEX b ON small (x);"},
                                judge);
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].severity, Severity::kError);
  EXPECT_THAT(findings[0].message, HasSubstr("(orders: ~48M rows, 19 GiB)"));
  EXPECT_EQ(findings[1].severity, Severity::kWarning);
  EXPECT_THAT(findings[1].message, HasSubstr("small: ~120 rows, 64 KiB, below lint_large_table"));
  const auto offline = LintAll(Dialect::kPostgres, {"CREATE INDEX a ON orders (x);"});
  EXPECT_THAT(offline[0].message, HasSubstr("assumed a large table"));
}

TEST(LinterTest, ConfiguredSeverityOverridesAndOffDrops) {
  JudgeOptions judge;
  judge.severities["PG101"] = Severity::kWarning;
  judge.severities["PG109"] = Severity::kOff;
  const auto findings = LintAll(Dialect::kPostgres, {"CREATE INDEX a ON orders (x);"}, judge);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, Severity::kWarning);
  EXPECT_FALSE(HasErrors(findings));
}

TEST(LinterTest, ServerVersionDecides) {
  EXPECT_THAT(Ids(Dialect::kPostgres, {"ALTER TABLE orders ADD COLUMN n int DEFAULT 0;"}),
              Not(Contains("PG106")));
  std::vector<std::string> ids;
  for (const Finding& f : LintAll(Dialect::kPostgres,
                                  {"ALTER TABLE orders ADD COLUMN n int DEFAULT 0;"}, {}, 100022)) {
    ids.emplace_back(f.rule->id);
  }
  EXPECT_THAT(ids, Contains("PG106"));
}

TEST(LinterTest, HumanSizes) {
  EXPECT_EQ(HumanCount(950), "950");
  EXPECT_EQ(HumanCount(1200), "1.2k");
  EXPECT_EQ(HumanCount(48'000'000), "48M");
  EXPECT_EQ(HumanBytes(512), "512 B");
  EXPECT_EQ(HumanBytes(std::int64_t{19} << 30), "19 GiB");
}

}  // namespace
}  // namespace strata::lint
