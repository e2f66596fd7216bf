#include "migrations/history_row.h"

#include <gtest/gtest.h>

#include <string>

namespace strata::migrations {
namespace {

TEST(MigrationTypeTest, RoundTripsEveryName) {
  for (const char* name : {"SCHEMA", "BASELINE", "DELETE", "SQL", "JDBC", "SCRIPT", "UNDO_SCRIPT",
                           "CUSTOM", "SQL_BASELINE", "JDBC_BASELINE", "UNDO_SQL", "UNDO_JDBC"}) {
    auto type = ParseMigrationType(name);
    ASSERT_TRUE(type) << name;
    EXPECT_EQ(MigrationTypeName(*type), name);
  }
}

TEST(MigrationTypeTest, ReadsLegacyNamesAsFlywayDoes) {
  EXPECT_EQ(*ParseMigrationType("SPRING_JDBC"), MigrationType::kJdbc);
  EXPECT_EQ(*ParseMigrationType("SQL_STATE_SCRIPT"), MigrationType::kSqlBaseline);
  EXPECT_EQ(*ParseMigrationType("JDBC_STATE_SCRIPT"), MigrationType::kJdbcBaseline);
}

TEST(MigrationTypeTest, UnknownTypeIsAValidationError) {
  auto type = ParseMigrationType("sql");
  ASSERT_FALSE(type);
  EXPECT_EQ(type.error().code, ErrorCode::kValidation);
  EXPECT_EQ(type.error().message, "unknown migration type 'sql' in the schema history table");
}

TEST(MigrationTypeTest, Classes) {
  EXPECT_TRUE(IsSynthetic(MigrationType::kDelete));
  EXPECT_TRUE(IsSynthetic(MigrationType::kBaseline));
  EXPECT_FALSE(IsSynthetic(MigrationType::kSqlBaseline));
  EXPECT_TRUE(IsBaselineType(MigrationType::kSqlBaseline));
  EXPECT_TRUE(IsUndoType(MigrationType::kUndoSql));
  EXPECT_FALSE(IsUndoType(MigrationType::kSql));
}

TEST(AbbreviateTest, DescriptionKeeps200AndCutsLongerTo197PlusDots) {
  const std::string exact(200, 'd');
  EXPECT_EQ(AbbreviateDescription(exact), exact);
  const std::string longer(201, 'd');
  EXPECT_EQ(AbbreviateDescription(longer), std::string(197, 'd') + "...");
}

TEST(AbbreviateTest, DescriptionCountsUtf16UnitsAndNeverSplitsACharacter) {
  // 100 "é" (two UTF-8 bytes, one UTF-16 unit each) is 100 units: kept.
  std::string accents;
  for (int i = 0; i < 100; ++i) accents += "\xC3\xA9";
  EXPECT_EQ(AbbreviateDescription(accents), accents);
  // 101 emoji are 202 units; 197 units would split the 99th emoji, so 98 are kept.
  std::string emoji;
  for (int i = 0; i < 101; ++i) emoji += "\xF0\x9F\x98\x80";
  EXPECT_EQ(AbbreviateDescription(emoji), emoji.substr(0, std::size_t{98} * 4) + "...");
}

TEST(AbbreviateTest, ScriptKeeps1000AndOtherwiseDropsItsStart) {
  const std::string exact(1000, 's');
  EXPECT_EQ(AbbreviateScript(exact), exact);
  const std::string longer = "abc" + std::string(997, 'x') + "tail";
  const std::string abbreviated = AbbreviateScript(longer);
  EXPECT_EQ(abbreviated.size(), 1000u);
  EXPECT_EQ(abbreviated, "..." + std::string(997, 'x'));
}

}  // namespace
}  // namespace strata::migrations
