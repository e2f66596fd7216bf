// `strata repair | clean | undo` as a user meets them, on every engine: the effect, the --json
// shapes, and every bad input with its message and exit code. What each command does to the
// database (and that dry runs leave a dump identical) is tested in migrations/*_test.cc.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "migrations/history.h"
#include "tests/support/run_strata.h"
#include "tests/support/test_env.h"
#include "tests/support/test_project.h"

namespace strata::testing {
namespace {

namespace fs = std::filesystem;

class LifecycleCliTest : public ::testing::TestWithParam<db::Dialect> {
 protected:
  void SetUp() override {
    scratch_ = ScratchDatabase::Create(GetParam());
    ASSERT_NE(scratch_, nullptr);
    WriteConfig("");
    Write("V1__create_users.sql", "CREATE TABLE users (id INT);\n");
    Write("V2__create_orders.sql", "CREATE TABLE orders (id INT);\n");
    Write("U2__drop_orders.sql", "DROP TABLE orders;\n");
  }
  void WriteConfig(const std::string& extra) {
    project_.WriteConfig(fmt::format("url = \"{}\"\n{}", scratch_->url(), extra));
  }
  void Write(const std::string& name, const std::string& text) { project_.Write(name, text); }
  RunResult Strata(std::vector<std::string> args, const RunOptions& options = {}) {
    return project_.Strata(std::move(args), options);
  }

  bool HasTable(const std::string& table) {
    auto conn = scratch_->Connect();
    if (!conn) return false;
    migrations::SchemaHistory probe(*conn, {"", table});
    auto exists = probe.Exists();
    EXPECT_TRUE(exists) << exists.error().message;
    return exists && *exists;
  }

