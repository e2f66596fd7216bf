#include "cli/fleet_targets.h"

#include <gtest/gtest.h>

#include <set>

namespace strata::cli {
namespace {

std::optional<std::string> NoEnv(const std::string& /*name*/) { return std::nullopt; }

TEST(ParseTargetsTomlTest, ReadsEveryKey) {
  const auto targets = ParseTargetsToml(R"(url = "sqlite:x.db"
[[targets]]
name = "eu1"
url = "postgresql://app@db1/events"
labels = { region = "eu", tier = "gold" }
password_file = "secrets/eu1"

[[targets]]
url = "postgresql://app@db2/shared"
schema = "tenant_a"

[[targets]]
name = "local"
url_env = "LOCAL_URL"
)",
                                        "strata.toml", "/proj",
                                        [](const std::string& name) -> std::optional<std::string> {
                                          if (name == "LOCAL_URL") return "sqlite:data/l.db";
                                          return std::nullopt;
                                        },
                                        /*other_keys_allowed=*/true);
  ASSERT_TRUE(targets) << targets.error().message;
  ASSERT_EQ(targets->size(), 3U);
  EXPECT_EQ((*targets)[0].name, "eu1");
  EXPECT_EQ((*targets)[0].labels.at("region"), "eu");
  EXPECT_EQ((*targets)[0].password_file, "/proj/secrets/eu1");
  EXPECT_EQ((*targets)[0].where, "strata.toml:2");
  EXPECT_EQ((*targets)[1].name, "tenant_a");  // named after its schema
  EXPECT_EQ((*targets)[1].schema, "tenant_a");
  EXPECT_EQ((*targets)[2].url, "sqlite:/proj/data/l.db");  // relative to the file
}

TEST(ParseTargetsTomlTest, ABadUrlNamesTheLineAndTheTargetButNotThePassword) {
  const auto targets = ParseTargetsToml(
      "[[targets]]\nname = \"a\"\nurl = \"postgresql://u@h/a\"\n\n[[targets]]\nname = "
      "\"b\"\nurl = \"nosuch://u:Secret-1@h/b\"\n",
      "fleet.toml", "/p", NoEnv, false);
  ASSERT_FALSE(targets);
  EXPECT_NE(targets.error().message.find("fleet.toml:5: target 'b'"), std::string::npos)
      << targets.error().message;
  EXPECT_EQ(targets.error().message.find("Secret-1"), std::string::npos);
}

TEST(ParseTargetsTomlTest, RefusesWhatItCannotRun) {
  EXPECT_FALSE(ParseTargetsToml("[[targets]]\nname = \"a\"\n", "f", "", NoEnv, false));
  EXPECT_FALSE(ParseTargetsToml("[[targets]]\nurl = \"sqlite:a.db\"\nurl_env = \"X\"\n", "f", "",
                                NoEnv, false));
  EXPECT_FALSE(ParseTargetsToml("[[targets]]\nurl_env = \"UNSET\"\n", "f", "", NoEnv, false));
  EXPECT_FALSE(ParseTargetsToml("[[targets]]\nurl = \"sqlite:a.db\"\ncolour = \"red\"\n", "f", "",
                                NoEnv, false));
  EXPECT_FALSE(ParseTargetsToml("[[targets]]\nurl = \"sqlite:a.db\"\npassword = \"x\"\n", "f", "",
                                NoEnv, false));
  EXPECT_FALSE(ParseTargetsToml("url = \"sqlite:a.db\"\n", "f", "", NoEnv, false));
  const auto dup =
      ParseTargetsToml("[[targets]]\nurl = \"sqlite:a.db\"\n[[targets]]\nurl = \"sqlite:b/a.db\"\n",
                       "f", "", NoEnv, false);
  ASSERT_FALSE(dup);
  EXPECT_NE(dup.error().message.find("f:3: target 'a' is also defined at f:1"), std::string::npos)
      << dup.error().message;
}

TEST(ParseTargetsListTest, OneUrlPerLineWithComments) {
  const auto targets = ParseTargetsList(
      "# tenants\npostgresql://app@db/t1  # first\n\nmariadb://root@db/t2\nsqlite:files/t3.db\n",
      "list.txt", "/d");
  ASSERT_TRUE(targets) << targets.error().message;
  ASSERT_EQ(targets->size(), 3U);
  EXPECT_EQ((*targets)[0].name, "t1");
  EXPECT_EQ((*targets)[0].url, "postgresql://app@db/t1");
  EXPECT_EQ((*targets)[1].name, "t2");
  EXPECT_EQ((*targets)[2].name, "t3");
  EXPECT_EQ((*targets)[2].url, "sqlite:/d/files/t3.db");
  const auto bad = ParseTargetsList("sqlite:a.db\nnot a url\n", "list.txt", "/d");
  ASSERT_FALSE(bad);
  EXPECT_TRUE(bad.error().message.starts_with("list.txt:2: ")) << bad.error().message;
}

std::vector<FleetTarget> Fleet() {
  return {{"a", "sqlite:a.db", "", {{"region", "eu"}, {"tier", "gold"}}, "", "f:1"},
          {"b", "sqlite:b.db", "", {{"region", "us"}}, "", "f:2"},
          {"c", "sqlite:c.db", "", {{"region", "eu"}}, "", "f:3"}};
}

TargetSelection Selection(std::vector<std::string> names, std::vector<std::string> labels,
                          bool all = false,
                          std::optional<std::vector<std::string>> only = std::nullopt) {
  TargetSelection selection;
  selection.names = std::move(names);
  selection.labels = std::move(labels);
  selection.all = all;
  selection.only = std::move(only);
  return selection;
}

FleetTarget Named(std::string name) {
  FleetTarget target;
  target.name = std::move(name);
  return target;
}

std::vector<std::string> Names(const std::vector<FleetTarget>& targets) {
  std::vector<std::string> names;
  names.reserve(targets.size());
  for (const FleetTarget& t : targets) names.push_back(t.name);
  return names;
}

TEST(SelectTargetsTest, ByNameLabelAllAndRetry) {
  EXPECT_EQ(Names(*SelectTargets(Fleet(), Selection({}, {}, true))),
            (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(Names(*SelectTargets(Fleet(), Selection({"c", "a"}, {}))),
            (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(Names(*SelectTargets(Fleet(), Selection({}, {"region=eu"}))),
            (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(Names(*SelectTargets(Fleet(), Selection({}, {"region=eu", "tier=gold"}))),
            (std::vector<std::string>{"a"}));
  EXPECT_EQ(Names(*SelectTargets(Fleet(), Selection({}, {}, true, std::vector<std::string>{"b"}))),
            (std::vector<std::string>{"b"}));
  EXPECT_FALSE(SelectTargets(Fleet(), Selection({"zz"}, {})));
  EXPECT_FALSE(SelectTargets(Fleet(), Selection({}, {"region"})));
}

TEST(ShardTest, ParsesIOfN) {
  EXPECT_EQ(ParseShard("0/4")->index, 0);
  EXPECT_EQ(ParseShard("3/4")->count, 4);
  EXPECT_FALSE(ParseShard("4/4"));
  EXPECT_FALSE(ParseShard("1"));
  EXPECT_FALSE(ParseShard("a/b"));
  EXPECT_FALSE(ParseShard("1/0"));
  EXPECT_FALSE(ParseShard("-1/3"));
}

TEST(ShardTest, EveryTargetIsInExactlyOneShard) {
  std::vector<FleetTarget> targets;
  targets.reserve(200);
  for (int i = 0; i < 200; ++i) targets.push_back(Named("tenant_" + std::to_string(i)));
  for (const int count : {1, 2, 3, 7}) {
    std::multiset<std::string> seen;
    for (int index = 0; index < count; ++index) {
      const auto shard = InShard(targets, {index, count});
      if (count > 1) {
        EXPECT_GT(shard.size(), 200U / count / 2) << "a shard far too small";
      }
      for (const FleetTarget& t : shard) seen.insert(t.name);
    }
    EXPECT_EQ(seen.size(), 200U);
    for (const FleetTarget& t : targets) EXPECT_EQ(seen.count(t.name), 1U);
  }
  // Stable: a target's shard depends on its name only.
  EXPECT_EQ(ShardOf("tenant_7", 4), ShardOf("tenant_7", 4));
}

}  // namespace
}  // namespace strata::cli
