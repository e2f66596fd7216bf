// `strata migrate | info | validate` as a user meets them: bad inputs each give one clear
// error, a documented exit code, and nothing applied. SQLite keeps these fast; the engines'
// differences are covered in migrations/migrator_test.cc.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "db/open.h"
#include "tests/support/run_strata.h"
#include "tests/support/test_project.h"

namespace strata::testing {
namespace {

namespace fs = std::filesystem;

class MigrateCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Write("V1__create_users.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);\n");
    Write("V2__add_email.sql", "ALTER TABLE users ADD COLUMN email TEXT;\n");
  }

  void Write(const std::string& name, const std::string& text) { project_.Write(name, text); }
  RunResult Strata(std::vector<std::string> args) { return project_.Strata(std::move(args)); }

  // Whether app.db has `table` (false when the database file does not even exist).
  bool HasTable(const std::string& table) {
    if (!fs::exists(root_ / "app.db")) return false;
    auto url = db::ParseUrl("sqlite:" + (root_ / "app.db").string());
    auto conn = db::Open(*url);
    EXPECT_TRUE(conn) << conn.error().message;
    if (!conn) return false;
    auto rows = (*conn)->Query("SELECT count(*) FROM sqlite_schema WHERE name = ?1", {table});
    EXPECT_TRUE(rows) << rows.error().message;
    return rows && rows->rows[0][0] == "1";
  }

  static void ExpectOneErrorLine(const RunResult& r, const std::string& needle) {
    EXPECT_NE(r.err.find("strata: error: "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
  }

  TestProject project_{"migrate_cli", "url = \"sqlite:app.db\"\n"};
  const fs::path root_ = project_.root();
};

TEST_F(MigrateCliTest, MigratesAndReportsJson) {
  RunResult r = Strata({"migrate", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.all();
  const auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["initial_version"], nullptr);
  EXPECT_EQ(doc["final_version"], "2");
  EXPECT_EQ(doc["migrations_executed"], 2);
  ASSERT_EQ(doc["applied"].size(), 2u);
  EXPECT_EQ(doc["applied"][0]["version"], "1");
  EXPECT_EQ(doc["applied"][0]["description"], "create users");
  EXPECT_EQ(doc["applied"][0]["type"], "sql");
  EXPECT_TRUE(doc["applied"][0]["execution_time_ms"].is_number());

  RunResult info = Strata({"info", "--json"});
  ASSERT_EQ(info.exit_code, 0) << info.all();
  const auto plan = nlohmann::json::parse(info.out);
  EXPECT_EQ(plan["current_version"], "2");
  EXPECT_EQ(plan["migrations"][1]["state"], "success");

  RunResult validate = Strata({"validate"});
  EXPECT_EQ(validate.exit_code, 0) << validate.all();
}

TEST_F(MigrateCliTest, DuplicateVersionIsAUsageErrorNamingBothFiles) {
  Write("V2__also_two.sql", "SELECT 1;\n");
  RunResult r = Strata({"migrate"});
  EXPECT_EQ(r.exit_code, 2) << r.all();
  ExpectOneErrorLine(r, "V2__also_two.sql");
  EXPECT_NE(r.err.find("V2__add_email.sql"), std::string::npos) << r.err;
  EXPECT_FALSE(HasTable("users"));
}

TEST_F(MigrateCliTest, MalformedNameIsAUsageError) {
  Write("V3_missing_separator.sql", "SELECT 1;\n");
  RunResult r = Strata({"migrate"});
  EXPECT_EQ(r.exit_code, 2) << r.all();
  ExpectOneErrorLine(r, "V3_missing_separator.sql");
}

TEST_F(MigrateCliTest, NonUtf8FileIsAUsageError) {
  Write("V3__latin1.sql", "INSERT INTO users (name) VALUES ('caf\xe9');\n");
  RunResult r = Strata({"migrate"});
  EXPECT_EQ(r.exit_code, 2) << r.all();
  ExpectOneErrorLine(r, "V3__latin1.sql");
  EXPECT_NE(r.err.find("UTF-8"), std::string::npos) << r.err;
}

TEST_F(MigrateCliTest, MissingLocationIsAUsageError) {
  RunResult r = Strata({"migrate", "--locations", (root_ / "nope").string()});
  EXPECT_EQ(r.exit_code, 2) << r.all();
  ExpectOneErrorLine(r, "nope");
}

TEST_F(MigrateCliTest, EditedAppliedFileFailsValidationAndMigrateWithExit3) {
  ASSERT_EQ(Strata({"migrate"}).exit_code, 0);
  Write("V1__create_users.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, x INT);\n");
  Write("V3__more.sql", "CREATE TABLE more_stuff (id INT);\n");
  RunResult v = Strata({"validate"});
  EXPECT_EQ(v.exit_code, 3) << v.all();
  ExpectOneErrorLine(v, "checksum");
  EXPECT_NE(v.err.find("V1__create_users.sql"), std::string::npos) << v.err;

  RunResult m = Strata({"migrate"});
  EXPECT_EQ(m.exit_code, 3) << m.all();
  EXPECT_FALSE(HasTable("more_stuff"));

  RunResult json = Strata({"validate", "--json"});
  EXPECT_EQ(json.exit_code, 3);
  const auto doc = nlohmann::json::parse(json.out);  // exactly one document on stdout
  EXPECT_EQ(doc["valid"], false);
  EXPECT_EQ(doc["problems"][0]["kind"], "checksum_mismatch");
  EXPECT_EQ(doc["problems"][0]["version"], "1");
  EXPECT_EQ(doc["problems"][0]["script"], "V1__create_users.sql");
  EXPECT_EQ(doc["error"]["kind"], "validation");
  EXPECT_EQ(doc["error"]["exit_code"], 3);
}

// Issue 20, bug 1: a pipeline reading stdout gets a document for a bad command line too.
TEST_F(MigrateCliTest, UsageErrorsPrintAJsonDocument) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"--json", "migrat"}, {"--json", "info", "--bogus"}, {"db", "pnig", "--json"}}) {
    RunResult r = Strata(args);
    EXPECT_EQ(r.exit_code, 2) << r.all();
    const auto doc = nlohmann::json::parse(r.out, nullptr, false);
    ASSERT_TRUE(doc.is_object()) << r.all();
    EXPECT_EQ(doc["schema_version"], 1);
    EXPECT_EQ(doc["error"]["kind"], "usage");
    EXPECT_EQ(doc["error"]["exit_code"], 2);
    ExpectOneErrorLine(r, "--help')");
  }
}

