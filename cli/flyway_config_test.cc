// Flyway's configuration read by strata: flyway.conf and flyway.toml fixtures covering every
// key strata honours and several it refuses, FLYWAY_* variables, JDBC URLs, and the positions
// errors name.
#include "cli/flyway_config.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>

#include "cli/jdbc_url.h"

namespace strata::cli {
namespace {

namespace fs = std::filesystem;

// Flyway keys whose strata.toml counterparts change how migrations run (cli/flyway_settings.h).
const std::vector<std::string> kFlywaySettingKeys = {"defaultSchema",
                                                     "createSchemas",
                                                     "placeholderPrefix",
                                                     "placeholderSuffix",
                                                     "sqlMigrationPrefix",
                                                     "sqlMigrationSeparator",
                                                     "sqlMigrationSuffixes",
                                                     "repeatableSqlMigrationPrefix",
                                                     "undoSqlMigrationPrefix",
                                                     "baselineMigrationPrefix",
                                                     "validateMigrationNaming",
                                                     "initSql",
                                                     "connectRetries",
                                                     "connectRetriesInterval",
                                                     "installedBy",
                                                     "cherryPick",
                                                     "skipExecutingMigrations",
                                                     "group",
                                                     "failOnMissingLocations"};

class FlywayConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("strata_flyway_config_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
    return dir_ / name;
  }

  Getenv Env() const {
    return [this](const std::string& name) -> std::optional<std::string> {
      auto it = env_.find(name);
      if (it == env_.end()) return std::nullopt;
      return it->second;
    };
  }
  std::vector<std::string> EnvNames() const {
    std::vector<std::string> names;
    for (const auto& [k, v] : env_) names.push_back(k);
    return names;
  }

  Result<Config> Load(const fs::path& flyway) {
    return LoadConfig(ConfigFiles{{}, flyway}, Env(), EnvNames());
  }

  fs::path dir_;
  std::map<std::string, std::string> env_;
};

// Every supported key strata already has, in flyway.conf.
constexpr const char* kConf = R"(# A Flyway 9 project
flyway.url=jdbc:postgresql://db.example:5433/events?sslmode=require
flyway.user=app
flyway.driver=org.postgresql.Driver
flyway.locations=filesystem:sql,\
    filesystem:more/sql
flyway.table=flyway_history
flyway.schemas=app,audit
flyway.target=7
flyway.outOfOrder=true
flyway.validateOnMigrate=false
flyway.mixed=true
flyway.ignoreMigrationPatterns=*:missing
flyway.baselineOnMigrate=true
flyway.baselineVersion=3
flyway.baselineDescription=Before strata
! another comment style
flyway.cleanDisabled=false
flyway.placeholderReplacement=true
flyway.placeholders.owner=app_owner
flyway.placeholders.zone : Asia/Seoul
flyway.encoding=UTF-8
)";

TEST_F(FlywayConfigTest, ConfHonoursEveryKeyWithItsPosition) {
  const fs::path path = Write("flyway.conf", kConf);
  auto config = Load(path);
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->url, "postgresql://app@db.example:5433/events?sslmode=require");
  EXPECT_EQ(config->locations,
            (std::vector<std::string>{(dir_ / "sql").string(), (dir_ / "more/sql").string()}));
  EXPECT_EQ(config->table, "flyway_history");
  EXPECT_EQ(config->schemas, (std::vector<std::string>{"app", "audit"}));
  EXPECT_EQ(config->target, "7");
  EXPECT_TRUE(config->out_of_order);
  EXPECT_FALSE(config->validate_on_migrate);
  EXPECT_TRUE(config->mixed);
  EXPECT_EQ(config->ignore_migration_patterns, "*:missing");
  EXPECT_TRUE(config->baseline_on_migrate);
  EXPECT_EQ(config->baseline_version, "3");
  EXPECT_EQ(config->baseline_description, "Before strata");
  EXPECT_FALSE(config->clean_disabled);
  EXPECT_TRUE(config->placeholder_replacement);
  EXPECT_EQ(config->placeholders,
            (std::map<std::string, std::string>{{"owner", "app_owner"}, {"zone", "Asia/Seoul"}}));
  // Positions are of the value: line 7 `flyway.table=flyway_history`, column 14.
  EXPECT_EQ(config->SourceOf("table").where, path.string() + ":7:14");
  EXPECT_EQ(config->SourceOf("url").where, path.string() + ":2:12");
  EXPECT_EQ(config->SourceOf("placeholders.zone").where, path.string() + ":21:28");
  // driver changes nothing in strata, and says so.
  ASSERT_EQ(config->warnings.size(), 1u);
  EXPECT_NE(config->warnings[0].find("flyway.driver has no effect"), std::string::npos);
}

