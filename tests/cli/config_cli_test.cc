// Configuration as users meet it through the real binary: `strata config show` (sources,
// redaction, --json), errors that name the true source of a bad value, and a Flyway project
// run from its flyway.conf / flyway.toml end to end on real servers.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "db/url.h"
#include "tests/support/run_strata.h"
#include "tests/support/test_env.h"
#include "tests/support/test_project.h"

namespace strata::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSecret = "Sup3rS3cretPw";

class ConfigCliTest : public ::testing::Test {
 protected:
  TestProject project_{"config_cli"};
};

TEST_F(ConfigCliTest, ShowNamesEverySourceAndNeverAPassword) {
  project_.WriteConfig(
      fmt::format("url = \"postgresql://app:{0}@db.example:5432/events?sslpassword={0}\"\n"
                  "log_level = \"info\"\n"
                  "backfill_replicas = [\"mariadb://r:{0}@replica/events\"]\n"
                  "[placeholders]\nowner = \"app\"\ndb_password = \"{0}\"\n",
                  kSecret));
  RunOptions options;
  options.env["STRATA_TABLE"] = "history";
  options.env["STRATA_PASSWORD"] = kSecret;
  RunResult text = project_.Strata({"config", "show", "--log-level", "error"}, options);
  ASSERT_EQ(text.exit_code, 0) << text.all();
  EXPECT_EQ(text.all().find(kSecret), std::string::npos) << text.all();
  EXPECT_NE(text.out.find("postgresql://app:***@db.example:5432/events"), std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("strata.toml:1:7"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("STRATA_TABLE"), std::string::npos);
  EXPECT_NE(text.out.find("--log-level"), std::string::npos);

  RunResult json = project_.Strata({"config", "show", "--json"}, options);
  ASSERT_EQ(json.exit_code, 0) << json.all();
  EXPECT_EQ(json.all().find(kSecret), std::string::npos) << json.all();
  const auto doc = nlohmann::json::parse(json.out);
  std::map<std::string, nlohmann::json> by_key;
  for (const auto& s : doc["settings"]) by_key[s["key"]] = s;
  EXPECT_EQ(by_key["url"]["source"], "strata.toml:1:7");
  EXPECT_EQ(by_key["url"]["origin"], "file");
  EXPECT_EQ(by_key["log_level"]["value"], "info");
  EXPECT_EQ(by_key["log_level"]["source"], "strata.toml:2:13");
  EXPECT_EQ(by_key["table"]["value"], "history");
  EXPECT_EQ(by_key["table"]["origin"], "environment");
  EXPECT_EQ(by_key["table"]["source"], "STRATA_TABLE");
  EXPECT_EQ(by_key["out_of_order"]["value"], false);
  EXPECT_EQ(by_key["out_of_order"]["origin"], "default");
  EXPECT_EQ(by_key["placeholders.owner"]["source"], "strata.toml:5:9");
  EXPECT_EQ(by_key["placeholders.db_password"]["value"], "***");
  EXPECT_EQ(by_key["backfill_replicas"]["value"][0], "mariadb://r:***@replica/events");
  EXPECT_EQ(doc["file"], (project_.root() / "strata.toml").string());
}

TEST_F(ConfigCliTest, BadValuesNameTheirTrueSource) {
  project_.WriteConfig("url = \"sqlite:app.db\"\n\n[placeholders]\nx = \"y\"\n");
  project_.WriteConfig("url = \"sqlite:app.db\"\nbackfill_workers   = \"many\"\n");
  RunResult file = project_.Strata({"migrate"});
  EXPECT_EQ(file.exit_code, 2) << file.all();
  EXPECT_NE(file.err.find("strata.toml:2:22: backfill_workers: must be a whole number of at "
                          "least 1, not 'many'"),
            std::string::npos)
      << file.err;
  EXPECT_EQ(file.err.find("--workers"), std::string::npos) << file.err;
  EXPECT_FALSE(fs::exists(project_.root() / "app.db"));

  project_.WriteConfig("url = \"sqlite:app.db\"\n");
  RunOptions env;
  env.env["STRATA_BACKFILL_CHUNK_TARGET"] = "soon";
  RunResult variable = project_.Strata({"info"}, env);
  EXPECT_EQ(variable.exit_code, 2) << variable.all();
  EXPECT_NE(variable.err.find("STRATA_BACKFILL_CHUNK_TARGET: "), std::string::npos) << variable.err;
}

TEST_F(ConfigCliTest, InvalidLogLevelIsRejectedFromFileAndEnvironment) {
  project_.WriteConfig("log_level = \"verbose\"\n");
  RunResult file = project_.Strata({"config", "show"});
  EXPECT_EQ(file.exit_code, 2) << file.all();
  EXPECT_NE(file.err.find("strata.toml:1:13: log_level: must be one of trace, debug, info, "
                          "warn, error, off, not 'verbose'"),
            std::string::npos)
      << file.err;

  project_.WriteConfig("");
  RunOptions env;
  env.env["STRATA_LOG_LEVEL"] = "loud";
  RunResult variable = project_.Strata({"config", "show"}, env);
  EXPECT_EQ(variable.exit_code, 2) << variable.all();
  EXPECT_NE(variable.err.find("STRATA_LOG_LEVEL: must be one of"), std::string::npos)
      << variable.err;
}

TEST_F(ConfigCliTest, MistypedKeyGetsASuggestion) {
  project_.WriteConfig("bakfill_workers = \"2\"\n");
  RunResult r = project_.Strata({"config", "show"});
  EXPECT_EQ(r.exit_code, 2) << r.all();
  EXPECT_NE(r.err.find("strata.toml:1:1: unknown key 'bakfill_workers' (did you mean "
                       "backfill_workers?)"),
            std::string::npos)
      << r.err;
}

// A Flyway project, as its team has it: flyway.conf (or flyway.toml) with a JDBC URL and the
// user, the password in FLYWAY_PASSWORD, no strata.toml.
class FlywayProjectCliTest : public ::testing::TestWithParam<db::Dialect> {
 protected:
  void SetUp() override {
    scratch_ = ScratchDatabase::Create(GetParam());
    ASSERT_NE(scratch_, nullptr);
    fs::remove(project_.root() / "strata.toml");
    project_.Write("V1__create_users.sql", "CREATE TABLE users (id INT);\n");
    project_.Write("V2__add_name.sql", "ALTER TABLE users ADD COLUMN name VARCHAR(20);\n");
    project_.Write("R__users_view.sql",
                   "DROP VIEW IF EXISTS ${view};\nCREATE VIEW ${view} AS SELECT id FROM users;\n");
    auto url = db::ParseUrl(scratch_->url());
    ASSERT_TRUE(url) << url.error().message;
    if (url->password) options_.env["FLYWAY_PASSWORD"] = *url->password;
    if (GetParam() == db::Dialect::kSqlite) {
      jdbc_ = "jdbc:sqlite:" + url->database;
    } else {
      jdbc_ = fmt::format("jdbc:{}://{}:{}/{}",
                          GetParam() == db::Dialect::kPostgres ? "postgresql" : "mariadb",
                          url->host, url->port, url->database);
    }
    user_ = url->user;
  }

  void WriteFile(const std::string& name, const std::string& text) {
    std::ofstream(project_.root() / name) << text;
  }
  RunResult Strata(std::vector<std::string> args) {
    return project_.Strata(std::move(args), options_);
  }

  std::unique_ptr<ScratchDatabase> scratch_;
  TestProject project_{"flyway_project"};
  RunOptions options_;
  std::string jdbc_;
  std::string user_;
};

TEST_P(FlywayProjectCliTest, ConfMigratesThenValidates) {
  WriteFile("flyway.conf", fmt::format("flyway.url={}\nflyway.user={}\n"
                                       "flyway.locations=filesystem:migrations\n"
                                       "flyway.placeholders.view=user_ids\n",
                                       jdbc_, user_));
  RunResult migrate = Strata({"--flyway-config", "flyway.conf", "migrate"});
  ASSERT_EQ(migrate.exit_code, 0) << migrate.all();
  RunResult validate = Strata({"--flyway-config", "flyway.conf", "validate"});
  EXPECT_EQ(validate.exit_code, 0) << validate.all();
  // Auto-detected without the flag; Flyway's history table name.
  RunResult info = Strata({"info", "--json"});
  ASSERT_EQ(info.exit_code, 0) << info.all();
  EXPECT_EQ(nlohmann::json::parse(info.out)["current_version"], "2");
  auto conn = scratch_->Connect();
  EXPECT_EQ(QueryInt(*conn, "SELECT count(*) FROM flyway_schema_history WHERE success"), 3);
  if (options_.env.count("FLYWAY_PASSWORD") != 0) {
    EXPECT_EQ(migrate.all().find(options_.env["FLYWAY_PASSWORD"]), std::string::npos);
  }
}

TEST_P(FlywayProjectCliTest, TomlMigratesThenValidates) {
  WriteFile("flyway.toml",
            fmt::format("[environments.ci]\nurl = \"{}\"\nuser = \"{}\"\n\n"
                        "[flyway]\nenvironment = \"ci\"\nlocations = [\"filesystem:migrations\"]\n"
                        "\n[flyway.placeholders]\nview = \"user_ids\"\n",
                        jdbc_, user_));
  RunResult migrate = Strata({"migrate"});
  ASSERT_EQ(migrate.exit_code, 0) << migrate.all();
  RunResult validate = Strata({"--flyway-config", "flyway.toml", "validate"});
  EXPECT_EQ(validate.exit_code, 0) << validate.all();
}

TEST_P(FlywayProjectCliTest, UnsupportedKeyAppliesNothing) {
  WriteFile("flyway.conf", fmt::format("flyway.url={}\nflyway.user={}\n"
                                       "flyway.locations=filesystem:migrations\n"
                                       "flyway.lockRetryCount=50\n",
                                       jdbc_, user_));
  RunResult r = Strata({"--flyway-config", "flyway.conf", "migrate"});
  EXPECT_EQ(r.exit_code, 2) << r.all();
  EXPECT_NE(r.err.find("flyway.conf:4:23: key flyway.lockRetryCount is not supported by strata"),
            std::string::npos)
      << r.err;
  auto conn = scratch_->Connect();
  auto rows = conn->Query("SELECT count(*) FROM flyway_schema_history");
  EXPECT_FALSE(rows) << "the history table was created";
}

INSTANTIATE_TEST_SUITE_P(All, FlywayProjectCliTest, ::testing::ValuesIn(kAllDialects),
                         DialectParamName);

}  // namespace
}  // namespace strata::testing
