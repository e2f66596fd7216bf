#include "base/strings.h"

#include <gtest/gtest.h>

namespace strata {
namespace {

TEST(StringsTest, CaseFoldingTouchesOnlyAsciiLetters) {
  EXPECT_EQ(AsciiLower("SELECT Über_1"), "select Über_1");
  EXPECT_EQ(AsciiUpper("select über_1"), "SELECT üBER_1");
  EXPECT_EQ(AsciiLower(""), "");
  EXPECT_EQ(AsciiLower('Q'), 'q');
  EXPECT_EQ(AsciiUpper('@'), '@');
}

TEST(StringsTest, ComparesIgnoringCase) {
  EXPECT_TRUE(EqualsIgnoreCase("Create", "CREATE"));
  EXPECT_FALSE(EqualsIgnoreCase("create", "creat"));
  EXPECT_FALSE(EqualsIgnoreCase("[", "{"));  // '[' + 32 is '{': not letters, so not equal
  EXPECT_TRUE(StartsWithIgnoreCase("BEGIN ATOMIC", "begin"));
  EXPECT_FALSE(StartsWithIgnoreCase("BEG", "begin"));
  EXPECT_TRUE(EndsWithIgnoreCase("V1__x.SQL", ".sql"));
  EXPECT_FALSE(EndsWithIgnoreCase("sql", ".sql"));
}

TEST(StringsTest, TrimsWhitespaceOrTheGivenBytes) {
  EXPECT_EQ(Trim(" \t a b \r\n"), "a b");
  EXPECT_EQ(Trim("   "), "");
  EXPECT_EQ(Trim(""), "");
  EXPECT_EQ(Trim(" x\r", " \t"), "x\r");
  EXPECT_EQ(Trim("--x--", "-"), "x");
}

}  // namespace
}  // namespace strata
