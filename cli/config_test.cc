#include "cli/config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

namespace strata::cli {
namespace {

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() /
        ("strata_config_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path Write(const std::string& name, const std::string& text) {
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

  std::filesystem::path dir_;
  std::map<std::string, std::string> env_;
};

TEST_F(ConfigTest, ReadsFileAndResolvesRelativeSqlitePathAgainstIt) {
  auto path = Write("strata.toml", "url = \"sqlite:events.db\"\nlog_level = \"info\"\n");
  auto config = LoadConfig(path, Env());
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->url, "sqlite:" + (dir_ / "events.db").string());
  EXPECT_EQ(config->log_level, "info");
  EXPECT_EQ(config->dir, dir_);
}

TEST_F(ConfigTest, ServerUrlsAreNotRewritten) {
  auto path = Write("strata.toml", "url = \"postgresql://app@db:5432/events\"\n");
  EXPECT_EQ(LoadConfig(path, Env())->url, "postgresql://app@db:5432/events");
}

TEST_F(ConfigTest, EnvironmentOverridesFile) {
  auto path = Write("strata.toml", "url = \"sqlite:a.db\"\n");
  env_["STRATA_URL"] = "sqlite::memory:";
  EXPECT_EQ(LoadConfig(path, Env())->url, "sqlite::memory:");
}

TEST_F(ConfigTest, UnknownKeyNamesKeyAndLine) {
  auto path = Write("strata.toml", "url = \"sqlite:a.db\"\n\nulr = \"x\"\n");
  auto config = LoadConfig(path, Env());
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(config.error().message.find("strata.toml:3:"), std::string::npos)
      << config.error().message;
  EXPECT_NE(config.error().message.find("unknown key 'ulr'"), std::string::npos);
}

TEST_F(ConfigTest, SyntaxErrorNamesLine) {
  auto path = Write("strata.toml", "url = \"unterminated\n");
  auto config = LoadConfig(path, Env());
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("strata.toml:1:"), std::string::npos)
      << config.error().message;
}

TEST_F(ConfigTest, PasswordKeyIsRefusedWithoutEchoingIt) {
  auto path = Write("strata.toml", "password = \"hunter2\"\n");
  auto config = LoadConfig(path, Env());
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("password_file"), std::string::npos);
  EXPECT_EQ(config.error().message.find("hunter2"), std::string::npos);
}

TEST_F(ConfigTest, MissingExplicitFileIsAnError) {
  auto config = LoadConfig(dir_ / "nope.toml", Env());
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().code, ErrorCode::kNotFound);
}

TEST_F(ConfigTest, PasswordFromEnvironmentThenFile) {
  Write("pw", "s3cret\nignored\n");
  auto path = Write("strata.toml", "password_file = \"pw\"\n");
  auto config = LoadConfig(path, Env());
  ASSERT_TRUE(config);
  EXPECT_EQ(*ResolvePassword(*config, Env()), "s3cret");
  env_["STRATA_PASSWORD"] = "fromenv";
  EXPECT_EQ(*ResolvePassword(*config, Env()), "fromenv");
}

TEST_F(ConfigTest, UnreadablePasswordFileIsAnError) {
  auto path = Write("strata.toml", "password_file = \"missing\"\n");
  auto config = LoadConfig(path, Env());
  ASSERT_TRUE(config);
  auto pw = ResolvePassword(*config, Env());
  ASSERT_FALSE(pw);
  EXPECT_NE(pw.error().message.find("password_file"), std::string::npos);
}

TEST_F(ConfigTest, PlaceholdersFromTableAndEnvironment) {
  auto path = Write("strata.toml", "[placeholders]\nowner = \"app\"\nzone = \"UTC\"\n");
  env_["STRATA_PLACEHOLDERS_ZONE"] = "Asia/Seoul";
  env_["STRATA_PLACEHOLDERS_NEW_ONE"] = "x";
  auto config = LoadConfig(path, Env(),
                           {"STRATA_PLACEHOLDERS_ZONE", "STRATA_PLACEHOLDERS_NEW_ONE",
                            "STRATA_PLACEHOLDERS_UNSET", "PATH"});
  ASSERT_TRUE(config) << config.error().message;
  const std::map<std::string, std::string> expected = {
      {"owner", "app"}, {"zone", "Asia/Seoul"}, {"new_one", "x"}};
  EXPECT_EQ(config->placeholders, expected);
}

