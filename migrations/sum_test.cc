#include "migrations/sum.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "base/file.h"

namespace strata::migrations {
namespace {

namespace fs = std::filesystem;

// SHA-256 of "a\n" and "b\n" (sha256sum).
constexpr const char* kShaA = "87428fc522803d31065e7bce3cf03fe475096631e5e07bbd7a0fde60c4cf25c7";
constexpr const char* kShaB = "0263829989b6fd954f72baaf2fc64bc2e2f01d692d4de72986ea808f6e99813f";

class SumTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           fmt::format("strata_sum_{}_{}", ::getpid(),
                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  void Write(const std::string& name, const std::string& text) {
    fs::create_directories((dir_ / name).parent_path());
    std::ofstream(dir_ / name, std::ios::binary) << text;
  }

  fs::path dir_;
};

TEST_F(SumTest, ListsFilesInVersionOrderWithChainedTotal) {
  Write("V10__later.sql", "b\n");
  Write("sub/V2__first.sql", "a\n");
  Write("R__view.sql", "a\n");
  Write("sub/V2__first.sql.conf", "executeInTransaction=false\n");
  Write("beforeMigrate.sql", "b\n");
  Write("README.md", "not a migration\n");
  auto sum = ComputeSum(dir_);
  ASSERT_TRUE(sum) << sum.error().message;
  ASSERT_EQ(sum->entries.size(), 5u);
  EXPECT_EQ(sum->entries[0].script, "sub/V2__first.sql");
  EXPECT_EQ(sum->entries[0].sha256, kShaA);
  EXPECT_EQ(sum->entries[1].script, "sub/V2__first.sql.conf");
  EXPECT_EQ(sum->entries[2].script, "V10__later.sql");
  EXPECT_EQ(sum->entries[2].sha256, kShaB);
  EXPECT_EQ(sum->entries[3].script, "R__view.sql");
  EXPECT_EQ(sum->entries[4].script, "beforeMigrate.sql");
  EXPECT_EQ(sum->total, SumTotal(sum->entries));
  EXPECT_EQ(RenderSum(*sum).substr(0, 14 + 64 + 1 + 64 + 2),
            "strata.sum v1 " + sum->total + "\n" + kShaA + "  ");
}

TEST_F(SumTest, TotalIsChainedOverLinesAndDependsOnOrder) {
  const std::vector<SumEntry> ab = {{kShaA, "V1__a.sql"}, {kShaB, "V2__b.sql"}};
  const std::vector<SumEntry> ba = {{kShaB, "V2__b.sql"}, {kShaA, "V1__a.sql"}};
  EXPECT_EQ(SumTotal({}), std::string(64, '0'));
  EXPECT_NE(SumTotal(ab), SumTotal(ba));
  // h1 = SHA-256(32 zero bytes || "<shaA>  V1__a.sql\n"), computed with Python hashlib.
  EXPECT_EQ(SumTotal({ab[0]}), "7a0244e405d310209b7312f073c8784b6edc372bd8ccd186843312f343f89ab1");
}

TEST_F(SumTest, ParseRoundTripsAndRejectsMalformedLinesWithTheirNumber) {
  const SumFile sum{SumTotal({{kShaA, "V1__a.sql"}}), {{kShaA, "V1__a.sql"}}};
  auto parsed = ParseSum(RenderSum(sum), "strata.sum");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->total, sum.total);
  ASSERT_EQ(parsed->entries.size(), 1u);
  EXPECT_EQ(parsed->entries[0].script, "V1__a.sql");

  auto bad_header = ParseSum("h1:abc\n", "m/strata.sum");
  ASSERT_FALSE(bad_header);
  EXPECT_EQ(bad_header.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(bad_header.error().message.find("m/strata.sum:1: "), std::string::npos)
      << bad_header.error().message;
  auto bad_line = ParseSum(RenderSum(sum) + "xyz V2.sql\n", "m/strata.sum");
  ASSERT_FALSE(bad_line);
  EXPECT_NE(bad_line.error().message.find("m/strata.sum:3: not \"<64 hex digits>  <file>\""),
            std::string::npos)
      << bad_line.error().message;
}

TEST_F(SumTest, CheckNamesEveryEditedAddedAndMissingFile) {
  Write("V1__a.sql", "a\n");
  Write("V2__b.sql", "b\n");
  Write("V3__c.sql", "c\n");
  ASSERT_TRUE(WriteSumFiles({dir_}));
  auto clean = CheckSums({dir_});
  ASSERT_TRUE(clean) << clean.error().message;
  EXPECT_TRUE((*clean)[0].present);
  EXPECT_EQ((*clean)[0].files, 3u);
  EXPECT_TRUE((*clean)[0].problems.empty());
  EXPECT_TRUE(VerifySumFiles({dir_}));

  Write("V2__b.sql", "b edited\n");
  fs::remove(dir_ / "V3__c.sql");
  Write("V4__d.sql", "d\n");
  auto checks = CheckSums({dir_});
  ASSERT_TRUE(checks) << checks.error().message;
  const auto& problems = (*checks)[0].problems;
  ASSERT_EQ(problems.size(), 3u);
  EXPECT_EQ(problems[0].kind, SumProblemKind::kEdited);
  EXPECT_EQ(problems[0].script, "V2__b.sql");
  EXPECT_EQ(problems[1].kind, SumProblemKind::kMissing);
  EXPECT_EQ(problems[1].script, "V3__c.sql");
  EXPECT_EQ(problems[2].kind, SumProblemKind::kAdded);
  EXPECT_EQ(problems[2].script, "V4__d.sql");

  const Status status = VerifySumFiles({dir_});
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::kValidation);
  const std::string& m = status.error().message;
  EXPECT_NE(m.find("(3 problems)"), std::string::npos) << m;
  EXPECT_NE(m.find((dir_ / "V2__b.sql").string() + ": edited since strata.sum was written"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find((dir_ / "V3__c.sql").string() + ": missing"), std::string::npos) << m;
  EXPECT_NE(m.find((dir_ / "V4__d.sql").string() + ": added"), std::string::npos) << m;
}

TEST_F(SumTest, HandEditedTotalIsReported) {
  Write("V1__a.sql", "a\n");
  ASSERT_TRUE(WriteSumFiles({dir_}));
  auto text = ReadFile(dir_ / kSumFileName);
  ASSERT_TRUE(text);
  std::string edited = *text;
  edited[14] = edited[14] == '0' ? '1' : '0';
  Write(kSumFileName, edited);
  const Status status = VerifySumFiles({dir_});
  ASSERT_FALSE(status);
  EXPECT_NE(status.error().message.find("strata.sum: the total on the first line does not match"),
            std::string::npos)
      << status.error().message;
}

TEST_F(SumTest, LocationWithoutSumFilePassesUnlessRequired) {
  Write("V1__a.sql", "a\n");
  auto checks = CheckSums({dir_});
  ASSERT_TRUE(checks);
  EXPECT_FALSE((*checks)[0].present);
  EXPECT_TRUE(SumCheckStatus(*checks, /*require_sum_file=*/false));
  const Status required = SumCheckStatus(*checks, /*require_sum_file=*/true);
  ASSERT_FALSE(required);
  EXPECT_EQ(required.error().code, ErrorCode::kValidation);
  EXPECT_NE(required.error().message.find("no strata.sum: create it with `strata sum`"),
            std::string::npos)
      << required.error().message;
}

}  // namespace
}  // namespace strata::migrations