TEST_F(FlywayConfigTest, TomlHonoursEnvironmentAndFlywayTables) {
  const fs::path path = Write("flyway.toml", R"(id = "b7c5"
name = "events"
databaseType = "PostgreSql"

[environments.default]
url = "jdbc:postgresql://localhost/other"

[environments.prod]
url = "jdbc:mariadb://localhost:3307/events"
user = "${env.DB_USER}"
schemas = ["events"]

[flyway]
environment = "prod"
locations = ["filesystem:migrations"]
cleanDisabled = false
outOfOrder = true
baselineVersion = 2
mixed = true

[flyway.placeholders]
owner = "app"
)");
  env_["DB_USER"] = "deploy";
  auto config = Load(path);
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->url, "mariadb://deploy@127.0.0.1:3307/events");
  EXPECT_EQ(config->schemas, std::vector<std::string>{"events"});
  EXPECT_EQ(config->locations, std::vector<std::string>{(dir_ / "migrations").string()});
  EXPECT_FALSE(config->clean_disabled);
  EXPECT_TRUE(config->out_of_order);
  EXPECT_EQ(config->baseline_version, "2");
  EXPECT_EQ(config->placeholders.at("owner"), "app");
  EXPECT_EQ(config->table, "flyway_schema_history");  // Flyway's default, not strata's
  EXPECT_EQ(config->SourceOf("table").ToString(), "default (Flyway's default)");
  EXPECT_EQ(config->SourceOf("url").where, path.string() + ":9:7");
  EXPECT_EQ(config->SourceOf("clean_disabled").where, path.string() + ":16:17");
}

TEST_F(FlywayConfigTest, EnvironmentVariablesOverTheFile) {
  const fs::path path = Write("flyway.conf", "flyway.url=jdbc:sqlite:app.db\nflyway.table=t1\n");
  env_["FLYWAY_TABLE"] = "t2";
  env_["FLYWAY_OUT_OF_ORDER"] = "true";
  env_["FLYWAY_PLACEHOLDERS_OWNER"] = "me";
  env_["FLYWAY_LOCATIONS"] = "filesystem:/abs/sql";
  auto config = Load(path);
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->url, "sqlite:" + (dir_ / "app.db").string());
  EXPECT_EQ(config->table, "t2");
  EXPECT_EQ(config->SourceOf("table").ToString(), "FLYWAY_TABLE");
  EXPECT_TRUE(config->out_of_order);
  EXPECT_EQ(config->placeholders.at("owner"), "me");
  EXPECT_EQ(config->locations, std::vector<std::string>{"/abs/sql"});
  // STRATA_* wins over FLYWAY_*.
  env_["STRATA_TABLE"] = "t3";
  EXPECT_EQ(Load(path)->table, "t3");
}

