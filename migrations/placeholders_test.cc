#include "migrations/placeholders.h"

#include <gtest/gtest.h>

namespace strata::migrations {
namespace {

Placeholders Make() {
  BuiltinPlaceholders b{"appdb", "app", "public", "strata_schema_history", "2024-03-01 12:00:00"};
  return Placeholders(true, {{"Owner", "alice"}, {"empty", ""}}, b);
}

TEST(PlaceholdersTest, ReplacesConfiguredValuesCaseInsensitivelyEverywhere) {
  auto r = Make().Replace("GRANT x TO ${owner}; -- ${OWNER}\nSELECT '${Owner}${empty}';", "V1.sql",
                          "V1.sql");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, "GRANT x TO alice; -- alice\nSELECT 'alice';");
}

TEST(PlaceholdersTest, BuiltinsUnderBothPrefixes) {
  auto r = Make().Replace(
      "${strata:database} ${flyway:user} ${strata:schema} ${flyway:defaultSchema} "
      "${strata:table} ${flyway:filename} ${strata:timestamp}",
      "db/V2__x.sql", "V2__x.sql");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, "appdb app public public strata_schema_history V2__x.sql 2024-03-01 12:00:00");
}

TEST(PlaceholdersTest, UnknownPlaceholderNamesItWithLineAndColumn) {
  auto r = Make().Replace("SELECT 1;\n  SELECT 'é${missing}';", "db/V3__x.sql", "V3__x.sql");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().message.rfind("db/V3__x.sql:2:12: no value for placeholder ${missing}; ", 0),
            0u)
      << r.error().message;
  EXPECT_NE(r.error().message.find("STRATA_PLACEHOLDERS_MISSING"), std::string::npos);
  EXPECT_NE(r.error().message.find("-p missing=VALUE"), std::string::npos);
}

TEST(PlaceholdersTest, UnknownBuiltinIsAnError) {
  auto r = Make().Replace("${flyway:environment}", "V1.sql", "V1.sql");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("V1.sql:1:1: unknown built-in placeholder "
                                   "${flyway:environment}"),
            std::string::npos)
      << r.error().message;
}

TEST(PlaceholdersTest, UnterminatedIsLeftAsWritten) {
  auto r = Make().Replace("SELECT '${owner' || $$x$$;", "V1.sql", "V1.sql");
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, "SELECT '${owner' || $$x$$;");
}

TEST(PlaceholdersTest, TimestampIsUtc) {
  EXPECT_EQ(PlaceholderTimestamp(0), "1970-01-01 00:00:00");
  EXPECT_EQ(PlaceholderTimestamp(1709294400), "2024-03-01 12:00:00");
}

TEST(PlaceholdersTest, OtherDelimitersAsPlaceholderPrefixAndSuffixSay) {
  Placeholders p = Make();
  p.SetDelimiters("#[", "]]");
  auto r =
      p.Replace("GRANT x TO #[owner]]; SELECT '${owner}', '#[unterminated';", "V1.sql", "V1.sql");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, "GRANT x TO alice; SELECT '${owner}', '#[unterminated';");
}

}  // namespace
}  // namespace strata::migrations
