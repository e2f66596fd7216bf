#include "cli/suggest.h"

#include <gtest/gtest.h>

namespace strata::cli {
namespace {

const std::vector<std::string> kCommands = {"migrate", "info", "validate", "db", "backfill"};

TEST(SuggestTest, FindsTyposAndTranspositions) {
  EXPECT_EQ(ClosestMatch("migarte", kCommands), "migrate");
  EXPECT_EQ(ClosestMatch("mirgate", kCommands), "migrate");
  EXPECT_EQ(ClosestMatch("valdate", kCommands), "validate");
  EXPECT_EQ(ClosestMatch("inf", kCommands), "info");
  EXPECT_EQ(ClosestMatch("back", kCommands), "backfill");
}

TEST(SuggestTest, NoSuggestionForUnrelatedWords) {
  EXPECT_EQ(ClosestMatch("deploy", kCommands), std::nullopt);
  EXPECT_EQ(ClosestMatch("xyzzy", kCommands), std::nullopt);
}

}  // namespace
}  // namespace strata::cli
