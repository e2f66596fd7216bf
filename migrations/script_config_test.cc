#include "migrations/script_config.h"

#include <gtest/gtest.h>

namespace strata::migrations {
namespace {

TEST(ScriptConfigTest, ReadsFlywayKeys) {
  auto c = ParseScriptConfig(
      "# comment\n! also a comment\n\nexecuteInTransaction=false\nplaceholderReplacement : TRUE\n"
      "encoding=utf-8\n",
      "V1.sql.conf");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->execute_in_transaction, false);
  EXPECT_EQ(c->placeholder_replacement, true);
}

TEST(ScriptConfigTest, EmptyGivesDefaults) {
  auto c = ParseScriptConfig("", "V1.sql.conf");
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->execute_in_transaction.has_value());
  EXPECT_FALSE(c->placeholder_replacement.has_value());
}

TEST(ScriptConfigTest, UnknownKeyNamesFileAndLine) {
  auto c = ParseScriptConfig("encoding=UTF8\nshouldExecute=true\n", "db/V1.sql.conf");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(c.error().message,
            "db/V1.sql.conf:2: unknown key 'shouldExecute' (known keys: executeInTransaction, "
            "placeholderReplacement, encoding)");
}

TEST(ScriptConfigTest, BadValues) {
  auto b = ParseScriptConfig("executeInTransaction=yes", "x.conf");
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().message, "x.conf:1: executeInTransaction must be true or false, not 'yes'");
  auto e = ParseScriptConfig("\nencoding=ISO-8859-1", "x.conf");
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("x.conf:2: encoding 'ISO-8859-1' is not supported"),
            std::string::npos);
  auto n = ParseScriptConfig("executeInTransaction", "x.conf");
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error().message, "x.conf:1: expected key=value, found 'executeInTransaction'");
}

}  // namespace
}  // namespace strata::migrations