TEST_F(FlywayConfigTest, FlywayPasswordIsHonouredAndAFilePasswordRefused) {
  const fs::path ok = Write("flyway.conf", "flyway.url=jdbc:postgresql://db/x\n");
  env_["FLYWAY_PASSWORD"] = "from-env-pw";
  auto config = Load(ok);
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(ResolvePassword(*config, Env())->value_or(""), "from-env-pw");

  const fs::path bad = Write("bad.conf",
                             "flyway.url=jdbc:postgresql://db/x\n"
                             "flyway.password=hunter2\n");
  auto refused = Load(bad);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("bad.conf:2:17: a password does not belong"),
            std::string::npos)
      << refused.error().message;
  EXPECT_NE(refused.error().message.find("FLYWAY_PASSWORD"), std::string::npos);
  EXPECT_EQ(refused.error().message.find("hunter2"), std::string::npos);

  const fs::path toml = Write("flyway.toml",
                              "[environments.default]\nurl = \"jdbc:sqlite:x\"\n"
                              "password = \"hunter2\"\n");
  auto refused_toml = Load(toml);
  ASSERT_FALSE(refused_toml);
  EXPECT_NE(refused_toml.error().message.find("flyway.toml:3:12: a password"), std::string::npos)
      << refused_toml.error().message;
  EXPECT_EQ(refused_toml.error().message.find("hunter2"), std::string::npos);
}

struct Refusal {
  std::string line;    // a flyway.conf line
  std::string needle;  // in the error
};

TEST_F(FlywayConfigTest, UnsupportedKeysAreRefusedNamingLineAndWhatToUse) {
  const std::vector<Refusal> refusals = {
      {"flyway.lockRetryCount=10",
       "key flyway.lockRetryCount is not supported by strata "
       "(strata waits for the migration lock up to lock_timeout"},
      {"flyway.cleanOnValidationError=true", "run `strata clean` explicitly"},
      {"flyway.ignoreMissingMigrations=true", "use ignoreMigrationPatterns = *:missing"},
      {"flyway.callbacks=com.example.Cb", "Java callbacks"},
      {"flyway.locations=classpath:db/migration", "use filesystem:src/main/resources/db/migration"},
      {"flyway.locations=db/migration", "filesystem:src/main/resources/db/migration"},
      {"flyway.locations=s3:bucket/sql", "only filesystem: directories"},
      {"flyway.encoding=ISO-8859-1", "UTF-8 only"},
      {"flyway.jdbcProperties.ssl=true", "parameters of strata's URL"},
      {"flyway.outOfOrdr=true", "(did you mean outOfOrder?)"},
      {"spring.flyway.url=x", "not a Flyway setting"},
      {"flyway.url=jdbc:oracle:thin:@//h:1521/s", "'oracle' is not supported"},
      {"flyway.url=jdbc:postgresql://h/db?currentSchema=app", "'currentSchema' has no strata"},
      {"flyway.outOfOrder=maybe", "out_of_order must be true or false, not 'maybe'"},
      {"flyway.target=abc", "target: invalid target 'abc'"},
  };
  for (const Refusal& r : refusals) {
    const fs::path path = Write("flyway.conf", "# first\n" + r.line + "\n");
    auto config = Load(path);
    ASSERT_FALSE(config) << r.line;
    EXPECT_EQ(config.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(config.error().message.find(path.string() + ":2:"), std::string::npos)
        << config.error().message;
    EXPECT_NE(config.error().message.find(r.needle), std::string::npos)
        << r.line << " → " << config.error().message;
  }
}

// Every Flyway setting strata.toml also has is read from a Flyway file: a value it accepts
// loads, and one it refuses is refused naming the file, line and column it came from.
TEST_F(FlywayConfigTest, FlywaySettingKeysAreHonouredAndTheirErrorsNameTheFile) {
  for (const std::string& key : kFlywaySettingKeys) {
    const fs::path path = Write("flyway.conf", "flyway." + key + "=x\n");
    auto config = Load(path);
    if (config) continue;  // 'x' is a valid value of this key
    EXPECT_NE(config.error().message.find(path.string() + ":1:"), std::string::npos)
        << key << " → " << config.error().message;
  }
}

TEST_F(FlywayConfigTest, RelativePathsResolveAgainstTheFileEvenWhenNamedRelatively) {
  Write("flyway.conf", "flyway.url=jdbc:sqlite:app.db\nflyway.locations=filesystem:sql\n");
  const fs::path cwd = fs::current_path();
  fs::current_path(dir_);
  auto config = Load("flyway.conf");
  fs::current_path(cwd);
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->url, "sqlite:" + (dir_ / "app.db").string());
  EXPECT_EQ(config->locations, std::vector<std::string>{(dir_ / "sql").string()});
  EXPECT_EQ(config->SourceOf("url").where, "flyway.conf:1:12");
}

