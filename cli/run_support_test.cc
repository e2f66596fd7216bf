#include "cli/run_support.h"

#include <gtest/gtest.h>

namespace strata::cli {
namespace {

TEST(RunSupportTest, FlagsOverrideTheConfiguration) {
  Config config;
  config.locations = {"migrations"};
  config.schema = "app";
  RunFlags flags;
  EXPECT_EQ(ResolveOptionsFor(config, flags).locations,
            std::vector<std::filesystem::path>{"migrations"});
  EXPECT_EQ(HistoryTableFor(config, flags).table, "strata_schema_history");
  EXPECT_EQ(HistoryTableFor(config, flags).schema, "app");

  flags.locations = {"a", "b"};
  flags.table = "history";
  flags.schema = "other";
  flags.lock_timeout = "3s";
  EXPECT_EQ(ResolveOptionsFor(config, flags).locations,
            (std::vector<std::filesystem::path>{"a", "b"}));
  EXPECT_EQ(HistoryTableFor(config, flags).table, "history");
  EXPECT_EQ(HistoryTableFor(config, flags).schema, "other");
  auto lock = LockOptionsFor(config, flags);
  ASSERT_TRUE(lock) << lock.error().message;
  EXPECT_EQ(lock->timeout, std::chrono::seconds(3));
  flags.lock_timeout = "soon";
  EXPECT_FALSE(LockOptionsFor(config, flags));
}

TEST(RunSupportTest, PlaceholderFlagsGoOnTopOfTheConfiguredValues) {
  Config config;
  config.placeholder_replacement = false;
  config.placeholders = {{"owner", "app"}, {"region", "eu"}};
  RunFlags flags;
  flags.placeholders = {"owner=ops", "empty="};
  auto settings = PlaceholderSettingsFor(config, flags);
  ASSERT_TRUE(settings) << settings.error().message;
  EXPECT_FALSE(settings->enabled);
  EXPECT_EQ(settings->values, (std::map<std::string, std::string>{
                                  {"empty", ""}, {"owner", "ops"}, {"region", "eu"}}));

  for (const char* bad : {"owner", "=ops"}) {
    flags.placeholders = {bad};
    auto refused = PlaceholderSettingsFor(config, flags);
    ASSERT_FALSE(refused) << bad;
    EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(refused.error().message.find("expected NAME=VALUE"), std::string::npos);
  }
}

TEST(RunSupportTest, DryRunOutputImpliesADryRun) {
  RunFlags flags;
  EXPECT_FALSE(flags.DryRun());
  flags.dry_run_output = "plan.sql";
  EXPECT_TRUE(flags.DryRun());
}

TEST(RunSupportTest, VersionsAsTextAndJson) {
  const std::optional<migrations::Version> none;
  const std::optional<migrations::Version> two = migrations::Version::Parse("2.1").value();
  EXPECT_EQ(VersionText(none), "<none>");
  EXPECT_EQ(VersionText(two), "2.1");
  EXPECT_TRUE(VersionJson(none).is_null());
  EXPECT_EQ(VersionJson(two), "2.1");
}

}  // namespace
}  // namespace strata::cli
