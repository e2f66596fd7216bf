// `strata lint` as CI runs it: offline over every file, against a live target, in each output
// format, with suppressions and configuration, before migrate, and over the corpora the test
// suite already applies.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "tests/support/run_strata.h"
#include "tests/support/test_env.h"
#include "tests/support/test_project.h"

namespace strata::testing {
namespace {

namespace fs = std::filesystem;

const RunOptions kNoUrl{{}, {"STRATA_URL"}, ""};

class LintCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    project_.Write("V1__create_events.sql", "CREATE TABLE events (id bigint PRIMARY KEY);\n");
    project_.Write("V2__index_events.sql", "CREATE INDEX events_id ON events (id);\n");
    project_.Write(
        "V3__index_orders.sql",
        "SET lock_timeout = '5s';\n\nCREATE INDEX orders_created ON orders (created);\n");
  }
  RunResult Lint(std::vector<std::string> args) {
    args.insert(args.begin(), "lint");
    return project_.Strata(std::move(args), kNoUrl);
  }

  TestProject project_{"lint_cli"};
};

TEST_F(LintCliTest, OfflineAllNamesFileLineColumnRuleAndRecipe) {
  const RunResult r = Lint({"--all"});
  EXPECT_EQ(r.exit_code, 3) << r.all();
  EXPECT_NE(r.out.find("migrations/V3__index_orders.sql:3:1: error[PG101 "
                       "create-index-not-concurrently]: CREATE INDEX orders_created on orders"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("assumed a large table"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\n        CREATE INDEX CONCURRENTLY IF NOT EXISTS"), std::string::npos)
      << r.out;
  // V2 indexes a table V1 created: new, not locked.
  EXPECT_EQ(r.out.find("V2__index_events.sql"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("lint: 1 error, 0 warnings, 0 suppressed in 3 files; offline"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.err.find("lint found 1 error"), std::string::npos) << r.err;
}

TEST_F(LintCliTest, PendingModeNeedsAUrl) {
  const RunResult r = Lint({});
  EXPECT_EQ(r.exit_code, 2) << r.all();
  EXPECT_NE(r.err.find("give --url (or STRATA_URL), or lint every file offline with --all"),
            std::string::npos)
      << r.err;
}

TEST_F(LintCliTest, SuppressionNeedsAReason) {
  project_.Write("V3__index_orders.sql",
                 "-- strata:lint-ignore PG101 orders is a 200-row lookup table\n"
                 "CREATE INDEX orders_created ON orders (created);\n");
  RunResult r = Lint({"--all"});
  EXPECT_EQ(r.exit_code, 0) << r.all();  // PG109 (no lock_timeout) is a warning
  EXPECT_NE(r.out.find("1 suppressed"), std::string::npos) << r.out;
  project_.Write("V3__index_orders.sql",
                 "-- strata:lint-ignore PG101\nCREATE INDEX orders_created ON orders (created);\n");
  r = Lint({"--all"});
  EXPECT_EQ(r.exit_code, 3) << r.all();
  EXPECT_NE(r.out.find("V3__index_orders.sql:1:1: error[ST001 lint-ignore-without-reason]"),
            std::string::npos)
      << r.out;
}

TEST_F(LintCliTest, ConfiguredSeverities) {
  project_.WriteConfig("[lint]\nPG101 = \"warning\"\nlock-timeout-missing = \"off\"\n");
  RunResult r = Lint({"--all"});
  EXPECT_EQ(r.exit_code, 0) << r.all();
  EXPECT_NE(r.out.find("warning[PG101"), std::string::npos) << r.out;
  project_.WriteConfig("[lint]\nPG999 = \"off\"\n");
  r = Lint({"--all"});
  EXPECT_EQ(r.exit_code, 2) << r.all();
  EXPECT_NE(r.err.find("[lint] PG999: no such rule"), std::string::npos) << r.err;
}

TEST_F(LintCliTest, GithubAnnotations) {
  const RunResult r = Lint({"--all", "--format", "github"});
  EXPECT_EQ(r.exit_code, 3) << r.all();
  const std::regex command(
      R"(^::(error|warning) file=[^,:]+,line=[0-9]+,col=[0-9]+,title=[A-Z]{2}[0-9]{3} [a-z-]+::[^\n]+$)");
  std::istringstream lines(r.out);
  int count = 0;
  for (std::string line; std::getline(lines, line); ++count) {
    EXPECT_TRUE(std::regex_match(line, command)) << line;
  }
  EXPECT_EQ(count, 1) << r.out;
  EXPECT_NE(r.out.find("::error file=migrations/V3__index_orders.sql,line=3,col=1,title=PG101 "
                       "create-index-not-concurrently::"),
            std::string::npos)
      << r.out;
}

TEST_F(LintCliTest, SarifValidatesAgainstTheSchema) {
  project_.Write("V4__update.sql",
                 "-- strata:lint-ignore PG116 one row\nUPDATE orders SET a = 1 WHERE id = 1;\n");
  const RunResult r = Lint({"--all", "--format", "sarif"});
  EXPECT_EQ(r.exit_code, 3) << r.all();
  const fs::path sarif = project_.root() / "lint.sarif";
  std::ofstream(sarif) << r.out;
  const fs::path schema = SourceDir() / "tests/cli/sarif-2.1.0-required.schema.json";
  const std::string check =
      "python3 -c 'import json, sys, jsonschema; "
      "jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))' '" +
      sarif.string() + "' '" + schema.string() + "'";
  EXPECT_EQ(std::system(check.c_str()), 0) << r.out;
  const auto doc = nlohmann::json::parse(r.out);
  const auto& results = doc["runs"][0]["results"];
  ASSERT_EQ(results.size(), 2u) << r.out;
  EXPECT_EQ(results[0]["ruleId"], "PG101");
  EXPECT_EQ(results[0]["locations"][0]["physicalLocation"]["region"]["startLine"], 3);
  EXPECT_EQ(results[1]["suppressions"][0]["justification"], "one row");
}

TEST_F(LintCliTest, JsonDocument) {
  const RunResult r = Lint({"--all", "--json"});
  EXPECT_EQ(r.exit_code, 3) << r.all();
  const auto doc = nlohmann::json::parse(r.out.substr(0, r.out.find('\n')));
  EXPECT_EQ(doc["errors"], 1);
  EXPECT_EQ(doc["files"], 3);
  EXPECT_TRUE(doc["target"].is_null());
  EXPECT_EQ(doc["findings"][0]["rule"], "PG101");
  EXPECT_EQ(doc["findings"][0]["line"], 3);
}

// MariaDB/MySQL offline: the online DDL rules are judged for the version --server-version or
// [lint] server_version states, else the oldest MariaDB strata supports, and the output says
// which.
TEST(LintServerVersionTest, OfflineAssumesAStatedOrDefaultServer) {
  TestProject project("lint_server_version");
  project.Write("V1__add.sql", "ALTER TABLE orders ADD COLUMN x INT AFTER id;\n");
  const auto lint = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"lint", "--all", "--dialect", "mariadb"};
    args.insert(args.end(), extra.begin(), extra.end());
    return project.Strata(args, kNoUrl);
  };
  RunResult r = lint({});
  EXPECT_EQ(r.exit_code, 3) << r.all();
  EXPECT_NE(r.out.find("can run ALGORITHM=INSTANT on MariaDB 10.6: add ALGORITHM=INSTANT"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("; assumed MariaDB 10.6 (set [lint] server_version or --server-version)"),
            std::string::npos)
      << r.out;
  r = lint({"--server-version", "mysql-8.0.28"});
  EXPECT_NE(r.out.find("can run ALGORITHM=INPLACE, LOCK=NONE on MySQL 8.0.28"), std::string::npos)
      << r.out;
  project.WriteConfig("[lint]\nserver_version = \"mysql-8.0.29\"\n");
  r = lint({"--json"});
  const auto doc = nlohmann::json::parse(r.out.substr(0, r.out.find('\n')));
  EXPECT_EQ(doc["server"], "MySQL 8.0.29") << r.out;
  EXPECT_EQ(doc["server_assumed"], true) << r.out;
  EXPECT_NE(doc["findings"][0]["message"].get<std::string>().find("ALGORITHM=INSTANT on MySQL "
                                                                  "8.0.29"),
            std::string::npos)
      << r.out;
  r = lint({"--server-version", "oracle-19"});
  EXPECT_EQ(r.exit_code, 2) << r.all();
  EXPECT_NE(r.err.find("--server-version 'oracle-19' is not a MariaDB or MySQL version"),
            std::string::npos)
      << r.err;
}

// The corpora the differential tests apply, and the example's migrations: real scripts with
// functions, triggers, COPY data and DELIMITER blocks lint without a crash.
TEST(LintCorpusTest, RealMigrationSetsLintWithoutACrash) {
  const struct {
    const char* dir;
    const char* dialect;
  } kSets[] = {{"tests/differential/postgres", "postgresql"},
               {"tests/differential/mariadb", "mariadb"},
               {"examples/events/migrations/postgres", "postgresql"},
               {"examples/events/migrations/mariadb", "mariadb"},
               {"examples/events/migrations/sqlite", "sqlite"}};
  for (const auto& set : kSets) {
    const RunResult r = RunStrata({"lint", "--all", "--dialect", set.dialect, "--locations",
                                   (SourceDir() / set.dir).string(), "-p", "x=y"},
                                  kNoUrl);
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 3) << set.dir << ": " << r.all();
    EXPECT_NE(r.out.find("lint: "), std::string::npos) << set.dir << ": " << r.all();
  }
}

// ---- Against the real servers --------------------------------------------------------------

class LintLiveTest : public ::testing::TestWithParam<db::Dialect> {
 protected:
  void SetUp() override {
    scratch_ = ScratchDatabase::Create(GetParam());
    ASSERT_NE(scratch_, nullptr);
    auto conn = scratch_->Connect();
    const bool pg = GetParam() == db::Dialect::kPostgres;
    ExecOrFail(*conn, pg ? "CREATE TABLE orders (id bigint PRIMARY KEY, created timestamptz)"
                         : "CREATE TABLE orders (id BIGINT PRIMARY KEY, created DATETIME)");
    ExecOrFail(*conn, pg ? "INSERT INTO orders SELECT g, now() FROM generate_series(1, 2000) g"
                         : "INSERT INTO orders SELECT seq, NOW() FROM seq_1_to_2000");
    ExecOrFail(*conn, pg ? "ANALYZE orders" : "ANALYZE TABLE orders");
    project_.Write(
        "V1__index_orders.sql",
        pg ? "SET lock_timeout = '5s';\nCREATE INDEX orders_created ON orders (created);\n"
           : "CREATE INDEX orders_created ON orders (created);\n");
  }
  void Configure(const std::string& extra) {
    project_.WriteConfig("url = \"" + scratch_->url() + "\"\n" + extra);
  }
  std::string Rule() const { return GetParam() == db::Dialect::kPostgres ? "PG101" : "MY201"; }

  std::unique_ptr<ScratchDatabase> scratch_;
  TestProject project_{"lint_live"};
};

TEST_P(LintLiveTest, SmallTableIsAWarningAndSaysItsSize) {
  Configure("");
  const RunResult r = project_.Strata({"lint"});
  EXPECT_EQ(r.exit_code, 0) << r.all();
  EXPECT_NE(r.out.find("warning[" + Rule()), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(orders: ~"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("below lint_large_table"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("table sizes from"), std::string::npos) << r.out;
  if (GetParam() == db::Dialect::kMariaDb) {  // the target's version, not an assumed one
    EXPECT_NE(r.out.find("can run ALGORITHM=NOCOPY, LOCK=NONE on MariaDB 1"), std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("; server MariaDB 1"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("assumed MariaDB"), std::string::npos) << r.out;
  }
}

TEST_P(LintLiveTest, TableAboveTheThresholdIsAnError) {
  Configure("lint_large_table = \"1 KiB\"\n");
  const RunResult r = project_.Strata({"lint"});
  EXPECT_EQ(r.exit_code, 3) << r.all();
  EXPECT_NE(r.out.find("error[" + Rule()), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("below lint_large_table"), std::string::npos) << r.out;
}

TEST_P(LintLiveTest, AppliedMigrationsAreNotLinted) {
  Configure("");
  ASSERT_EQ(project_.Strata({"migrate"}).exit_code, 0);
  const RunResult r = project_.Strata({"lint"});
  EXPECT_EQ(r.exit_code, 0) << r.all();
  EXPECT_NE(r.out.find("in 0 files"), std::string::npos) << r.out;
}

TEST_P(LintLiveTest, LintOnMigrateStopsMigrateOnAnError) {
  Configure("lint_on_migrate = true\nlint_large_table = \"1 KiB\"\n");
  const RunResult r = project_.Strata({"migrate"});
  EXPECT_EQ(r.exit_code, 3) << r.all();
  EXPECT_NE(r.out.find("error[" + Rule()), std::string::npos) << r.out;
  auto conn = scratch_->Connect();
  const std::string schema =
      GetParam() == db::Dialect::kPostgres ? "current_schema()" : "DATABASE()";
  EXPECT_EQ(QueryInt(*conn,
                     "SELECT count(*) FROM information_schema.tables WHERE table_name = "
                     "'strata_schema_history' AND table_schema = " +
                         schema),
            0);
}

// Live facts about existing constraints and indexes (PostgreSQL): a validated CHECK (col IS
// NOT NULL) makes SET NOT NULL safe (PG104 dropped; offline it stays), and a CREATE INDEX on the
// columns of an existing index says which index it may duplicate.
class LintLiveFactsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    scratch_ = ScratchDatabase::Create(db::Dialect::kPostgres);
    ASSERT_NE(scratch_, nullptr);
    auto conn = scratch_->Connect();
    ExecOrFail(*conn, "CREATE TABLE orders (id bigint PRIMARY KEY, customer bigint, note text)");
    ExecOrFail(*conn, "CREATE INDEX orders_customer_idx ON orders (customer)");
    project_.WriteConfig("url = \"" + scratch_->url() + "\"\nlint_large_table = \"1 B\"\n");
  }
  void Exec(const std::string& sql) {
    auto conn = scratch_->Connect();
    ExecOrFail(*conn, sql);
  }

  std::unique_ptr<ScratchDatabase> scratch_;
  TestProject project_{"lint_live_facts"};
};

TEST_F(LintLiveFactsTest, AValidatedNotNullCheckMakesSetNotNullSafe) {
  project_.Write("V1__note_not_null.sql",
                 "SET lock_timeout = '5s';\nALTER TABLE orders ALTER COLUMN note SET NOT NULL;\n");
  const RunResult without = project_.Strata({"lint"});
  EXPECT_EQ(without.exit_code, 3) << without.all();
  EXPECT_NE(without.out.find("error[PG104"), std::string::npos) << without.out;

  // A CHECK NOT VALID is not enough: only a validated one proves the column has no NULL.
  Exec("ALTER TABLE orders ADD CONSTRAINT orders_note_nn CHECK (note IS NOT NULL) NOT VALID");
  EXPECT_NE(project_.Strata({"lint"}).out.find("PG104"), std::string::npos);
  Exec("ALTER TABLE orders VALIDATE CONSTRAINT orders_note_nn");
  const RunResult with = project_.Strata({"lint"});
  EXPECT_EQ(with.exit_code, 0) << with.all();
  EXPECT_EQ(with.out.find("PG104"), std::string::npos) << with.out;
  // Offline (no URL) nothing is known about the target: the finding stays.
  project_.WriteConfig("");
  EXPECT_NE(project_.Strata({"lint", "--all"}).out.find("PG104"), std::string::npos);
}

TEST_F(LintLiveFactsTest, AnIndexOnIndexedColumnsNamesTheExistingOne) {
  project_.Write("V1__indexes.sql",
                 "SET lock_timeout = '5s';\n"
                 "CREATE INDEX orders_customer_again ON orders (customer);\n"
                 "CREATE INDEX orders_customer_note ON orders (customer, note);\n");
  const RunResult r = project_.Strata({"lint"});
  EXPECT_EQ(r.exit_code, 3) << r.all();
  EXPECT_NE(r.out.find("orders_customer_again on orders without CONCURRENTLY blocks writes to "
                       "orders while it builds; orders already has index orders_customer_idx on "
                       "(customer): this one may duplicate it"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("orders_customer_note on orders without CONCURRENTLY blocks writes to "
                       "orders while it builds; orders already has"),
            std::string::npos)
      << r.out;
}

// PostgreSQL, live: a foreign key or CHECK added without NOT VALID on an existing table scans
// it under a write-blocking lock (PG102, sized); NOT VALID with VALIDATE in a later migration
// passes (and migrates); VALIDATE in the same script, hence the same transaction, is flagged
// (PG103).
class LintPostgresConstraintTest : public ::testing::Test {
 protected:
  void SetUp() override {
    scratch_ = ScratchDatabase::Create(db::Dialect::kPostgres);
    ASSERT_NE(scratch_, nullptr);
    auto conn = scratch_->Connect();
    ExecOrFail(*conn,
               "CREATE TABLE customers (id bigint PRIMARY KEY);\n"
               "INSERT INTO customers SELECT g FROM generate_series(1, 10) g;\n"
               "CREATE TABLE orders (id bigint PRIMARY KEY, customer bigint, total numeric);\n"
               "INSERT INTO orders SELECT g, g % 10 + 1, g FROM generate_series(1, 3000) g;\n"
               "ANALYZE orders");
    project_.WriteConfig("url = \"" + scratch_->url() + "\"\nlint_large_table = \"1 B\"\n");
  }

  std::unique_ptr<ScratchDatabase> scratch_;
  TestProject project_{"lint_pg_constraints"};
};

TEST_F(LintPostgresConstraintTest, WithoutNotValidIsAnErrorThatSaysTheSize) {
  project_.Write("V1__fk.sql",
                 "SET lock_timeout = '5s';\n"
                 "ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer)\n"
                 "  REFERENCES customers (id);\n"
                 "ALTER TABLE orders ADD CONSTRAINT orders_total_ck CHECK (total >= 0);\n");
  const RunResult r = project_.Strata({"lint"});
  EXPECT_EQ(r.exit_code, 3) << r.all();
  EXPECT_NE(r.out.find("V1__fk.sql:2:1: error[PG102 constraint-not-valid]"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("V1__fk.sql:4:1: error[PG102 constraint-not-valid]"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("(orders: ~3.0k rows, "), std::string::npos) << r.out;
}

TEST_F(LintPostgresConstraintTest, NotValidThenValidateInALaterMigrationPasses) {
  project_.Write(
      "V1__fk.sql",
      "SET lock_timeout = '5s';\n"
      "ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer)\n"
      "  REFERENCES customers (id) NOT VALID;\n"
      "ALTER TABLE orders ADD CONSTRAINT orders_total_ck CHECK (total >= 0) NOT VALID;\n");
  project_.Write("V2__validate.sql",
                 "ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_fk;\n"
                 "ALTER TABLE orders VALIDATE CONSTRAINT orders_total_ck;\n");
  const RunResult r = project_.Strata({"lint"});
  EXPECT_EQ(r.exit_code, 0) << r.all();
  EXPECT_EQ(r.out.find("PG102"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("PG103"), std::string::npos) << r.out;
  // And it runs on the server.
  EXPECT_EQ(project_.Strata({"migrate"}).exit_code, 0);
  auto conn = scratch_->Connect();
  EXPECT_EQ(QueryInt(*conn,
                     "SELECT count(*) FROM pg_constraint WHERE conrelid = 'orders'::regclass AND "
                     "convalidated AND conname IN ('orders_customer_fk', 'orders_total_ck')"),
            2);
}

TEST_F(LintPostgresConstraintTest, ValidateInTheSameTransactionIsFlagged) {
  project_.Write("V1__fk.sql",
                 "SET lock_timeout = '5s';\n"
                 "ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer)\n"
                 "  REFERENCES customers (id) NOT VALID;\n"
                 "ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_fk;\n");
  const RunResult r = project_.Strata({"lint"});
  EXPECT_EQ(r.exit_code, 3) << r.all();
  EXPECT_EQ(r.out.find("PG102"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("V1__fk.sql:4:1: error[PG103 validate-in-same-transaction]"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("(orders: ~3.0k rows, "), std::string::npos) << r.out;
}

// MariaDB's live facts, in the same one catalog query as the sizes: its existing indexes. An
// index on the columns of an existing one names it; the size says why the severity is what it
// is.
TEST(LintMariaDbLiveFactsTest, AnIndexOnIndexedColumnsNamesTheExistingOne) {
  auto scratch = ScratchDatabase::Create(db::Dialect::kMariaDb);
  ASSERT_NE(scratch, nullptr);
  auto conn = scratch->Connect();
  ExecOrFail(*conn,
             "CREATE TABLE orders (id BIGINT PRIMARY KEY, customer BIGINT, note VARCHAR(20), "
             "KEY orders_customer_idx (customer), KEY orders_note_prefix (note(5)))");
  TestProject project("lint_mariadb_live_facts");
  project.WriteConfig("url = \"" + scratch->url() + "\"\nlint_large_table = \"1 B\"\n");
  project.Write("V1__indexes.sql",
                "CREATE INDEX orders_customer_again ON orders (customer);\n"
                "ALTER TABLE orders ADD INDEX orders_customer_note (customer, note);\n"
                "ALTER TABLE orders ADD INDEX orders_note (note);\n");
  const RunResult r = project.Strata({"lint"});
  EXPECT_EQ(r.exit_code, 3) << r.all();
  EXPECT_NE(r.out.find("CREATE INDEX on orders can run ALGORITHM=NOCOPY, LOCK=NONE on MariaDB "
                       "1"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("; orders already has index orders_customer_idx on (customer): this one "
                       "may duplicate it (orders: ~"),
            std::string::npos)
      << r.out;
  const auto line_of = [&](const std::string& needle) {
    const std::size_t at = r.out.find(needle);
    if (at == std::string::npos) return std::string("(missing)");
    const std::size_t start = r.out.rfind('\n', at) + 1;
    return r.out.substr(start, r.out.find('\n', at) - start);
  };
  EXPECT_NE(line_of("ADD INDEX orders_customer_note").find("MY201"), std::string::npos) << r.out;
  EXPECT_EQ(line_of("ADD INDEX orders_customer_note").find("already has"), std::string::npos)
      << r.out;
  // A prefix index is not a plain one: it is not taken for a duplicate of an index on `note`.
  EXPECT_EQ(r.out.find("orders_note_prefix"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("; server MariaDB 1"), std::string::npos) << r.out;
}

INSTANTIATE_TEST_SUITE_P(Engines, LintLiveTest,
                         ::testing::Values(db::Dialect::kPostgres, db::Dialect::kMariaDb),
                         DialectParamName);

}  // namespace
}  // namespace strata::testing