TEST_F(ConfigTest, PlaceholderValueMustBeText) {
  auto path = Write("strata.toml", "[placeholders]\ncount = 3\n");
  auto config = LoadConfig(path, Env());
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("placeholders.count must be a string"), std::string::npos)
      << config.error().message;
}

TEST_F(ConfigTest, LifecycleKeysAndSchemas) {
  auto path = Write("strata.toml",
                    "clean_disabled = false\nbaseline_on_migrate = true\n"
                    "baseline_version = \"5\"\nschemas = [\"app\", \"audit\"]\n");
  auto config = LoadConfig(path, Env());
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_FALSE(config->clean_disabled);
  EXPECT_TRUE(config->baseline_on_migrate);
  EXPECT_EQ(config->baseline_version, "5");
  EXPECT_EQ(config->schemas, (std::vector<std::string>{"app", "audit"}));
  env_["STRATA_SCHEMAS"] = "public";
  EXPECT_EQ(LoadConfig(path, Env())->schemas, std::vector<std::string>{"public"});
}

TEST_F(ConfigTest, EverySettingKnowsItsSource) {
  auto path = Write("strata.toml", "url = \"sqlite:a.db\"\n\n[placeholders]\nowner = \"app\"\n");
  env_["STRATA_TABLE"] = "history";
  env_["STRATA_PLACEHOLDERS_ZONE"] = "UTC";
  auto config = LoadConfig(path, Env(), {"STRATA_PLACEHOLDERS_ZONE"});
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->SourceOf("url").kind, SettingSource::Kind::kFile);
  EXPECT_EQ(config->SourceOf("url").where, path.string() + ":1:7");
  EXPECT_EQ(config->SourceOf("placeholders.owner").where, path.string() + ":4:9");
  EXPECT_EQ(config->SourceOf("placeholders.zone").ToString(), "STRATA_PLACEHOLDERS_ZONE");
  EXPECT_EQ(config->SourceOf("table").ToString(), "STRATA_TABLE");
  EXPECT_EQ(config->SourceOf("target").ToString(), "default");
  EXPECT_EQ(config->Describe("url"), path.string() + ":1:7: url");
  EXPECT_EQ(config->Describe("table"), "STRATA_TABLE");
  EXPECT_EQ(config->Describe("target"), "target");
}

TEST_F(ConfigTest, ValueErrorsNameTheValueNotTheTableHeader) {
  auto path = Write("strata.toml", "[placeholders]\nowner = \"app\"\ncount = 3\n");
  auto config = LoadConfig(path, Env());
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("strata.toml:3:9: placeholders.count"), std::string::npos)
      << config.error().message;
  auto list = Write("strata.toml", "locations = [\"a\",\n  7]\n");
  config = LoadConfig(list, Env());
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("strata.toml:2:3:"), std::string::npos)
      << config.error().message;
}

TEST_F(ConfigTest, BadValuesAreRefusedAtLoadNamingTheirSource) {
  auto path = Write("strata.toml", "url = \"sqlite:a.db\"\nbackfill_workers = \"0\"\n");
  auto config = LoadConfig(path, Env());
  ASSERT_FALSE(config);
  EXPECT_EQ(
      config.error().message,
      path.string() + ":2:20: backfill_workers: must be a whole number of at least 1, not '0'");
  path = Write("strata.toml", "log_level = \"chatty\"\n");
  config = LoadConfig(path, Env());
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find(":1:13: log_level: must be one of"), std::string::npos)
      << config.error().message;
  path = Write("strata.toml", "");
  env_["STRATA_LOCK_TIMEOUT"] = "forever";
  config = LoadConfig(path, Env());
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().message.rfind("STRATA_LOCK_TIMEOUT: ", 0), 0u) << config.error().message;
}