TEST_F(FlywayConfigTest, UnknownEnvironmentVariableIsAWarningNotSilence) {
  env_["FLYWAY_EDITIONS"] = "x";
  auto config = Load({});
  ASSERT_TRUE(config) << config.error().message;
  ASSERT_EQ(config->warnings.size(), 1u);
  EXPECT_NE(config->warnings[0].find("FLYWAY_EDITIONS"), std::string::npos);
  env_["FLYWAY_LOCK_RETRY_COUNT"] = "3";
  auto refused = Load({});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message.rfind("FLYWAY_LOCK_RETRY_COUNT is not supported", 0), 0u)
      << refused.error().message;
}

TEST_F(FlywayConfigTest, ConfSubstitutesEnvironmentVariables) {
  env_["DB_HOST"] = "db.internal";
  const fs::path path = Write("flyway.conf", "flyway.url=jdbc:mysql://${DB_HOST}/shop\n");
  EXPECT_EQ(Load(path)->url, "mysql://db.internal/shop");
  const fs::path unset = Write("unset.conf", "flyway.url=jdbc:mysql://${NOPE}/shop\n");
  auto config = Load(unset);
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("unset.conf:1:12: environment variable NOPE is not set"),
            std::string::npos)
      << config.error().message;
}

TEST_F(FlywayConfigTest, TomlUnknownEnvironmentAndResolversAreRefused) {
  const fs::path path = Write("flyway.toml", "[flyway]\nenvironment = \"prod\"\n");
  auto config = Load(path);
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("environment 'prod' is not defined"), std::string::npos);
  const fs::path vault = Write("v.toml", "[environments.default]\nurl = \"${vault.db}\"\n");
  auto refused = Load(vault);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("v.toml:2:7: ${vault.db}"), std::string::npos)
      << refused.error().message;
}

TEST(JdbcUrlTest, TranslatesEachEngine) {
  EXPECT_EQ(*TranslateJdbcUrl("jdbc:postgresql://h:5432/db", "app", {}),
            "postgresql://app@h:5432/db");
  EXPECT_EQ(*TranslateJdbcUrl("jdbc:postgresql://h/db?user=u&ApplicationName=x", "", {}),
            "postgresql://u@h/db?application_name=x");
  EXPECT_EQ(*TranslateJdbcUrl("jdbc:postgresql:db", "", {}), "postgresql://localhost/db");
  EXPECT_EQ(*TranslateJdbcUrl("jdbc:mariadb://localhost/db", "a b", {}),
            "mariadb://a%20b@127.0.0.1/db");
  EXPECT_EQ(*TranslateJdbcUrl("jdbc:mysql://h:3306/db", "", {}), "mysql://h:3306/db");
  EXPECT_EQ(*TranslateJdbcUrl("jdbc:sqlite:/tmp/x.db", "", {}), "sqlite:/tmp/x.db");
  EXPECT_EQ(*TranslateJdbcUrl("jdbc:sqlite:x.db", "", "/p"), "sqlite:/p/x.db");
  EXPECT_EQ(*TranslateJdbcUrl("jdbc:sqlite::memory:", "", "/p"), "sqlite::memory:");
  auto with_password = TranslateJdbcUrl("jdbc:postgresql://h/db?password=pw%21", "u", {});
  ASSERT_TRUE(with_password);
  EXPECT_EQ(*with_password, "postgresql://u:pw%2521@h/db");
  auto bad = TranslateJdbcUrl("jdbc:postgresql://h/db?password=s3cr3t&bogus=1", "u", {});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message.find("s3cr3t"), std::string::npos);
}

}  // namespace
}  // namespace strata::cli
