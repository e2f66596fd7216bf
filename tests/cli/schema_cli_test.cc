// `strata schema ...` as CI runs it: a fresh database of each engine migrated with the example
// migrations matches the committed snapshot; a changed schema fails verify with exit 3 and a
// unified diff naming the object; diff compares two live databases.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "db/dialect.h"
#include "tests/support/example.h"
#include "tests/support/run_strata.h"
#include "tests/support/test_env.h"

namespace strata::testing {
namespace {

namespace fs = std::filesystem;

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class SchemaCliTest : public ::testing::TestWithParam<db::Dialect> {
 protected:
  void SetUp() override {
    scratch_ = ScratchDatabase::Create(GetParam());
    ASSERT_NE(scratch_, nullptr);
    migrations_ = ExampleMigrations(GetParam()).string();
    snapshot_ = ExampleSnapshot(GetParam()).string();
    RunResult migrate =
        RunStrata({"--url", scratch_->url(), "migrate", "--locations", migrations_});
    ASSERT_EQ(migrate.exit_code, 0) << migrate.all();
  }

  RunResult Strata(std::vector<std::string> args) {
    args.insert(args.begin(), {"--url", scratch_->url()});
    return RunStrata(args);
  }

  std::unique_ptr<ScratchDatabase> scratch_;
  std::string migrations_;
  std::string snapshot_;
};

TEST_P(SchemaCliTest, ExampleMigrationsGiveTheCommittedSnapshot) {
  RunResult verify = Strata({"schema", "verify", "--expected", snapshot_});
  EXPECT_EQ(verify.exit_code, 0) << verify.all();
  EXPECT_NE(verify.out.find("matches " + snapshot_), std::string::npos) << verify.out;

  RunResult dump = Strata({"schema", "dump"});
  ASSERT_EQ(dump.exit_code, 0) << dump.all();
  EXPECT_EQ(dump.out, ReadText(snapshot_));

  RunResult json = Strata({"schema", "verify", "--expected", snapshot_, "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.all();
  const auto doc = nlohmann::json::parse(json.out);
  EXPECT_EQ(doc["equal"], true);
  EXPECT_EQ(doc["fingerprint"], doc["expected_fingerprint"]);
  EXPECT_EQ(doc["differences"].size(), 0u);
}

TEST_P(SchemaCliTest, FingerprintIsSha256OfTheDumpOnTheLastLine) {
  RunResult fp = Strata({"schema", "fingerprint"});
  ASSERT_EQ(fp.exit_code, 0) << fp.all();
  std::string out = fp.out;
  ASSERT_FALSE(out.empty());
  ASSERT_EQ(out.back(), '\n');
  out.pop_back();
  const std::string last =
      out.substr(out.rfind('\n') == std::string::npos ? 0 : out.rfind('\n') + 1);
  EXPECT_EQ(last.size(), 64u) << fp.out;
  EXPECT_EQ(last.find_first_not_of("0123456789abcdef"), std::string::npos) << fp.out;

  RunResult json = Strata({"schema", "fingerprint", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.all();
  const auto doc = nlohmann::json::parse(json.out);
  EXPECT_EQ(doc["fingerprint"], last);
  EXPECT_EQ(doc["objects"], 4);
  RunResult verify = Strata({"schema", "verify", "--expected", snapshot_, "--json"});
  EXPECT_EQ(nlohmann::json::parse(verify.out)["expected_fingerprint"], last);
}

TEST_P(SchemaCliTest, DriftFailsVerifyWithExit3AndANamedDiff) {
  auto conn = scratch_->Connect();
  ASSERT_NE(conn, nullptr);
  ASSERT_TRUE(conn->Query("ALTER TABLE event ADD COLUMN venue VARCHAR(100)"));
  RunResult verify = Strata({"schema", "verify", "--expected", snapshot_});
  EXPECT_EQ(verify.exit_code, 3) << verify.all();
  EXPECT_NE(verify.out.find("changed  table event\n"), std::string::npos) << verify.out;
  EXPECT_NE(verify.out.find("--- " + snapshot_ + " (expected)\n"), std::string::npos) << verify.out;
  EXPECT_NE(verify.out.find(" @@ table event\n"), std::string::npos) << verify.out;
  EXPECT_NE(verify.out.find("\n+  column venue "), std::string::npos) << verify.out;
  EXPECT_NE(verify.err.find("strata: error: schema of "), std::string::npos) << verify.err;
  EXPECT_NE(verify.err.find("differs from " + snapshot_ + " in 1 object: table event (changed)"),
            std::string::npos)
      << verify.err;

  RunResult json = Strata({"schema", "verify", "--expected", snapshot_, "--json"});
  EXPECT_EQ(json.exit_code, 3);
  const auto doc = nlohmann::json::parse(json.out);
  EXPECT_EQ(doc["equal"], false);
  ASSERT_EQ(doc["differences"].size(), 1u);
  EXPECT_EQ(doc["differences"][0]["object"], "table event");
  EXPECT_EQ(doc["differences"][0]["change"], "changed");
}

TEST_P(SchemaCliTest, DiffComparesTwoDatabases) {
  auto other = ScratchDatabase::Create(GetParam());
  ASSERT_NE(other, nullptr);
  RunResult diff = RunStrata({"schema", "diff", "--url", scratch_->url(), "--url", other->url()});
  EXPECT_EQ(diff.exit_code, 3) << diff.all();
  EXPECT_NE(diff.out.find("removed  table event\n"), std::string::npos) << diff.out;
  EXPECT_NE(diff.out.find("removed  view event_daily_views\n"), std::string::npos) << diff.out;

  RunResult migrate = RunStrata({"--url", other->url(), "migrate", "--locations", migrations_});
  ASSERT_EQ(migrate.exit_code, 0) << migrate.all();
  RunResult same = Strata({"schema", "diff", "--to", other->url()});
  EXPECT_EQ(same.exit_code, 0) << same.all();
  EXPECT_NE(same.out.find("are equal (4 objects)"), std::string::npos) << same.out;
}

TEST_P(SchemaCliTest, MissingSnapshotFileIsAUsageError) {
  RunResult verify = Strata({"schema", "verify", "--expected", "/nonexistent/x.schema"});
  EXPECT_EQ(verify.exit_code, 2) << verify.all();
  EXPECT_NE(verify.err.find("/nonexistent/x.schema"), std::string::npos) << verify.err;
}

INSTANTIATE_TEST_SUITE_P(Engines, SchemaCliTest, ::testing::ValuesIn(kAllDialects),
                         DialectParamName);

}  // namespace
}  // namespace strata::testing