TEST_F(ConfigTest, MistypedKeyGetsTheNearestOne) {
  auto path = Write("strata.toml", "bakfill_workers = \"2\"\n");
  auto config = LoadConfig(path, Env());
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("unknown key 'bakfill_workers' (did you mean "
                                        "backfill_workers?)"),
            std::string::npos)
      << config.error().message;
}

TEST_F(ConfigTest, EffectiveSettingsRedactPasswords) {
  auto path = Write("strata.toml",
                    "url = \"postgresql://app:hunter2@db/x\"\n"
                    "backfill_replicas = [\"mariadb://r:hunter2@replica/x\"]\n"
                    "[placeholders]\napi_token = \"hunter2\"\nowner = \"app\"\n");
  auto config = LoadConfig(path, Env());
  ASSERT_TRUE(config) << config.error().message;
  bool saw_owner = false;
  for (const EffectiveSetting& s : EffectiveSettings(*config)) {
    if (const auto* text = std::get_if<std::string>(&s.value)) {
      EXPECT_EQ(text->find("hunter2"), std::string::npos) << s.key;
      if (s.key == "placeholders.owner") saw_owner = *text == "app";
    }
    if (const auto* list = std::get_if<std::vector<std::string>>(&s.value)) {
      for (const std::string& item : *list) EXPECT_EQ(item.find("hunter2"), std::string::npos);
    }
  }
  EXPECT_TRUE(saw_owner);
}

TEST_F(ConfigTest, FlywaySettingsFromFileAndEnvironment) {
  const auto path = Write("strata.toml",
                          "default_schema = \"app\"\nsql_migration_prefix = \"\"\n"
                          "sql_migration_suffixes = [\".ddl\"]\n"
                          "locations = [\"filesystem:db/migration\", \"classpath:db/x\"]\n"
                          "group = true\n");
  env_["STRATA_CHERRY_PICK"] = "1, 2";
  env_["STRATA_CREATE_SCHEMAS"] = "false";
  auto config = LoadConfig(path, Env());
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->default_schema, "app");
  EXPECT_EQ(config->sql_migration_prefix, "");
  EXPECT_EQ(config->sql_migration_suffixes, std::vector<std::string>{".ddl"});
  EXPECT_EQ(config->locations,
            (std::vector<std::string>{(dir_ / "db/migration").string(), "classpath:db/x"}));
  EXPECT_TRUE(config->group);
  EXPECT_FALSE(config->create_schemas);
  EXPECT_EQ(config->cherry_pick, (std::vector<std::string>{"1", "2"}));
  EXPECT_TRUE(config->validate_migration_naming);  // strata's default
  EXPECT_TRUE(config->fail_on_missing_locations);  // strata's default
}

TEST_F(ConfigTest, BadFlywaySettingIsRefusedNamingTheKey) {
  const auto path = Write("strata.toml", "connect_retries = \"x\"\n");
  auto config = LoadConfig(path, Env());
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(config.error().message.find("connect_retries"), std::string::npos);
}

// Numbers may be written as TOML numbers: they are kept as text and checked like any value.
TEST_F(ConfigTest, NumbersMayBeWrittenAsTomlNumbers) {
  auto path = Write("strata.toml",
                    "backfill_workers = 4\nconnect_retries = 2\nbackfill_max_connections_fraction "
                    "= 0.5\n");
  auto config = LoadConfig(path, Env());
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->backfill_workers, "4");
  EXPECT_EQ(config->connect_retries, "2");
  EXPECT_EQ(config->backfill_max_connections_fraction, "0.5");
  path = Write("strata.toml", "backfill_workers = 0\n");
  config = LoadConfig(path, Env());
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find(":1:20: backfill_workers: must be a whole number"),
            std::string::npos)
      << config.error().message;
  path = Write("strata.toml", "table = true\n");
  config = LoadConfig(path, Env());
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("'table' must be a string or a number"), std::string::npos)
      << config.error().message;
}

}  // namespace
}  // namespace strata::cli
