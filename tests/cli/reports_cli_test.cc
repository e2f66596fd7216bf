// What strata reports agrees with what it did and found, on PostgreSQL, MariaDB and SQLite,
// running the real binary (issue 20): an edited repeatable is one problem, not two; a bad
// `X.sql.conf` is refused by validate, info and migrate alike; the execution time printed is the
// one recorded; a MariaDB URL without a database is refused by every command alike; messages
// say things once.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "tests/support/run_strata.h"
#include "tests/support/test_env.h"
#include "tests/support/test_project.h"

namespace strata::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// How often `needle` occurs in `text`.
std::size_t Occurrences(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos;
       at = text.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

class ReportsCliTest : public ::testing::TestWithParam<db::Dialect> {
 protected:
  void SetUp() override {
    scratch_ = ScratchDatabase::Create(GetParam());
    ASSERT_NE(scratch_, nullptr);
  }

  void Write(const std::string& name, const std::string& text) { project_.Write(name, text); }
  RunResult Strata(std::vector<std::string> args) {
    args.insert(args.begin(), {"--url", scratch_->url()});
    return project_.Strata(std::move(args));
  }

  // A statement that takes a few hundred milliseconds on the engine.
  std::string SlowStatement() const {
    switch (GetParam()) {
      case db::Dialect::kPostgres:
        return "SELECT pg_sleep(0.4);\n";
      case db::Dialect::kMariaDb:
        return "SELECT SLEEP(0.4);\n";
      case db::Dialect::kSqlite:
        break;
    }
    return "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1500000) "
           "SELECT count(*) FROM c;\n";
  }

  std::unique_ptr<ScratchDatabase> scratch_;
  TestProject project_{"reports_cli"};
};

// Bug 5: the Outdated run says it; the Pending entry of the same file is not a second problem.
TEST_P(ReportsCliTest, AnEditedRepeatableIsOneProblem) {
  Write("V1__t.sql", "CREATE TABLE t (id INT);\n");
  Write("R__r.sql", "SELECT 1;\n");
  ASSERT_EQ(Strata({"migrate"}).exit_code, 0);
  Write("R__r.sql", "SELECT 2;\n");
  RunResult r = Strata({"validate"});
  EXPECT_EQ(r.exit_code, 3) << r.all();
  EXPECT_THAT(r.err, HasSubstr("validation failed: 1 problem\n"));
  EXPECT_THAT(r.err, HasSubstr("R__r.sql changed since it was applied"));
  EXPECT_THAT(r.err, Not(HasSubstr("is not applied yet")));
}

// Bug 7: a configuration file that does not parse, beside an applied script or a pending one,
// is a usage error naming file:line in validate, info and migrate alike.
TEST_P(ReportsCliTest, ABadScriptConfigIsRefusedByEveryCommand) {
  Write("V1__t.sql", "CREATE TABLE t (id INT);\n");
  ASSERT_EQ(Strata({"migrate"}).exit_code, 0);
  Write("V1__t.sql.conf", "# applied\nexecuteInTransaction=maybe\n");
  for (const char* command : {"validate", "info", "migrate"}) {
    RunResult r = Strata({command});
    EXPECT_EQ(r.exit_code, 2) << command << ": " << r.all();
    EXPECT_THAT(r.err, HasSubstr("V1__t.sql.conf:2: executeInTransaction must be true or false"))
        << command;
  }
  Write("V1__t.sql.conf", "executeInTransaction=true\n");
  Write("V2__u.sql", "CREATE TABLE u (id INT);\n");
  Write("V2__u.sql.conf", "shouldExecute=false\n");
  for (const char* command : {"validate", "info", "migrate"}) {
    RunResult r = Strata({command});
    EXPECT_EQ(r.exit_code, 2) << command << ": " << r.all();
    EXPECT_THAT(r.err, HasSubstr("V2__u.sql.conf:1: unknown key 'shouldExecute'")) << command;
  }
}

// Bug 10: the time printed (text and JSON) is the history row's execution_time, even when an
// afterEachMigrate callback runs after it is measured.
TEST_P(ReportsCliTest, TheExecutionTimePrintedIsTheOneRecorded) {
  Write("V1__t.sql", "CREATE TABLE t (id INT);\n");
  Write("afterEachMigrate.sql", SlowStatement());
  RunResult r = Strata({"migrate", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.all();
  const auto migrated = nlohmann::json::parse(r.out);
  RunResult info = Strata({"info", "--json"});
  ASSERT_EQ(info.exit_code, 0) << info.all();
  const auto plan = nlohmann::json::parse(info.out);
  ASSERT_EQ(migrated["applied"].size(), 1U) << r.out;
  std::int64_t recorded = -1;
  for (const auto& m : plan["migrations"]) {
    if (m["script"] == "V1__t.sql") recorded = m["execution_time_ms"];
  }
  EXPECT_EQ(migrated["applied"][0]["execution_time_ms"], recorded) << r.out << info.out;
}

// A parse error is said once, not wrapped in its own words.
TEST_P(ReportsCliTest, ABadVersionIsSaidOnce) {
  RunResult r = Strata({"baseline", "--baseline-version", "abc"});
  EXPECT_EQ(r.exit_code, 2) << r.all();
  EXPECT_EQ(Occurrences(r.err, "is not a version"), 1U) << r.err;
  EXPECT_THAT(r.err, HasSubstr("--baseline-version: 'abc' is not a version: use digits"));
}

// baseline_on_migrate says in text, not only in JSON, that it recorded a baseline.
TEST_P(ReportsCliTest, BaselineOnMigrateSaysItBaselined) {
  ASSERT_TRUE(scratch_->Connect()->ExecuteScript("CREATE TABLE legacy (id INT)"));
  project_.WriteConfig("baseline_on_migrate = true\nbaseline_version = \"1\"\n");
  Write("V1__legacy.sql", "CREATE TABLE legacy (id INT);\n");
  Write("V2__next.sql", "CREATE TABLE next_table (id INT);\n");
  RunResult r = Strata({"migrate"});
  ASSERT_EQ(r.exit_code, 0) << r.all();
  EXPECT_THAT(r.out, HasSubstr("baselined "));
  EXPECT_THAT(r.out, HasSubstr(" at version 1 (baseline_on_migrate"));
}

// Files that look like a migration or a callback but are not named as one are never skipped
// silently: a warning names each with the name it likely meant, and the command goes on. A
// callback for an event strata never runs (beforeInfo) is refused by info and validate too.
TEST_P(ReportsCliTest, LookalikeFilesAreWarnedAboutAndUnrunCallbacksRefused) {
  Write("V1__t.sql", "CREATE TABLE t (id INT);\n");
  Write("v2__u.sql", "CREATE TABLE u (id INT);\n");
  Write("beforeMigrat.sql", "SELECT 1;\n");
  RunResult r = Strata({"migrate"});
  ASSERT_EQ(r.exit_code, 0) << r.all();
  EXPECT_THAT(r.err, HasSubstr("strata: warning: "));
  EXPECT_THAT(r.err, HasSubstr("v2__u.sql: skipped: not a migration or callback name; did you "
                               "mean V2__u.sql?"));
  EXPECT_THAT(r.err, HasSubstr("did you mean beforeMigrate.sql?"));
  RunResult info = Strata({"info"});
  EXPECT_EQ(info.exit_code, 0) << info.all();
  EXPECT_THAT(info.err, HasSubstr("did you mean V2__u.sql?"));

  Write("beforeInfo.sql", "SELECT 1;\n");
  for (const char* command : {"info", "validate", "migrate"}) {
    RunResult refused = Strata({command});
    EXPECT_EQ(refused.exit_code, 2) << command << ": " << refused.all();
    EXPECT_THAT(refused.err, HasSubstr("beforeInfo")) << command;
  }
}

INSTANTIATE_TEST_SUITE_P(Engines, ReportsCliTest, ::testing::ValuesIn(kAllDialects),
                         DialectParamName);

// Bug 8: `info` and `validate` refuse a MariaDB URL without a database as `migrate` does, with
// the same message and exit code, rather than showing an empty history.
TEST(ReportsMariaDbCliTest, AUrlWithoutADatabaseIsRefusedByEveryCommand) {
  const std::optional<std::string> server = ServerUrl(db::Dialect::kMariaDb);
  ASSERT_TRUE(server) << "the MariaDB test server's URL is not set";
  const std::string url = server->substr(0, server->rfind('/') + 1);
  TestProject project("reports_cli_mariadb");
  project.Write("V1__t.sql", "CREATE TABLE t (id INT);\n");
  RunResult migrate = project.Strata({"--url", url, "migrate"});
  EXPECT_EQ(migrate.exit_code, 2) << migrate.all();
  EXPECT_THAT(migrate.err, HasSubstr("no current schema"));
  for (const char* command : {"info", "validate"}) {
    RunResult r = project.Strata({"--url", url, command});
    EXPECT_EQ(r.exit_code, migrate.exit_code) << command << ": " << r.all();
    EXPECT_EQ(r.err, migrate.err) << command;
  }
}

// A bad URL parameter is the same mistake on every engine, so it has the same exit code: 2, a
// usage error (PostgreSQL's libpq found it only when connecting, which made it exit 5).
TEST(ReportsUrlCliTest, ABadUrlParameterIsAUsageErrorOnEveryEngine) {
  TestProject project("reports_cli_url");
  auto with = [](const std::string& url, const std::string& param) {
    return url + (url.find('?') == std::string::npos ? "?" : "&") + param;
  };
  std::vector<std::string> urls = {
      with("sqlite:" + (project.root() / "x.db").string(), "bogus=1"),
      with("sqlite:" + (project.root() / "x.db").string(), "mode=bogus")};
  for (db::Dialect d : {db::Dialect::kPostgres, db::Dialect::kMariaDb}) {
    const std::optional<std::string> server = ServerUrl(d);
    ASSERT_TRUE(server) << "the test servers' URLs are not set";
    urls.push_back(with(*server, "bogus=1"));
  }
  urls.push_back(with(*ServerUrl(db::Dialect::kPostgres), "sslmode=bogus"));
  urls.push_back(with(*ServerUrl(db::Dialect::kMariaDb), "ssl-mode=bogus"));
  for (const std::string& url : urls) {
    RunResult r = project.Strata({"--url", url, "db", "ping"});
    EXPECT_EQ(r.exit_code, 2) << r.all();
    EXPECT_THAT(r.err, HasSubstr("bogus")) << r.err;
  }
}

// Mistyped flags and job names get a suggestion, as mistyped commands do, and a usage error
// points at the --help of the command it is about.
TEST(ReportsSuggestionCliTest, MistypedFlagsAndJobsGetASuggestionAndTheCommandsHelp) {
  RunResult bogus = RunStrata({"backfill", "run", "--bogus", "x"});
  EXPECT_EQ(bogus.exit_code, 2) << bogus.all();
  EXPECT_THAT(bogus.err, HasSubstr("unknown flag '--bogus' for 'strata backfill run' (run "
                                   "'strata backfill run --help')"));
  RunResult typo = RunStrata({"backfill", "run", "x", "--worker", "2"});
  EXPECT_EQ(typo.exit_code, 2) << typo.all();
  EXPECT_THAT(typo.err, HasSubstr("Did you mean '--workers'?"));
  RunResult info = RunStrata({"info", "--taget", "2"});
  EXPECT_EQ(info.exit_code, 2) << info.all();
  EXPECT_THAT(info.err, HasSubstr("Did you mean '--target'? (run 'strata info --help')"));
  RunResult command = RunStrata({"db", "pnig"});
  EXPECT_EQ(command.exit_code, 2) << command.all();
  EXPECT_THAT(command.err, HasSubstr("Did you mean 'ping'? (run 'strata db --help')"));
  RunResult job = RunStrata({"backfill", "plan", "event-view-metric"});
  EXPECT_EQ(job.exit_code, 2) << job.all();
  EXPECT_THAT(job.err, HasSubstr("Did you mean 'event-view-metrics'?"));
}

}  // namespace
}  // namespace strata::testing
