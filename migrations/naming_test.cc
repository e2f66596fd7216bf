// Lookalike names: what strata would skip, and the valid name each one likely meant.
#include "migrations/naming.h"

#include <gtest/gtest.h>

namespace strata::migrations {
namespace {

TEST(NamingTest, LookalikesGetTheNearestValidName) {
  EXPECT_EQ(NearestValidName("v2__x.sql"), "V2__x.sql");
  EXPECT_EQ(NearestValidName("r__views.sql"), "R__views.sql");
  EXPECT_EQ(NearestValidName("2__x.sql"), "V2__x.sql");
  EXPECT_EQ(NearestValidName("V2_x.sql"), "V2__x.sql");
  EXPECT_EQ(NearestValidName("beforeMigrat.sql"), "beforeMigrate.sql");
  EXPECT_EQ(NearestValidName("aftermigrate__refresh.sql"), "afterMigrate__refresh.sql");
}

TEST(NamingTest, ValidNamesAndOtherFilesHaveNone) {
  for (const char* name : {"V2__x.sql", "R__views.sql", "beforeMigrate.sql", "README.md",
                           "seed.sql", "strata.sum", "notes.txt", "undo.sql"}) {
    EXPECT_EQ(NearestValidName(name), std::nullopt) << name;
  }
}

}  // namespace
}  // namespace strata::migrations