// Issue 20, bug 2: V3 applied, V4 failed: the document says V3 was committed.
TEST_F(MigrateCliTest, FailedMigrateJsonListsWhatWasApplied) {
  Write("V3__more.sql", "CREATE TABLE more_stuff (id INT);\n");
  Write("V4__broken.sql", "INSERT INTO no_such_table VALUES (1);\n");
  RunResult r = Strata({"migrate", "--json"});
  EXPECT_EQ(r.exit_code, 1) << r.all();
  const auto doc = nlohmann::json::parse(r.out);
  ASSERT_EQ(doc["applied"].size(), 3u) << r.out;
  EXPECT_EQ(doc["applied"][2]["version"], "3");
  EXPECT_EQ(doc["migrations_executed"], 3);
  EXPECT_EQ(doc["error"]["kind"], "database");
  EXPECT_EQ(doc["error"]["line"], 1);
  EXPECT_NE(doc["error"]["file"].get<std::string>().find("V4__broken.sql"), std::string::npos);
  EXPECT_TRUE(HasTable("more_stuff"));
}

TEST_F(MigrateCliTest, DeletedAppliedFileIsReportedMissing) {
  ASSERT_EQ(Strata({"migrate"}).exit_code, 0);
  fs::remove(root_ / "migrations" / "V1__create_users.sql");
  RunResult v = Strata({"validate"});
  EXPECT_EQ(v.exit_code, 3) << v.all();
  EXPECT_NE(v.err.find("V1__create_users.sql"), std::string::npos) << v.err;
}

TEST_F(MigrateCliTest, PendingMigrationFailsValidateUnlessIgnored) {
  ASSERT_EQ(Strata({"migrate", "--target", "1"}).exit_code, 0);
  EXPECT_EQ(Strata({"validate"}).exit_code, 3);
  RunOptions ignore_pending;
  ignore_pending.env["STRATA_IGNORE_MIGRATION_PATTERNS"] = "*:pending";
  RunResult ignored = RunStrata({"-C", root_.string(), "validate"}, ignore_pending);
  EXPECT_EQ(ignored.exit_code, 0) << ignored.all();
}

