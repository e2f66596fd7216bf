#include "migrations/version.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace strata::migrations {
namespace {

Version V(const std::string& text) {
  auto version = Version::Parse(text);
  EXPECT_TRUE(version) << text;
  return *version;
}

TEST(VersionTest, ComparesNumericallyPartByPart) {
  EXPECT_GT(V("1.10"), V("1.9"));
  EXPECT_GT(V("2"), V("1.999"));
  EXPECT_LT(V("1.2.3"), V("1.2.4"));
  EXPECT_LT(V("1.2"), V("1.2.1"));
  EXPECT_GT(V("10"), V("9"));
  EXPECT_GT(V("20240501120000"), V("20240501115959"));
}

TEST(VersionTest, TrailingZeroPartsAndLeadingZerosDoNotMatter) {
  EXPECT_EQ(V("1.0"), V("1"));
  EXPECT_EQ(V("1.0.0"), V("1"));
  EXPECT_EQ(V("001"), V("1"));
  EXPECT_EQ(V("1.01"), V("1.1"));
  EXPECT_EQ(V("0"), V("0.0"));
  EXPECT_NE(V("1.0.1"), V("1.1"));
  EXPECT_LT(V("0"), V("0.1"));
}

TEST(VersionTest, UnderscoresAreDots) {
  EXPECT_EQ(V("1_1"), V("1.1"));
  EXPECT_EQ(V("2024_05_01").ToString(), "2024.05.01");
}

TEST(VersionTest, ToStringKeepsTheNormalisedText) {
  EXPECT_EQ(V("001").ToString(), "001");
  EXPECT_EQ(V("1.0").ToString(), "1.0");
  EXPECT_EQ(V("1_1").ToString(), "1.1");
}

TEST(VersionTest, ComparesNumbersBeyondSixtyFourBits) {
  EXPECT_GT(V("123456789012345678901234567890"), V("123456789012345678901234567889"));
  EXPECT_EQ(V("000123456789012345678901234567890"), V("123456789012345678901234567890"));
}

TEST(VersionTest, PartsHaveAtMost255SignificantDigits) {
  EXPECT_TRUE(Version::Parse(std::string(255, '9')));
  EXPECT_TRUE(Version::Parse("000" + std::string(255, '9')));  // leading zeros do not count
  auto too_long = Version::Parse("1." + std::string(256, '9'));
  ASSERT_FALSE(too_long);
  EXPECT_EQ(too_long.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(too_long.error().message,
            "'1." + std::string(256, '9') + "' is not a version: a part has more than 255 digits");
}

TEST(VersionTest, SortsLikeNumbers) {
  std::vector<Version> versions = {V("1.10"), V("2"),  V("1.9"), V("1.0.1"), V("0"),
                                   V("1.1"),  V("10"), V("1"),   V("0.1")};
  std::sort(versions.begin(), versions.end());
  std::vector<std::string> texts;
  texts.reserve(versions.size());
  for (const Version& v : versions) texts.push_back(v.ToString());
  EXPECT_EQ(texts,
            (std::vector<std::string>{"0", "0.1", "1", "1.0.1", "1.1", "1.9", "1.10", "2", "10"}));
}

TEST(VersionTest, RejectsWhatIsNotAVersion) {
  for (const char* text : {"", "x", "1_init", "1.", ".1", "1..2", "1.a", "-1", "+1", "1 2", "v1"}) {
    auto version = Version::Parse(text);
    ASSERT_FALSE(version) << text;
    EXPECT_EQ(version.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(version.error().message.find(std::string("'") + text + "' is not a version"),
              std::string::npos)
        << version.error().message;
  }
}

}  // namespace
}  // namespace strata::migrations