  static void ExpectError(const RunResult& r, int exit_code, const std::string& needle) {
    EXPECT_EQ(r.exit_code, exit_code) << r.all();
    EXPECT_NE(r.err.find("strata: error: "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
  }

  std::unique_ptr<ScratchDatabase> scratch_;
  TestProject project_{"lifecycle_cli"};
  const fs::path root_ = project_.root();
};

TEST_P(LifecycleCliTest, RepairWithNothingToRepairSaysSoAndExitsZero) {
  ASSERT_EQ(Strata({"migrate"}).exit_code, 0);
  RunResult r = Strata({"repair"});
  EXPECT_EQ(r.exit_code, 0) << r.all();
  EXPECT_NE(r.out.find("needs no repair: no failed rows, no applied migration whose file is "
                       "gone, every applied migration matches its file"),
            std::string::npos)
      << r.out;
  RunResult json = Strata({"repair", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.all();
  const auto doc = nlohmann::json::parse(json.out);
  EXPECT_EQ(doc["actions"], nlohmann::json::array());
  EXPECT_EQ(doc["migrations_removed"], 0);
  EXPECT_EQ(doc["dry_run"], false);
  // A value in a document is data: the table's name, not its quoted SQL form (issue 20, bug 9).
  EXPECT_EQ(doc["history_table"], "strata_schema_history");
}

TEST_P(LifecycleCliTest, RepairPrintsEachChangeAndReportsItAsJson) {
  ASSERT_EQ(Strata({"migrate"}).exit_code, 0);
  Write("V1__create_users.sql", "CREATE TABLE users (id INT); -- reformatted\n");
  fs::rename(root_ / "migrations" / "V2__create_orders.sql",
             root_ / "migrations" / "V2__create_all_orders.sql");
  ASSERT_EQ(Strata({"validate"}).exit_code, 3);

  RunResult dry = Strata({"repair", "--dry-run", "--json"});
  ASSERT_EQ(dry.exit_code, 0) << dry.all();
  const auto plan = nlohmann::json::parse(dry.out);
  EXPECT_EQ(plan["dry_run"], true);
  EXPECT_NE(plan["dry_run_sql"].get<std::string>().find("UPDATE "), std::string::npos);
  ASSERT_EQ(Strata({"validate"}).exit_code, 3);  // the dry run changed nothing

  RunResult r = Strata({"repair"});
  ASSERT_EQ(r.exit_code, 0) << r.all();
  EXPECT_NE(r.out.find("realign version 1 (V1__create_users.sql): checksum "), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("realign version 2 (V2__create_orders.sql): description \"create "
                       "orders\" -> \"create all orders\""),
            std::string::npos)
      << r.out;
  EXPECT_EQ(Strata({"validate"}).exit_code, 0);
}

TEST_P(LifecycleCliTest, CleanWhileDisabledIsRefusedWithExit2AndDropsNothing) {
  ASSERT_EQ(Strata({"migrate"}).exit_code, 0);
  for (const auto& args : {std::vector<std::string>{"clean"}, {"clean", "--dry-run"}}) {
    RunResult r = Strata(args);
    ExpectError(r, 2, "clean is disabled");
    EXPECT_NE(r.err.find("set clean_disabled = false in strata.toml (or "
                         "STRATA_CLEAN_DISABLED=false)"),
              std::string::npos)
        << r.err;
  }
  EXPECT_TRUE(HasTable("users"));
}

TEST_P(LifecycleCliTest, CleanDropsEverythingOnceEnabled) {
  ASSERT_EQ(Strata({"migrate"}).exit_code, 0);
  const fs::path sql = root_ / "clean.sql";
  RunOptions enabled;
  enabled.env["STRATA_CLEAN_DISABLED"] = "false";
  RunResult dry = Strata({"clean", "--dry-run-output", sql.string()}, enabled);
  ASSERT_EQ(dry.exit_code, 0) << dry.all();
  EXPECT_NE(dry.out.find("nothing was changed"), std::string::npos) << dry.out;
  std::stringstream text;
  text << std::ifstream(sql).rdbuf();
  EXPECT_NE(text.str().find("DROP TABLE IF EXISTS"), std::string::npos) << text.str();
  EXPECT_TRUE(HasTable("users"));

  WriteConfig("clean_disabled = false\n");
  RunResult r = Strata({"clean", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.all();
  const auto doc = nlohmann::json::parse(r.out);
  // users, orders, the history table; on MariaDB, whose scripts run outside a transaction, also
  // the history table's statement progress table (migrations/progress.h).
  const std::size_t dropped = GetParam() == db::Dialect::kMariaDb ? 4u : 3u;
  EXPECT_EQ(doc["objects_dropped"], dropped);
  EXPECT_EQ(doc["dropped"].size(), dropped);
  EXPECT_EQ(doc["schemas"].size(), 1u);
  EXPECT_FALSE(HasTable("users"));
  EXPECT_FALSE(HasTable("strata_schema_history"));
}

TEST_P(LifecycleCliTest, UndoRevertsTheLatestAndReportsItAsJson) {
  ASSERT_EQ(Strata({"migrate"}).exit_code, 0);
  RunResult r = Strata({"undo", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.all();
  const auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["initial_version"], "2");
  EXPECT_EQ(doc["final_version"], "1");
  EXPECT_EQ(doc["migrations_undone"], 1);
  EXPECT_EQ(doc["undone"][0]["version"], "2");
  EXPECT_EQ(doc["undone"][0]["script"], "U2__drop_orders.sql");
  EXPECT_FALSE(HasTable("orders"));

  RunResult info = Strata({"info", "--json"});
  ASSERT_EQ(info.exit_code, 0) << info.all();
  const auto plan = nlohmann::json::parse(info.out);
  EXPECT_EQ(plan["migrations"][1]["state"], "undone");

  RunResult nothing = Strata({"undo", "--target", "1"});
  EXPECT_EQ(nothing.exit_code, 0) << nothing.all();
  EXPECT_NE(nothing.out.find("nothing to undo"), std::string::npos) << nothing.out;
}

TEST_P(LifecycleCliTest, UndoWithAMissingUndoScriptIsRefusedWithExit2NamingIt) {
  ASSERT_EQ(Strata({"migrate"}).exit_code, 0);
  RunResult r = Strata({"undo", "--target", "0"});
  ExpectError(r, 2,
              "no undo script for version 1 (V1__create_users.sql), expected "
              "U1__create_users.sql");
  EXPECT_TRUE(HasTable("orders"));  // U2 did not run either

  RunResult bad = Strata({"undo", "--target", "latest"});
  ExpectError(bad, 2, "undo --target 'latest' is not a version");
}

INSTANTIATE_TEST_SUITE_P(AllEngines, LifecycleCliTest, ::testing::ValuesIn(kAllDialects),
                         DialectParamName);

// A dry run still needs to read the database; a server that cannot be reached is exit 5, and
// the password never shows.
TEST(LifecycleCliUnreachableTest, DryRunsAgainstAnUnreachableServerExit5) {
  const fs::path dir =
      fs::temp_directory_path() / fmt::format("strata_lifecycle_cli_{}", ::getpid());
  fs::create_directories(dir / "migrations");
  for (const std::string url :
       {"postgresql://app:s3cret@127.0.0.1:1/db", "mariadb://app:s3cret@127.0.0.1:1/db"}) {
    for (const std::string command : {"repair", "clean", "undo"}) {
      RunOptions options;
      options.env["STRATA_CLEAN_DISABLED"] = "false";
      RunResult r = RunStrata({"-C", dir.string(), command, "--dry-run", "--url", url}, options);
      EXPECT_EQ(r.exit_code, 5) << command << " " << url << "\n" << r.all();
      EXPECT_NE(r.err.find("strata: error: cannot connect to"), std::string::npos) << r.err;
      EXPECT_EQ(r.all().find("s3cret"), std::string::npos) << r.all();
    }
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace strata::testing