TEST_F(MigrateCliTest, SqlErrorNamesFileAndLineAndAppliesNothingOfThatMigration) {
  Write("V3__broken.sql", "CREATE TABLE ok_part (id INT);\n\nINSERT INTO nowhere VALUES (1);\n");
  RunResult r = Strata({"migrate"});
  EXPECT_EQ(r.exit_code, 1) << r.all();
  ExpectOneErrorLine(r, "V3__broken.sql:3:1: statement 2 of 2 failed");
  EXPECT_NE(r.err.find("nowhere"), std::string::npos) << r.err;
  EXPECT_TRUE(HasTable("users"));
  EXPECT_FALSE(HasTable("ok_part"));
}

TEST_F(MigrateCliTest, UnterminatedQuoteAppliesNothingAtAll) {
  Write("V3__quote.sql", "INSERT INTO users (name) VALUES ('oops);\n");
  RunResult r = Strata({"migrate"});
  EXPECT_EQ(r.exit_code, 2) << r.all();
  ExpectOneErrorLine(r, "V3__quote.sql:1:");
  EXPECT_FALSE(HasTable("users"));
}

// Job steps are checked against the job registry with the scripts, before anything runs.
TEST_F(MigrateCliTest, UnknownJobInAJobStepAppliesNothing) {
  Write("V3__backfill.job", "job = \"no-such-job\"\n");
  RunResult r = Strata({"migrate"});
  EXPECT_EQ(r.exit_code, 2) << r.all();
  ExpectOneErrorLine(r, "V3__backfill.job: no backfill job named 'no-such-job'");
  EXPECT_FALSE(HasTable("users"));
}

TEST_F(MigrateCliTest, ValidateChecksPendingJobStepsToo) {
  ASSERT_EQ(Strata({"migrate"}).exit_code, 0);
  Write("V3__backfill.job", "job = \"no-such-job\"\n");
  RunResult r = Strata({"validate"});
  EXPECT_EQ(r.exit_code, 2) << r.all();
  ExpectOneErrorLine(r, "V3__backfill.job: no backfill job named 'no-such-job'");
}

TEST_F(MigrateCliTest, BadJobParameterAppliesNothing) {
  Write("V3__backfill.job", "job = \"event-view-metrics\"\n[params]\nbogus = 1\n");
  RunResult r = Strata({"migrate"});
  EXPECT_EQ(r.exit_code, 2) << r.all();
  ExpectOneErrorLine(r, "V3__backfill.job: ");
  EXPECT_NE(r.err.find("bogus"), std::string::npos) << r.err;
  EXPECT_FALSE(HasTable("users"));

  Write("V3__backfill.job", "job = \"event-view-metrics\"\n[params]\nzone = \"Mars/Base\"\n");
  r = Strata({"migrate"});
  EXPECT_EQ(r.exit_code, 2) << r.all();
  ExpectOneErrorLine(r, "Mars/Base");
  EXPECT_FALSE(HasTable("users"));
}

TEST_F(MigrateCliTest, MalformedJobStepNamesFileLineAndColumn) {
  Write("V3__backfill.job", "job = \"event-view-metrics\"\nworkers = 2\n");
  RunResult r = Strata({"migrate"});
  EXPECT_EQ(r.exit_code, 2) << r.all();
  ExpectOneErrorLine(r, "V3__backfill.job:2:1: unknown key 'workers'");
  EXPECT_FALSE(HasTable("users"));

  Write("V3__backfill.job", "job = \"event-view-metrics\n");
  r = Strata({"migrate"});
  EXPECT_EQ(r.exit_code, 2) << r.all();
  ExpectOneErrorLine(r, "V3__backfill.job:1:");
  EXPECT_FALSE(HasTable("users"));
}

TEST_F(MigrateCliTest, LockTimeoutFlagIsValidated) {
  RunResult r = Strata({"migrate", "--lock-timeout", "soon"});
  EXPECT_EQ(r.exit_code, 2) << r.all();
  ExpectOneErrorLine(r, "'soon' is not a duration");
}

}  // namespace
}  // namespace strata::testing
